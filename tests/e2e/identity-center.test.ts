// Issue 5 end to end: IAM Identity Center and the founder's `aws configure sso` profiles,
// through the built CLI against the emulator.
// - With the instance absent a non-interactive run stops with exit 3 and the console clicks;
//   after the console action the re-run completes; a second run makes no mutating call.
// - An assignment removed or a permission set edited behind the tool's back is named by
//   verify (exit 4) and repaired by the next run.
// - The profiles file keeps every unrelated byte and parses; a section we did not write is
//   refused unless --force; `profiles --print` prints what AWS says.
// The root user's path is in identity-center-root.test.ts.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ini from 'ini';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BASIC_CONFIG,
  explain,
  ops,
  removeDir,
  runCli,
  scratchDir,
  startEmu,
  type Emulator,
} from '../helpers/harness.js';

const HOME = 'eu-west-1';
const MGMT = '123456789012';
const SLUG = 'acme-robotics';
const FOUNDER = 'ada@acme.example';
const ACCOUNT_NAMES = ['management', 'log-archive', 'audit', 'prod', 'dev'];
const args = ['--yes', '--config', BASIC_CONFIG];

/** Bytes of a founder's existing config that must survive untouched (CRLF, comments, a legacy SSO profile). */
const MINE = [
  '# my own settings',
  '[default]',
  'region = us-west-2',
  '',
  '[profile legacy]',
  'sso_start_url = https://d-0000000000.awsapps.com/start',
  'sso_region = us-east-1',
  'sso_account_id = 999999999999',
  'sso_role_name = Old',
  '',
].join('\r\n');

const sso = (emu: Emulator): any => {
  const stores = (emu.state() as any).stores[MGMT];
  return { admin: stores['sso-admin'], ids: stores.identitystore };
};

describe('Identity Center with an IAM user caller', () => {
  let emu: Emulator;
  let dir: string;
  beforeAll(async () => {
    emu = await startEmu({ scenario: 'fresh+iam-user' });
    emu.setRootMfa(true);
    dir = scratchDir();
    writeFileSync(join(dir, '.aws/config'), MINE);
  });
  afterAll(async () => {
    await emu?.stop();
    if (dir) removeDir(dir);
  });

  it('without the instance: exit 3 with the console link and the exact clicks; member-account steps still run', async () => {
    const r = await runCli(args, { emu, dir });
    expect(r.code, explain(r)).toBe(3);
    expect(r.stdout).toContain('Enable IAM Identity Center in eu-west-1');
    expect(r.stdout).toContain('Click "Enable", then choose "Enable with AWS Organizations"');
    expect(r.stdout).toContain('https://eu-west-1.console.aws.amazon.com/singlesignon/home?region=eu-west-1#/');
    // Nothing was asked of Identity Center beyond looking for it.
    expect(r.mutatingCalls.filter((c) => c.service === 'sso-admin' || c.service === 'identitystore')).toEqual([]);
    // The profiles were not written yet: the founder's file is as it was.
    expect(readFileSync(join(dir, '.aws/config'), 'utf8')).toBe(MINE);
    // And `profiles` has nothing to read yet: it says what to do first.
    const p = await runCli(['profiles', '--config', BASIC_CONFIG], { emu, dir });
    expect(p.code, explain(p)).toBe(1);
    expect(p.stderr).toContain('IAM Identity Center is not enabled in this organization yet');
    expect(readFileSync(join(dir, '.aws/config'), 'utf8')).toBe(MINE);
  });

  it('after the console action the re-run completes: sets, groups, founder, 13 assignments, profiles', async () => {
    emu.enableIdentityCenter(HOME);
    const r = await runCli(args, { emu, dir });
    expect(r.code, explain(r)).toBe(0);
    const { admin, ids } = sso(emu);
    const sets = Object.values(admin.permissionSets) as any[];
    expect(sets.map((s) => [s.name, s.sessionDuration, s.managedPolicies.map((p: any) => p.Arn)]).sort()).toEqual([
      ['AdministratorAccess', 'PT8H', ['arn:aws:iam::aws:policy/AdministratorAccess']],
      ['Billing', 'PT8H', ['arn:aws:iam::aws:policy/job-function/Billing']],
      ['PowerUser', 'PT8H', ['arn:aws:iam::aws:policy/PowerUserAccess']],
      ['ReadOnly', 'PT8H', ['arn:aws:iam::aws:policy/ReadOnlyAccess']],
    ]);
    expect(admin.assignments).toHaveLength(13);
    expect(JSON.stringify(ids)).toContain(FOUNDER);
    const created = ops(r.mutatingCalls).filter((o) => o.startsWith('sso-admin:') || o.startsWith('identitystore:'));
    expect(created.filter((o) => o === 'sso-admin:CreateAccountAssignment')).toHaveLength(13);
    expect(created.filter((o) => o === 'sso-admin:CreatePermissionSet')).toHaveLength(4);
    expect(created.filter((o) => o === 'identitystore:CreateGroup')).toHaveLength(4);
    expect(created.filter((o) => o === 'identitystore:CreateUser')).toHaveLength(1);
    expect(created.filter((o) => o === 'identitystore:CreateGroupMembership')).toHaveLength(1);
    // How the founder gets a password and turns on MFA, and how to sign in with the new profiles.
    expect(r.stderr).toMatch(/Send email OTP.*one-time password/);
    expect(r.stderr).toMatch(/Multi-factor authentication/);
    expect(r.stderr).toMatch(
      /(Sign in with|Install the AWS CLI v2 .*then sign in with): aws sso login --sso-session acme-robotics/,
    );
  });

  it('the profiles file: our sections appended, parsed by an INI parser, every unrelated byte kept, one-time backup', () => {
    const text = readFileSync(join(dir, '.aws/config'), 'utf8');
    expect(text.startsWith(MINE)).toBe(true);
    expect(text.slice(MINE.length)).not.toMatch(/(^|[^\r])\n/); // CRLF kept in what we added
    const parsed = ini.parse(text);
    const ic = emu.state() as any;
    expect(parsed[`sso-session ${SLUG}`]).toEqual({
      sso_start_url: expect.stringMatching(/^https:\/\/d-\d{10}\.awsapps\.com\/start$/),
      sso_region: HOME,
      sso_registration_scopes: 'sso:account:access',
    });
    const accounts = Object.values(ic.accounts as Record<string, { id: string; name: string }>);
    for (const name of ACCOUNT_NAMES) {
      const id = name === 'management' ? MGMT : accounts.find((a) => a.name === name)!.id;
      expect(parsed[`profile ${SLUG}-${name}-admin`], name).toEqual({
        sso_session: SLUG,
        sso_account_id: id,
        sso_role_name: 'AdministratorAccess',
        region: HOME,
        output: 'json',
      });
    }
    expect(Object.keys(parsed).filter((k) => k.startsWith(`profile ${SLUG}-`))).toHaveLength(5);
    expect(parsed['profile legacy'].sso_role_name).toBe('Old');
    expect(readFileSync(join(dir, '.aws/config.secure-start.bak'), 'utf8')).toBe(MINE);
  });

  it('a second run makes no mutating call and leaves the profiles file byte for byte', async () => {
    const before = readFileSync(join(dir, '.aws/config'), 'utf8');
    const r = await runCli(args, { emu, dir });
    expect(r.code, explain(r)).toBe(0);
    expect(ops(r.mutatingCalls)).toEqual([]);
    expect(readFileSync(join(dir, '.aws/config'), 'utf8')).toBe(before);
  });

  it('plan and verify make no mutating call and find nothing to do', async () => {
    const p = await runCli(['plan', '--config', BASIC_CONFIG], { emu, dir });
    expect(p.code, explain(p)).toBe(0);
    expect(p.mutatingCalls).toEqual([]);
    const v = await runCli(['verify', '--config', BASIC_CONFIG], { emu, dir });
    expect(v.code, explain(v)).toBe(0);
    expect(v.mutatingCalls).toEqual([]);
  });

  it("an assignment removed and a permission set edited behind the tool's back: verify exits 4 naming them; a run repairs exactly those", async () => {
    emu.drift('sso-admin', 'delete-account-assignment', {
      permissionSet: 'ReadOnly',
      principal: 'Developers',
      account: 'prod',
    });
    emu.drift('sso-admin', 'update-permission-set', { name: 'PowerUser', sessionDuration: 'PT12H' });
    const v = await runCli(['verify', '--config', BASIC_CONFIG], { emu, dir });
    expect(v.code, explain(v)).toBe(4);
    expect(v.stdout.replace(/\s+/g, ' ')).toContain('Developers → ReadOnly on prod');
    expect(v.stdout.replace(/\s+/g, ' ')).toContain('PowerUser (session 12 h → 8 h)');
    expect(v.mutatingCalls).toEqual([]);

    const r = await runCli(args, { emu, dir });
    expect(r.code, explain(r)).toBe(0);
    expect(ops(r.mutatingCalls).sort()).toEqual([
      'sso-admin:CreateAccountAssignment',
      'sso-admin:ProvisionPermissionSet',
      'sso-admin:UpdatePermissionSet',
    ]);
    const { admin } = sso(emu);
    expect((Object.values(admin.permissionSets) as any[]).find((s) => s.name === 'PowerUser').sessionDuration).toBe(
      'PT8H',
    );
    expect(admin.assignments).toHaveLength(13);

    const again = await runCli(['verify', '--config', BASIC_CONFIG], { emu, dir });
    expect(again.code, explain(again)).toBe(0);
  });

  it('one assignment failing does not stop the others: the step fails naming it and what to do; the next run makes it', async () => {
    emu.drift('sso-admin', 'delete-account-assignment', {
      permissionSet: 'AdministratorAccess',
      principal: 'Admins',
      account: 'dev',
    });
    emu.drift('sso-admin', 'delete-account-assignment', {
      permissionSet: 'Billing',
      principal: 'Billing',
      account: MGMT,
    });
    emu.setFaults({
      rules: [
        {
          service: 'sso-admin',
          operation: 'CreateAccountAssignment',
          kind: 'error',
          code: 'ValidationException',
          status: 400,
          message: 'Simulated refusal',
          times: 1,
        },
      ],
    });
    const r = await runCli(args, { emu, dir });
    emu.setFaults({ rules: [] });
    expect(r.code, explain(r)).toBe(1);
    const out = r.stdout + r.stderr;
    expect(out).toMatch(
      /Assigning (Admins → AdministratorAccess on dev|Billing → Billing on management) failed: Simulated refusal\./,
    );
    expect(out).toMatch(/IAM Identity Center console \(AWS accounts → (dev|management)\)/);
    // Both were tried; the other one was made.
    expect(ops(r.mutatingCalls).filter((o) => o === 'sso-admin:CreateAccountAssignment')).toHaveLength(2);
    expect(sso(emu).admin.assignments).toHaveLength(12);

    const again = await runCli(args, { emu, dir });
    expect(again.code, explain(again)).toBe(0);
    expect(ops(again.mutatingCalls)).toEqual(['sso-admin:CreateAccountAssignment']);
    expect(sso(emu).admin.assignments).toHaveLength(13);
  });

  it('`profiles --print` prints the sections from AWS without touching the file; `profiles` rewrites a deleted profile', async () => {
    const path = join(dir, '.aws/config');
    const before = readFileSync(path, 'utf8');
    const p = await runCli(['profiles', '--print', '--config', BASIC_CONFIG], { emu, dir });
    expect(p.code, explain(p)).toBe(0);
    expect(p.mutatingCalls).toEqual([]);
    const printed = ini.parse(p.stdout);
    expect(Object.keys(printed)).toEqual([
      `sso-session ${SLUG}`,
      ...ACCOUNT_NAMES.map((n) => `profile ${SLUG}-${n}-admin`),
    ]);
    expect(readFileSync(path, 'utf8')).toBe(before);

    // The founder deletes one of our profiles by hand; `profiles` puts it back, keeping the rest.
    const cut = before.replace(/# managed by secure-start\r\n\[profile acme-robotics-dev-admin\][^[]*/, '');
    expect(cut).not.toContain('acme-robotics-dev-admin');
    writeFileSync(path, cut);
    const w = await runCli(['profiles', '--config', BASIC_CONFIG], { emu, dir });
    expect(w.code, explain(w)).toBe(0);
    expect(w.mutatingCalls).toEqual([]);
    const after = readFileSync(path, 'utf8');
    expect(after.startsWith(MINE)).toBe(true);
    expect(ini.parse(after)[`profile ${SLUG}-dev-admin`].sso_role_name).toBe('AdministratorAccess');
  });

  it('a same-named section the founder wrote: the run fails saying so, and --force replaces it', async () => {
    const path = join(dir, '.aws/config');
    const text = readFileSync(path, 'utf8').replace(
      /# managed by secure-start\r\n(\[profile acme-robotics-prod-admin\])/,
      '$1',
    );
    writeFileSync(path, text);
    const r = await runCli(args, { emu, dir });
    expect(r.code, explain(r)).toBe(1);
    expect(r.stdout + r.stderr).toMatch(/\[profile acme-robotics-prod-admin\], not written by secure-start.*--force/s);
    expect(readFileSync(path, 'utf8')).toBe(text);
    const f = await runCli([...args, '--force'], { emu, dir });
    expect(f.code, explain(f)).toBe(0);
    expect(readFileSync(path, 'utf8')).toMatch(/# managed by secure-start\r\n\[profile acme-robotics-prod-admin\]/);
    expect(f.mutatingCalls).toEqual([]);
  });
});
