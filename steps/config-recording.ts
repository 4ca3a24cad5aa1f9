// AWS Config recording, which Security Hub's controls need (they evaluate the recorded
// configuration: https://docs.aws.amazon.com/securityhub/latest/userguide/securityhub-setup-prereqs.html),
// in EVERY account (management included) and every allowed region. Only when securityHub.enabled.
// Per account: AWS Config's service-linked role (iam:CreateServiceLinkedRole, found first with
// GetRole). Per account and region: a recorder of all supported resource types, global ones
// (IAM) only in the home region so they are recorded and paid for once
// (https://docs.aws.amazon.com/config/latest/APIReference/API_RecordingGroup.html,
// includeGlobalResourceTypes); a delivery channel to the log-archive trail bucket under its
// own prefix `config/` (the bucket policy allows it: templates/bucket-policy.ts; the
// log-protection SCP already covers every object of that bucket); and the recorder started.
// An existing recorder or channel keeps its name (AWS allows one of each per account and
// region) and a recorder its role. Drift (recorder stopped, channel deleted or pointed at
// another bucket, global types recorded elsewhere) plans only the calls that put it back.
// Covers: SSB ACCT.15 (with the security-hub step).
import { StepError, ref, type Action, type RunContext, type Step, type StepContext, type Val } from './contract.js';
import type { Baseline } from '../config/schema.js';
import { mapLimit } from './lib/map-limit.js';
import { Gates } from './lib/gates.js';
import { CONFIG_PREFIX, recordingAccounts } from './lib/config-recording-names.js';
import { shown, trailBucketName } from './lib/logging-names.js';

/** AWS Config's service-linked role (https://docs.aws.amazon.com/config/latest/developerguide/using-service-linked-roles.html). */
export const CONFIG_SLR = 'AWSServiceRoleForConfig';
export const CONFIG_PRINCIPAL = 'config.amazonaws.com';
export const configSlrArn = (accountId: string): string =>
  `arn:aws:iam::${accountId}:role/aws-service-role/${CONFIG_PRINCIPAL}/${CONFIG_SLR}`;
/** Output key: the account's Config service-linked role ARN, once it exists. */
export const roleKey = (account: string): string => `config.roleArn.${account}`;
const DEFAULT_NAME = 'default';

export interface RecorderSeen {
  name: string;
  roleARN?: string;
  allSupported?: boolean;
  includeGlobalResourceTypes?: boolean;
  recording?: boolean;
}
export interface ChannelSeen {
  name: string;
  bucket?: string;
  prefix?: string;
}
export interface RegionRecording {
  region: string;
  /** null = none; undefined = not read (account not created yet). */
  recorder?: RecorderSeen | null;
  channel?: ChannelSeen | null;
}
export interface RecordingAccount {
  name: string;
  target: Val;
  accountId: Val;
  /** The service-linked role exists; undefined = not read. */
  slr?: boolean;
  regions: RegionRecording[];
}
export interface ConfigRecordingSeen {
  /** The log-archive trail bucket (a name with `<log-archive.accountId>` in a fresh plan). */
  bucket: string;
  accounts: RecordingAccount[];
}

const errName = (e: unknown): string => (e as Error)?.name ?? '';

function fresh(ctx: StepContext): ConfigRecordingSeen {
  const want = ctx.want;
  return {
    bucket: trailBucketName(want, ctx.ref(`${want.logArchiveAccount}.accountId`)),
    accounts: recordingAccounts(ctx, want).map((a) => ({
      ...a,
      regions: want.allowedRegions.map((region) => ({ region })),
    })),
  };
}

/** The recording group wanted in a region: everything; global types in the home region only. */
const group = (want: Baseline, region: string) => ({
  allSupported: true,
  includeGlobalResourceTypes: region === want.homeRegion,
});

export const configRecording: Step<ConfigRecordingSeen> = {
  id: 'config-recording',
  title: 'AWS Config recording in every account and allowed region, delivered to the log archive',
  enabled: (want) => want.securityHub.enabled,
  outputs: ['config.roleArn.*'],
  // The bucket (and its policy allowing Config) must exist before a delivery channel points at it.
  needs: ['accounts', 'leave-root', 'log-archive-bucket'],
  controls: ['SSB ACCT.15'],
  severity: 'high',
  why: "Security Hub's checks read what AWS Config records; without recording in an account and region, nothing there is checked.",

  async observe(ctx) {
    const seen = fresh(ctx);
    const la = ctx.value(`${ctx.want.logArchiveAccount}.accountId`);
    await mapLimit(seen.accounts, 4, async (a) => {
      if (typeof a.target !== 'string' || typeof a.accountId !== 'string') {
        if (ctx.mode === 'apply')
          throw new StepError(
            `The ${a.name} account's ID is not known yet.`,
            'Run again: the accounts step creates the account first.',
          );
        return; // not created yet: everything is still to do
      }
      const account = a.target;
      const roleRead = ctx.aws.call('iam', 'GetRole', { RoleName: CONFIG_SLR }, { account, region: 'us-east-1' }).then(
        (r) => {
          a.slr = true;
          ctx.publish(roleKey(a.name), r.Role?.Arn ?? configSlrArn(a.accountId as string));
        },
        (e) => {
          if (errName(e) === 'NoSuchEntityException' || errName(e) === 'NoSuchEntity') a.slr = false;
          else throw e;
        },
      );
      await Promise.all([
        roleRead,
        ...a.regions.map(async (r) => {
          const t = { account, region: r.region };
          const [recs, status, chans] = await Promise.all([
            ctx.aws.call('config-service', 'DescribeConfigurationRecorders', {}, t),
            ctx.aws.call('config-service', 'DescribeConfigurationRecorderStatus', {}, t),
            ctx.aws.call('config-service', 'DescribeDeliveryChannels', {}, t),
          ]);
          const rec = recs.ConfigurationRecorders?.[0];
          const st = status.ConfigurationRecordersStatus?.find((s) => s.name === rec?.name);
          r.recorder = rec?.name
            ? {
                name: rec.name,
                ...(rec.roleARN ? { roleARN: rec.roleARN } : {}),
                allSupported: rec.recordingGroup?.allSupported ?? false,
                includeGlobalResourceTypes: rec.recordingGroup?.includeGlobalResourceTypes ?? false,
                recording: st?.recording === true,
              }
            : null;
          const ch = chans.DeliveryChannels?.[0];
          r.channel = ch?.name
            ? {
                name: ch.name,
                ...(ch.s3BucketName ? { bucket: ch.s3BucketName } : {}),
                ...(ch.s3KeyPrefix ? { prefix: ch.s3KeyPrefix } : {}),
              }
            : null;
        }),
      ]);
    });
    if (la) seen.bucket = trailBucketName(ctx.want, la);
    return seen;
  },

  fresh,

  plan(want, seen) {
    const out: Action[] = [];
    const gates = new Gates();
    for (const a of seen.accounts) {
      const slrGate = `slr:${a.name}`;
      if (a.slr !== true) {
        const input = { AWSServiceName: CONFIG_PRINCIPAL };
        out.push({
          kind: 'call',
          symbol: '+',
          service: 'iam',
          operation: 'CreateServiceLinkedRole',
          input,
          target: { account: a.target, region: 'us-east-1' },
          summary: `+ iam:CreateServiceLinkedRole ${a.name} (${CONFIG_SLR}, the role AWS Config records with)`,
          produces: [roleKey(a.name)],
          run: gates.opens(slrGate, async (ctx) => {
            let arn: string | undefined;
            try {
              arn = (await ctx.aws.call('iam', 'CreateServiceLinkedRole', input, ctx.target)).Role?.Arn;
            } catch (e) {
              // Made by a run that stopped before it saw the answer (IAM: "has been taken").
              if (
                !(errName(e) === 'InvalidInput' || errName(e) === 'InvalidInputException') ||
                !/taken|exists/i.test((e as Error).message)
              )
                throw e;
            }
            arn ??= (await ctx.aws.call('iam', 'GetRole', { RoleName: CONFIG_SLR }, ctx.target)).Role?.Arn;
            if (!arn)
              throw new StepError(
                `AWS Config's service-linked role did not appear in the ${a.name} account.`,
                'Run again in a minute.',
              );
            return { value: arn, out: { [roleKey(a.name)]: arn } };
          }),
        });
      }
      for (const r of a.regions) {
        const where = `${a.name} ${r.region}`;
        const target = { account: a.target, region: r.region };
        const g = group(want, r.region);
        const recGate = `recorder:${a.name}:${r.region}`;
        const chGate = `channel:${a.name}:${r.region}`;
        const rec = r.recorder;
        const recName = rec?.name ?? DEFAULT_NAME;

        const recordsRight =
          rec &&
          rec.allSupported === true &&
          rec.includeGlobalResourceTypes === g.includeGlobalResourceTypes &&
          !!rec.roleARN;
        if (!recordsRight) {
          // An existing recorder keeps its role; a new one uses the service-linked role.
          const roleARN: Val =
            rec?.roleARN ??
            (typeof a.accountId === 'string' && a.slr === true ? configSlrArn(a.accountId) : ref(roleKey(a.name)));
          const input = { ConfigurationRecorder: { name: recName, roleARN, recordingGroup: g } };
          const why = !rec
            ? ''
            : rec.allSupported !== true
              ? 'records only some resource types; '
              : rec.includeGlobalResourceTypes !== g.includeGlobalResourceTypes
                ? g.includeGlobalResourceTypes
                  ? 'global resource types (IAM) not recorded in the home region; '
                  : 'global resource types recorded outside the home region (paid twice); '
                : 'no role; ';
          out.push({
            kind: 'call',
            symbol: rec ? '~' : '+',
            service: 'config-service',
            operation: 'PutConfigurationRecorder',
            input,
            target,
            summary: `${rec ? '~' : '+'} config-service:PutConfigurationRecorder ${where} (${why}all supported resource types${g.includeGlobalResourceTypes ? ', global ones included (home region)' : ', global ones in the home region only'})`,
            confirmed: true,
            run: gates.opens(recGate, async (ctx: RunContext) => {
              await gates.wait(ctx, slrGate, `waiting for AWS Config's role in ${a.name}`);
              await ctx.aws.call('config-service', 'PutConfigurationRecorder', ctx.input as never, ctx.target);
              return {};
            }),
          });
        }

        const ch = r.channel;
        const chName = ch?.name ?? DEFAULT_NAME;
        if (!ch || ch.bucket !== seen.bucket || (ch.prefix ?? '') !== CONFIG_PREFIX) {
          const input = { DeliveryChannel: { name: chName, s3BucketName: seen.bucket, s3KeyPrefix: CONFIG_PREFIX } };
          const why = !ch
            ? ''
            : ch.bucket !== seen.bucket
              ? `delivers to ${ch.bucket ?? 'no bucket'}; `
              : `prefix ${ch.prefix ?? '(none)'}; `;
          out.push({
            kind: 'call',
            symbol: ch ? '~' : '+',
            service: 'config-service',
            operation: 'PutDeliveryChannel',
            input,
            target,
            summary: `${ch ? '~' : '+'} config-service:PutDeliveryChannel ${where} (${why}${r.channel === null && rec ? 'no delivery channel; ' : ''}deliver to ${shown(seen.bucket)}/${CONFIG_PREFIX}/)`,
            confirmed: true,
            run: gates.opens(chGate, async (ctx: RunContext) => {
              await gates.wait(ctx, recGate, `waiting for the recorder in ${where}`);
              await ctx.aws.call('config-service', 'PutDeliveryChannel', ctx.input as never, ctx.target);
              return {};
            }),
          });
        }

        if (rec?.recording !== true) {
          const input = { ConfigurationRecorderName: recName };
          out.push({
            kind: 'call',
            symbol: rec ? '~' : '+',
            service: 'config-service',
            operation: 'StartConfigurationRecorder',
            input,
            target,
            summary: `${rec ? '~' : '+'} config-service:StartConfigurationRecorder ${where}${rec ? ' (recording is stopped)' : ''}`,
            confirmed: true,
            async run(ctx) {
              // A recorder starts only once it has a delivery channel (API_StartConfigurationRecorder.html).
              await gates.wait(ctx, recGate, `waiting for the recorder in ${where}`);
              await gates.wait(ctx, chGate, `waiting for the delivery channel in ${where}`);
              await ctx.aws.call('config-service', 'StartConfigurationRecorder', input, ctx.target);
            },
          });
        }
      }
    }
    return out;
  },
};
