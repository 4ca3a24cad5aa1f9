// Amazon S3 objects, versions and Object Lock: what CloudTrail delivers into the log bucket and
// what an attacker would try to delete or overwrite. Merged into the `s3` module (s3.ts routes
// object paths and the ?versions / ?delete / ?object-lock subresources here).
// AWS behaviour modelled (S3 User Guide and API reference):
// - versioning: a PUT adds a version; DELETE without versionId adds a delete marker; DELETE of
//   a versionId removes that version for good (action s3:DeleteObjectVersion)
//   https://docs.aws.amazon.com/AmazonS3/latest/userguide/DeletingObjectVersions.html
// - Object Lock: only on a versioned bucket, can be enabled on an existing bucket and never
//   turned off; a locked version cannot be deleted before its retain-until date — COMPLIANCE
//   by nobody, GOVERNANCE only with x-amz-bypass-governance-retention and
//   s3:BypassGovernanceRetention; deleting without a versionId still adds a delete marker
//   https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock.html
// - DeleteObjects authorizes s3:DeleteObject / s3:DeleteObjectVersion for each key and reports
//   per-key errors https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html
import { createHash } from 'node:crypto';
import type { HandlerContext, HttpResult, RawRequest } from '../types.js';
import type { World } from '../world.js';
import { scpDenialFor, scpMessage } from '../scp.js';
import { xmlDocument } from '../xml.js';
import { bucketFor, type Bucket } from './s3.js';

const S3_NS = 'http://s3.amazonaws.com/doc/2006-03-01/';

export interface ObjectVersion {
  versionId: string;
  deleteMarker: boolean;
  /** Base64 of the content (log files are small). */
  body?: string;
  size: number;
  etag: string;
  lastModified: Date;
  sse?: { algorithm: string; kmsKeyId?: string };
  retention?: { mode: 'GOVERNANCE' | 'COMPLIANCE'; until: Date };
}

export interface ObjectLockConfig {
  enabled: true;
  defaultRetention?: { mode: 'GOVERNANCE' | 'COMPLIANCE'; days?: number; years?: number };
}

interface BucketObjects {
  /** key → versions, oldest first. */
  versions: Record<string, ObjectVersion[]>;
  lock?: ObjectLockConfig;
}

interface ObjectStore {
  buckets: Record<string, BucketObjects>;
}

/** A bucket's objects (created on first write; reads never create state). */
function objectsOf(world: World, b: Bucket, create: true): BucketObjects;
function objectsOf(world: World, b: Bucket, create?: false): BucketObjects | undefined;
function objectsOf(world: World, b: Bucket, create = false): BucketObjects | undefined {
  const existing = (world.stores[b.owner]?.['s3-objects'] as ObjectStore | undefined)?.buckets[b.name];
  if (existing || !create) return existing;
  const store = world.store<ObjectStore>(b.owner, 's3-objects', () => ({ buckets: {} }));
  return (store.buckets[b.name] = { versions: {} });
}

/** The bucket's Object Lock configuration, if any. */
export const objectLockOf = (world: World, b: Bucket): ObjectLockConfig | undefined => objectsOf(world, b)?.lock;

/** Whether the bucket holds any version or delete marker (DeleteBucket needs it empty). */
export const hasObjects = (world: World, b: Bucket): boolean =>
  Object.values(objectsOf(world, b)?.versions ?? {}).some((v) => v.length > 0);

/** DeleteBucket forgets the bucket's object state. */
export function forgetObjects(world: World, b: Bucket): void {
  const store = world.stores[b.owner]?.['s3-objects'] as ObjectStore | undefined;
  if (store) delete store.buckets[b.name];
}

function newVersionId(world: World): string {
  return world.id('s3-version', 32, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._');
}

const DAY = 24 * 3600 * 1000;

/**
 * Stores a new version of `key` as S3 does for the bucket's versioning state, with the
 * bucket's default retention when Object Lock has one. Also used by CloudTrail's delivery.
 */
export function putObjectVersion(
  world: World,
  b: Bucket,
  key: string,
  content: Buffer,
  opts: { sse?: ObjectVersion['sse']; retention?: ObjectVersion['retention'] } = {},
): ObjectVersion {
  const objects = objectsOf(world, b, true);
  const versioned = b.versioning === 'Enabled';
  const lock = objects.lock?.defaultRetention;
  const retention =
    opts.retention ??
    (lock
      ? { mode: lock.mode, until: new Date(Date.now() + (lock.days ?? (lock.years ?? 0) * 365) * DAY) }
      : undefined);
  const v: ObjectVersion = {
    versionId: versioned ? newVersionId(world) : 'null',
    deleteMarker: false,
    body: content.toString('base64'),
    size: content.length,
    etag: `"${createHash('md5').update(content).digest('hex')}"`,
    lastModified: new Date(),
    ...((opts.sse ?? b.encryption)
      ? {
          sse: opts.sse ?? {
            algorithm: b.encryption!.SSEAlgorithm,
            ...(b.encryption!.KMSMasterKeyID ? { kmsKeyId: b.encryption!.KMSMasterKeyID } : {}),
          },
        }
      : {}),
    ...(retention ? { retention } : {}),
  };
  const list = (objects.versions[key] ??= []);
  // Unversioned and suspended buckets keep one "null" version, replaced by each write.
  if (!versioned) list.splice(0, list.length, ...list.filter((x) => x.versionId !== 'null'));
  list.push(v);
  return v;
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
const empty = (status: number, headers: Record<string, string> = {}): HttpResult => ({
  $http: true,
  status,
  headers,
  body: '',
});

const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined || v === '' ? [] : Array.isArray(v) ? v : [v]);
const header = (req: RawRequest, name: string): string | undefined => {
  const v = req.headers[name];
  return typeof v === 'string' ? v : undefined;
};
/** Content-MD5 or a flexible checksum (x-amz-checksum-*, x-amz-sdk-checksum-algorithm). */
const hasIntegrityHeader = (req: RawRequest): boolean =>
  Object.keys(req.headers).some(
    (h) => h === 'content-md5' || h.startsWith('x-amz-checksum-') || h === 'x-amz-sdk-checksum-algorithm',
  );

const isLocked = (v: ObjectVersion): boolean => !!v.retention && v.retention.until.getTime() > Date.now();

/**
 * Why Object Lock refuses to delete this version, or undefined. GOVERNANCE gives way to the
 * bypass header when the caller may use it (the SCPs decide; identity policies are not modelled).
 */
function lockRefusal(ctx: HandlerContext, b: Bucket, key: string, v: ObjectVersion): string | undefined {
  if (!isLocked(v)) return undefined;
  if (
    v.retention!.mode === 'GOVERNANCE' &&
    header(ctx.req, 'x-amz-bypass-governance-retention')?.toLowerCase() === 'true'
  ) {
    const d = scpDenialFor(
      ctx.world,
      ctx.caller,
      ctx.region,
      's3:BypassGovernanceRetention',
      `arn:aws:s3:::${b.name}/${key}`,
    );
    if (!d) return undefined;
  }
  return 'Access Denied because object protected by object lock.';
}

function objectHeaders(v: ObjectVersion, versioned: boolean): Record<string, string> {
  return {
    ETag: v.etag,
    'last-modified': v.lastModified.toUTCString(),
    ...(versioned || v.versionId !== 'null' ? { 'x-amz-version-id': v.versionId } : {}),
    ...(v.sse
      ? {
          'x-amz-server-side-encryption': v.sse.algorithm,
          ...(v.sse.kmsKeyId ? { 'x-amz-server-side-encryption-aws-kms-key-id': v.sse.kmsKeyId } : {}),
        }
      : {}),
    ...(v.retention
      ? {
          'x-amz-object-lock-mode': v.retention.mode,
          'x-amz-object-lock-retain-until-date': v.retention.until.toISOString(),
        }
      : {}),
  };
}

const MODES = ['GOVERNANCE', 'COMPLIANCE'] as const;

/** Deletes one key (or one version of it) as S3 does; returns what happened or an error code. */
function deleteOne(
  ctx: HandlerContext,
  b: Bucket,
  key: string,
  versionId: string | undefined,
):
  | { ok: true; versionId?: string; deleteMarker: boolean; markerVersionId?: string }
  | { ok: false; code: string; message: string } {
  const objects = objectsOf(ctx.world, b);
  const list = objects?.versions[key] ?? [];
  if (versionId !== undefined) {
    const i = list.findIndex((x) => x.versionId === versionId);
    if (i < 0) return { ok: true, versionId, deleteMarker: false }; // nothing there: S3 deletes idempotently
    const v = list[i]!;
    const refusal = lockRefusal(ctx, b, key, v);
    if (refusal) return { ok: false, code: 'AccessDenied', message: refusal };
    list.splice(i, 1);
    return { ok: true, versionId, deleteMarker: v.deleteMarker };
  }
  if (b.versioning === 'Enabled' || b.versioning === 'Suspended') {
    // A delete marker becomes the current version; the data stays (and Object Lock allows it).
    const objs = objectsOf(ctx.world, b, true);
    const l = (objs.versions[key] ??= []);
    const marker: ObjectVersion = {
      versionId: b.versioning === 'Enabled' ? newVersionId(ctx.world) : 'null',
      deleteMarker: true,
      size: 0,
      etag: '',
      lastModified: new Date(),
    };
    if (b.versioning === 'Suspended') l.splice(0, l.length, ...l.filter((x) => x.versionId !== 'null'));
    l.push(marker);
    return { ok: true, deleteMarker: true, markerVersionId: marker.versionId };
  }
  if (list.length) objects!.versions[key] = [];
  return { ok: true, deleteMarker: false };
}

// ---- routing ------------------------------------------------------------------------

/** Object paths and the bucket subresources handled here; undefined: not ours. */
export function objectRoute(req: RawRequest): { operation: string; params: Record<string, unknown> } | undefined {
  const parts = req.path.split('/').filter(Boolean);
  if (parts.length === 0) return undefined;
  const Bucket = parts[0]!;
  const q = req.query;
  const m = req.method;
  if (parts.length === 1) {
    if (q.has('versions') && m === 'GET')
      return { operation: 'ListObjectVersions', params: { Bucket, Prefix: q.get('prefix') ?? undefined } };
    if (q.has('delete') && m === 'POST') return { operation: 'DeleteObjects', params: { Bucket } };
    if (q.has('object-lock')) {
      if (m === 'GET') return { operation: 'GetObjectLockConfiguration', params: { Bucket } };
      if (m === 'PUT') return { operation: 'PutObjectLockConfiguration', params: { Bucket } };
    }
    return undefined;
  }
  // The key keeps its slashes (path-style: /bucket/AWSLogs/o-…/file.json.gz).
  const Key = req.path.replace(/^\/+/, '').slice(Bucket.length + 1);
  const VersionId = q.get('versionId') ?? undefined;
  const params = { Bucket, Key, ...(VersionId !== undefined ? { VersionId } : {}) };
  if (q.has('retention') || q.has('legal-hold') || q.has('acl') || q.has('tagging')) return undefined;
  const op = (
    { PUT: 'PutObject', GET: 'GetObject', HEAD: 'HeadObject', DELETE: 'DeleteObject' } as Record<string, string>
  )[m];
  return op ? { operation: op, params } : undefined;
}

// ---- operations ---------------------------------------------------------------------

export const OBJECT_OPERATIONS: Record<string, (ctx: HandlerContext) => unknown> = {
  PutObject(ctx) {
    const b = bucketFor(ctx);
    const key = String(ctx.input.Key);
    if (Buffer.byteLength(key) > 1024) throw ctx.error('KeyTooLongError', 'Your key is too long', 400);
    const objects = objectsOf(ctx.world, b);
    const modeHeader = header(ctx.req, 'x-amz-object-lock-mode');
    const untilHeader = header(ctx.req, 'x-amz-object-lock-retain-until-date');
    let retention: ObjectVersion['retention'];
    if (modeHeader || untilHeader) {
      if (!objects?.lock) throw ctx.error('InvalidRequest', 'Bucket is missing Object Lock Configuration', 400);
      if (!MODES.includes(modeHeader as never) || !untilHeader || Number.isNaN(Date.parse(untilHeader)))
        throw ctx.error(
          'InvalidArgument',
          'x-amz-object-lock-mode and x-amz-object-lock-retain-until-date must both be supplied',
          400,
        );
      retention = { mode: modeHeader as 'GOVERNANCE' | 'COMPLIANCE', until: new Date(untilHeader) };
    }
    if ((retention || objects?.lock?.defaultRetention) && !hasIntegrityHeader(ctx.req))
      throw ctx.error(
        'InvalidRequest',
        'Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object requests with Object Lock parameters',
        400,
      );
    const alg = header(ctx.req, 'x-amz-server-side-encryption');
    if (alg && !['AES256', 'aws:kms', 'aws:kms:dsse'].includes(alg))
      throw ctx.error('InvalidArgument', 'The encryption method specified is not supported', 400);
    const kmsKey = header(ctx.req, 'x-amz-server-side-encryption-aws-kms-key-id');
    const v = putObjectVersion(ctx.world, b, key, ctx.req.body, {
      ...(alg ? { sse: { algorithm: alg, ...(kmsKey ? { kmsKeyId: kmsKey } : {}) } } : {}),
      ...(retention ? { retention } : {}),
    });
    return empty(200, {
      ETag: v.etag,
      ...(b.versioning ? { 'x-amz-version-id': v.versionId } : {}),
      ...(v.sse ? { 'x-amz-server-side-encryption': v.sse.algorithm } : {}),
    });
  },

  GetObject(ctx) {
    const b = bucketFor(ctx);
    const key = String(ctx.input.Key);
    const list = objectsOf(ctx.world, b)?.versions[key] ?? [];
    const vid = ctx.input.VersionId as string | undefined;
    const v = vid === undefined ? list[list.length - 1] : list.find((x) => x.versionId === vid);
    if (!v) {
      if (vid !== undefined && list.length)
        throw ctx.error('NoSuchVersion', 'The specified version does not exist.', 404, { Key: key, VersionId: vid });
      throw ctx.error('NoSuchKey', 'The specified key does not exist.', 404, { Key: key });
    }
    if (v.deleteMarker) {
      if (vid !== undefined)
        throw ctx.error('MethodNotAllowed', 'The specified method is not allowed against this resource.', 405);
      throw ctx.error('NoSuchKey', 'The specified key does not exist.', 404, { Key: key });
    }
    return {
      $http: true,
      status: 200,
      headers: {
        'content-type': 'application/octet-stream',
        'content-length': String(v.size),
        ...objectHeaders(v, !!b.versioning),
      },
      body: Buffer.from(v.body ?? '', 'base64'),
    } satisfies HttpResult;
  },

  HeadObject(ctx) {
    const b = bucketFor(ctx);
    const list = objectsOf(ctx.world, b)?.versions[String(ctx.input.Key)] ?? [];
    const vid = ctx.input.VersionId as string | undefined;
    const v = vid === undefined ? list[list.length - 1] : list.find((x) => x.versionId === vid);
    if (!v || v.deleteMarker) throw ctx.error('NotFound', 'Not Found', 404);
    return empty(200, { 'content-length': String(v.size), ...objectHeaders(v, !!b.versioning) });
  },

  DeleteObject(ctx) {
    const b = bucketFor(ctx);
    const r = deleteOne(ctx, b, String(ctx.input.Key), ctx.input.VersionId as string | undefined);
    if (!r.ok) throw ctx.error(r.code, r.message, 403);
    return empty(204, {
      ...(r.deleteMarker ? { 'x-amz-delete-marker': 'true' } : {}),
      ...(r.markerVersionId
        ? { 'x-amz-version-id': r.markerVersionId }
        : r.versionId
          ? { 'x-amz-version-id': r.versionId }
          : {}),
    });
  },

  DeleteObjects(ctx) {
    const b = bucketFor(ctx);
    if (!hasIntegrityHeader(ctx.req))
      throw ctx.error(
        'InvalidRequest',
        'Missing required header for this request: Content-MD5 OR x-amz-checksum-*',
        400,
      );
    const doc = (ctx.input.Body as Record<string, any> | undefined)?.Delete;
    if (!doc || typeof doc !== 'object')
      throw ctx.error(
        'MalformedXML',
        'The XML you provided was not well-formed or did not validate against our published schema',
        400,
      );
    const objects = asArray<Record<string, any>>(doc.Object);
    if (!objects.length || objects.length > 1000)
      throw ctx.error(
        'MalformedXML',
        'The XML you provided was not well-formed or did not validate against our published schema (1 to 1000 objects)',
        400,
      );
    const quiet = String(doc.Quiet) === 'true';
    const deleted: Record<string, unknown>[] = [];
    const errors: Record<string, unknown>[] = [];
    for (const o of objects) {
      const key = String(o.Key ?? '');
      const vid = o.VersionId !== undefined && o.VersionId !== '' ? String(o.VersionId) : undefined;
      // Each key is authorized on its own (service control policies included).
      const action = vid ? 's3:DeleteObjectVersion' : 's3:DeleteObject';
      const resource = `arn:aws:s3:::${b.name}/${key}`;
      const denial = scpDenialFor(ctx.world, ctx.caller, ctx.region, action, resource);
      if (denial) {
        errors.push({
          Key: key,
          VersionId: vid,
          Code: 'AccessDenied',
          Message: scpMessage(ctx.caller, action, resource, denial),
        });
        continue;
      }
      const r = deleteOne(ctx, b, key, vid);
      if (!r.ok) errors.push({ Key: key, VersionId: vid, Code: r.code, Message: r.message });
      else if (!quiet)
        deleted.push({
          Key: key,
          VersionId: r.versionId,
          DeleteMarker: r.deleteMarker || undefined,
          DeleteMarkerVersionId: r.markerVersionId,
        });
    }
    return xml('DeleteResult', { Deleted: deleted, Error: errors });
  },

  ListObjectVersions(ctx) {
    const b = bucketFor(ctx);
    const prefix = (ctx.input.Prefix as string | undefined) ?? '';
    const all = Object.entries(objectsOf(ctx.world, b)?.versions ?? {})
      .filter(([k]) => k.startsWith(prefix))
      .sort(([a], [c]) => a.localeCompare(c));
    const owner = { ID: b.owner.padStart(64, '0') };
    const versions: Record<string, unknown>[] = [];
    const markers: Record<string, unknown>[] = [];
    for (const [key, list] of all) {
      [...list].reverse().forEach((v, i) => {
        const base = {
          Key: key,
          VersionId: v.versionId,
          IsLatest: i === 0,
          LastModified: v.lastModified,
          Owner: owner,
        };
        if (v.deleteMarker) markers.push(base);
        else versions.push({ ...base, ETag: v.etag, Size: v.size, StorageClass: 'STANDARD' });
      });
    }
    return xml('ListVersionsResult', {
      Name: b.name,
      Prefix: prefix,
      KeyMarker: '',
      VersionIdMarker: '',
      MaxKeys: 1000,
      IsTruncated: false,
      Version: versions,
      DeleteMarker: markers,
    });
  },

  PutObjectLockConfiguration(ctx) {
    const b = bucketFor(ctx);
    const cfg = (ctx.input.Body as Record<string, any> | undefined)?.ObjectLockConfiguration;
    const bad = (what: string) =>
      ctx.error(
        'MalformedXML',
        `The XML you provided was not well-formed or did not validate against our published schema (${what})`,
        400,
      );
    if (!cfg || typeof cfg !== 'object') throw bad('ObjectLockConfiguration');
    // Object Lock cannot be turned off once on: only "Enabled" is accepted.
    if (cfg.ObjectLockEnabled !== 'Enabled') throw bad('ObjectLockEnabled');
    if (b.versioning !== 'Enabled')
      throw ctx.error(
        'InvalidBucketState',
        "Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration",
        409,
      );
    let defaultRetention: ObjectLockConfig['defaultRetention'];
    const d = cfg.Rule?.DefaultRetention;
    if (cfg.Rule !== undefined) {
      if (!d || typeof d !== 'object') throw bad('DefaultRetention');
      if (!MODES.includes(d.Mode)) throw bad('Mode');
      const days = d.Days !== undefined ? Number(d.Days) : undefined;
      const years = d.Years !== undefined ? Number(d.Years) : undefined;
      if ((days === undefined) === (years === undefined)) throw bad('exactly one of Days or Years');
      const n = (days ?? years)!;
      if (!Number.isInteger(n) || n < 1)
        throw ctx.error('InvalidArgument', 'Default retention period must be a positive integer value', 400);
      // Retention may not exceed 100 years.
      if ((days ?? 0) > 36500 || (years ?? 0) > 100)
        throw ctx.error('InvalidArgument', 'Default retention period is too large', 400);
      defaultRetention = { mode: d.Mode, ...(days !== undefined ? { days } : { years }) };
    }
    objectsOf(ctx.world, b, true).lock = { enabled: true, ...(defaultRetention ? { defaultRetention } : {}) };
    return empty(200);
  },

  GetObjectLockConfiguration(ctx) {
    const b = bucketFor(ctx);
    const lock = objectsOf(ctx.world, b)?.lock;
    if (!lock)
      throw ctx.error(
        'ObjectLockConfigurationNotFoundError',
        'Object Lock configuration does not exist for this bucket',
        404,
        { BucketName: b.name },
      );
    const r = lock.defaultRetention;
    return xml('ObjectLockConfiguration', {
      ObjectLockEnabled: 'Enabled',
      ...(r
        ? {
            Rule: {
              DefaultRetention: { Mode: r.mode, ...(r.days !== undefined ? { Days: r.days } : { Years: r.years }) },
            },
          }
        : {}),
    });
  },
};
