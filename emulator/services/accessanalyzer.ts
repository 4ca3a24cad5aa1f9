// IAM Access Analyzer (restJson1, signing name `access-analyzer`, `PUT /analyzer` …). Regional:
// analyzers per account and Region. Organization analyzers (ORGANIZATION,
// ORGANIZATION_UNUSED_ACCESS) only from the management account or the delegated administrator
// for access-analyzer.amazonaws.com, with trusted access on; their status turns DISABLED when
// trusted access is switched off or the administrator deregistered later.
import type { HandlerContext, ServiceModule } from '../types.js';
import type { Fail } from '../validate.js';
import { int, oneOf, str } from '../validate.js';
import { AwsError } from '../errors.js';
import type { World } from '../world.js';

export const ACCESS_ANALYZER = 'access-analyzer.amazonaws.com';

/**
 * https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_CreateAnalyzer.html (type).
 * ACCOUNT_INTERNAL_ACCESS / ORGANIZATION_INTERNAL_ACCESS are not emulated.
 */
export const ANALYZER_TYPES = [
  'ACCOUNT',
  'ORGANIZATION',
  'ACCOUNT_UNUSED_ACCESS',
  'ORGANIZATION_UNUSED_ACCESS',
] as const;
type AnalyzerType = (typeof ANALYZER_TYPES)[number];
const isOrgType = (t: string) => t.startsWith('ORGANIZATION');
const isUnusedType = (t: string) => t.endsWith('UNUSED_ACCESS');

/**
 * Quotas (https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-quotas.html): account-level
 * analyzers 1 per type per account per Region; organization-level external or unused access
 * analyzers 5 per type per account per Region (adjustable, default shown).
 */
const MAX_PER_TYPE = (t: string) => (isOrgType(t) ? 5 : 1);

export interface AnalyzerRec {
  arn: string;
  name: string;
  type: AnalyzerType;
  createdAt: Date;
  status: 'CREATING' | 'ACTIVE';
  tags: Record<string, string>;
  configuration?: { unusedAccess: { unusedAccessAge: number } };
}

interface Store {
  /** Region → analyzer name → analyzer. */
  analyzers: Record<string, Record<string, AnalyzerRec>>;
}

export const accessAnalyzerStoreOf = (world: World, accountId: string): Store =>
  world.store<Store>(accountId, 'access-analyzer', () => ({ analyzers: {} }));

type Ctx = HandlerContext<Record<string, any>>;

/** ValidationException: message, reason, fieldList (API_ValidationException.html). */
function validation(message: string, field?: string, reason = 'fieldValidationFailed'): AwsError {
  return new AwsError('ValidationException', message, {
    status: 400,
    extra: { reason, ...(field ? { fieldList: [{ name: field, message }] } : {}) },
  });
}

const fail: Fail = (field, _problem, message) => {
  throw validation(message, field);
};

function notFound(name: string): AwsError {
  return new AwsError('ResourceNotFoundException', `Analyzer not found: ${name}`, {
    status: 404,
    extra: { resourceId: name, resourceType: 'Analyzer' },
  });
}

/** https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_CreateAnalyzer.html: 1–255, [A-Za-z][A-Za-z0-9_.-]* */
const NAME = /^[A-Za-z][A-Za-z0-9_.-]*$/;

function analyzerName(ctx: Ctx): string {
  return str(ctx.input, 'analyzerName', { required: true, min: 1, max: 255, pattern: NAME }, fail)!;
}

/**
 * What an organization analyzer's status shows now: DISABLED with a reason once trusted access is
 * off or its account is no longer the delegated administrator (API_StatusReason.html: reason codes
 * AWS_SERVICE_ACCESS_DISABLED, DELEGATED_ADMINISTRATOR_DEREGISTERED, ORGANIZATION_DELETED).
 */
function statusOf(
  world: World,
  accountId: string,
  a: AnalyzerRec,
): { status: string; statusReason?: { code: string } } {
  if (!isOrgType(a.type)) return { status: a.status };
  const org = world.orgOf(accountId);
  if (!org) return { status: 'DISABLED', statusReason: { code: 'ORGANIZATION_DELETED' } };
  if (!(ACCESS_ANALYZER in org.serviceAccess))
    return { status: 'DISABLED', statusReason: { code: 'AWS_SERVICE_ACCESS_DISABLED' } };
  if (org.managementAccountId !== accountId && !world.isDelegatedAdmin(accountId, ACCESS_ANALYZER)) {
    return { status: 'DISABLED', statusReason: { code: 'DELEGATED_ADMINISTRATOR_DEREGISTERED' } };
  }
  return { status: a.status };
}

function analyzerOut(world: World, accountId: string, a: AnalyzerRec) {
  return {
    arn: a.arn,
    name: a.name,
    type: a.type,
    // AnalyzerSummary.createdAt is a date-time string on the wire.
    createdAt: a.createdAt.toISOString(),
    tags: a.tags,
    ...(a.configuration ? { configuration: a.configuration } : {}),
    ...statusOf(world, accountId, a),
  };
}

function tagsIn(ctx: Ctx): Record<string, string> {
  const raw = ctx.input.tags;
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw validation('tags must be a map.', 'tags');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    // Tag keys 1–128 characters, not starting with aws:; values 0–256 (API_CreateAnalyzer.html, tags).
    if (k.length < 1 || k.length > 128 || k.toLowerCase().startsWith('aws:'))
      throw validation(`Invalid tag key: ${k}`, 'tags');
    if (typeof v !== 'string' || v.length > 256) throw validation(`Invalid tag value for ${k}`, 'tags');
    out[k] = v;
  }
  return out;
}

/** Unused-access configuration: only for the *_UNUSED_ACCESS types; unusedAccessAge 1–365 days (default 90). */
function configurationIn(ctx: Ctx, type: string): AnalyzerRec['configuration'] {
  const raw = ctx.input.configuration as { unusedAccess?: { unusedAccessAge?: unknown } } | undefined;
  if (!isUnusedType(type)) {
    if (raw !== undefined && raw !== null)
      throw validation(`configuration is not supported for analyzer type ${type}.`, 'configuration');
    return undefined;
  }
  const age = raw?.unusedAccess?.unusedAccessAge ?? 90;
  // "You can enter a value between 1 and 365 days" (https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-create-unused.html).
  if (typeof age !== 'number' || !Number.isInteger(age) || age < 1 || age > 365)
    throw validation('unusedAccessAge must be between 1 and 365 days.', 'configuration.unusedAccess.unusedAccessAge');
  return { unusedAccess: { unusedAccessAge: age } };
}

/**
 * Organization analyzers: the caller must be the management account or the delegated
 * administrator for access-analyzer.amazonaws.com (a member gets 403 AccessDeniedException
 * "Account … is not a delegated administrator", as reported in
 * https://github.com/awslabs/landing-zone-accelerator-on-aws/issues/922), and trusted access must be
 * on (400 ValidationException "Service not enabled for AWS Organizations", reported in
 * https://github.com/nozaq/terraform-aws-secure-baseline/issues/184). User guide:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-settings.html (delegated administrator).
 */
function checkOrganizationCaller(ctx: Ctx): void {
  const me = ctx.caller.accountId;
  const org = ctx.world.orgOf(me);
  if (!org)
    throw validation(
      'The account is not a member of an AWS organization; an analyzer with the organization as the zone of trust needs one.',
      'type',
    );
  if (org.managementAccountId !== me && !ctx.world.isDelegatedAdmin(me, ACCESS_ANALYZER)) {
    throw new AwsError('AccessDeniedException', `Account ${me} is not a delegated administrator`, { status: 403 });
  }
  if (org.featureSet !== 'ALL' || !(ACCESS_ANALYZER in org.serviceAccess)) {
    throw new AwsError('ValidationException', 'Service not enabled for AWS Organizations', {
      status: 400,
      extra: { reason: 'fieldValidationFailed' },
    });
  }
}

export const accessAnalyzer: ServiceModule = {
  name: 'access-analyzer',
  signingName: 'access-analyzer',
  protocol: 'restJson',
  errors: {
    throttling: { code: 'ThrottlingException', status: 429 },
    internal: { code: 'InternalServerException', status: 500 },
    validation: { code: 'ValidationException', status: 400, extra: { reason: 'cannotParse' } },
    invalidToken: { code: 'ValidationException', status: 400, extra: { reason: 'fieldValidationFailed' } },
  },
  route(req) {
    const q = Object.fromEntries(req.query);
    if (req.path === '/analyzer' || req.path === '/analyzer/') {
      if (req.method === 'PUT') return { operation: 'CreateAnalyzer' };
      if (req.method === 'GET') return { operation: 'ListAnalyzers', params: q };
      return undefined;
    }
    const m = /^\/analyzer\/([^/]+)$/.exec(req.path);
    if (m && req.method === 'GET') return { operation: 'GetAnalyzer', params: { ...q, analyzerName: m[1] } };
    if (m && req.method === 'DELETE') return { operation: 'DeleteAnalyzer', params: { ...q, analyzerName: m[1] } };
    return undefined;
  },
  operations: {
    // https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_CreateAnalyzer.html
    CreateAnalyzer(ctx: Ctx) {
      const name = analyzerName(ctx);
      const type = oneOf(ctx.input, 'type', ANALYZER_TYPES, { required: true }, fail)!;
      const tags = tagsIn(ctx);
      const configuration = configurationIn(ctx, type);
      if (isOrgType(type)) checkOrganizationCaller(ctx);
      const me = ctx.caller.accountId;
      const inRegion = (accessAnalyzerStoreOf(ctx.world, me).analyzers[ctx.region] ??= {});
      // Names are unique per account and Region: ConflictException 409 (API_CreateAnalyzer.html, Errors).
      if (inRegion[name]) {
        throw new AwsError('ConflictException', `Analyzer ${name} already exists`, {
          status: 409,
          extra: { resourceId: name, resourceType: 'Analyzer' },
        });
      }
      if (Object.values(inRegion).filter((a) => a.type === type).length >= MAX_PER_TYPE(type)) {
        throw new AwsError(
          'ServiceQuotaExceededException',
          `You have reached the maximum number of analyzers of type ${type} in this Region.`,
          { status: 402, extra: { resourceId: name, resourceType: 'Analyzer' } },
        );
      }
      const rec: AnalyzerRec = {
        arn: `arn:aws:access-analyzer:${ctx.region}:${me}:analyzer/${name}`,
        name,
        type,
        createdAt: new Date(),
        status: 'CREATING',
        tags,
        ...(configuration ? { configuration } : {}),
      };
      inRegion[name] = rec;
      // An analyzer is CREATING until its first analysis starts (AnalyzerSummary.status).
      const region = ctx.region;
      ctx.later((world) => {
        const a = accessAnalyzerStoreOf(world, me).analyzers[region]?.[name];
        if (a && a.createdAt.getTime() === rec.createdAt.getTime()) a.status = 'ACTIVE';
      });
      return { arn: rec.arn };
    },

    // https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_GetAnalyzer.html
    GetAnalyzer(ctx: Ctx) {
      const name = analyzerName(ctx);
      const a = accessAnalyzerStoreOf(ctx.world, ctx.caller.accountId).analyzers[ctx.region]?.[name];
      if (!a) throw notFound(name);
      return { analyzer: analyzerOut(ctx.world, ctx.caller.accountId, a) };
    },

    // https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_ListAnalyzers.html
    ListAnalyzers(ctx: Ctx) {
      const type = oneOf(ctx.input, 'type', ANALYZER_TYPES, {}, fail);
      int(ctx.input, 'maxResults', { min: 1 }, fail);
      const all = Object.values(accessAnalyzerStoreOf(ctx.world, ctx.caller.accountId).analyzers[ctx.region] ?? {})
        .filter((a) => !type || a.type === type)
        .map((a) => analyzerOut(ctx.world, ctx.caller.accountId, a));
      const p = ctx.paginate(all, ctx.input.nextToken, ctx.input.maxResults);
      return { analyzers: p.items, nextToken: p.nextToken };
    },

    // https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_DeleteAnalyzer.html
    DeleteAnalyzer(ctx: Ctx) {
      const name = analyzerName(ctx);
      const inRegion = accessAnalyzerStoreOf(ctx.world, ctx.caller.accountId).analyzers[ctx.region];
      if (!inRegion?.[name]) throw notFound(name);
      delete inRegion[name];
      return undefined;
    },
  },
  drift: {
    /** `{service:'access-analyzer', kind:'analyzer-deleted', account?, region?, name}`: someone deleted an analyzer. */
    'analyzer-deleted'(d) {
      const region = String(d.params.region ?? 'us-east-1');
      const inRegion = accessAnalyzerStoreOf(d.world, d.accountId).analyzers[region] ?? {};
      const name = d.params.name === undefined ? Object.keys(inRegion)[0] : String(d.params.name);
      if (!name || !inRegion[name])
        throw d.error(`account ${d.accountId} has no analyzer ${name ?? ''} in ${region}`.replace('  ', ' '));
      delete inRegion[name];
      return { account: d.accountId, region, name };
    },
  },
};
