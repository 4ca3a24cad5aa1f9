// What every command reads before talking to AWS: the raw input (saved answers + config
// file + --region), the state file, and the validated baseline. Light on purpose: the
// wizard's first question must not wait for the step graph or the AWS SDK to load.
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { ConfigError, REQUIRED_ANSWERS, deepMerge, readConfigFile, resolveBaseline } from '../config/load.js';
import type { Baseline } from '../config/schema.js';
import { StateError, StateStore } from '../state/store.js';
import type { GlobalOptions } from './options.js';
import { localProfiles } from '../profiles/list.js';

export class CliExit extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/**
 * The raw input: saved answers, then the config file over them, then --region. An explicit
 * --region wins over saved answers; against a config file that names another home region it
 * is refused (exit 2), naming both: which one the founder meant is theirs to say.
 */
export function rawInput(opts: GlobalOptions, state?: StateStore): Record<string, unknown> {
  let raw: Record<string, unknown> = (state?.data.answers as Record<string, unknown>) ?? {};
  if (opts.config) {
    const file = readConfigFile(resolve(opts.config));
    if (typeof file !== 'object' || file === null || Array.isArray(file))
      throw new ConfigError(
        [{ path: '', message: 'must be a JSON object like {"org": {"name": "Acme"}}' }],
        opts.config,
      );
    const inFile = (file as Record<string, unknown>).homeRegion;
    if (opts.region && inFile !== undefined && inFile !== opts.region) {
      throw new CliExit(
        `--region ${opts.region} conflicts with "homeRegion": ${JSON.stringify(inFile)} in ${opts.config}. Use one of them: drop --region, or change homeRegion in the file.`,
        2,
      );
    }
    raw = deepMerge(raw, file);
  }
  if (opts.region) raw = { ...raw, homeRegion: opts.region };
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

const tildePath = (p: string): string => (p.startsWith(homedir() + '/') ? `~${p.slice(homedir().length)}` : p);

/**
 * A profile named with --profile or AWS_PROFILE must exist. The SDK would otherwise go on down
 * its chain (a plan would silently be for a brand-new account, a run would fail later with
 * "no credentials", or on EC2 use the instance's role instead). `default` is left to the SDK:
 * without one, the rest of the chain (CloudShell's container credentials, EC2) is what it means.
 */
export function checkProfile(opts: Pick<GlobalOptions, 'profile'>, env: NodeJS.ProcessEnv = process.env): void {
  const name = opts.profile ?? env.AWS_PROFILE;
  if (!name || name === 'default') return;
  const found = localProfiles(env);
  if (found.names.includes(name)) return;
  const from = opts.profile ? '--profile' : 'AWS_PROFILE';
  const files = `${tildePath(found.configPath)} or ${tildePath(found.credentialsPath)}`;
  const list = found.names.length
    ? `Profiles there: ${found.names.join(', ')}. Use one of them (${from === '--profile' ? '--profile NAME' : 'AWS_PROFILE=NAME'}), or set one up with \`aws configure sso\`.`
    : 'There are no profiles there yet: set one up with `aws configure sso` (or run in AWS CloudShell, where credentials are already set).';
  throw new CliExit(`The AWS profile "${name}" (from ${from}) is not in ${files}. ${list} Nothing was changed.`, 2);
}

/** What `verify`, `status` and `profiles` say in a folder where nothing was set up yet. */
export function nothingSetUpMessage(statePath: string): string {
  return (
    `Nothing has been set up from here yet: there is no state file (${statePath}) and no --config file.\n` +
    'Next: `npx secure-start plan` shows what secure-start would do (no AWS credentials needed), then `npx secure-start` sets it up.\n' +
    'Set up from another folder? Run this there, or point at its files with --state FILE (and --config FILE).'
  );
}

/**
 * The baseline for a command that checks what was set up (verify, profiles): nothing set up
 * here, or a wizard stopped before its last answer, is one sentence with the next command, not
 * a list of every field derived from the missing answers.
 */
export function setUpBaseline(opts: GlobalOptions, state: StateStore): Baseline {
  if (!state.existed && !opts.config) throw new CliExit(nothingSetUpMessage(state.path), 2);
  try {
    return resolveBaseline(rawInput(opts, state), { placeholders: false, source: opts.config });
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    const missing = e.issues.filter((i) => REQUIRED.test(i.message));
    if (opts.config || missing.length < e.issues.length) throw new CliExit(e.message, 2);
    const asked = REQUIRED_ANSWERS.filter((p) => missing.some((i) => i.path === p));
    throw new CliExit(
      `The wizard has not finished here: ${asked.length ? `it still needs ${asked.join(', ')}` : 'some answers are missing'} (saved answers are in ${state.path}). Run \`npx secure-start\` to answer the rest.`,
      2,
    );
  }
}
const REQUIRED = /is required: answer it in the wizard/;
