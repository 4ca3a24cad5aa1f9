// The IAM password policy of the hardening step. UpdateAccountPasswordPolicy replaces the
// whole policy (a field left out is reset), so the update sends every field: ours, and the
// ones we do not manage (maximum age, hard expiry) as they are. A setting stricter than
// the baseline is kept, never weakened.
import type { Baseline } from '../../config/schema.js';

export interface PasswordPolicy {
  MinimumPasswordLength?: number;
  RequireSymbols?: boolean;
  RequireNumbers?: boolean;
  RequireUppercaseCharacters?: boolean;
  RequireLowercaseCharacters?: boolean;
  AllowUsersToChangePassword?: boolean;
  MaxPasswordAge?: number;
  PasswordReusePrevention?: number;
  HardExpiry?: boolean;
}

/** CIS 1.8 asks for at least 14 characters whatever the config says. */
export const MIN_LENGTH = 14;

const REQUIRED = [
  'RequireSymbols',
  'RequireNumbers',
  'RequireUppercaseCharacters',
  'RequireLowercaseCharacters',
] as const;

/** What falls short of the baseline, in words ([] = compliant). */
export function passwordPolicyGaps(
  want: Baseline['hardening']['passwordPolicy'],
  seen: PasswordPolicy | null,
): string[] {
  if (!seen) return ['no password policy'];
  const gaps: string[] = [];
  const len = Math.max(MIN_LENGTH, want.minimumLength);
  if ((seen.MinimumPasswordLength ?? 0) < len) gaps.push(`length ${seen.MinimumPasswordLength ?? 'unset'} < ${len}`);
  if ((seen.PasswordReusePrevention ?? 0) < want.reusePrevention)
    gaps.push(`reuse prevention ${seen.PasswordReusePrevention ?? 'off'} < ${want.reusePrevention}`);
  const off = REQUIRED.filter((k) => seen[k] !== true);
  if (off.length)
    gaps.push(
      `${off
        .map((k) =>
          k
            .replace(/^Require/, '')
            .replace(/Characters$/, '')
            .toLowerCase(),
        )
        .join(', ')} not required`,
    );
  return gaps;
}

/** The full policy to send: the baseline, stronger existing values kept, other fields kept. */
export function passwordPolicyInput(
  want: Baseline['hardening']['passwordPolicy'],
  seen: PasswordPolicy | null,
): PasswordPolicy {
  return {
    MinimumPasswordLength: Math.max(MIN_LENGTH, want.minimumLength, seen?.MinimumPasswordLength ?? 0),
    RequireSymbols: true,
    RequireNumbers: true,
    RequireUppercaseCharacters: true,
    RequireLowercaseCharacters: true,
    AllowUsersToChangePassword: seen?.AllowUsersToChangePassword ?? true,
    PasswordReusePrevention: Math.max(want.reusePrevention, seen?.PasswordReusePrevention ?? 0),
    ...(seen?.MaxPasswordAge ? { MaxPasswordAge: seen.MaxPasswordAge } : {}),
    ...(seen?.HardExpiry !== undefined ? { HardExpiry: seen.HardExpiry } : {}),
  };
}
