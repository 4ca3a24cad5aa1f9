// The crash matrix for the services the main matrix leaves out (see RELIABILITY_CONFIG):
// Security Hub, AWS Config recording and the default VPC deletion, on ALL_SERVICES_CONFIG. A
// SIGKILL before and after the first call of each of their kinds, and the first in the
// management account (reached without the access role), then a run again: the world must equal
// an uninterrupted run's, nothing duplicated or left behind. Their calls repeat per account,
// region and subnet the same way: the first of each kind shows each recovery path (crashing at
// each account's first as well tripled this file's time, to 294 s, for the same paths).
import { afterAll, expect, test } from 'vitest';
import { removeDir } from '../helpers/harness.js';
import { ALL_SERVICES_CONFIG } from '../helpers/crash.js';
import { SecretScan, scanAndStopAfterAll } from '../helpers/scan.js';
import { EmulatorPool, cleanRun, defineCrashCases, moreEmulators } from './crash-matrix.js';

const MANAGEMENT = '123456789012';
/** The calls of the steps this file covers (emulator service names). */
const SERVICE_CALL =
  /^(securityhub|config):|^iam:CreateServiceLinkedRole$|^ec2:(DetachInternetGateway|DeleteInternetGateway|DeleteSubnet|DeleteVpc)$/;

// The first call of each kind in each account, decided as the run goes (a copy is taken then).
const firsts = new Set<string>();
const keep = new Set<number>();
const clean = await cleanRun(
  (c) => {
    const call = `${c.service}:${c.operation}`;
    if (!SERVICE_CALL.test(call)) return false;
    const key = `${call}@${c.account === MANAGEMENT ? 'management' : 'member'}`;
    if (c.when === 'before') {
      if (firsts.has(key)) return false;
      firsts.add(key);
      keep.add(c.n);
      return true;
    }
    return keep.has(c.n);
  },
  { config: ALL_SERVICES_CONFIG },
);
const pool = new EmulatorPool([clean.emu, ...(await moreEmulators())]);
const secrets = new SecretScan();
scanAndStopAfterAll(secrets, () => pool.all);
secrets.run(clean.run, 'the clean bootstrap');
afterAll(() => {
  for (const c of clean.copies.values()) removeDir(c.dir);
});
const points = [...clean.copies.keys()].map((k) => {
  const [n, when] = k.split(':');
  return { k: Number(n), when: when as 'before' | 'after' };
});

test(`the clean bootstrap with every service: Security Hub, Config everywhere, no default VPC left in the member accounts (${points.length} crash points)`, () => {
  expect(clean.counts).toMatchObject({
    securityHubs: 10,
    findingAggregators: 1,
    configurationPolicies: 1,
    configRecorders: 10,
    deliveryChannels: 10,
    guardDutyDetectors: 10,
  });
  // The members' default VPCs are gone; the management account's are untouched (and so not in the dump).
  expect(clean.counts.vpcs).toBe(0);
  // Each kind of this file's calls is a crash point in each account it went to, before and after.
  const kinds = new Set(
    clean.ops
      .map((o, i) => `${o}@${clean.accounts[i] === MANAGEMENT ? 'management' : 'member'}`)
      .filter((x) => SERVICE_CALL.test(x.split('@')[0]!)),
  );
  expect(points.length).toBe(2 * kinds.size);
  expect(points.length).toBeGreaterThan(20);
});

defineCrashCases('SIGKILL at a Security Hub, Config or default VPC call', clean, points, pool, secrets);
