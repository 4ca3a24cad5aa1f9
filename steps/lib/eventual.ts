// Lists and lookups are eventually consistent: something made a moment ago (by this run, or by
// a run that was stopped right after) may be missing from them for a while, while AWS's own
// uniqueness check already refuses a second one ("already exists").
// IAM: https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_general.html#troubleshoot_general_eventual-consistency
// Organizations: https://docs.aws.amazon.com/organizations/latest/userguide/orgs_troubleshoot_general.html
// Two rules follow: what the state file knows by ID is read by ID (a read AWS answers at
// once) before anything is created; and after "already exists", the lookup is repeated for a
// while instead of failing the run.
import { PollTimeout, type RunContext } from '../contract.js';

/** How long to keep looking for something AWS says exists but does not list yet. */
export const LIST_CATCH_UP_MS = 60_000;

/**
 * After AWS answered "already exists" to a create: the existing one, found by `lookup`, looked
 * for again (with progress shown) until AWS lists it, for at most a minute. Undefined if it
 * never shows (the caller then reports the original error).
 */
export async function findExisting<T>(
  ctx: RunContext,
  what: string,
  lookup: () => Promise<T | undefined>,
): Promise<T | undefined> {
  try {
    return await ctx.poll(`waiting for AWS to list ${what}, which already exists (usually seconds)`, lookup, {
      firstDelayMs: 250,
      maxDelayMs: 4_000,
      timeoutMs: LIST_CATCH_UP_MS,
    });
  } catch (e) {
    if (e instanceof PollTimeout) return undefined;
    throw e;
  }
}
