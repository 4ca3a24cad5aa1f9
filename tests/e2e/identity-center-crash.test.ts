// Issue 5, crash safety of the asynchronous Identity Center calls: the CLI is killed (-9)
// while account assignments are being created. Their request IDs were saved in the state
// file before the wait, so the next run waits on those requests and never asks twice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BASIC_CONFIG,
  explain,
  readState,
  removeDir,
  runCli,
  spawnCli,
  startEmu,
  type CliResult,
  type Emulator,
} from '../helpers/harness.js';

const MGMT = '123456789012';
const args = ['--yes', '--config', BASIC_CONFIG];
const creates = (r: CliResult) =>
  r.mutatingCalls.filter((c) => c.operation === 'CreateAccountAssignment' && c.status === 200).length;

describe('killed while account assignments are being created', () => {
  let emu: Emulator;
  let dir: string | undefined;
  beforeAll(async () => {
    emu = await startEmu({ scenario: 'fresh+iam-user' });
    emu.setRootMfa(true);
    emu.enableIdentityCenter('eu-west-1');
  });
  afterAll(async () => {
    await emu?.stop();
    if (dir) removeDir(dir);
  });

  it(
    'the next run resumes the recorded requests, creates only what was never asked, and ends with all 13',
    { timeout: 150_000 },
    async () => {
      // Long enough that the requests are still running when the next run looks at them.
      emu.setLatency({ overrides: { 'sso-admin:CreateAccountAssignment': { async: { min: 600_000, max: 600_000 } } } });
      const run = spawnCli(args, { emu });
      dir = run.dir;
      let inflight: Record<string, { requestId: string; step: string }> = {};
      const recorded = () => Object.keys(inflight).filter((k) => k.startsWith('assignment:'));
      // One assignment at a time per permission set (Identity Center refuses a second one on a set
      // while one runs): the four sets' first assignments are in flight together.
      for (let i = 0; i < 2400 && recorded().length < 4; i++) {
        await new Promise((res) => setTimeout(res, 25));
        try {
          inflight = readState(run.dir)?.inflight ?? {};
        } catch {
          /* mid-rename */
        }
      }
      run.child.kill('SIGKILL');
      const killed = await run.done;
      expect(recorded().length, explain(killed)).toBe(4);
      expect(
        Object.values(inflight)
          .filter((v) => v.step === 'account-assignments')
          .every((v) => /\S/.test(v.requestId)),
      ).toBe(true);

      emu.setLatency({ profile: 'instant', overrides: {} });
      const next = spawnCli(args, { emu, dir: run.dir });
      // Once the new run has looked for creations still running, let AWS finish the work.
      const start = emu.calls().length ? emu.calls()[emu.calls().length - 1]!.seq : 0;
      let exited = false;
      let looked = false;
      void next.done.then(() => {
        exited = true;
      });
      while (!exited) {
        // (After its last page: finishing mid-listing would hide requests from the IN_PROGRESS
        // filter.) From then on, every creation finishes as soon as it is asked for. The run's
        // observe lists, then describes what it found running; its wait rounds list again and
        // describe nothing while all are running, so the describes follow the FIRST listing (a
        // check against the latest one missed them when a wait round listed within this loop's
        // 50 ms, and the run waited forever).
        const mine = emu.calls().filter((c) => c.seq > start);
        const listed = mine.find((c) => c.operation === 'ListAccountAssignmentCreationStatus');
        looked ||=
          !!listed && mine.some((c) => c.seq > listed.seq && c.operation === 'DescribeAccountAssignmentCreationStatus');
        if (looked) emu.flushAsync();
        await new Promise((res) => setTimeout(res, 50));
      }
      const resumed = await next.done;
      expect(resumed.code, explain(resumed)).toBe(0);
      // Never asked twice: what the killed run asked plus what the resumed run asked is the matrix.
      expect(creates(killed) + creates(resumed)).toBe(13);
      const waited = resumed.calls.filter((c) => c.operation === 'DescribeAccountAssignmentCreationStatus').length;
      expect(waited).toBeGreaterThanOrEqual(recorded().length);
      expect(resumed.stderr + resumed.stdout).toMatch(/already requested \(.+\), wait for it/);
      const admin = (emu.state() as any).stores[MGMT]['sso-admin'];
      expect(admin.assignments).toHaveLength(13);
      expect(Object.keys(readState(resumed.dir).inflight)).toEqual([]);
    },
  );
});
