// Amazon EC2 (ec2Query): EBS encryption by default, which AWS keeps per account AND per
// region (turning it on in eu-west-1 leaves us-east-1 as it was), and the regions enabled for
// the account (DescribeRegions). Regions launched after 20 March 2019 are opt-in: disabled until
// the account enables them, and a call there fails (AuthFailure) as the credentials are not
// valid in that region (https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-regions.html).
// Default VPCs (with their subnets, internet gateway and network interfaces) per account and
// region: see "default VPCs" below.
import type { HandlerContext, ServiceModule } from '../types.js';
import type { World } from '../world.js';
import { hashChars } from '../rng.js';

interface Ec2Store {
  /** region → EBS encryption by default. */
  ebsEncryptionByDefault: Record<string, boolean>;
  /** Opt-in regions the account has enabled (drift `region-opt-in`: done in the console). */
  optedIn?: string[];
  /** region → VPC resources (made with the default VPC on the first EC2 call there). */
  network?: Record<string, NetworkState>;
}

interface VpcRec {
  vpcId: string;
  cidrBlock: string;
  isDefault: boolean;
  dhcpOptionsId: string;
}
interface SubnetRec {
  subnetId: string;
  vpcId: string;
  cidrBlock: string;
  availabilityZone: string;
  defaultForAz: boolean;
  mapPublicIpOnLaunch: boolean;
}
interface IgwRec {
  internetGatewayId: string;
  attachedVpcId?: string;
}
interface EniRec {
  networkInterfaceId: string;
  subnetId: string;
  vpcId: string;
  availabilityZone: string;
  privateIpAddress: string;
  description: string;
  publicIp?: string;
}
interface NetworkState {
  vpcs: Record<string, VpcRec>;
  subnets: Record<string, SubnetRec>;
  igws: Record<string, IgwRec>;
  enis: Record<string, EniRec>;
  /** How many default VPCs this account and region has had (IDs of a recreated one differ). */
  generation: number;
  eniCount: number;
}

const storeOf = (world: World, accountId: string): Ec2Store =>
  world.store<Ec2Store>(accountId, 'ec2', () => ({ ebsEncryptionByDefault: {} }));

/** Enabled by default in every account (the regions that existed before 20 March 2019). */
export const DEFAULT_REGIONS = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'ca-central-1',
  'sa-east-1',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'eu-central-1',
  'eu-north-1',
  'ap-south-1',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
];
/** Opt-in regions: an account must enable them before using them. */
export const OPT_IN_REGIONS = [
  'af-south-1',
  'ap-east-1',
  'ap-east-2',
  'ap-south-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'ap-southeast-5',
  'ap-southeast-7',
  'ca-west-1',
  'eu-central-2',
  'eu-south-1',
  'eu-south-2',
  'il-central-1',
  'me-central-1',
  'me-south-1',
  'mx-central-1',
];

/** Regions enabled for the account: the default ones and the opt-in ones it has enabled. */
export function enabledRegions(world: World, accountId: string): string[] {
  return [...DEFAULT_REGIONS, ...(storeOf(world, accountId).optedIn ?? []).filter((r) => OPT_IN_REGIONS.includes(r))];
}

function optInStatus(
  world: World,
  accountId: string,
  region: string,
): 'opt-in-not-required' | 'opted-in' | 'not-opted-in' {
  if (DEFAULT_REGIONS.includes(region)) return 'opt-in-not-required';
  return storeOf(world, accountId).optedIn?.includes(region) ? 'opted-in' : 'not-opted-in';
}

/** A call signed for a region the account has not enabled is refused before anything else. */
function regionEnabled(ctx: HandlerContext): void {
  if (optInStatus(ctx.world, ctx.caller.accountId, ctx.region) === 'not-opted-in')
    throw ctx.error('AuthFailure', 'AWS was not able to validate the provided access credentials', 401);
}

/** ec2Query's DryRun: check permissions only, answer with the DryRunOperation error. */
function dryRun(ctx: HandlerContext): void {
  const v = ctx.input.DryRun;
  if (v === undefined) return;
  if (v !== 'true' && v !== 'false')
    throw ctx.error('InvalidParameterValue', `Value (${String(v)}) for parameter DryRun is invalid.`, 400);
  if (v === 'true') throw ctx.error('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.', 412);
}

// ---- default VPCs ---------------------------------------------------------------------
// Every account has a default VPC in every Region: 172.31.0.0/16 with an internet gateway
// attached and one default subnet (a /20) per Availability Zone
// (https://docs.aws.amazon.com/vpc/latest/userguide/default-vpc.html#default-vpc-components).
// The emulator gives each Region three AZs (a, b, c) and makes the VPC on the first EC2 call
// of the account in that Region; IDs derive from account, Region and generation.

const HEX = '0123456789abcdef';
const azsOf = (region: string): string[] => ['a', 'b', 'c'].map((l) => `${region}${l}`);

function createDefaultVpc(net: NetworkState, accountId: string, region: string): VpcRec {
  const gen = net.generation++;
  const key = `${accountId}:${region}:${gen}`;
  const vpc: VpcRec = {
    vpcId: `vpc-${hashChars(`vpc:${key}`, 17, HEX)}`,
    cidrBlock: '172.31.0.0/16',
    isDefault: true,
    dhcpOptionsId: `dopt-${hashChars(`dopt:${accountId}:${region}`, 17, HEX)}`,
  };
  net.vpcs[vpc.vpcId] = vpc;
  const igw = `igw-${hashChars(`igw:${key}`, 17, HEX)}`;
  net.igws[igw] = { internetGatewayId: igw, attachedVpcId: vpc.vpcId };
  azsOf(region).forEach((az, i) => {
    const id = `subnet-${hashChars(`subnet:${key}:${i}`, 17, HEX)}`;
    net.subnets[id] = {
      subnetId: id,
      vpcId: vpc.vpcId,
      cidrBlock: `172.31.${i * 16}.0/20`,
      availabilityZone: az,
      defaultForAz: true,
      mapPublicIpOnLaunch: true,
    };
  });
  return vpc;
}

/** The network every account has in a Region before anyone changes it: the default VPC. */
function pristineNetwork(accountId: string, region: string): NetworkState {
  const net: NetworkState = { vpcs: {}, subnets: {}, igws: {}, enis: {}, generation: 0, eniCount: 0 };
  createDefaultVpc(net, accountId, region);
  return net;
}

/**
 * The account's VPC resources in a Region. Until something changes them they are the pristine
 * default VPC, computed (deterministic IDs), not stored: a read (a plan, verify) leaves the
 * world exactly as it was. The first change stores them.
 */
function networkOf(world: World, accountId: string, region: string, write: boolean): NetworkState {
  const s = storeOf(world, accountId);
  const known = s.network?.[region];
  if (known) return known;
  const net = pristineNetwork(accountId, region);
  if (write) (s.network ??= {})[region] = net;
  return net;
}

type Filter = { Name?: string; Value?: string[] };

/** EC2's Filter.N.Name / Filter.N.Value.M: every filter must hold, any of its values. */
function applyFilters<T>(
  ctx: HandlerContext,
  items: T[],
  fields: Record<string, (item: T) => string | undefined>,
): T[] {
  let out = items;
  for (const f of (ctx.input.Filter ?? []) as Filter[]) {
    const get = f.Name ? fields[f.Name] : undefined;
    if (!get) throw ctx.error('InvalidParameterValue', `The filter '${String(f.Name)}' is invalid`, 400);
    const want = f.Value ?? [];
    out = out.filter((i) => want.includes(get(i) ?? ''));
  }
  return out;
}

/** Items named by an ID list parameter (VpcId.N…); an unknown ID is `<code>` (InvalidVpcID.NotFound…). */
function byIds<T>(ctx: HandlerContext, all: Record<string, T>, param: string, code: string, noun: string): T[] {
  const ids = (ctx.input[param] ?? []) as string[];
  for (const id of ids) if (!all[id]) throw ctx.error(code, `The ${noun} ID '${id}' does not exist`, 400);
  return ids.length ? ids.map((id) => all[id]!) : Object.values(all);
}

function required(ctx: HandlerContext, name: string): string {
  const v = ctx.input[name];
  if (typeof v !== 'string' || !v)
    throw ctx.error('MissingParameter', `The request must contain the parameter ${name}`, 400);
  return v;
}

const vpcOut = (v: VpcRec, owner: string) => ({
  vpcId: v.vpcId,
  ownerId: owner,
  state: 'available',
  cidrBlock: v.cidrBlock,
  cidrBlockAssociationSet: [
    {
      associationId: `vpc-cidr-assoc-${v.vpcId.slice(4)}`,
      cidrBlock: v.cidrBlock,
      cidrBlockState: { state: 'associated' },
    },
  ],
  dhcpOptionsId: v.dhcpOptionsId,
  instanceTenancy: 'default',
  isDefault: v.isDefault,
});

function network(ctx: HandlerContext): NetworkState {
  regionEnabled(ctx);
  dryRun(ctx);
  return networkOf(ctx.world, ctx.caller.accountId, ctx.region, !/^Describe/.test(ctx.operation));
}

// EC2 error codes: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html
// (DependencyViolation, Gateway.NotAttached, InvalidVpcID.NotFound, InvalidSubnetID.NotFound,
// InvalidInternetGatewayID.NotFound, InvalidNetworkInterfaceID.NotFound, DefaultVpcAlreadyExists).
const dependency = (ctx: HandlerContext, kind: string, id: string) =>
  ctx.error('DependencyViolation', `The ${kind} '${id}' has dependencies and cannot be deleted.`, 400);

const VPC_OPERATIONS: ServiceModule['operations'] = {
  DescribeVpcs(ctx) {
    const net = network(ctx);
    const vpcs = applyFilters(ctx, byIds(ctx, net.vpcs, 'VpcId', 'InvalidVpcID.NotFound', 'vpc'), {
      isDefault: (v) => String(v.isDefault),
      'is-default': (v) => String(v.isDefault),
      'vpc-id': (v) => v.vpcId,
      state: () => 'available',
      'cidr-block': (v) => v.cidrBlock,
      'owner-id': () => ctx.caller.accountId,
    });
    return { vpcSet: vpcs.map((v) => vpcOut(v, ctx.caller.accountId)) };
  },
  DescribeSubnets(ctx) {
    const net = network(ctx);
    const subnets = applyFilters(ctx, byIds(ctx, net.subnets, 'SubnetId', 'InvalidSubnetID.NotFound', 'subnet'), {
      'vpc-id': (s) => s.vpcId,
      'subnet-id': (s) => s.subnetId,
      'default-for-az': (s) => String(s.defaultForAz),
      defaultForAz: (s) => String(s.defaultForAz),
      'availability-zone': (s) => s.availabilityZone,
      state: () => 'available',
      'cidr-block': (s) => s.cidrBlock,
    });
    return {
      subnetSet: subnets.map((s) => ({
        subnetId: s.subnetId,
        subnetArn: `arn:aws:ec2:${ctx.region}:${ctx.caller.accountId}:subnet/${s.subnetId}`,
        state: 'available',
        vpcId: s.vpcId,
        cidrBlock: s.cidrBlock,
        availableIpAddressCount: 4091 - Object.values(net.enis).filter((e) => e.subnetId === s.subnetId).length,
        availabilityZone: s.availabilityZone,
        defaultForAz: s.defaultForAz,
        mapPublicIpOnLaunch: s.mapPublicIpOnLaunch,
        ownerId: ctx.caller.accountId,
        assignIpv6AddressOnCreation: false,
      })),
    };
  },
  DescribeInternetGateways(ctx) {
    const net = network(ctx);
    const igws = applyFilters(
      ctx,
      byIds(ctx, net.igws, 'InternetGatewayId', 'InvalidInternetGatewayID.NotFound', 'internetGateway'),
      {
        'attachment.vpc-id': (g) => g.attachedVpcId,
        'internet-gateway-id': (g) => g.internetGatewayId,
        'attachment.state': (g) => (g.attachedVpcId ? 'available' : undefined),
        'owner-id': () => ctx.caller.accountId,
      },
    );
    return {
      internetGatewaySet: igws.map((g) => ({
        internetGatewayId: g.internetGatewayId,
        ownerId: ctx.caller.accountId,
        attachmentSet: g.attachedVpcId ? [{ vpcId: g.attachedVpcId, state: 'available' }] : [],
        tagSet: [],
      })),
    };
  },
  DescribeNetworkInterfaces(ctx) {
    const net = network(ctx);
    const enis = applyFilters(
      ctx,
      byIds(ctx, net.enis, 'NetworkInterfaceId', 'InvalidNetworkInterfaceID.NotFound', 'network interface'),
      {
        'vpc-id': (e) => e.vpcId,
        'subnet-id': (e) => e.subnetId,
        'network-interface-id': (e) => e.networkInterfaceId,
        'availability-zone': (e) => e.availabilityZone,
      },
    );
    return {
      networkInterfaceSet: enis.map((e) => ({
        networkInterfaceId: e.networkInterfaceId,
        subnetId: e.subnetId,
        vpcId: e.vpcId,
        availabilityZone: e.availabilityZone,
        description: e.description,
        ownerId: ctx.caller.accountId,
        status: 'in-use',
        privateIpAddress: e.privateIpAddress,
        interfaceType: 'interface',
        requesterManaged: false,
        sourceDestCheck: true,
        ...(e.publicIp ? { association: { publicIp: e.publicIp, ipOwnerId: 'amazon' } } : {}),
      })),
    };
  },
  DetachInternetGateway(ctx) {
    const net = network(ctx);
    const igwId = required(ctx, 'InternetGatewayId');
    const vpcId = required(ctx, 'VpcId');
    const igw = net.igws[igwId];
    if (!igw)
      throw ctx.error('InvalidInternetGatewayID.NotFound', `The internetGateway ID '${igwId}' does not exist`, 400);
    if (!net.vpcs[vpcId]) throw ctx.error('InvalidVpcID.NotFound', `The vpc ID '${vpcId}' does not exist`, 400);
    if (igw.attachedVpcId !== vpcId)
      throw ctx.error('Gateway.NotAttached', `resource ${igwId} is not attached to network ${vpcId}`, 400);
    // Public addresses mapped in the VPC keep the gateway attached (DetachInternetGateway: "The VPC can't contain any running instances with Elastic IP addresses or public IPv4 addresses").
    if (Object.values(net.enis).some((e) => e.vpcId === vpcId && e.publicIp))
      throw ctx.error(
        'DependencyViolation',
        `Network ${vpcId} has some mapped public address(es). Please unmap those public address(es) before detaching the gateway.`,
        400,
      );
    delete igw.attachedVpcId;
    return { return: true };
  },
  DeleteInternetGateway(ctx) {
    const net = network(ctx);
    const igwId = required(ctx, 'InternetGatewayId');
    const igw = net.igws[igwId];
    if (!igw)
      throw ctx.error('InvalidInternetGatewayID.NotFound', `The internetGateway ID '${igwId}' does not exist`, 400);
    // "You must detach the internet gateway from the VPC before you can delete it" (API_DeleteInternetGateway.html).
    if (igw.attachedVpcId) throw dependency(ctx, 'internetGateway', igwId);
    delete net.igws[igwId];
    return { return: true };
  },
  DeleteSubnet(ctx) {
    const net = network(ctx);
    const id = required(ctx, 'SubnetId');
    if (!net.subnets[id]) throw ctx.error('InvalidSubnetID.NotFound', `The subnet ID '${id}' does not exist`, 400);
    // "You must terminate all running instances in the subnet before you can delete the subnet" (API_DeleteSubnet.html).
    if (Object.values(net.enis).some((e) => e.subnetId === id)) throw dependency(ctx, 'subnet', id);
    delete net.subnets[id];
    return { return: true };
  },
  DeleteVpc(ctx) {
    const net = network(ctx);
    const id = required(ctx, 'VpcId');
    if (!net.vpcs[id]) throw ctx.error('InvalidVpcID.NotFound', `The vpc ID '${id}' does not exist`, 400);
    // "You must detach or delete all gateways and resources that are associated with the VPC before
    // you can delete it" (API_DeleteVpc.html): subnets, an attached gateway, network interfaces.
    const busy =
      Object.values(net.subnets).some((s) => s.vpcId === id) ||
      Object.values(net.igws).some((g) => g.attachedVpcId === id) ||
      Object.values(net.enis).some((e) => e.vpcId === id);
    if (busy) throw dependency(ctx, 'vpc', id);
    delete net.vpcs[id];
    return { return: true };
  },
  // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateDefaultVpc.html: "You cannot
  // create a default VPC if you already have one" (DefaultVpcAlreadyExists).
  CreateDefaultVpc(ctx) {
    const net = network(ctx);
    if (Object.values(net.vpcs).some((v) => v.isDefault))
      throw ctx.error('DefaultVpcAlreadyExists', 'A Default VPC already exists for this account in this region.', 400);
    return { vpc: vpcOut(createDefaultVpc(net, ctx.caller.accountId, ctx.region), ctx.caller.accountId) };
  },
};

export const ec2: ServiceModule = {
  name: 'ec2',
  signingName: 'ec2',
  protocol: 'ec2',
  xmlNamespace: 'http://ec2.amazonaws.com/doc/2016-11-15/',
  operations: {
    // Regions enabled for the account (AllRegions: every region, with its opt-in status).
    DescribeRegions(ctx) {
      regionEnabled(ctx);
      dryRun(ctx);
      const all = ctx.input.AllRegions === 'true';
      const names = (ctx.input.RegionName ?? []) as string[];
      const filters = (ctx.input.Filter ?? []) as { Name?: string; Value?: string[] }[];
      let regions = [...DEFAULT_REGIONS, ...OPT_IN_REGIONS].map((r) => ({
        name: r,
        status: optInStatus(ctx.world, ctx.caller.accountId, r),
      }));
      for (const n of names)
        if (!regions.some((r) => r.name === n)) throw ctx.error('InvalidParameterValue', `Invalid region: ${n}`, 400);
      if (names.length) regions = regions.filter((r) => names.includes(r.name));
      else if (!all) regions = regions.filter((r) => r.status !== 'not-opted-in');
      for (const f of filters) {
        const want = f.Value ?? [];
        if (f.Name === 'opt-in-status') regions = regions.filter((r) => want.includes(r.status));
        else if (f.Name === 'region-name') regions = regions.filter((r) => want.includes(r.name));
        else throw ctx.error('InvalidParameterValue', `The filter '${String(f.Name)}' is invalid`, 400);
      }
      return {
        regionInfo: regions.map((r) => ({
          regionName: r.name,
          regionEndpoint: `ec2.${r.name}.amazonaws.com`,
          optInStatus: r.status,
        })),
      };
    },
    GetEbsEncryptionByDefault(ctx) {
      regionEnabled(ctx);
      dryRun(ctx);
      const on = storeOf(ctx.world, ctx.caller.accountId).ebsEncryptionByDefault[ctx.region] ?? false;
      return { ebsEncryptionByDefault: on, sseType: 'sse-ebs' };
    },
    EnableEbsEncryptionByDefault(ctx) {
      regionEnabled(ctx);
      dryRun(ctx);
      storeOf(ctx.world, ctx.caller.accountId).ebsEncryptionByDefault[ctx.region] = true;
      return { ebsEncryptionByDefault: true };
    },
    DisableEbsEncryptionByDefault(ctx) {
      regionEnabled(ctx);
      dryRun(ctx);
      storeOf(ctx.world, ctx.caller.accountId).ebsEncryptionByDefault[ctx.region] = false;
      return { ebsEncryptionByDefault: false };
    },
    ...VPC_OPERATIONS,
  },
  drift: {
    /**
     * `{account?, region, subnet?, publicIp?}`: something starts using a default VPC: a network
     * interface appears in a subnet (default: the first default subnet; `subnet` is an ID or an
     * AZ); `publicIp: true` maps a public address too (then the gateway cannot be detached).
     */
    'network-interface-added'(d) {
      const region = String(d.params.region ?? 'us-east-1');
      const net = networkOf(d.world, d.accountId, region, true);
      const want = d.params.subnet as string | undefined;
      const subnets = Object.values(net.subnets);
      const subnet = want
        ? subnets.find((s) => s.subnetId === want || s.availabilityZone === want)
        : subnets.find((s) => s.defaultForAz);
      if (!subnet) throw d.error(`no subnet ${want ?? '(default)'} in ${d.accountId} ${region}`);
      const n = ++net.eniCount;
      const eni: EniRec = {
        networkInterfaceId: `eni-${hashChars(`eni:${d.accountId}:${region}:${n}`, 17, HEX)}`,
        subnetId: subnet.subnetId,
        vpcId: subnet.vpcId,
        availabilityZone: subnet.availabilityZone,
        privateIpAddress: subnet.cidrBlock.replace(/\.0\/20$/, `.${10 + n}`),
        description: String(d.params.description ?? "someone else's instance"),
        ...(d.params.publicIp ? { publicIp: `203.0.113.${n}` } : {}),
      };
      net.enis[eni.networkInterfaceId] = eni;
      return {
        account: d.accountId,
        region,
        networkInterfaceId: eni.networkInterfaceId,
        subnetId: subnet.subnetId,
        vpcId: subnet.vpcId,
      };
    },
    /** `{account?, region}`: the default VPC recreated (as CreateDefaultVpc in the console); refused while one exists. */
    'default-vpc-recreated'(d) {
      const region = String(d.params.region ?? 'us-east-1');
      const net = networkOf(d.world, d.accountId, region, true);
      if (Object.values(net.vpcs).some((v) => v.isDefault))
        throw d.error(`a default VPC already exists in ${d.accountId} ${region}`);
      return { account: d.accountId, region, vpcId: createDefaultVpc(net, d.accountId, region).vpcId };
    },
    /** `{account, region, enabled?}`: an opt-in region enabled (default) or disabled for the account, as in the console. */
    'region-opt-in'(d) {
      const region = d.params.region;
      if (typeof region !== 'string' || !OPT_IN_REGIONS.includes(region))
        throw d.error(`region-opt-in needs an opt-in region (${OPT_IN_REGIONS.join(', ')})`);
      const s = storeOf(d.world, d.accountId);
      const rest = (s.optedIn ?? []).filter((r) => r !== region);
      s.optedIn = d.params.enabled === false ? rest : [...rest, region];
      return { account: d.accountId, region, optInStatus: optInStatus(d.world, d.accountId, region) };
    },
    /** `{account, region}`: EBS encryption by default turned off in one region of one account. */
    'ebs-encryption-off'(d) {
      const region = d.params.region;
      if (typeof region !== 'string' || !region) throw d.error('ebs-encryption-off needs a region');
      storeOf(d.world, d.accountId).ebsEncryptionByDefault[region] = false;
      return { account: d.accountId, region, ebsEncryptionByDefault: false };
    },
  },
};
