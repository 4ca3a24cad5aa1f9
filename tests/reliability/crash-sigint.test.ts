// Ctrl-C (SIGINT) at every crash point of the matrix (every mutating call of the bootstrap):
// the CLI lets the call it already sent answer, says how to resume, exits 130 and leaves a
// valid state file with nothing it still waits for unrecorded. The "before" and "after" hold
// positions are the same moment for a Ctrl-C (the held call is let through so the CLI can
// finish it), so each point is interrupted once. Every sixth point is also resumed to the end
// and compared with the uninterrupted run (the SIGKILL matrix resumes all of them).
import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { crashAt, explain, resetWorld, resourceCounts, resume, snapshot } from '../helpers/crash.js';
import { SecretScan, scanAndStopAfterAll } from '../helpers/scan.js';
import { stateSchema } from '../../state/store.js';
import { cleanRun, crashKs, EmulatorPool, moreEmulators, SAMPLE_OVER } from './crash-matrix.js';

const clean = await cleanRun(undefined, { converge: true });
const pool = new EmulatorPool([clean.emu, ...(await moreEmulators())]);
const secrets = new SecretScan();
scanAndStopAfterAll(secrets, () => pool.all);

const points = crashKs(clean.ops, clean.accounts).map((k, i) => ({
  k,
  when: i % 2 ? ('after' as const) : ('before' as const),
  resume: i % 6 === 0,
}));

test(`every one of the ${clean.n} mutating calls is a Ctrl-C point (a kind repeated more than ${SAMPLE_OVER} times: its first and last in each account)`, () => {
  expect(clean.n).toBeGreaterThan(50);
  expect(points.map((p) => p.k)).toEqual(crashKs(clean.ops, clean.accounts));
});

describe.concurrent('Ctrl-C at mutating call k', () => {
  test.each(points.map((p) => ({ ...p, name: `k=${p.k}${p.resume ? ', then resumed' : ''}` })))(
    '$name',
    (p) =>
      pool.use(async (emu) => {
        resetWorld(emu);
        const stop = await crashAt(emu, { k: p.k, when: p.when }, { signal: 'SIGINT', timeoutMs: 170_000 });
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
        const r = await resume(emu, stop.run.dir);
        secrets.run(r, `k=${p.k} resumed`);
        expect(r.code, `interrupted at ${stop.call}, resume failed\n${explain(r)}`).toBe(0);
        expect(resourceCounts(emu.state())).toEqual(clean.counts);
        expect(snapshot(emu)).toEqual(clean.world);
      }),
    400_000,
  );
});
