// Issue 5: Identity Center enabled in another region than the home region (the console's
// default region is often us-east-1). The run finds it there, says so, sends every Identity
// Center call to that region, and the profiles sign in there (sso_region) while working in
// the home region (region).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ini from 'ini';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASIC_CONFIG, explain, ops, removeDir, runCli, startEmu, type Emulator } from '../helpers/harness.js';

describe('Identity Center in another region than the home region', () => {
  let emu: Emulator;
  let dir: string | undefined;
  beforeAll(async () => {
    emu = await startEmu({ scenario: 'fresh+iam-user' });
    emu.setRootMfa(true);
    emu.enableIdentityCenter('us-east-1');
  });
  afterAll(async () => {
    await emu?.stop();
    if (dir) removeDir(dir);
  });

  it('is used where it is, the founder is told, and the profiles sign in there', async () => {
    const r = await runCli(['--yes', '--config', BASIC_CONFIG], { emu });
    dir = r.dir;
    expect(r.code, explain(r)).toBe(0);
    expect(r.stderr).toContain('IAM Identity Center is enabled in us-east-1, not in your home region eu-west-1');
    const sso = r.calls.filter((c) => c.service === 'sso-admin' || c.service === 'identitystore');
    // Only the search for the instance looks at the home region.
    expect(sso.filter((c) => c.region !== 'us-east-1').map((c) => `${c.operation}@${c.region}`)).toEqual([
      'ListInstances@eu-west-1',
    ]);
    expect(ops(r.mutatingCalls).filter((o) => o === 'sso-admin:CreateAccountAssignment')).toHaveLength(13);
    const parsed = ini.parse(readFileSync(join(r.dir, '.aws/config'), 'utf8'));
    expect(parsed['sso-session acme-robotics'].sso_region).toBe('us-east-1');
    expect(parsed['profile acme-robotics-prod-admin'].region).toBe('eu-west-1');

    // Next time it looks in us-east-1 first: no other region is asked.
    const again = await runCli(['--yes', '--config', BASIC_CONFIG], { emu, dir: r.dir });
    expect(again.code, explain(again)).toBe(0);
    expect(again.mutatingCalls).toEqual([]);
    expect(again.calls.filter((c) => c.operation === 'ListInstances').map((c) => c.region)).toEqual(['us-east-1']);
  });
});
