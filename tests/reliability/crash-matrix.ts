// The crash matrix, shared by crash-matrix-1..4.test.ts (one shard each, so vitest runs them
// in parallel workers; RELIABILITY_CONFIG), crash-matrix-ebs.test.ts (EBS encryption's points,
// basic.json), crash-matrix-services.test.ts (all-services.json) and crash-sigint.test.ts. One clean fresh bootstrap gives N, its number of mutating calls, and
// the final world; while it runs, the emulator stops at EVERY mutating call k, just before it
// is applied and just after (applied, answer not sent), and the shard copies what a SIGKILL
// there would leave: the emulator's world and the founder's folder (state file, lock, ~/.aws).
// Each case then starts from one such copy, runs the CLI again to completion, and the final
// world must equal the clean run's, with the same count of every kind of resource (no
// duplicates, nothing lost). crash-sigint.test.ts and the crash-waits cases kill a real process.
import { afterAll, describe, expect, test } from 'vitest';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeDir, runCli, scratchDir, startEmu, type CliResult, type Emulator } from '../helpers/harness.js';
import type { Checkpoint, WorldCopy } from '../../emulator/index.js';
import {
  RELIABILITY_CONFIG,
  applyWith,
  crashAt,
  explain,
  resetWorld,
  resourceCounts,
  resume,
  SCENARIO,
  snapshot,
  type CrashPoint,
} from '../helpers/crash.js';
import { SecretScan, scanAndStopAfterAll } from '../helpers/scan.js';
import { stateSchema } from '../../state/store.js';
import { BEHAVIOUR_NAMES } from '../../emulator/behaviours.js';

export const SHARDS = 4;

export interface CleanRun {
  emu: Emulator;
  /** The config every run of this matrix uses. */
  config: string;
  n: number;
  world: unknown;
  counts: Record<string, number>;
  ops: string[];
  /** The account each of `ops` went to. */
  accounts: string[];
  /** The bootstrap's own run (its output is scanned for secrets). */
  run: CliResult;
  /** What a SIGKILL would have left at each crash point copied (key `k:when`). */
  copies: Map<string, CrashCopy>;
  /** How many crash points the emulator offered (must equal n). */
  checkpoints: number;
}

export interface CrashCopy {
  world: WorldCopy;
  /** A copy of the founder's folder (cwd and HOME) at that instant. */
  dir: string;
  call: string;
}

/** More emulators for the pool (the clean run's is the first). */
export async function moreEmulators(): Promise<Emulator[]> {
  return Promise.all(Array.from({ length: Math.max(0, PARALLEL - 1) }, () => startEmu({ scenario: SCENARIO })));
}

/**
 * The uninterrupted bootstrap every crash case is compared with. `keep` chooses the crash
 * points to copy. The copy is taken inside the emulator, synchronously, while the call waits:
 * the CLI cannot hear of this call (or of any later one) before it is made, so the folder
 * holds what the CLI had written by then (its writes are atomic renames) and the world holds
 * what AWS had applied. That is exactly what a SIGKILL at that instant leaves.
 */
export async function cleanRun(
  keep: (c: Checkpoint) => boolean = () => false,
  { converge = false, config = RELIABILITY_CONFIG } = {},
): Promise<CleanRun> {
  const emu = await startEmu({ scenario: SCENARIO });
  resetWorld(emu);
  const dir = scratchDir();
  const copies = new Map<string, CrashCopy>();
  // The order calls reach AWS's handling (the crash points' numbering); concurrent calls can
  // arrive at the door in another order than they reach it.
  const order: Checkpoint[] = [];
  let failed: unknown;
  emu.checkpoints((c) => {
    if (c.when === 'before') order[c.n - 1] = c;
    if (!keep(c) || failed) return;
    try {
      save(c);
    } catch (e) {
      failed = e; // the run goes on untouched; the error is thrown once it ends
    }
  });
  const save = (c: Checkpoint) => {
    const saved = mkdtempSync(join(tmpdir(), `ss-crash-${c.n}-${c.when}-`));
    copyFolder(dir, saved);
    copies.set(`${c.n}:${c.when}`, { world: emu.copyWorld(), dir: saved, call: `${c.service}:${c.operation}` });
  };
  const r = await runCli(applyWith(config), { emu, dir, timeoutMs: 170_000 });
  emu.checkpoints(null);
  if (failed) throw failed;
  if (r.code !== 0) throw new Error(`the clean bootstrap failed:\n${explain(r)}`);
  // Whether the bootstrap converges (a second run changes nothing) is checked by the first
  // crash shard and the Ctrl-C matrix: every file that makes a clean run would pay a second
  // run for the same fact. (A clean run that had not converged would fail the others too, as
  // their resumed runs would then make more than it did.)
  if (converge) {
    const again = await runCli(applyWith(config), { emu, dir: r.dir, timeoutMs: 170_000 });
    if (again.mutatingCalls.length)
      throw new Error(`the clean bootstrap did not converge: a second run made ${again.mutatingCalls.length} changes`);
  }
  // Holds count the mutating calls that reach AWS's handling; the ones refused at the door by an
  // AWS behaviour (a throttled call, a conflicting write) never get there and vary from run to run.
  const held = r.mutatingCalls.filter((c) => !(BEHAVIOUR_NAMES as string[]).includes(c.fault ?? ''));
  return {
    emu,
    config,
    n: held.length,
    world: snapshot(emu),
    counts: resourceCounts(emu.state()),
    ops: order.map((c) => `${c.service}:${c.operation}`),
    accounts: order.map((c) => c.account ?? ''),
    run: r,
    copies,
    checkpoints: order.length,
  };
}

/**
 * Copies the founder's folder while the CLI (another process) may be writing in it. Each file
 * the CLI writes is written whole and renamed into place, so every file copied is one the CLI
 * wrote; a temporary file gone before it is read was never in place, so it is skipped (a
 * SIGKILL leaves a half-written temporary file at most, which the CLI ignores).
 */
function copyFolder(from: string, to: string): void {
  for (const e of readdirSync(from, { withFileTypes: true })) {
    const [src, dst] = [join(from, e.name), join(to, e.name)];
    try {
      if (e.isDirectory()) {
        mkdirSync(dst, { recursive: true });
        copyFolder(src, dst);
      } else if (e.isFile()) copyFileSync(src, dst);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
}

/**
 * A kind of call made more than this many times in one bootstrap is crashed at its first and
 * its last occurrence in each account instead of at every one. That is only EBS encryption by
 * default (crash-matrix-ebs.test.ts): one identical, confirmed put per account and enabled
 * region (85 with basic.json). Crashing at each would nearly double the matrix's time for no
 * new recovery path: before or after any of them the next run reads each region and puts what
 * is missing. Every other call (the next most repeated is made 15 times) is a crash point.
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

/** Whether shard s (1-based) takes the crash point (every SHARDS-th of before 1, after 1, before 2…). */
export function inShard(p: CrashPoint, shard: number): boolean {
  return (2 * (p.k - 1) + (p.when === 'after' ? 1 : 0)) % SHARDS === shard - 1;
}

/** The chosen crash points (before and after each chosen k) shard s takes. */
export function crashPoints(ks: number[], shard: number): CrashPoint[] {
  const all: CrashPoint[] = [];
  for (const k of ks) for (const when of ['before', 'after'] as const) all.push({ k, when });
  return all.filter((p) => inShard(p, shard));
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

/** The clean run of shard s, copying that shard's crash points. */
export function shardRun(shard: number): Promise<CleanRun> {
  return cleanRun((c) => inShard({ k: c.n, when: c.when }, shard), { converge: shard === 1 });
}

export function defineCrashShard(shard: number, clean: CleanRun, extra: Emulator[] = []): void {
  const pool = new EmulatorPool([clean.emu, ...extra]);
  const secrets = new SecretScan();
  const ks = crashKs(clean.ops, clean.accounts);
  const points = crashPoints(ks, shard);
  scanAndStopAfterAll(secrets, () => pool.all);
  secrets.run(clean.run, 'the clean bootstrap');
  afterAll(() => {
    for (const c of clean.copies.values()) removeDir(c.dir);
  });

  test(`shard ${shard}/${SHARDS}: the clean bootstrap built one of each${shard === 1 ? ' and converged' : ''} (N = ${clean.n} mutating calls)`, () => {
    expect(clean.n).toBeGreaterThan(50);
    // The emulator offered a crash point at every mutating call the run made, and no other.
    expect(clean.checkpoints).toBe(clean.n);
    expectBaselineCounts(clean.counts);
    // The shards split the points between them: together they crash at every one, once.
    const perShard = Array.from({ length: SHARDS }, (_, i) => crashPoints(ks, i + 1).length);
    expect(perShard.reduce((a, b) => a + b, 0)).toBe(2 * ks.length);
    // Only a kind repeated more than SAMPLE_OVER times is sampled: every other call is a crash point.
    const kinds = new Map<string, number>();
    for (const o of clean.ops) kinds.set(o, (kinds.get(o) ?? 0) + 1);
    const everyOne = clean.ops
      .map((o, i) => ({ o, k: i + 1 }))
      .filter((x) => kinds.get(x.o)! <= SAMPLE_OVER)
      .map((x) => x.k);
    expect(ks).toEqual(expect.arrayContaining(everyOne));
    // Every point of this shard was copied, at the call the run made there.
    for (const p of points)
      expect(clean.copies.get(`${p.k}:${p.when}`)?.call, `k=${p.k} ${p.when}`).toBe(clean.ops[p.k - 1]);
  });

  defineCrashCases(`SIGKILL at mutating call k, shard ${shard}/${SHARDS}`, clean, points, pool, secrets);
}

/**
 * One test per crash point: restore the world and the founder's folder copied there (what a
 * SIGKILL left), run again to the end, and compare with the uninterrupted run: the same world,
 * the same count of everything, a valid state file with nothing left in flight.
 */
export function defineCrashCases(
  title: string,
  clean: CleanRun,
  points: CrashPoint[],
  pool: EmulatorPool,
  secrets: SecretScan,
): void {
  describe.concurrent(title, () => {
    test.each(points.map((p) => ({ ...p, name: `k=${p.k} ${p.when} (${clean.ops[p.k - 1]})` })))(
      '$name',
      (p) =>
        pool.use(async (emu) => {
          const copy = clean.copies.get(`${p.k}:${p.when}`)!;
          emu.restoreWorld(copy.world);
          expectValidStateFile(join(copy.dir, 'secure-start.state.json'));

          const r = await resume(emu, copy.dir, [], clean.config);
          secrets.run(r, `k=${p.k} ${p.when} resume`);
          expect(r.code, `crashed at ${copy.call} (${p.when}), resume failed\n${explain(r)}`).toBe(0);
          expect(resourceCounts(emu.state()), `counts after a crash at ${copy.call} (${p.when})`).toEqual(clean.counts);
          expect(snapshot(emu), `world after a crash at ${copy.call} (${p.when})`).toEqual(clean.world);
          const state = JSON.parse(readFileSync(r.statePath, 'utf8'));
          expect(stateSchema.safeParse(state).success).toBe(true);
          expect(state.inflight, 'requests left in flight after completion').toEqual({});
        }),
      600_000,
    );
  });
}

/**
 * One test per Ctrl-C point: a run from a fresh world interrupted (SIGINT) while its mutating
 * call k is held. The CLI lets the call it already sent answer, says how to resume, exits 130
 * and leaves a valid state file. Points with `resume` are then run to the end and compared with
 * the uninterrupted run.
 */
export function defineCtrlCCases(
  title: string,
  clean: CleanRun,
  points: (CrashPoint & { resume: boolean })[],
  pool: EmulatorPool,
  secrets: SecretScan,
): void {
  describe.concurrent(title, () => {
    test.each(
      points.map((p) => ({ ...p, name: `k=${p.k}${p.resume ? ', then resumed' : ''} (${clean.ops[p.k - 1]})` })),
    )(
      '$name',
      (p) =>
        pool.use(async (emu) => {
          resetWorld(emu);
          const stop = await crashAt(
            emu,
            { k: p.k, when: p.when },
            { signal: 'SIGINT', timeoutMs: 170_000, config: clean.config },
          );
          expect(stop.held, `the run ended before its mutating call ${p.k}`).toBe(true);
          secrets.run(stop.run, `k=${p.k} interrupted`);
          const out = stop.run.stdout + stop.run.stderr;
          expect(stop.run.code, explain(stop.run)).toBe(130);
          expect(out).toMatch(/Stopping after the calls already sent/);
          expect(out, explain(stop.run)).toMatch(/Run `npx secure-start` again to carry on where it stopped/);
          const saved = JSON.parse(readFileSync(stop.run.statePath, 'utf8'));
          const parsed = stateSchema.safeParse(saved);
          expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
          if (!p.resume) return;
          const r = await resume(emu, stop.run.dir, [], clean.config);
          secrets.run(r, `k=${p.k} resumed`);
          expect(r.code, `interrupted at ${stop.call}, resume failed\n${explain(r)}`).toBe(0);
          expect(resourceCounts(emu.state())).toEqual(clean.counts);
          expect(snapshot(emu)).toEqual(clean.world);
        }),
      400_000,
    );
  });
}
