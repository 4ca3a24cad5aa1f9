// What the wizard checks before its first question and before it applies anything: that there
// are AWS credentials, whose they are (root user or not, which account) and that this account
// is not a member of someone else's organization; then the root user's MFA. A founder never
// answers questions that credentials would have made pointless, and never gets a hundred
// changes made before the most important control is on.
import type { GlobalOptions } from './options.js';
import { CliExit } from './input.js';
import { AwsFactory } from '../aws/factory.js';
import { explainError } from '../engine/explain.js';
import { viewOf } from '../engine/engine.js';
import type { ActionView } from '../engine/io.js';
import { foreignOrganization } from '../steps/organization.js';
import { rootAccess, rootMfaAction } from '../steps/root-access.js';
import { credentialsGuide } from './session.js';
import { isAwsError } from '../aws/errors.js';

export interface Caller {
  account: string;
  arn: string;
  kind: 'root' | 'iam-user' | 'assumed-role' | 'unknown';
  /** The organization this account manages, if any (undefined: none, or not readable). */
  orgId?: string;
}

const isNoCredentials = (e: unknown) =>
  isAwsError(e, 'CredentialsProviderError') || /credential/i.test((e as Error).message);

/**
 * Who the credentials belong to, with reads only (sts:GetCallerIdentity,
 * organizations:DescribeOrganization). Throws CliExit: no credentials (exit 2, with the three
 * usual ways to get them), or a member account of another organization (exit 1, as the
 * organization step says it).
 */
export async function checkCaller(opts: Pick<GlobalOptions, 'profile'>, region: string): Promise<Caller> {
  const aws = new AwsFactory({ profile: opts.profile, region, readOnly: true });
  try {
    let me;
    try {
      me = await aws.call('sts', 'GetCallerIdentity', {});
    } catch (e) {
      throw new CliExit(
        isNoCredentials(e) ? credentialsGuide(opts.profile) : explainError(e).message,
        isNoCredentials(e) ? 2 : 1,
      );
    }
    const account = me.Account ?? '';
    const arn = me.Arn ?? '';
    const kind: Caller['kind'] = /:root$/.test(arn)
      ? 'root'
      : /:user\//.test(arn)
        ? 'iam-user'
        : /:assumed-role\//.test(arn)
          ? 'assumed-role'
          : 'unknown';
    let orgId: string | undefined;
    try {
      const org = (await aws.call('organizations', 'DescribeOrganization', {})).Organization;
      if (org?.MasterAccountId && org.MasterAccountId !== account) {
        const e = foreignOrganization(account, org.Id, org.MasterAccountId);
        throw new CliExit(`${e.message}\n${e.hint}`, 1);
      }
      orgId = org?.Id;
    } catch (e) {
      if (e instanceof CliExit) throw e;
      // No organization yet (a brand-new account), or not allowed to look: the plan says more.
      // https://docs.aws.amazon.com/organizations/latest/APIReference/API_DescribeOrganization.html
    }
    return { account, arn, kind, ...(orgId ? { orgId } : {}) };
  } finally {
    aws.destroy();
  }
}

/** One line for the founder: where they are signed in, and what that means here. */
export function callerLine(c: Caller): string {
  const who =
    c.kind === 'root'
      ? 'the root user (fine for a brand-new account: halfway through, secure-start moves you to your own Identity Center admin)'
      : `${c.arn} (it needs administrator rights in this management account)`;
  return `Signed in to AWS account ${c.account} as ${who}.`;
}

/**
 * The root MFA step as the plan shows it, when the management account's root user has no MFA;
 * undefined when it has (or when the summary cannot be read: the root-access step then says
 * why, in the plan).
 */
export async function rootMfaMissing(
  opts: Pick<GlobalOptions, 'profile'>,
  region: string,
): Promise<ActionView | undefined> {
  const aws = new AwsFactory({ profile: opts.profile, region, readOnly: true });
  try {
    // The same read as the root-access step's observe: GetAccountSummary's AccountMFAEnabled.
    // https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountSummary.html
    const summary = (await aws.call('iam', 'GetAccountSummary', {})).SummaryMap;
    if ((summary?.AccountMFAEnabled ?? 0) > 0) return undefined;
    return viewOf(rootAccess.id, rootMfaAction(), rootAccess.controls);
  } catch {
    return undefined;
  } finally {
    aws.destroy();
  }
}
