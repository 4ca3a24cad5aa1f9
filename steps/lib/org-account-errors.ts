// What to tell a founder when AWS does not create an account. Each FailureReason of
// DescribeCreateAccountStatus and each CreateAccount call error becomes a StepError that
// says what to do next.
import type { CreateAccountFailureReason } from '@aws-sdk/client-organizations';
import { StepError } from '../contract.js';
import { isAwsError } from '../../aws/errors.js';

export const ACCOUNT_QUOTA_LINK =
  'https://console.aws.amazon.com/servicequotas/home/services/organizations/quotas/L-29A0C5DF';
export const PAYMENT_LINK = 'https://console.aws.amazon.com/billing/home#/paymentmethods';
export const CONTACT_LINK = 'https://console.aws.amazon.com/billing/home#/account';

interface Who {
  name: string;
  email: string;
}

const AGAIN = 'Run secure-start again in a few minutes; it picks up where it stopped.';
const QUOTA = `Request a higher "Default maximum number of accounts" in Service Quotas (${ACCOUNT_QUOTA_LINK}), or close accounts you no longer use; run again once AWS has raised it.`;
const VERIFY = "Wait for AWS's verification email (it can take up to 24 hours) or contact AWS Support, then run again.";

/**
 * Every FailureReason the SDK knows (typed as a complete record, so a reason added to the SDK
 * fails the typecheck until it has a message): [what went wrong, what to do].
 */
const FAILURES: Record<CreateAccountFailureReason, (who: Who) => [string, string]> = {
  EMAIL_ALREADY_EXISTS: (w) => [
    `${w.email} already belongs to another AWS account (outside this organization, or closed in the last 90 days).`,
    `Pick another address for ${w.name} in the config (accounts → email), e.g. another +tag on your mailbox, and run again. If that account is yours, invite it into the organization from the AWS Organizations console instead.`,
  ],
  ACCOUNT_LIMIT_EXCEEDED: () => ['the organization has reached its quota of member accounts.', QUOTA],
  INVALID_EMAIL: (w) => [
    `AWS says ${w.email} is not a valid email address.`,
    "Use an address that can receive mail (AWS sends the root user's sign-in there) in the config (accounts → email), and run again.",
  ],
  INVALID_ADDRESS: () => [
    "AWS says the management account's postal address is not valid.",
    `Correct the contact address in the Billing console (${CONTACT_LINK}) and run again.`,
  ],
  CONCURRENT_ACCOUNT_MODIFICATION: () => ['another change to the organization was going on at the same time.', AGAIN],
  INTERNAL_FAILURE: () => ['AWS had an internal failure.', AGAIN],
  MISSING_PAYMENT_INSTRUMENT: () => [
    'the management account has no valid payment method.',
    `Add a credit or debit card in the Billing console (${PAYMENT_LINK}), then run again.`,
  ],
  INVALID_PAYMENT_INSTRUMENT: () => [
    "the management account's payment method was declined or is not valid.",
    `Update the card in the Billing console (${PAYMENT_LINK}), then run again.`,
  ],
  MISSING_BUSINESS_VALIDATION: () => [
    'AWS has not verified the management account yet (MISSING_BUSINESS_VALIDATION).',
    VERIFY,
  ],
  PENDING_BUSINESS_VALIDATION: () => [
    'AWS is still verifying the management account (PENDING_BUSINESS_VALIDATION).',
    VERIFY,
  ],
  FAILED_BUSINESS_VALIDATION: () => [
    'AWS could not verify the management account (FAILED_BUSINESS_VALIDATION).',
    'Contact AWS Support (Support Center → Account and billing) to complete the verification, then run again.',
  ],
  INVALID_IDENTITY_FOR_BUSINESS_VALIDATION: () => [
    'AWS could not verify the identity behind the management account (INVALID_IDENTITY_FOR_BUSINESS_VALIDATION).',
    'Contact AWS Support (Support Center → Account and billing) to complete the verification, then run again.',
  ],
  UNKNOWN_BUSINESS_VALIDATION: () => [
    'AWS could not tell whether the management account is verified (UNKNOWN_BUSINESS_VALIDATION).',
    VERIFY,
  ],
  GOVCLOUD_ACCOUNT_ALREADY_EXISTS: (w) => [
    `a GovCloud account already exists for ${w.email}.`,
    `Pick another address for ${w.name} in the config (accounts → email), then run again.`,
  ],
  UPDATE_EXISTING_RESOURCE_POLICY_WITH_TAGS_NOT_SUPPORTED: () => [
    'AWS could not apply the requested tags to the new account.',
    'Run again; if it fails again, contact AWS Support with this reason.',
  ],
};

/** A FAILED CreateAccountStatus. */
export function accountFailure(reason: string | undefined, who: Who): StepError {
  const what = `AWS could not create the account ${who.name} (${who.email})`;
  const known =
    reason !== undefined && Object.hasOwn(FAILURES, reason)
      ? FAILURES[reason as CreateAccountFailureReason]
      : undefined;
  if (known) {
    const [why, todo] = known(who);
    return new StepError(`${what}: ${why}`, todo);
  }
  return new StepError(
    `${what}${reason ? ` (${reason})` : ''}.`,
    'Run again in a few minutes; if it fails again, contact AWS Support with this reason.',
  );
}

/** ConstraintViolationException reasons that CreateAccount can answer. */
const CONSTRAINTS: Record<string, [string, string]> = {
  ACCOUNT_NUMBER_LIMIT_EXCEEDED: ['the organization has reached its quota of member accounts.', QUOTA],
  ACCOUNT_CREATION_RATE_LIMIT_EXCEEDED: [
    'too many accounts were created in this organization recently.',
    'Wait a day (or ask AWS Support to raise the rate), then run again.',
  ],
  MASTER_ACCOUNT_PAYMENT_INSTRUMENT_REQUIRED: [
    'the management account has no payment method.',
    `Add a credit or debit card in the Billing console (${PAYMENT_LINK}), then run again.`,
  ],
  MASTER_ACCOUNT_MISSING_CONTACT_INFO: [
    'the management account has no contact information.',
    `Fill in the contact information in the Billing console (${CONTACT_LINK}), then run again.`,
  ],
  MASTER_ACCOUNT_ADDRESS_DOES_NOT_MATCH_MARKETPLACE: [
    "the management account's address does not match its AWS marketplace (e.g. AWS India).",
    `Correct the address in the Billing console (${CONTACT_LINK}) or contact AWS Support, then run again.`,
  ],
  MASTER_ACCOUNT_MISSING_BUSINESS_LICENSE: [
    'the management account has no business license on file (required in some countries).',
    'Provide it through AWS Support, then run again.',
  ],
  ORGANIZATION_NOT_IN_ALL_FEATURES_MODE: [
    'the organization does not have all features enabled.',
    'Enable all features in the AWS Organizations console (Settings), then run again.',
  ],
};

/** An error thrown by the CreateAccount call itself; undefined when it is not one we explain. */
export function createAccountCallError(e: unknown, who: Who): StepError | undefined {
  const err = e as { name?: string; message?: string; Reason?: string };
  const what = `AWS refused to create the account ${who.name} (${who.email})`;
  if (isAwsError(e, 'FinalizingOrganizationException'))
    return new StepError(
      `${what}: AWS is still preparing the new organization.`,
      'This can take up to an hour after the organization was created. Wait, then run secure-start again; it carries on where it stopped.',
    );
  if (isAwsError(e, 'ConstraintViolationException')) {
    const reason = err.Reason ?? /[A-Z_]{8,}/.exec(err.message ?? '')?.[0];
    const known = reason !== undefined && Object.hasOwn(CONSTRAINTS, reason) ? CONSTRAINTS[reason] : undefined;
    if (known) return new StepError(`${what}: ${known[0]}`, known[1]);
    return new StepError(
      `${what}: ${err.message ?? reason ?? 'a constraint was violated'}.`,
      'Check the account name and email in the config, then run again.',
    );
  }
  return undefined;
}
