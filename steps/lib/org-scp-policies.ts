// The baseline's service control policies: which template, which variables, which target.
// Kept apart from the step so the template tests render exactly what the step sends.
import type { Baseline } from '../../config/schema.js';
import { MEMBER_ROLE } from '../../aws/factory.js';
import { renderTemplate } from '../../templates/render.js';
import { trailBucketName } from './logging-names.js';

export type ScpTarget = 'root' | 'log-archive-ou';

export interface ScpDef {
  /** The policy's name in AWS (its natural key). */
  name: string;
  template: string;
  description: string;
  /** Config switch that turns it on. */
  enabled: (want: Baseline) => boolean;
  target: ScpTarget;
  vars: (want: Baseline) => Record<string, string | string[]>;
  controls: string[];
  /** In plain words, for the plan: what it refuses, and to whom. */
  blocks: (want: Baseline) => string;
  /** In plain words, for the plan: what a founder's usual tools then cannot do, and what to use instead. */
  breaks: (want: Baseline) => string;
}

/**
 * The trail bucket is named `<slug>-org-trail-<log-archive id>` (logging-names.ts); the
 * pattern needs no account ID, so the policy is the same before and after the account exists.
 */
export const trailBucketPattern = (want: Baseline): string => trailBucketName(want, '*');

export const SCPS: ScpDef[] = [
  {
    name: 'secure-start-guardrails',
    template: 'scp-guardrails',
    description:
      'secure-start: no leaving the organization, no member root user, no IAM users or keys, CloudTrail and account-level S3/EBS protections stay on, OrganizationAccountAccessRole cannot be changed',
    enabled: (w) => w.scps.guardrails,
    target: 'root',
    vars: () => ({ accessRole: MEMBER_ROLE }),
    controls: ['SSB ACCT.02', 'SSB ACCT.07', 'SSB ACCT.08', 'SSB ACCT.13'],
    blocks: () =>
      'in every member account: leaving the organization; using its root user; IAM users, access keys and console passwords; stopping or changing CloudTrail; turning off S3 Block Public Access or EBS encryption by default; changing OrganizationAccountAccessRole.',
    // SES SMTP credentials are an IAM user's access key (https://docs.aws.amazon.com/ses/latest/dg/smtp-credentials.html).
    breaks: () =>
      'anything that needs an IAM user or access key in a member account: SES SMTP credentials, a CI system or tool that asks for keys. Use roles instead: OIDC for GitHub Actions and most CI, IAM Roles Anywhere for servers outside AWS, the SES API instead of SMTP.',
  },
  {
    name: 'secure-start-log-protection',
    template: 'scp-log-protection',
    description:
      'secure-start: the organization trail bucket, its log files and the KMS keys of the Security OU cannot be deleted, overwritten or reconfigured',
    enabled: (w) => w.scps.logProtection,
    target: 'log-archive-ou',
    // `<bucket>/*` protects every object of the bucket, AWS Config's `config/AWSLogs/…` prefix
    // included (config-recording; tests/unit/templates-scp.test.ts checks it): no new statement.
    vars: (w) => ({ accessRole: MEMBER_ROLE, bucketPattern: trailBucketPattern(w) }),
    controls: ['SSB ACCT.07'],
    blocks: () =>
      'in the log-archive and audit accounts: deleting, hiding or overwriting the audit logs, and deleting or reconfiguring their bucket or KMS key.',
    breaks: () =>
      'nothing in daily work; cleaning up that bucket on purpose means detaching this policy from the management account first.',
  },
  {
    name: 'secure-start-region-guard',
    template: 'scp-region-guard',
    description: 'secure-start: deny regional services outside the chosen regions (global services exempt)',
    enabled: (w) => w.scps.regionGuard,
    target: 'root',
    vars: (w) => ({ accessRole: MEMBER_ROLE, regions: [...w.allowedRegions] }),
    controls: ['SSB ACCT.17'],
    blocks: (w) =>
      `in every member account: regional services (EC2, S3 buckets, Lambda, databases, …) outside ${w.allowedRegions.join(', ')}; global ones (IAM, Route 53, CloudFront, billing) keep working.`,
    breaks: () =>
      'a deployment or console wizard in another region (AccessDenied): add the region to allowedRegions and run again.',
  },
];

/** The policy text as sent to AWS (minified). */
export const scpContent = (def: ScpDef, want: Baseline): string => renderTemplate(def.template, def.vars(want));

/** Same policy, whatever the whitespace or key order; text that is not JSON never matches. */
export function samePolicy(a: string | undefined, b: string): boolean {
  if (a === undefined) return false;
  const canon = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canon)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, canon((v as Record<string, unknown>)[k])]),
          )
        : v;
  try {
    return JSON.stringify(canon(JSON.parse(a))) === JSON.stringify(canon(JSON.parse(b)));
  } catch {
    return false;
  }
}
