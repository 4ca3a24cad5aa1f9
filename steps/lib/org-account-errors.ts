// What to tell a founder when AWS does not create an account. Each FailureReason of
// DescribeCreateAccountStatus and each CreateAccount call error becomes a StepError that
// says what to do next.
import { StepError } from '../contract.js';

export const ACCOUNT_QUOTA_LINK = 'https://console.aws.amazon.com/servicequotas/home/services/organizations/quotas/L-29A0C5DF';
export const PAYMENT_LINK = 'https://console.aws.amazon.com/billing/home#/paymentmethods';

interface Who { name: string; email: string }

/** A FAILED CreateAccountStatus. */
export function accountFailure(reason: string | undefined, who: Who): StepError {
  const what = `AWS could not create the account ${who.name} (${who.email})`;
  switch (reason) {
    case 'EMAIL_ALREADY_EXISTS':
      return new StepError(`${what}: ${who.email} already belongs to another AWS account (outside this organization, or closed in the last 90 days).`,
        `Pick another address for ${who.name} in the config (accounts → email), e.g. another +tag on your mailbox, and run again. If that account is yours, invite it into the organization from the AWS Organizations console instead.`);
    case 'ACCOUNT_LIMIT_EXCEEDED':
      return new StepError(`${what}: the organization has reached its quota of member accounts.`,
        `Request a higher "Default maximum number of accounts" in Service Quotas (${ACCOUNT_QUOTA_LINK}), or close accounts you no longer use; run again once AWS has raised it.`);
    case 'INVALID_EMAIL':
      return new StepError(`${what}: AWS says ${who.email} is not a valid email address.`,
        'Use an address that can receive mail (AWS sends the root user\'s sign-in there) in the config (accounts → email), and run again.');
    case 'INVALID_ADDRESS':
      return new StepError(`${what}: AWS says the management account's address is not valid.`,
        'Correct the contact address in the Billing console (Account → Contact information) and run again.');
    case 'CONCURRENT_ACCOUNT_MODIFICATION':
      return new StepError(`${what}: another change to the organization was going on at the same time.`,
        'Run secure-start again in a few minutes; it picks up where it stopped.');
    case 'MISSING_PAYMENT_INSTRUMENT':
    case 'INVALID_PAYMENT_INSTRUMENT':
      return new StepError(`${what}: the management account has no valid payment method.`,
        `Add a credit or debit card in the Billing console (${PAYMENT_LINK}), then run again.`);
    case 'MISSING_BUSINESS_VALIDATION':
    case 'PENDING_BUSINESS_VALIDATION':
    case 'FAILED_BUSINESS_VALIDATION':
    case 'INVALID_IDENTITY_FOR_BUSINESS_VALIDATION':
      return new StepError(`${what}: AWS has not finished verifying the management account (${reason}).`,
        'Wait for AWS\'s verification email (it can take up to 24 hours) or contact AWS Support, then run again.');
    case 'INTERNAL_FAILURE':
      return new StepError(`${what}: AWS had an internal failure.`, 'Run secure-start again in a few minutes; it picks up where it stopped.');
    default:
      return new StepError(`${what}${reason ? ` (${reason})` : ''}.`, 'Run again in a few minutes; if it fails again, contact AWS Support with this reason.');
  }
}

/** An error thrown by the CreateAccount call itself; undefined when it is not one we explain. */
export function createAccountCallError(e: unknown, who: Who): StepError | undefined {
  const err = e as { name?: string; message?: string; Reason?: string };
  const what = `AWS refused to create the account ${who.name} (${who.email})`;
  if (err.name === 'FinalizingOrganizationException')
    return new StepError(`${what}: AWS is still preparing the new organization.`, 'This can take up to an hour after the organization was created. Wait, then run secure-start again; it carries on where it stopped.');
  if (err.name === 'ConstraintViolationException') {
    const reason = err.Reason ?? /[A-Z_]{8,}/.exec(err.message ?? '')?.[0];
    if (reason === 'ACCOUNT_NUMBER_LIMIT_EXCEEDED')
      return new StepError(`${what}: the organization has reached its quota of member accounts.`,
        `Request a higher "Default maximum number of accounts" in Service Quotas (${ACCOUNT_QUOTA_LINK}), then run again.`);
    if (reason === 'ACCOUNT_CREATION_RATE_LIMIT_EXCEEDED')
      return new StepError(`${what}: too many accounts were created in this organization recently.`, 'Wait a day (or ask AWS Support to raise the rate), then run again.');
    return new StepError(`${what}: ${err.message ?? reason ?? 'a constraint was violated'}.`, 'Check the account name and email in the config, then run again.');
  }
  return undefined;
}
