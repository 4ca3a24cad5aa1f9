// Parses arguments, picks a command, sets the exit code. Nothing else lives here: each
// command is in ui/commands/ and is loaded only when it runs.
import { parseArgs } from 'node:util';
import { isRegion } from '../config/regions.js';

declare const __SECURE_START_VERSION__: string;
export const VERSION = typeof __SECURE_START_VERSION__ === 'string' ? __SECURE_START_VERSION__ : '0.0.0-dev';

export type { CommandName } from '../ui/commands/table.js';
import {
  COMMAND_NAMES,
  COMMAND_TABLE,
  OPTIONS,
  helpSections,
  type CommandName,
  type OptionName,
} from '../ui/commands/table.js';

export type { GlobalOptions } from '../ui/options.js';
import type { GlobalOptions } from '../ui/options.js';

// The Commands and Options sections come from the command table (ui/commands/table.ts).
export const HELP = `secure-start ${VERSION}
The AWS security foundation for a new startup, in one run: an Organization with
separate accounts, IAM Identity Center, guardrail SCPs, an organization CloudTrail,
a budget, cost anomaly alerts, contacts, account hardening, GuardDuty, IAM Access
Analyzer and (asked) Security Hub.

Usage
  npx secure-start [command] [options]

${helpSections()}

Exit codes
  0  ok                      3  stopped at a step a person must do (see the message)
  1  failure (see message)   4  verify found drift
  2  bad input or usage      130 / 143 / 129  stopped by Ctrl-C / SIGTERM / SIGHUP
                             (128 + the signal); progress is saved: run again to resume

Environment
  AWS_PROFILE, AWS_REGION, AWS credentials as the AWS CLI reads them;
  AWS_ENDPOINT_URL[_<SERVICE>] to point at another endpoint (the emulator);
  NO_COLOR=1 for plain output; CI=true for line-by-line output.
`;

/** The options as parseArgs takes them, from the table. */
const PARSE_OPTIONS = Object.fromEntries(
  (Object.keys(OPTIONS) as OptionName[]).map((k) => {
    const o = OPTIONS[k] as { type: 'string' | 'boolean'; short?: string };
    return [k, { type: o.type, ...(o.short ? { short: o.short } : {}) }];
  }),
) as { [K in OptionName]: { type: (typeof OPTIONS)[K]['type']; short?: string } };

export class UsageError extends Error {
  readonly exitCode = 2;
}

export function parseCli(argv: string[]): {
  command: CommandName;
  opts: GlobalOptions;
  help: boolean;
  version: boolean;
} {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, strict: true, options: PARSE_OPTIONS });
  } catch (e) {
    const msg = (e as Error).message.replace(/\. To specify a positional argument.*$/s, '');
    throw new UsageError(`${msg}. Run secure-start --help for the options.`);
  }
  const { values, positionals } = parsed;
  if (positionals.length > 1)
    throw new UsageError(`Too many arguments: ${positionals.join(' ')}. Run secure-start --help.`);
  const word = positionals[0];
  if (word !== undefined && (!(COMMAND_NAMES as readonly string[]).includes(word) || word === 'run')) {
    throw new UsageError(
      `Unknown command "${word}". Commands: ${COMMAND_NAMES.filter((c) => c !== 'run').join(', ')} (or none for the wizard).`,
    );
  }
  let command: CommandName = (word as CommandName | undefined) ?? 'run';
  if (values['dry-run']) {
    if (word && word !== 'plan') throw new UsageError(`--dry-run cannot be combined with "${word}".`);
    command = 'plan';
  }
  // An option the command does not take is an error, never silently ignored.
  if (!values.help && !values.version) {
    const takes = new Set<string>([...COMMAND_TABLE[command].options, 'dry-run', 'help', 'version']);
    for (const [k, v] of Object.entries(values)) {
      if (v === undefined || takes.has(k)) continue;
      const by = COMMAND_NAMES.filter((c) => (COMMAND_TABLE[c].options as readonly string[]).includes(k));
      throw new UsageError(
        `--${k} is an option of ${by.map((c) => (c === 'run' ? 'the wizard' : `"${c}"`)).join(' and ')}, not of ${command === 'run' ? 'the wizard' : `"${command}"`}.`,
      );
    }
  }
  for (const k of ['profile', 'region', 'config', 'state'] as const) {
    const v = values[k];
    if (v !== undefined && (!v.trim() || v.startsWith('-'))) throw new UsageError(`--${k} needs a value, got "${v}".`);
  }
  // Checked here, always: an explicit flag is never silently ignored, valid or not.
  if (values.region !== undefined && !isRegion(values.region))
    throw new UsageError(
      `--region "${values.region}" is not an AWS region secure-start supports (for example eu-west-1; the list is in config/regions.ts).`,
    );
  return {
    command,
    help: !!values.help,
    version: !!values.version,
    opts: {
      profile: values.profile,
      region: values.region,
      config: values.config,
      state: values.state ?? 'secure-start.state.json',
      yes: !!values.yes,
      json: !!values.json,
      verbose: !!values.verbose,
      force: !!values.force,
      print: !!values.print,
    },
  };
}

/**
 * A reader that went away (`secure-start plan | head -1`) is not an error: further output to
 * that stream is dropped, quietly, and the command finishes as it would have (a run still
 * saves its state and releases its lock). Without this, Node prints an EPIPE stack trace.
 */
export function quietOnClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') return;
    throw e;
  });
}

export async function main(argv: string[]): Promise<void> {
  quietOnClosedPipe(process.stdout);
  quietOnClosedPipe(process.stderr);
  let parsed;
  try {
    parsed = parseCli(argv);
  } catch (e) {
    process.stderr.write(`secure-start: ${(e as Error).message}\n`);
    process.exitCode = 2;
    return;
  }
  if (parsed.help) {
    process.stdout.write(HELP);
    return;
  }
  if (parsed.version) {
    process.stdout.write(`${VERSION}\n`);
    return;
  }
  const { runCommand } = await import('../ui/commands/index.js');
  process.exitCode = await runCommand(parsed.command, parsed.opts, VERSION, argv);
}
