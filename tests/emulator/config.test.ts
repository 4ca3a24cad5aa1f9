// AWS Config through the real SDK v3 client: one recorder and one delivery channel per account
// and region, the recorder's role (the service-linked role from iam:CreateServiceLinkedRole),
// the delivery bucket in another account (the log archive) and the bucket policy Config needs,
// start/stop, deletion order, drift kinds.
import { describe, expect, it } from 'vitest';
import {
  ConfigServiceClient,
  DeleteConfigurationRecorderCommand,
  DeleteDeliveryChannelCommand,
  DescribeConfigurationRecorderStatusCommand,
  DescribeConfigurationRecordersCommand,
  DescribeDeliveryChannelsCommand,
  PutConfigurationRecorderCommand,
  PutDeliveryChannelCommand,
  StartConfigurationRecorderCommand,
  StopConfigurationRecorderCommand,
} from '@aws-sdk/client-config-service';
import { CreateServiceLinkedRoleCommand, GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateBucketCommand, PutBucketPolicyCommand, S3Client } from '@aws-sdk/client-s3';
import { MANAGEMENT_ACCOUNT_ID as ME } from '../../emulator/world.js';
import { errorOf, useEmulator, type Creds } from '../helpers/emulator-sdk.js';

const sdk = useEmulator();
const { emu } = sdk;

const cfg = (region = 'eu-west-1', credentials?: Creds) => sdk.client(ConfigServiceClient, { region, credentials });
const iam = (credentials?: Creds) => sdk.client(IAMClient, { credentials });
const s3 = (credentials?: Creds) => sdk.client(S3Client, { region: 'eu-west-1', credentials, forcePathStyle: true });

const BUCKET = 'acme-config-logs';
const SLR = `arn:aws:iam::${ME}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig`;

/** The bucket policy of the Config developer guide (s3-bucket-policy.html), for the given accounts. */
function configPolicy(accounts: string[], opts: { acl?: boolean; prefix?: string } = {}): string {
  const p = opts.prefix ? `${opts.prefix}/` : '';
  const statements: object[] = [
    {
      Sid: 'AWSConfigBucketExistenceCheck',
      Effect: 'Allow',
      Principal: { Service: 'config.amazonaws.com' },
      Action: 's3:ListBucket',
      Resource: `arn:aws:s3:::${BUCKET}`,
      Condition: { StringEquals: { 'AWS:SourceAccount': accounts } },
    },
    {
      Sid: 'AWSConfigBucketDelivery',
      Effect: 'Allow',
      Principal: { Service: 'config.amazonaws.com' },
      Action: 's3:PutObject',
      Resource: accounts.map((a) => `arn:aws:s3:::${BUCKET}/${p}AWSLogs/${a}/Config/*`),
      Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'AWS:SourceAccount': accounts } },
    },
  ];
  if (opts.acl !== false)
    statements.push({
      Sid: 'AWSConfigBucketPermissionsCheck',
      Effect: 'Allow',
      Principal: { Service: 'config.amazonaws.com' },
      Action: 's3:GetBucketAcl',
      Resource: `arn:aws:s3:::${BUCKET}`,
      Condition: { StringEquals: { 'AWS:SourceAccount': accounts } },
    });
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

/** A log-archive member account owning the bucket (with `policy`), and the management account's SLR. */
async function logArchive(policy?: string): Promise<string> {
  const { member } = await sdk.orgWithMember({ name: 'log-archive' });
  const asArchive = s3(emu.credentials(member));
  await asArchive.send(
    new CreateBucketCommand({ Bucket: BUCKET, CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }),
  );
  if (policy) await asArchive.send(new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: policy }));
  await iam().send(new CreateServiceLinkedRoleCommand({ AWSServiceName: 'config.amazonaws.com' }));
  return member;
}

const recorder = (name = 'default', roleARN = SLR) =>
  new PutConfigurationRecorderCommand({
    ConfigurationRecorder: { name, roleARN, recordingGroup: { allSupported: true, includeGlobalResourceTypes: true } },
  });
const channel = (extra: Record<string, unknown> = {}) =>
  new PutDeliveryChannelCommand({
    DeliveryChannel: {
      name: 'default',
      s3BucketName: BUCKET,
      configSnapshotDeliveryProperties: { deliveryFrequency: 'TwentyFour_Hours' },
      ...extra,
    },
  });

describe('iam:CreateServiceLinkedRole', () => {
  it('creates AWSServiceRoleForConfig under /aws-service-role/config.amazonaws.com/; a second call is InvalidInput', async () => {
    const role = (await iam().send(new CreateServiceLinkedRoleCommand({ AWSServiceName: 'config.amazonaws.com' })))
      .Role!;
    expect(role).toMatchObject({
      RoleName: 'AWSServiceRoleForConfig',
      Path: '/aws-service-role/config.amazonaws.com/',
      Arn: SLR,
    });
    expect(
      decodeURIComponent(
        (await iam().send(new GetRoleCommand({ RoleName: 'AWSServiceRoleForConfig' }))).Role!.AssumeRolePolicyDocument!,
      ),
    ).toContain('config.amazonaws.com');
    expect(
      await errorOf(iam().send(new CreateServiceLinkedRoleCommand({ AWSServiceName: 'config.amazonaws.com' }))),
    ).toMatchObject({ name: 'InvalidInputException', status: 400 });
  });
});

describe('configuration recorder', () => {
  it('one per account and region: a second name is MaxNumberOfConfigurationRecordersExceededException; the same name updates', async () => {
    await iam().send(new CreateServiceLinkedRoleCommand({ AWSServiceName: 'config.amazonaws.com' }));
    const eu = cfg();
    await eu.send(recorder());
    expect(await errorOf(eu.send(recorder('second')))).toMatchObject({
      name: 'MaxNumberOfConfigurationRecordersExceededException',
      status: 400,
    });
    await eu.send(
      new PutConfigurationRecorderCommand({
        ConfigurationRecorder: {
          name: 'default',
          roleARN: SLR,
          recordingGroup: { allSupported: true, includeGlobalResourceTypes: false },
        },
      }),
    );
    const recs = (await eu.send(new DescribeConfigurationRecordersCommand({}))).ConfigurationRecorders!;
    expect(recs).toHaveLength(1);
    expect(recs[0]).toMatchObject({
      name: 'default',
      roleARN: SLR,
      recordingGroup: { allSupported: true, includeGlobalResourceTypes: false },
    });
    // Another region has its own slot.
    await cfg('us-east-1').send(recorder('second'));
    expect(
      (await errorOf(eu.send(new DescribeConfigurationRecordersCommand({ ConfigurationRecorderNames: ['second'] }))))
        .name,
    ).toBe('NoSuchConfigurationRecorderException');
  });

  it('refuses a role that does not exist (InvalidRoleException) and an inconsistent recording group', async () => {
    const eu = cfg();
    // The service-linked role has not been created yet.
    expect(await errorOf(eu.send(recorder()))).toMatchObject({ name: 'InvalidRoleException', status: 400 });
    expect((await errorOf(eu.send(recorder('default', `arn:aws:iam::${ME}:role/NoSuchRole`)))).name).toBe(
      'InvalidRoleException',
    );
    await iam().send(new CreateServiceLinkedRoleCommand({ AWSServiceName: 'config.amazonaws.com' }));
    const bad = await errorOf(
      eu.send(
        new PutConfigurationRecorderCommand({
          ConfigurationRecorder: {
            name: 'default',
            roleARN: SLR,
            recordingGroup: {
              allSupported: false,
              includeGlobalResourceTypes: true,
              resourceTypes: ['AWS::S3::Bucket'],
            },
          },
        }),
      ),
    );
    expect(bad.name).toBe('InvalidRecordingGroupException');
    expect(
      (
        await errorOf(
          eu.send(
            new PutConfigurationRecorderCommand({
              ConfigurationRecorder: {
                name: 'default',
                roleARN: SLR,
                recordingGroup: { allSupported: true, resourceTypes: ['AWS::S3::Bucket'] },
              },
            }),
          ),
        )
      ).name,
    ).toBe('InvalidRecordingGroupException');
    await eu.send(recorder());
  });

  it('cannot start without a delivery channel; starts, stops, and the channel cannot be deleted while recording', async () => {
    await logArchive(configPolicy([ME]));
    const eu = cfg();
    expect(
      await errorOf(eu.send(new StartConfigurationRecorderCommand({ ConfigurationRecorderName: 'default' }))),
    ).toMatchObject({ name: 'NoSuchConfigurationRecorderException', status: 400 });
    await eu.send(recorder());
    expect(
      (await errorOf(eu.send(new StartConfigurationRecorderCommand({ ConfigurationRecorderName: 'default' })))).name,
    ).toBe('NoAvailableDeliveryChannelException');
    await eu.send(channel());
    await eu.send(new StartConfigurationRecorderCommand({ ConfigurationRecorderName: 'default' }));
    const status = (await eu.send(new DescribeConfigurationRecorderStatusCommand({}))).ConfigurationRecordersStatus!;
    expect(status).toHaveLength(1);
    expect(status[0]).toMatchObject({ name: 'default', recording: true, lastStatus: 'Success' });
    expect(status[0]!.lastStartTime).toBeInstanceOf(Date);
    expect((await errorOf(eu.send(new DeleteDeliveryChannelCommand({ DeliveryChannelName: 'default' })))).name).toBe(
      'LastDeliveryChannelDeleteFailedException',
    );
    await eu.send(new StopConfigurationRecorderCommand({ ConfigurationRecorderName: 'default' }));
    expect(
      (await eu.send(new DescribeConfigurationRecorderStatusCommand({}))).ConfigurationRecordersStatus![0]!.recording,
    ).toBe(false);
    await eu.send(new DeleteDeliveryChannelCommand({ DeliveryChannelName: 'default' }));
    expect((await eu.send(new DescribeDeliveryChannelsCommand({}))).DeliveryChannels).toEqual([]);
    await eu.send(new DeleteConfigurationRecorderCommand({ ConfigurationRecorderName: 'default' }));
    expect((await eu.send(new DescribeConfigurationRecordersCommand({}))).ConfigurationRecorders).toEqual([]);
  });
});

describe('delivery channel', () => {
  it('needs a recorder first (NoAvailableConfigurationRecorderException) and an existing bucket (NoSuchBucketException)', async () => {
    const eu = cfg();
    expect(await errorOf(eu.send(channel()))).toMatchObject({
      name: 'NoAvailableConfigurationRecorderException',
      status: 400,
    });
    await iam().send(new CreateServiceLinkedRoleCommand({ AWSServiceName: 'config.amazonaws.com' }));
    await eu.send(recorder());
    expect((await errorOf(eu.send(channel()))).name).toBe('NoSuchBucketException');
    expect((await errorOf(eu.send(new PutDeliveryChannelCommand({ DeliveryChannel: { name: 'default' } })))).name).toBe(
      'ValidationException',
    );
  });

  it('a bucket in the log-archive account must let config.amazonaws.com GetBucketAcl and PutObject under AWSLogs/<account>/Config', async () => {
    const archive = await logArchive();
    const eu = cfg();
    await eu.send(recorder());
    const asArchive = s3(emu.credentials(archive));
    // No bucket policy at all.
    expect(await errorOf(eu.send(channel()))).toMatchObject({
      name: 'InsufficientDeliveryPolicyException',
      status: 400,
    });
    // PutObject allowed, GetBucketAcl missing.
    await asArchive.send(new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: configPolicy([ME], { acl: false }) }));
    expect((await errorOf(eu.send(channel()))).name).toBe('InsufficientDeliveryPolicyException');
    // The policy names another account only.
    await asArchive.send(new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: configPolicy(['111122223333']) }));
    expect((await errorOf(eu.send(channel()))).name).toBe('InsufficientDeliveryPolicyException');
    // The documented policy for this account: accepted; a prefix must be in the policy's path.
    await asArchive.send(new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: configPolicy([ME]) }));
    expect((await errorOf(eu.send(channel({ s3KeyPrefix: 'config' })))).name).toBe(
      'InsufficientDeliveryPolicyException',
    );
    await eu.send(channel());
    expect((await eu.send(new DescribeDeliveryChannelsCommand({}))).DeliveryChannels).toEqual([
      {
        name: 'default',
        s3BucketName: BUCKET,
        configSnapshotDeliveryProperties: { deliveryFrequency: 'TwentyFour_Hours' },
      },
    ]);
    // One channel per account and region.
    expect((await errorOf(eu.send(channel({ name: 'other' })))).name).toBe(
      'MaxNumberOfDeliveryChannelsExceededException',
    );
  });

  it('a member account delivers to the same bucket once the policy names it too', async () => {
    const archive = await logArchive(configPolicy([ME]));
    const member = archive; // the log archive records itself, into its own bucket, with a custom role
    const asMember = emu.credentials(member);
    await iam(asMember).send(new CreateServiceLinkedRoleCommand({ AWSServiceName: 'config.amazonaws.com' }));
    const mc = cfg('eu-west-1', asMember);
    await mc.send(
      recorder('default', `arn:aws:iam::${member}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig`),
    );
    // With the service-linked role Config writes as the service principal even into its own bucket.
    expect((await errorOf(mc.send(channel()))).name).toBe('InsufficientDeliveryPolicyException');
    await s3(asMember).send(new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: configPolicy([ME, member]) }));
    await mc.send(channel());
    // A custom role of the bucket's own account writes with its own permissions (not evaluated).
    await mc.send(
      new PutConfigurationRecorderCommand({
        ConfigurationRecorder: {
          name: 'default',
          roleARN: `arn:aws:iam::${member}:role/OrganizationAccountAccessRole`,
        },
      }),
    );
    await s3(asMember).send(new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: configPolicy([ME]) }));
    await mc.send(channel());
  });
});

describe('drift and faults', () => {
  it('recorder-stopped and delivery-channel-deleted; throttling is ThrottlingException', async () => {
    await logArchive(configPolicy([ME]));
    const eu = cfg();
    await eu.send(recorder());
    await eu.send(channel());
    await eu.send(new StartConfigurationRecorderCommand({ ConfigurationRecorderName: 'default' }));
    emu.drift('config', 'recorder-stopped', { region: 'eu-west-1' });
    expect(
      (await eu.send(new DescribeConfigurationRecorderStatusCommand({}))).ConfigurationRecordersStatus![0]!.recording,
    ).toBe(false);
    emu.drift('config', 'delivery-channel-deleted', { region: 'eu-west-1' });
    expect((await eu.send(new DescribeDeliveryChannelsCommand({}))).DeliveryChannels).toEqual([]);
    expect(() => emu.drift('config', 'delivery-channel-deleted', { region: 'eu-west-1' })).toThrow(
      /no delivery channel/,
    );
    emu.setFaults({
      rules: [{ service: 'config', operation: 'DescribeDeliveryChannels', kind: 'throttle', sequence: ['throttle'] }],
    });
    expect(await errorOf(eu.send(new DescribeDeliveryChannelsCommand({})))).toMatchObject({
      name: 'ThrottlingException',
      status: 400,
    });
  });
});
