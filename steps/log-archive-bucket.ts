// The organization trail's bucket, in the log-archive account (reached through the assumed
// OrganizationAccountAccessRole): Block Public Access, ownership BucketOwnerEnforced (no
// ACLs), versioning, default encryption, the lifecycle from the config, and a policy that
// lets only our trail write (aws:SourceArn) and refuses plain HTTP.
// Each setting is its own action, so `verify` names exactly the one that drifted.
// A bucket with our name that another account owns is an error: logs must never go there.
// Covers: SSB ACCT.07 (CloudTrail bucket), ACCT.08 and CIS 2.1.4 (no public access),
// CIS 2.1.1 (deny HTTP).
import {
  StepError,
  type Action,
  type RunContext,
  type Step,
  type StepContext,
  type Target,
  type Val,
} from './contract.js';
import { CLOUDTRAIL_COST, logProtectionNote } from './lib/log-protection.js';
import type { Baseline } from '../config/schema.js';
import { bucketPolicy } from '../templates/bucket-policy.js';
import { CONFIG_PREFIX, recordingAccounts } from './lib/config-recording-names.js';
import {
  TRANSITION_MIN_SIZE,
  canonPolicy,
  desiredLifecycle,
  policyDiff,
  sameLifecycle,
  shown,
  trailBucketName,
  type LifecycleRuleShape,
} from './lib/logging-names.js';
import { isAwsError } from '../aws/errors.js';

const BPA_FLAGS = ['BlockPublicAcls', 'IgnorePublicAcls', 'BlockPublicPolicy', 'RestrictPublicBuckets'] as const;
type Bpa = Partial<Record<(typeof BPA_FLAGS)[number], boolean>>;
/** Algorithms accepted as "encrypted by default"; a KMS key someone chose is kept. */
const ENCRYPTED = ['AES256', 'aws:kms', 'aws:kms:dsse'];

export interface BucketSeen {
  name: string;
  /** The log-archive account (ID, or a Ref before it exists). */
  account: Val;
  managementAccountId: Val;
  orgId: Val;
  exists: boolean;
  /** Settings as read; null = not set. Absent when the bucket does not exist. */
  publicAccessBlock?: Bpa | null;
  ownership?: string | null;
  versioning?: string | null;
  encryption?: string | null;
  lifecycle?: LifecycleRuleShape[] | null;
  /** The lifecycle's TransitionDefaultMinimumObjectSize as read. */
  lifecycleMinSize?: string | null;
  /** The policy document as read (parsed), or null. */
  policy?: unknown;
  /** With securityHub.enabled: every account whose AWS Config delivers here (config-recording). */
  configAccountIds?: Val[];
}

const status = (e: unknown): number | undefined =>
  (e as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;

/** Reads a setting; the "not configured" error of that setting reads as null. */
async function orNull<T>(p: Promise<T>, notSet: string): Promise<T | null> {
  try {
    return await p;
  } catch (e) {
    if (isAwsError(e, notSet)) return null;
    throw e;
  }
}

function ids(ctx: StepContext) {
  const want = ctx.want;
  return {
    account: ctx.ref(`${want.logArchiveAccount}.accountId`),
    managementAccountId: ctx.ref('management.accountId'),
    orgId: ctx.ref('org.id'),
    ...(want.securityHub.enabled ? { configAccountIds: recordingAccounts(ctx, want).map((a) => a.accountId) } : {}),
  };
}

const target = (want: Baseline, seen: BucketSeen): Target => ({ account: seen.account, region: want.homeRegion });

/** The desired policy; IDs not known yet appear as `<key>` (plans only). */
export function desiredPolicy(
  want: Baseline,
  seen: Pick<BucketSeen, 'name' | 'managementAccountId' | 'orgId' | 'configAccountIds'>,
) {
  return bucketPolicy({
    bucket: seen.name,
    managementAccountId: shown(seen.managementAccountId),
    orgId: shown(seen.orgId),
    region: want.homeRegion,
    trailName: want.trail.name,
    // AWS Config's delivery statements only when Security Hub (and so Config recording) is on.
    ...(want.securityHub.enabled
      ? { config: { prefix: CONFIG_PREFIX, accountIds: (seen.configAccountIds ?? []).map(shown) } }
      : {}),
  });
}

/**
 * Waits until the bucket exists. Settings planned together with CreateBucket start once
 * `trail.bucket` is known; that key may be left over from an earlier run while the bucket
 * itself was deleted, so the action checks the bucket rather than trusting the key.
 */
async function whenBucketExists(ctx: RunContext, bucket: string): Promise<void> {
  await ctx.poll(
    `waiting for the new bucket ${bucket} to exist (usually seconds)`,
    async () => {
      try {
        await ctx.aws.call('s3', 'HeadBucket', { Bucket: bucket }, ctx.target);
        return true;
      } catch (e) {
        if (status(e) === 404) return undefined;
        throw e;
      }
    },
    { timeoutMs: 120_000, firstDelayMs: 250, maxDelayMs: 2_000 },
  );
}

export const logArchiveBucket: Step<BucketSeen> = {
  id: 'log-archive-bucket',
  title: 'Organization trail bucket in the log-archive account',
  notes: (want, planned) =>
    planned.has('s3:CreateBucket') ||
    planned.has('cloudtrail:CreateTrail') ||
    planned.has('s3:PutObjectLockConfiguration')
      ? {
          money: planned.has('s3:CreateBucket') || planned.has('cloudtrail:CreateTrail') ? [CLOUDTRAIL_COST] : [],
          permanent: want ? [logProtectionNote(want)] : [],
        }
      : {},
  outputs: ['trail.bucket'],
  needs: ['organization', 'accounts', 'leave-root'],
  controls: ['SSB ACCT.07', 'SSB ACCT.08', 'CIS 2.1.1', 'CIS 2.1.4'],
  severity: 'critical',
  why: 'The audit logs land in this bucket; if it is missing, open or deletable, there is no trustworthy record of who did what.',

  async observe(ctx) {
    const want = ctx.want;
    const known = ids(ctx);
    if (
      typeof known.account !== 'string' ||
      typeof known.managementAccountId !== 'string' ||
      typeof known.orgId !== 'string'
    ) {
      // Before the log-archive account exists (plan/verify of a fresh organization).
      if (ctx.mode === 'apply') {
        throw new StepError(
          `The ${want.logArchiveAccount} account's ID or the organization ID is not known yet.`,
          'Run again: the accounts step creates the account first.',
        );
      }
      return logArchiveBucket.fresh(ctx);
    }
    const name = trailBucketName(want, known.account);
    const t = { account: known.account, region: want.homeRegion };
    const base: BucketSeen = { name, ...known, exists: false };
    try {
      await ctx.aws.call('s3', 'HeadBucket', { Bucket: name }, t);
    } catch (e) {
      const code = status(e);
      if (code === 404 || isAwsError(e, 'NotFound', 'NoSuchBucket')) return base;
      if (code === 403) {
        // 403 is also what our own bucket answers when its policy locks the role out: the
        // log-archive account's own bucket list tells the two apart.
        const mine = await ctx.aws.call('s3', 'ListBuckets', {}, t).then(
          (r) => (r.Buckets ?? []).some((x) => x.Name === name),
          () => false,
        );
        if (mine) {
          throw new StepError(
            `The bucket ${name} in your ${want.logArchiveAccount} account (${known.account}) refuses access to the OrganizationAccountAccessRole that secure-start uses.`,
            `Someone changed its bucket policy to deny that role. Sign in to the ${want.logArchiveAccount} account as its root user (IAM → Root access management → Take privileged action → Delete S3 bucket policy), then run again: secure-start puts the right policy back.`,
          );
        }
        throw new StepError(
          `The S3 bucket name ${name} is taken by an AWS account outside your ${want.logArchiveAccount} account (${known.account}).`,
          'Bucket names are global and logs must never go to someone else\'s bucket. Choose a different short name ("org.slug" in the config), or delete that bucket if it is yours, then run again.',
        );
      }
      if (code === 301) {
        throw new StepError(
          `The bucket ${name} exists but in another region than the home region ${want.homeRegion}.`,
          `Keep the home region the bucket was created in, or empty and delete the bucket (after copying its logs), then run again.`,
        );
      }
      throw e;
    }
    const B = { Bucket: name };
    const [pab, own, ver, enc, life, pol] = await Promise.all([
      orNull(ctx.aws.call('s3', 'GetPublicAccessBlock', B, t), 'NoSuchPublicAccessBlockConfiguration'),
      orNull(ctx.aws.call('s3', 'GetBucketOwnershipControls', B, t), 'OwnershipControlsNotFoundError'),
      ctx.aws.call('s3', 'GetBucketVersioning', B, t),
      orNull(ctx.aws.call('s3', 'GetBucketEncryption', B, t), 'ServerSideEncryptionConfigurationNotFoundError'),
      orNull(ctx.aws.call('s3', 'GetBucketLifecycleConfiguration', B, t), 'NoSuchLifecycleConfiguration'),
      orNull(ctx.aws.call('s3', 'GetBucketPolicy', B, t), 'NoSuchBucketPolicy'),
    ]);
    let policy: unknown = null;
    if (pol?.Policy) {
      try {
        policy = JSON.parse(pol.Policy);
      } catch {
        policy = pol.Policy; // unparsable: differs from ours, so it is replaced
      }
    }
    ctx.publish('trail.bucket', name);
    return {
      ...base,
      exists: true,
      publicAccessBlock: pab?.PublicAccessBlockConfiguration
        ? ({ ...pab.PublicAccessBlockConfiguration } as Bpa)
        : null,
      ownership: own?.OwnershipControls?.Rules?.[0]?.ObjectOwnership ?? null,
      versioning: ver.Status ?? null,
      encryption:
        enc?.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm ?? null,
      lifecycle: (life?.Rules as LifecycleRuleShape[] | undefined) ?? null,
      lifecycleMinSize: life?.TransitionDefaultMinimumObjectSize ?? null,
      policy,
    };
  },

  fresh(ctx) {
    const known = ids(ctx);
    return { name: trailBucketName(ctx.want, known.account), ...known, exists: false };
  },

  plan(want, seen) {
    const out: Action[] = [];
    const tgt = target(want, seen);
    const B = seen.name;
    const created = !seen.exists;
    // Settings of a bucket being created wait for it (see whenBucketExists).
    const setting = (a: Omit<Action, 'kind' | 'target' | 'service'>): Action => ({
      kind: 'call',
      service: 's3',
      target: tgt,
      ...a,
      ...(created
        ? {
            after: ['trail.bucket'],
            async run(ctx: RunContext) {
              await whenBucketExists(ctx, B);
              await ctx.aws.call('s3', a.operation as never, ctx.input as never, ctx.target);
            },
          }
        : {}),
    });

    if (created) {
      const input = {
        Bucket: B,
        ObjectOwnership: 'BucketOwnerEnforced' as const,
        ...(want.homeRegion !== 'us-east-1'
          ? { CreateBucketConfiguration: { LocationConstraint: want.homeRegion as never } }
          : {}),
      };
      out.push({
        kind: 'call',
        symbol: '+',
        service: 's3',
        operation: 'CreateBucket',
        input,
        target: tgt,
        summary: `+ s3:CreateBucket ${B} (${want.logArchiveAccount}, ${want.homeRegion})`,
        produces: ['trail.bucket'],
        controls: ['SSB ACCT.07'],
        async run(ctx) {
          try {
            await ctx.aws.call('s3', 'CreateBucket', ctx.input as typeof input, ctx.target);
          } catch (e) {
            // Created by an earlier run that stopped before it saw the answer: ours, carry on.
            if (isAwsError(e, 'BucketAlreadyOwnedByYou')) return { 'trail.bucket': B };
            if (isAwsError(e, 'BucketAlreadyExists')) {
              throw new StepError(
                `The S3 bucket name ${B} is already taken by another AWS account.`,
                'Bucket names are global. Choose a different short name ("org.slug" in the config) and run again.',
              );
            }
            throw e;
          }
          return { 'trail.bucket': B };
        },
      });
    }

    const bpa = seen.publicAccessBlock;
    if (created || !bpa || BPA_FLAGS.some((f) => bpa[f] !== true)) {
      const off = created ? [] : BPA_FLAGS.filter((f) => bpa?.[f] !== true);
      out.push(
        setting({
          symbol: created || !bpa ? '+' : '~',
          operation: 'PutPublicAccessBlock',
          input: { Bucket: B, PublicAccessBlockConfiguration: Object.fromEntries(BPA_FLAGS.map((f) => [f, true])) },
          summary: `${created || !bpa ? '+' : '~'} s3:PutPublicAccessBlock ${B} (${created ? '' : bpa ? `${off.join(', ')} off; ` : 'Block Public Access is off; '}all four flags)`,
          controls: ['SSB ACCT.07', 'SSB ACCT.08', 'CIS 2.1.4'],
        }),
      );
    }

    if (created || seen.ownership !== 'BucketOwnerEnforced') {
      out.push(
        setting({
          symbol: created || !seen.ownership ? '+' : '~',
          operation: 'PutBucketOwnershipControls',
          input: { Bucket: B, OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] } },
          summary: `${created || !seen.ownership ? '+' : '~'} s3:PutBucketOwnershipControls ${B} (BucketOwnerEnforced: ACLs off${seen.ownership ? `; was ${seen.ownership}` : ''})`,
          controls: ['SSB ACCT.07', 'SSB ACCT.08'],
        }),
      );
    }

    if (created || seen.versioning !== 'Enabled') {
      out.push(
        setting({
          symbol: created || !seen.versioning ? '+' : '~',
          operation: 'PutBucketVersioning',
          input: { Bucket: B, VersioningConfiguration: { Status: 'Enabled' } },
          summary: `${created || !seen.versioning ? '+' : '~'} s3:PutBucketVersioning ${B} (Enabled${seen.versioning ? `; was ${seen.versioning}` : ''})`,
          controls: ['SSB ACCT.07'],
        }),
      );
    }

    if (created || !ENCRYPTED.includes(seen.encryption ?? '')) {
      out.push(
        setting({
          symbol: created || !seen.encryption ? '+' : '~',
          operation: 'PutBucketEncryption',
          input: {
            Bucket: B,
            ServerSideEncryptionConfiguration: {
              Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
            },
          },
          summary: `${created || !seen.encryption ? '+' : '~'} s3:PutBucketEncryption ${B} (${created ? '' : seen.encryption ? `was ${seen.encryption}; ` : 'no default encryption; '}SSE-S3 AES256 by default)`,
          controls: ['SSB ACCT.07'],
        }),
      );
    }

    const lifecycle = desiredLifecycle(want.trail);
    const g = want.trail.glacierAfterDays;
    // With a transition, small files must stay where they are cheaper (TRANSITION_MIN_SIZE).
    const minSizeDiffers = g > 0 && seen.lifecycleMinSize !== TRANSITION_MIN_SIZE;
    if (created || !seen.lifecycle || !sameLifecycle(seen.lifecycle, lifecycle.Rules) || minSizeDiffers) {
      out.push(
        setting({
          symbol: created || !seen.lifecycle ? '+' : '~',
          operation: 'PutBucketLifecycleConfiguration',
          input: {
            Bucket: B,
            LifecycleConfiguration: lifecycle,
            ...(g > 0 ? { TransitionDefaultMinimumObjectSize: TRANSITION_MIN_SIZE } : {}),
          },
          summary: `${created || !seen.lifecycle ? '+' : '~'} s3:PutBucketLifecycleConfiguration ${B} (${created ? '' : seen.lifecycle ? 'lifecycle rules differ from the config; ' : 'no lifecycle rule; '}${g > 0 ? `Glacier after ${g} days for files of 128 KB or more (smaller ones cost more there), ` : ''}delete after ${want.trail.expireAfterDays} days)`,
          controls: ['SSB ACCT.07'],
        }),
      );
    }

    const policy = desiredPolicy(want, seen);
    if (created || seen.policy == null || canonPolicy(seen.policy) !== canonPolicy(policy)) {
      out.push(
        setting({
          symbol: created || seen.policy == null ? '+' : '~',
          operation: 'PutBucketPolicy',
          input: { Bucket: B, Policy: JSON.stringify(policy) },
          summary: `${created || seen.policy == null ? '+' : '~'} s3:PutBucketPolicy ${B} (${created ? '' : seen.policy == null ? 'no bucket policy; ' : `policy differs: ${policyDiff(seen.policy, policy)}; put back `}CloudTrail write for trail ${want.trail.name} only;${want.securityHub.enabled ? ` AWS Config delivery under ${CONFIG_PREFIX}/ for the organization's accounts;` : ''} deny non-TLS)`,
          controls: ['SSB ACCT.07', 'CIS 2.1.1'],
        }),
      );
    }
    return out;
  },
};
