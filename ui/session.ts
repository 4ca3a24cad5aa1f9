// What every command needs before the engine runs: the baseline (config file + saved
// answers + defaults, validated before any AWS call), the state file, the AWS factory and
// the caller's identity. Errors here are usage errors (exit 2) or missing credentials.
import type { Baseline } from '../config/schema.js';
import { StateError, type StateStore } from '../state/store.js';
import { AwsFactory } from '../aws/factory.js';
import { Engine, type Mode } from '../engine/engine.js';
import type { IoHost } from '../engine/io.js';
import { explainError } from '../engine/explain.js';
import { stepsFor } from '../steps/index.js';
import { awsCliOnce } from '../steps/sso-profiles.js';
import type { RunEnv } from '../steps/contract.js';
import type { GlobalOptions } from './options.js';

// The light parts (no step graph, no AWS client) live in input.ts so the wizard can ask its
// first question before loading the rest; re-exported here for the commands that use both.
export { CliExit, rawInput, openState, baseline, setUpBaseline } from './input.js';
import { CliExit } from './input.js';
import { isAwsError } from '../aws/errors.js';

/** What to do when no AWS credentials were found: the three usual ways, briefly. */
export function credentialsGuide(profile?: string): string {
  return [
    profile
      ? `No AWS credentials for the profile "${profile}" (is it in ~/.aws/config, and are you signed in?).`
      : 'No AWS credentials found. secure-start needs the management account (root user or an administrator). Either:',
    '  - AWS CloudShell (in the console, top bar): credentials are already set; run `npx secure-start` there;',
    '  - `aws configure sso` (or `aws login`), then `npx secure-start --profile NAME`;',
    '  - or export AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN) for this shell.',
    'Nothing was changed. To look first, `npx secure-start plan` works without credentials.',
  ].join('\n');
}

/** The RunEnv of one command: its arguments, one AWS CLI lookup for the whole command, no --force yet. */
export function runEnv(argv: readonly string[]): RunEnv {
  return { argv, awsCli: awsCliOnce(), awsConfig: { force: false } };
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
export async function openSession(p: {
  opts: GlobalOptions;
  mode: Mode;
  want: Baseline;
  state: StateStore;
  io: IoHost;
  run?: RunEnv;
}): Promise<Session> {
  const { opts, mode, want, state, io } = p;
  // --force lets the sso-profiles step replace same-named sections it did not write.
  const env: RunEnv = { ...(p.run ?? runEnv([])), awsConfig: { ...(p.run?.awsConfig ?? {}), force: opts.force } };
  const engine = new Engine({ steps: stepsFor(want), want, state, io, env });
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
    const noCreds = isAwsError(e, 'CredentialsProviderError') || /credential/i.test((e as Error).message);
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
