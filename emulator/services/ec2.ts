// Amazon EC2 (ec2Query): EBS encryption by default, which AWS keeps per account AND per
// region (turning it on in eu-west-1 leaves us-east-1 as it was).
import type { HandlerContext, ServiceModule } from '../types.js';
import type { World } from '../world.js';

interface Ec2Store {
  /** region → EBS encryption by default. */
  ebsEncryptionByDefault: Record<string, boolean>;
}

const storeOf = (world: World, accountId: string): Ec2Store => world.store<Ec2Store>(accountId, 'ec2', () => ({ ebsEncryptionByDefault: {} }));

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
    GetEbsEncryptionByDefault(ctx) {
      dryRun(ctx);
      const on = storeOf(ctx.world, ctx.caller.accountId).ebsEncryptionByDefault[ctx.region] ?? false;
      return { ebsEncryptionByDefault: on, sseType: 'sse-ebs' };
    },
    EnableEbsEncryptionByDefault(ctx) {
      dryRun(ctx);
      storeOf(ctx.world, ctx.caller.accountId).ebsEncryptionByDefault[ctx.region] = true;
      return { ebsEncryptionByDefault: true };
    },
    DisableEbsEncryptionByDefault(ctx) {
      dryRun(ctx);
      storeOf(ctx.world, ctx.caller.accountId).ebsEncryptionByDefault[ctx.region] = false;
      return { ebsEncryptionByDefault: false };
    },
  },
  drift: {
    /** `{account, region}`: EBS encryption by default turned off in one region of one account. */
    'ebs-encryption-off'(d) {
      const region = d.params.region;
      if (typeof region !== 'string' || !region) throw d.error('ebs-encryption-off needs a region');
      storeOf(d.world, d.accountId).ebsEncryptionByDefault[region] = false;
      return { account: d.accountId, region, ebsEncryptionByDefault: false };
    },
  },
};
