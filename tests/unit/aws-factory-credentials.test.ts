// Member-account credentials in the client factory, against the emulator over real HTTP:
// one AssumeRole per account however many clients start at once, and AssumeRole counts
// against sts's in-flight budget (found by the API-economy benchmark, bench/economy.mjs).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../emulator/index.js';
import { AwsFactory } from '../../aws/factory.js';

let emu: Emulator;
let members: string[];
beforeAll(async () => {
  emu = await startEmulator({
    scenario: {
      base: 'org-exists',
      principal: 'iam-user',
      members: Array.from({ length: 12 }, (_, i) => ({ name: `m${i}`, email: `m${i}@example.com` })),
    },
  });
  Object.assign(process.env, emu.env());
  members = Object.keys(emu.world.accounts).filter(
    (id) => id !== emu.world.homeAccountId && emu.world.accounts[id]!.roles.OrganizationAccountAccessRole,
  );
});
afterAll(() => emu.stop());

describe('AwsFactory member credentials', () => {
  it('assumes the role once per account when several service clients start at the same moment', async () => {
    emu.clearCalls();
    const aws = new AwsFactory({ region: 'us-east-1', readOnly: true });
    const account = members[0]!;
    await Promise.all([
      aws.call('iam', 'GetAccountSummary', {}, { account }),
      aws.call('ec2', 'GetEbsEncryptionByDefault', {}, { account }),
      aws
        .call('account', 'GetAlternateContact', { AlternateContactType: 'BILLING' }, { account })
        .catch(() => undefined),
      aws.call('iam', 'GetAccountSummary', {}, { account, region: 'eu-west-1' }),
    ]);
    expect(emu.calls({ service: 'sts', operation: 'AssumeRole' })).toHaveLength(1);
  });

  it('keeps AssumeRole within the per-service in-flight budget', async () => {
    emu.clearCalls();
    emu.setFaults([{ service: 'sts', operation: 'AssumeRole', kind: 'latency', delayMs: 40 }]);
    const aws = new AwsFactory({ region: 'us-east-1', readOnly: true, maxInFlightPerService: 3 });
    // Different services per account: their slots do not bound the AssumeRole calls, sts's must.
    const services = [
      (account: string) => aws.call('iam', 'GetAccountSummary', {}, { account }),
      (account: string) => aws.call('ec2', 'GetEbsEncryptionByDefault', {}, { account }),
      (account: string) =>
        aws.call('s3-control', 'GetPublicAccessBlock', { AccountId: account }, { account }).catch(() => undefined),
    ];
    await Promise.all(members.map((account, i) => services[i % services.length]!(account)));
    emu.clearFaults();
    expect(emu.calls({ service: 'sts', operation: 'AssumeRole' })).toHaveLength(members.length);
    expect(emu.inFlightPeaks().sts).toBeLessThanOrEqual(3);
    expect(emu.inFlightPeaks().sts).toBeGreaterThan(1);
  });
});
