// S3 objects, versions and Object Lock through the real SDK client: what CloudTrail writes into
// the log bucket and what someone would try to delete — delete markers vs version deletes,
// DeleteObjects, a bucket that must be empty to go, Object Lock (governance and compliance,
// never turned off, versioning kept on), and the lifecycle's minimum transition size.
import { describe, expect, it } from 'vitest';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetBucketLifecycleConfigurationCommand,
  GetObjectCommand,
  GetObjectLockConfigurationCommand,
  ListObjectVersionsCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutObjectLockConfigurationCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { errorOf, useEmulator, type Creds } from '../helpers/emulator-sdk.js';

const sdk = useEmulator();
const B = 'acme-logs';
const s3 = (credentials?: Creds) => sdk.client(S3Client, { region: 'eu-west-1', forcePathStyle: true, credentials });

async function bucket(versioned = true): Promise<S3Client> {
  const c = s3();
  await c.send(new CreateBucketCommand({ Bucket: B, CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
  if (versioned)
    await c.send(new PutBucketVersioningCommand({ Bucket: B, VersioningConfiguration: { Status: 'Enabled' } }));
  return c;
}
const body = async (c: S3Client, Key: string, VersionId?: string) =>
  (await c.send(new GetObjectCommand({ Bucket: B, Key, VersionId }))).Body!.transformToString();

describe('objects and versions', () => {
  it('a versioned bucket keeps every version; a plain delete adds a delete marker; deleting a version removes it for good', async () => {
    const c = await bucket();
    const v1 = (await c.send(new PutObjectCommand({ Bucket: B, Key: 'AWSLogs/a.json', Body: 'one' }))).VersionId!;
    const v2 = (await c.send(new PutObjectCommand({ Bucket: B, Key: 'AWSLogs/a.json', Body: 'two' }))).VersionId!;
    expect(v1).not.toBe(v2);
    expect(await body(c, 'AWSLogs/a.json')).toBe('two');
    expect(await body(c, 'AWSLogs/a.json', v1)).toBe('one');
    const del = await c.send(new DeleteObjectCommand({ Bucket: B, Key: 'AWSLogs/a.json' }));
    expect(del.DeleteMarker).toBe(true);
    expect(await errorOf(c.send(new GetObjectCommand({ Bucket: B, Key: 'AWSLogs/a.json' })))).toMatchObject({
      name: 'NoSuchKey',
      status: 404,
    });
    expect(await body(c, 'AWSLogs/a.json', v1)).toBe('one'); // still there
    const list = await c.send(new ListObjectVersionsCommand({ Bucket: B }));
    expect(list.Versions!.map((v) => [v.VersionId, v.IsLatest])).toEqual([
      [v2, false],
      [v1, false],
    ]);
    expect(list.DeleteMarkers!.map((m) => [m.VersionId, m.IsLatest])).toEqual([[del.VersionId, true]]);
    await c.send(new DeleteObjectCommand({ Bucket: B, Key: 'AWSLogs/a.json', VersionId: v1 }));
    expect(
      await errorOf(c.send(new GetObjectCommand({ Bucket: B, Key: 'AWSLogs/a.json', VersionId: v1 }))),
    ).toMatchObject({ name: 'NoSuchVersion', status: 404 });
    expect(await errorOf(c.send(new DeleteBucketCommand({ Bucket: B })))).toMatchObject({
      name: 'BucketNotEmpty',
      status: 409,
    });
    const r = await c.send(
      new DeleteObjectsCommand({
        Bucket: B,
        Delete: {
          Objects: [
            { Key: 'AWSLogs/a.json', VersionId: v2 },
            { Key: 'AWSLogs/a.json', VersionId: del.VersionId },
          ],
        },
      }),
    );
    expect(r.Deleted!.map((d) => d.VersionId)).toEqual([v2, del.VersionId]);
    await c.send(new DeleteBucketCommand({ Bucket: B }));
  });

  it('an unversioned bucket keeps one "null" version per key, replaced by each write', async () => {
    const c = await bucket(false);
    await c.send(new PutObjectCommand({ Bucket: B, Key: 'k', Body: 'one' }));
    await c.send(new PutObjectCommand({ Bucket: B, Key: 'k', Body: 'two' }));
    expect((await c.send(new ListObjectVersionsCommand({ Bucket: B }))).Versions!.map((v) => v.VersionId)).toEqual([
      'null',
    ]);
    await c.send(new DeleteObjectCommand({ Bucket: B, Key: 'k' }));
    expect((await c.send(new ListObjectVersionsCommand({ Bucket: B }))).Versions ?? []).toEqual([]);
  });
});

describe('Object Lock', () => {
  it('needs versioning on, cannot be turned off, and keeps versioning on', async () => {
    const c = await bucket(false);
    const cfg = {
      ObjectLockEnabled: 'Enabled' as const,
      Rule: { DefaultRetention: { Mode: 'COMPLIANCE' as const, Days: 30 } },
    };
    expect(
      await errorOf(c.send(new PutObjectLockConfigurationCommand({ Bucket: B, ObjectLockConfiguration: cfg }))),
    ).toMatchObject({ name: 'InvalidBucketState', status: 409 });
    expect(await errorOf(c.send(new GetObjectLockConfigurationCommand({ Bucket: B })))).toMatchObject({
      name: 'ObjectLockConfigurationNotFoundError',
      status: 404,
    });
    await c.send(new PutBucketVersioningCommand({ Bucket: B, VersioningConfiguration: { Status: 'Enabled' } }));
    expect(
      (
        await errorOf(
          c.send(
            new PutObjectLockConfigurationCommand({
              Bucket: B,
              ObjectLockConfiguration: { Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 1, Years: 1 } } },
            }),
          ),
        )
      ).name,
    ).toBe('MalformedXML');
    await c.send(new PutObjectLockConfigurationCommand({ Bucket: B, ObjectLockConfiguration: cfg }));
    expect((await c.send(new GetObjectLockConfigurationCommand({ Bucket: B }))).ObjectLockConfiguration).toEqual(cfg);
    expect(
      await errorOf(
        c.send(new PutBucketVersioningCommand({ Bucket: B, VersioningConfiguration: { Status: 'Suspended' } })),
      ),
    ).toMatchObject({ name: 'InvalidBucketState', status: 409 });
  });

  it('COMPLIANCE: nobody deletes a version before its date, not even with the bypass header; a delete marker is still allowed', async () => {
    const c = await bucket();
    await c.send(
      new PutObjectLockConfigurationCommand({
        Bucket: B,
        ObjectLockConfiguration: {
          ObjectLockEnabled: 'Enabled',
          Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 365 } },
        },
      }),
    );
    const put = await c.send(new PutObjectCommand({ Bucket: B, Key: 'AWSLogs/x.json.gz', Body: 'log' }));
    const head = await c.send(new GetObjectCommand({ Bucket: B, Key: 'AWSLogs/x.json.gz' }));
    expect(head.ObjectLockMode).toBe('COMPLIANCE');
    expect(head.ObjectLockRetainUntilDate!.getTime()).toBeGreaterThan(Date.now() + 364 * 86400_000);
    const e = await errorOf(
      c.send(
        new DeleteObjectCommand({
          Bucket: B,
          Key: 'AWSLogs/x.json.gz',
          VersionId: put.VersionId,
          BypassGovernanceRetention: true,
        }),
      ),
    );
    expect(e).toMatchObject({ name: 'AccessDenied', status: 403 });
    expect(e.message).toMatch(/object lock/);
    const r = await c.send(
      new DeleteObjectsCommand({
        Bucket: B,
        Delete: { Objects: [{ Key: 'AWSLogs/x.json.gz', VersionId: put.VersionId }] },
      }),
    );
    expect(r.Errors!.map((x) => x.Code)).toEqual(['AccessDenied']);
    expect((await c.send(new DeleteObjectCommand({ Bucket: B, Key: 'AWSLogs/x.json.gz' }))).DeleteMarker).toBe(true);
    expect(await body(c, 'AWSLogs/x.json.gz', put.VersionId)).toBe('log');
  });

  it('GOVERNANCE: the bypass header lets a caller the SCPs allow delete a locked version', async () => {
    const c = await bucket();
    await c.send(
      new PutObjectLockConfigurationCommand({
        Bucket: B,
        ObjectLockConfiguration: {
          ObjectLockEnabled: 'Enabled',
          Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 30 } },
        },
      }),
    );
    const put = await c.send(new PutObjectCommand({ Bucket: B, Key: 'k', Body: 'log' }));
    expect(
      (await errorOf(c.send(new DeleteObjectCommand({ Bucket: B, Key: 'k', VersionId: put.VersionId })))).name,
    ).toBe('AccessDenied');
    await c.send(
      new DeleteObjectCommand({ Bucket: B, Key: 'k', VersionId: put.VersionId, BypassGovernanceRetention: true }),
    );
    expect(await errorOf(c.send(new GetObjectCommand({ Bucket: B, Key: 'k' })))).toMatchObject({ name: 'NoSuchKey' });
  });
});

describe('lifecycle: the minimum object size for transitions', () => {
  it('honours TransitionDefaultMinimumObjectSize (default all_storage_classes_128K) and validates size filters', async () => {
    const c = await bucket();
    const rule = {
      ID: 'r',
      Status: 'Enabled' as const,
      Filter: { Prefix: '' },
      Transitions: [{ Days: 90, StorageClass: 'GLACIER' as const }],
      Expiration: { Days: 365 },
    };
    expect(
      (
        await c.send(
          new PutBucketLifecycleConfigurationCommand({ Bucket: B, LifecycleConfiguration: { Rules: [rule] } }),
        )
      ).TransitionDefaultMinimumObjectSize,
    ).toBe('all_storage_classes_128K');
    await c.send(
      new PutBucketLifecycleConfigurationCommand({
        Bucket: B,
        TransitionDefaultMinimumObjectSize: 'varies_by_storage_class',
        LifecycleConfiguration: { Rules: [rule] },
      }),
    );
    expect(
      (await c.send(new GetBucketLifecycleConfigurationCommand({ Bucket: B }))).TransitionDefaultMinimumObjectSize,
    ).toBe('varies_by_storage_class');
    const sized = {
      ...rule,
      Filter: { And: { Prefix: 'AWSLogs/', ObjectSizeGreaterThan: 1000, ObjectSizeLessThan: 10 } },
    };
    expect(
      await errorOf(
        c.send(new PutBucketLifecycleConfigurationCommand({ Bucket: B, LifecycleConfiguration: { Rules: [sized] } })),
      ),
    ).toMatchObject({ name: 'InvalidRequest', status: 400 });
    await c.send(
      new PutBucketLifecycleConfigurationCommand({
        Bucket: B,
        LifecycleConfiguration: { Rules: [{ ...rule, Filter: { ObjectSizeGreaterThan: 131072 } }] },
      }),
    );
  });
});
