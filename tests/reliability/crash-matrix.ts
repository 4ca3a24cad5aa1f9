// The crash matrix, shared by crash-matrix-1..4.test.ts (one shard each, so vitest runs them
// in parallel workers). A clean fresh bootstrap first gives N, its number of mutating calls,
// and the final world. Then for EVERY k in 1..N and both hold points ("before": the k-th
// mutating call is never applied; "after": it is applied but the answer never arrives) the
// CLI is SIGKILLed exactly there and run again to completion: the final world must equal the
// clean run's, with the same count of every kind of resource (no duplicates, nothing lost).
import { describe, expect, test } from 'vitest';
import { readFileSync, existsSync } from 'node:fs';
import { runCli, startEmu, type Emulator } from '../helpers/harness.js';
import { APPLY, crashAt, explain, resetWorld, resourceCounts, resume, SCENARIO, snapshot, type CrashPoint } from '../helpers/crash.js';
import { SecretScan, scanAndStopAfterAll } from '../helpers/scan.js';
import { stateSchema } from '../../state/store.js';
import { BEHAVIOUR_NAMES } from '../../emulator/behaviours.js';

export const SHARDS = 4;

export interface CleanRun {
  emu: Emulator;
  n: number;
  world: unknown;
  counts: Record<string, number>;
  ops: string[];
  /** The account each of `ops` went to. */
  accounts: string[];
}

/** More emulators for the pool (the clean run's is the first). */
export async function moreEmulators(): Promise<Emulator[]> {
  return Promise.all(Array.from({ length: Math.max(0, PARALLEL - 1) }, () => startEmu({ scenario: SCENARIO })));
}

/** The uninterrupted bootstrap every crash case is compared with. */
export async function cleanRun(): Promise<CleanRun> {
  const emu = await startEmu({ scenario: SCENARIO });
  resetWorld(emu);
  const r = await runCli(APPLY, { emu, timeoutMs: 170_000 });
  if (r.code !== 0) throw new Error(`the clean bootstrap failed:\n${explain(r)}`);
  const again = await runCli(APPLY, { emu, dir: r.dir, timeoutMs: 170_000 });
  if (again.mutatingCalls.length) throw new Error(`the clean bootstrap did not converge: a second run made ${again.mutatingCalls.length} changes`);
  // Holds count the mutating calls that reach AWS's handling; the ones refused at the door by an
  // AWS behaviour (a throttled call, a conflicting write) never get there and vary from run to run.
  const held = r.mutatingCalls.filter((c) => !(BEHAVIOUR_NAMES as string[]).includes(c.fault ?? ''));
  return { emu, n: held.length, world: snapshot(emu), counts: resourceCounts(emu.state()), ops: held.map((c) => `${c.service}:${c.operation}`), accounts: held.map((c) => c.account ?? '') };
}

/**
 * A kind of call made more than this many times in one bootstrap is crashed at its first and
 * its last occurrence in each account instead of at every one. That is only EBS encryption by
 * default: one identical, confirmed put per account and enabled region (85 with basic.json).
 * Crashing at each would nearly double the matrix's time (it is most of the suite's) for no new
 * recovery path: before or after any of them the next run reads each region and puts what is
 * missing. Every other call (the next most repeated is made 15 times) is a crash point.
 */
export const SAMPLE_OVER = 20;

/** The k (1-based) of the clean run's mutating calls to crash at (see SAMPLE_OVER). */
export function crashKs(ops: string[], accounts: string[] = ops.map(() => '')): number[] {
  const total = new Map<string, number>();
  const perAccount = new Map<string, number>();
  const key = (i: number) => `${ops[i]}@${accounts[i]}`;
  ops.forEach((o, i) => {
    total.set(o, (total.get(o) ?? 0) + 1);
    perAccount.set(key(i), (perAccount.get(key(i)) ?? 0) + 1);
  });
  const seen = new Map<string, number>();
  const ks: number[] = [];
  ops.forEach((o, i) => {
    const nth = (seen.get(key(i)) ?? 0) + 1;
    seen.set(key(i), nth);
    if (total.get(o)! <= SAMPLE_OVER || nth === 1 || nth === perAccount.get(key(i))) ks.push(i + 1);
  });
  return ks;
}

/** Every crash point (before and after each chosen k), in a fixed order; shard s (1-based) takes every SHARDS-th one. */
export function crashPoints(ks: number[], shard: number): CrashPoint[] {
  const all: CrashPoint[] = [];
  for (const k of ks) for (const when of ['before', 'after'] as const) all.push({ k, when });
  return all.filter((_, i) => i % SHARDS === shard - 1);
}

/** What the clean bootstrap must have built, exactly once each (basic.json + the console steps). */
export function expectBaselineCounts(c: Record<string, number>): void {
  expect(c).toMatchObject({
    organizations: 1,
    accounts: 5, // management + log-archive, audit, prod, dev
    ous: 4,
    policies: 2,
    createAccountRequests: 4,
    budgets: 1,
    monitors: 1,
    subscriptions: 1,
    buckets: 1,
    trails: 1,
    kmsKeys: 1, // CreateKey has no idempotency token: a crash around it must not leave a second key
    kmsAliases: 1,
    alternateContacts: 15,
    identityCenterInstances: 1,
  });
}

/** A state file the CLI left (after a kill or an interrupt) is whole and valid. */
export function expectValidStateFile(path: string): void {
  if (!existsSync(path)) return; // killed before its first save
  const parsed = stateSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  expect(parsed.success, parsed.success ? '' : JSON.stringify(parsed.error.issues)).toBe(true);
}

/**
 * Cases run two at a time, each on its own emulator: a case spends half its time in the CLI
 * process and half in the emulator (this worker), so two keep two cores busy even when vitest
 * gives this file a single worker.
 */
const PARALLEL = Number(process.env.SS_CRASH_PARALLEL ?? 2);

export class EmulatorPool {
  private free: Emulator[];
  private waiters: ((e: Emulator) => void)[] = [];
  constructor(readonly all: Emulator[]) {
    this.free = [...all];
  }
  async use<T>(f: (emu: Emulator) => Promise<T>): Promise<T> {
    const emu = this.free.pop() ?? (await new Promise<Emulator>((r) => this.waiters.push(r)));
    try {
      return await f(emu);
    } finally {
      const w = this.waiters.shift();
      if (w) w(emu);
      else this.free.push(emu);
    }
  }
}

export function defineCrashShard(shard: number, clean: CleanRun, extra: Emulator[] = []): void {
  const pool = new EmulatorPool([clean.emu, ...extra]);
  const secrets = new SecretScan();
  const ks = crashKs(clean.ops, clean.accounts);
  const points = crashPoints(ks, shard);
  scanAndStopAfterAll(secrets, () => pool.all);

  test(`shard ${shard}/${SHARDS}: the clean bootstrap built one of each and converged (N = ${clean.n} mutating calls)`, () => {
    expect(clean.n).toBeGreaterThan(50);
    expectBaselineCounts(clean.counts);
    expect(points.length).toBeGreaterThanOrEqual(Math.floor((2 * ks.length) / SHARDS));
    // Only a kind repeated more than SAMPLE_OVER times is sampled: every other call is a crash point.
    const kinds = new Map<string, number>();
    for (const o of clean.ops) kinds.set(o, (kinds.get(o) ?? 0) + 1);
    const everyOne = clean.ops.map((o, i) => ({ o, k: i + 1 })).filter((x) => kinds.get(x.o)! <= SAMPLE_OVER).map((x) => x.k);
    expect(ks).toEqual(expect.arrayContaining(everyOne));
  });

  describe.concurrent(`SIGKILL at mutating call k, shard ${shard}/${SHARDS}`, () => {
    test.each(points.map((p) => ({ ...p, name: `k=${p.k} ${p.when}` })))('$name', (p) => pool.use(async (emu) => {
      resetWorld(emu);
      const crash = await crashAt(emu, p, { timeoutMs: 170_000 });
      expect(crash.held, `the run ended before its mutating call ${p.k}\n${explain(crash.run)}`).toBe(true);
      expect(crash.run.signal).toBe('SIGKILL');
      expectValidStateFile(crash.run.statePath);
      secrets.output(`k=${p.k} ${p.when} killed`, crash.run.stdout, crash.run.stderr);

      const r = await resume(emu, crash.run.dir);
      secrets.run(r, `k=${p.k} ${p.when} resume`);
      expect(r.code, `crashed at ${crash.call} (${p.when}), resume failed\n${explain(r)}`).toBe(0);
      expect(resourceCounts(emu.state()), `counts after a crash at ${crash.call} (${p.when})`).toEqual(clean.counts);
      expect(snapshot(emu), `world after a crash at ${crash.call} (${p.when})`).toEqual(clean.world);
      const state = JSON.parse(readFileSync(r.statePath, 'utf8'));
      expect(stateSchema.safeParse(state).success).toBe(true);
      expect(state.inflight, 'requests left in flight after completion').toEqual({});
    }), 600_000);
  });
}
