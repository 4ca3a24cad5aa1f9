// AWS Config (awsJson1_1, target prefix StarlingDoveService, signing name `config`): the
// configuration recorder and the delivery channel, one of each per account AND per region.
// API reference: https://docs.aws.amazon.com/config/latest/APIReference/ (every error is HTTP 400).
//
// The delivery channel's bucket may belong to another account (the log-archive account). Config
// writes there as the recorder's IAM role, or — with the service-linked role, which has no S3
// permissions, and for a bucket of another account — as the service principal
// config.amazonaws.com, which the bucket policy must allow
// (https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-policy.html). The emulator
// does not evaluate identity policies, so a custom role writing to a bucket of its own account is
// assumed to be allowed; in the two other cases PutDeliveryChannel evaluates the bucket policy for
// config.amazonaws.com: s3:GetBucketAcl on the bucket and s3:PutObject of
// `<prefix>/AWSLogs/<account>/Config/ConfigWritabilityCheckFile` with `s3:x-amz-acl` =
// bucket-owner-full-control and `aws:SourceAccount` = the account, as the documented policy
// grants it; otherwise InsufficientDeliveryPolicyException.
import { policyAllows } from '../policy.js';
import type { HandlerContext, ServiceModule } from '../types.js';
import type { World } from '../world.js';
import { serviceLinkedRoleArn } from './iam-roles.js';
import { findBucket } from './s3.js';

const CONFIG = 'config.amazonaws.com';

export interface RecorderRec {
  name: string;
  roleARN: string;
  recordingGroup: {
    allSupported: boolean;
    includeGlobalResourceTypes: boolean;
    resourceTypes: string[];
    recordingStrategy?: { useOnly: string };
  };
  recordingMode?: Record<string, unknown>;
  recording: boolean;
  lastStartTime?: Date;
  lastStopTime?: Date;
  lastStatus?: 'Pending' | 'Success' | 'Failure';
  lastStatusChangeTime?: Date;
}
export interface ChannelRec {
  name: string;
  s3BucketName: string;
  s3KeyPrefix?: string;
  s3KmsKeyArn?: string;
  snsTopicARN?: string;
  configSnapshotDeliveryProperties?: { deliveryFrequency: string };
}
interface RegionState {
  recorder?: RecorderRec;
  channel?: ChannelRec;
}
interface ConfigStore {
  regions: Record<string, RegionState>;
}

const storeOf = (world: World, acct: string): ConfigStore =>
  world.store<ConfigStore>(acct, 'config', () => ({ regions: {} }));
const regionOf = (world: World, acct: string, region: string): RegionState =>
  (storeOf(world, acct).regions[region] ??= {});

const FREQUENCIES = ['One_Hour', 'Three_Hours', 'Six_Hours', 'Twelve_Hours', 'TwentyFour_Hours'];

function validation(ctx: HandlerContext, message: string) {
  return ctx.error('ValidationException', message, 400);
}

function name(ctx: HandlerContext, v: unknown, code: string): string {
  if (v === undefined || v === null) return 'default';
  if (typeof v !== 'string' || v.length < 1 || v.length > 256 || !/\S/.test(v))
    throw ctx.error(code, `The name '${String(v)}' is not valid: 1 to 256 characters`, 400);
  return v;
}

/** What PutDeliveryChannel finds wrong with the bucket, if anything (see the header comment). */
function bucketProblem(
  world: World,
  acct: string,
  region: string,
  c: ChannelRec,
  recorder: RecorderRec,
): 'missing' | 'policy' | undefined {
  const bucket = findBucket(world, c.s3BucketName);
  if (!bucket) return 'missing';
  const usesSlr = recorder.roleARN === serviceLinkedRoleArn(acct, CONFIG);
  if (bucket.owner === acct && !usesSlr) return undefined;
  const requester = { service: CONFIG };
  const context = {
    'aws:SourceAccount': acct,
    'aws:SourceArn': `arn:aws:config:${region}:${acct}:*`,
    'aws:SecureTransport': 'true',
  };
  const base = `arn:aws:s3:::${bucket.name}`;
  const prefix = c.s3KeyPrefix ? `${c.s3KeyPrefix}/` : '';
  const acl = policyAllows(bucket.policy, { action: 's3:GetBucketAcl', resource: base, context, requester });
  const put = policyAllows(bucket.policy, {
    action: 's3:PutObject',
    resource: `${base}/${prefix}AWSLogs/${acct}/Config/ConfigWritabilityCheckFile`,
    context: { ...context, 's3:x-amz-acl': 'bucket-owner-full-control' },
    requester,
  });
  return acl && put ? undefined : 'policy';
}

function recorderOut(r: RecorderRec, acct: string, region: string) {
  return {
    arn: `arn:aws:config:${region}:${acct}:configuration-recorder/${r.name}/${r.name}`,
    name: r.name,
    roleARN: r.roleARN,
    recordingGroup: structuredClone(r.recordingGroup),
    ...(r.recordingMode ? { recordingMode: structuredClone(r.recordingMode) } : {}),
  };
}

function recorderNamed(ctx: HandlerContext, st: RegionState, n: unknown): RecorderRec {
  const want = typeof n === 'string' ? n : undefined;
  if (!st.recorder || (want !== undefined && st.recorder.name !== want))
    throw ctx.error(
      'NoSuchConfigurationRecorderException',
      `Cannot find configuration recorder with the specified name '${String(want)}'.`,
      400,
    );
  return st.recorder;
}

export const config: ServiceModule = {
  name: 'config',
  signingName: 'config',
  protocol: 'json',
  targetPrefix: 'StarlingDoveService',
  operations: {
    // https://docs.aws.amazon.com/config/latest/APIReference/API_PutConfigurationRecorder.html
    PutConfigurationRecorder(ctx) {
      const input = ctx.input.ConfigurationRecorder as Record<string, any> | undefined;
      if (!input || typeof input !== 'object')
        throw validation(
          ctx,
          "1 validation error detected: Value null at 'configurationRecorder' failed to satisfy constraint: Member must not be null",
        );
      const n = name(ctx, input.name, 'InvalidConfigurationRecorderNameException');
      const acct = ctx.caller.accountId;
      const st = regionOf(ctx.world, acct, ctx.region);
      // "You can have only one customer managed configuration recorder for each account for each
      // AWS Region": a second name is MaxNumberOfConfigurationRecordersExceededException.
      if (st.recorder && st.recorder.name !== n)
        throw ctx.error(
          'MaxNumberOfConfigurationRecordersExceededException',
          `Failed to put configuration recorder '${n}' because the maximum number of configuration recorders: 1 is reached.`,
          400,
        );
      // InvalidRoleException: "You have provided a null or empty Amazon Resource Name (ARN) for the
      // IAM role"; the emulator also refuses a role that does not exist in the account.
      const roleARN = input.roleARN;
      if (typeof roleARN !== 'string' || !roleARN)
        throw ctx.error('InvalidRoleException', 'The role ARN is null or empty.', 400);
      const m = /^arn:aws:iam::(\d{12}):role\/(?:[\w+=,.@/-]*\/)?([\w+=,.@-]+)$/.exec(roleARN);
      const role = m ? ctx.world.account(m[1]!)?.roles[m[2]!] : undefined;
      if (!m || !role || role.arn !== roleARN)
        throw ctx.error(
          'InvalidRoleException',
          `The role ${roleARN} does not exist or cannot be assumed by AWS Config.`,
          400,
        );
      // https://docs.aws.amazon.com/config/latest/APIReference/API_RecordingGroup.html:
      // includeGlobalResourceTypes needs allSupported; allSupported takes no resourceTypes.
      const g = (input.recordingGroup ?? {}) as Record<string, unknown>;
      const allSupported = g.allSupported === undefined ? true : g.allSupported;
      const includeGlobal = g.includeGlobalResourceTypes ?? false;
      const types = (g.resourceTypes ?? []) as string[];
      if (typeof allSupported !== 'boolean' || typeof includeGlobal !== 'boolean' || !Array.isArray(types))
        throw ctx.error('InvalidRecordingGroupException', 'The recording group is not valid.', 400);
      if (includeGlobal && !allSupported)
        throw ctx.error(
          'InvalidRecordingGroupException',
          'includeGlobalResourceTypes can be true only when allSupported is true.',
          400,
        );
      if (allSupported && types.length)
        throw ctx.error(
          'InvalidRecordingGroupException',
          'resourceTypes must be empty when allSupported is true.',
          400,
        );
      if (
        !allSupported &&
        !types.length &&
        !(g.exclusionByResourceTypes as { resourceTypes?: string[] } | undefined)?.resourceTypes?.length
      )
        throw ctx.error(
          'InvalidRecordingGroupException',
          'The recording group records nothing: set allSupported or list resourceTypes.',
          400,
        );
      const rec: RecorderRec = {
        name: n,
        roleARN,
        recordingGroup: {
          allSupported,
          includeGlobalResourceTypes: includeGlobal,
          resourceTypes: [...types],
          ...(allSupported ? { recordingStrategy: { useOnly: 'ALL_SUPPORTED_RESOURCE_TYPES' } } : {}),
        },
        ...(input.recordingMode ? { recordingMode: structuredClone(input.recordingMode) } : {}),
        recording: st.recorder?.recording ?? false,
        lastStartTime: st.recorder?.lastStartTime,
        lastStopTime: st.recorder?.lastStopTime,
        lastStatus: st.recorder?.lastStatus,
        lastStatusChangeTime: st.recorder?.lastStatusChangeTime,
      };
      st.recorder = rec;
      return {};
    },

    DescribeConfigurationRecorders(ctx) {
      const st = regionOf(ctx.world, ctx.caller.accountId, ctx.region);
      const names = (ctx.input.ConfigurationRecorderNames ?? []) as string[];
      for (const n of names) recorderNamed(ctx, st, n);
      return {
        ConfigurationRecorders: st.recorder ? [recorderOut(st.recorder, ctx.caller.accountId, ctx.region)] : [],
      };
    },

    DescribeConfigurationRecorderStatus(ctx) {
      const st = regionOf(ctx.world, ctx.caller.accountId, ctx.region);
      const names = (ctx.input.ConfigurationRecorderNames ?? []) as string[];
      for (const n of names) recorderNamed(ctx, st, n);
      const r = st.recorder;
      if (!r) return { ConfigurationRecordersStatus: [] };
      return {
        ConfigurationRecordersStatus: [
          {
            arn: recorderOut(r, ctx.caller.accountId, ctx.region).arn,
            name: r.name,
            recording: r.recording,
            ...(r.lastStartTime ? { lastStartTime: r.lastStartTime } : {}),
            ...(r.lastStopTime ? { lastStopTime: r.lastStopTime } : {}),
            ...(r.lastStatus ? { lastStatus: r.lastStatus, lastStatusChangeTime: r.lastStatusChangeTime } : {}),
          },
        ],
      };
    },

    // https://docs.aws.amazon.com/config/latest/APIReference/API_StartConfigurationRecorder.html:
    // "You must have created at least one delivery channel to successfully start the configuration recorder."
    StartConfigurationRecorder(ctx) {
      const st = regionOf(ctx.world, ctx.caller.accountId, ctx.region);
      const r = recorderNamed(ctx, st, ctx.input.ConfigurationRecorderName ?? null);
      if (!st.channel)
        throw ctx.error(
          'NoAvailableDeliveryChannelException',
          'Delivery channel is not available to start configuration recorder.',
          400,
        );
      if (!r.recording) {
        r.recording = true;
        r.lastStartTime = new Date();
        r.lastStatus = 'Pending';
        r.lastStatusChangeTime = new Date();
        const acct = ctx.caller.accountId;
        const region = ctx.region;
        ctx.later((w) => {
          const rr = regionOf(w, acct, region).recorder;
          if (rr?.recording && rr.lastStatus === 'Pending') {
            rr.lastStatus = 'Success';
            rr.lastStatusChangeTime = new Date();
          }
        });
      }
      return {};
    },

    StopConfigurationRecorder(ctx) {
      const st = regionOf(ctx.world, ctx.caller.accountId, ctx.region);
      const r = recorderNamed(ctx, st, ctx.input.ConfigurationRecorderName ?? null);
      if (r.recording) {
        r.recording = false;
        r.lastStopTime = new Date();
      }
      return {};
    },

    DeleteConfigurationRecorder(ctx) {
      const st = regionOf(ctx.world, ctx.caller.accountId, ctx.region);
      recorderNamed(ctx, st, ctx.input.ConfigurationRecorderName ?? null);
      delete st.recorder;
      return {};
    },

    // https://docs.aws.amazon.com/config/latest/APIReference/API_PutDeliveryChannel.html
    PutDeliveryChannel(ctx) {
      const input = ctx.input.DeliveryChannel as Record<string, any> | undefined;
      if (!input || typeof input !== 'object')
        throw validation(
          ctx,
          "1 validation error detected: Value null at 'deliveryChannel' failed to satisfy constraint: Member must not be null",
        );
      const acct = ctx.caller.accountId;
      const st = regionOf(ctx.world, acct, ctx.region);
      const n = name(ctx, input.name, 'InvalidDeliveryChannelNameException');
      // "Before you can create a delivery channel, you must create a configuration recorder."
      if (!st.recorder)
        throw ctx.error(
          'NoAvailableConfigurationRecorderException',
          'Configuration recorder is not available to put delivery channel.',
          400,
        );
      // "You can have only one delivery channel for each account for each AWS Region."
      if (st.channel && st.channel.name !== n)
        throw ctx.error(
          'MaxNumberOfDeliveryChannelsExceededException',
          `Failed to put delivery channel '${n}' because the maximum number of delivery channels: 1 is reached.`,
          400,
        );
      // An update keeps the S3 bucket and SNS topic that are not given again (API_PutDeliveryChannel.html).
      const bucketName = input.s3BucketName ?? st.channel?.s3BucketName;
      if (typeof bucketName !== 'string' || !bucketName) throw validation(ctx, 's3BucketName is required.');
      const prefix = input.s3KeyPrefix ?? (input.s3BucketName === undefined ? st.channel?.s3KeyPrefix : undefined);
      if (prefix !== undefined && (typeof prefix !== 'string' || prefix.startsWith('/') || prefix.length > 256))
        throw ctx.error('InvalidS3KeyPrefixException', 'The s3 key prefix is not valid.', 400);
      const freq = input.configSnapshotDeliveryProperties?.deliveryFrequency;
      if (freq !== undefined && !FREQUENCIES.includes(freq))
        throw validation(
          ctx,
          `1 validation error detected: Value '${String(freq)}' at 'deliveryChannel.configSnapshotDeliveryProperties.deliveryFrequency' failed to satisfy constraint: Member must satisfy enum value set: [${FREQUENCIES.join(', ')}]`,
        );
      const rec: ChannelRec = {
        name: n,
        s3BucketName: bucketName,
        ...(prefix ? { s3KeyPrefix: prefix } : {}),
        ...(input.s3KmsKeyArn ? { s3KmsKeyArn: String(input.s3KmsKeyArn) } : {}),
        ...((input.snsTopicARN ?? st.channel?.snsTopicARN)
          ? { snsTopicARN: String(input.snsTopicARN ?? st.channel?.snsTopicARN) }
          : {}),
        ...(freq ? { configSnapshotDeliveryProperties: { deliveryFrequency: freq } } : {}),
      };
      const problem = bucketProblem(ctx.world, acct, ctx.region, rec, st.recorder);
      if (problem === 'missing')
        throw ctx.error(
          'NoSuchBucketException',
          `Cannot find a S3 bucket with an appropriate bucket policy to deliver configuration information: ${bucketName}`,
          400,
        );
      if (problem === 'policy')
        throw ctx.error(
          'InsufficientDeliveryPolicyException',
          `Insufficient delivery policy to s3 bucket: ${bucketName}, unable to write to bucket, provided s3 key prefix is '${prefix ?? 'null'}', provided kms key is 'null'.`,
          400,
        );
      st.channel = rec;
      return {};
    },

    DescribeDeliveryChannels(ctx) {
      const st = regionOf(ctx.world, ctx.caller.accountId, ctx.region);
      const names = (ctx.input.DeliveryChannelNames ?? []) as string[];
      for (const n of names) {
        if (st.channel?.name !== n)
          throw ctx.error(
            'NoSuchDeliveryChannelException',
            `Cannot find delivery channel with specified name '${n}'.`,
            400,
          );
      }
      return { DeliveryChannels: st.channel ? [structuredClone(st.channel)] : [] };
    },

    DescribeDeliveryChannelStatus(ctx) {
      const st = regionOf(ctx.world, ctx.caller.accountId, ctx.region);
      return {
        DeliveryChannelsStatus: st.channel
          ? [
              {
                name: st.channel.name,
                configHistoryDeliveryInfo: {},
                configSnapshotDeliveryInfo: {},
                configStreamDeliveryInfo: {},
              },
            ]
          : [],
      };
    },

    // https://docs.aws.amazon.com/config/latest/APIReference/API_DeleteDeliveryChannel.html:
    // "Before you can delete the delivery channel, you must stop the customer managed configuration
    // recorder" (LastDeliveryChannelDeleteFailedException).
    DeleteDeliveryChannel(ctx) {
      const st = regionOf(ctx.world, ctx.caller.accountId, ctx.region);
      const n = ctx.input.DeliveryChannelName;
      if (!st.channel || st.channel.name !== n)
        throw ctx.error(
          'NoSuchDeliveryChannelException',
          `Cannot find delivery channel with specified name '${String(n)}'.`,
          400,
        );
      if (st.recorder?.recording)
        throw ctx.error(
          'LastDeliveryChannelDeleteFailedException',
          `Failed to delete last specified delivery channel with name '${String(n)}', because there is a running configuration recorder.`,
          400,
        );
      delete st.channel;
      return {};
    },
  },
  drift: {
    /** `{account?, region}`: the recorder stopped (someone called StopConfigurationRecorder). */
    'recorder-stopped'(d) {
      const region = String(d.params.region ?? 'us-east-1');
      const r = regionOf(d.world, d.accountId, region).recorder;
      if (!r) throw d.error(`no configuration recorder in ${d.accountId} ${region}`);
      r.recording = false;
      r.lastStopTime = new Date();
      return { account: d.accountId, region, recorder: r.name };
    },
    /** `{account?, region}`: the delivery channel deleted (the recorder is stopped first, as AWS requires). */
    'delivery-channel-deleted'(d) {
      const region = String(d.params.region ?? 'us-east-1');
      const st = regionOf(d.world, d.accountId, region);
      if (!st.channel) throw d.error(`no delivery channel in ${d.accountId} ${region}`);
      if (st.recorder?.recording) {
        st.recorder.recording = false;
        st.recorder.lastStopTime = new Date();
      }
      const name = st.channel.name;
      delete st.channel;
      return { account: d.accountId, region, channel: name };
    },
  },
};
