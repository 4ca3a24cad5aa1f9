// Issue 5 end to end, the root user's path. The root user cannot assume roles into member
// accounts, so the run builds everything in the management account (Identity Center included,
// and the founder's CLI profiles), then stops at leave-root (exit 3) with the sso login and the
// command to continue with. After signing in through Identity Center (the emulator's portal
// writes the same token cache `aws sso login` does), the run continues with the written admin
// profile and completes: this proves the profiles work.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ini from 'ini';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASIC_CONFIG, explain, ops, removeDir, runCli, startEmu, type Emulator } from '../helpers/harness.js';
import { ssoLogin } from '../helpers/sso.js';

const HOME = 'eu-west-1';
const MGMT = '123456789012';
const SLUG = 'acme-robotics';
const FOUNDER = 'ada@acme.example';
const ADMIN_PROFILE = `${SLUG}-management-admin`;
const args = ['--yes', '--config', BASIC_CONFIG];

describe('the root user', () => {
  let emu: Emulator;
  let dir: string;
  beforeAll(async () => {
    emu = await startEmu({ scenario: 'fresh' });
    emu.setRootMfa(true);
    emu.enableIdentityCenter(HOME);
  });
  afterAll(async () => {
    await emu?.stop();
    if (dir) removeDir(dir);
  });

  it('stops at leave-root with exit 3, the sso login and the command to continue with', async () => {
    const r = await runCli(args, { emu });
    dir = r.dir;
    expect(r.code, explain(r)).toBe(3);
    expect(r.stdout.replace(/\s+/g, ' ')).toContain(`aws sso login --sso-session ${SLUG}`);
    expect(r.stdout).toContain(`--profile ${ADMIN_PROFILE}`);
    // Nothing tried to enter a member account as root.
    expect(r.calls.filter((c) => c.operation === 'AssumeRole')).toEqual([]);
    expect(existsSync(join(dir, '.aws/config'))).toBe(true);
    expect(ini.parse(readFileSync(join(dir, '.aws/config'), 'utf8'))[`profile ${ADMIN_PROFILE}`]).toMatchObject({
      sso_account_id: MGMT,
      sso_role_name: 'AdministratorAccess',
    });
  });

  it('after signing in through Identity Center, the run continues with the written admin profile and completes', async () => {
    ssoLogin(emu, dir, SLUG, FOUNDER);
    const env = { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined, AWS_SESSION_TOKEN: undefined };
    const r = await runCli([...args, '--profile', ADMIN_PROFILE], { emu, dir, env });
    expect(r.code, explain(r)).toBe(0);
    // The calls came from the Identity Center role, not the root user.
    const principals = new Set(
      r.calls.filter((c) => c.account === MGMT && c.service !== 'sso').map((c) => (c as any).principal),
    );
    expect(
      [...principals].some((p) => /AWSReservedSSO_AdministratorAccess/.test(String(p))),
      [...principals].join(', '),
    ).toBe(true);
    const again = await runCli([...args, '--profile', ADMIN_PROFILE], { emu, dir, env });
    expect(again.code, explain(again)).toBe(0);
    expect(ops(again.mutatingCalls)).toEqual([]);
  });
});
