// Amazon EC2 (ec2Query) through the real SDK v3 client: EBS encryption by default, kept per
// account AND per region, DryRun, AWS-shaped errors (<Response><Errors>), RequestLimitExceeded.
import { describe, expect, it } from 'vitest';
import {
  DescribeInstancesCommand,
  DescribeRegionsCommand,
  DisableEbsEncryptionByDefaultCommand,
  EC2Client,
  EnableEbsEncryptionByDefaultCommand,
  GetEbsEncryptionByDefaultCommand,
} from '@aws-sdk/client-ec2';
import { errorOf, useEmulator, type Creds } from '../helpers/emulator-sdk.js';

const sdk = useEmulator();
const { emu } = sdk;

const ec2 = (region = 'eu-west-1', credentials?: Creds) => sdk.client(EC2Client, { region, credentials });

const isOn = async (c: EC2Client) => (await c.send(new GetEbsEncryptionByDefaultCommand({}))).EbsEncryptionByDefault;

describe('EBS encryption by default', () => {
  it('is off on a new account, turned on and off per region', async () => {
    const eu = ec2('eu-west-1');
    const us = ec2('us-east-1');
    expect(await isOn(eu)).toBe(false);
    const get = await eu.send(new GetEbsEncryptionByDefaultCommand({}));
    expect(get.SseType).toBe('sse-ebs');
    expect((await eu.send(new EnableEbsEncryptionByDefaultCommand({}))).EbsEncryptionByDefault).toBe(true);
    expect(await isOn(eu)).toBe(true);
    // Another region of the same account is untouched.
    expect(await isOn(us)).toBe(false);
    expect((await eu.send(new DisableEbsEncryptionByDefaultCommand({}))).EbsEncryptionByDefault).toBe(false);
    expect(await isOn(eu)).toBe(false);
    expect(emu.calls({ service: 'ec2' }).map((c) => [c.operation, c.region, c.mutating])).toEqual([
      ['GetEbsEncryptionByDefault', 'eu-west-1', false],
      ['GetEbsEncryptionByDefault', 'eu-west-1', false],
      ['EnableEbsEncryptionByDefault', 'eu-west-1', true],
      ['GetEbsEncryptionByDefault', 'eu-west-1', false],
      ['GetEbsEncryptionByDefault', 'us-east-1', false],
      ['DisableEbsEncryptionByDefault', 'eu-west-1', true],
      ['GetEbsEncryptionByDefault', 'eu-west-1', false],
    ]);
  });

  it('is per account: a member account has its own setting', async () => {
    const { member } = await sdk.orgWithMember();
    await ec2('eu-west-1', emu.credentials(member)).send(new EnableEbsEncryptionByDefaultCommand({}));
    expect(await isOn(ec2('eu-west-1', emu.credentials(member)))).toBe(true);
    expect(await isOn(ec2('eu-west-1'))).toBe(false);
  });

  it('DryRun answers DryRunOperation (412) and changes nothing', async () => {
    const eu = ec2();
    expect(await errorOf(eu.send(new EnableEbsEncryptionByDefaultCommand({ DryRun: true })))).toMatchObject({
      name: 'DryRunOperation',
      status: 412,
    });
    expect(await isOn(eu)).toBe(false);
    expect((await errorOf(eu.send(new GetEbsEncryptionByDefaultCommand({ DryRun: true })))).name).toBe(
      'DryRunOperation',
    );
  });

  it('throttling is RequestLimitExceeded (503); access denied is UnauthorizedOperation (403)', async () => {
    const eu = ec2();
    emu.setFaults({ rules: [{ service: 'ec2', sequence: ['throttle', 'accessDenied', 'ok'], kind: 'throttle' }] });
    expect(await errorOf(eu.send(new EnableEbsEncryptionByDefaultCommand({})))).toMatchObject({
      name: 'RequestLimitExceeded',
      status: 503,
    });
    expect(await errorOf(eu.send(new EnableEbsEncryptionByDefaultCommand({})))).toMatchObject({
      name: 'UnauthorizedOperation',
      status: 403,
    });
    await eu.send(new EnableEbsEncryptionByDefaultCommand({}));
    expect(await isOn(eu)).toBe(true);
  });

  it('unknown credentials are AuthFailure (401); operations not emulated are InvalidAction', async () => {
    const stranger = ec2('eu-west-1', { accessKeyId: 'AKIANOBODY0000000000', secretAccessKey: 'x' });
    expect(await errorOf(stranger.send(new GetEbsEncryptionByDefaultCommand({})))).toMatchObject({
      name: 'AuthFailure',
      status: 401,
    });
    const e = await errorOf(ec2().send(new DescribeInstancesCommand({})));
    expect(e).toMatchObject({ name: 'InvalidAction', status: 400 });
    expect(e.message).toMatch(/not emulated/);
  });

  it('drift: turned off in one region of one account', async () => {
    const eu = ec2();
    const us = ec2('us-east-1');
    await eu.send(new EnableEbsEncryptionByDefaultCommand({}));
    await us.send(new EnableEbsEncryptionByDefaultCommand({}));
    emu.drift('ec2', 'ebs-encryption-off', { region: 'eu-west-1' });
    expect(await isOn(eu)).toBe(false);
    expect(await isOn(us)).toBe(true);
    expect(() => emu.drift('ec2', 'ebs-encryption-off', {})).toThrow(/needs a region/);
  });
});

describe('regions enabled for the account', () => {
  it('DescribeRegions lists the 17 regions on by default; opt-in regions appear once enabled (AllRegions shows them all with their status)', async () => {
    const eu = ec2();
    const names = async (input = {}) =>
      ((await eu.send(new DescribeRegionsCommand(input))).Regions ?? []).map((r) => r.RegionName).sort();
    const on = await names();
    expect(on).toHaveLength(17);
    expect(on).toContain('eu-west-1');
    expect(on).not.toContain('af-south-1');
    const all = (await eu.send(new DescribeRegionsCommand({ AllRegions: true }))).Regions!;
    expect(all.find((r) => r.RegionName === 'af-south-1')).toMatchObject({
      OptInStatus: 'not-opted-in',
      Endpoint: 'ec2.af-south-1.amazonaws.com',
    });
    expect(all.find((r) => r.RegionName === 'us-east-1')!.OptInStatus).toBe('opt-in-not-required');
    // Calls in a region the account has not enabled fail as AWS does: the credentials are not valid there.
    expect(await errorOf(ec2('af-south-1').send(new GetEbsEncryptionByDefaultCommand({})))).toMatchObject({
      name: 'AuthFailure',
      status: 401,
    });
    emu.drift('ec2', 'region-opt-in', { region: 'af-south-1' });
    expect(await names()).toContain('af-south-1');
    expect(await names({ Filters: [{ Name: 'opt-in-status', Values: ['opted-in'] }] })).toEqual(['af-south-1']);
    await ec2('af-south-1').send(new EnableEbsEncryptionByDefaultCommand({}));
    expect(await isOn(ec2('af-south-1'))).toBe(true);
  });
});
