// The command table (ui/commands/table.ts) is the one place a command and its options are
// declared: --help, parsing and the per-command option check all come from it.
import { describe, expect, it } from 'vitest';
import { HELP, UsageError, parseCli } from '../../bin/cli.js';
import { COMMAND_NAMES, COMMAND_TABLE, OPTIONS } from '../../ui/commands/table.js';

describe('the command table', () => {
  it('--help lists every command and every option of the table', () => {
    for (const c of COMMAND_NAMES) expect(HELP).toContain(c === 'run' ? '(none)' : `  ${c} `);
    for (const o of Object.keys(OPTIONS)) expect(HELP).toContain(`--${o}`);
    for (const c of COMMAND_NAMES) for (const line of COMMAND_TABLE[c].help) expect(HELP).toContain(line);
  });

  it('an option is taken by the commands that list it, and refused with the ones that take it named elsewhere', () => {
    expect(parseCli(['profiles', '--force', '--print']).opts).toMatchObject({ force: true, print: true });
    expect(() => parseCli(['verify', '--force'])).toThrow(UsageError);
    expect(() => parseCli(['--print'])).toThrow('--print is an option of "profiles", not of the wizard.');
    // The wizard writes the profiles too: --force is for both.
    expect(parseCli(['--force']).opts.force).toBe(true);
    expect(() => parseCli(['verify', '--force'])).toThrow(
      '--force is an option of the wizard and "profiles", not of "verify".',
    );
    // Options every command takes.
    for (const c of COMMAND_NAMES.filter((x) => x !== 'run'))
      expect(parseCli([c, '--json', '--verbose', '--state', 's.json']).command).toBe(c);
  });

  it('--dry-run is the plan command; unknown commands name the real ones', () => {
    expect(parseCli(['--dry-run']).command).toBe('plan');
    expect(() => parseCli(['destroy'])).toThrow(
      'Unknown command "destroy". Commands: plan, verify, status, profiles, demo (or none for the wizard).',
    );
  });

  it('--help and --version are answered whatever else is given', () => {
    expect(parseCli(['verify', '--force', '--help']).help).toBe(true);
  });
});
