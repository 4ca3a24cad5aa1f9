// What every command needs before the engine runs: the baseline (config file + saved
// answers + defaults, validated before any AWS call), the state file, the AWS factory and
// the caller's identity. Errors here are usage errors (exit 2) or missing credentials.
import { resolve } from 'node:path';
import { ConfigError, deepMerge, readConfigFile, resolveBaseline } from '../config/load.js';
import type { Baseline } from '../config/schema.js';
import { StateError, StateStore } from '../state/store.js';
import { AwsFactory } from '../aws/factory.js';
import { Engine, type Mode } from '../engine/engine.js';
import type { IoHost } from '../engine/io.js';
import { explainError } from '../engine/explain.js';
import { STEPS } from '../steps/index.js';
import { ssoProfilesOptions } from '../steps/sso-profiles.js';
import type { GlobalOptions } from './options.js';

export class CliExit extends Error {
  constructor(message: string, readonly exitCode: number) {
    super(message);
  }
}

/** The raw input: saved answers, then the config file over them, then --region. */
export function rawInput(opts: GlobalOptions, state?: StateStore): Record<string, unknown> {
  let raw: Record<string, unknown> = (state?.data.answers as Record<string, unknown>) ?? {};
  if (opts.config) {
    const file = readConfigFile(resolve(opts.config));
    if (typeof file !== 'object' || file === null || Array.isArray(file))
      throw new ConfigError([{ path: '', message: 'must be a JSON object like {"org": {"name": "Acme"}}' }], opts.config);
    raw = deepMerge(raw, file);
  }
  if (opts.region && raw.homeRegion === undefined) raw = { ...raw, homeRegion: opts.region };
  return raw;
}

export function openState(opts: GlobalOptions, version: string): StateStore {
  try {
    return StateStore.open(resolve(opts.state), version);
  } catch (e) {
    if (e instanceof StateError) throw new CliExit(e.message, 2);
    throw e;
  }
}

export function baseline(raw: unknown, placeholders: boolean, source?: string): Baseline {
  try {
    return resolveBaseline(raw, { placeholders, source });
  } catch (e) {
    if (e instanceof ConfigError) throw new CliExit(e.message, 2);
    throw e;
  }
}

/** What to do when no AWS credentials were found: the three usual ways, briefly. */
export function credentialsGuide(profile?: string): string {
  return [
    profile ? `No AWS credentials for the profile "${profile}" (is it in ~/.aws/config, and are you signed in?).` : 'No AWS credentials found. secure-start needs the management account (root user or an administrator). Either:',
    '  - AWS CloudShell (in the console, top bar): credentials are already set; run `npx secure-start` there;',
    '  - `aws configure sso` (or `aws login`), then `npx secure-start --profile NAME`;',
    '  - or export AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN) for this shell.',
    'Nothing was changed. To look first, `npx secure-start plan` works without credentials.',
  ].join('\n');
}

export interface Session {
  want: Baseline;
  state: StateStore;
  aws: AwsFactory;
  engine: Engine;
  accountId?: string;
  offline: boolean;
}

/**
 * Builds the engine for a mode. In plan mode missing credentials mean "plan for a fresh
 * account"; in the other modes they are an error with a short guide.
 */
export async function openSession(p: { opts: GlobalOptions; mode: Mode; want: Baseline; state: StateStore; io: IoHost }): Promise<Session> {
  const { opts, mode, want, state, io } = p;
  const engine = new Engine({ steps: STEPS, want, state, io });
  // --force lets the sso-profiles step replace same-named sections it did not write.
  ssoProfilesOptions.force = opts.force;
  const aws = new AwsFactory({
    profile: opts.profile,
    region: want.homeRegion,
    readOnly: mode !== 'apply',
    onCall: engine.recordCall,
    onRetry: engine.recordRetry,
  });
  let accountId: string | undefined;
  let offline = false;
  try {
    accountId = (await aws.readOnlyView().call('sts', 'GetCallerIdentity', {})).Account;
  } catch (e) {
    const name = (e as Error).name;
    const noCreds = name === 'CredentialsProviderError' || /credential/i.test((e as Error).message);
    if (mode === 'plan' && noCreds) offline = true;
    else throw new CliExit(noCreds ? credentialsGuide(opts.profile) : explainError(e).message, noCreds ? 2 : 1);
  }
  if (accountId) {
    try {
      state.bindAccount(accountId);
    } catch (e) {
      if (e instanceof StateError) throw new CliExit(e.message, 2);
      throw e;
    }
    state.data.outputs['management.accountId'] = accountId;
  }
  return { want, state, aws, engine, accountId, offline };
}
