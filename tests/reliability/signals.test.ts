// SIGTERM (a container, a CI job or a cloud shell being stopped) and SIGHUP (the terminal
// closed) stop a run the way Ctrl-C does: the call already sent is let through and answered,
// the state is saved, the run says how to resume, releases its lock and exits 128 + the
// signal's number (143, 129). A second signal quits at once, still saving and unlocking.
// Each stopped run is resumed to the same world as an uninterrupted bootstrap.
import { describe, expect, test } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { crashAt, explain, resetWorld, resourceCounts, resume, snapshot, APPLY } from '../helpers/crash.js';
import { spawnCli } from '../helpers/harness.js';
import { SecretScan, scanAndStopAfterAll } from '../helpers/scan.js';
import { stateSchema } from '../../state/store.js';
import { cleanRun } from './crash-matrix.js';

const clean = await cleanRun();
const emu = clean.emu;
const secrets = new SecretScan();
scanAndStopAfterAll(secrets, () => [emu]);

const validState = (path: string) => {
  const parsed = stateSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
  return parsed.data!;
};

async function resumed(dir: string, what: string): Promise<void> {
  const r = await resume(emu, dir);
  secrets.run(r, `${what} resumed`);
  expect(r.code, `${what}: resume failed\n${explain(r)}`).toBe(0);
  expect(resourceCounts(emu.state())).toEqual(clean.counts);
  expect(snapshot(emu)).toEqual(clean.world);
}

describe('SIGTERM and SIGHUP behave like Ctrl-C', () => {
  for (const [signal, code, k] of [
    ['SIGTERM', 143, Math.floor(clean.n / 3)],
    ['SIGHUP', 129, Math.floor((2 * clean.n) / 3)],
  ] as const) {
    test(`${signal} at mutating call ${k}: the call sent is answered, state saved, how to resume, lock released, exit ${code}; resumed to the same world`, async () => {
      resetWorld(emu);
      const stop = await crashAt(emu, { k, when: 'before' }, { signal, timeoutMs: 170_000 });
      expect(stop.held, `the run ended before its mutating call ${k}`).toBe(true);
      secrets.run(stop.run, `${signal} at ${k}`);
      expect(stop.run.signal, explain(stop.run)).toBeNull(); // it exited by itself, not killed by the signal
      expect(stop.run.code, explain(stop.run)).toBe(code);
      expect(stop.run.stderr).toMatch(new RegExp(`Stopping after the calls already sent… \\(${signal}`));
      expect(stop.run.stdout).toMatch(new RegExp(`Stopped by ${signal}\\. Nothing is lost: progress is saved in`));
      expect(stop.run.stdout).toMatch(/Run `npx secure-start` again to carry on where it stopped/);
      // The held call was let through and its answer recorded: it is in the journal.
      const state = validState(stop.run.statePath);
      expect(state.journal.length).toBeGreaterThanOrEqual(k);
      expect(existsSync(`${stop.run.statePath}.lock`), 'lock left behind').toBe(false);
      await resumed(stop.run.dir, `${signal} at ${k}`);
    }, 400_000);
  }

  test('SIGTERM under --json: the events stop, stderr says how to resume, exit 143', async () => {
    resetWorld(emu);
    const k = Math.floor(clean.n / 2);
    emu.hold({ nth: k, when: 'before' });
    const run = spawnCli([...APPLY, '--json'], { emu, timeoutMs: 170_000 });
    await emu.waitForHold(60_000);
    run.child.kill('SIGTERM');
    emu.release();
    const r = await run.done;
    secrets.run(r, 'json SIGTERM');
    expect(r.code, explain(r)).toBe(143);
    expect(r.stderr).toMatch(
      /Stopped by SIGTERM\. Progress is saved in .*; run `npx secure-start` again to carry on where it stopped/,
    );
    const events = r.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    expect(events.some((e) => e.type === 'step-done' && e.status === 'interrupted')).toBe(true);
    validState(r.statePath);
    expect(existsSync(`${r.statePath}.lock`)).toBe(false);
  }, 400_000);

  test('a second SIGTERM quits at once: the state file is whole, the lock released, exit 143; resumed to the same world', async () => {
    resetWorld(emu);
    const k = Math.floor(clean.n / 4);
    emu.hold({ nth: k, when: 'before' });
    const run = spawnCli(APPLY, { emu, timeoutMs: 170_000 });
    await emu.waitForHold(60_000);
    run.child.kill('SIGTERM');
    await new Promise((res) => setTimeout(res, 300));
    run.child.kill('SIGTERM');
    const r = await run.done; // the held call is still held: this run did not wait for it
    emu.release();
    secrets.run(r, 'double SIGTERM');
    expect(r.code, explain(r)).toBe(143);
    expect(r.stderr).toMatch(/Stopped by SIGTERM\. Progress is saved in/);
    validState(r.statePath);
    expect(existsSync(`${r.statePath}.lock`)).toBe(false);
    await resumed(r.dir, 'double SIGTERM');
  }, 400_000);
});
