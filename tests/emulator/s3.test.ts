// Amazon S3 through the real SDK v3 client (path style) against the emulator: every bucket
// operation the log-archive bucket needs, global bucket names across accounts, regions,
// AWS-shaped errors (XML <Error>, HTTP status), SlowDown throttling, drift kinds.
import { beforeEach, describe, expect, it } from 'vitest';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteBucketEncryptionCommand,
  DeleteBucketLifecycleCommand,
  DeleteBucketOwnershipControlsCommand,
  DeleteBucketPolicyCommand,
  DeletePublicAccessBlockCommand,
  GetBucketEncryptionCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketLocationCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetObjectAclCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
  ListBucketsCommand,
  PutBucketEncryptionCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutPublicAccessBlockCommand,
  S3Client,
  type LifecycleRule,
} from '@aws-sdk/client-s3';
import { errorOf as awsError, useEmulator, type Creds } from '../helpers/emulator-sdk.js';

const sdk = useEmulator();
const { emu } = sdk;
let s3: S3Client;
beforeEach(() => {
  s3 = client();
});

const client = (region = 'us-east-1', credentials?: Creds) =>
  sdk.client(S3Client, { region, credentials, forcePathStyle: true });

const errorOf = (p: Promise<unknown>) => awsError(p, 'BucketName');

const BUCKET = 'acme-logs-123456789012';
const policy = (bucket = BUCKET) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'DenyInsecureTransport',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
      {
        Sid: 'AWSCloudTrailAclCheck',
        Effect: 'Allow',
        Principal: { Service: 'cloudtrail.amazonaws.com' },
        Action: 's3:GetBucketAcl',
        Resource: `arn:aws:s3:::${bucket}`,
      },
    ],
  });

const member = async (): Promise<string> => (await sdk.orgWithMember({ name: 'log-archive' })).member;

describe('buckets', () => {
  it('creates, heads, lists, locates and deletes a bucket; new buckets come locked down and encrypted', async () => {
    expect((await s3.send(new ListBucketsCommand({}))).Buckets ?? []).toEqual([]);
    const created = await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    expect(created.Location).toBe(`/${BUCKET}`);
    expect((await s3.send(new HeadBucketCommand({ Bucket: BUCKET }))).BucketRegion).toBe('us-east-1');
    const listed = (await s3.send(new ListBucketsCommand({}))).Buckets!;
    expect(listed.map((b) => b.Name)).toEqual([BUCKET]);
    expect(listed[0].CreationDate).toBeInstanceOf(Date);
    // us-east-1 is the empty location constraint.
    expect((await s3.send(new GetBucketLocationCommand({ Bucket: BUCKET }))).LocationConstraint).toBeUndefined();
    expect((await s3.send(new GetPublicAccessBlockCommand({ Bucket: BUCKET }))).PublicAccessBlockConfiguration).toEqual(
      { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true },
    );
    expect((await s3.send(new GetBucketOwnershipControlsCommand({ Bucket: BUCKET }))).OwnershipControls!.Rules).toEqual(
      [{ ObjectOwnership: 'BucketOwnerEnforced' }],
    );
    expect(
      (await s3.send(new GetBucketEncryptionCommand({ Bucket: BUCKET }))).ServerSideEncryptionConfiguration!.Rules![0]
        .ApplyServerSideEncryptionByDefault,
    ).toEqual({ SSEAlgorithm: 'AES256' });
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket: BUCKET }))).Status).toBeUndefined();
    await s3.send(new DeleteBucketCommand({ Bucket: BUCKET }));
    const gone = await errorOf(s3.send(new HeadBucketCommand({ Bucket: BUCKET })));
    expect(gone).toMatchObject({ name: 'NotFound', status: 404 });
    expect(await errorOf(s3.send(new GetBucketVersioningCommand({ Bucket: BUCKET })))).toMatchObject({
      name: 'NoSuchBucket',
      status: 404,
      BucketName: BUCKET,
    });
  });

  it("outside us-east-1 the location constraint must name the endpoint's region", async () => {
    const eu = client('eu-west-1');
    // (The SDK fills in the client's region when no constraint is given, so only a wrong one can be sent.)
    expect(
      await errorOf(
        eu.send(
          new CreateBucketCommand({
            Bucket: BUCKET,
            CreateBucketConfiguration: { LocationConstraint: 'eu-central-1' },
          }),
        ),
      ),
    ).toMatchObject({ name: 'IllegalLocationConstraintException', status: 400 });
    expect(
      (
        await errorOf(
          s3.send(
            new CreateBucketCommand({
              Bucket: BUCKET,
              CreateBucketConfiguration: { LocationConstraint: 'us-east-1' as never },
            }),
          ),
        )
      ).name,
    ).toBe('InvalidLocationConstraint');
    await eu.send(
      new CreateBucketCommand({ Bucket: BUCKET, CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }),
    );
    expect((await eu.send(new GetBucketLocationCommand({ Bucket: BUCKET }))).LocationConstraint).toBe('eu-west-1');
    // Addressed through another region's endpoint: a 301 PermanentRedirect naming the right one.
    const wrong = await errorOf(s3.send(new GetBucketVersioningCommand({ Bucket: BUCKET })));
    expect(wrong).toMatchObject({ name: 'PermanentRedirect', status: 301 });
  });

  it("bucket names are global: BucketAlreadyOwnedByYou, BucketAlreadyExists (409), another owner's bucket is AccessDenied", async () => {
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    expect(await errorOf(s3.send(new CreateBucketCommand({ Bucket: BUCKET })))).toMatchObject({
      name: 'BucketAlreadyOwnedByYou',
      status: 409,
    });
    const other = client('us-east-1', emu.credentials(await member()));
    expect(await errorOf(other.send(new CreateBucketCommand({ Bucket: BUCKET })))).toMatchObject({
      name: 'BucketAlreadyExists',
      status: 409,
    });
    expect(await errorOf(other.send(new GetBucketPolicyCommand({ Bucket: BUCKET })))).toMatchObject({
      name: 'AccessDenied',
      status: 403,
    });
    expect((await other.send(new ListBucketsCommand({}))).Buckets ?? []).toEqual([]);
    await other.send(new CreateBucketCommand({ Bucket: 'acme-logs-member' }));
    expect((await s3.send(new ListBucketsCommand({}))).Buckets!.map((b) => b.Name)).toEqual([BUCKET]);
  });

  it('refuses bad names with InvalidBucketName and an object ownership header it does not know', async () => {
    for (const name of ['ab', 'Acme-Logs', 'acme..logs', '192.168.1.1', 'xn--acme', 'acme-logs-', 'a'.repeat(64)]) {
      expect(await errorOf(s3.send(new CreateBucketCommand({ Bucket: name }))), name).toMatchObject({
        name: 'InvalidBucketName',
        status: 400,
      });
    }
    expect(
      (await errorOf(s3.send(new CreateBucketCommand({ Bucket: BUCKET, ObjectOwnership: 'Whoever' as never })))).name,
    ).toBe('InvalidArgument');
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET, ObjectOwnership: 'ObjectWriter' }));
    expect((await s3.send(new GetBucketOwnershipControlsCommand({ Bucket: BUCKET }))).OwnershipControls!.Rules).toEqual(
      [{ ObjectOwnership: 'ObjectWriter' }],
    );
  });

  it('object operations beyond objects, versions and Object Lock are not emulated and say so (NotImplemented, 501)', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    expect(await errorOf(s3.send(new GetObjectAclCommand({ Bucket: BUCKET, Key: 'AWSLogs/x.json' })))).toMatchObject({
      name: 'NotImplemented',
      status: 501,
    });
  });
});

describe('bucket configuration', () => {
  beforeEach(async () => {
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  });

  it('public access block: put, get, delete (then NoSuchPublicAccessBlockConfiguration 404)', async () => {
    await s3.send(
      new PutPublicAccessBlockCommand({
        Bucket: BUCKET,
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          IgnorePublicAcls: false,
          BlockPublicPolicy: true,
          RestrictPublicBuckets: false,
        },
      }),
    );
    expect((await s3.send(new GetPublicAccessBlockCommand({ Bucket: BUCKET }))).PublicAccessBlockConfiguration).toEqual(
      { BlockPublicAcls: true, IgnorePublicAcls: false, BlockPublicPolicy: true, RestrictPublicBuckets: false },
    );
    await s3.send(new DeletePublicAccessBlockCommand({ Bucket: BUCKET }));
    expect(await errorOf(s3.send(new GetPublicAccessBlockCommand({ Bucket: BUCKET })))).toMatchObject({
      name: 'NoSuchPublicAccessBlockConfiguration',
      status: 404,
    });
  });

  it('ownership controls: put, get, delete (then OwnershipControlsNotFoundError 404)', async () => {
    await s3.send(
      new PutBucketOwnershipControlsCommand({
        Bucket: BUCKET,
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerPreferred' }] },
      }),
    );
    expect((await s3.send(new GetBucketOwnershipControlsCommand({ Bucket: BUCKET }))).OwnershipControls!.Rules).toEqual(
      [{ ObjectOwnership: 'BucketOwnerPreferred' }],
    );
    await s3.send(new DeleteBucketOwnershipControlsCommand({ Bucket: BUCKET }));
    expect(await errorOf(s3.send(new GetBucketOwnershipControlsCommand({ Bucket: BUCKET })))).toMatchObject({
      name: 'OwnershipControlsNotFoundError',
      status: 404,
    });
    expect(
      await errorOf(
        s3.send(
          new PutBucketOwnershipControlsCommand({
            Bucket: BUCKET,
            OwnershipControls: { Rules: [{ ObjectOwnership: 'Nobody' as never }] },
          }),
        ),
      ),
    ).toMatchObject({ name: 'MalformedXML', status: 400 });
  });

  it('versioning: Enabled, Suspended; anything else is MalformedXML', async () => {
    await s3.send(new PutBucketVersioningCommand({ Bucket: BUCKET, VersioningConfiguration: { Status: 'Enabled' } }));
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket: BUCKET }))).Status).toBe('Enabled');
    await s3.send(new PutBucketVersioningCommand({ Bucket: BUCKET, VersioningConfiguration: { Status: 'Suspended' } }));
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket: BUCKET }))).Status).toBe('Suspended');
    expect(
      await errorOf(
        s3.send(new PutBucketVersioningCommand({ Bucket: BUCKET, VersioningConfiguration: { Status: 'On' as never } })),
      ),
    ).toMatchObject({ name: 'MalformedXML', status: 400 });
  });

  it('encryption: KMS with a key and bucket key; a key with AES256 is InvalidArgument; delete falls back to SSE-S3', async () => {
    const key = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    await s3.send(
      new PutBucketEncryptionCommand({
        Bucket: BUCKET,
        ServerSideEncryptionConfiguration: {
          Rules: [
            {
              ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: key },
              BucketKeyEnabled: true,
            },
          ],
        },
      }),
    );
    const rule = (await s3.send(new GetBucketEncryptionCommand({ Bucket: BUCKET }))).ServerSideEncryptionConfiguration!
      .Rules![0];
    expect(rule).toEqual({
      ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: key },
      BucketKeyEnabled: true,
    });
    expect(
      await errorOf(
        s3.send(
          new PutBucketEncryptionCommand({
            Bucket: BUCKET,
            ServerSideEncryptionConfiguration: {
              Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256', KMSMasterKeyID: key } }],
            },
          }),
        ),
      ),
    ).toMatchObject({ name: 'InvalidArgument', status: 400 });
    await s3.send(new DeleteBucketEncryptionCommand({ Bucket: BUCKET }));
    expect(
      (await s3.send(new GetBucketEncryptionCommand({ Bucket: BUCKET }))).ServerSideEncryptionConfiguration!.Rules![0]
        .ApplyServerSideEncryptionByDefault,
    ).toEqual({ SSEAlgorithm: 'AES256' });
  });

  it('lifecycle: rules round-trip; an expiration before the last transition is InvalidArgument; delete', async () => {
    expect(await errorOf(s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: BUCKET })))).toMatchObject({
      name: 'NoSuchLifecycleConfiguration',
      status: 404,
    });
    const rules: LifecycleRule[] = [
      {
        ID: 'archive-logs',
        Status: 'Enabled',
        Filter: { Prefix: 'AWSLogs/' },
        Transitions: [{ Days: 90, StorageClass: 'GLACIER' }],
        Expiration: { Days: 400 },
        NoncurrentVersionExpiration: { NoncurrentDays: 30 },
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
      },
    ];
    await s3.send(
      new PutBucketLifecycleConfigurationCommand({ Bucket: BUCKET, LifecycleConfiguration: { Rules: rules } }),
    );
    const got = (await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: BUCKET }))).Rules!;
    expect(got).toEqual([
      expect.objectContaining({
        ID: 'archive-logs',
        Status: 'Enabled',
        Filter: { Prefix: 'AWSLogs/' },
        Transitions: [{ Days: 90, StorageClass: 'GLACIER' }],
        Expiration: { Days: 400 },
        NoncurrentVersionExpiration: { NoncurrentDays: 30 },
      }),
    ]);
    const early = [{ ...rules[0], Expiration: { Days: 60 } }];
    expect(
      await errorOf(
        s3.send(
          new PutBucketLifecycleConfigurationCommand({ Bucket: BUCKET, LifecycleConfiguration: { Rules: early } }),
        ),
      ),
    ).toMatchObject({ name: 'InvalidArgument', status: 400 });
    const ia = [{ ...rules[0], Transitions: [{ Days: 10, StorageClass: 'STANDARD_IA' as const }] }];
    expect(
      (
        await errorOf(
          s3.send(
            new PutBucketLifecycleConfigurationCommand({ Bucket: BUCKET, LifecycleConfiguration: { Rules: ia } }),
          ),
        )
      ).name,
    ).toBe('InvalidArgument');
    const twice = [rules[0], { ...rules[0] }];
    expect(
      (
        await errorOf(
          s3.send(
            new PutBucketLifecycleConfigurationCommand({ Bucket: BUCKET, LifecycleConfiguration: { Rules: twice } }),
          ),
        )
      ).name,
    ).toBe('InvalidArgument');
    await s3.send(new DeleteBucketLifecycleCommand({ Bucket: BUCKET }));
    expect((await errorOf(s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: BUCKET })))).name).toBe(
      'NoSuchLifecycleConfiguration',
    );
  });

  it('policy: stored exactly as put; malformed ones are MalformedPolicy; delete (then NoSuchBucketPolicy 404)', async () => {
    expect(await errorOf(s3.send(new GetBucketPolicyCommand({ Bucket: BUCKET })))).toMatchObject({
      name: 'NoSuchBucketPolicy',
      status: 404,
    });
    await s3.send(new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: policy() }));
    expect((await s3.send(new GetBucketPolicyCommand({ Bucket: BUCKET }))).Policy).toBe(policy());
    const bad = async (doc: string) =>
      await errorOf(s3.send(new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: doc })));
    expect(await bad('not json')).toMatchObject({ name: 'MalformedPolicy', status: 400 });
    expect((await bad(policy('someone-elses-bucket'))).name).toBe('MalformedPolicy');
    expect(
      (
        await bad(
          JSON.stringify({
            Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${BUCKET}/*` }],
          }),
        )
      ).message,
    ).toMatch(/Principal/);
    expect(
      (
        await bad(
          JSON.stringify({
            Statement: [
              { Effect: 'Maybe', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${BUCKET}/*` },
            ],
          }),
        )
      ).name,
    ).toBe('MalformedPolicy');
    expect(
      (
        await bad(
          JSON.stringify({
            Statement: [
              { Effect: 'Allow', Principal: '*', Action: 'ec2:RunInstances', Resource: `arn:aws:s3:::${BUCKET}/*` },
            ],
          }),
        )
      ).name,
    ).toBe('MalformedPolicy');
    expect((await s3.send(new GetBucketPolicyCommand({ Bucket: BUCKET }))).Policy).toBe(policy());
    await s3.send(new DeleteBucketPolicyCommand({ Bucket: BUCKET }));
    expect((await errorOf(s3.send(new GetBucketPolicyCommand({ Bucket: BUCKET })))).name).toBe('NoSuchBucketPolicy');
  });

  it('throttling is SlowDown (503); the SDK retries it when allowed to', async () => {
    emu.setFaults({ rules: [{ service: 's3', operation: 'GetBucketVersioning', kind: 'throttle', times: 2 }] });
    expect(await errorOf(s3.send(new GetBucketVersioningCommand({ Bucket: BUCKET })))).toMatchObject({
      name: 'SlowDown',
      status: 503,
    });
    const patient = sdk.client(S3Client, { forcePathStyle: true, maxAttempts: 3 });
    expect((await patient.send(new GetBucketVersioningCommand({ Bucket: BUCKET }))).$metadata.attempts).toBe(2);
  });

  it('drift: policy changed or removed, BPA off, versioning suspended, lifecycle deleted', async () => {
    await s3.send(new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: policy() }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: BUCKET, VersioningConfiguration: { Status: 'Enabled' } }));
    await s3.send(
      new PutBucketLifecycleConfigurationCommand({
        Bucket: BUCKET,
        LifecycleConfiguration: { Rules: [{ ID: 'x', Status: 'Enabled', Filter: {}, Expiration: { Days: 400 } }] },
      }),
    );
    emu.drift('s3', 'bucket-policy-changed', { bucket: BUCKET, policy: { Version: '2012-10-17', Statement: [] } });
    expect(JSON.parse((await s3.send(new GetBucketPolicyCommand({ Bucket: BUCKET }))).Policy!)).toEqual({
      Version: '2012-10-17',
      Statement: [],
    });
    emu.drift('s3', 'bucket-policy-changed', { bucket: BUCKET });
    expect((await errorOf(s3.send(new GetBucketPolicyCommand({ Bucket: BUCKET })))).name).toBe('NoSuchBucketPolicy');
    emu.drift('s3', 'bucket-bpa-off', { bucket: BUCKET });
    expect((await errorOf(s3.send(new GetPublicAccessBlockCommand({ Bucket: BUCKET })))).name).toBe(
      'NoSuchPublicAccessBlockConfiguration',
    );
    emu.drift('s3', 'bucket-versioning-suspended', { bucket: BUCKET });
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket: BUCKET }))).Status).toBe('Suspended');
    emu.drift('s3', 'bucket-lifecycle-deleted', { bucket: BUCKET });
    expect((await errorOf(s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: BUCKET })))).name).toBe(
      'NoSuchLifecycleConfiguration',
    );
    expect(() => emu.drift('s3', 'bucket-bpa-off', { bucket: 'nope-nope' })).toThrow(/no bucket/);
  });
});
