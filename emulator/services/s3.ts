// Amazon S3 (restXml, path-style addressing): the bucket-level calls the log-archive bucket
// needs. Bucket names are global across accounts, as in AWS: a name another account owns
// fails with BucketAlreadyExists, one the caller owns with BucketAlreadyOwnedByYou.
// New buckets get what AWS gives them since April 2023: all four Block Public Access flags,
// ownership BucketOwnerEnforced, and SSE-S3 (AES256) default encryption.
import type { HandlerContext, HttpResult, RawRequest, ServiceModule } from '../types.js';
import type { World } from '../world.js';
import { XmlList, xmlDocument } from '../xml.js';
import { OBJECT_OPERATIONS, forgetObjects, hasObjects, objectLockOf, objectRoute } from './s3-objects.js';

const S3_NS = 'http://s3.amazonaws.com/doc/2006-03-01/';

export interface PublicAccessBlock {
  BlockPublicAcls: boolean;
  IgnorePublicAcls: boolean;
  BlockPublicPolicy: boolean;
  RestrictPublicBuckets: boolean;
}

export interface LifecycleRule {
  ID?: string;
  Status: 'Enabled' | 'Disabled';
  Prefix?: string;
  Filter?: Record<string, unknown>;
  Transitions: { Days: number; StorageClass: string }[];
  Expiration?: { Days?: number; ExpiredObjectDeleteMarker?: boolean };
  NoncurrentVersionTransitions: { NoncurrentDays: number; StorageClass: string }[];
  NoncurrentVersionExpiration?: { NoncurrentDays: number };
  AbortIncompleteMultipartUpload?: { DaysAfterInitiation: number };
}

export interface Bucket {
  name: string;
  region: string;
  owner: string;
  createdAt: Date;
  publicAccessBlock?: PublicAccessBlock;
  ownership?: string;
  versioning?: 'Enabled' | 'Suspended';
  encryption?: { SSEAlgorithm: string; KMSMasterKeyID?: string; BucketKeyEnabled: boolean };
  lifecycle?: LifecycleRule[];
  /** The policy document exactly as it was put. */
  policy?: string;
  /** The lifecycle's TransitionDefaultMinimumObjectSize (S3's default since September 2024: all_storage_classes_128K). */
  transitionMinimumSize?: string;
}

interface S3Store {
  buckets: Record<string, Bucket>;
}

const storeOf = (world: World, accountId: string): S3Store =>
  world.store<S3Store>(accountId, 's3', () => ({ buckets: {} }));

/** The bucket with that name in any account (names are global), with its owner. */
export function findBucket(world: World, name: string): Bucket | undefined {
  for (const accountId of Object.keys(world.stores)) {
    const b = (world.stores[accountId]?.['s3'] as S3Store | undefined)?.buckets[name];
    if (b) return b;
  }
  return undefined;
}

/** AWS's bucket naming rules (general purpose buckets). */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return 'Bucket name must be between 3 and 63 characters long';
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(name))
    return 'Bucket name must contain only lowercase letters, numbers, dots and hyphens, and begin and end with a letter or number';
  if (name.includes('..')) return 'Bucket name must not contain two adjacent periods';
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return 'Bucket name must not be formatted as an IP address';
  if (/^xn--|^sthree-|-s3alias$|--ol-s3$/.test(name)) return 'Bucket name uses a reserved prefix or suffix';
  return undefined;
}

// ---- helpers ------------------------------------------------------------------------

function xml(root: string, value: unknown, status = 200, headers: Record<string, string> = {}): HttpResult {
  return {
    $http: true,
    status,
    headers: { 'content-type': 'application/xml', ...headers },
    body: xmlDocument(root, value, { xmlns: S3_NS }),
  };
}
const empty = (status = 200, headers: Record<string, string> = {}): HttpResult => ({
  $http: true,
  status,
  headers,
  body: '',
});

const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined || v === '' ? [] : Array.isArray(v) ? v : [v]);

function bool(ctx: HandlerContext, v: unknown, field: string): boolean {
  if (v === undefined || v === '') return false;
  if (v === 'true' || v === true) return true;
  if (v === 'false' || v === false) return false;
  throw ctx.error(
    'MalformedXML',
    `The XML you provided was not well-formed or did not validate against our published schema (${field})`,
    400,
  );
}

function intField(ctx: HandlerContext, v: unknown, field: string, min: number): number {
  const n = Number(v);
  if (v === undefined || v === '' || !Number.isInteger(n))
    throw ctx.error(
      'MalformedXML',
      `The XML you provided was not well-formed or did not validate against our published schema (${field})`,
      400,
    );
  if (n < min)
    throw ctx.error(
      'InvalidArgument',
      `'${field}' must be ${min === 0 ? 'a non-negative' : 'a positive'} integer`,
      400,
      { ArgumentName: field, ArgumentValue: String(v) },
    );
  return n;
}

function body(ctx: HandlerContext, root: string): Record<string, any> {
  const b = ctx.input.Body as Record<string, any> | undefined;
  const doc = b?.[root];
  if (doc === undefined)
    throw ctx.error(
      'MalformedXML',
      'The XML you provided was not well-formed or did not validate against our published schema',
      400,
    );
  return (doc === '' ? {} : doc) as Record<string, any>;
}

/** The bucket named in the path, checked for existence, ownership and region. */
export function bucketFor(ctx: HandlerContext): Bucket {
  const name = String(ctx.input.Bucket);
  const b = findBucket(ctx.world, name);
  if (!b) throw ctx.error('NoSuchBucket', 'The specified bucket does not exist', 404, { BucketName: name });
  if (b.owner !== ctx.caller.accountId) throw ctx.accessDenied('Access Denied');
  if (b.region !== ctx.region) {
    throw ctx.error(
      'PermanentRedirect',
      'The bucket you are attempting to access must be addressed using the specified endpoint. Please send all future requests to this endpoint.',
      301,
      { Bucket: name, Endpoint: `s3.${b.region}.amazonaws.com` },
    );
  }
  return b;
}

const STORAGE_CLASSES = ['GLACIER', 'STANDARD_IA', 'ONEZONE_IA', 'INTELLIGENT_TIERING', 'DEEP_ARCHIVE', 'GLACIER_IR'];

function parseRule(ctx: HandlerContext, r: Record<string, any>): LifecycleRule {
  if (r.Status !== 'Enabled' && r.Status !== 'Disabled')
    throw ctx.error(
      'MalformedXML',
      'The XML you provided was not well-formed or did not validate against our published schema (Status)',
      400,
    );
  if (r.ID !== undefined && String(r.ID).length > 255)
    throw ctx.error('InvalidArgument', 'ID length should not exceed allowed limit of 255', 400);
  if (r.Filter === undefined && r.Prefix === undefined)
    throw ctx.error(
      'MalformedXML',
      'The XML you provided was not well-formed or did not validate against our published schema (Filter or Prefix)',
      400,
    );
  checkSizeFilter(ctx, r.Filter);
  const transitions = asArray<Record<string, any>>(r.Transition).map((t) => {
    if (!STORAGE_CLASSES.includes(t.StorageClass))
      throw ctx.error('InvalidArgument', `'StorageClass' must be one of ${STORAGE_CLASSES.join(', ')}`, 400);
    const days = intField(ctx, t.Days, 'Days', 0);
    if ((t.StorageClass === 'STANDARD_IA' || t.StorageClass === 'ONEZONE_IA') && days < 30)
      throw ctx.error(
        'InvalidArgument',
        `'Days' in Transition action must be greater than or equal to 30 for storageClass '${t.StorageClass}'`,
        400,
      );
    return { Days: days, StorageClass: String(t.StorageClass) };
  });
  const ncTransitions = asArray<Record<string, any>>(r.NoncurrentVersionTransition).map((t) => {
    if (!STORAGE_CLASSES.includes(t.StorageClass))
      throw ctx.error('InvalidArgument', `'StorageClass' must be one of ${STORAGE_CLASSES.join(', ')}`, 400);
    return {
      NoncurrentDays: intField(ctx, t.NoncurrentDays, 'NoncurrentDays', 1),
      StorageClass: String(t.StorageClass),
    };
  });
  const rule: LifecycleRule = {
    ...(r.ID !== undefined ? { ID: String(r.ID) } : {}),
    Status: r.Status,
    ...(r.Prefix !== undefined ? { Prefix: String(r.Prefix) } : {}),
    ...(r.Filter !== undefined ? { Filter: r.Filter === '' ? {} : r.Filter } : {}),
    Transitions: transitions,
    NoncurrentVersionTransitions: ncTransitions,
  };
  if (r.Expiration !== undefined) {
    const e = r.Expiration as Record<string, any>;
    rule.Expiration =
      e.Days !== undefined
        ? { Days: intField(ctx, e.Days, 'Days', 1) }
        : { ExpiredObjectDeleteMarker: bool(ctx, e.ExpiredObjectDeleteMarker, 'ExpiredObjectDeleteMarker') };
  }
  if (r.NoncurrentVersionExpiration !== undefined)
    rule.NoncurrentVersionExpiration = {
      NoncurrentDays: intField(ctx, r.NoncurrentVersionExpiration.NoncurrentDays, 'NoncurrentDays', 1),
    };
  if (r.AbortIncompleteMultipartUpload !== undefined)
    rule.AbortIncompleteMultipartUpload = {
      DaysAfterInitiation: intField(
        ctx,
        r.AbortIncompleteMultipartUpload.DaysAfterInitiation,
        'DaysAfterInitiation',
        1,
      ),
    };
  // AWS refuses an expiration that comes before (or with) a transition of the same objects.
  const lastTransition = Math.max(-1, ...transitions.map((t) => t.Days));
  if (rule.Expiration?.Days !== undefined && lastTransition >= 0 && rule.Expiration.Days <= lastTransition)
    throw ctx.error(
      'InvalidArgument',
      `'Days' in the Expiration action for filter '${rule.Prefix ?? ''}' must be greater than 'Days' in the Transition action`,
      400,
    );
  const lastNc = Math.max(-1, ...ncTransitions.map((t) => t.NoncurrentDays));
  if (rule.NoncurrentVersionExpiration && lastNc >= 0 && rule.NoncurrentVersionExpiration.NoncurrentDays <= lastNc)
    throw ctx.error(
      'InvalidArgument',
      `'NoncurrentDays' in the NoncurrentVersionExpiration action for filter '${rule.Prefix ?? ''}' must be greater than 'NoncurrentDays' in the NoncurrentVersionTransition action`,
      400,
    );
  if (
    !transitions.length &&
    !ncTransitions.length &&
    !rule.Expiration &&
    !rule.NoncurrentVersionExpiration &&
    !rule.AbortIncompleteMultipartUpload
  )
    throw ctx.error(
      'MalformedXML',
      'The XML you provided was not well-formed or did not validate against our published schema (a rule needs at least one action)',
      400,
    );
  return rule;
}

/**
 * ObjectSizeGreaterThan / ObjectSizeLessThan (in Filter or Filter.And): whole numbers of bytes,
 * at most 50 TB, greater-than below less-than
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/intro-lifecycle-filters.html).
 */
function checkSizeFilter(ctx: HandlerContext, filter: unknown): void {
  if (!filter || typeof filter !== 'object') return;
  const f = filter as Record<string, any>;
  const scope = f.And && typeof f.And === 'object' ? (f.And as Record<string, any>) : f;
  const size = (k: string): number | undefined => {
    if (scope[k] === undefined) return undefined;
    const n = Number(scope[k]);
    if (!Number.isInteger(n) || n < 0 || n > 50 * 1024 ** 4)
      throw ctx.error('InvalidArgument', `'${k}' must be a whole number of bytes from 0 to 50 TB`, 400);
    return n;
  };
  const gt = size('ObjectSizeGreaterThan');
  const lt = size('ObjectSizeLessThan');
  if (gt !== undefined && lt !== undefined && gt >= lt)
    throw ctx.error('InvalidRequest', "'ObjectSizeGreaterThan' must be less than 'ObjectSizeLessThan'", 400);
}

/** The x-amz-transition-default-minimum-object-size header sent with the configuration. */
function transitionMinimumSize(ctx: HandlerContext): string {
  const v = ctx.req.headers['x-amz-transition-default-minimum-object-size'];
  if (v === undefined) return 'all_storage_classes_128K';
  if (v !== 'all_storage_classes_128K' && v !== 'varies_by_storage_class')
    throw ctx.error('InvalidArgument', 'Invalid TransitionDefaultMinimumObjectSize', 400);
  return v;
}

function ruleXml(r: LifecycleRule): Record<string, unknown> {
  return {
    ID: r.ID,
    ...(r.Filter !== undefined ? { Filter: r.Filter } : {}),
    ...(r.Prefix !== undefined ? { Prefix: r.Prefix } : {}),
    Status: r.Status,
    Transition: r.Transitions.length ? r.Transitions : undefined,
    Expiration: r.Expiration,
    NoncurrentVersionTransition: r.NoncurrentVersionTransitions.length ? r.NoncurrentVersionTransitions : undefined,
    NoncurrentVersionExpiration: r.NoncurrentVersionExpiration,
    AbortIncompleteMultipartUpload: r.AbortIncompleteMultipartUpload,
  };
}

/** Minimal policy checks AWS makes on PutBucketPolicy. */
function checkPolicy(ctx: HandlerContext, bucket: string, text: string): void {
  if (Buffer.byteLength(text) > 20 * 1024)
    throw ctx.error('PolicyTooLarge', 'Policy exceeds the maximum allowed document size.', 400);
  let doc: any;
  try {
    doc = JSON.parse(text);
  } catch {
    throw ctx.error('MalformedPolicy', "Policies must be valid JSON and the first byte must be '{'", 400);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc))
    throw ctx.error('MalformedPolicy', "Policies must be valid JSON and the first byte must be '{'", 400);
  const statements = asArray<any>(doc.Statement);
  if (!statements.length) throw ctx.error('MalformedPolicy', 'Missing required field Statement', 400);
  const sids = new Set<string>();
  for (const s of statements) {
    if (s.Effect !== 'Allow' && s.Effect !== 'Deny')
      throw ctx.error('MalformedPolicy', 'Invalid effect: ' + String(s.Effect), 400);
    if (s.Principal === undefined && s.NotPrincipal === undefined)
      throw ctx.error('MalformedPolicy', 'Missing required field Principal', 400);
    if (s.Action === undefined && s.NotAction === undefined)
      throw ctx.error('MalformedPolicy', 'Missing required field Action', 400);
    if (s.Resource === undefined && s.NotResource === undefined)
      throw ctx.error('MalformedPolicy', 'Missing required field Resource', 400);
    if (s.Sid !== undefined) {
      if (sids.has(s.Sid))
        throw ctx.error('MalformedPolicy', 'Statement IDs (SID) in a single policy must be unique', 400);
      sids.add(s.Sid);
    }
    for (const a of asArray<string>(s.Action ?? s.NotAction)) {
      if (typeof a !== 'string' || !(a === '*' || /^s3:[A-Za-z*?]+$/.test(a)))
        throw ctx.error('MalformedPolicy', 'Policy has invalid action', 400);
    }
    for (const r of asArray<string>(s.Resource ?? s.NotResource)) {
      if (typeof r !== 'string' || !(r === `arn:aws:s3:::${bucket}` || r.startsWith(`arn:aws:s3:::${bucket}/`)))
        throw ctx.error('MalformedPolicy', 'Policy has invalid resource', 400);
    }
  }
}

// ---- operations ---------------------------------------------------------------------

const route: NonNullable<ServiceModule['route']> = (req: RawRequest) => {
  const parts = req.path.split('/').filter(Boolean);
  const q = req.query;
  const m = req.method;
  if (parts.length === 0) return m === 'GET' ? { operation: 'ListBuckets' } : undefined;
  // Objects, versions and Object Lock live in s3-objects.ts.
  const objects = objectRoute(req);
  if (objects) return objects;
  if (parts.length > 1) return undefined;
  const Bucket = parts[0];
  const sub = (
    ['publicAccessBlock', 'ownershipControls', 'versioning', 'encryption', 'lifecycle', 'policy', 'location'] as const
  ).find((k) => q.has(k));
  const ops: Record<string, Record<string, string>> = {
    '': { PUT: 'CreateBucket', HEAD: 'HeadBucket', DELETE: 'DeleteBucket' },
    publicAccessBlock: { GET: 'GetPublicAccessBlock', PUT: 'PutPublicAccessBlock', DELETE: 'DeletePublicAccessBlock' },
    ownershipControls: {
      GET: 'GetBucketOwnershipControls',
      PUT: 'PutBucketOwnershipControls',
      DELETE: 'DeleteBucketOwnershipControls',
    },
    versioning: { GET: 'GetBucketVersioning', PUT: 'PutBucketVersioning' },
    encryption: { GET: 'GetBucketEncryption', PUT: 'PutBucketEncryption', DELETE: 'DeleteBucketEncryption' },
    lifecycle: {
      GET: 'GetBucketLifecycleConfiguration',
      PUT: 'PutBucketLifecycleConfiguration',
      DELETE: 'DeleteBucketLifecycle',
    },
    policy: { GET: 'GetBucketPolicy', PUT: 'PutBucketPolicy', DELETE: 'DeleteBucketPolicy' },
    location: { GET: 'GetBucketLocation' },
  };
  const operation = ops[sub ?? '']?.[m];
  return operation ? { operation, params: { Bucket } } : undefined;
};

export const s3: ServiceModule = {
  name: 's3',
  signingName: 's3',
  protocol: 'restXml',
  // S3 Control shares the signing name; its paths all start with /v20180820/.
  matches: (req) => !req.path.startsWith('/v20180820/'),
  route,
  operations: {
    ListBuckets(ctx) {
      const mine = Object.values(storeOf(ctx.world, ctx.caller.accountId).buckets).sort((a, b) =>
        a.name.localeCompare(b.name),
      );
      return xml('ListAllMyBucketsResult', {
        Owner: { ID: ctx.caller.accountId.padStart(64, '0'), DisplayName: 'owner' },
        Buckets: new XmlList(
          mine.map((b) => ({ Name: b.name, CreationDate: b.createdAt, BucketRegion: b.region })),
          'Bucket',
        ),
      });
    },

    CreateBucket(ctx) {
      const name = String(ctx.input.Bucket);
      const problem = bucketNameProblem(name);
      if (problem)
        throw ctx.error('InvalidBucketName', `The specified bucket is not valid. ${problem}`, 400, {
          BucketName: name,
        });
      const cfg = (ctx.input.Body as Record<string, any> | undefined)?.CreateBucketConfiguration;
      const constraint =
        cfg && typeof cfg === 'object' && cfg.LocationConstraint ? String(cfg.LocationConstraint) : undefined;
      // us-east-1 takes no constraint; every other endpoint needs its own region named.
      const expected = ctx.region === 'us-east-1' ? undefined : ctx.region;
      if (constraint !== expected) {
        if (constraint === 'us-east-1')
          throw ctx.error('InvalidLocationConstraint', 'The specified location-constraint is not valid', 400);
        throw ctx.error(
          'IllegalLocationConstraintException',
          constraint === undefined
            ? 'The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.'
            : `The ${constraint} location constraint is incompatible for the region specific endpoint this request was sent to.`,
          400,
        );
      }
      const existing = findBucket(ctx.world, name);
      if (existing) {
        if (existing.owner === ctx.caller.accountId)
          throw ctx.error(
            'BucketAlreadyOwnedByYou',
            'Your previous request to create the named bucket succeeded and you already own it.',
            409,
            { BucketName: name },
          );
        throw ctx.error(
          'BucketAlreadyExists',
          'The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.',
          409,
          { BucketName: name },
        );
      }
      const ownershipHeader = ctx.req.headers['x-amz-object-ownership'];
      const ownership = typeof ownershipHeader === 'string' ? ownershipHeader : 'BucketOwnerEnforced';
      if (!['BucketOwnerEnforced', 'BucketOwnerPreferred', 'ObjectWriter'].includes(ownership))
        throw ctx.error('InvalidArgument', 'Invalid x-amz-object-ownership header', 400);
      storeOf(ctx.world, ctx.caller.accountId).buckets[name] = {
        name,
        region: ctx.region,
        owner: ctx.caller.accountId,
        createdAt: new Date(),
        publicAccessBlock: {
          BlockPublicAcls: true,
          IgnorePublicAcls: true,
          BlockPublicPolicy: true,
          RestrictPublicBuckets: true,
        },
        ownership,
        encryption: { SSEAlgorithm: 'AES256', BucketKeyEnabled: false },
      };
      return empty(200, { location: `/${name}` });
    },

    HeadBucket(ctx) {
      const b = bucketFor(ctx);
      return empty(200, { 'x-amz-bucket-region': b.region });
    },

    DeleteBucket(ctx) {
      const b = bucketFor(ctx);
      // Every version and delete marker must go first (https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucket.html).
      if (hasObjects(ctx.world, b))
        throw ctx.error(
          'BucketNotEmpty',
          'The bucket you tried to delete is not empty. You must delete all versions in the bucket.',
          409,
          { BucketName: b.name },
        );
      forgetObjects(ctx.world, b);
      delete storeOf(ctx.world, b.owner).buckets[b.name];
      return empty(204);
    },

    GetBucketLocation(ctx) {
      const b = bucketFor(ctx);
      // us-east-1 is an empty constraint, as in AWS.
      return {
        $http: true,
        status: 200,
        headers: { 'content-type': 'application/xml' },
        body: `<?xml version="1.0" encoding="UTF-8"?>\n<LocationConstraint xmlns="${S3_NS}">${b.region === 'us-east-1' ? '' : b.region}</LocationConstraint>`,
      } satisfies HttpResult;
    },

    GetPublicAccessBlock(ctx) {
      const b = bucketFor(ctx);
      if (!b.publicAccessBlock)
        throw ctx.error(
          'NoSuchPublicAccessBlockConfiguration',
          'The public access block configuration was not found',
          404,
          { BucketName: b.name },
        );
      return xml('PublicAccessBlockConfiguration', b.publicAccessBlock);
    },
    PutPublicAccessBlock(ctx) {
      const b = bucketFor(ctx);
      const c = body(ctx, 'PublicAccessBlockConfiguration');
      b.publicAccessBlock = {
        BlockPublicAcls: bool(ctx, c.BlockPublicAcls, 'BlockPublicAcls'),
        IgnorePublicAcls: bool(ctx, c.IgnorePublicAcls, 'IgnorePublicAcls'),
        BlockPublicPolicy: bool(ctx, c.BlockPublicPolicy, 'BlockPublicPolicy'),
        RestrictPublicBuckets: bool(ctx, c.RestrictPublicBuckets, 'RestrictPublicBuckets'),
      };
      return empty(200);
    },
    DeletePublicAccessBlock(ctx) {
      delete bucketFor(ctx).publicAccessBlock;
      return empty(204);
    },

    GetBucketOwnershipControls(ctx) {
      const b = bucketFor(ctx);
      if (!b.ownership)
        throw ctx.error('OwnershipControlsNotFoundError', 'The bucket ownership controls were not found', 404, {
          BucketName: b.name,
        });
      return xml('OwnershipControls', { Rule: { ObjectOwnership: b.ownership } });
    },
    PutBucketOwnershipControls(ctx) {
      const b = bucketFor(ctx);
      const rules = asArray<Record<string, any>>(body(ctx, 'OwnershipControls').Rule);
      if (rules.length !== 1)
        throw ctx.error(
          'MalformedXML',
          'The XML you provided was not well-formed or did not validate against our published schema (exactly one Rule)',
          400,
        );
      const o = String(rules[0].ObjectOwnership);
      if (!['BucketOwnerEnforced', 'BucketOwnerPreferred', 'ObjectWriter'].includes(o))
        throw ctx.error(
          'MalformedXML',
          'The XML you provided was not well-formed or did not validate against our published schema (ObjectOwnership)',
          400,
        );
      b.ownership = o;
      return empty(200);
    },
    DeleteBucketOwnershipControls(ctx) {
      delete bucketFor(ctx).ownership;
      return empty(204);
    },

    GetBucketVersioning(ctx) {
      const b = bucketFor(ctx);
      return xml('VersioningConfiguration', b.versioning ? { Status: b.versioning } : {});
    },
    PutBucketVersioning(ctx) {
      const b = bucketFor(ctx);
      const s = body(ctx, 'VersioningConfiguration').Status;
      if (s !== 'Enabled' && s !== 'Suspended')
        throw ctx.error(
          'MalformedXML',
          'The XML you provided was not well-formed or did not validate against our published schema (Status)',
          400,
        );
      // Object Lock keeps versioning on for good (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock.html).
      if (s === 'Suspended' && objectLockOf(ctx.world, b))
        throw ctx.error(
          'InvalidBucketState',
          'An Object Lock configuration is present on this bucket, so the versioning state cannot be changed.',
          409,
        );
      b.versioning = s;
      return empty(200);
    },

    GetBucketEncryption(ctx) {
      const b = bucketFor(ctx);
      if (!b.encryption)
        throw ctx.error(
          'ServerSideEncryptionConfigurationNotFoundError',
          'The server side encryption configuration was not found',
          404,
          { BucketName: b.name },
        );
      const { SSEAlgorithm, KMSMasterKeyID, BucketKeyEnabled } = b.encryption;
      return xml('ServerSideEncryptionConfiguration', {
        Rule: { ApplyServerSideEncryptionByDefault: { SSEAlgorithm, KMSMasterKeyID }, BucketKeyEnabled },
      });
    },
    PutBucketEncryption(ctx) {
      const b = bucketFor(ctx);
      const rules = asArray<Record<string, any>>(body(ctx, 'ServerSideEncryptionConfiguration').Rule);
      const d = rules[0]?.ApplyServerSideEncryptionByDefault;
      if (rules.length !== 1 || !d)
        throw ctx.error(
          'MalformedXML',
          'The XML you provided was not well-formed or did not validate against our published schema',
          400,
        );
      if (!['AES256', 'aws:kms', 'aws:kms:dsse'].includes(d.SSEAlgorithm))
        throw ctx.error(
          'MalformedXML',
          'The XML you provided was not well-formed or did not validate against our published schema (SSEAlgorithm)',
          400,
        );
      if (d.KMSMasterKeyID && d.SSEAlgorithm === 'AES256')
        throw ctx.error(
          'InvalidArgument',
          'a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse',
          400,
        );
      b.encryption = {
        SSEAlgorithm: d.SSEAlgorithm,
        ...(d.KMSMasterKeyID ? { KMSMasterKeyID: String(d.KMSMasterKeyID) } : {}),
        BucketKeyEnabled: bool(ctx, rules[0].BucketKeyEnabled, 'BucketKeyEnabled'),
      };
      return empty(200);
    },
    DeleteBucketEncryption(ctx) {
      // Since 2023 every bucket is encrypted: deleting the configuration falls back to SSE-S3.
      bucketFor(ctx).encryption = { SSEAlgorithm: 'AES256', BucketKeyEnabled: false };
      return empty(204);
    },

    GetBucketLifecycleConfiguration(ctx) {
      const b = bucketFor(ctx);
      if (!b.lifecycle?.length)
        throw ctx.error('NoSuchLifecycleConfiguration', 'The lifecycle configuration does not exist', 404, {
          BucketName: b.name,
        });
      return xml('LifecycleConfiguration', { Rule: b.lifecycle.map(ruleXml) }, 200, {
        'x-amz-transition-default-minimum-object-size': b.transitionMinimumSize ?? 'all_storage_classes_128K',
      });
    },
    PutBucketLifecycleConfiguration(ctx) {
      const b = bucketFor(ctx);
      const rules = asArray<Record<string, any>>(body(ctx, 'LifecycleConfiguration').Rule);
      if (!rules.length)
        throw ctx.error(
          'MalformedXML',
          'The XML you provided was not well-formed or did not validate against our published schema (at least one Rule)',
          400,
        );
      if (rules.length > 1000)
        throw ctx.error('InvalidRequest', 'Lifecycle configuration cannot have more than 1000 rules', 400);
      const parsed = rules.map((r) => parseRule(ctx, r));
      const ids = parsed.map((r) => r.ID).filter(Boolean);
      if (new Set(ids).size !== ids.length)
        throw ctx.error('InvalidArgument', 'RuleId must be unique. Found same ID for more than one rule', 400);
      b.lifecycle = parsed;
      b.transitionMinimumSize = transitionMinimumSize(ctx);
      return empty(200, { 'x-amz-transition-default-minimum-object-size': b.transitionMinimumSize });
    },
    DeleteBucketLifecycle(ctx) {
      delete bucketFor(ctx).lifecycle;
      return empty(204);
    },

    ...OBJECT_OPERATIONS,

    GetBucketPolicy(ctx) {
      const b = bucketFor(ctx);
      if (!b.policy)
        throw ctx.error('NoSuchBucketPolicy', 'The bucket policy does not exist', 404, { BucketName: b.name });
      return {
        $http: true,
        status: 200,
        headers: { 'content-type': 'application/json' },
        body: b.policy,
      } satisfies HttpResult;
    },
    PutBucketPolicy(ctx) {
      const b = bucketFor(ctx);
      const text = ctx.req.body.toString('utf8');
      checkPolicy(ctx, b.name, text);
      b.policy = text;
      return empty(204);
    },
    DeleteBucketPolicy(ctx) {
      delete bucketFor(ctx).policy;
      return empty(204);
    },
  },
  drift: {
    /** `{bucket, policy?}`: replace the bucket policy (or delete it when no policy is given). */
    'bucket-policy-changed'(d) {
      const b = findBucket(d.world, String(d.params.bucket));
      if (!b) throw d.error(`no bucket ${d.params.bucket}`);
      if (d.params.policy)
        b.policy = typeof d.params.policy === 'string' ? d.params.policy : JSON.stringify(d.params.policy);
      else delete b.policy;
      return { bucket: b.name, policy: b.policy ?? null };
    },
    /** `{bucket}`: Block Public Access on the bucket removed. */
    'bucket-bpa-off'(d) {
      const b = findBucket(d.world, String(d.params.bucket));
      if (!b) throw d.error(`no bucket ${d.params.bucket}`);
      delete b.publicAccessBlock;
      return { bucket: b.name };
    },
    /** `{bucket}`: versioning suspended. */
    'bucket-versioning-suspended'(d) {
      const b = findBucket(d.world, String(d.params.bucket));
      if (!b) throw d.error(`no bucket ${d.params.bucket}`);
      b.versioning = 'Suspended';
      return { bucket: b.name };
    },
    /** `{bucket}`: lifecycle configuration deleted. */
    'bucket-lifecycle-deleted'(d) {
      const b = findBucket(d.world, String(d.params.bucket));
      if (!b) throw d.error(`no bucket ${d.params.bucket}`);
      delete b.lifecycle;
      return { bucket: b.name };
    },
  },
};
