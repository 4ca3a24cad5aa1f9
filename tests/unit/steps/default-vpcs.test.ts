import { describe, expect, it } from 'vitest';
import {
  defaultVpcs,
  deletedKey,
  detachedKey,
  gatewayInflightKey,
  type DefaultVpc,
  type DefaultVpcsSeen,
} from '../../../steps/default-vpcs.js';
import { stepsFor } from '../../../steps/index.js';
import { DEFAULT_ENABLED_REGIONS } from '../../../steps/lib/default-regions.js';
import type { Action } from '../../../steps/contract.js';
import type { Baseline } from '../../../config/schema.js';
// The fake context of the hardening tests (the lead will merge the fixture modules).
import { ACCOUNTS as IDS, KNOWN, MGMT, awsErr, basic, fakeCtx, runAction } from './fixtures.js';

// basic.json leaves the deletion off (its e2e files would pay 408 deletes each); on here.
const want = { ...basic(), defaultVpcs: { memberAccounts: true, managementAccount: false } };
const withVpcs = (memberAccounts: boolean, managementAccount: boolean): Baseline => ({
  ...want,
  defaultVpcs: { memberAccounts, managementAccount },
});
const MEMBERS = ['log-archive', 'audit', 'prod', 'dev'];
const REGIONS = ['eu-west-1', 'us-east-1'];

/** A default VPC as AWS makes it: an attached gateway, three default subnets, nothing in it. */
const vpc = (account: string, region: string, over: Partial<DefaultVpc> = {}): DefaultVpc => ({
  vpcId: `vpc-${account}-${region}`,
  interfaces: 0,
  gateways: [`igw-${account}-${region}`],
  detached: [],
  subnets: Object.fromEntries(['a', 'b', 'c'].map((z) => [`subnet-${account}-${region}${z}`, `${region}${z}`])),
  ...over,
});

/** Every member read: each region has the VPC `at` gives (default: a fresh default VPC). */
const seenOf = (
  at: (name: string, region: string) => DefaultVpc | null = (n, r) => vpc(n, r),
  names = MEMBERS,
): DefaultVpcsSeen => ({
  accounts: names.map((n) => ({
    name: n,
    target: n === 'management' ? 'management' : IDS[n]!,
    regions: REGIONS,
    vpcs: Object.fromEntries(REGIONS.map((r) => [r, at(n, r)])),
  })),
});

const where = (a: Action) => `${a.operation}@${String(a.target.account)}/${a.target.region}`;
const json = (a: Action) => JSON.parse(JSON.stringify(a.input));

describe('default-vpcs plan', () => {
  it('fresh accounts: per member × region, detach and delete the gateway, delete the subnets, then the VPC (ordered by keys)', () => {
    const actions = defaultVpcs.plan(want, seenOf());
    expect(actions).toHaveLength(MEMBERS.length * REGIONS.length * 6);
    const prod = actions.filter((a) => a.target.account === IDS.prod && a.target.region === 'us-east-1');
    expect(prod.map((a) => [a.symbol, a.operation, json(a)])).toEqual([
      ['-', 'DetachInternetGateway', { InternetGatewayId: 'igw-prod-us-east-1', VpcId: 'vpc-prod-us-east-1' }],
      ['-', 'DeleteInternetGateway', { InternetGatewayId: 'igw-prod-us-east-1' }],
      ['-', 'DeleteSubnet', { SubnetId: 'subnet-prod-us-east-1a' }],
      ['-', 'DeleteSubnet', { SubnetId: 'subnet-prod-us-east-1b' }],
      ['-', 'DeleteSubnet', { SubnetId: 'subnet-prod-us-east-1c' }],
      ['-', 'DeleteVpc', { VpcId: 'vpc-prod-us-east-1' }],
    ]);
    // The gateway's delete waits for its detach; the VPC for the gateway and every subnet.
    expect(prod[0]!.produces).toEqual([detachedKey('igw-prod-us-east-1')]);
    expect(prod[1]!.after).toEqual([detachedKey('igw-prod-us-east-1')]);
    expect(prod[2]!.after).toBeUndefined();
    expect(prod[5]!.after).toEqual([
      deletedKey('igw-prod-us-east-1'),
      ...['a', 'b', 'c'].map((z) => deletedKey(`subnet-prod-us-east-1${z}`)),
    ]);
    expect(
      actions.every((a) => a.kind === 'call' && a.confirmed && JSON.stringify(a.controls) === '["SSB ACCT.09"]'),
    ).toBe(true);
    expect(prod[5]!.summary).toBe(
      '- ec2:DeleteVpc prod us-east-1 (the default VPC vpc-prod-us-east-1; nothing uses it)',
    );
    expect(prod[2]!.summary).toBe('- ec2:DeleteSubnet prod us-east-1a (a default subnet)');
    // The management account is not touched by default.
    expect(actions.some((a) => a.target.account === 'management')).toBe(false);
  });

  it('a VPC with network interfaces is kept: advice naming it, where, and why; nothing deleted there', () => {
    const seen = seenOf((n, r) => vpc(n, r, n === 'dev' && r === 'eu-west-1' ? { interfaces: 2 } : {}));
    const actions = defaultVpcs.plan(want, seen);
    expect(
      actions.filter((a) => a.target.account === IDS.dev && a.target.region === 'eu-west-1').map((a) => a.kind),
    ).toEqual(['manual']);
    const advice = actions.find((a) => a.kind === 'manual')!;
    expect(advice.summary).toBe(
      '! Default VPC vpc-dev-eu-west-1 in dev eu-west-1 kept: 2 network interfaces in it (something uses it; SSB ACCT.09)',
    );
    expect(advice.manual).toMatchObject({ blocking: false, link: expect.stringContaining('vpc-dev-eu-west-1') });
    expect(advice.manual!.instructions.join(' ')).toContain('run secure-start again');
    expect(actions.filter((a) => a.kind === 'call')).toHaveLength((MEMBERS.length * REGIONS.length - 1) * 6);
  });

  it('half-deleted after a crash (gateway detached, one subnet gone): the rest, the remembered gateway deleted first', () => {
    const seen = seenOf((n, r) =>
      n === 'audit' && r === 'eu-west-1'
        ? vpc(n, r, {
            gateways: [],
            detached: ['igw-audit-eu-west-1'],
            subnets: { 'subnet-audit-eu-west-1c': 'eu-west-1c' },
          })
        : null,
    );
    const actions = defaultVpcs.plan(want, seen);
    expect(actions.map((a) => [a.operation, json(a)])).toEqual([
      ['DeleteInternetGateway', { InternetGatewayId: 'igw-audit-eu-west-1' }],
      ['DeleteSubnet', { SubnetId: 'subnet-audit-eu-west-1c' }],
      ['DeleteVpc', { VpcId: 'vpc-audit-eu-west-1' }],
    ]);
    expect(actions[0]!.after).toBeUndefined();
    expect(actions[0]!.summary).toContain('detached by a run that stopped');
    expect(actions[2]!.after).toEqual([deletedKey('igw-audit-eu-west-1'), deletedKey('subnet-audit-eu-west-1c')]);
  });

  it('only the VPC left (crash before DeleteVpc): DeleteVpc alone, waiting on nothing', () => {
    const seen = seenOf((n, r) =>
      n === 'prod' && r === 'us-east-1' ? vpc(n, r, { gateways: [], subnets: {} }) : null,
    );
    const actions = defaultVpcs.plan(want, seen);
    expect(actions.map(where)).toEqual([`DeleteVpc@${IDS.prod}/us-east-1`]);
    expect(actions[0]!.after).toEqual([]);
  });

  it('done (no default VPC anywhere): nothing', () => {
    expect(
      defaultVpcs.plan(
        want,
        seenOf(() => null),
      ),
    ).toEqual([]);
  });

  it('management account off (default): not planned; on: planned with the members; members off: management only', () => {
    const names = ['management', ...MEMBERS];
    const both = defaultVpcs.plan(withVpcs(true, true), seenOf(undefined, names));
    expect(new Set(both.map((a) => String(a.target.account)))).toEqual(
      new Set(['management', ...MEMBERS.map((n) => IDS[n])]),
    );
    // plan follows what observe read: observe reads only the chosen accounts (see below).
    const { ctx } = fakeCtx(withVpcs(false, true), () => ({}), { 'management.accountId': MGMT }, 'plan');
    expect(defaultVpcs.fresh(ctx).accounts.map((a) => a.name)).toEqual(['management']);
    const { ctx: c2 } = fakeCtx(want, () => ({}), { 'management.accountId': MGMT }, 'plan');
    expect(defaultVpcs.fresh(c2).accounts.map((a) => a.name)).toEqual(MEMBERS);
  });

  it('both off: the step is left out of the run', () => {
    expect(defaultVpcs.enabled!(withVpcs(false, false))).toBe(false);
    expect(stepsFor(withVpcs(false, false)).some((s) => s.id === 'default-vpcs')).toBe(false);
    expect(stepsFor(want).find((s) => s.id === 'default-vpcs')!.title).toBe(
      'Default VPCs deleted where unused, in every enabled region of the member accounts',
    );
    expect(stepsFor(withVpcs(true, true)).find((s) => s.id === 'default-vpcs')!.title).toContain('every account');
  });

  it('accounts not created yet: every region AWS enables by default, by Ref', () => {
    const { ctx } = fakeCtx(want, () => ({}), { 'management.accountId': MGMT }, 'plan');
    const actions = defaultVpcs.plan(want, defaultVpcs.fresh(ctx));
    const prod = actions.filter((a) => String(a.target.account) === '<prod.accountId>');
    expect(new Set(prod.map((a) => a.target.region))).toEqual(new Set(DEFAULT_ENABLED_REGIONS));
    const eu = prod.filter((a) => a.target.region === 'eu-west-1');
    expect(eu.map((a) => [a.operation, json(a)])).toEqual([
      [
        'DetachInternetGateway',
        {
          InternetGatewayId: '<defaultVpc.prod.eu-west-1.internetGatewayId>',
          VpcId: '<defaultVpc.prod.eu-west-1.vpcId>',
        },
      ],
      ['DeleteInternetGateway', { InternetGatewayId: '<defaultVpc.prod.eu-west-1.internetGatewayId>' }],
      ['DeleteSubnet', { SubnetId: '<defaultVpc.prod.eu-west-1.subnetIds>' }],
      ['DeleteVpc', { VpcId: '<defaultVpc.prod.eu-west-1.vpcId>' }],
    ]);
    expect(eu[3]!.summary).toBe('- ec2:DeleteVpc prod eu-west-1 (the default VPC; nothing uses it)');
  });

  it('notes: nothing costs money; a deleted default VPC comes back only with new IDs', () => {
    const planned = (ops: string[]) => ({
      has: (o: string) => ops.includes(o),
      count: (o: string) => ops.filter((x) => x === o).length,
    });
    expect(defaultVpcs.notes!(want, planned(['ec2:DeleteVpc']))).toEqual({
      money: [expect.stringMatching(/free/)],
      permanent: [expect.stringMatching(/CreateDefaultVpc.*new IDs/)],
    });
    expect(defaultVpcs.notes!(want, planned([]))).toEqual({});
  });

  it('wizard questions: member accounts (yes), management account (no, with what breaks and how to get one back)', () => {
    const [members, mgmt] = defaultVpcs.questions!;
    expect(members).toMatchObject({ path: 'defaultVpcs.memberAccounts', initial: true });
    expect(mgmt).toMatchObject({ path: 'defaultVpcs.managementAccount', initial: false });
    const note = mgmt!.note!(want);
    for (const t of ['EC2 instances', 'RDS', 'Lambda', 'CloudShell', 'CreateDefaultVpc']) expect(note).toContain(t);
    expect(want.defaultVpcs).toEqual({ memberAccounts: true, managementAccount: false });
  });
});

/** An emulated region: the VPC's reads answer from `net` (null: no default VPC). */
type Net = { vpcId: string; enis: number; igws: string[]; subnets: string[]; orphan?: string } | null;
const answerFrom = (nets: (account: string, region: string) => Net) => (_s: string, op: string, input: any, t: any) => {
  const net = nets(t.account, t.region);
  const f = Object.fromEntries((input.Filters ?? []).map((x: any) => [x.Name, x.Values[0]]));
  switch (op) {
    case 'DescribeRegions':
      return { Regions: REGIONS.map((RegionName) => ({ RegionName })) };
    case 'DescribeVpcs':
      return { Vpcs: net && f['is-default'] === 'true' ? [{ VpcId: net.vpcId, IsDefault: true }] : [] };
    case 'DescribeNetworkInterfaces':
      return { NetworkInterfaces: Array.from({ length: net!.enis }, (_, i) => ({ NetworkInterfaceId: `eni-${i}` })) };
    case 'DescribeSubnets':
      return { Subnets: net!.subnets.map((SubnetId) => ({ SubnetId, AvailabilityZone: `${t.region}a` })) };
    case 'DescribeInternetGateways':
      if (f['internet-gateway-id'])
        return {
          InternetGateways:
            net!.orphan === f['internet-gateway-id'] ? [{ InternetGatewayId: net!.orphan, Attachments: [] }] : [],
        };
      return {
        InternetGateways: net!.igws.map((InternetGatewayId) => ({
          InternetGatewayId,
          Attachments: [{ VpcId: net!.vpcId, State: 'available' }],
        })),
      };
    default:
      throw new Error(`unexpected ${op}`);
  }
};

describe('default-vpcs observe', () => {
  it('nothing left: one DescribeVpcs per account-region (plus DescribeRegions per account)', async () => {
    const { ctx, calls } = fakeCtx(
      want,
      answerFrom(() => null),
      KNOWN,
    );
    const seen = await defaultVpcs.observe(ctx);
    expect(calls).toHaveLength(MEMBERS.length * (1 + REGIONS.length));
    expect(
      calls
        .filter((c) => c.op === 'DescribeVpcs')
        .every(
          (c) => JSON.stringify(c.input) === JSON.stringify({ Filters: [{ Name: 'is-default', Values: ['true'] }] }),
        ),
    ).toBe(true);
    expect(defaultVpcs.plan(want, seen)).toEqual([]);
  });

  it('a default VPC: its interfaces, subnets and attached gateway read by vpc-id; a busy one is kept', async () => {
    const nets = (a: string, r: string): Net =>
      a === IDS.prod && r === 'us-east-1'
        ? { vpcId: 'vpc-1', enis: 1, igws: ['igw-1'], subnets: ['subnet-1'] }
        : { vpcId: `vpc-${a}-${r}`, enis: 0, igws: [`igw-${a}-${r}`], subnets: [`subnet-${a}-${r}`] };
    const { ctx, calls } = fakeCtx(want, answerFrom(nets), KNOWN);
    const seen = await defaultVpcs.observe(ctx);
    expect(calls).toHaveLength(MEMBERS.length * (1 + REGIONS.length * 4));
    expect(
      calls.find(
        (c) => c.op === 'DescribeNetworkInterfaces' && c.target.account === IDS.prod && c.target.region === 'us-east-1',
      )!.input,
    ).toEqual({ Filters: [{ Name: 'vpc-id', Values: ['vpc-1'] }] });
    expect(calls.find((c) => c.op === 'DescribeInternetGateways')!.input.Filters[0].Name).toBe('attachment.vpc-id');
    const actions = defaultVpcs.plan(want, seen);
    expect(actions.filter((a) => a.kind === 'manual').map((a) => a.summary)).toEqual([
      expect.stringContaining('vpc-1 in prod us-east-1 kept: 1 network interface in it'),
    ]);
    expect(actions.filter((a) => a.operation === 'DeleteVpc')).toHaveLength(MEMBERS.length * REGIONS.length - 1);
  });

  it('the management account only when asked', async () => {
    const { ctx, calls } = fakeCtx(
      withVpcs(false, true),
      answerFrom(() => null),
      KNOWN,
    );
    await defaultVpcs.observe(ctx);
    expect(new Set(calls.map((c) => c.target.account))).toEqual(new Set(['management']));
  });

  it('a gateway a crashed run detached is found again through its in-flight record', async () => {
    const nets = (a: string, r: string): Net =>
      a === IDS.dev && r === 'eu-west-1' ? { vpcId: 'vpc-9', enis: 0, igws: [], subnets: [], orphan: 'igw-9' } : null;
    const { ctx, calls } = fakeCtx(want, answerFrom(nets), KNOWN);
    ctx.inflight = (k) =>
      k === gatewayInflightKey('vpc-9')
        ? {
            step: 'default-vpcs',
            service: 'ec2',
            operation: 'DetachInternetGateway',
            requestId: 'igw-9',
            key: k,
            startedAt: '',
          }
        : undefined;
    const seen = await defaultVpcs.observe(ctx);
    expect(calls.filter((c) => c.op === 'DescribeInternetGateways').map((c) => c.input.Filters[0])).toEqual([
      { Name: 'attachment.vpc-id', Values: ['vpc-9'] },
      { Name: 'internet-gateway-id', Values: ['igw-9'] },
    ]);
    expect(defaultVpcs.plan(want, seen).map((a) => [a.operation, json(a)])).toEqual([
      ['DeleteInternetGateway', { InternetGatewayId: 'igw-9' }],
      ['DeleteVpc', { VpcId: 'vpc-9' }],
    ]);
  });

  it('a member ID not known yet: nothing read in plan mode, an error in apply', async () => {
    const plan = fakeCtx(
      want,
      answerFrom(() => null),
      { 'management.accountId': MGMT },
      'plan',
    );
    await defaultVpcs.observe(plan.ctx);
    expect(plan.calls).toEqual([]);
    const apply = fakeCtx(
      want,
      answerFrom(() => null),
      { 'management.accountId': MGMT },
      'apply',
    );
    await expect(defaultVpcs.observe(apply.ctx)).rejects.toMatchObject({ name: 'StepError' });
  });
});

describe('default-vpcs run', () => {
  const one = () =>
    defaultVpcs.plan(
      want,
      seenOf((n, r) => (n === 'prod' && r === 'eu-west-1' ? vpc(n, r) : null)),
    );

  it('detach records the gateway in flight first; deleting the gateway forgets it; each publishes its key', async () => {
    const { ctx, calls, published } = fakeCtx(want, () => ({}), KNOWN);
    const recorded: string[] = [];
    const cleared: string[] = [];
    const [detach, del] = one();
    const runCtx = {
      ...ctx,
      recordInflight: async (k: string, op: any) => {
        recorded.push(`${k}=${op.requestId}`);
      },
      clearInflight: async (k: string) => {
        cleared.push(k);
      },
    };
    const out = await detach!.run!({
      ...runCtx,
      input: detach!.input,
      target: { account: IDS.prod!, region: 'eu-west-1' },
    } as any);
    expect(recorded).toEqual([`${gatewayInflightKey('vpc-prod-eu-west-1')}=igw-prod-eu-west-1`]);
    expect(out).toEqual({ [detachedKey('igw-prod-eu-west-1')]: 'vpc-prod-eu-west-1' });
    await del!.run!({ ...runCtx, input: del!.input, target: { account: IDS.prod!, region: 'eu-west-1' } } as any);
    expect(cleared).toEqual([gatewayInflightKey('vpc-prod-eu-west-1')]);
    expect(calls.map((c) => c.op)).toEqual(['DetachInternetGateway', 'DeleteInternetGateway']);
    expect(published).toEqual({});
  });

  it('NotFound (done by a run that crashed) is success for every delete', async () => {
    const gone: Record<string, Error> = {
      DetachInternetGateway: awsErr('Gateway.NotAttached', 400),
      DeleteInternetGateway: awsErr('InvalidInternetGatewayID.NotFound', 400),
      DeleteSubnet: awsErr('InvalidSubnetID.NotFound', 400),
      DeleteVpc: awsErr('InvalidVpcID.NotFound', 400),
    };
    const { ctx } = fakeCtx(want, (_s, op) => gone[op]);
    for (const a of one()) await runAction(a, ctx); // throws on anything but success
  });

  it('DependencyViolation (something started using it meanwhile) is explained', async () => {
    const { ctx } = fakeCtx(want, () => awsErr('DependencyViolation', 400));
    const vpcDelete = one().find((a) => a.operation === 'DeleteVpc')!;
    await expect(runAction(vpcDelete, ctx)).rejects.toMatchObject({
      name: 'StepError',
      message: expect.stringContaining('prod eu-west-1 is in use now'),
      hint: expect.stringContaining('kept and reported'),
    });
  });
});
