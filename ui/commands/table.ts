// The one command table: each command's name, its lines in --help, the options it takes and
// the module that runs it (loaded only when it runs). `--help`, argument parsing and dispatch
// all derive from it (bin/cli.ts, ui/commands/index.ts). Light on purpose: bin/cli.ts imports
// it at start-up, before anything else loads.
import type { GlobalOptions } from '../options.js';
import type { CommandEnv } from './index.js';

export type Command = (opts: GlobalOptions, env: CommandEnv) => Promise<number>;

/** Every option: its parseArgs shape and its --help lines (the first is on the option's line). */
export const OPTIONS = {
  profile: {
    type: 'string',
    arg: 'NAME',
    help: ['AWS profile for the management account (default: the default chain)'],
  },
  region: {
    type: 'string',
    arg: 'NAME',
    help: [
      'home region (default: the config or saved answers, else us-east-1);',
      'wins over saved answers; refused if the --config file says another',
    ],
  },
  config: { type: 'string', arg: 'FILE', help: ['the desired baseline as JSON (see README); skips those questions'] },
  state: { type: 'string', arg: 'FILE', help: ['the state file (default: ./secure-start.state.json)'] },
  yes: {
    type: 'boolean',
    short: 'y',
    help: [
      'do not ask; apply without confirmation (needed without a terminal;',
      'then every answer must come from --config or a previous run)',
    ],
  },
  json: { type: 'boolean', help: ['machine-readable output (plan: records; verify: checks; run: events)'] },
  verbose: { type: 'boolean', help: ['show retries, AWS error codes and request IDs'] },
  force: {
    type: 'boolean',
    help: ['profiles (and the wizard, which writes them): replace a same-named', 'section secure-start did not write'],
  },
  print: { type: 'boolean', help: ['profiles: print the profiles instead of writing them'] },
  'dry-run': { type: 'boolean', help: ['same as the plan command'] },
  help: { type: 'boolean', short: 'h', help: ['this help'] },
  version: { type: 'boolean', short: 'v', help: ['the version'] },
} as const satisfies Record<
  string,
  { type: 'string' | 'boolean'; short?: string; arg?: string; help: readonly string[] }
>;

export type OptionName = keyof typeof OPTIONS;

/** Options every command takes. */
const COMMON: readonly OptionName[] = ['profile', 'region', 'config', 'state', 'yes', 'json', 'verbose'];

interface CommandSpec {
  /** Its lines in --help (the first on the command's line). */
  help: readonly string[];
  /** Options it takes besides --help and --version. */
  options: readonly OptionName[];
  load: () => Promise<Command>;
}

export const COMMAND_TABLE = {
  run: {
    help: [
      'the wizard: ask what is missing, show the plan, confirm, apply;',
      'run it again to resume after a stop or to repair drift',
    ],
    // --force: the run writes the profiles too, and may replace a section of the founder's.
    options: [...COMMON, 'force'],
    load: () => import('./run.js').then((m) => m.run),
  },
  plan: {
    help: [
      'print every API call it would make, change nothing (alias: --dry-run);',
      'works without AWS credentials (plans for a brand-new account)',
    ],
    options: [...COMMON, 'dry-run'],
    load: () => import('./plan.js').then((m) => m.plan),
  },
  verify: {
    help: ['check every control (ok / drift / manual) with its SSB and CIS IDs'],
    options: COMMON,
    load: () => import('./verify.js').then((m) => m.verify),
  },
  status: {
    help: ['what the state file and AWS say about each step'],
    options: COMMON,
    load: () => import('./status.js').then((m) => m.status),
  },
  profiles: {
    help: ['(re)write the aws configure sso profiles in ~/.aws/config'],
    options: [...COMMON, 'force', 'print'],
    load: () => import('./profiles.js').then((m) => m.profiles),
  },
  demo: {
    help: [
      'the whole wizard against a local emulated AWS; nothing real is touched',
      '(with --yes it answers for a sample company and runs to the end)',
    ],
    options: COMMON,
    load: () => import('./demo.js').then((m) => m.demo),
  },
} as const satisfies Record<string, CommandSpec>;

export type CommandName = keyof typeof COMMAND_TABLE;
export const COMMAND_NAMES = Object.keys(COMMAND_TABLE) as CommandName[];

/** The Commands and Options sections of --help. */
export function helpSections(): string {
  const pad = (s: string, n: number) => s.padEnd(n);
  const commands = COMMAND_NAMES.flatMap((name) => {
    const [first, ...rest] = COMMAND_TABLE[name].help;
    return [`  ${pad(name === 'run' ? '(none)' : name, 12)} ${first}`, ...rest.map((l) => `  ${' '.repeat(12)} ${l}`)];
  });
  const options = (Object.keys(OPTIONS) as OptionName[]).flatMap((name) => {
    const o = OPTIONS[name] as { short?: string; arg?: string; help: readonly string[] };
    const flag = `--${name}${'arg' in o && o.arg ? ` ${o.arg}` : ''}${o.short ? `, -${o.short}` : ''}`;
    const [first, ...rest] = o.help;
    return [`  ${pad(flag, 16)} ${first}`, ...rest.map((l) => `  ${' '.repeat(16)} ${l}`)];
  });
  return ['Commands', ...commands, '', 'Options', ...options].join('\n');
}
