// Optional S3 Object Lock on the organization trail bucket (config `trail.objectLock`, off by
// default): a default retention so that every log file version CloudTrail writes cannot be
// deleted or overwritten for N days — in COMPLIANCE mode by no one at all, the management
// account's root user included; in GOVERNANCE mode only by someone allowed
// s3:BypassGovernanceRetention (the log-protection SCP denies that to everyone in the member
// accounts except OrganizationAccountAccessRole, which the management account can use).
// Object Lock can be turned on for an existing versioned bucket and never turned off again;
// versioning then stays on for good (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock.html).
// The plan says so before it is applied (this step's `notes`). Changing the mode or the
// days later changes only the retention of log files written afterwards.
// Covers: SSB ACCT.07 (logs protected from deletion).
import type { Action, Step, StepContext, Val } from './contract.js';
import type { Baseline } from '../config/schema.js';
import { trailBucketName } from './lib/logging-names.js';
import { isAwsError } from '../aws/errors.js';

export interface LockSeen {
  bucket: string;
  account: Val;
  /** The configuration as read; null: no Object Lock; undefined: not read (bucket not there yet). */
  lock?: { mode?: string; days?: number; years?: number } | null;
}

function where(ctx: StepContext) {
  const account = ctx.ref(`${ctx.want.logArchiveAccount}.accountId`);
  return { account, bucket: ctx.value('trail.bucket') ?? trailBucketName(ctx.want, account) };
}

const modeOf = (want: Baseline) =>
  (want.trail.objectLock.mode === 'compliance' ? 'COMPLIANCE' : 'GOVERNANCE') as 'COMPLIANCE' | 'GOVERNANCE';

/** What the retention means for the founder, in one clause. */
export function objectLockMeaning(want: Baseline): string {
  const d = want.trail.objectLock.days;
  return want.trail.objectLock.mode === 'compliance'
    ? `no one, not even the management account's root user, can delete or overwrite a log file version for ${d} days`
    : `log file versions cannot be deleted for ${d} days except by someone allowed to bypass governance retention (in this setup: the management account's administrators, through OrganizationAccountAccessRole)`;
}

export const logArchiveObjectLock: Step<LockSeen> = {
  id: 'log-archive-object-lock',
  title: 'S3 Object Lock on the trail bucket',
  notes: (want, planned) => {
    const lock = want?.trail.objectLock;
    if (!lock || lock.mode === 'off' || !planned.has('s3:PutObjectLockConfiguration')) return {};
    return {
      money: [
        `S3 Object Lock: no charge of its own, but no log file can be deleted for ${lock.days} days, so you pay to store each one at least that long.`,
      ],
      permanent: [
        `S3 Object Lock (${lock.mode}, ${lock.days} days) on the log bucket can never be turned off and keeps versioning on for good${lock.mode === 'compliance' ? `; a log file's ${lock.days}-day retention cannot be shortened by anyone, and the bucket cannot be deleted while one is locked` : ''}.`,
      ],
    };
  },
  needs: ['log-archive-bucket'],
  controls: ['SSB ACCT.07'],
  severity: 'medium',
  why: 'Object Lock keeps the audit logs from being deleted even by the management account, for the retention you chose.',
  enabled: (want) => want.trail.objectLock.mode !== 'off',
  describe: (want) => ({
    title: `S3 Object Lock on the trail bucket (${want.trail.objectLock.mode}, ${want.trail.objectLock.days} days)`,
  }),

  async observe(ctx) {
    const { account, bucket } = where(ctx);
    if (typeof account !== 'string' || !ctx.value('trail.bucket')) return { account, bucket };
    try {
      const r = await ctx.aws.call(
        's3',
        'GetObjectLockConfiguration',
        { Bucket: bucket },
        { account, region: ctx.want.homeRegion },
      );
      const d = r.ObjectLockConfiguration?.Rule?.DefaultRetention;
      return {
        account,
        bucket,
        lock: {
          ...(d?.Mode ? { mode: d.Mode } : {}),
          ...(d?.Days ? { days: d.Days } : {}),
          ...(d?.Years ? { years: d.Years } : {}),
        },
      };
    } catch (e) {
      if (isAwsError(e, 'ObjectLockConfigurationNotFoundError')) return { account, bucket, lock: null };
      throw e;
    }
  },

  fresh: (ctx) => where(ctx),

  plan(want, seen) {
    const mode = modeOf(want);
    const days = want.trail.objectLock.days;
    const l = seen.lock;
    if (l && l.mode === mode && l.days === days && l.years === undefined) return [];
    const action: Action = {
      kind: 'call',
      symbol: l ? '~' : '+',
      service: 's3',
      operation: 'PutObjectLockConfiguration',
      input: {
        Bucket: seen.bucket,
        ObjectLockConfiguration: {
          ObjectLockEnabled: 'Enabled',
          Rule: { DefaultRetention: { Mode: mode, Days: days } },
        },
      },
      target: { account: seen.account, region: want.homeRegion },
      after: ['trail.bucket'],
      summary: l
        ? `~ s3:PutObjectLockConfiguration ${seen.bucket} (default retention was ${l.mode ?? 'none'}${l.days ? ` ${l.days} days` : l.years ? ` ${l.years} years` : ''}; ${mode} ${days} days for log files written from now on)`
        : `+ s3:PutObjectLockConfiguration ${seen.bucket} (${mode}, ${days} days: ${objectLockMeaning(want)}; Object Lock can never be turned off on this bucket)`,
    };
    return [action];
  },
};
