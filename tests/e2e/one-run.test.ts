// Issue 13: a fresh bootstrap finishes in ONE run on AWS as it behaves. The emulator has every
// behaviour of emulator/behaviours.ts on, at realistic latency × 1/100, with the tails after
// Organizations and bucket writes made long enough that back-to-back writes always meet one.
// The standard config (4 accounts) and an 8-account config (more than the 5 creations AWS lets
// run at once): exit 0, no failed action, and the same final world as a run on a lenient
// emulator (today's, before the behaviours), with each behaviour seen firing along the way.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BASIC_CONFIG,
  explain,
  removeDir,
  runCli,
  startEmu,
  type CliResult,
  type Emulator,
} from '../helpers/harness.js';
import { SCENARIO, canonicalState, prepareWorld, resourceCounts } from '../helpers/crash.js';
import { BEHAVIOUR_NAMES } from '../../emulator/behaviours.js';

const basic = JSON.parse(readFileSync(BASIC_CONFIG, 'utf8'));
const configs: Record<number, string> = { 4: BASIC_CONFIG };
const tmp = mkdtempSync(join(tmpdir(), 'ss-one-run-'));
{
  const names = ['log-archive', 'audit', 'prod', 'dev', 'staging', 'sandbox', 'data', 'tools'];
  const ous = ['Security', 'Security', 'Prod', 'NonProd', 'NonProd', 'NonProd', 'Prod', 'NonProd'];
  configs[8] = join(tmp, 'eight.json');
  writeFileSync(configs[8], JSON.stringify({ ...basic, accounts: names.map((name, i) => ({ name, ou: ous[i] })) }));
}

const emus: Emulator[] = [];
afterAll(async () => {
  await Promise.all(emus.map((e) => e.stop()));
  removeDir(tmp);
});

/** Runs a bootstrap; returns the run, the JSON events it printed, and the world it left. */
async function bootstrap(emu: Emulator, config: string): Promise<{ r: CliResult; events: any[]; world: any }> {
  prepareWorld(emu);
  emu.clearCalls();
  const r = await runCli(['--yes', '--json', '--config', config], { emu, timeoutMs: 170_000 });
  const events = r.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l));
  return { r, events, world: emu.state({ raw: true }) };
}

describe.each([4, 8])('one run, %i accounts, AWS as it behaves', (n) => {
  it(
    'exit 0, no failed action, the world a lenient emulator ends with, every behaviour met on the way',
    { timeout: 170_000 },
    async () => {
      const strict = await startEmu({
        scenario: SCENARIO,
        latency: 'realistic',
        latencyScale: 0.01,
        config: { accountQuota: 10 },
      });
      const lenient = await startEmu({
        scenario: SCENARIO,
        config: { accountQuota: 10, lenient: [...BEHAVIOUR_NAMES] },
      });
      emus.push(strict, lenient);
      // × 1/100: every Organizations write sent right after another's answer meets the 30 ms tail,
      // every bucket settings write the 100 ms one (longer: a loaded machine may take more than
      // 30 ms between two of them; the first retry waits at least 125 ms); a new account
      // refuses AssumeRole for 2 s after SUCCEEDED (longer than the CLI's look at the creation
      // takes), then its EC2 and S3 for 1 s more.
      strict.setLatency({
        behaviours: {
          orgWriteTail: { min: 3000, max: 3000 },
          bucketWriteTail: { min: 10_000, max: 10_000 },
          accountRoleDelay: { min: 200_000, max: 200_000 },
          accountServicesDelay: { min: 300_000, max: 300_000 },
        },
      });

      const [s, l] = await Promise.all([bootstrap(strict, configs[n]!), bootstrap(lenient, configs[n]!)]);
      expect(s.r.code, explain(s.r)).toBe(0);
      expect(l.r.code, explain(l.r)).toBe(0);
      expect(s.events.filter((e) => e.type === 'action-failed')).toEqual([]);
      expect(
        s.events
          .filter((e) => e.type === 'step-done')
          .map((e) => e.status)
          .filter((x) => !['ok', 'changed'].includes(x)),
      ).toEqual([]);

      // The same world, and exactly one of everything (no duplicate from a conflict or a stale list).
      // (The emulators' own settings aside: one has the behaviours on, the other off.)
      const world = (e: Emulator) => {
        const { config: _settings, ...w } = canonicalState(e.state());
        return w;
      };
      const sw = world(strict);
      expect(sw).toEqual(world(lenient));
      const counts = resourceCounts(sw);
      expect(counts).toMatchObject({
        organizations: 1,
        accounts: n + 1,
        ous: 4,
        policies: 2,
        buckets: 1,
        trails: 1,
        budgets: 1,
        monitors: 1,
        subscriptions: 1,
      });
      expect(counts.createAccountRequests).toBe(n);

      // The behaviours were met, and handled.
      const calls = s.r.calls;
      const fired = (b: string) => calls.filter((c) => c.fault === b).length;
      expect(fired('org-conflicts'), 'Organizations conflicts met (and retried)').toBeGreaterThan(0);
      expect(fired('s3-conflicts'), 'bucket configuration conflicts met (and retried)').toBeGreaterThan(0);
      expect(
        calls.filter((c) => c.operation === 'AssumeRole' && c.status === 403).length,
        'new accounts refused AssumeRole at first',
      ).toBeGreaterThan(0);
      expect(fired('account-readiness'), "new accounts' services not subscribed at first").toBeGreaterThan(0);
      expect(
        s.events.some((e) => e.type === 'progress' && /^waiting for the new account \S+ to be ready/.test(e.message)),
      ).toBe(true);
      // What the CLI keeps from ever happening: more than 5 creations at once, two Identity
      // Center operations on one permission set at once.
      expect(
        calls.filter(
          (c) => c.operation === 'CreateAccount' && c.errorCode && c.errorCode !== 'ConcurrentModificationException',
        ),
      ).toEqual([]);
      expect(calls.filter((c) => c.service === 'sso-admin' && c.errorCode === 'ConflictException')).toEqual([]);
      const creations = (Object.values(s.world.orgs) as any[])[0].createAccountStatuses.map((c: any) => [
        Date.parse(c.requestedAt),
        Date.parse(c.completedAt),
      ]);
      const most = Math.max(
        ...creations.map(([t]: number[]) => creations.filter(([a, b]: number[]) => a <= t && t < b).length),
      );
      expect(most).toBeLessThanOrEqual(5);
    },
  );
});
