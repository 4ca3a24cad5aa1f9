// AWS CloudTrail through the real SDK v3 client against the emulator: trails and
// organization trails, what AWS checks at CreateTrail (trusted access, management account,
// bucket policy for CloudTrail's GetBucketAcl/PutObject), home regions, shadow trails,
// logging status and delivery errors, throttling and drift kinds.
import { beforeEach, describe, expect, it } from 'vitest';
import {
  CloudTrailClient,
  CreateTrailCommand,
  DeleteTrailCommand,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailCommand,
  GetTrailStatusCommand,
  PutEventSelectorsCommand,
  StartLoggingCommand,
  StopLoggingCommand,
  UpdateTrailCommand,
  type CreateTrailCommandInput,
} from '@aws-sdk/client-cloudtrail';
import { CreateBucketCommand, GetObjectCommand, PutBucketPolicyCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateKeyCommand, EnableKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { EnableAWSServiceAccessCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { MANAGEMENT_ACCOUNT_ID as ME } from '../../emulator/world.js';
import { errorOf, useEmulator, type Creds } from '../helpers/emulator-sdk.js';

const sdk = useEmulator();
const { emu } = sdk;
let ct: CloudTrailClient;
beforeEach(() => {
  ct = trails();
});

const trails = (region = 'eu-west-1', credentials?: Creds) => sdk.client(CloudTrailClient, { region, credentials });
const s3 = (credentials?: Creds) => sdk.client(S3Client, { region: 'eu-west-1', credentials, forcePathStyle: true });
const orgs = () => sdk.client(OrganizationsClient);

const BUCKET = 'acme-cloudtrail-logs';
const trailArn = (name: string, region = 'eu-west-1', account = ME) =>
  `arn:aws:cloudtrail:${region}:${account}:trail/${name}`;

/** The bucket policy CloudTrail needs (as AWS documents it), for the account and, optionally, the organization. */
function trailPolicy(orgId?: string, opts: { orgPath?: boolean } = {}): string {
  const sourceArn = `arn:aws:cloudtrail:eu-west-1:${ME}:trail/*`;
  const paths = [`arn:aws:s3:::${BUCKET}/AWSLogs/${ME}/*`];
  if (orgId && opts.orgPath !== false) paths.push(`arn:aws:s3:::${BUCKET}/AWSLogs/${orgId}/*`);
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AWSCloudTrailAclCheck',
        Effect: 'Allow',
        Principal: { Service: 'cloudtrail.amazonaws.com' },
        Action: 's3:GetBucketAcl',
        Resource: `arn:aws:s3:::${BUCKET}`,
        Condition: { ArnLike: { 'aws:SourceArn': sourceArn } },
      },
      {
        Sid: 'AWSCloudTrailWrite',
        Effect: 'Allow',
        Principal: { Service: 'cloudtrail.amazonaws.com' },
        Action: 's3:PutObject',
        Resource: paths,
        Condition: {
          StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control' },
          ArnLike: { 'aws:SourceArn': sourceArn },
        },
      },
      {
        Sid: 'DenyInsecureTransport',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    ],
  });
}

async function bucket(policy?: string): Promise<void> {
  await s3().send(
    new CreateBucketCommand({ Bucket: BUCKET, CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }),
  );
  if (policy) await s3().send(new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: policy }));
}

/** An ALL-features org with one member; trusted access for CloudTrail only when asked. */
const org = (trusted: boolean) => sdk.orgWithMember({ trust: trusted ? 'cloudtrail.amazonaws.com' : undefined });

const orgTrail: CreateTrailCommandInput = {
  Name: 'org-trail',
  S3BucketName: BUCKET,
  IsMultiRegionTrail: true,
  IncludeGlobalServiceEvents: true,
  IsOrganizationTrail: true,
  EnableLogFileValidation: true,
};

describe('trails', () => {
  it('creates, reads, starts, stops, updates and deletes an account trail', async () => {
    await bucket(trailPolicy());
    const created = await ct.send(new CreateTrailCommand({ Name: 'main', S3BucketName: BUCKET }));
    expect(created).toMatchObject({
      Name: 'main',
      TrailARN: trailArn('main'),
      S3BucketName: BUCKET,
      IsMultiRegionTrail: false,
      IncludeGlobalServiceEvents: true,
      IsOrganizationTrail: false,
      LogFileValidationEnabled: false,
    });
    expect((await ct.send(new GetTrailCommand({ Name: 'main' }))).Trail).toMatchObject({
      Name: 'main',
      HomeRegion: 'eu-west-1',
    });
    expect((await ct.send(new GetTrailCommand({ Name: trailArn('main') }))).Trail!.Name).toBe('main');
    expect((await ct.send(new DescribeTrailsCommand({}))).trailList!.map((t) => t.Name)).toEqual(['main']);
    expect(await ct.send(new GetTrailStatusCommand({ Name: 'main' }))).toMatchObject({ IsLogging: false });

    await ct.send(new StartLoggingCommand({ Name: 'main' }));
    const on = await ct.send(new GetTrailStatusCommand({ Name: 'main' }));
    expect(on.IsLogging).toBe(true);
    expect(on.StartLoggingTime).toBeInstanceOf(Date);
    expect(on.LatestDeliveryTime).toBeInstanceOf(Date);
    expect(on.LatestDeliveryError).toBeUndefined();
    await ct.send(new StopLoggingCommand({ Name: 'main' }));
    const off = await ct.send(new GetTrailStatusCommand({ Name: 'main' }));
    expect(off.IsLogging).toBe(false);
    expect(off.StopLoggingTime).toBeInstanceOf(Date);

    const updated = await ct.send(
      new UpdateTrailCommand({ Name: 'main', EnableLogFileValidation: true, IsMultiRegionTrail: true }),
    );
    expect(updated).toMatchObject({ LogFileValidationEnabled: true, IsMultiRegionTrail: true });
    await ct.send(new DeleteTrailCommand({ Name: 'main' }));
    expect(await errorOf(ct.send(new GetTrailCommand({ Name: 'main' })))).toMatchObject({
      name: 'TrailNotFoundException',
      status: 400,
    });
    expect((await ct.send(new DescribeTrailsCommand({}))).trailList).toEqual([]);
  });

  it('validates names, duplicates, combinations and the per-region quota', async () => {
    await bucket(trailPolicy());
    for (const Name of ['ab', '-starts-with-dash', 'has space', 'double--dash', 'x'.repeat(129)]) {
      expect(await errorOf(ct.send(new CreateTrailCommand({ Name, S3BucketName: BUCKET }))), Name).toMatchObject({
        name: 'InvalidTrailNameException',
        status: 400,
      });
    }
    await ct.send(new CreateTrailCommand({ Name: 'main', S3BucketName: BUCKET }));
    expect((await errorOf(ct.send(new CreateTrailCommand({ Name: 'main', S3BucketName: BUCKET })))).name).toBe(
      'TrailAlreadyExistsException',
    );
    expect(
      (
        await errorOf(
          ct.send(
            new CreateTrailCommand({
              Name: 'multi',
              S3BucketName: BUCKET,
              IsMultiRegionTrail: true,
              IncludeGlobalServiceEvents: false,
            }),
          ),
        )
      ).name,
    ).toBe('InvalidParameterCombinationException');
    for (const n of [2, 3, 4, 5]) await ct.send(new CreateTrailCommand({ Name: `trail-${n}`, S3BucketName: BUCKET }));
    expect((await errorOf(ct.send(new CreateTrailCommand({ Name: 'trail-6', S3BucketName: BUCKET })))).name).toBe(
      'MaximumNumberOfTrailsExceededException',
    );
    expect((await errorOf(ct.send(new GetTrailCommand({ Name: 'arn:aws:cloudtrail:bad' })))).name).toBe(
      'CloudTrailARNInvalidException',
    );
  });

  it('the bucket must exist and its policy must let CloudTrail check the ACL and write', async () => {
    expect(await errorOf(ct.send(new CreateTrailCommand({ Name: 'main', S3BucketName: BUCKET })))).toMatchObject({
      name: 'S3BucketDoesNotExistException',
      status: 400,
    });
    await bucket();
    expect(await errorOf(ct.send(new CreateTrailCommand({ Name: 'main', S3BucketName: BUCKET })))).toMatchObject({
      name: 'InsufficientS3BucketPolicyException',
      status: 400,
    });
    // ACL check allowed but no write: still insufficient.
    const aclOnly = JSON.stringify({ Version: '2012-10-17', Statement: [JSON.parse(trailPolicy()).Statement[0]] });
    await s3().send(new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: aclOnly }));
    expect((await errorOf(ct.send(new CreateTrailCommand({ Name: 'main', S3BucketName: BUCKET })))).name).toBe(
      'InsufficientS3BucketPolicyException',
    );
    await s3().send(new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: trailPolicy() }));
    await ct.send(new CreateTrailCommand({ Name: 'main', S3BucketName: BUCKET }));
    // A prefix changes the paths CloudTrail writes to: the policy no longer covers them.
    expect((await errorOf(ct.send(new UpdateTrailCommand({ Name: 'main', S3KeyPrefix: 'elsewhere' })))).name).toBe(
      'InsufficientS3BucketPolicyException',
    );
  });

  it('writes happen in the home region (InvalidHomeRegionException); multi-region trails shadow elsewhere', async () => {
    await bucket(trailPolicy());
    await ct.send(new CreateTrailCommand({ Name: 'multi', S3BucketName: BUCKET, IsMultiRegionTrail: true }));
    await ct.send(new CreateTrailCommand({ Name: 'local', S3BucketName: BUCKET }));
    const us = trails('us-east-1');
    expect((await us.send(new DescribeTrailsCommand({}))).trailList!.map((t) => [t.Name, t.HomeRegion])).toEqual([
      ['multi', 'eu-west-1'],
    ]);
    expect((await us.send(new DescribeTrailsCommand({ includeShadowTrails: false }))).trailList).toEqual([]);
    expect((await us.send(new GetTrailStatusCommand({ Name: trailArn('multi') }))).IsLogging).toBe(false);
    expect(await errorOf(us.send(new StartLoggingCommand({ Name: trailArn('multi') })))).toMatchObject({
      name: 'InvalidHomeRegionException',
      status: 400,
    });
    expect((await errorOf(us.send(new GetTrailCommand({ Name: 'local' })))).name).toBe('TrailNotFoundException');
    expect(
      (await ct.send(new DescribeTrailsCommand({ trailNameList: ['local'] }))).trailList!.map((t) => t.Name),
    ).toEqual(['local']);
  });
});

describe('organization trails', () => {
  it('need an organization with all features and trusted access for CloudTrail', async () => {
    await bucket(trailPolicy('o-xxxxxxxxxx'));
    expect(await errorOf(ct.send(new CreateTrailCommand(orgTrail)))).toMatchObject({
      name: 'OrganizationsNotInUseException',
      status: 400,
    });
    const { orgId } = await org(false);
    await s3().send(new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: trailPolicy(orgId) }));
    const e = await errorOf(ct.send(new CreateTrailCommand(orgTrail)));
    expect(e).toMatchObject({ name: 'CloudTrailAccessNotEnabledException', status: 400 });
    expect(e.message).toMatch(/EnableAWSServiceAccess/);
    await orgs().send(new EnableAWSServiceAccessCommand({ ServicePrincipal: 'cloudtrail.amazonaws.com' }));
    expect((await ct.send(new CreateTrailCommand(orgTrail))).IsOrganizationTrail).toBe(true);
  });

  it('consolidated billing is OrganizationNotInAllFeaturesModeException', async () => {
    emu.reset('consolidated-billing');
    await bucket(trailPolicy('o-xxxxxxxxxx'));
    expect((await errorOf(ct.send(new CreateTrailCommand(orgTrail)))).name).toBe(
      'OrganizationNotInAllFeaturesModeException',
    );
  });

  it('the bucket policy must also cover AWSLogs/<org id>/', async () => {
    const { orgId } = await org(true);
    await bucket(trailPolicy(orgId, { orgPath: false }));
    expect((await errorOf(ct.send(new CreateTrailCommand(orgTrail)))).name).toBe('InsufficientS3BucketPolicyException');
    await s3().send(new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: trailPolicy(orgId) }));
    await ct.send(new CreateTrailCommand(orgTrail));
  });

  it('members see the organization trail but may not create or change one', async () => {
    const { orgId, member } = await org(true);
    await bucket(trailPolicy(orgId));
    await ct.send(new CreateTrailCommand(orgTrail));
    await ct.send(new StartLoggingCommand({ Name: 'org-trail' }));
    const asMember = trails('eu-west-1', emu.credentials(member));
    expect(
      (await asMember.send(new DescribeTrailsCommand({}))).trailList!.map((t) => [t.Name, t.IsOrganizationTrail]),
    ).toEqual([['org-trail', true]]);
    expect((await asMember.send(new GetTrailStatusCommand({ Name: trailArn('org-trail') }))).IsLogging).toBe(true);
    expect(await errorOf(asMember.send(new StopLoggingCommand({ Name: trailArn('org-trail') })))).toMatchObject({
      name: 'NotOrganizationManagementAccountException',
      status: 400,
    });
    expect((await errorOf(asMember.send(new CreateTrailCommand({ ...orgTrail, Name: 'mine' })))).name).toBe(
      'NotOrganizationManagementAccountException',
    );
  });

  it("a policy changed behind CloudTrail's back shows as a delivery error while logging", async () => {
    const { orgId } = await org(true);
    await bucket(trailPolicy(orgId));
    await ct.send(new CreateTrailCommand(orgTrail));
    await ct.send(new StartLoggingCommand({ Name: 'org-trail' }));
    expect((await ct.send(new GetTrailStatusCommand({ Name: 'org-trail' }))).LatestDigestDeliveryTime).toBeInstanceOf(
      Date,
    );
    emu.drift('s3', 'bucket-policy-changed', { bucket: BUCKET, policy: { Version: '2012-10-17', Statement: [] } });
    const st = await ct.send(new GetTrailStatusCommand({ Name: 'org-trail' }));
    expect(st).toMatchObject({ IsLogging: true, LatestDeliveryError: 'AccessDenied' });
    expect(st.LatestDeliveryTime).toBeUndefined();
  });
});

describe('faults and drift', () => {
  it('throttling is ThrottlingException (400); the rule is spent after `times`', async () => {
    emu.setFaults({ rules: [{ service: 'cloudtrail', operation: 'DescribeTrails', kind: 'throttle', times: 1 }] });
    expect(await errorOf(ct.send(new DescribeTrailsCommand({})))).toMatchObject({
      name: 'ThrottlingException',
      status: 400,
    });
    expect((await ct.send(new DescribeTrailsCommand({}))).trailList).toEqual([]);
  });

  it('drift: logging stopped, validation off, bucket changed', async () => {
    const { orgId } = await org(true);
    await bucket(trailPolicy(orgId));
    await ct.send(new CreateTrailCommand(orgTrail));
    await ct.send(new StartLoggingCommand({ Name: 'org-trail' }));
    emu.drift('cloudtrail', 'trail-stopped', {});
    expect((await ct.send(new GetTrailStatusCommand({ Name: 'org-trail' }))).IsLogging).toBe(false);
    emu.drift('cloudtrail', 'trail-validation-off', { name: 'org-trail' });
    expect((await ct.send(new GetTrailCommand({ Name: 'org-trail' }))).Trail!.LogFileValidationEnabled).toBe(false);
    emu.drift('cloudtrail', 'trail-bucket-changed', { bucket: 'someone-elses-bucket' });
    expect((await ct.send(new GetTrailCommand({ Name: 'org-trail' }))).Trail!.S3BucketName).toBe(
      'someone-elses-bucket',
    );
    expect(() => emu.drift('cloudtrail', 'trail-stopped', { name: 'nope' })).toThrow(/no trail nope/);
  });
});

describe('encryption with a KMS key (CIS 3.5)', () => {
  const keyPolicy = (opts: { cloudtrail: boolean }) =>
    JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'root', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ME}:root` }, Action: 'kms:*', Resource: '*' },
        ...(opts.cloudtrail
          ? [
              {
                Sid: 'encrypt',
                Effect: 'Allow',
                Principal: { Service: 'cloudtrail.amazonaws.com' },
                Action: 'kms:GenerateDataKey*',
                Resource: '*',
                Condition: {
                  StringEquals: { 'aws:SourceArn': trailArn('main') },
                  StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': `arn:aws:cloudtrail:*:${ME}:trail/*` },
                },
              },
              {
                Sid: 'describe',
                Effect: 'Allow',
                Principal: { Service: 'cloudtrail.amazonaws.com' },
                Action: 'kms:DescribeKey',
                Resource: '*',
              },
            ]
          : []),
      ],
    });
  const key = async (policy: string, region = 'eu-west-1') =>
    (await sdk.client(KMSClient, { region }).send(new CreateKeyCommand({ Policy: policy }))).KeyMetadata!;

  it('a key whose policy lets CloudTrail in is kept as its full ARN; one that does not is InsufficientEncryptionPolicyException', async () => {
    await bucket(trailPolicy());
    const denied = await key(keyPolicy({ cloudtrail: false }));
    expect(
      await errorOf(ct.send(new CreateTrailCommand({ Name: 'main', S3BucketName: BUCKET, KmsKeyId: denied.Arn }))),
    ).toMatchObject({ name: 'InsufficientEncryptionPolicyException', status: 400 });
    const good = await key(keyPolicy({ cloudtrail: true }));
    expect(
      (await ct.send(new CreateTrailCommand({ Name: 'main', S3BucketName: BUCKET, KmsKeyId: good.KeyId }))).KmsKeyId,
    ).toBe(good.Arn);
    // The policy is scoped to this trail (aws:SourceArn): another trail cannot use the key.
    expect(
      (await errorOf(ct.send(new CreateTrailCommand({ Name: 'other', S3BucketName: BUCKET, KmsKeyId: good.Arn }))))
        .name,
    ).toBe('InsufficientEncryptionPolicyException');
    expect((await errorOf(ct.send(new UpdateTrailCommand({ Name: 'main', KmsKeyId: denied.Arn })))).name).toBe(
      'InsufficientEncryptionPolicyException',
    );
  });

  it('a missing key, one in another region (KmsKeyNotFoundException) or a disabled one (KmsException) is refused; a key disabled later shows as a delivery error', async () => {
    await bucket(trailPolicy());
    expect(
      (
        await errorOf(
          ct.send(
            new CreateTrailCommand({
              Name: 'main',
              S3BucketName: BUCKET,
              KmsKeyId: `arn:aws:kms:eu-west-1:${ME}:key/00000000-0000-0000-0000-000000000000`,
            }),
          ),
        )
      ).name,
    ).toBe('KmsKeyNotFoundException');
    const elsewhere = await key(keyPolicy({ cloudtrail: true }), 'us-east-1');
    expect(
      (await errorOf(ct.send(new CreateTrailCommand({ Name: 'main', S3BucketName: BUCKET, KmsKeyId: elsewhere.Arn }))))
        .name,
    ).toBe('KmsKeyNotFoundException');
    const k = await key(keyPolicy({ cloudtrail: true }));
    emu.drift('kms', 'key-state', { key: k.KeyId, state: 'Disabled' });
    expect(
      (await errorOf(ct.send(new CreateTrailCommand({ Name: 'main', S3BucketName: BUCKET, KmsKeyId: k.Arn })))).name,
    ).toBe('KmsException');
    await sdk.client(KMSClient, { region: 'eu-west-1' }).send(new EnableKeyCommand({ KeyId: k.KeyId! }));
    await ct.send(new CreateTrailCommand({ Name: 'main', S3BucketName: BUCKET, KmsKeyId: k.Arn }));
    await ct.send(new StartLoggingCommand({ Name: 'main' }));
    expect((await ct.send(new GetTrailStatusCommand({ Name: 'main' }))).LatestDeliveryError).toBeUndefined();
    emu.drift('kms', 'key-state', { key: k.KeyId, state: 'PendingDeletion' });
    expect((await ct.send(new GetTrailStatusCommand({ Name: 'main' }))).LatestDeliveryError).toBe(
      'KMS.AccessDeniedException',
    );
  });

  it("drift deliver-log writes a log file into the bucket, SSE-KMS with the trail's key, under AWSLogs/<account>/CloudTrail/<region>/", async () => {
    await bucket(trailPolicy());
    const k = await key(keyPolicy({ cloudtrail: true }));
    await ct.send(new CreateTrailCommand({ Name: 'main', S3BucketName: BUCKET, KmsKeyId: k.Arn }));
    const d = emu.drift('cloudtrail', 'deliver-log', { name: 'main' }) as { key: string; versionId: string };
    expect(d.key).toMatch(
      new RegExp(`^AWSLogs/${ME}/CloudTrail/eu-west-1/\\d{4}/\\d{2}/\\d{2}/${ME}_CloudTrail_eu-west-1_.*\\.json\\.gz$`),
    );
    const got = await s3().send(new GetObjectCommand({ Bucket: BUCKET, Key: d.key }));
    expect(got.ServerSideEncryption).toBe('aws:kms');
    expect(got.SSEKMSKeyId).toBe(k.Arn);
  });
});

describe('event selectors', () => {
  it('default: all management events; PutEventSelectors changes them (1 to 5, ReadWriteType validated)', async () => {
    await bucket(trailPolicy());
    await ct.send(new CreateTrailCommand({ Name: 'main', S3BucketName: BUCKET }));
    expect((await ct.send(new GetEventSelectorsCommand({ TrailName: 'main' }))).EventSelectors).toEqual([
      { ReadWriteType: 'All', IncludeManagementEvents: true, DataResources: [], ExcludeManagementEventSources: [] },
    ]);
    expect((await errorOf(ct.send(new PutEventSelectorsCommand({ TrailName: 'main', EventSelectors: [] })))).name).toBe(
      'InvalidEventSelectorsException',
    );
    expect(
      (
        await errorOf(
          ct.send(
            new PutEventSelectorsCommand({ TrailName: 'main', EventSelectors: [{ ReadWriteType: 'Some' as never }] }),
          ),
        )
      ).name,
    ).toBe('InvalidEventSelectorsException');
    await ct.send(
      new PutEventSelectorsCommand({
        TrailName: 'main',
        EventSelectors: [{ ReadWriteType: 'ReadOnly', IncludeManagementEvents: true }],
      }),
    );
    expect((await ct.send(new GetEventSelectorsCommand({ TrailName: 'main' }))).EventSelectors![0]!.ReadWriteType).toBe(
      'ReadOnly',
    );
    expect((await ct.send(new GetTrailCommand({ Name: 'main' }))).Trail!.HasCustomEventSelectors).toBe(true);
  });
});
