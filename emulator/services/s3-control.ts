// Amazon S3 Control (restXml): account-level Block Public Access, per account, addressed by
// the `x-amz-account-id` header (the SDK also puts the ID in front of the host name; against
// the emulator the client sends to the configured URL as it is).
import type { HandlerContext, HttpResult, ServiceModule } from '../types.js';
import type { World } from '../world.js';
import { xmlDocument } from '../xml.js';
import type { PublicAccessBlock } from './s3.js';

const NS = 'http://awss3control.amazonaws.com/doc/2018-08-20/';
const PATH = '/v20180820/configuration/publicAccessBlock';

interface ControlStore {
  publicAccessBlock?: PublicAccessBlock;
}

const storeOf = (world: World, accountId: string): ControlStore =>
  world.store<ControlStore>(accountId, 's3-control', () => ({}));

/** The account named by x-amz-account-id: it must be the caller's own account. */
function account(ctx: HandlerContext): string {
  const id = ctx.req.headers['x-amz-account-id'];
  if (typeof id !== 'string' || !id)
    throw ctx.error('InvalidRequest', 'Missing required header for this request: x-amz-account-id', 400);
  if (!/^\d{12}$/.test(id)) throw ctx.error('InvalidAccountId', 'Account id must be a 12 digit number', 400);
  // S3 Control acts on the caller's own account only; another account ID is denied.
  if (id !== ctx.caller.accountId) throw ctx.accessDenied('Access Denied');
  return id;
}

function flag(ctx: HandlerContext, v: unknown, field: string): boolean {
  if (v === undefined || v === '' || v === 'false') return false;
  if (v === 'true') return true;
  throw ctx.error(
    'MalformedXML',
    `The XML you provided was not well-formed or did not validate against our published schema (${field})`,
    400,
  );
}

export const s3Control: ServiceModule = {
  name: 's3-control',
  signingName: 's3',
  protocol: 'restXml',
  errorWrapping: true,
  matches: (req) => req.path.startsWith('/v20180820/'),
  route(req) {
    if (req.path.replace(/\/$/, '') !== PATH) return undefined;
    const op = (
      { GET: 'GetPublicAccessBlock', PUT: 'PutPublicAccessBlock', DELETE: 'DeletePublicAccessBlock' } as Record<
        string,
        string
      >
    )[req.method];
    return op ? { operation: op } : undefined;
  },
  operations: {
    GetPublicAccessBlock(ctx) {
      const id = account(ctx);
      const c = storeOf(ctx.world, id).publicAccessBlock;
      if (!c)
        throw ctx.error(
          'NoSuchPublicAccessBlockConfiguration',
          'The public access block configuration was not found',
          404,
          { AccountId: id },
        );
      return {
        $http: true,
        status: 200,
        headers: { 'content-type': 'application/xml' },
        body: xmlDocument('PublicAccessBlockConfiguration', c, { xmlns: NS }),
      } satisfies HttpResult;
    },
    PutPublicAccessBlock(ctx) {
      const id = account(ctx);
      const c = (ctx.input.Body as Record<string, any> | undefined)?.PublicAccessBlockConfiguration;
      if (c === undefined)
        throw ctx.error(
          'MalformedXML',
          'The XML you provided was not well-formed or did not validate against our published schema',
          400,
        );
      const cfg = c === '' ? {} : (c as Record<string, unknown>);
      storeOf(ctx.world, id).publicAccessBlock = {
        BlockPublicAcls: flag(ctx, cfg.BlockPublicAcls, 'BlockPublicAcls'),
        IgnorePublicAcls: flag(ctx, cfg.IgnorePublicAcls, 'IgnorePublicAcls'),
        BlockPublicPolicy: flag(ctx, cfg.BlockPublicPolicy, 'BlockPublicPolicy'),
        RestrictPublicBuckets: flag(ctx, cfg.RestrictPublicBuckets, 'RestrictPublicBuckets'),
      };
      return { $http: true, status: 200, body: '' } satisfies HttpResult;
    },
    DeletePublicAccessBlock(ctx) {
      delete storeOf(ctx.world, account(ctx)).publicAccessBlock;
      return { $http: true, status: 204, body: '' } satisfies HttpResult;
    },
  },
  drift: {
    /** `{account, flag?}`: account-level Block Public Access removed, or one flag turned off. */
    'account-bpa-off'(d) {
      const s = storeOf(d.world, d.accountId);
      const f = d.params.flag as keyof PublicAccessBlock | undefined;
      if (f) {
        if (!s.publicAccessBlock || !(f in s.publicAccessBlock))
          throw d.error(`account ${d.accountId} has no ${f} to turn off`);
        s.publicAccessBlock[f] = false;
      } else delete s.publicAccessBlock;
      return { account: d.accountId, publicAccessBlock: s.publicAccessBlock ?? null };
    },
  },
};
