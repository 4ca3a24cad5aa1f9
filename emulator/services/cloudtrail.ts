// AWS CloudTrail (awsJson1_1): trails, including organization trails. Checks what AWS checks
// when a trail is created or pointed at a bucket: the name, the organization (all features,
// trusted access for cloudtrail.amazonaws.com, management account only) and the bucket
// policy, evaluated for CloudTrail's GetBucketAcl and PutObject with the trail's
// aws:SourceArn. GetTrailStatus reports a delivery error while the policy stops CloudTrail.
import type { HandlerContext, ServiceModule } from '../types.js';
import type { World } from '../world.js';
import { findBucket } from './s3.js';
import { putObjectVersion } from './s3-objects.js';
import { findKey, keyAllowsService } from './kms.js';

export interface TrailRecord {
  Name: string;
  TrailARN: string;
  HomeRegion: string;
  AccountId: string;
  S3BucketName: string;
  S3KeyPrefix?: string;
  SnsTopicName?: string;
  IncludeGlobalServiceEvents: boolean;
  IsMultiRegionTrail: boolean;
  IsOrganizationTrail: boolean;
  LogFileValidationEnabled: boolean;
  KmsKeyId?: string;
  CloudWatchLogsLogGroupArn?: string;
  CloudWatchLogsRoleArn?: string;
  logging: boolean;
  /** PutEventSelectors; absent: AWS's default (all management events, read and write). */
  eventSelectors?: {
    ReadWriteType: string;
    IncludeManagementEvents: boolean;
    DataResources: unknown[];
    ExcludeManagementEventSources: string[];
  }[];
  startLoggingTime?: Date;
  stopLoggingTime?: Date;
}

interface TrailStore {
  /** TrailARN → trail. */
  trails: Record<string, TrailRecord>;
}

const storeOf = (world: World, accountId: string): TrailStore =>
  world.store<TrailStore>(accountId, 'cloudtrail', () => ({ trails: {} }));
const CLOUDTRAIL = 'cloudtrail.amazonaws.com';
const MAX_TRAILS_PER_REGION = 5;

// ---- a small IAM policy evaluator, enough for bucket policies -------------------------

const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

function glob(pattern: string, value: string, ignoreCase = false): boolean {
  const re = new RegExp(
    '^' +
      pattern
        .split('')
        .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
        .join('') +
      '$',
    ignoreCase ? 'i' : '',
  );
  return re.test(value);
}

function principalMatches(s: any, service: string): boolean {
  const p = s.Principal;
  if (p === '*') return true;
  if (!p || typeof p !== 'object') return false;
  return asArray<string>(p.Service).includes(service) || asArray<string>(p.AWS).includes('*');
}

function conditionHolds(
  cond: Record<string, Record<string, unknown>> | undefined,
  context: Record<string, string>,
): boolean {
  if (!cond) return true;
  for (const [rawOp, entries] of Object.entries(cond)) {
    const ifExists = rawOp.endsWith('IfExists');
    const op = ifExists ? rawOp.slice(0, -'IfExists'.length) : rawOp;
    for (const [rawKey, rawValues] of Object.entries(entries ?? {})) {
      const key = Object.keys(context).find((k) => k.toLowerCase() === rawKey.toLowerCase());
      const actual = key ? context[key] : undefined;
      const values = asArray(rawValues).map(String);
      if (op === 'Null') {
        if ((values[0] === 'true') !== (actual === undefined)) return false;
        continue;
      }
      if (actual === undefined) {
        if (ifExists || /Not/.test(op)) continue;
        return false;
      }
      let ok: boolean;
      switch (op) {
        case 'StringEquals':
        case 'ArnEquals':
          ok = values.includes(actual);
          break;
        case 'StringEqualsIgnoreCase':
          ok = values.some((v) => v.toLowerCase() === actual.toLowerCase());
          break;
        case 'StringLike':
        case 'ArnLike':
          ok = values.some((v) => glob(v, actual));
          break;
        case 'StringNotEquals':
        case 'ArnNotEquals':
          ok = !values.includes(actual);
          break;
        case 'StringNotLike':
        case 'ArnNotLike':
          ok = !values.some((v) => glob(v, actual));
          break;
        case 'Bool':
          ok = values.some((v) => v.toLowerCase() === actual.toLowerCase());
          break;
        default:
          ok = false; // an operator we do not know: do not assume it allows anything
      }
      if (!ok) return false;
    }
  }
  return true;
}

function statementApplies(
  s: any,
  service: string,
  action: string,
  resource: string,
  context: Record<string, string>,
): boolean {
  if (!principalMatches(s, service)) return false;
  const actionOk =
    s.Action !== undefined
      ? asArray<string>(s.Action).some((a) => glob(a, action, true))
      : !asArray<string>(s.NotAction).some((a) => glob(a, action, true));
  if (!actionOk) return false;
  const resourceOk =
    s.Resource !== undefined
      ? asArray<string>(s.Resource).some((r) => glob(r, resource))
      : !asArray<string>(s.NotResource).some((r) => glob(r, resource));
  return resourceOk && conditionHolds(s.Condition, context);
}

/** Whether a bucket policy lets `service` make `action` on `resource` in that context. */
export function policyAllows(
  policy: string | undefined,
  service: string,
  action: string,
  resource: string,
  context: Record<string, string>,
): boolean {
  if (!policy) return false;
  let doc: any;
  try {
    doc = JSON.parse(policy);
  } catch {
    return false;
  }
  const statements = asArray<any>(doc?.Statement);
  const applies = (effect: string) =>
    statements.some((s) => s?.Effect === effect && statementApplies(s, service, action, resource, context));
  return !applies('Deny') && applies('Allow');
}

/** What CloudTrail needs from the bucket policy to deliver this trail's logs. */
function bucketPolicyProblem(
  world: World,
  t: Pick<TrailRecord, 'S3BucketName' | 'S3KeyPrefix' | 'TrailARN' | 'AccountId' | 'IsOrganizationTrail'>,
): string | undefined {
  const bucket = findBucket(world, t.S3BucketName);
  if (!bucket) return 'missing';
  const context = { 'aws:SourceArn': t.TrailARN, 'aws:SourceAccount': t.AccountId, 'aws:SecureTransport': 'true' };
  const base = `arn:aws:s3:::${bucket.name}`;
  if (!policyAllows(bucket.policy, CLOUDTRAIL, 's3:GetBucketAcl', base, context)) return 's3:GetBucketAcl';
  const prefix = t.S3KeyPrefix ? `${t.S3KeyPrefix}/` : '';
  const sample = (owner: string) =>
    `${base}/${prefix}AWSLogs/${owner}/CloudTrail/${t.TrailARN.split(':')[3]}/2025/01/01/${t.AccountId}_CloudTrail_file.json.gz`;
  const put = { ...context, 's3:x-amz-acl': 'bucket-owner-full-control' };
  if (!policyAllows(bucket.policy, CLOUDTRAIL, 's3:PutObject', sample(t.AccountId), put))
    return `s3:PutObject on AWSLogs/${t.AccountId}/*`;
  if (t.IsOrganizationTrail) {
    const org = world.orgOf(t.AccountId);
    if (org && !policyAllows(bucket.policy, CLOUDTRAIL, 's3:PutObject', sample(`${org.id}/${t.AccountId}`), put))
      return `s3:PutObject on AWSLogs/${org.id}/*`;
  }
  return undefined;
}

// ---- helpers ------------------------------------------------------------------------

function trailView(t: TrailRecord): Record<string, unknown> {
  return {
    Name: t.Name,
    S3BucketName: t.S3BucketName,
    S3KeyPrefix: t.S3KeyPrefix,
    SnsTopicName: t.SnsTopicName,
    IncludeGlobalServiceEvents: t.IncludeGlobalServiceEvents,
    IsMultiRegionTrail: t.IsMultiRegionTrail,
    HomeRegion: t.HomeRegion,
    TrailARN: t.TrailARN,
    LogFileValidationEnabled: t.LogFileValidationEnabled,
    CloudWatchLogsLogGroupArn: t.CloudWatchLogsLogGroupArn,
    CloudWatchLogsRoleArn: t.CloudWatchLogsRoleArn,
    KmsKeyId: t.KmsKeyId,
    HasCustomEventSelectors: !!t.eventSelectors,
    HasInsightSelectors: false,
    IsOrganizationTrail: t.IsOrganizationTrail,
  };
}

const TRAIL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{1,126}[A-Za-z0-9]$/;

function checkName(ctx: HandlerContext, name: unknown): string {
  if (typeof name !== 'string' || !name)
    throw ctx.error('TrailNotProvidedException', 'Trail name or ARN not provided.');
  if (!TRAIL_NAME.test(name) || /[._-]{2}/.test(name))
    throw ctx.error(
      'InvalidTrailNameException',
      'Trail name must starts with a letter or number, end with a letter or number, be between 3 and 128 characters, have no adjacent periods, underscores or dashes, and contain only ASCII letters, numbers, periods, underscores and dashes.',
    );
  return name;
}

/** Trails the caller can see: its own, and its organization's trails when it is a member. */
function visibleTrails(ctx: HandlerContext): TrailRecord[] {
  const own = Object.values(storeOf(ctx.world, ctx.caller.accountId).trails);
  const org = ctx.world.orgOf(ctx.caller.accountId);
  const orgTrails =
    org && org.managementAccountId !== ctx.caller.accountId
      ? Object.values(storeOf(ctx.world, org.managementAccountId).trails).filter((t) => t.IsOrganizationTrail)
      : [];
  return [...own, ...orgTrails];
}

/** A trail by name (in this region) or ARN; `write` also requires the home region and ownership. */
function findTrail(ctx: HandlerContext, nameOrArn: unknown, write: boolean): TrailRecord {
  if (typeof nameOrArn !== 'string' || !nameOrArn)
    throw ctx.error('TrailNotProvidedException', 'Trail name or ARN not provided.');
  const isArn = nameOrArn.startsWith('arn:');
  if (isArn && !/^arn:aws[\w-]*:cloudtrail:[a-z0-9-]+:\d{12}:trail\/.+$/.test(nameOrArn))
    throw ctx.error('CloudTrailARNInvalidException', `Invalid trail ARN ${nameOrArn}.`);
  const t = visibleTrails(ctx).find((x) =>
    isArn ? x.TrailARN === nameOrArn : x.Name === nameOrArn && (x.HomeRegion === ctx.region || x.IsMultiRegionTrail),
  );
  const unknown = () =>
    ctx.error('TrailNotFoundException', `Unknown trail: ${nameOrArn} for the user: ${ctx.caller.accountId}`);
  if (!t) throw unknown();
  if (write) {
    if (t.AccountId !== ctx.caller.accountId) {
      throw ctx.error(
        'NotOrganizationManagementAccountException',
        'The request was rejected because the caller is not the management account of the organization that owns this organization trail.',
      );
    }
    if (t.HomeRegion !== ctx.region)
      throw ctx.error(
        'InvalidHomeRegionException',
        `This operation must be called from the trail's home region (${t.HomeRegion}).`,
      );
  }
  return t;
}

function bool(ctx: HandlerContext, v: unknown, field: string): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw ctx.error('SerializationException', `${field} must be a boolean`);
  return v;
}

function checkOrganization(ctx: HandlerContext): void {
  const org = ctx.world.orgOf(ctx.caller.accountId);
  if (!org) throw ctx.error('OrganizationsNotInUseException', 'This account is not a member of an organization.');
  if (org.featureSet !== 'ALL')
    throw ctx.error(
      'OrganizationNotInAllFeaturesModeException',
      'This operation requires that all features are enabled in the organization.',
    );
  if (org.managementAccountId !== ctx.caller.accountId)
    throw ctx.error(
      'NotOrganizationManagementAccountException',
      'Only the management account of an organization (or a delegated administrator) can create or update an organization trail.',
    );
  if (!ctx.world.hasTrustedAccess(ctx.caller.accountId, CLOUDTRAIL))
    throw ctx.error(
      'CloudTrailAccessNotEnabledException',
      'This organization has not enabled trusted access for CloudTrail (cloudtrail.amazonaws.com). Enable it with Organizations EnableAWSServiceAccess, then try again.',
    );
}

function checkBucket(
  ctx: HandlerContext,
  t: Pick<TrailRecord, 'S3BucketName' | 'S3KeyPrefix' | 'TrailARN' | 'AccountId' | 'IsOrganizationTrail'>,
): void {
  const problem = bucketPolicyProblem(ctx.world, t);
  if (problem === 'missing')
    throw ctx.error('S3BucketDoesNotExistException', `S3 bucket ${t.S3BucketName} does not exist.`);
  if (problem)
    throw ctx.error(
      'InsufficientS3BucketPolicyException',
      `Incorrect S3 bucket policy is detected for bucket: ${t.S3BucketName}`,
    );
}

/**
 * The KMS key a trail encrypts with (CIS 3.5): it must exist in the trail's region (the bucket's
 * too), be enabled, and its policy must let CloudTrail describe it and generate data keys for
 * this trail (aws:SourceArn, encryption context aws:cloudtrail:arn)
 * (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html).
 * Errors as the CreateTrail reference names them: KmsKeyNotFoundException (missing or another
 * region), KmsException (disabled or pending deletion), InsufficientEncryptionPolicyException.
 */
function keyProblem(
  world: World,
  t: Pick<TrailRecord, 'KmsKeyId' | 'TrailARN' | 'AccountId' | 'HomeRegion'>,
): 'missing' | 'state' | 'policy' | undefined {
  if (!t.KmsKeyId) return undefined;
  const key = findKey(world, t.KmsKeyId, t.AccountId, t.HomeRegion, { aliases: true });
  if (!key || key.region !== t.HomeRegion) return 'missing';
  if (key.state !== 'Enabled') return 'state';
  const context = {
    'aws:SourceArn': t.TrailARN,
    'aws:SourceAccount': t.AccountId,
    'kms:EncryptionContext:aws:cloudtrail:arn': t.TrailARN,
  };
  if (
    !keyAllowsService(key, CLOUDTRAIL, 'kms:GenerateDataKey', context) ||
    !keyAllowsService(key, CLOUDTRAIL, 'kms:DescribeKey', context)
  )
    return 'policy';
  return undefined;
}

function checkKey(ctx: HandlerContext, t: TrailRecord): void {
  if (!t.KmsKeyId) return;
  const problem = keyProblem(ctx.world, t);
  if (problem === 'missing')
    throw ctx.error(
      'KmsKeyNotFoundException',
      `KMS key ${t.KmsKeyId} does not exist, or is not in the trail's region ${t.HomeRegion}.`,
    );
  if (problem === 'state') throw ctx.error('KmsException', `KMS key ${t.KmsKeyId} is disabled or pending deletion.`);
  if (problem === 'policy')
    throw ctx.error(
      'InsufficientEncryptionPolicyException',
      `Insufficient permissions to access S3 bucket ${t.S3BucketName} or KMS key ${t.KmsKeyId}.`,
    );
  // CloudTrail keeps the full key ARN.
  t.KmsKeyId = findKey(ctx.world, t.KmsKeyId, t.AccountId, t.HomeRegion, { aliases: true })!.arn;
}

function checkCombination(
  ctx: HandlerContext,
  t: Pick<TrailRecord, 'IsMultiRegionTrail' | 'IncludeGlobalServiceEvents'>,
): void {
  if (t.IsMultiRegionTrail && !t.IncludeGlobalServiceEvents)
    throw ctx.error('InvalidParameterCombinationException', 'Multi-Region trail must include global service events.');
}

// ---- operations ---------------------------------------------------------------------

export const cloudtrail: ServiceModule = {
  name: 'cloudtrail',
  signingName: 'cloudtrail',
  protocol: 'json',
  targetPrefix: 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101',
  operations: {
    CreateTrail(ctx) {
      const i = ctx.input;
      const name = checkName(ctx, i.Name);
      if (typeof i.S3BucketName !== 'string' || !i.S3BucketName)
        throw ctx.error('InvalidS3BucketNameException', 'S3 bucket name must be provided.');
      const account = ctx.caller.accountId;
      const arn = `arn:aws:cloudtrail:${ctx.region}:${account}:trail/${name}`;
      const store = storeOf(ctx.world, account);
      if (store.trails[arn])
        throw ctx.error('TrailAlreadyExistsException', `Trail ${name} already exists for customer: ${account}`);
      if (Object.values(store.trails).filter((t) => t.HomeRegion === ctx.region).length >= MAX_TRAILS_PER_REGION)
        throw ctx.error(
          'MaximumNumberOfTrailsExceededException',
          `User: ${account} already has ${MAX_TRAILS_PER_REGION} trails in ${ctx.region}.`,
        );
      const t: TrailRecord = {
        Name: name,
        TrailARN: arn,
        HomeRegion: ctx.region,
        AccountId: account,
        S3BucketName: i.S3BucketName,
        ...(i.S3KeyPrefix ? { S3KeyPrefix: String(i.S3KeyPrefix) } : {}),
        ...(i.SnsTopicName ? { SnsTopicName: String(i.SnsTopicName) } : {}),
        IncludeGlobalServiceEvents: bool(ctx, i.IncludeGlobalServiceEvents, 'IncludeGlobalServiceEvents') ?? true,
        IsMultiRegionTrail: bool(ctx, i.IsMultiRegionTrail, 'IsMultiRegionTrail') ?? false,
        IsOrganizationTrail: bool(ctx, i.IsOrganizationTrail, 'IsOrganizationTrail') ?? false,
        LogFileValidationEnabled: bool(ctx, i.EnableLogFileValidation, 'EnableLogFileValidation') ?? false,
        ...(i.KmsKeyId ? { KmsKeyId: String(i.KmsKeyId) } : {}),
        ...(i.CloudWatchLogsLogGroupArn ? { CloudWatchLogsLogGroupArn: String(i.CloudWatchLogsLogGroupArn) } : {}),
        ...(i.CloudWatchLogsRoleArn ? { CloudWatchLogsRoleArn: String(i.CloudWatchLogsRoleArn) } : {}),
        logging: false,
      };
      checkCombination(ctx, t);
      if (t.IsOrganizationTrail) checkOrganization(ctx);
      checkBucket(ctx, t);
      checkKey(ctx, t);
      store.trails[arn] = t;
      const { HomeRegion: _h, HasCustomEventSelectors: _c, HasInsightSelectors: _i, ...view } = trailView(t);
      return view;
    },

    UpdateTrail(ctx) {
      const i = ctx.input;
      const t = findTrail(ctx, i.Name, true);
      const next: TrailRecord = { ...t };
      if (i.S3BucketName !== undefined) next.S3BucketName = String(i.S3BucketName);
      if (i.S3KeyPrefix !== undefined) next.S3KeyPrefix = String(i.S3KeyPrefix) || undefined;
      const setBool = (field: keyof TrailRecord, input: string) => {
        const v = bool(ctx, i[input], input);
        if (v !== undefined) (next as unknown as Record<string, unknown>)[field] = v;
      };
      setBool('IncludeGlobalServiceEvents', 'IncludeGlobalServiceEvents');
      setBool('IsMultiRegionTrail', 'IsMultiRegionTrail');
      setBool('IsOrganizationTrail', 'IsOrganizationTrail');
      setBool('LogFileValidationEnabled', 'EnableLogFileValidation');
      if (i.KmsKeyId !== undefined) next.KmsKeyId = String(i.KmsKeyId) || undefined;
      checkCombination(ctx, next);
      if (next.IsOrganizationTrail && !t.IsOrganizationTrail) checkOrganization(ctx);
      if (
        next.S3BucketName !== t.S3BucketName ||
        next.S3KeyPrefix !== t.S3KeyPrefix ||
        next.IsOrganizationTrail !== t.IsOrganizationTrail
      )
        checkBucket(ctx, next);
      if (i.KmsKeyId !== undefined) checkKey(ctx, next);
      storeOf(ctx.world, t.AccountId).trails[t.TrailARN] = next;
      const { HomeRegion: _h, HasCustomEventSelectors: _c, HasInsightSelectors: _i, ...view } = trailView(next);
      return view;
    },

    DescribeTrails(ctx) {
      const names = ctx.input.trailNameList as unknown;
      if (names !== undefined && !Array.isArray(names))
        throw ctx.error('SerializationException', 'trailNameList must be a list');
      const shadows = ctx.input.includeShadowTrails !== false;
      let trails = visibleTrails(ctx).filter((t) => t.HomeRegion === ctx.region || (shadows && t.IsMultiRegionTrail));
      if (names?.length)
        trails = trails.filter((t) =>
          (names as string[]).some((n) => n === t.TrailARN || (n === t.Name && t.HomeRegion === ctx.region)),
        );
      return { trailList: trails.map(trailView) };
    },

    GetTrail(ctx) {
      return { Trail: trailView(findTrail(ctx, ctx.input.Name, false)) };
    },

    GetTrailStatus(ctx) {
      const t = findTrail(ctx, ctx.input.Name, false);
      // While logging, a policy that stops CloudTrail shows up as a delivery error, as in AWS.
      const problem = t.logging
        ? (bucketPolicyProblem(ctx.world, t) ?? (keyProblem(ctx.world, t) ? 'kms' : undefined))
        : undefined;
      return {
        IsLogging: t.logging,
        ...(t.startLoggingTime
          ? { StartLoggingTime: t.startLoggingTime, TimeLoggingStarted: t.startLoggingTime.toISOString() }
          : {}),
        ...(t.stopLoggingTime
          ? { StopLoggingTime: t.stopLoggingTime, TimeLoggingStopped: t.stopLoggingTime.toISOString() }
          : {}),
        ...(t.logging && !problem
          ? {
              LatestDeliveryTime: new Date(),
              LatestDigestDeliveryTime: t.LogFileValidationEnabled ? new Date() : undefined,
            }
          : {}),
        // (?) AWS does not document the exact text for a KMS failure; the bucket ones are S3's codes.
        ...(problem
          ? {
              LatestDeliveryError:
                problem === 'missing'
                  ? 'NoSuchBucket'
                  : problem === 'kms'
                    ? 'KMS.AccessDeniedException'
                    : 'AccessDenied',
            }
          : {}),
      };
    },

    // Which events the trail records (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_PutEventSelectors.html):
    // at most 5 selectors; ReadOnly or no management events would hide writes from the logs.
    PutEventSelectors(ctx) {
      const t = findTrail(ctx, ctx.input.TrailName, true);
      const sel = ctx.input.EventSelectors as unknown;
      if (ctx.input.AdvancedEventSelectors !== undefined)
        throw ctx.error('UnsupportedOperationException', 'The emulator supports basic event selectors only.');
      if (!Array.isArray(sel) || sel.length < 1 || sel.length > 5)
        throw ctx.error('InvalidEventSelectorsException', 'You can specify from 1 to 5 event selectors for a trail.');
      t.eventSelectors = sel.map((e: Record<string, unknown>) => {
        const rw = e.ReadWriteType ?? 'All';
        if (!['ReadOnly', 'WriteOnly', 'All'].includes(String(rw)))
          throw ctx.error('InvalidEventSelectorsException', `Invalid ReadWriteType ${String(rw)}.`);
        return {
          ReadWriteType: String(rw),
          IncludeManagementEvents: bool(ctx, e.IncludeManagementEvents, 'IncludeManagementEvents') ?? true,
          DataResources: Array.isArray(e.DataResources) ? e.DataResources : [],
          ExcludeManagementEventSources: Array.isArray(e.ExcludeManagementEventSources)
            ? (e.ExcludeManagementEventSources as string[])
            : [],
        };
      });
      return { TrailARN: t.TrailARN, EventSelectors: t.eventSelectors };
    },

    GetEventSelectors(ctx) {
      const t = findTrail(ctx, ctx.input.TrailName, false);
      return {
        TrailARN: t.TrailARN,
        EventSelectors: t.eventSelectors ?? [
          { ReadWriteType: 'All', IncludeManagementEvents: true, DataResources: [], ExcludeManagementEventSources: [] },
        ],
      };
    },

    StartLogging(ctx) {
      const t = findTrail(ctx, ctx.input.Name, true);
      if (!t.logging) {
        t.logging = true;
        t.startLoggingTime = new Date();
      }
      return {};
    },

    StopLogging(ctx) {
      const t = findTrail(ctx, ctx.input.Name, true);
      if (t.logging) {
        t.logging = false;
        t.stopLoggingTime = new Date();
      }
      return {};
    },

    DeleteTrail(ctx) {
      const t = findTrail(ctx, ctx.input.Name, true);
      delete storeOf(ctx.world, t.AccountId).trails[t.TrailARN];
      return {};
    },
  },
  drift: {
    /**
     * `{account?, name?, member?}`: CloudTrail delivers one log file for `member` (default: the
     * trail's account) into the trail's bucket, encrypted with the trail's KMS key, as the
     * service principal does (bucket policy and key policy must let it). Returns the object.
     */
    'deliver-log'(d) {
      const t = driftTrail(d.world, d.accountId, d.params.name, d.error);
      const bucket = findBucket(d.world, t.S3BucketName);
      const problem = bucketPolicyProblem(d.world, t) ?? keyProblem(d.world, t);
      if (!bucket || problem) throw d.error(`CloudTrail cannot deliver to ${t.S3BucketName}: ${problem ?? 'missing'}`);
      const org = d.world.orgOf(t.AccountId);
      const member = String(d.params.member ?? t.AccountId);
      const now = new Date();
      const day = now.toISOString().slice(0, 10).replace(/-/g, '/');
      const stamp = now.toISOString().replace(/[-:]/g, '').slice(0, 13) + 'Z';
      const file = `${member}_CloudTrail_${t.HomeRegion}_${stamp}_${d.world.id('trail-file', 16, '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz')}.json.gz`;
      const key = `${t.S3KeyPrefix ? `${t.S3KeyPrefix}/` : ''}AWSLogs/${t.IsOrganizationTrail && org ? `${org.id}/` : ''}${member}/CloudTrail/${t.HomeRegion}/${day}/${file}`;
      const v = putObjectVersion(
        d.world,
        bucket,
        key,
        Buffer.from(JSON.stringify({ Records: [{ eventSource: 'emulator', recipientAccountId: member }] })),
        {
          sse: t.KmsKeyId ? { algorithm: 'aws:kms', kmsKeyId: t.KmsKeyId } : { algorithm: 'AES256' },
        },
      );
      return { bucket: bucket.name, key, versionId: v.versionId };
    },
    /** `{account?, name?}`: logging stopped (the trail named, or the account's only trail). */
    'trail-stopped'(d) {
      const t = driftTrail(d.world, d.accountId, d.params.name, d.error);
      t.logging = false;
      t.stopLoggingTime = new Date();
      return { trail: t.TrailARN, logging: false };
    },
    /** `{account?, name?}`: log file validation turned off. */
    'trail-validation-off'(d) {
      const t = driftTrail(d.world, d.accountId, d.params.name, d.error);
      t.LogFileValidationEnabled = false;
      return { trail: t.TrailARN, LogFileValidationEnabled: false };
    },
    /** `{account?, name?, bucket}`: the trail pointed at another bucket. */
    'trail-bucket-changed'(d) {
      const t = driftTrail(d.world, d.accountId, d.params.name, d.error);
      if (typeof d.params.bucket !== 'string') throw d.error('trail-bucket-changed needs a bucket');
      t.S3BucketName = d.params.bucket;
      return { trail: t.TrailARN, S3BucketName: t.S3BucketName };
    },
  },
};

function driftTrail(world: World, accountId: string, name: unknown, error: (m: string) => Error): TrailRecord {
  const trails = Object.values(storeOf(world, accountId).trails);
  const t =
    typeof name === 'string'
      ? trails.find((x) => x.Name === name || x.TrailARN === name)
      : trails.length === 1
        ? trails[0]
        : undefined;
  if (!t)
    throw error(
      typeof name === 'string'
        ? `no trail ${name} in account ${accountId}`
        : `account ${accountId} has ${trails.length} trails; name one`,
    );
  return t;
}
