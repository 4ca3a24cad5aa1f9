// Where real AWS is less forgiving than a naive emulator. Each behaviour is ON by default (in
// the standalone emulator, the demo and the tests) and can be switched off by name for a test
// that needs it off: `--lenient NAME` on the command line, `config.lenient: [NAME]` in-process
// or over `POST /_emulator/config`. Durations come from the latency profile (`behaviours` in
// latency.ts): AWS-like in `realistic`, compressed but non-zero in `instant`, so the code paths
// that cope with them run in every test.
//
// This module keeps the timing state (what is in progress, what is not visible yet, token
// buckets) outside the world's dump: `GET state` compares two worlds by what they contain, not by
// when each thing was made.
import type { LatencyRange } from './latency.js';

export const BEHAVIOURS = {
  'org-conflicts': {
    summary:
      'Organizations refuses a write with ConcurrentModificationException while another write to the same organization is in progress (and for a short time after it answered).',
    // "AWS Organizations can't complete your request because it conflicts with another attempt to
    // modify the same entity": hashicorp/terraform-provider-aws#5073 (parallel policy attachments),
    // #9195 (the provider retries it since 2.19.0), org-formation/org-formation-cli#7 (CreatePolicy
    // then AttachPolicy in sequence), aws-control-tower-customizations#175 (UpdatePolicy);
    // https://docs.aws.amazon.com/organizations/latest/APIReference/API_AttachPolicy.html#API_AttachPolicy_Errors
    sources: [
      'https://github.com/hashicorp/terraform-provider-aws/issues/5073',
      'https://github.com/org-formation/org-formation-cli/issues/7',
    ],
  },
  throttling: {
    summary:
      "Request rates above a service's quota answer its throttling error (Organizations TooManyRequestsException; the Account API's documented per-operation rates).",
    // https://docs.aws.amazon.com/organizations/latest/APIReference/API_TooManyRequestsException.html
    // https://docs.aws.amazon.com/accounts/latest/reference/quotas.html (Put/Get/DeleteAlternateContact rates)
    sources: [
      'https://docs.aws.amazon.com/organizations/latest/APIReference/API_TooManyRequestsException.html',
      'https://docs.aws.amazon.com/accounts/latest/reference/quotas.html',
    ],
  },
  'account-creation-limits': {
    summary:
      'At most 5 CreateAccount requests in progress per organization (the 6th answers TooManyRequestsException, or ConcurrentModificationException with limitForm); a daily creation rate (ConstraintViolationException ACCOUNT_CREATION_RATE_LIMIT_EXCEEDED).',
    // Quotas page ("concurrent account creation"): https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html
    // What AWS answers past 5 is not documented; public reports show a throttling error.
    // https://docs.aws.amazon.com/organizations/latest/APIReference/API_ConstraintViolationException.html (ACCOUNT_CREATION_RATE_LIMIT_EXCEEDED)
    sources: [
      'https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html',
      'https://docs.aws.amazon.com/organizations/latest/APIReference/API_ConstraintViolationException.html',
    ],
  },
  'account-readiness': {
    summary:
      'A new account is not usable when CreateAccount says SUCCEEDED: AssumeRole into its OrganizationAccountAccessRole answers AccessDenied for a while, then its services answer OptInRequired (EC2), NotSignedUp (S3) or SubscriptionRequiredException (others) a while longer.',
    // "it can return a successful completion message even though account initialization might
    // still be in progress. You might need to wait a few minutes before you can successfully
    // access the account." https://docs.aws.amazon.com/organizations/latest/APIReference/API_CreateAccount.html
    // OptInRequired: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html
    // NotSignedUp: https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList
    sources: ['https://docs.aws.amazon.com/organizations/latest/APIReference/API_CreateAccount.html'],
  },
  's3-conflicts': {
    summary:
      'Overlapping writes to one bucket\'s configuration answer 409 OperationAborted ("A conflicting conditional operation is currently in progress against this resource").',
    // https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList (OperationAborted, 409)
    sources: ['https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList'],
  },
  'sso-conflicts': {
    summary:
      'Identity Center refuses CreateAccountAssignment, DeleteAccountAssignment and ProvisionPermissionSet with ConflictException while another of those operations on the same permission set is in progress.',
    // https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_CreateAccountAssignment.html#API_CreateAccountAssignment_Errors
    // aws-samples/assignment-automation-4-aws-sso#8 ("ConflictExceptions happening when you run too many operations"),
    // aws-cloudformation/cloudformation-coverage-roadmap#660 (parallel assignments of permission sets fail)
    sources: [
      'https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_CreateAccountAssignment.html',
      'https://github.com/aws-samples/assignment-automation-4-aws-sso/pull/8',
    ],
  },
  'eventual-consistency': {
    summary:
      'A resource just created is missing from List and lookup calls (Organizations accounts, OUs, policies and attachments; Identity Store users, groups and memberships; IAM organization features) for a short time; reads by ID see it at once.',
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_general.html#troubleshoot_general_eventual-consistency
    // https://docs.aws.amazon.com/organizations/latest/userguide/orgs_troubleshoot_general.html ("changes ... are not always immediately visible")
    sources: [
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_general.html#troubleshoot_general_eventual-consistency',
    ],
  },
} as const;

export type BehaviourName = keyof typeof BEHAVIOURS;
export const BEHAVIOUR_NAMES = Object.keys(BEHAVIOURS) as BehaviourName[];

export function isBehaviourName(s: string): s is BehaviourName {
  return (BEHAVIOUR_NAMES as string[]).includes(s);
}

/** How long each behaviour lasts, per latency profile (scaled by the latency scale). */
export interface BehaviourTimings {
  /** After an Organizations write answered, the organization stays busy this long. */
  orgWriteTail: LatencyRange;
  /** After a bucket configuration write answered, the bucket stays busy this long. */
  bucketWriteTail: LatencyRange;
  /** After CreateAccount SUCCEEDED: AssumeRole into the new account is denied this long. */
  accountRoleDelay: LatencyRange;
  /** After CreateAccount SUCCEEDED: the new account's services refuse calls this long (at least the role delay). */
  accountServicesDelay: LatencyRange;
  /** A created resource is missing from lists this long. */
  consistency: LatencyRange;
  /** Token buckets refill this many times faster than the quotas say (compressed time; 1 = real). */
  rateFactor: number;
}

/**
 * Request-rate quotas the emulator enforces (token buckets). `per`: whose requests share one
 * bucket. Organizations publishes no rates: the figures are an assumption that errs low (the
 * CLI must cope with TooManyRequestsException whatever the real figure is).
 */
export interface RateQuota {
  service: string;
  /** Operations sharing this bucket; undefined = every operation of the service. */
  operations?: string[];
  per: 'organization' | 'caller-account';
  /** Requests per second, and the burst (bucket size). */
  rate: number;
  burst: number;
  source: string;
}

export const RATE_QUOTAS: RateQuota[] = [
  {
    service: 'organizations',
    per: 'organization',
    rate: 10,
    burst: 20,
    source:
      'assumed: Organizations does not publish its API rates (https://docs.aws.amazon.com/organizations/latest/APIReference/API_TooManyRequestsException.html)',
  },
  {
    service: 'account',
    operations: ['PutAlternateContact'],
    per: 'caller-account',
    rate: 5,
    burst: 8,
    source: 'https://docs.aws.amazon.com/accounts/latest/reference/quotas.html',
  },
  {
    service: 'account',
    operations: ['GetAlternateContact'],
    per: 'caller-account',
    rate: 10,
    burst: 15,
    source: 'https://docs.aws.amazon.com/accounts/latest/reference/quotas.html',
  },
  {
    service: 'account',
    operations: ['DeleteAlternateContact'],
    per: 'caller-account',
    rate: 1,
    burst: 6,
    source: 'https://docs.aws.amazon.com/accounts/latest/reference/quotas.html',
  },
];

/** At most this many CreateAccount requests in progress per organization (quotas page). */
export const MAX_ACCOUNT_CREATIONS_IN_PROGRESS = 5;

/** S3 operations that change a bucket's configuration (they conflict with each other). */
export const BUCKET_CONFIG_WRITES = new Set([
  'CreateBucket',
  'DeleteBucket',
  'PutBucketPolicy',
  'DeleteBucketPolicy',
  'PutBucketVersioning',
  'PutBucketEncryption',
  'DeleteBucketEncryption',
  'PutBucketLifecycleConfiguration',
  'DeleteBucketLifecycle',
  'PutBucketOwnershipControls',
  'DeleteBucketOwnershipControls',
  'PutPublicAccessBlock',
  'DeletePublicAccessBlock',
  'PutBucketTagging',
  'DeleteBucketTagging',
  'PutObjectLockConfiguration',
  'PutBucketAcl',
  'PutBucketLogging',
  'PutBucketNotificationConfiguration',
  'PutBucketReplication',
  'DeleteBucketReplication',
]);

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * The timing state of the behaviours: writes in progress per resource, when each resource was
 * made, token buckets. Owned by the emulator, reset with the world, never dumped.
 */
export class BehaviourClock {
  /** Resource key ('org:o-…', 's3:bucket') → requests in progress and the end of its busy tail. */
  private busy = new Map<string, { inFlight: number; until: number }>();
  /** Resource key → epoch ms from which lists show it. */
  private visibleFrom = new Map<string, number>();
  private buckets = new Map<string, Bucket>();

  /** Whether a write to `key` now would overlap another one. */
  isBusy(key: string, now = Date.now()): boolean {
    const b = this.busy.get(key);
    return !!b && (b.inFlight > 0 || b.until > now);
  }

  /** A write to `key` started; call the returned function when it answered (with the tail to keep it busy). */
  begin(key: string): (tailMs: number) => void {
    let b = this.busy.get(key);
    if (!b) this.busy.set(key, (b = { inFlight: 0, until: 0 }));
    const rec = b;
    rec.inFlight++;
    let done = false;
    return (tailMs) => {
      if (done) return;
      done = true;
      rec.inFlight--;
      rec.until = Math.max(rec.until, Date.now() + tailMs);
    };
  }

  /** `key` was just created; lists show it only after `delayMs`. */
  created(key: string, delayMs: number, now = Date.now()): void {
    if (delayMs > 0) this.visibleFrom.set(key, now + delayMs);
  }

  /** Whether lists show `key` now (anything never marked is visible). */
  visible(key: string, now = Date.now()): boolean {
    const from = this.visibleFrom.get(key);
    if (from === undefined) return true;
    if (from <= now) {
      this.visibleFrom.delete(key);
      return true;
    }
    return false;
  }

  /** Takes a token from the bucket `key`; false when it is empty (the request is throttled). */
  take(key: string, rate: number, burst: number, now = Date.now()): boolean {
    let b = this.buckets.get(key);
    if (!b) this.buckets.set(key, (b = { tokens: burst, at: now }));
    b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * rate);
    b.at = now;
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  /** This clock's timings, copied from another (no request in flight in the copy). */
  copyFrom(other: BehaviourClock): void {
    this.busy = new Map([...other.busy].map(([k, b]) => [k, { inFlight: 0, until: b.until }]));
    this.visibleFrom = new Map(other.visibleFrom);
    this.buckets = new Map([...other.buckets].map(([k, b]) => [k, { ...b }]));
  }

  /** Every timing `ms` later (see World.shiftTime). */
  shift(ms: number): void {
    for (const b of this.busy.values()) b.until += ms;
    for (const [k, at] of this.visibleFrom) this.visibleFrom.set(k, at + ms);
    for (const b of this.buckets.values()) b.at += ms;
  }

  /** Everything made so far is listed, and no write keeps its resource busy after answering. */
  catchUp(): void {
    this.visibleFrom.clear();
    for (const b of this.busy.values()) b.until = 0;
  }

  reset(): void {
    this.busy.clear();
    this.visibleFrom.clear();
    this.buckets.clear();
  }
}
