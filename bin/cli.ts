// Parses arguments, picks a command, sets the exit code. Nothing else lives here: each
// command is in ui/commands/ and is loaded only when it runs.
import { parseArgs } from 'node:util';
import { isRegion } from '../config/regions.js';

declare const __SECURE_START_VERSION__: string;
export const VERSION = typeof __SECURE_START_VERSION__ === 'string' ? __SECURE_START_VERSION__ : '0.0.0-dev';

export const COMMANDS = ['run', 'plan', 'verify', 'status', 'profiles', 'demo'] as const;
export type CommandName = (typeof COMMANDS)[number];

export type { GlobalOptions } from '../ui/options.js';
import type { GlobalOptions } from '../ui/options.js';

export const HELP = `secure-start ${VERSION}
The AWS security foundation for a new startup, in one run: an Organization with
separate accounts, IAM Identity Center, guardrail SCPs, an organization CloudTrail,
a budget, cost anomaly alerts, contacts and account hardening.

Usage
  npx secure-start [command] [options]

Commands
  (none)       the wizard: ask what is missing, show the plan, confirm, apply;
               run it again to resume after a stop or to repair drift
  plan         print every API call it would make, change nothing (alias: --dry-run);
               works without AWS credentials (plans for a brand-new account)
  verify       check every control (ok / drift / manual) with its SSB and CIS IDs
  status       what the state file and AWS say about each step
  profiles     (re)write the aws configure sso profiles in ~/.aws/config
  demo         the whole wizard against a local emulated AWS; nothing real is touched
               (with --yes it answers for a sample company and runs to the end)

Options
  --profile NAME   AWS profile for the management account (default: the default chain)
  --region NAME    home region (default: the config or saved answers, else us-east-1);
                   wins over saved answers; refused if the --config file says another
  --config FILE    the desired baseline as JSON (see README); skips those questions
  --state FILE     the state file (default: ./secure-start.state.json)
  --yes, -y        do not ask; apply without confirmation (needed without a terminal;
                   then every answer must come from --config or a previous run)
  --json           machine-readable output (plan: records; verify: checks; run: events)
  --verbose        show retries, AWS error codes and request IDs
  --force          profiles: replace a same-named section secure-start did not write
  --print          profiles: print the profiles instead of writing them
  --dry-run        same as the plan command
  --help, -h       this help
  --version, -v    the version

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
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        profile: { type: 'string' },
        region: { type: 'string' },
        config: { type: 'string' },
        state: { type: 'string' },
        yes: { type: 'boolean', short: 'y' },
        json: { type: 'boolean' },
        verbose: { type: 'boolean' },
        force: { type: 'boolean' },
        print: { type: 'boolean' },
        'dry-run': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (e) {
    const msg = (e as Error).message.replace(/\. To specify a positional argument.*$/s, '');
    throw new UsageError(`${msg}. Run secure-start --help for the options.`);
  }
  const { values, positionals } = parsed;
  if (positionals.length > 1)
    throw new UsageError(`Too many arguments: ${positionals.join(' ')}. Run secure-start --help.`);
  const word = positionals[0];
  if (word !== undefined && (!(COMMANDS as readonly string[]).includes(word) || word === 'run')) {
    throw new UsageError(
      `Unknown command "${word}". Commands: plan, verify, status, profiles, demo (or none for the wizard).`,
    );
  }
  let command: CommandName = (word as CommandName | undefined) ?? 'run';
  if (values['dry-run']) {
    if (word && word !== 'plan') throw new UsageError(`--dry-run cannot be combined with "${word}".`);
    command = 'plan';
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
