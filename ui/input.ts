// What every command reads before talking to AWS: the raw input (saved answers + config
// file + --region), the state file, and the validated baseline. Light on purpose: the
// wizard's first question must not wait for the step graph or the AWS SDK to load.
import { resolve } from 'node:path';
import { ConfigError, deepMerge, readConfigFile, resolveBaseline } from '../config/load.js';
import type { Baseline } from '../config/schema.js';
import { StateError, StateStore } from '../state/store.js';
import type { GlobalOptions } from './options.js';

export class CliExit extends Error {
  constructor(message: string, readonly exitCode: number) {
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
      throw new ConfigError([{ path: '', message: 'must be a JSON object like {"org": {"name": "Acme"}}' }], opts.config);
    const inFile = (file as Record<string, unknown>).homeRegion;
    if (opts.region && inFile !== undefined && inFile !== opts.region) {
      throw new CliExit(`--region ${opts.region} conflicts with "homeRegion": ${JSON.stringify(inFile)} in ${opts.config}. Use one of them: drop --region, or change homeRegion in the file.`, 2);
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

