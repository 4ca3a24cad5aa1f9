// Dispatches a command; each lives in its own file and is loaded only when it runs.
import type { GlobalOptions } from '../options.js';
import { CliExit, checkProfile } from '../input.js';
import { ConfigError } from '../../config/load.js';
import { StateError } from '../../state/store.js';
import { explainError } from '../../engine/explain.js';
import { widthOf, wrap } from '../render/wrap.js';
import type { AwsCli, RunEnv } from '../../steps/contract.js';
import { COMMAND_TABLE, type CommandName } from './table.js';

export interface CommandEnv {
  version: string;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  /** A person can answer questions: stdin and stdout are terminals and this is not CI. */
  interactive: boolean;
  /** Handed to the steps: this command's arguments, its one AWS CLI lookup, --force. */
  run: RunEnv;
}

/**
 * A message as written to stderr: on a terminal, each line wrapped at word boundaries (a list
 * item's continuation under its text); elsewhere as is, one line per line, for logs and greps.
 */
export function fitted(stream: NodeJS.WriteStream, message: string): string {
  if (!stream.isTTY) return `${message}\n`;
  const width = widthOf(stream);
  return `${message
    .split('\n')
    .map((l) => wrap(l, width, `${/^\s*/.exec(l)![0]}${/^\s*- /.test(l) ? '  ' : ''}`))
    .join('\n')}\n`;
}

/** `argv`: the arguments the command was started with (the steps print them to say how to re-run it). */
export async function runCommand(
  name: string,
  opts: GlobalOptions,
  version: string,
  argv: readonly string[] = [],
): Promise<number> {
  // The AWS CLI is looked up (a process start) only if a step or the command asks, and once.
  let cli: Promise<AwsCli> | undefined;
  const awsCli = () => (cli ??= import('../../steps/sso-profiles.js').then((m) => m.findAwsCli()));
  const env: CommandEnv = {
    version,
    stdout: process.stdout,
    stderr: process.stderr,
    interactive: Boolean(process.stdin.isTTY && process.stdout.isTTY) && !process.env.CI,
    run: { argv, awsCli, awsConfig: { force: opts.force } },
  };
  try {
    // The demo uses its own emulated AWS and ignores profiles; every other command fails early
    // on a profile that does not exist rather than quietly using other credentials or none.
    if (name !== 'demo') checkProfile(opts);
    const cmd = await COMMAND_TABLE[name as CommandName].load();
    return await cmd(opts, env);
  } catch (e) {
    if (e instanceof CliExit) {
      env.stderr.write(fitted(env.stderr, `secure-start: ${e.message}`));
      return e.exitCode;
    }
    if (e instanceof ConfigError || e instanceof StateError) {
      env.stderr.write(fitted(env.stderr, `secure-start: ${e.message}`));
      return 2;
    }
    const ex = explainError(e);
    env.stderr.write(fitted(env.stderr, `secure-start: ${ex.message}`));
    if (opts.verbose) env.stderr.write(`${(e as Error).stack ?? e}\n`);
    return 1;
  }
}
