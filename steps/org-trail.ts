// The organization trail: created in the management account's home region, for every
// account of the organization, in every region, with global service events and log file
// validation, delivering to the log-archive bucket; logging started.
// CreateTrail has no idempotency token: the trail is found by name first (DescribeTrails),
// and a TrailAlreadyExistsException after a crash adopts the existing trail.
// Verify reads DescribeTrails + GetTrailStatus: stopped logging, validation off, a single-
// region or non-organization trail, or another bucket are drift, repaired with UpdateTrail
// and StartLogging.
// The trail encrypts its log files with the KMS key of the trail-key step (KmsKeyId, the key's
// ARN: the key lives in the log-archive account); a trail without it, or with another key, is
// drift repaired with UpdateTrail.
// Covers: SSB ACCT.07, CIS 3.1 (multi-region trail, logging), CIS 3.2 (log file validation),
// CIS 3.5 (logs encrypted with a customer managed KMS key).
import {
  StepError,
  mgmt,
  type Action,
  type RunContext,
  type Step,
  type StepContext,
  type Val,
  stepConfig,
} from './contract.js';
import { CLOUDTRAIL_COST } from './lib/log-protection.js';
import { z } from 'zod';
import { trailNameProblem } from '../config/schema.js';
import { trailBucketName } from './lib/logging-names.js';
import { awsErrorName, isAwsError } from '../aws/errors.js';

export interface TrailSeen {
  /** The bucket the trail must deliver to. */
  bucket: string;
  /** The KMS key the trail must encrypt with (its ARN, or a Ref before it exists). */
  keyArn: Val;
  trail?: {
    arn: string;
    bucket?: string;
    isOrganizationTrail: boolean;
    isMultiRegionTrail: boolean;
    includeGlobalServiceEvents: boolean;
    logFileValidation: boolean;
    /** The trail's KmsKeyId (a key ARN), if it encrypts. */
    kmsKeyId?: string;
    isLogging: boolean;
    /** GetTrailStatus's LatestDeliveryError, when CloudTrail cannot write. */
    deliveryError?: string;
  };
}

function bucketFor(ctx: StepContext): string {
  const known = ctx.value('trail.bucket');
  const id: Val = ctx.ref(`${ctx.want.logArchiveAccount}.accountId`);
  return known ?? trailBucketName(ctx.want, id);
}

/** What CreateTrail/UpdateTrail refusals mean for a founder. */
function explainTrailError(e: unknown, bucket: string): never {
  switch (awsErrorName(e)) {
    case 'CloudTrailAccessNotEnabledException':
      throw new StepError(
        'CloudTrail is not trusted by the organization yet, so it cannot create an organization trail.',
        'Run again: the trusted-access step enables it (organizations:EnableAWSServiceAccess for cloudtrail.amazonaws.com).',
      );
    case 'InsufficientS3BucketPolicyException':
      throw new StepError(
        `The policy of bucket ${bucket} does not let CloudTrail write this trail's logs.`,
        'Run again: the log-archive-bucket step puts the right policy. If someone changed it by hand, that step puts it back.',
      );
    case 'S3BucketDoesNotExistException':
      throw new StepError(
        `The log bucket ${bucket} does not exist.`,
        'Run again: the log-archive-bucket step creates it first.',
      );
    case 'NotOrganizationManagementAccountException':
    case 'NotOrganizationMasterAccountException':
      throw new StepError(
        'Only the management account can create the organization trail.',
        'Run secure-start with credentials of the management account.',
      );
    case 'InsufficientEncryptionPolicyException':
    case 'KmsKeyNotFoundException':
    case 'KmsException':
      throw new StepError(
        `CloudTrail cannot use the KMS key for the trail logs (${awsErrorName(e)}).`,
        "Run again: the trail-key step puts the key's policy back and enables it. If someone scheduled the key for deletion, that step cancels the deletion.",
      );
    case 'MaximumNumberOfTrailsExceededException':
      throw new StepError(
        'This region already has 5 trails, the most AWS allows.',
        'Delete a trail you no longer use (CloudTrail console → Trails), then run again.',
      );
    default:
      throw e;
  }
}

/** Waits until the trail exists (a leftover `trail.arn` from an earlier run must not be trusted). */
async function whenTrailExists(ctx: RunContext, name: string): Promise<void> {
  await ctx.poll(
    `waiting for the new trail ${name} to exist (usually seconds)`,
    async () => {
      try {
        await ctx.aws.call('cloudtrail', 'GetTrail', { Name: name }, ctx.target);
        return true;
      } catch (e) {
        if (isAwsError(e, 'TrailNotFoundException')) return undefined;
        throw e;
      }
    },
    { timeoutMs: 120_000, firstDelayMs: 250, maxDelayMs: 2_000 },
  );
}

/** The trail and its logs: name, lifecycle, Object Lock (the log bucket steps read it too). */
export const config = stepConfig({
  key: 'trail',
  schema: ({ ruled }) =>
    z.strictObject({
      name: ruled(trailNameProblem, 'the trail name'),
      glacierAfterDays: z.number().int().min(0, 'must be 0 (off) or more days').max(3650),
      expireAfterDays: z.number().int().min(1, 'must be at least 1 day').max(36500, 'must be at most 36500 days'),
      // S3 Object Lock on the log bucket: off by default (it can never be turned off again).
      objectLock: z.strictObject({
        mode: z.enum(['off', 'governance', 'compliance'], {
          error: 'the Object Lock mode must be off, governance or compliance',
        }),
        days: z
          .number({ error: 'the Object Lock retention must be a number of days' })
          .int('the Object Lock retention must be whole days')
          .min(1, 'the Object Lock retention must be at least 1 day')
          .max(36500, 'the Object Lock retention must be at most 36500 days (100 years)'),
      }),
    }),
  // No Glacier transition by default: CloudTrail files are a few KB, and S3 Glacier adds
  // 40 KB of billed overhead per object plus a transition fee, so moving them costs more
  // than keeping them (logging-names.ts, desiredLifecycle). Object Lock is opt-in.
  defaults: (d) => ({
    name: `${d.slug}-org-trail`,
    glacierAfterDays: 0,
    expireAfterDays: 365,
    objectLock: { mode: 'off' as const, days: 365 },
  }),
  check(b, issue): void {
    if (b.trail.glacierAfterDays > 0 && b.trail.expireAfterDays <= b.trail.glacierAfterDays)
      issue(['trail', 'expireAfterDays'], `must be more than glacierAfterDays (${b.trail.glacierAfterDays})`);
    // A locked version cannot be removed before its retention ends: a lock longer than the
    // expiry would keep (and bill) logs the config says to delete.
    if (b.trail.objectLock.mode !== 'off' && b.trail.objectLock.days > b.trail.expireAfterDays)
      issue(
        ['trail', 'objectLock', 'days'],
        `must be at most expireAfterDays (${b.trail.expireAfterDays}): a locked log file cannot be deleted before its retention ends`,
      );
  },
});

export const orgTrail: Step<TrailSeen, typeof config> = {
  config,
  id: 'org-trail',
  title: 'Organization CloudTrail trail (all accounts, all regions, validated, KMS-encrypted)',
  // Object Lock (when asked for) is on before the first log file arrives.
  notes: (_want, planned) => (planned.has('cloudtrail:CreateTrail') ? { money: [CLOUDTRAIL_COST] } : {}),
  // An organization trail needs it (CloudTrail user guide, "Creating a trail for an organization").
  trustedAccess: ['cloudtrail.amazonaws.com'],
  outputs: ['trail.arn'],
  needs: ['trusted-access', 'log-archive-bucket', 'trail-key', 'log-archive-object-lock'],
  controls: ['SSB ACCT.07', 'CIS 3.1', 'CIS 3.2', 'CIS 3.5'],
  severity: 'critical',
  why: 'Without the organization trail, nobody can tell who did what in any account, or prove it afterwards.',

  async observe(ctx) {
    const want = ctx.want;
    const bucket = bucketFor(ctx);
    const t = { account: 'management', region: want.homeRegion };
    // Only trails whose home is this region: a multi-region trail made elsewhere shows here as a shadow.
    const keyArn = ctx.ref('trail.keyArn');
    const res = await ctx.aws.call(
      'cloudtrail',
      'DescribeTrails',
      { trailNameList: [want.trail.name], includeShadowTrails: false },
      t,
    );
    const trail = (res.trailList ?? []).find(
      (x) => x.Name === want.trail.name && (!x.HomeRegion || x.HomeRegion === want.homeRegion),
    );
    if (!trail?.TrailARN) return { bucket, keyArn };
    const st = await ctx.aws.call('cloudtrail', 'GetTrailStatus', { Name: trail.TrailARN }, t);
    ctx.publish('trail.arn', trail.TrailARN);
    if (st.IsLogging && st.LatestDeliveryError) {
      ctx.warn(
        `CloudTrail cannot deliver logs of ${want.trail.name} to ${trail.S3BucketName} (${st.LatestDeliveryError}). The log-archive-bucket step puts the bucket policy back; if this stays, check the bucket in the ${want.logArchiveAccount} account.`,
      );
    }
    return {
      bucket,
      keyArn,
      trail: {
        arn: trail.TrailARN,
        bucket: trail.S3BucketName,
        isOrganizationTrail: trail.IsOrganizationTrail === true,
        isMultiRegionTrail: trail.IsMultiRegionTrail === true,
        includeGlobalServiceEvents: trail.IncludeGlobalServiceEvents === true,
        logFileValidation: trail.LogFileValidationEnabled === true,
        ...(trail.KmsKeyId ? { kmsKeyId: trail.KmsKeyId } : {}),
        isLogging: st.IsLogging === true,
        ...(st.LatestDeliveryError ? { deliveryError: st.LatestDeliveryError } : {}),
      },
    };
  },

  fresh: (ctx) => ({ bucket: bucketFor(ctx), keyArn: ctx.ref('trail.keyArn') }),

  plan(want, seen) {
    const name = want.trail.name;
    const t = mgmt(want.homeRegion);
    const settings = {
      S3BucketName: seen.bucket,
      IsOrganizationTrail: true,
      IsMultiRegionTrail: true,
      IncludeGlobalServiceEvents: true,
      EnableLogFileValidation: true,
      KmsKeyId: seen.keyArn,
    };
    if (!seen.trail) {
      const input = { Name: name, ...settings };
      return [
        {
          kind: 'call',
          symbol: '+',
          service: 'cloudtrail',
          operation: 'CreateTrail',
          input,
          target: t,
          summary: `+ cloudtrail:CreateTrail ${name} (organization, all regions, global events, log file validation, encrypted with the trail KMS key → ${seen.bucket})`,
          produces: ['trail.arn'],
          async run(ctx) {
            let arn: string | undefined;
            try {
              arn = (
                await ctx.aws.call(
                  'cloudtrail',
                  'CreateTrail',
                  ctx.input as typeof input & { KmsKeyId: string },
                  ctx.target,
                )
              ).TrailARN;
            } catch (e) {
              // Created by an earlier run that stopped before it saw the answer: adopt it;
              // the next round corrects any setting that differs.
              if (!isAwsError(e, 'TrailAlreadyExistsException')) explainTrailError(e, seen.bucket);
              const found = (await ctx.aws.call('cloudtrail', 'GetTrail', { Name: name }, ctx.target)).Trail;
              // A multi-region trail of that name made in another region shows here as a
              // shadow; adopting it would never settle (observe only looks at home trails).
              if (found?.HomeRegion && found.HomeRegion !== ctx.want.homeRegion) {
                throw new StepError(
                  `A trail named ${name} already exists with home region ${found.HomeRegion}, not ${ctx.want.homeRegion}.`,
                  `Set "homeRegion" to ${found.HomeRegion} in the config, or set "trail.name" to another name (and delete the old trail once the new one logs), then run again.`,
                );
              }
              arn = found?.TrailARN;
            }
            if (!arn)
              throw new StepError(
                `AWS created the trail ${name} but did not return its ARN.`,
                'Run again in a minute.',
              );
            return { 'trail.arn': arn };
          },
        },
        {
          kind: 'call',
          symbol: '+',
          service: 'cloudtrail',
          operation: 'StartLogging',
          input: { Name: name },
          target: t,
          summary: `+ cloudtrail:StartLogging ${name}`,
          after: ['trail.arn'],
          controls: ['SSB ACCT.07', 'CIS 3.1'],
          async run(ctx) {
            await whenTrailExists(ctx, name);
            await ctx.aws.call('cloudtrail', 'StartLogging', { Name: name }, ctx.target);
          },
        },
      ];
    }

    const out: Action[] = [];
    const tr = seen.trail;
    const drift: string[] = [];
    const controls = new Set<string>(['SSB ACCT.07']);
    if (tr.bucket !== seen.bucket) drift.push(`bucket ${tr.bucket ?? '(none)'} → ${seen.bucket}`);
    if (!tr.isOrganizationTrail) drift.push('not an organization trail');
    if (!tr.isMultiRegionTrail) {
      drift.push('single region');
      controls.add('CIS 3.1');
    }
    if (!tr.includeGlobalServiceEvents) {
      drift.push('global service events off');
      controls.add('CIS 3.1');
    }
    if (!tr.logFileValidation) {
      drift.push('log file validation off');
      controls.add('CIS 3.2');
    }
    if (tr.kmsKeyId !== seen.keyArn) {
      drift.push(
        tr.kmsKeyId ? `encrypted with another KMS key (${tr.kmsKeyId})` : 'logs not encrypted with the trail KMS key',
      );
      controls.add('CIS 3.5');
    }
    if (drift.length) {
      const input = { Name: tr.arn, ...settings };
      out.push({
        kind: 'call',
        symbol: '~',
        service: 'cloudtrail',
        operation: 'UpdateTrail',
        input,
        target: t,
        summary: `~ cloudtrail:UpdateTrail ${name} (${drift.join('; ')})`,
        controls: [...controls],
        async run(ctx) {
          try {
            await ctx.aws.call(
              'cloudtrail',
              'UpdateTrail',
              ctx.input as typeof input & { KmsKeyId: string },
              ctx.target,
            );
          } catch (e) {
            explainTrailError(e, seen.bucket);
          }
        },
      });
    }
    if (!tr.isLogging) {
      out.push({
        kind: 'call',
        symbol: '~',
        service: 'cloudtrail',
        operation: 'StartLogging',
        input: { Name: tr.arn },
        target: t,
        summary: `~ cloudtrail:StartLogging ${name} (logging is stopped)`,
        controls: ['SSB ACCT.07', 'CIS 3.1'],
      });
    }
    return out;
  },
};
