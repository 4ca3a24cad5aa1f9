// A new member account is not usable the moment CreateAccount says SUCCEEDED: "it can return
// a successful completion message even though account initialization might still be in
// progress. You might need to wait a few minutes before you can successfully access the
// account." (https://docs.aws.amazon.com/organizations/latest/APIReference/API_CreateAccount.html)
// Until then AssumeRole into its OrganizationAccountAccessRole is denied, and once it works
// EC2 answers OptInRequired and S3 NotSignedUp for a while. Every later step works in member
// accounts, so the accounts step waits here (bounded, shown as progress) and records the
// account as ready in the state file.
import { MEMBER_ACCESS_DENIED } from '../../aws/factory.js';
import { isAwsError } from '../../aws/errors.js';
import { PollTimeout, StepError, type RunContext, type StepContext } from '../contract.js';

export const readyKey = (name: string): string => `${name}.ready`;

/** How long a new account may take before the run gives up (AWS says "a few minutes"). */
export const READY_TIMEOUT_MS = 15 * 60_000;
/** An account older than this is not "new": a denial there is a real denial, not a delay. */
export const NEW_ACCOUNT_MS = 24 * 3600_000;

/**
 * Errors a new account answers while AWS is still setting it up. OptInRequired:
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html; NotSignedUp:
 * https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList;
 * SubscriptionRequiredException: the JSON services' form.
 */
const NOT_SUBSCRIBED = ['OptInRequired', 'NotSignedUp', 'SubscriptionRequiredException'];

/**
 * Whether an error means "not ready yet". An AssumeRole denial counts only when AWS gives no
 * reason: AWS's access-denied messages name the policy that denied ("because no identity-based
 * policy allows…", "with an explicit deny in a service control policy"), and those never pass
 * with time (https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html).
 * A role that does not exist yet is refused without a reason.
 */
export function isNotReady(e: unknown): boolean {
  const err = e as { name?: string; code?: string; cause?: { message?: string } };
  if (err?.code === MEMBER_ACCESS_DENIED)
    return !/\bbecause\b|explicit deny|root accounts/i.test(err.cause?.message ?? '');
  return isAwsError(e, ...NOT_SUBSCRIBED);
}

/**
 * One look: can secure-start work in the account? The calls later steps depend on: AssumeRole
 * (through GetCallerIdentity), EC2 and S3 in the home region. All reads.
 */
export async function accountReady(ctx: StepContext, accountId: string): Promise<boolean> {
  const t = { account: accountId, region: ctx.want.homeRegion };
  try {
    await ctx.aws.call('sts', 'GetCallerIdentity', {}, t);
    await Promise.all([
      ctx.aws.call('ec2', 'GetEbsEncryptionByDefault', {}, t),
      ctx.aws.call('s3', 'ListBuckets', {}, t),
    ]);
    return true;
  } catch (e) {
    if (isNotReady(e)) return false;
    throw e;
  }
}

/**
 * Whether readiness can be seen with these credentials: the root user cannot assume roles at
 * all ("Roles may not be assumed by root accounts"), so a root run leaves the check to the run
 * that goes on as the Identity Center admin (leave-root).
 */
export const canCheckReadiness = (ctx: StepContext): boolean => ctx.value('caller.kind') !== 'root';

/** Waits until the account is ready (progress shown), or fails with what to do. */
export async function waitUntilReady(ctx: RunContext, name: string, accountId: string): Promise<void> {
  try {
    await ctx.poll(
      `waiting for the new account ${name} to be ready (AWS sets up a new account for a few minutes after creating it, usually under 2)`,
      async () => ((await accountReady(ctx, accountId)) ? true : undefined),
      { firstDelayMs: 100, factor: 2, maxDelayMs: 15_000, timeoutMs: READY_TIMEOUT_MS },
    );
  } catch (e) {
    if (!(e instanceof PollTimeout)) throw e;
    throw new StepError(
      `AWS has not finished setting up the new account ${name} (${accountId}) after ${READY_TIMEOUT_MS / 60_000} minutes: secure-start cannot sign in to it yet.`,
      "This is on AWS's side and usually clears within the hour. Run secure-start again later; it carries on where it stopped. If it lasts a day, contact AWS Support about the account.",
    );
  }
}
