// Locks: a lock left by a run that is gone is taken over whatever the hostname was (containers
// and cloud shells change it): at once when its pid is dead on this machine, else once it has
// not been touched (heartbeat) for a minute. Taking over is atomic: of several runs that start
// together over one stale lock, exactly one proceeds, every time. A live run keeps its lock
// fresh, and a run whose lock was taken over anyway stops instead of carrying on beside the
// new holder.
//
// The race is run many times with the state store's own code in many processes (bundled from
// state/store.ts, as the CLI bundles it), then a few times with the built CLI itself.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import {
  BASIC_CONFIG,
  ROOT,
  explain,
  removeDir,
  runCli,
  scratchDir,
  spawnCli,
  startEmu,
  type CliResult,
  type Emulator,
} from '../helpers/harness.js';
import { APPLY, resetWorld, SCENARIO } from '../helpers/crash.js';

const deadPid = (): number => spawnSync('true').pid!;
const minutesAgo = (path: string, m: number) => {
  const t = Date.now() / 1000 - m * 60;
  utimesSync(path, t, t);
};

/** Stale locks of every kind a run can leave behind. */
const STALE: { id: string; write(lockPath: string): void }[] = [
  {
    id: 'a dead pid on this machine',
    write: (p) =>
      writeFileSync(
        p,
        JSON.stringify({ pid: deadPid(), host: hostname(), startedAt: 'then', command: 'secure-start' }),
      ),
  },
  {
    id: 'another hostname (a container that is gone), silent for 2 minutes',
    write: (p) => {
      writeFileSync(
        p,
        JSON.stringify({ pid: 7, host: 'container-3f9a1c', startedAt: 'then', command: 'secure-start', token: 'a1b2' }),
      );
      minutesAgo(p, 2);
    },
  },
  {
    id: 'a half-written lock, 2 minutes old',
    write: (p) => {
      writeFileSync(p, '{"pid": 4');
      minutesAgo(p, 2);
    },
  },
  {
    id: 'a pid reused by another process on this machine, silent for 2 minutes',
    write: (p) => {
      writeFileSync(
        p,
        JSON.stringify({ pid: process.pid, host: hostname(), startedAt: 'then', command: 'secure-start' }),
      );
      minutesAgo(p, 2);
    },
  },
];

describe('many processes racing over one stale lock: exactly one proceeds, every time', () => {
  let work: string;
  let driver: string;
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'ss-lockrace-'));
    // The state store as the CLI has it, in a module a plain `node` process can load.
    await build({
      entryPoints: [join(ROOT, 'state/store.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node22',
      outfile: join(work, 'store.mjs'),
      logLevel: 'warning',
    });
    driver = join(work, 'driver.mjs');
    // A racer: for each round, waits for the round's go file (so all start together), opens the
    // round's state file and takes its lock, says WON or REFUSED, then waits for the round to
    // end. A winner never unlocks: it leaves the lock behind as a run that died would.
    writeFileSync(
      driver,
      `
      import { existsSync } from 'node:fs';
      import { join } from 'node:path';
      import { StateStore } from './store.mjs';
      const [work, rounds] = process.argv.slice(2);
      const nap = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
      for (let r = 0; r < Number(rounds); r++) {
        const dir = join(work, 'r' + r);
        while (!existsSync(join(dir, 'go'))) nap(1);
        let said;
        try { StateStore.open(join(dir, 'state.json'), 'race').lock('race'); said = 'WON'; }
        catch (e) { said = 'REFUSED ' + /Another secure-start run|another run is starting/.test(e.message); }
        process.stdout.write(r + ' ' + said + '\\n');
        while (!existsSync(join(dir, 'end'))) nap(2);
      }
      process.exit(0);
    `,
    );
  });
  afterAll(() => removeDir(work));

  const PROCESSES = 6;
  const ROUNDS = 150;

  test(`${ROUNDS} rounds of ${PROCESSES} processes, over each kind of stale lock`, async () => {
    const lines: string[] = [];
    const racers = Array.from({ length: PROCESSES }, () => {
      const c = spawn(process.execPath, [driver, work, String(ROUNDS)], { stdio: ['ignore', 'pipe', 'inherit'] });
      c.stdout!.setEncoding('utf8').on('data', (d: string) => lines.push(...d.split('\n').filter(Boolean)));
      return new Promise<number | null>((res) => c.on('close', (code) => res(code)));
    });
    for (let r = 0; r < ROUNDS; r++) {
      const dir = join(work, `r${r}`);
      mkdirSync(dir);
      const kind = STALE[r % STALE.length]!;
      kind.write(join(dir, 'state.json.lock'));
      writeFileSync(join(dir, 'go'), '');
      const mine = () => lines.filter((l) => l.startsWith(`${r} `)).map((l) => l.slice(String(r).length + 1));
      const t0 = Date.now();
      while (mine().length < PROCESSES && Date.now() - t0 < 20_000) await new Promise((res) => setTimeout(res, 2));
      const said = mine();
      expect(said.length, `round ${r} (${kind.id}): ${said.join(', ')}`).toBe(PROCESSES);
      expect(said.filter((l) => l === 'WON').length, `round ${r} (${kind.id}): ${said.join(', ')}`).toBe(1);
      // Every other process was refused with the usual message.
      expect(said.filter((l) => l !== 'WON')).toEqual(Array(PROCESSES - 1).fill('REFUSED true'));
      // The winner's lock is the one on disk, whole; no takeover claim or temp file is left.
      expect(JSON.parse(readFileSync(join(dir, 'state.json.lock'), 'utf8')).command).toBe('race');
      expect(readdirSync(dir).filter((f) => /takeover|\.tmp$/.test(f))).toEqual([]);
      writeFileSync(join(dir, 'end'), '');
    }
    expect(await Promise.all(racers)).toEqual(Array(PROCESSES).fill(0));
  }, 240_000);
});

describe('the built CLI', () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmu({ scenario: SCENARIO });
  });
  afterAll(async () => {
    await emu.stop();
  });

  test('a lock from another hostname, silent for 2 minutes, is taken over; the same lock fresh is respected', async () => {
    const dir = scratchDir('ss-lock-');
    const lockPath = join(dir, 'secure-start.state.json.lock');
    STALE[1]!.write(lockPath);
    // No credentials: the run gets past the lock and stops at the credentials, releasing it.
    const r = await runCli(['--yes', '--config', BASIC_CONFIG], { dir });
    expect(r.code, explain(r)).toBe(2);
    expect(r.stderr).not.toContain('Another secure-start run');
    expect(r.stderr).toContain('No AWS credentials');
    expect(existsSync(lockPath), 'the taken-over lock is released at the end').toBe(false);

    writeFileSync(
      lockPath,
      JSON.stringify({ pid: 7, host: 'container-3f9a1c', startedAt: 'now', command: 'secure-start', token: 'c3d4' }),
    );
    const refused = await runCli(['--yes', '--config', BASIC_CONFIG], { dir });
    expect(refused.code, explain(refused)).toBe(2);
    expect(refused.stderr).toMatch(
      /Another secure-start run is using .* \(pid 7 on container-3f9a1c, .*last seen \d+ s ago\)[\s\S]*taken over 60 s after/,
    );
    expect(JSON.parse(readFileSync(lockPath, 'utf8')).token).toBe('c3d4');
    removeDir(dir);
  });

  test('CLI runs racing over a lock left by a SIGKILLed run: exactly one proceeds (3 rounds of 4)', async () => {
    const dir = scratchDir('ss-lock-');
    const lockPath = join(dir, 'secure-start.state.json.lock');
    // The first holder: a run killed while holding its lock.
    resetWorld(emu);
    emu.hold({ nth: 1, when: 'before' });
    let holder = spawnCli(APPLY, { emu, dir });
    await emu.waitForHold(30_000);
    for (let r = 0; r < 3; r++) {
      holder.child.kill('SIGKILL');
      await holder.done;
      emu.release();
      expect(existsSync(lockPath), 'SIGKILL leaves the lock').toBe(true);
      resetWorld(emu);
      emu.hold({ nth: 1, when: 'before' });
      const runs = Array.from({ length: 4 }, () => spawnCli(APPLY, { emu, dir, timeoutMs: 90_000 }));
      await emu.waitForHold(60_000);
      // Everyone but the winner is refused and ends; the winner stays, held in its first change.
      const ended: (CliResult | null)[] = runs.map(() => null);
      runs.forEach((x, i) => void x.done.then((res) => (ended[i] = res)));
      const t0 = Date.now();
      while (ended.filter(Boolean).length < 3 && Date.now() - t0 < 20_000)
        await new Promise((res) => setTimeout(res, 50));
      await new Promise((res) => setTimeout(res, 1_000)); // a second winner would have ended by now too
      const refused = ended.filter((e) => e !== null);
      expect(refused.length, `round ${r}: ${refused.map((e) => explain(e!)).join('\n')}`).toBe(3);
      for (const e of refused) {
        expect(e!.code, explain(e!)).toBe(2);
        expect(e!.stderr).toContain('Another secure-start run is using');
      }
      holder = runs[ended.indexOf(null)]!;
      expect(JSON.parse(readFileSync(lockPath, 'utf8')).pid).toBe(holder.child.pid);
    }
    holder.child.kill('SIGKILL');
    await holder.done;
    emu.release();
    removeDir(dir);
  }, 240_000);

  test('a live run keeps its lock fresh; if another run takes it over anyway, it stops (exit 1) and leaves the new lock alone', async () => {
    resetWorld(emu);
    emu.hold({ nth: 3, when: 'before' });
    const run = spawnCli(APPLY, { emu, timeoutMs: 90_000 });
    await emu.waitForHold(30_000);
    const lockPath = join(run.dir, 'secure-start.state.json.lock');
    const m0 = statSync(lockPath).mtimeMs;
    await new Promise((res) => setTimeout(res, 6_000));
    expect(statSync(lockPath).mtimeMs, 'no heartbeat in 6 s').toBeGreaterThan(m0);

    // Another run took it over (as if this one had been paused for minutes).
    const theirs = JSON.stringify({
      pid: 1,
      host: 'other-shell',
      startedAt: 'now',
      command: 'secure-start',
      token: 'ffff',
    });
    writeFileSync(lockPath, theirs);
    let err = '';
    run.child.stderr!.on('data', (d) => (err += d));
    const t0 = Date.now();
    while (!/took over the lock/.test(err) && Date.now() - t0 < 15_000)
      await new Promise((res) => setTimeout(res, 100));
    emu.release();
    const r = await run.done;
    expect(r.code, explain(r)).toBe(1);
    expect(r.stderr).toMatch(/Another secure-start run took over the lock[\s\S]*Stopping after the calls already sent/);
    expect(r.stdout).toMatch(/Stopped by another run taking over the lock/);
    expect(readFileSync(lockPath, 'utf8')).toBe(theirs);
    removeDir(run.dir);
  }, 90_000);
});
