// The root users. Management account: root MFA can only be turned on in the console, so it
// is a blocking manual step checked with GetAccountSummary, and root access keys get a loud
// warning. Member accounts: centralized root access (RootCredentialsManagement and
// RootSessions) so that nobody needs their root passwords, then an audit through
// sts:AssumeRoot (IAMAuditRootUserCredentials) that no member root user has a password,
// access keys or MFA devices.
// Covers: SSB ACCT.02, ACCT.05, CIS 1.4 (no root keys), 1.5 / 1.6 (root MFA).
import { StepError, mgmt, type Action, type Step, stepConfig } from './contract.js';
import { z } from 'zod';
import { mapLimit } from './lib/map-limit.js';
import { awsErrorName, isAwsError } from '../aws/errors.js';

export const ROOT_FEATURES = ['RootCredentialsManagement', 'RootSessions'] as const;
export const SECURITY_CREDENTIALS_LINK = 'https://console.aws.amazon.com/iam/home#/security_credentials';
export const ROOT_ACCESS_LINK = 'https://console.aws.amazon.com/iam/home#/root-access-management';

export interface MemberRootAudit {
  name: string;
  accountId: string;
  password: boolean;
  accessKeys: number;
  mfaDevices: number;
}

export interface RootSeen {
  /** Undefined when GetAccountSummary could not be read. */
  mfaEnabled?: boolean;
  accessKeysPresent?: boolean;
  /** Enabled centralized root access features; undefined when not looked at (centralize off). */
  features?: string[];
  /** Members whose root user was audited (accounts not audited are left out). */
  audit: MemberRootAudit[];
}

const isNoSuchEntity = (e: unknown) => isAwsError(e, 'NoSuchEntity', 'NoSuchEntityException');

const hasRootCredentials = (m: MemberRootAudit) => m.password || m.accessKeys > 0 || m.mfaDevices > 0;

/**
 * The audit's one-line report: the founder should see that members have NO root
 * credentials, not just hear nothing. `total` is the number of member accounts in the config.
 */
export function rootAuditReport(total: number, audit: MemberRootAudit[]): string {
  const bad = audit.filter(hasRootCredentials);
  const unchecked = total - audit.length;
  const tail =
    unchecked > 0 ? ` ${unchecked} member account${unchecked > 1 ? 's were' : ' was'} not checked yet (next run).` : '';
  if (bad.length)
    return `Root user audit: ${bad.length} of ${audit.length} member accounts still ${bad.length > 1 ? 'have' : 'has'} root credentials (${bad.map((m) => m.name).join(', ')}); see the manual steps below.${tail}`;
  return `Root user audit: none of the ${audit.length} member account${audit.length === 1 ? '' : 's'} checked has a root password, access key or MFA device (centralized root access).${tail}`;
}

/**
 * Root MFA on the management account: only the console can turn it on, so it is a blocking
 * step for a person, checked by GetAccountSummary's AccountMFAEnabled. The wizard asks for it
 * before it applies anything (it is the most important control), not after everything else.
 */
export function rootMfaAction(): Action {
  return {
    kind: 'manual',
    symbol: '!',
    service: 'console',
    operation: 'EnableRootMfa',
    input: {},
    target: mgmt('us-east-1'),
    summary: '! Turn on MFA for the root user of the management account',
    controls: ['SSB ACCT.05', 'CIS 1.5', 'CIS 1.6'],
    manual: {
      instructions: [
        'Sign in to the AWS console as the root user (the e-mail address of the management account).',
        `Open ${SECURITY_CREDENTIALS_LINK} (account menu → Security credentials).`,
        'Under "Multi-factor authentication (MFA)", choose "Assign MFA device".',
        'Prefer a passkey or hardware security key; an authenticator app also works.',
        'Then come back to secure-start: it checks that MFA is on (AccountMFAEnabled in the account summary).',
      ],
      why: 'The root user can do anything in every account of the organization; a password alone is too little.',
      link: SECURITY_CREDENTIALS_LINK,
      blocking: true,
    },
  };
}

const IAM_TRUSTED_ACCESS_HINT =
  'Centralized root access needs trusted access for IAM (iam.amazonaws.com) in AWS Organizations; secure-start enables it in its "trusted-access" step. Run again, or enable it under Organizations → Services → AWS Identity and Access Management.';

/** Centralized root access for member accounts (on by default). */
export const config = stepConfig({
  key: 'rootAccess',
  schema: () => z.strictObject({ centralize: z.boolean() }),
  defaults: () => ({ centralize: true }),
});

export const rootAccess: Step<RootSeen, typeof config> = {
  config,
  id: 'root-access',
  title: 'Root users: MFA, no access keys, centralized root access',
  // Centralized root access needs it (IAM user guide, "Centrally manage root access").
  trustedAccess: ['iam.amazonaws.com'],
  needs: ['organization', 'accounts', 'trusted-access', 'leave-root'],
  controls: ['SSB ACCT.02', 'SSB ACCT.05', 'CIS 1.4', 'CIS 1.5', 'CIS 1.6'],
  severity: 'critical',
  why: 'Root users can do anything in their account and no policy limits them: MFA and no keys are the first line of defence.',

  async observe(ctx) {
    let summary: Record<string, number> | undefined;
    try {
      summary = (await ctx.aws.call('iam', 'GetAccountSummary', {})).SummaryMap;
    } catch (e) {
      if (!/AccessDenied/.test(awsErrorName(e))) throw e;
      throw new StepError(
        'These credentials may not read the account summary (iam:GetAccountSummary), so root MFA cannot be checked.',
        'Run secure-start as the root user or an administrator of the management account.',
        { cause: e },
      );
    }
    const seen: RootSeen = {
      mfaEnabled: summary ? (summary.AccountMFAEnabled ?? 0) > 0 : undefined,
      accessKeysPresent: summary ? (summary.AccountAccessKeysPresent ?? 0) > 0 : undefined,
      audit: [],
    };
    if (seen.accessKeysPresent) {
      ctx.warn(
        'DANGER: the root user of the management account has access keys. Anyone holding them controls the whole organization and no policy can limit them. Delete them now: IAM console → Security credentials → Access keys (CIS 1.4).',
      );
    }
    if (!ctx.want.rootAccess.centralize) return seen;

    try {
      seen.features = (await ctx.aws.call('iam', 'ListOrganizationsFeatures', {})).EnabledFeatures ?? [];
    } catch (e) {
      // A plan before the organization exists, or before trusted access for IAM is on:
      // nothing enabled yet (the enable calls come after those steps in apply).
      const notYet = [
        'ServiceAccessNotEnabledException',
        'OrganizationNotFoundException',
        'AWSOrganizationsNotInUseException',
      ];
      if (!isAwsError(e, ...notYet)) throw e;
      seen.features = [];
    }
    // AssumeRoot into members only works once root sessions are enabled.
    if (!seen.features.includes('RootSessions')) return seen;

    const members = ctx.want.accounts.flatMap((a) => {
      const id = ctx.value(`${a.name}.accountId`);
      return id ? [{ name: a.name, id }] : [];
    });
    const results = await mapLimit(members, 4, async ({ name, id }): Promise<MemberRootAudit | undefined> => {
      const target = { account: id, session: 'root-audit' as const };
      try {
        let password = true;
        try {
          await ctx.aws.call('iam', 'GetLoginProfile', {}, target);
        } catch (e) {
          if (!isNoSuchEntity(e)) throw e;
          password = false;
        }
        const keys = await ctx.aws.pages('iam', 'ListAccessKeys', {}, target, { input: 'Marker', output: 'Marker' });
        const mfa = await ctx.aws.pages('iam', 'ListMFADevices', {}, target, { input: 'Marker', output: 'Marker' });
        return {
          name,
          accountId: id,
          password,
          accessKeys: keys.flatMap((p) => p.AccessKeyMetadata ?? []).length,
          mfaDevices: mfa.flatMap((p) => p.MFADevices ?? []).length,
        };
      } catch (e) {
        // One member that cannot be audited (still being created, suspended) must not hide the others.
        ctx.warn(
          `Could not audit the root user of ${name} (${id}): ${awsErrorName(e) || 'Error'}: ${(e as Error).message}. The next run tries again.`,
        );
        return undefined;
      }
    });
    seen.audit = results.filter((r): r is MemberRootAudit => !!r);
    if (ctx.want.accounts.length) ctx.info(rootAuditReport(ctx.want.accounts.length, seen.audit));
    return seen;
  },

  fresh: (ctx) => ({
    mfaEnabled: false,
    accessKeysPresent: false,
    ...(ctx.want.rootAccess.centralize ? { features: [] } : {}),
    audit: [],
  }),

  plan(want, seen) {
    const actions: Action[] = [];
    const target = mgmt('us-east-1');

    if (seen.mfaEnabled === false) actions.push(rootMfaAction());
    if (seen.accessKeysPresent) {
      actions.push({
        kind: 'manual',
        symbol: '!',
        service: 'console',
        operation: 'DeleteRootAccessKeys',
        input: {},
        target,
        summary: "! Delete the access keys of the management account's root user",
        controls: ['SSB ACCT.02', 'CIS 1.4'],
        manual: {
          instructions: [
            'Sign in to the AWS console as the root user.',
            `Open ${SECURITY_CREDENTIALS_LINK}.`,
            'Under "Access keys", deactivate, then delete every key.',
            'If a script uses them, give it an IAM Identity Center profile instead (secure-start profiles).',
          ],
          why: 'Root access keys cannot be limited by any policy and are the most damaging credential to leak.',
          link: SECURITY_CREDENTIALS_LINK,
          blocking: false,
        },
      });
    }

    if (want.rootAccess.centralize && seen.features) {
      const ops = {
        RootCredentialsManagement: 'EnableOrganizationsRootCredentialsManagement',
        RootSessions: 'EnableOrganizationsRootSessions',
      } as const;
      for (const feature of ROOT_FEATURES) {
        if (seen.features.includes(feature)) continue;
        const operation = ops[feature];
        actions.push({
          kind: 'call',
          symbol: '+',
          service: 'iam',
          operation,
          input: {},
          target,
          summary: `+ iam:${operation} (${feature === 'RootSessions' ? 'centralized root sessions are off: privileged root tasks in members without their root password' : 'centralized root credentials management is off: remove member root credentials centrally'})`,
          controls: ['SSB ACCT.02'],
          async run(ctx) {
            try {
              await ctx.aws.call('iam', operation, {});
            } catch (e) {
              if (isAwsError(e, 'ServiceAccessNotEnabledException'))
                throw new StepError(
                  'AWS refused to enable centralized root access: trusted access for IAM is off.',
                  IAM_TRUSTED_ACCESS_HINT,
                );
              throw e;
            }
          },
        });
      }

      for (const m of seen.audit) {
        const found = [
          ...(m.password ? ['a console password'] : []),
          ...(m.accessKeys ? [`${m.accessKeys} access key${m.accessKeys > 1 ? 's' : ''}`] : []),
          ...(m.mfaDevices ? [`${m.mfaDevices} MFA device${m.mfaDevices > 1 ? 's' : ''}`] : []),
        ];
        if (!found.length) continue;
        actions.push({
          kind: 'manual',
          symbol: '!',
          service: 'console',
          operation: 'DeleteMemberRootCredentials',
          input: { AccountId: m.accountId },
          target,
          summary: `! Delete the root credentials of ${m.name} (${m.accountId}): ${found.join(', ')}`,
          controls: ['SSB ACCT.02', 'CIS 1.4'],
          manual: {
            instructions: [
              `Open ${ROOT_ACCESS_LINK} (IAM → Root access management) in the management account.`,
              `Select the account ${m.name} (${m.accountId}) and choose "Take privileged action" → "Delete root user credentials".`,
              'Member accounts do not need root credentials: privileged root tasks are done centrally from now on.',
            ],
            why: `The root user of ${m.name} has ${found.join(', ')}; anyone with them can bypass every guardrail in that account.`,
            link: ROOT_ACCESS_LINK,
            blocking: false,
          },
        });
      }
    }
    return actions;
  },
};
