// Turns an error into one or two sentences a founder can act on. The AWS error code and
// request ID are kept apart, for --verbose.
import type { Explained } from './io.js';

const HINTS: Record<string, string> = {
  FinalizingOrganizationException:
    'AWS is still preparing the new organization. Wait a few minutes and run secure-start again; it carries on where it stopped.',
  AWSOrganizationsNotInUseException: 'This account is not in an AWS Organization yet.',
  AccessDeniedForDependencyException:
    'AWS refused because a service-linked role could not be created. Sign in as the root user or an administrator with iam:CreateServiceLinkedRole, then run again.',
  AccessDeniedException:
    "Your credentials are not allowed to do this. Use the management account's root user or an administrator (AdministratorAccess), then run again.",
  AccessDenied:
    "Your credentials are not allowed to do this. Use the management account's root user or an administrator (AdministratorAccess), then run again.",
  UnauthorizedOperation: 'Your credentials are not allowed to do this. Use an administrator, then run again.',
  ConcurrentModificationException:
    'Something else is changing the organization at the same time. Wait a minute and run again.',
  TooManyRequestsException: 'AWS is throttling requests and retries ran out. Wait a minute and run again.',
  ThrottlingException: 'AWS is throttling requests and retries ran out. Wait a minute and run again.',
  Throttling: 'AWS is throttling requests and retries ran out. Wait a minute and run again.',
  ServiceException: 'AWS had an internal error. Run again in a minute; secure-start carries on where it stopped.',
  InternalFailure: 'AWS had an internal error. Run again in a minute; secure-start carries on where it stopped.',
  ServiceUnavailable: 'The AWS service is unavailable right now. Run again in a minute.',
  CredentialsProviderError:
    'No AWS credentials were found. In AWS CloudShell they are already set; on a laptop run `aws configure sso` or `aws login`, or export AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or pass --profile NAME.',
  ExpiredTokenException: 'Your AWS session has expired. Sign in again (aws sso login) and run again.',
  ExpiredToken: 'Your AWS session has expired. Sign in again (aws sso login) and run again.',
  InvalidClientTokenId: 'AWS does not recognise these access keys. Check AWS_ACCESS_KEY_ID or the profile you passed.',
  UnrecognizedClientException:
    'AWS does not recognise these credentials. Check the profile or the environment variables.',
  CloudTrailAccessNotEnabledException:
    'CloudTrail is not yet trusted by the organization. Run again; the trusted-access step enables it first.',
  InsufficientS3BucketPolicyException:
    'The log bucket policy does not let CloudTrail write. Run again; the bucket step sets the policy.',
  // Conflicts and delays AWS documents as temporary (aws/writers.ts, steps/lib/account-readiness.ts):
  // secure-start already waited and retried; they outlasted that.
  OperationAborted:
    "Another change to this S3 bucket's settings was still in progress, and AWS kept refusing for two minutes. Wait a few minutes and run again; secure-start carries on where it stopped.",
  OptInRequired:
    'AWS is still setting up this account (or the region is not enabled for it). Wait a few minutes and run again; if it lasts, enable the region in the account (Account → AWS Regions).',
  NotSignedUp:
    "AWS is still setting up this new account's S3 service. Wait a few minutes and run again; secure-start carries on where it stopped.",
  SubscriptionRequiredException:
    "AWS is still setting up this new account's services. Wait a few minutes and run again; secure-start carries on where it stopped.",
};

export function explainError(e: unknown, where?: { service?: string; operation?: string }): Explained {
  const err = e as {
    name?: string;
    code?: string;
    message?: string;
    hint?: string;
    $metadata?: { requestId?: string };
    Code?: string;
  };
  const code = err?.name && err.name !== 'Error' ? err.name : (err?.code ?? err?.Code);
  const requestId = err?.$metadata?.requestId;
  if (err?.name === 'StepError') return { message: [err.message, err.hint].filter(Boolean).join(' '), ...where };
  if (err?.name === 'ReadOnlyViolation')
    return {
      message: `Refused to change AWS in a read-only run: ${err.message}. This is a bug in secure-start; please report it.`,
      code,
      ...where,
    };
  if (code && /ECONNREFUSED|ENOTFOUND|EAI_AGAIN/.test(`${err.code} ${err.message}`))
    return {
      message: `Could not reach AWS (${err.code ?? code}). Check your network connection and run again.`,
      code,
      requestId,
      ...where,
    };
  const hint = code ? HINTS[code] : undefined;
  const what = where?.service ? `${where.service}:${where.operation} failed` : 'Failed';
  const detail = err?.message && err.message !== code ? `: ${err.message.replace(/\s+/g, ' ').slice(0, 300)}` : '';
  return {
    message: hint ? `${what}. ${hint}` : `${what}${detail}${/\.$/.test(detail) ? '' : '.'}`,
    code,
    requestId,
    ...where,
  };
}
