// Writes AWS will not run side by side, and the answers it gives when they overlap anyway.
// The factory sends the writes that share a key one at a time (a queue per key, in the order
// they were asked for) and retries, with backoff, only the conflicts AWS documents as "try
// again later". A step never has to think about either.
import { isAwsError } from './errors.js';

/**
 * The resource a write locks, or undefined when it may run beside any other write.
 *  - Organizations: one writer per organization. Parallel writes answer
 *    ConcurrentModificationException ("can't complete your request because it conflicts with
 *    another attempt to modify the same entity"): hashicorp/terraform-provider-aws#5073, #9195;
 *    https://docs.aws.amazon.com/organizations/latest/APIReference/API_ConcurrentModificationException.html
 *  - S3: one configuration write per bucket at a time. Overlapping ones answer 409
 *    OperationAborted ("A conflicting conditional operation is currently in progress against this
 *    resource. Try again."): https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList
 * (Identity Center serialises per permission set for the whole asynchronous operation, longer
 * than one call: the steps hold that lock with RunContext.exclusive.)
 */
export function writerKey(
  service: string,
  operation: string,
  input: Record<string, unknown> | undefined,
  account: string,
): string | undefined {
  if (service === 'organizations') return 'organizations';
  if (
    service === 's3' &&
    typeof input?.Bucket === 'string' &&
    /^(Create|Delete|Put)Bucket|^(Put|Delete)PublicAccessBlock$|^PutObjectLockConfiguration$/.test(operation)
  ) {
    return `s3:${account}:${input.Bucket}`;
  }
  return undefined;
}

/** Errors AWS documents as "another change is in progress; try again later". */
const CONFLICTS: Record<string, string[]> = {
  organizations: ['ConcurrentModificationException'],
  s3: ['OperationAborted'],
};

export function isDocumentedConflict(service: string, e: unknown): boolean {
  return isAwsError(e, ...(CONFLICTS[service] ?? []));
}

/**
 * Retry schedule for those conflicts: "equal jitter" (half fixed, half random) over 250 ms × 2^n, at most 8 s apart, for up
 * to two minutes (long enough for another tool's burst of writes; a conflict that outlasts it is
 * reported with its explanation).
 */
export const CONFLICT_RETRY = { baseMs: 250, capMs: 8_000, budgetMs: 120_000 };

export function conflictDelayMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(CONFLICT_RETRY.capMs, CONFLICT_RETRY.baseMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
