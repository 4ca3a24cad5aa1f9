// Default VPCs (SSB ACCT.09: delete unused VPCs). AWS gives every account a default VPC in
// every region it has enabled: 172.31.0.0/16 with an attached internet gateway and a public
// default subnet per Availability Zone
// (https://docs.aws.amazon.com/vpc/latest/userguide/default-vpc.html#default-vpc-components).
// Anything launched without naming a VPC lands there with a public address. The accounts
// secure-start creates are empty, so their default VPCs go in every enabled region (asked; on
// by default); the management account's only on an explicit yes. A default VPC that something
// uses (any network interface in it) is KEPT and reported as advice: we never break a running
// workload.
//
// Per account × enabled region (ec2:DescribeRegions, as account-hardening does): one
// DescribeVpcs (is-default) — the only read once nothing is left — and, when there is one, its
// network interfaces, subnets and attached internet gateway. Deleting takes EC2's order
// (https://docs.aws.amazon.com/vpc/latest/userguide/delete-vpc.html): detach then delete the
// gateway, delete the subnets, then the VPC (DependencyViolation otherwise); the order is the
// engine's, through `produces`/`after` run keys (RUN_KEY: kept for this run only, never in the
// state file, which would otherwise gain five keys per VPC). Account-regions are
// independent and run in parallel. A gateway is recorded in flight before it is detached, so a
// crash between detach and delete finds the detached gateway again (no filter would: it is no
// longer attached to anything). A NotFound answer for something a crashed run already deleted is
// success.
// Covers: SSB ACCT.09.
import {
  RUN_KEY,
  StepError,
  ref,
  type Action,
  type RunContext,
  type Step,
  type StepContext,
  type Val,
  stepConfig,
} from './contract.js';
import { z } from 'zod';
import type { Baseline } from '../config/schema.js';
import { mapLimit } from './lib/map-limit.js';
import { isAwsError as isName } from '../aws/errors.js';
import { DEFAULT_ENABLED_REGIONS } from './lib/default-regions.js';

export const CONTROL = 'SSB ACCT.09';

/** A default VPC as observe found it. */
export interface DefaultVpc {
  vpcId: string;
  /** Network interfaces in the VPC: any means something uses it, and it is kept. */
  interfaces: number;
  /** Internet gateways attached to it (at most one). */
  gateways: string[];
  /** A gateway a crashed run detached and has not deleted yet (remembered in flight). */
  detached: string[];
  /** Its subnets: ID → Availability Zone. */
  subnets: Record<string, string>;
}

export interface VpcAccount {
  /** 'management' or the account name from the config. */
  name: string;
  /** Where calls go: 'management' or the member's ID (a Ref before it exists). */
  target: Val;
  /** Regions enabled for the account; undefined = not read (account not created yet). */
  regions?: string[];
  /** Region → its default VPC, or null when there is none (regions not read are absent). */
  vpcs: Record<string, DefaultVpc | null>;
}

export interface DefaultVpcsSeen {
  accounts: VpcAccount[];
}

/** The keys that order one VPC's deletes (outputs `defaultVpc.*`). */
export const detachedKey = (igw: string): string => `${RUN_KEY}defaultVpc.${igw}.detached`;
export const deletedKey = (id: string): string => `${RUN_KEY}defaultVpc.${id}.deleted`;
/** The in-flight record of a gateway being detached from `vpcId` (requestId = the gateway ID). */
export const gatewayInflightKey = (vpcId: string): string => `defaultVpc.${vpcId}.gateway`;

export const CREATE_DEFAULT_VPC_DOC =
  'https://docs.aws.amazon.com/vpc/latest/userguide/work-with-default-vpc.html#create-default-vpc';

export const config = stepConfig({
  key: 'defaultVpcs',
  schema: () => z.strictObject({ memberAccounts: z.boolean(), managementAccount: z.boolean() }),
  // The accounts secure-start creates are empty; the management account may run something
  // (never touched without an explicit yes).
  defaults: () => ({ memberAccounts: true, managementAccount: false }),
});

function accountsOf(ctx: StepContext): VpcAccount[] {
  const w = ctx.want.defaultVpcs;
  return [
    ...(w.managementAccount ? [{ name: 'management', target: 'management' as Val, vpcs: {} }] : []),
    ...(w.memberAccounts
      ? ctx.want.accounts.map((a) => ({ name: a.name, target: ctx.ref(`${a.name}.accountId`), vpcs: {} }))
      : []),
  ];
}

/** Every enabled region of the account (a new account: AWS's defaults, plus any allowed opt-in region). */
function regionsOf(a: VpcAccount, want: Baseline): string[] {
  return a.regions ?? [...new Set([...DEFAULT_ENABLED_REGIONS, ...want.allowedRegions])].sort();
}

const filter = (Name: string, value: string) => ({ Name, Values: [value] });

/** The default VPC of one account and region, with what deciding and deleting needs. */
async function readRegion(ctx: StepContext, account: string, region: string): Promise<DefaultVpc | null> {
  const target = { account, region };
  // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeVpcs.html (filter is-default)
  const vpcs =
    (await ctx.aws.call('ec2', 'DescribeVpcs', { Filters: [filter('is-default', 'true')] }, target)).Vpcs ?? [];
  const vpcId = vpcs.find((v) => v.IsDefault !== false && v.VpcId)?.VpcId;
  if (!vpcId) return null;
  const remembered = ctx.inflight(gatewayInflightKey(vpcId))?.requestId;
  const [enis, subnets, igws] = await Promise.all([
    // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeNetworkInterfaces.html (filter vpc-id)
    ctx.aws.call('ec2', 'DescribeNetworkInterfaces', { Filters: [filter('vpc-id', vpcId)] }, target),
    // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeSubnets.html (filter vpc-id)
    ctx.aws.call('ec2', 'DescribeSubnets', { Filters: [filter('vpc-id', vpcId)] }, target),
    // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeInternetGateways.html (filter attachment.vpc-id)
    ctx.aws.call('ec2', 'DescribeInternetGateways', { Filters: [filter('attachment.vpc-id', vpcId)] }, target),
  ]);
  const gateways = (igws.InternetGateways ?? []).map((g) => g.InternetGatewayId ?? '').filter(Boolean);
  const detached: string[] = [];
  // A crashed run detached this gateway: find it by ID (a NotFound filter answer is empty).
  if (remembered && !gateways.includes(remembered)) {
    const left =
      (
        await ctx.aws.call(
          'ec2',
          'DescribeInternetGateways',
          { Filters: [filter('internet-gateway-id', remembered)] },
          target,
        )
      ).InternetGateways ?? [];
    if (left.some((g) => !(g.Attachments ?? []).length)) detached.push(remembered);
  }
  return {
    vpcId,
    interfaces: (enis.NetworkInterfaces ?? []).length,
    gateways,
    detached,
    subnets: Object.fromEntries(
      (subnets.Subnets ?? []).filter((s) => s.SubnetId).map((s) => [s.SubnetId!, s.AvailabilityZone ?? region]),
    ),
  };
}

/**
 * Runs one delete; NotFound (or "not attached") means a crashed run already did it. A
 * DependencyViolation means something started using the VPC since observe: explained.
 */
async function deleting(ctx: RunContext, where: string, send: () => Promise<unknown>, gone: string[]): Promise<void> {
  try {
    await send();
  } catch (e) {
    if (isName(e, ...gone)) return;
    if (isName(e, 'DependencyViolation')) {
      throw new StepError(
        `The default VPC in ${where} is in use now (AWS refused a delete: ${(e as Error).message}).`,
        'Something started using it while secure-start was deleting it. Run again: a VPC in use is kept and reported, never deleted.',
        { cause: e },
      );
    }
    throw e;
  }
}

function deletes(a: VpcAccount, region: string, vpc: DefaultVpc | undefined): Action[] {
  const target = { account: a.target, region };
  const where = `${a.name} ${region}`;
  const controls = [CONTROL];
  const out: Action[] = [];
  // Not read (account not created yet): the VPC AWS makes, IDs unknown until it exists.
  const unknown = (what: string) => ref(`defaultVpc.${a.name}.${region}.${what}`);
  const vpcId: Val = vpc?.vpcId ?? unknown('vpcId');
  const gateways: Val[] = vpc ? vpc.gateways : [unknown('internetGatewayId')];
  const vpcAfter: string[] = [];

  for (const igw of gateways) {
    const id = String(igw);
    out.push({
      kind: 'call',
      symbol: '-',
      service: 'ec2',
      operation: 'DetachInternetGateway',
      input: { InternetGatewayId: igw, VpcId: vpcId },
      target,
      controls,
      summary: `- ec2:DetachInternetGateway ${where} (the default VPC's internet gateway)`,
      produces: [detachedKey(id)],
      async run(ctx) {
        const input = ctx.input as { InternetGatewayId: string; VpcId: string };
        // Saved before it is sent: once detached, no filter on the VPC finds the gateway again.
        await ctx.recordInflight(gatewayInflightKey(input.VpcId), {
          service: 'ec2',
          operation: 'DetachInternetGateway',
          requestId: input.InternetGatewayId,
        });
        // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DetachInternetGateway.html
        await deleting(ctx, where, () => ctx.aws.call('ec2', 'DetachInternetGateway', input, ctx.target), [
          'Gateway.NotAttached',
          'InvalidInternetGatewayID.NotFound',
          'InvalidVpcID.NotFound',
        ]);
        return { [detachedKey(input.InternetGatewayId)]: input.VpcId };
      },
    });
  }
  for (const igw of [
    ...gateways.map((g) => ({ igw: g, attached: true })),
    ...(vpc?.detached ?? []).map((g) => ({ igw: g, attached: false })),
  ]) {
    const id = String(igw.igw);
    out.push({
      kind: 'call',
      symbol: '-',
      service: 'ec2',
      operation: 'DeleteInternetGateway',
      input: { InternetGatewayId: igw.igw },
      target,
      controls,
      summary: `- ec2:DeleteInternetGateway ${where} (the default VPC's internet gateway${igw.attached ? '' : ', detached by a run that stopped'})`,
      produces: [deletedKey(id)],
      ...(igw.attached ? { after: [detachedKey(id)] } : {}),
      async run(ctx) {
        const input = ctx.input as { InternetGatewayId: string };
        // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DeleteInternetGateway.html
        await deleting(ctx, where, () => ctx.aws.call('ec2', 'DeleteInternetGateway', input, ctx.target), [
          'InvalidInternetGatewayID.NotFound',
        ]);
        if (vpc) await ctx.clearInflight(gatewayInflightKey(vpc.vpcId));
        return { [deletedKey(input.InternetGatewayId)]: 'deleted' };
      },
    });
    vpcAfter.push(deletedKey(id));
  }
  const subnets: [Val, string][] = vpc ? Object.entries(vpc.subnets) : [[unknown('subnetIds'), '']];
  for (const [subnet, az] of subnets) {
    out.push({
      kind: 'call',
      symbol: '-',
      service: 'ec2',
      operation: 'DeleteSubnet',
      input: { SubnetId: subnet },
      target,
      controls,
      // The zone's letter keeps one line per zone in a collapsed plan (eu-west-1a …).
      summary: vpc
        ? `- ec2:DeleteSubnet ${a.name} ${az || region} (a default subnet)`
        : `- ec2:DeleteSubnet ${where} (each default subnet, one per Availability Zone)`,
      produces: [deletedKey(String(subnet))],
      async run(ctx) {
        const input = ctx.input as { SubnetId: string };
        // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DeleteSubnet.html
        await deleting(ctx, where, () => ctx.aws.call('ec2', 'DeleteSubnet', input, ctx.target), [
          'InvalidSubnetID.NotFound',
        ]);
        return { [deletedKey(input.SubnetId)]: 'deleted' };
      },
    });
    vpcAfter.push(deletedKey(String(subnet)));
  }
  out.push({
    kind: 'call',
    symbol: '-',
    service: 'ec2',
    operation: 'DeleteVpc',
    input: { VpcId: vpcId },
    target,
    controls,
    summary: `- ec2:DeleteVpc ${where} (the default VPC${vpc ? ` ${vpc.vpcId}` : ''}; nothing uses it)`,
    after: vpcAfter,
    async run(ctx) {
      // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DeleteVpc.html
      await deleting(ctx, where, () => ctx.aws.call('ec2', 'DeleteVpc', ctx.input as { VpcId: string }, ctx.target), [
        'InvalidVpcID.NotFound',
      ]);
    },
  });
  // Every delete is its own evidence (NotFound included): the step need not look again.
  for (const x of out) x.confirmed = true;
  return out;
}

function kept(a: VpcAccount, region: string, vpc: DefaultVpc): Action {
  const n = vpc.interfaces;
  const link = `https://${region}.console.aws.amazon.com/vpcconsole/home?region=${region}#VpcDetails:VpcId=${vpc.vpcId}`;
  return {
    kind: 'manual',
    symbol: '!',
    service: 'console',
    operation: 'DefaultVpcInUse',
    input: { VpcId: vpc.vpcId },
    target: { account: a.target, region },
    summary: `! Default VPC ${vpc.vpcId} in ${a.name} ${region} kept: ${n} network interface${n === 1 ? '' : 's'} in it (something uses it; ${CONTROL})`,
    controls: [CONTROL],
    manual: {
      instructions: [
        `Look at what runs in the default VPC ${vpc.vpcId} (${a.name} account, ${region}): the EC2 console → Network interfaces, filtered by this VPC ID, lists the ${n} in it.`,
        'Move it to a VPC of your own (or remove it if nobody needs it), then run secure-start again: it deletes the default VPC once nothing uses it.',
      ],
      why: 'A default VPC has public subnets: anything launched without naming a VPC gets a public address there (SSB ACCT.09).',
      link,
      blocking: false,
    },
  };
}

/** The wizard's note before the management account question. */
export function managementVpcNote(): string {
  return [
    "Deleting the management account's default VPCs removes where AWS puts anything launched without naming a VPC.",
    'What breaks: EC2 instances launched without a VPC, some RDS and Lambda setups, CloudShell VPC environments — each needs a VPC of its own afterwards.',
    'A VPC something uses is never deleted: it is kept and reported.',
    `To get one back: ec2 CreateDefaultVpc (aws ec2 create-default-vpc --region <region>, or VPC console → Actions → Create default VPC; ${CREATE_DEFAULT_VPC_DOC}), with new IDs.`,
  ].join('\n');
}

export const defaultVpcs: Step<DefaultVpcsSeen, typeof config> = {
  config,
  id: 'default-vpcs',
  title: 'Default VPCs deleted where unused, in every enabled region',
  needs: ['accounts', 'leave-root'],
  controls: [CONTROL],
  severity: 'medium',
  why: 'A default VPC has public subnets and an internet gateway: anything launched without naming a VPC is reachable from the internet.',
  questions: [
    {
      path: 'defaultVpcs.memberAccounts',
      title: 'Default VPCs in the new accounts',
      note: () =>
        [
          'AWS makes a default VPC, with public subnets and an internet gateway, in every region of every account. The accounts secure-start creates are empty, so nothing uses them (SSB ACCT.09).',
          'A default VPC something uses is kept and reported, never deleted. Free, and nothing else changes.',
          `To get one back later: ec2 CreateDefaultVpc (${CREATE_DEFAULT_VPC_DOC}), with new IDs.`,
        ].join('\n'),
      message: 'Delete the unused default VPCs in every region of the member accounts? (recommended)',
      initial: true,
    },
    {
      path: 'defaultVpcs.managementAccount',
      title: 'Default VPCs in the management account',
      note: () => managementVpcNote(),
      message: "Also delete the management account's unused default VPCs?",
      initial: false,
    },
  ],
  describe(want) {
    const w = want.defaultVpcs;
    const which =
      w.memberAccounts && w.managementAccount
        ? 'every account'
        : w.memberAccounts
          ? 'the member accounts'
          : 'the management account';
    return { title: `Default VPCs deleted where unused, in every enabled region of ${which}` };
  },
  enabled: (want) => want.defaultVpcs.memberAccounts || want.defaultVpcs.managementAccount,
  notes(_want, planned) {
    if (!planned.has('ec2:DeleteVpc')) return {};
    return {
      // A VPC, its subnets and an internet gateway have no charge (https://aws.amazon.com/vpc/pricing/).
      money: ['Deleting unused default VPCs: free (and so is keeping them).'],
      permanent: [
        `A deleted default VPC can be recreated (ec2 CreateDefaultVpc; ${CREATE_DEFAULT_VPC_DOC}), but with new IDs for the VPC, its subnets and internet gateway.`,
      ],
    };
  },

  async observe(ctx) {
    const want = ctx.want;
    const accounts = accountsOf(ctx);
    // Accounts a few at a time (member reads go through an assumed role); regions all at once.
    await mapLimit(accounts, 4, async (a) => {
      if (typeof a.target !== 'string') {
        if (ctx.mode === 'apply')
          throw new StepError(
            `The ${a.name} account's ID is not known yet.`,
            'Run again: the accounts step creates the account first.',
          );
        return; // not created yet: its default VPCs are still to delete
      }
      const account = a.target;
      // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeRegions.html (enabled regions only, without AllRegions)
      const r = await ctx.aws.call('ec2', 'DescribeRegions', {}, { account, region: want.homeRegion });
      a.regions = (r.Regions ?? [])
        .map((x) => x.RegionName ?? '')
        .filter(Boolean)
        .sort();
      await Promise.all(
        a.regions.map(async (region) => {
          a.vpcs[region] = await readRegion(ctx, account, region);
        }),
      );
    });
    return { accounts };
  },

  fresh: (ctx) => ({ accounts: accountsOf(ctx) }),

  plan(want, seen) {
    const out: Action[] = [];
    for (const a of seen.accounts) {
      for (const region of regionsOf(a, want)) {
        const vpc = a.vpcs[region];
        if (vpc === null) continue; // none: nothing to do
        if (vpc && vpc.interfaces > 0) {
          out.push(kept(a, region, vpc));
          continue;
        }
        out.push(...deletes(a, region, vpc));
      }
    }
    return out;
  },
};
