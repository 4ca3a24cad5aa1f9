// Ctrl-C (SIGINT) at every crash point of the matrix (every mutating call of the bootstrap):
// the CLI lets the call it already sent answer, says how to resume, exits 130 and leaves a
// valid state file with nothing it still waits for unrecorded. The "before" and "after" hold
// positions are the same moment for a Ctrl-C (the held call is let through so the CLI can
// finish it), so each point is interrupted once. Every sixth point is also resumed to the end
// and compared with the uninterrupted run (the SIGKILL matrix resumes all of them). EBS
// encryption's points are interrupted in crash-matrix-ebs.test.ts (RELIABILITY_CONFIG).
import { expect, test } from 'vitest';
import { SecretScan, scanAndStopAfterAll } from '../helpers/scan.js';
import { cleanRun, crashKs, defineCtrlCCases, EmulatorPool, moreEmulators, SAMPLE_OVER } from './crash-matrix.js';

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

defineCtrlCCases('Ctrl-C at mutating call k', clean, points, pool, secrets);
