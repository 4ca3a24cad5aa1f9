// Crashes that are not at a call boundary: SIGKILL at seeded random moments inside the long
// asynchronous waits (CreateAccount IN_PROGRESS, Identity Center assignments/provisioning, a new
// account that AWS is still setting up; made to last a second, or a third of one per Identity
// Center operation since they go one at a time per permission set): the next run ends with
// the same world as an uninterrupted one. Cases run side by side, each on its own emulator.
// Ctrl-C at every crash point is in crash-sigint.test.ts.
import { beforeAll, describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { spawnCli, type Emulator } from '../helpers/harness.js';
import { APPLY, explain, resetWorld, resourceCounts, resume, snapshot } from '../helpers/crash.js';
import { SecretScan, scanAndStopAfterAll } from '../helpers/scan.js';
import { makeRng } from '../../emulator/rng.js'; // seeded: the kill times are random but reproducible
import { cleanRun, EmulatorPool, expectValidStateFile, moreEmulators, type CleanRun } from './crash-matrix.js';

let clean: CleanRun;
let pool: EmulatorPool;
const secrets = new SecretScan();

beforeAll(async () => {
  clean = await cleanRun();
  pool = new EmulatorPool([clean.emu, ...(await moreEmulators())]);
}, 400_000);
scanAndStopAfterAll(secrets, () => pool?.all ?? []);

const SLOW = { async: { min: 1000, max: 1000 } };
const SLOW_SSO = { async: { min: 300, max: 300 } };
type Range = { min: number; max: number };
const WAITS: {
  id: string;
  operation: string;
  overrides: Record<string, typeof SLOW>;
  behaviours?: Record<string, Range>;
}[] = [
  {
    id: 'while CreateAccount is IN_PROGRESS',
    operation: 'CreateAccount',
    overrides: { 'organizations:CreateAccount': SLOW },
  },
  {
    id: 'while Identity Center assignments and provisioning are IN_PROGRESS',
    operation: 'CreateAccountAssignment',
    overrides: { 'sso-admin:CreateAccountAssignment': SLOW_SSO, 'sso-admin:ProvisionPermissionSet': SLOW_SSO },
  },
  {
    // From the first look into a new account (AssumeRole refused) until EC2 and S3 answer in it.
    id: 'while a new account is not ready yet',
    operation: 'AssumeRole',
    overrides: {},
    behaviours: { accountRoleDelay: { min: 500, max: 500 }, accountServicesDelay: { min: 1000, max: 1000 } },
  },
];

describe.concurrent('SIGKILL at a seeded random moment inside a long wait', () => {
  const cases = WAITS.flatMap((w) => [101, 202, 303].map((seed) => ({ ...w, seed, name: `${w.id} (seed ${seed})` })));
  test.each(cases)(
    '$name',
    (c) =>
      pool.use(async (emu: Emulator) => {
        resetWorld(emu);
        emu.setLatency({ profile: 'instant', overrides: c.overrides });
        emu.latency.behaviours = c.behaviours ?? {};
        const delay = Math.floor(makeRng(c.seed)() * 1500);
        const cli = spawnCli(APPLY, { emu, timeoutMs: 170_000 });
        // Wait until the long operation has been asked for, then let a random part of the wait pass.
        const t0 = Date.now();
        while (!emu.calls({ operation: c.operation }).length) {
          if (cli.child.exitCode !== null || Date.now() - t0 > 150_000) break;
          await new Promise((r) => setTimeout(r, 20));
        }
        expect(emu.calls({ operation: c.operation }).length, `the run never reached ${c.operation}`).toBeGreaterThan(0);
        await new Promise((r) => setTimeout(r, delay));
        cli.child.kill('SIGKILL');
        const dead = await cli.done;
        expect(dead.signal, explain(dead)).toBe('SIGKILL');
        expectValidStateFile(dead.statePath);

        const r = await resume(emu, dead.dir);
        secrets.run(r);
        expect(r.code, `killed ${delay} ms into ${c.operation}\n${explain(r)}`).toBe(0);
        emu.flushAsync();
        expect(resourceCounts(emu.state())).toEqual(clean.counts);
        expect(snapshot(emu)).toEqual(clean.world);
        expect(JSON.parse(readFileSync(r.statePath, 'utf8')).inflight).toEqual({});
      }),
    400_000,
  );
});
