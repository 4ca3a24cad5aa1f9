// copyWorld() / restoreWorld(): the crash matrix starts many runs from one instant of another
// run, so a copy must carry that instant whole (pending work and its timing included), share
// nothing with the world it came from, and survive being restored any number of times.
import { describe, expect, it } from 'vitest';
import {
  CreateAccountCommand,
  CreateOrganizationalUnitCommand,
  CreateOrganizationCommand,
  DescribeCreateAccountStatusCommand,
  ListOrganizationalUnitsForParentCommand,
  ListRootsCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { Emulator } from '../../emulator/index.js';
import { useEmulator } from '../helpers/emulator-sdk.js';

// Lists right after writes: eventual consistency has its own tests (behaviours.test.ts).
const sdk = useEmulator({ lenient: ['eventual-consistency', 'throttling'] });
const { emu } = sdk;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function startCreation(o: OrganizationsClient, asyncMs: number): Promise<string> {
  emu.setLatency({ overrides: { 'organizations:CreateAccount': { async: { min: asyncMs, max: asyncMs } } } });
  await o.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
  return (await o.send(new CreateAccountCommand({ AccountName: 'prod', Email: 'ops+prod@acme.example' })))
    .CreateAccountStatus!.Id!;
}
const stateOf = async (o: OrganizationsClient, id: string) =>
  (await o.send(new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: id }))).CreateAccountStatus!;

describe('copyWorld / restoreWorld', () => {
  it('a copy shares nothing with its world, and each restore starts from the same instant', async () => {
    const o = sdk.client(OrganizationsClient);
    await startCreation(o, 0);
    const copy = emu.copyWorld();
    const root = (await o.send(new ListRootsCommand({}))).Roots![0].Id!;
    await o.send(new CreateOrganizationalUnitCommand({ ParentId: root, Name: 'Workloads' }));
    const ous = async () =>
      (await o.send(new ListOrganizationalUnitsForParentCommand({ ParentId: root }))).OrganizationalUnits!.map(
        (u) => u.Name,
      );
    expect(await ous()).toEqual(['Workloads']);

    for (let i = 0; i < 2; i++) {
      emu.restoreWorld(copy);
      expect(emu.calls()).toEqual([]); // calls, faults and holds start afresh, as after a reset
      expect(await ous(), `restore ${i + 1}: a change made after the copy is not in it`).toEqual([]);
      await o.send(new CreateOrganizationalUnitCommand({ ParentId: root, Name: `Run${i}` }));
      expect(await ous()).toEqual([`Run${i}`]);
    }
  });

  it('pending work is carried by the copy, runs on it only, and keeps the time it had left', async () => {
    const o = sdk.client(OrganizationsClient);
    const id = await startCreation(o, 400);
    const copy = emu.copyWorld();
    await sleep(600);
    expect((await stateOf(o, id)).State).toBe('SUCCEEDED'); // the original's own task ran

    // Restored 600 ms after it was taken, the copy's creation still has about 400 ms to go.
    const other = new Emulator({ config: { lenient: ['eventual-consistency', 'throttling'] } });
    await other.listen();
    try {
      other.restoreWorld(copy);
      const o2 = sdk.client(OrganizationsClient, { endpoint: other.url, credentials: other.credentials() });
      expect((await stateOf(o2, id)).State).toBe('IN_PROGRESS');
      await sleep(100);
      expect((await stateOf(o2, id)).State).toBe('IN_PROGRESS');
      await sleep(500);
      const done = await stateOf(o2, id);
      expect(done.State).toBe('SUCCEEDED');
      expect(Object.keys(other.world.accounts)).toContain(done.AccountId);
      // The copy's task changed the copy's world, never the one it was taken from.
      expect(Object.keys(emu.world.accounts).filter((a) => a === done.AccountId).length).toBe(1);
      expect(emu.world.accounts[done.AccountId!]).not.toBe(other.world.accounts[done.AccountId!]);
    } finally {
      await other.stop();
    }
  });

  it('checkpoints number the mutating calls that reach AWS, before and after each is applied', async () => {
    const seen: string[] = [];
    emu.checkpoints((c) => seen.push(`${c.n}:${c.when}:${c.operation}:${Object.keys(emu.world.orgs).length}`));
    const o = sdk.client(OrganizationsClient);
    await o.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    await o.send(new ListRootsCommand({})); // a read is never a crash point
    emu.checkpoints(null);
    await o.send(new CreateAccountCommand({ AccountName: 'prod', Email: 'ops+prod@acme.example' }));
    // Before: nothing applied yet; after: the organization exists, its answer not sent.
    expect(seen).toEqual(['1:before:CreateOrganization:0', '1:after:CreateOrganization:1']);
  });
});
