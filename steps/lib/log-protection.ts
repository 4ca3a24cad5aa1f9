// What the plan tells the founder about the audit logs before anything is applied: what they
// cost, and who can and cannot delete them for this config. tests/security/ proves each claim.
import type { Baseline } from '../../config/schema.js';

export const CLOUDTRAIL_COST =
  'CloudTrail: the first copy of management events is free; you pay S3 storage for the logs (usually well under 1 USD a month for a new company).';

/**
 * Who can and cannot delete the audit logs, for this config. SCPs never apply to the
 * management account (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html),
 * and its administrators can assume OrganizationAccountAccessRole in the log-archive account,
 * which every deny exempts; only S3 Object Lock in compliance mode stops them from deleting
 * log files already written.
 */
export function logProtectionNote(want: Baseline): string {
  const lock = want.trail.objectLock;
  const mgmt =
    lock.mode === 'compliance'
      ? `They cannot delete a log file for ${lock.days} days after it is written: S3 Object Lock in compliance mode stops everyone, the management account's root user included.`
      : lock.mode === 'governance'
        ? 'Through OrganizationAccountAccessRole in the log-archive account they can also delete log files (Object Lock in governance mode lets them bypass the retention).'
        : 'Through OrganizationAccountAccessRole in the log-archive account they can also delete log files; S3 Object Lock in compliance mode ("trail.objectLock" in the config) would stop that.';
  const members = want.scps.logProtection
    ? "Audit logs: nobody in the member accounts (their administrators, root users and Identity Center users included) can delete the log bucket, its log files or their KMS key, change the bucket's policy or settings, stop, change or delete the organization trail, or take over OrganizationAccountAccessRole: the guardrail SCPs deny it."
    : 'Audit logs: the log-protection SCP is turned off in the config, so administrators of the log-archive account can delete the log bucket and its log files.';
  return `${members} SCPs never apply to the management account: its administrators and root user can stop or delete the trail. ${mgmt} Keep the management account's sign-ins few, with MFA.`;
}
