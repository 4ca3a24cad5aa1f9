// Two runs on one state file: the second refuses and names the lock holder; a lock left by a
// SIGKILLed run (or a half-written lock long abandoned) is taken over, and the bootstrap then
// finishes with exactly one of everything. (Takeover races and other hostnames:
// lock-takeover.test.ts.)
import { beforeAll, beforeEach, expect, test } from 'vitest';
import { existsSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { explain, runCli, scratchDir, spawnCli, startEmu, type Emulator } from '../helpers/harness.js';
import { APPLY, resetWorld, resourceCounts, SCENARIO, snapshot, prepareWorld } from '../helpers/crash.js';
import { SecretScan, scanAndStopAfterAll } from '../helpers/scan.js';

let emu: Emulator;
let clean: any;
let cleanCounts: Record<string, number>;
const secrets = new SecretScan();

beforeAll(async () => {
  emu = await startEmu({ scenario: SCENARIO });
  prepareWorld(emu);
  const r = await runCli(APPLY, { emu });
  expect(r.code, explain(r)).toBe(0);
  clean = snapshot(emu);
  cleanCounts = resourceCounts(emu.state());
});
beforeEach(() => resetWorld(emu));
scanAndStopAfterAll(secrets, () => [emu]);

test('a second run on the same state file refuses, naming the running one; the first finishes', async () => {
  // Keep the first run alive, holding its lock, by pausing its 3rd change.
  emu.hold({ nth: 3, when: 'before' });
  const first = spawnCli(APPLY, { emu });
  await emu.waitForHold(30_000);
  const lock = JSON.parse(readFileSync(`${first.dir}/secure-start.state.json.lock`, 'utf8'));
  expect(lock.pid).toBe(first.child.pid);

  for (const args of [APPLY, [...APPLY, '--verbose']]) {
    const second = await runCli(args, { emu, dir: first.dir });
    secrets.run(second);
    expect(second.code, explain(second)).toBe(2);
    expect(second.stderr).toContain(`Another secure-start run is using`);
    expect(second.stderr).toContain(`pid ${first.child.pid} on ${hostname()}`);
    expect(second.stderr).toMatch(
      /Wait for it to finish; if it is gone, its lock is taken over 60 s after it was last seen, or delete .*\.lock/,
    );
  }
  // The refused runs did not take or remove the first run's lock.
  expect(JSON.parse(readFileSync(`${first.dir}/secure-start.state.json.lock`, 'utf8')).pid).toBe(first.child.pid);

  emu.release();
  const r = await first.done;
  secrets.run(r);
  expect(r.code, explain(r)).toBe(0);
  expect(existsSync(`${first.dir}/secure-start.state.json.lock`)).toBe(false);
  expect(snapshot(emu)).toEqual(clean);
});

test('a lock left by a SIGKILLed run is taken over and the bootstrap completes once', async () => {
  emu.hold({ nth: 5, when: 'after' });
  const dead = spawnCli(APPLY, { emu });
  await emu.waitForHold(30_000);
  dead.child.kill('SIGKILL');
  await dead.done;
  emu.release();
  const lockPath = `${dead.dir}/secure-start.state.json.lock`;
  expect(existsSync(lockPath), 'SIGKILL leaves the lock behind').toBe(true);
  expect(JSON.parse(readFileSync(lockPath, 'utf8')).pid).toBe(dead.child.pid);

  const r = await runCli(APPLY, { emu, dir: dead.dir });
  secrets.run(r);
  expect(r.code, explain(r)).toBe(0);
  expect(existsSync(lockPath)).toBe(false);
  expect(resourceCounts(emu.state())).toEqual(cleanCounts);
  expect(snapshot(emu)).toEqual(clean);
});

test('a half-written lock is respected while fresh and taken over once it is a minute old', async () => {
  const dir = scratchDir('ss-lock-');
  const lockPath = `${dir}/secure-start.state.json.lock`;
  writeFileSync(lockPath, '{"pid": 12'); // the holder died while writing it
  const refused = await runCli(APPLY, { emu, dir });
  expect(refused.code, explain(refused)).toBe(2);
  expect(refused.stderr).toContain('Another secure-start run is using');
  expect(refused.calls).toEqual([]);

  const old = Date.now() / 1000 - 120;
  utimesSync(lockPath, old, old);
  const r = await runCli(APPLY, { emu, dir });
  expect(r.code, explain(r)).toBe(0);
  expect(existsSync(lockPath)).toBe(false);
  expect(snapshot(emu)).toEqual(clean);
});

test('a lock of a run on another host that is still alive (touched just now) is not taken over', async () => {
  const dir = scratchDir('ss-lock-');
  const lockPath = `${dir}/secure-start.state.json.lock`;
  writeFileSync(
    lockPath,
    JSON.stringify({ pid: 1, host: 'laptop-of-cofounder', startedAt: '2026-11-23T09:00:00Z', command: 'secure-start' }),
  );
  const r = await runCli(APPLY, { emu, dir });
  expect(r.code, explain(r)).toBe(2);
  expect(r.stderr).toContain('pid 1 on laptop-of-cofounder');
  expect(readFileSync(lockPath, 'utf8')).toContain('laptop-of-cofounder');
  expect(r.calls).toEqual([]);
});
