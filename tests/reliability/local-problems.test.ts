// The founder's machine never blocks an AWS control. A problem writing the AWS CLI profiles
// into ~/.aws/config (a same-named section the founder wrote, a file that is not a file) is
// reported, every AWS step still runs (the log bucket, the organization trail, hardening, root
// access), and the run exits 1 at the end with the fix. Only a root caller, who must switch
// to the admin profile to enter the member accounts, waits for that profile, and is told why
// and how to fix it. Two assignments that would give one profile name are a config error
// (exit 2) before any call.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ini from 'ini';
import {
  BASIC_CONFIG,
  explain,
  readState,
  removeDir,
  runCli,
  scratchDir,
  startEmu,
  type Emulator,
} from '../helpers/harness.js';
import { APPLY, HOME_REGION, resetWorld, resourceCounts, SCENARIO } from '../helpers/crash.js';

type Json = Record<string, any>;
const BASIC: Json = JSON.parse(readFileSync(BASIC_CONFIG, 'utf8'));
const SLUG = 'acme-robotics';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmu({ scenario: SCENARIO });
});
afterAll(async () => {
  await emu.stop();
});

/** Output with its line wrapping undone (the summary wraps long messages). */
const flat = (text: string) => text.replace(/\s+/g, ' ');

/** The AWS side of a finished bootstrap, whatever happened on the laptop. */
function expectAwsBuilt(): void {
  expect(resourceCounts(emu.state())).toMatchObject({
    organizations: 1,
    accounts: 5,
    ous: 4,
    policies: 2,
    budgets: 1,
    monitors: 1,
    subscriptions: 1,
    buckets: 1,
    trails: 1,
    alternateContacts: 15,
  });
}

describe('a clash in ~/.aws/config: reported, every AWS step still runs, exit 1 with the fix', () => {
  const CLASHES: { id: string; text: string; section: string }[] = [
    {
      id: "an sso-session of the founder's with the name secure-start wants",
      text: `# mine\n[sso-session ${SLUG}]\nsso_start_url = https://d-1111111111.awsapps.com/start\nsso_region = us-east-1\n`,
      section: `sso-session ${SLUG}`,
    },
    {
      id: "a profile of the founder's named like the prod admin profile",
      text: `[default]\nregion = us-east-1\n\n[profile ${SLUG}-prod-admin]\nrole_arn = arn:aws:iam::444455556666:role/Admin\nsource_profile = default\n`,
      section: `profile ${SLUG}-prod-admin`,
    },
  ];

  for (const clash of CLASHES) {
    test(`${clash.id}; --force then replaces it, keeping a backup`, async () => {
      resetWorld(emu);
      const dir = scratchDir('ss-local-');
      const config = join(dir, '.aws/config');
      writeFileSync(config, clash.text);
      const r = await runCli(APPLY, { emu, dir });
      expect(r.code, explain(r)).toBe(1);
      // The profiles step failed with the fix; nothing else did, and nothing waited for it.
      expect(flat(r.stdout), explain(r)).toMatch(
        new RegExp(
          `1 step failed:[\\s\\S]*AWS CLI profiles[\\s\\S]*\\[${clash.section.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\][\\s\\S]*--force`,
        ),
      );
      expect(r.stderr).not.toMatch(/skipped|Waits for/);
      const state = readState(dir);
      expect(state.steps['sso-profiles'].status).toBe('failed');
      for (const id of [
        'leave-root',
        'log-archive-bucket',
        'org-trail',
        'account-hardening',
        'root-access',
        'budget',
        'service-control-policies',
      ]) {
        expect(state.steps[id]?.status, id).toBe('done');
      }
      expectAwsBuilt();
      // The founder's file is untouched.
      expect(readFileSync(config, 'utf8')).toBe(clash.text);

      const forced = await runCli([...APPLY, '--force'], { emu, dir });
      expect(forced.code, explain(forced)).toBe(0);
      expect(forced.mutatingCalls, 'AWS was already done').toEqual([]);
      expect(ini.parse(readFileSync(config, 'utf8'))[clash.section]).toBeDefined();
      const backups = readdirSync(join(dir, '.aws')).filter((f) => f.startsWith('config.secure-start'));
      expect(backups.map((b) => readFileSync(join(dir, '.aws', b), 'utf8'))).toContain(clash.text);
      removeDir(dir);
    });
  }

  test('~/.aws/config is a directory: the profiles step fails saying so, the AWS steps all run', async () => {
    resetWorld(emu);
    const dir = scratchDir('ss-local-');
    const folder = join(dir, 'not-a-file');
    mkdirSync(folder);
    const r = await runCli(APPLY, { emu, dir, env: { AWS_CONFIG_FILE: folder } });
    expect(r.code, explain(r)).toBe(1);
    expect(flat(r.stdout), explain(r)).toMatch(
      /AWS CLI profiles[\s\S]*is a directory, not a file[\s\S]*AWS_CONFIG_FILE/,
    );
    expect(readState(dir).steps['org-trail'].status).toBe('done');
    expectAwsBuilt();
    removeDir(dir);
  });
});

describe('the root user, who must switch to the admin profile', () => {
  const ROOT = 'fresh';
  const ADMIN = `${SLUG}-management-admin`;

  test("a clash on the admin profile: the management-account steps run; leave-root fails with why and the fix (exit 1, not a switch to the founder's own profile)", async () => {
    emu.reset(ROOT);
    emu.clearFaults();
    emu.setRootMfa(true);
    emu.enableIdentityCenter(HOME_REGION);
    const dir = scratchDir('ss-local-');
    const config = join(dir, '.aws/config');
    const mine = `[profile ${ADMIN}]\nrole_arn = arn:aws:iam::444455556666:role/OtherCompanyAdmin\ncredential_source = Environment\n`;
    writeFileSync(config, mine);
    const r = await runCli(APPLY, { emu, dir });
    expect(r.code, explain(r)).toBe(1);
    expect(flat(r.stdout), explain(r)).toMatch(
      new RegExp(
        `signed in as the root user[\\s\\S]*profile ${ADMIN}[\\s\\S]*did not write[\\s\\S]*(Rename or remove|--force)`,
      ),
    );
    // It never tells the founder to continue with a profile that is not ours.
    expect(flat(r.stdout)).not.toMatch(new RegExp(`Then continue with: .*--profile ${ADMIN}`));
    const state = readState(dir);
    expect(state.steps['leave-root'].status).toBe('failed');
    for (const id of [
      'budget',
      'cost-anomaly-detection',
      'alternate-contacts',
      'service-control-policies',
      'account-assignments',
    ])
      expect(state.steps[id]?.status, id).toBe('done');
    expect(r.calls.filter((c) => c.operation === 'AssumeRole')).toEqual([]);
    expect(readFileSync(config, 'utf8')).toBe(mine);

    // With the section out of the way, the run writes the profile and stops to switch (exit 3).
    writeFileSync(config, '');
    const next = await runCli(APPLY, { emu, dir });
    expect(next.code, explain(next)).toBe(3);
    expect(next.stdout).toContain(`--profile ${ADMIN}`);
    expect(ini.parse(readFileSync(config, 'utf8'))[`profile ${ADMIN}`]).toMatchObject({
      sso_account_id: '123456789012',
      sso_role_name: 'AdministratorAccess',
    });
    removeDir(dir);
  });
});

describe.concurrent('two assignments that would give one profile name: exit 2 before any call', () => {
  const IC = (accounts: string[], sets: string[], assignments: Json[]) => ({
    permissionSets: sets.map((name) => ({
      name,
      managedPolicies: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
      sessionHours: 8,
    })),
    groups: [{ name: 'Admins' }],
    assignments,
    founderGroups: ['Admins'],
  });
  const withAccounts = (names: string[]) => [
    { name: 'log-archive', ou: 'Security' },
    { name: 'audit', ou: 'Security' },
    ...names.map((name) => ({ name, ou: 'Prod' })),
  ];
  const CASES: { id: string; config: Json; profile: string }[] = [
    {
      id: 'accounts data-lake and data--lake (dashes collapse in profile names)',
      config: {
        ...BASIC,
        accounts: withAccounts(['data-lake', 'data--lake']),
        identityCenter: IC([], ['ReadOnly'], [{ group: 'Admins', permissionSet: 'ReadOnly', accounts: ['*'] }]),
      },
      profile: `${SLUG}-data-lake-readonly`,
    },
    {
      id: 'permission sets ReadOnly and ReadOnlyAccess on one account (both read as "readonly")',
      config: {
        ...BASIC,
        identityCenter: IC(
          [],
          ['ReadOnly', 'ReadOnlyAccess'],
          [
            { group: 'Admins', permissionSet: 'ReadOnly', accounts: ['prod'] },
            { group: 'Admins', permissionSet: 'ReadOnlyAccess', accounts: ['prod'] },
          ],
        ),
      },
      profile: `${SLUG}-prod-readonly`,
    },
    {
      id: 'account prod-admin × ReadOnly and account prod × Admin-ReadOnly (the join meets)',
      config: {
        ...BASIC,
        accounts: withAccounts(['prod', 'prod-admin']),
        identityCenter: IC(
          [],
          ['ReadOnly', 'Admin-Readonly'],
          [
            { group: 'Admins', permissionSet: 'ReadOnly', accounts: ['prod-admin'] },
            { group: 'Admins', permissionSet: 'Admin-Readonly', accounts: ['prod'] },
          ],
        ),
      },
      profile: `${SLUG}-prod-admin-readonly`,
    },
  ];
  for (const c of CASES) {
    test(c.id, async () => {
      const dir = scratchDir('ss-local-');
      const file = join(dir, 'c.json');
      writeFileSync(file, JSON.stringify(c.config));
      for (const args of [
        ['--yes', '--config', file],
        ['plan', '--config', file],
      ]) {
        const r = await runCli(args, { emu, dir });
        expect(r.code, explain(r)).toBe(2);
        expect(r.stderr).toContain(`identityCenter.assignments: `);
        expect(r.stderr).toContain(`the AWS CLI profile "${c.profile}"`);
        expect(r.calls).toEqual([]);
      }
      removeDir(dir);
    });
  }
});
