// Amazon EC2 (ec2Query): EBS encryption by default, which AWS keeps per account AND per
// region (turning it on in eu-west-1 leaves us-east-1 as it was), and the regions enabled for
// the account (DescribeRegions). Regions launched after 20 March 2019 are opt-in: disabled until
// the account enables them, and a call there fails (AuthFailure) as the credentials are not
// valid in that region (https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-regions.html).
import type { HandlerContext, ServiceModule } from '../types.js';
import type { World } from '../world.js';

interface Ec2Store {
  /** region → EBS encryption by default. */
  ebsEncryptionByDefault: Record<string, boolean>;
  /** Opt-in regions the account has enabled (drift `region-opt-in`: done in the console). */
  optedIn?: string[];
}

const storeOf = (world: World, accountId: string): Ec2Store => world.store<Ec2Store>(accountId, 'ec2', () => ({ ebsEncryptionByDefault: {} }));

/** Enabled by default in every account (the regions that existed before 20 March 2019). */
export const DEFAULT_REGIONS = [
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ca-central-1', 'sa-east-1',
  'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1', 'eu-north-1',
  'ap-south-1', 'ap-southeast-1', 'ap-southeast-2', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3',
];
/** Opt-in regions: an account must enable them before using them. */
export const OPT_IN_REGIONS = [
  'af-south-1', 'ap-east-1', 'ap-east-2', 'ap-south-2', 'ap-southeast-3', 'ap-southeast-4', 'ap-southeast-5', 'ap-southeast-7',
  'ca-west-1', 'eu-central-2', 'eu-south-1', 'eu-south-2', 'il-central-1', 'me-central-1', 'me-south-1', 'mx-central-1',
];

function optInStatus(world: World, accountId: string, region: string): 'opt-in-not-required' | 'opted-in' | 'not-opted-in' {
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
  if (v !== 'true' && v !== 'false') throw ctx.error('InvalidParameterValue', `Value (${String(v)}) for parameter DryRun is invalid.`, 400);
  if (v === 'true') throw ctx.error('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.', 412);
}

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
      let regions = [...DEFAULT_REGIONS, ...OPT_IN_REGIONS].map((r) => ({ name: r, status: optInStatus(ctx.world, ctx.caller.accountId, r) }));
      for (const n of names) if (!regions.some((r) => r.name === n)) throw ctx.error('InvalidParameterValue', `Invalid region: ${n}`, 400);
      if (names.length) regions = regions.filter((r) => names.includes(r.name));
      else if (!all) regions = regions.filter((r) => r.status !== 'not-opted-in');
      for (const f of filters) {
        const want = f.Value ?? [];
        if (f.Name === 'opt-in-status') regions = regions.filter((r) => want.includes(r.status));
        else if (f.Name === 'region-name') regions = regions.filter((r) => want.includes(r.name));
        else throw ctx.error('InvalidParameterValue', `The filter '${String(f.Name)}' is invalid`, 400);
      }
      return { regionInfo: regions.map((r) => ({ regionName: r.name, regionEndpoint: `ec2.${r.name}.amazonaws.com`, optInStatus: r.status })) };
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
  },
  drift: {
    /** `{account, region, enabled?}`: an opt-in region enabled (default) or disabled for the account, as in the console. */
    'region-opt-in'(d) {
      const region = d.params.region;
      if (typeof region !== 'string' || !OPT_IN_REGIONS.includes(region)) throw d.error(`region-opt-in needs an opt-in region (${OPT_IN_REGIONS.join(', ')})`);
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
