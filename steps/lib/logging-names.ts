// Names and comparisons shared by the log-archive-bucket and org-trail steps.
import { trailBucketNameFor, type Baseline } from '../../config/schema.js';
import type { Val } from '../contract.js';

/** Shows an ID that is not known yet as `<key>` inside a name (plans only; never sent). */
export const shown = (v: Val): string => (typeof v === 'string' ? v : String(v));

/**
 * The trail bucket: `<slug>-org-trail-<log-archive account id>` (config/schema.ts, which
 * checks it against S3's naming rules before any call); at most 20 + 11 + 12 = 43 characters.
 */
export const trailBucketName = (want: Baseline, logArchiveId: Val): string =>
  trailBucketNameFor(want.org.slug, shown(logArchiveId));

/** The lifecycle rule's ID (the only rule on the bucket). */
export const LIFECYCLE_RULE_ID = 'secure-start-trail-logs';

export interface LifecycleRuleShape {
  ID?: string;
  Status?: string;
  Filter?: { Prefix?: string; [k: string]: unknown };
  Prefix?: string;
  Transitions?: { Days?: number; StorageClass?: string }[];
  Expiration?: { Days?: number; ExpiredObjectDeleteMarker?: boolean };
  NoncurrentVersionTransitions?: { NoncurrentDays?: number; StorageClass?: string }[];
  NoncurrentVersionExpiration?: { NoncurrentDays?: number };
  AbortIncompleteMultipartUpload?: { DaysAfterInitiation?: number };
}

/**
 * The minimum size for lifecycle transitions, sent with the configuration. S3's default since
 * September 2024 is the same (objects under 128 KB never transition); saying it makes the rule
 * independent of that default. CloudTrail log files are mostly a few KB: in S3 Glacier Flexible
 * Retrieval each object is billed 40 KB more (32 KB at the Glacier rate, 8 KB at the Standard
 * rate) and each transition is a request fee, so moving small files costs more than keeping
 * them (https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-transition-general-considerations.html,
 * https://aws.amazon.com/s3/pricing/). That is why the default config has no transition at all.
 */
export const TRANSITION_MIN_SIZE = 'all_storage_classes_128K' as const;

/** The bucket's lifecycle: Glacier after N days (when N > 0), expiry after M days; the same for old versions. */
export function desiredLifecycle(trail: Baseline['trail']) {
  const g = trail.glacierAfterDays;
  const rule = {
    ID: LIFECYCLE_RULE_ID,
    Status: 'Enabled' as const,
    Filter: { Prefix: '' },
    ...(g > 0 ? { Transitions: [{ Days: g, StorageClass: 'GLACIER' as const }] } : {}),
    Expiration: { Days: trail.expireAfterDays },
    ...(g > 0 ? { NoncurrentVersionTransitions: [{ NoncurrentDays: g, StorageClass: 'GLACIER' as const }] } : {}),
    NoncurrentVersionExpiration: { NoncurrentDays: trail.expireAfterDays },
    AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
  };
  return { Rules: [rule] };
}

/** A rule reduced to what matters, so the XML round trip (empty lists, order) compares equal. */
function canonRule(r: LifecycleRuleShape): string {
  const { Prefix: fp, ...otherFilter } = r.Filter ?? {};
  return JSON.stringify({
    ID: r.ID ?? '',
    Status: r.Status ?? '',
    Prefix: fp ?? r.Prefix ?? '',
    otherFilter: Object.keys(otherFilter).sort(),
    t: (r.Transitions ?? []).map((t) => `${t.Days}:${t.StorageClass}`).sort(),
    e: r.Expiration?.Days ?? null,
    edm: r.Expiration?.ExpiredObjectDeleteMarker ?? null,
    nt: (r.NoncurrentVersionTransitions ?? []).map((t) => `${t.NoncurrentDays}:${t.StorageClass}`).sort(),
    ne: r.NoncurrentVersionExpiration?.NoncurrentDays ?? null,
    a: r.AbortIncompleteMultipartUpload?.DaysAfterInitiation ?? null,
  });
}

export const sameLifecycle = (a: LifecycleRuleShape[], b: LifecycleRuleShape[]): boolean =>
  JSON.stringify(a.map(canonRule).sort()) === JSON.stringify(b.map(canonRule).sort());

/**
 * A policy document in a canonical form: keys sorted, statements by Sid, lists of strings
 * sorted, and a one-item list equal to the item (IAM treats `"a"` and `["a"]` alike).
 */
export function canonPolicy(doc: unknown): string {
  const canon = (v: unknown): unknown => {
    if (Array.isArray(v)) {
      const items = v.map(canon);
      if (items.every((x) => typeof x === 'string')) {
        const sorted = [...(items as string[])].sort();
        return sorted.length === 1 ? sorted[0] : sorted;
      }
      return items
        .map((x) => JSON.stringify(x))
        .sort()
        .map((x) => JSON.parse(x));
    }
    if (v && typeof v === 'object')
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, canon((v as Record<string, unknown>)[k])]),
      );
    return v;
  };
  return JSON.stringify(canon(doc));
}

/**
 * How a policy read back differs from ours, by statement Sid, in words for plans and verify:
 * 'statement AWSCloudTrailWrite changed; DenyInsecureTransport missing; 1 other statement'.
 */
export function policyDiff(have: unknown, want: { Statement: { Sid?: string }[] }): string {
  const stmts = (d: unknown): { Sid?: string }[] => {
    const s = (d as { Statement?: unknown })?.Statement;
    return Array.isArray(s) ? s : s && typeof s === 'object' ? [s as { Sid?: string }] : [];
  };
  if (typeof have === 'string' || !stmts(have).length) return 'not a valid policy with statements';
  const mine = new Map(want.Statement.map((s) => [s.Sid, s]));
  const theirs = stmts(have);
  const bySid = new Map(theirs.filter((s) => s.Sid).map((s) => [s.Sid, s]));
  const out: string[] = [];
  const changed = [...mine]
    .filter(([sid, s]) => bySid.has(sid) && canonPolicy(bySid.get(sid)) !== canonPolicy(s))
    .map(([sid]) => sid);
  const missing = [...mine.keys()].filter((sid) => !bySid.has(sid));
  const other = theirs.filter((s) => !s.Sid || !mine.has(s.Sid)).length;
  if (changed.length) out.push(`statement ${changed.join(', ')} changed`);
  if (missing.length) out.push(`${missing.join(', ')} missing`);
  if (other) out.push(`${other} other statement${other > 1 ? 's' : ''}`);
  return out.join('; ') || 'differs';
}
