// Wrong place: run from a member account, from an account in someone else's organization, or
// with credentials that lack a permission. Each ends with a message that says what is wrong
// and what to do, and leaves no damage: no write at all where the run cannot be right, and
// where only one permission is missing, nothing half-made — the next run with the permission
// finishes the job with exactly one of everything.
import { describe, expect, test } from 'vitest';
import { explain, runCli, type Emulator } from '../helpers/harness.js';
import { APPLY, resetWorld, resourceCounts, resume, snapshot, worldOf } from '../helpers/crash.js';
import { SecretScan, scanAndStopAfterAll } from '../helpers/scan.js';
import { cleanRun } from './crash-matrix.js';
import type { FaultRule } from '../../emulator/index.js';

// The uninterrupted bootstrap every case is compared with (and that converged on a re-run).
const base = await cleanRun();
const emu: Emulator = base.emu;
const clean = base.world;
const cleanCounts = base.counts;
const secrets = new SecretScan();
const CONFIG = APPLY.slice(1);
scanAndStopAfterAll(secrets, () => [emu]);

/** Apply, plan and verify from the wrong place: refused, no write, world unchanged. */
async function refusedEverywhere(account: string | undefined, says: RegExp) {
  const before = JSON.stringify(worldOf(emu));
  for (const args of [APPLY, ['plan', ...CONFIG], ['verify', ...CONFIG]]) {
    const r = await runCli(args, { emu, account, timeoutMs: 170_000 });
    secrets.run(r);
    expect(r.code, explain(r)).not.toBe(0);
    expect(r.stdout + r.stderr, explain(r)).toMatch(says);
    expect(
      r.mutatingCalls.map((c) => `${c.service}:${c.operation}`),
      explain(r),
    ).toEqual([]);
    expect(JSON.stringify(worldOf(emu)), `${args[0]} changed the world`).toBe(before);
  }
}

describe('not the management account of its own organization', () => {
  test("an account that is a member of someone else's organization", async () => {
    emu.reset('member-of-other-org+iam-user');
    emu.setRootMfa(true);
    await refusedEverywhere(undefined, /210987654321/);
  }, 400_000);

  test('a member account of our own organization (its credentials instead of the management account)', async () => {
    resetWorld(emu);
    const boot = await runCli(APPLY, { emu, timeoutMs: 170_000 });
    expect(boot.code, explain(boot)).toBe(0);
    expect(snapshot(emu)).toEqual(clean);
    const prod = Object.values<any>((emu.state() as any).accounts).find((a) => a.name === 'prod').id as string;
    // Refused before any write: the world stays exactly as the bootstrap left it.
    await refusedEverywhere(prod, /member of another organization .* managed by account 123456789012/);
  }, 400_000);
});

describe('credentials that lack one permission (the emulator denies one operation)', () => {
  const cases: { id: string; rule: FaultRule; names: RegExp }[] = [
    {
      id: 'organizations:DescribeOrganization',
      rule: { service: 'organizations', operation: 'DescribeOrganization', kind: 'accessDenied' },
      names: /DescribeOrganization|organization/i,
    },
    {
      id: 'sts:AssumeRole (no way into member accounts)',
      rule: { service: 'sts', operation: 'AssumeRole', kind: 'accessDenied' },
      names: /AssumeRole|OrganizationAccountAccessRole/,
    },
    {
      id: 'organizations:CreateAccount',
      rule: { service: 'organizations', operation: 'CreateAccount', kind: 'accessDenied' },
      names: /CreateAccount|account/i,
    },
    {
      id: 'sso-admin:CreatePermissionSet',
      rule: { service: 'sso-admin', operation: 'CreatePermissionSet', kind: 'accessDenied' },
      names: /CreatePermissionSet|permission set/i,
    },
  ];
  test.each(cases)(
    '$id: clear message, nothing half-made, the next run completes',
    async (c) => {
      resetWorld(emu);
      emu.setFaults({ rules: [c.rule] });
      const r = await runCli(APPLY, { emu, timeoutMs: 170_000 });
      secrets.run(r);
      const out = r.stdout + r.stderr;
      expect(r.code, explain(r)).toBe(1);
      expect(out, explain(r)).toMatch(c.names);
      expect(out, explain(r)).toMatch(/AccessDenied|not allowed|permission|denied/i);
      // Nothing exists twice, and nothing exists that the clean run does not have.
      const mid = resourceCounts(emu.state());
      for (const [k, n] of Object.entries(mid))
        expect(n, `${k} after the denied run`).toBeLessThanOrEqual(cleanCounts[k] ?? 0);
      // With the permission granted, the next run finishes the job.
      emu.clearFaults();
      const fin = await resume(emu, r.dir);
      secrets.run(fin);
      expect(fin.code, explain(fin)).toBe(0);
      expect(resourceCounts(emu.state())).toEqual(cleanCounts);
      expect(snapshot(emu)).toEqual(clean);
    },
    400_000,
  );
});
