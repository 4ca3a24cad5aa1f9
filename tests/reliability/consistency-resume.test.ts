// Eventual consistency across a crash (issue 13, behaviour 6): the CLI is killed right after AWS
// made something, and the next run starts while AWS's lists still do not show it. Idempotency
// must not turn that into a duplicate, nor into a failure: the next run reads what the state
// file knows by ID, or, after AWS's "already exists", waits for the list to catch up.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { spawnCli, startEmu, type Emulator } from '../helpers/harness.js';
import { APPLY, SCENARIO, explain, resetWorld, resourceCounts, resume } from '../helpers/crash.js';
import { EmulatorPool, expectBaselineCounts } from './crash-matrix.js';

// Two cases at a time, each on its own emulator.
let pool: EmulatorPool;
beforeAll(async () => {
  pool = new EmulatorPool(await Promise.all([startEmu({ scenario: SCENARIO }), startEmu({ scenario: SCENARIO })]));
});
afterAll(() => Promise.all(pool?.all.map((e) => e.stop()) ?? []));

// Each create the bootstrap makes whose list is eventually consistent in the emulator.
const CREATES = [
  'CreateOrganizationalUnit',
  'CreatePolicy',
  'CreateAccount',
  'CreateGroup',
  'CreateUser',
  'EnableAWSServiceAccess',
];

describe.concurrent('killed right after a create; the next run starts while AWS does not list it yet', () => {
  test.each(CREATES)(
    '%s: no duplicate, no failure',
    (operation) =>
      pool.use(async (emu: Emulator) => {
        resetWorld(emu);
        // Lists miss what was made for 1.5 s: the next run looks well within that.
        emu.setLatency({ behaviours: { consistency: { min: 1500, max: 1500 } } });
        emu.hold({ nth: 1, when: 'after', operation });
        const cli = spawnCli(APPLY, { emu, timeoutMs: 120_000 });
        const held = await emu.waitForHold(60_000);
        expect(held.operation).toBe(operation);
        cli.child.kill('SIGKILL');
        const dead = await cli.done;
        emu.release(); // applied; the answer never reached the killed run
        // What the resume makes itself is listed after the instant profile's few tens of ms again
        // (the created one above stays hidden for its 1.5 s): the case costs one run, not a slow one.
        emu.latency.behaviours = {};
        const r = await resume(emu, dead.dir);
        expect(r.code, explain(r)).toBe(0);
        // Not created again (the second one is refused as a duplicate, or never asked for).
        const again = r.calls.filter((c) => c.operation === operation && c.status === 200);
        const counts = resourceCounts(emu.state());
        expectBaselineCounts(counts);
        expect(counts['identitystore.groups'] ?? 4).toBe(4);
        expect(counts['identitystore.users'] ?? 1).toBe(1);
        if (operation === 'CreateAccount') expect(again.filter((c) => c.errorCode === null)).toHaveLength(3); // only the other three
      }),
    180_000,
  );
});
