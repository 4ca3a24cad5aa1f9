// Default VPCs through the real EC2 client: one per account and region (172.31.0.0/16, an
// attached internet gateway, a default subnet per AZ), made on first use; deleting them in the
// order EC2 demands (DependencyViolation otherwise); CreateDefaultVpc; drift hooks.
import { describe, expect, it } from 'vitest';
import {
  CreateDefaultVpcCommand,
  DeleteInternetGatewayCommand,
  DeleteSubnetCommand,
  DeleteVpcCommand,
  DescribeInternetGatewaysCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  DetachInternetGatewayCommand,
  EC2Client,
  EnableEbsEncryptionByDefaultCommand,
  GetEbsEncryptionByDefaultCommand,
} from '@aws-sdk/client-ec2';
import { errorOf, useEmulator, type Creds } from '../helpers/emulator-sdk.js';

const sdk = useEmulator();
const { emu } = sdk;
const ec2 = (region = 'eu-west-1', credentials?: Creds) => sdk.client(EC2Client, { region, credentials });

async function defaultVpc(c: EC2Client) {
  const vpcs =
    (await c.send(new DescribeVpcsCommand({ Filters: [{ Name: 'isDefault', Values: ['true'] }] }))).Vpcs ?? [];
  return vpcs[0];
}

/** Deletes the default VPC the way the baseline must: subnets, gateway (detach, delete), VPC. */
async function deleteDefaultVpc(c: EC2Client, vpcId: string) {
  const subnets =
    (await c.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }))).Subnets ?? [];
  for (const s of subnets) await c.send(new DeleteSubnetCommand({ SubnetId: s.SubnetId! }));
  const igws =
    (await c.send(new DescribeInternetGatewaysCommand({ Filters: [{ Name: 'attachment.vpc-id', Values: [vpcId] }] })))
      .InternetGateways ?? [];
  for (const g of igws) {
    await c.send(new DetachInternetGatewayCommand({ InternetGatewayId: g.InternetGatewayId!, VpcId: vpcId }));
    await c.send(new DeleteInternetGatewayCommand({ InternetGatewayId: g.InternetGatewayId! }));
  }
  await c.send(new DeleteVpcCommand({ VpcId: vpcId }));
}

describe('default VPC', () => {
  it('exists in every region of every account, with a gateway and a default subnet per AZ', async () => {
    const eu = ec2();
    const vpc = (await defaultVpc(eu))!;
    expect(vpc).toMatchObject({
      CidrBlock: '172.31.0.0/16',
      IsDefault: true,
      State: 'available',
      OwnerId: '123456789012',
    });
    expect(vpc.VpcId).toMatch(/^vpc-[0-9a-f]{17}$/);
    const subnets = (
      await eu.send(
        new DescribeSubnetsCommand({
          Filters: [
            { Name: 'vpc-id', Values: [vpc.VpcId!] },
            { Name: 'default-for-az', Values: ['true'] },
          ],
        }),
      )
    ).Subnets!;
    expect(subnets.map((s) => [s.AvailabilityZone, s.CidrBlock, s.DefaultForAz, s.MapPublicIpOnLaunch])).toEqual([
      ['eu-west-1a', '172.31.0.0/20', true, true],
      ['eu-west-1b', '172.31.16.0/20', true, true],
      ['eu-west-1c', '172.31.32.0/20', true, true],
    ]);
    const igws = (
      await eu.send(
        new DescribeInternetGatewaysCommand({ Filters: [{ Name: 'attachment.vpc-id', Values: [vpc.VpcId!] }] }),
      )
    ).InternetGateways!;
    expect(igws).toHaveLength(1);
    expect(igws[0]!.Attachments).toEqual([{ VpcId: vpc.VpcId, State: 'available' }]);
    expect(
      (await eu.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'vpc-id', Values: [vpc.VpcId!] }] })))
        .NetworkInterfaces,
    ).toEqual([]);
    // Another region and another account have their own (deterministic: same ID on the next read).
    const us = (await defaultVpc(ec2('us-east-1')))!;
    expect(us.VpcId).not.toBe(vpc.VpcId);
    expect((await defaultVpc(eu))!.VpcId).toBe(vpc.VpcId);
    const { member } = await sdk.orgWithMember();
    const theirs = (await defaultVpc(ec2('eu-west-1', emu.credentials(member))))!;
    expect(theirs.OwnerId).toBe(member);
    expect(theirs.VpcId).not.toBe(vpc.VpcId);
  });

  it('DeleteVpc is DependencyViolation while a subnet or the attached gateway remains; the right order works', async () => {
    const eu = ec2();
    const vpcId = (await defaultVpc(eu))!.VpcId!;
    expect(await errorOf(eu.send(new DeleteVpcCommand({ VpcId: vpcId })))).toMatchObject({
      name: 'DependencyViolation',
      status: 400,
    });
    const subnets = (await eu.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] })))
      .Subnets!;
    for (const s of subnets.slice(0, 2)) await eu.send(new DeleteSubnetCommand({ SubnetId: s.SubnetId! }));
    // One subnet left: still refused.
    expect((await errorOf(eu.send(new DeleteVpcCommand({ VpcId: vpcId })))).name).toBe('DependencyViolation');
    await eu.send(new DeleteSubnetCommand({ SubnetId: subnets[2]!.SubnetId! }));
    // The gateway is still attached: the VPC and the gateway both refuse to go.
    expect((await errorOf(eu.send(new DeleteVpcCommand({ VpcId: vpcId })))).name).toBe('DependencyViolation');
    const igw = (
      await eu.send(new DescribeInternetGatewaysCommand({ Filters: [{ Name: 'attachment.vpc-id', Values: [vpcId] }] }))
    ).InternetGateways![0]!.InternetGatewayId!;
    expect((await errorOf(eu.send(new DeleteInternetGatewayCommand({ InternetGatewayId: igw })))).name).toBe(
      'DependencyViolation',
    );
    await eu.send(new DetachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpcId }));
    expect(
      (await errorOf(eu.send(new DetachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpcId })))).name,
    ).toBe('Gateway.NotAttached');
    await eu.send(new DeleteInternetGatewayCommand({ InternetGatewayId: igw }));
    await eu.send(new DeleteVpcCommand({ VpcId: vpcId }));
    expect(await defaultVpc(eu)).toBeUndefined();
    // Gone for good: NotFound codes, and the other region is untouched.
    expect(await errorOf(eu.send(new DeleteVpcCommand({ VpcId: vpcId })))).toMatchObject({
      name: 'InvalidVpcID.NotFound',
      status: 400,
    });
    expect((await errorOf(eu.send(new DescribeVpcsCommand({ VpcIds: [vpcId] })))).name).toBe('InvalidVpcID.NotFound');
    expect((await errorOf(eu.send(new DeleteSubnetCommand({ SubnetId: subnets[0]!.SubnetId! })))).name).toBe(
      'InvalidSubnetID.NotFound',
    );
    expect((await errorOf(eu.send(new DeleteInternetGatewayCommand({ InternetGatewayId: igw })))).name).toBe(
      'InvalidInternetGatewayID.NotFound',
    );
    expect(await defaultVpc(ec2('us-east-1'))).toBeDefined();
  });

  it('DeleteSubnet is DependencyViolation while a network interface is in it (drift: something uses the VPC)', async () => {
    const eu = ec2();
    const vpcId = (await defaultVpc(eu))!.VpcId!;
    const added = emu.drift('ec2', 'network-interface-added', {
      region: 'eu-west-1',
      subnet: 'eu-west-1b',
      publicIp: true,
    }) as { subnetId: string; networkInterfaceId: string };
    const enis = (
      await eu.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }))
    ).NetworkInterfaces!;
    expect(enis.map((e) => [e.NetworkInterfaceId, e.SubnetId, e.AvailabilityZone])).toEqual([
      [added.networkInterfaceId, added.subnetId, 'eu-west-1b'],
    ]);
    expect(await errorOf(eu.send(new DeleteSubnetCommand({ SubnetId: added.subnetId })))).toMatchObject({
      name: 'DependencyViolation',
      status: 400,
    });
    // A public address mapped in the VPC keeps the gateway attached too.
    const igw = (
      await eu.send(new DescribeInternetGatewaysCommand({ Filters: [{ Name: 'attachment.vpc-id', Values: [vpcId] }] }))
    ).InternetGateways![0]!.InternetGatewayId!;
    expect(
      (await errorOf(eu.send(new DetachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpcId })))).name,
    ).toBe('DependencyViolation');
    // The other subnets can go; the VPC cannot.
    const others = (
      await eu.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }))
    ).Subnets!.filter((s) => s.SubnetId !== added.subnetId);
    for (const s of others) await eu.send(new DeleteSubnetCommand({ SubnetId: s.SubnetId! }));
    expect((await errorOf(eu.send(new DeleteVpcCommand({ VpcId: vpcId })))).name).toBe('DependencyViolation');
  });

  it('CreateDefaultVpc is DefaultVpcAlreadyExists while one exists, and recreates a deleted one with new IDs', async () => {
    const eu = ec2();
    const old = (await defaultVpc(eu))!.VpcId!;
    expect(await errorOf(eu.send(new CreateDefaultVpcCommand({})))).toMatchObject({
      name: 'DefaultVpcAlreadyExists',
      status: 400,
    });
    await deleteDefaultVpc(eu, old);
    const made = (await eu.send(new CreateDefaultVpcCommand({}))).Vpc!;
    expect(made).toMatchObject({ IsDefault: true, CidrBlock: '172.31.0.0/16' });
    expect(made.VpcId).not.toBe(old);
    expect(
      (await eu.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [made.VpcId!] }] }))).Subnets,
    ).toHaveLength(3);
    // Drift: someone recreates it after the baseline deleted it.
    await deleteDefaultVpc(eu, made.VpcId!);
    expect(() => emu.drift('ec2', 'default-vpc-recreated', { region: 'us-east-1' })).toThrow(/already exists/);
    const again = emu.drift('ec2', 'default-vpc-recreated', { region: 'eu-west-1' }) as { vpcId: string };
    expect((await defaultVpc(eu))!.VpcId).toBe(again.vpcId);
  });

  it('filters and DryRun behave as EC2 does; EBS encryption by default still works beside it', async () => {
    const eu = ec2();
    expect(
      (await errorOf(eu.send(new DescribeVpcsCommand({ Filters: [{ Name: 'colour', Values: ['blue'] }] })))).name,
    ).toBe('InvalidParameterValue');
    expect(
      (await eu.send(new DescribeVpcsCommand({ Filters: [{ Name: 'isDefault', Values: ['false'] }] }))).Vpcs,
    ).toEqual([]);
    expect((await errorOf(eu.send(new DeleteVpcCommand({ VpcId: 'vpc-0123', DryRun: true })))).name).toBe(
      'DryRunOperation',
    );
    await eu.send(new EnableEbsEncryptionByDefaultCommand({}));
    expect((await eu.send(new GetEbsEncryptionByDefaultCommand({}))).EbsEncryptionByDefault).toBe(true);
    expect(emu.calls({ service: 'ec2', operation: 'DescribeVpcs' }).every((c) => !c.mutating)).toBe(true);
    expect(emu.calls({ service: 'ec2', operation: 'DeleteVpc' }).every((c) => c.mutating)).toBe(true);
  });
});
