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
    description: 'secure-start: no leaving the organization, no member root user, no IAM users or keys, CloudTrail and account-level S3/EBS protections stay on, OrganizationAccountAccessRole cannot be changed',
    enabled: (w) => w.scps.guardrails,
    target: 'root',
    vars: () => ({ accessRole: MEMBER_ROLE }),
    controls: ['SSB ACCT.02', 'SSB ACCT.07', 'SSB ACCT.08', 'SSB ACCT.13'],
  },
  {
    name: 'secure-start-log-protection',
    template: 'scp-log-protection',
    description: 'secure-start: the organization trail bucket, its log files and the KMS keys of the Security OU cannot be deleted, overwritten or reconfigured',
    enabled: (w) => w.scps.logProtection,
    target: 'log-archive-ou',
    vars: (w) => ({ accessRole: MEMBER_ROLE, bucketPattern: trailBucketPattern(w) }),
    controls: ['SSB ACCT.07'],
  },
  {
    name: 'secure-start-region-guard',
    template: 'scp-region-guard',
    description: 'secure-start: deny regional services outside the chosen regions (global services exempt)',
    enabled: (w) => w.scps.regionGuard,
    target: 'root',
    vars: (w) => ({ accessRole: MEMBER_ROLE, regions: [...w.allowedRegions] }),
    controls: ['SSB ACCT.17'],
  },
];

/** The policy text as sent to AWS (minified). */
export const scpContent = (def: ScpDef, want: Baseline): string => renderTemplate(def.template, def.vars(want));

/** Same policy, whatever the whitespace or key order; text that is not JSON never matches. */
export function samePolicy(a: string | undefined, b: string): boolean {
  if (a === undefined) return false;
  const canon = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(canon)
      : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canon((v as Record<string, unknown>)[k])]))
        : v;
  try {
    return JSON.stringify(canon(JSON.parse(a))) === JSON.stringify(canon(JSON.parse(b)));
  } catch {
    return false;
  }
}
