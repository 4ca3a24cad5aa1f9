// Fault storm: a fresh bootstrap while the emulator throttles 20 % of ALL calls, answers 5 %
// with 500/503 and drops 2 % of connections (seeded, so a failure reproduces) ends exactly
// like an uninterrupted clean run; --verbose shows the retries. A permanent failure of one
// operation stops the run with a message naming it, the steps that do not depend on it still
// finish, and the next run (fault gone) completes the job.
import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { explain, runCli, type Emulator } from '../helpers/harness.js';
import {
  ALL_SERVICES_CONFIG,
  APPLY,
  applyWith,
  resetWorld,
  resourceCounts,
  resume,
  snapshot,
  withoutRequestLogs,
} from '../helpers/crash.js';
import { SecretScan, scanAndStopAfterAll } from '../helpers/scan.js';
import { cleanRun, EmulatorPool } from './crash-matrix.js';
import { startEmu } from '../helpers/harness.js';
import { SCENARIO } from '../helpers/crash.js';
import type { FaultRule } from '../../emulator/index.js';

// The uninterrupted bootstrap every case is compared with.
const base = await cleanRun();
const clean = base.world;
const cleanCounts = base.counts;
// Every service on (Security Hub, Config, the default VPC deletion): the second seed's storm and
// the dropped answers run on it, so every create and delete of those steps is in the storm too.
const every = await cleanRun(undefined, { config: ALL_SERVICES_CONFIG });
const CASES = {
  reliability: { apply: APPLY, run: base },
  every: { apply: applyWith(ALL_SERVICES_CONFIG), run: every },
};
const secrets = new SecretScan();
// The cases spend most of their time in retry back-off, not on a core: three at a time, each on
// its own emulator.
const pool = new EmulatorPool([base.emu, every.emu, ...(await Promise.all([startEmu({ scenario: SCENARIO })]))]);
scanAndStopAfterAll(secrets, () => pool.all);

/** The rates the issue asks to survive, on every operation of every service. */
export const STORM: FaultRule[] = [
  { kind: 'throttle', rate: 0.2 },
  { kind: 'internal', rate: 0.025 },
  { kind: 'unavailable', rate: 0.025 },
  { kind: 'drop', rate: 0.02 },
];

describe.concurrent('fault storm: 20 % throttling, 5 % 500/503, 2 % dropped connections', () => {
  test.each([
    [7, 'reliability'],
    [2026, 'every'],
  ] as const)(
    'seed %i (%s config): completes with the same final world as a clean run',
    (seed, which) =>
      pool.use(async (emu: Emulator) => {
        const { apply, run: cleanRunOf } = CASES[which];
        resetWorld(emu);
        emu.setFaults({ seed, rules: STORM });
        const r = await runCli([...apply, '--verbose'], { emu, timeoutMs: 280_000 });
        emu.clearFaults();
        secrets.run(r);
        const faults = r.calls.filter((c) => c.fault);
        expect(r.code, `${faults.length} faults injected\n${explain(r)}`).toBe(0);
        // The storm really happened, on reads and writes, in every kind.
        expect(faults.length).toBeGreaterThan(40);
        expect(faults.filter((c) => c.mutating).length).toBeGreaterThan(5);
        expect(new Set(faults.map((c) => c.fault)).size).toBeGreaterThanOrEqual(3);
        // Retries are visible with --verbose: named operation, attempt and error.
        const retries = r.stderr.match(/retry: [\w-]+:\w+ attempt \d+ failed with [^;]+; retrying/g) ?? [];
        expect(retries.length, r.stderr.slice(0, 3000)).toBeGreaterThan(20);
        expect(r.stderr).toMatch(
          /failed with (TooManyRequestsException|ThrottlingException|Throttling|SlowDown|RequestLimitExceeded)/,
        );
        expect(resourceCounts(emu.state())).toEqual(cleanRunOf.counts);
        expect(snapshot(emu)).toEqual(cleanRunOf.world);
        // And it converged: nothing left to do.
        const again = await runCli(apply, { emu, dir: r.dir, timeoutMs: 170_000 });
        expect(again.code, explain(again)).toBe(0);
        expect(again.mutatingCalls).toEqual([]);
      }),
    600_000,
  );
});

describe.concurrent('a dropped answer to a create that WAS applied is survived (the retry finds it done)', () => {
  test(
    'every mutating operation (every service on) loses its first answer once',
    () =>
      pool.use(async (emu: Emulator) => {
        resetWorld(emu);
        // `when: after`: the call is applied, then the connection is cut; the SDK retries a call
        // that already happened. The step must treat "already exists" as done, never duplicate.
        const ops = new Set<string>();
        const probe = await runCli(CASES.every.apply, { emu, timeoutMs: 170_000 });
        expect(probe.code, explain(probe)).toBe(0);
        for (const c of probe.mutatingCalls) ops.add(`${c.service}:${c.operation}`);
        resetWorld(emu);
        emu.setFaults({
          seed: 3,
          rules: [...ops].map((o) => {
            const [service, operation] = o.split(':') as [string, string];
            return { service, operation, kind: 'drop' as const, when: 'after' as const, times: 1 };
          }),
        });
        const r = await runCli(CASES.every.apply, { emu, timeoutMs: 280_000 });
        secrets.run(r);
        // A first run may stop on an error it could not tell from a real one; a second run (with the
        // drops not yet spent still armed) must finish, and either way nothing exists twice.
        const fin = r.code === 0 ? r : await resume(emu, r.dir, [], ALL_SERVICES_CONFIG);
        emu.clearFaults();
        const dropped = [...r.calls, ...(fin === r ? [] : fin.calls)].filter((c) => c.fault === 'drop-after');
        expect(new Set(dropped.map((c) => `${c.service}:${c.operation}`)), `first run: ${explain(r)}`).toEqual(ops);
        expect(fin.code, `first run: ${explain(r)}\nsecond run: ${explain(fin)}`).toBe(0);
        expect(resourceCounts(emu.state())).toEqual(every.counts);
        // An assignment request re-sent after its lost answer is logged twice; it is one assignment.
        expect(withoutRequestLogs(snapshot(emu))).toEqual(withoutRequestLogs(every.world));
      }),
    600_000,
  );
});

describe.concurrent('a permanent failure on one operation', () => {
  const cases: {
    op: string;
    rule: FaultRule;
    says: RegExp;
    stillDone: (c: Record<string, number>) => void;
    notDone: (c: Record<string, number>) => void;
  }[] = [
    {
      op: 'budgets:CreateBudget (a leaf step)',
      rule: { service: 'budgets', operation: 'CreateBudget', kind: 'accessDenied' },
      says: /CreateBudget|budget/i,
      stillDone: (c) => expect(c).toMatchObject({ accounts: 5, trails: 1, monitors: 1, subscriptions: 1, buckets: 1 }),
      notDone: (c) => expect(c.budgets).toBe(0),
    },
    {
      op: 'organizations:CreateOrganizationalUnit (accounts depend on it)',
      rule: { service: 'organizations', operation: 'CreateOrganizationalUnit', kind: 'accessDenied' },
      says: /CreateOrganizationalUnit|organizational unit/i,
      stillDone: (c) => expect(c).toMatchObject({ budgets: 1, monitors: 1, subscriptions: 1 }),
      notDone: (c) => expect(c).toMatchObject({ ous: 0, accounts: 1, trails: 0 }),
    },
  ];
  test.each(cases)(
    '$op: stops with a clear message, independent steps finish, the next run completes',
    (c) =>
      pool.use(async (emu: Emulator) => {
        resetWorld(emu);
        emu.setFaults({ rules: [c.rule] });
        const r = await runCli(APPLY, { emu, timeoutMs: 170_000 });
        secrets.run(r);
        expect(r.code, explain(r)).toBe(1);
        const out = r.stdout + r.stderr;
        expect(out).toMatch(c.says);
        expect(out, explain(r)).toMatch(/AccessDenied|not allowed|permission/i);
        expect(out, explain(r)).toMatch(/run .*again|npx secure-start/i);
        const mid = resourceCounts(emu.state());
        c.stillDone(mid);
        c.notDone(mid);
        const state = JSON.parse(readFileSync(r.statePath, 'utf8'));
        expect(Object.values<any>(state.steps).some((s) => s.status === 'failed')).toBe(true);

        emu.clearFaults();
        const fin = await resume(emu, r.dir);
        secrets.run(fin);
        expect(fin.code, explain(fin)).toBe(0);
        expect(resourceCounts(emu.state())).toEqual(cleanCounts);
        expect(snapshot(emu)).toEqual(clean);
      }),
    400_000,
  );
});
