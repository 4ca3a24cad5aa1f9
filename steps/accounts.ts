// Member accounts (log-archive, audit, prod, dev…), each created once and moved into its OU.
// CreateAccount has no idempotency token, so an account is looked for, in order: by email in
// ListAccounts (case-insensitive), among the creations still IN_PROGRESS (by name), in the
// state file's in-flight request IDs, and by the account ID the state file recorded (when the
// email was changed in the config since); only then is it created, and its request ID is
// saved before the wait, so a crash resumes the wait instead of creating it twice.
// Every account is its own action: one that fails does not stop the others (the engine runs
// a step's actions in parallel and reports every failure at the end). AWS lets an organization
// have at most 5 creations in progress, so at most 5 create-and-wait actions run at once (a
// config with more accounts still finishes in one run); a new account is then waited for until
// AWS has finished setting it up (lib/account-readiness.ts), and only then is the step done.
// A list that does not show an account the state file knows yet (eventual consistency) is
// checked by its ID before anything is created.
// Covers: SSB ACCT.01 (separate accounts for separate purposes).
import { StepError, ref, type Action, type RunContext, type Step, type StepContext, type Val } from './contract.js';
import type { Baseline } from '../config/schema.js';
import { ORG_TARGET, orgKnown } from './lib/org-common.js';
import { mapLimit } from './lib/map-limit.js';
import { accountFailure, createAccountCallError } from './lib/org-account-errors.js';
import { NEW_ACCOUNT_MS, accountReady, canCheckReadiness, readyKey, waitUntilReady } from './lib/account-readiness.js';
import { ouKey } from './organizational-units.js';
import { isAwsError } from '../aws/errors.js';

export interface FoundAccount {
  id: string;
  /** Where it is now (root or OU ID); undefined when it could not be read. */
  parentId?: string;
  status?: string;
  /** Found by the ID this tool recorded, under another email than the config's (it was changed). */
  emailWas?: string;
  /** The email is the management account's own: it cannot be a member account too. */
  management?: boolean;
  /** Made recently and AWS has not finished setting it up: secure-start cannot work in it yet. */
  notReady?: boolean;
  /** When it joined the organization (epoch ms), when AWS said. */
  joinedAt?: number;
}

export interface AccountsSeen {
  rootId: Val;
  /** Configured account name → the account found for its email. */
  found: Record<string, FoundAccount>;
  /** Configured account name → CreateAccount request ID still IN_PROGRESS. */
  inflight: Record<string, string>;
  /** OU name → ID, for the OUs that exist. */
  ouIds: Record<string, string>;
  /** Account creations in progress that are not this config's (they use some of AWS's 5 slots). */
  othersInProgress: number;
}

export const accountKey = (name: string): string => `${name}.accountId`;
export const inflightKey = (email: string): string => `account:${email.toLowerCase()}`;

type Want = Baseline['accounts'][number];
/**
 * AWS lets an organization have 5 account creations in progress at a time
 * (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html).
 */
export const MAX_CREATIONS_IN_PROGRESS = 5;
const CREATION_SLOTS = 'organizations:account-creation';

/** Account states whose email cannot be used (PENDING_ACTIVATION is a new account, usable soon). */
const CLOSED = ['SUSPENDED', 'PENDING_CLOSURE', 'CLOSED'];
type Status = { Id?: string; State?: string; AccountId?: string; AccountName?: string; FailureReason?: string };

/** Waits for a CreateAccount request, then returns the new account's ID (or throws a StepError). */
async function waitForAccount(ctx: RunContext, a: Want, requestId: string): Promise<string> {
  // AWS answers CreateAccount at once and creates the account asynchronously; observed: one to
  // two minutes (https://docs.aws.amazon.com/organizations/latest/APIReference/API_CreateAccount.html).
  const status = await ctx.poll(
    `creating account ${a.name} (usually 1-2 minutes)`,
    async () => {
      let s: Status | undefined;
      try {
        s = (await ctx.aws.call('organizations', 'DescribeCreateAccountStatus', { CreateAccountRequestId: requestId }))
          .CreateAccountStatus;
      } catch (e) {
        // Just issued: the status may not be readable yet.
        if (isAwsError(e, 'CreateAccountStatusNotFoundException')) return undefined;
        throw e;
      }
      return s && s.State !== 'IN_PROGRESS' ? s : undefined;
    },
    { firstDelayMs: 1000, maxDelayMs: 15_000, timeoutMs: 30 * 60_000 },
  );
  await ctx.clearInflight(inflightKey(a.email));
  if (status.State === 'SUCCEEDED' && status.AccountId) return status.AccountId;
  if (status.FailureReason === 'CONCURRENT_ACCOUNT_MODIFICATION') {
    // "You already submitted a request with the same information" (CreateAccountStatus): the
    // other request makes the account; wait for that one instead.
    const other = (
      await ctx.aws.pages('organizations', 'ListCreateAccountStatus', { States: ['IN_PROGRESS', 'SUCCEEDED'] })
    )
      .flatMap((p) => p.CreateAccountStatuses ?? [])
      .find((x) => x.AccountName === a.name && x.Id && x.Id !== requestId);
    if (other?.Id) {
      await ctx.recordInflight(inflightKey(a.email), {
        service: 'organizations',
        operation: 'CreateAccount',
        requestId: other.Id,
      });
      return waitForAccount(ctx, a, other.Id);
    }
  }
  if (status.FailureReason === 'EMAIL_ALREADY_EXISTS') {
    // The email may be taken by our own account: the SDK retries a CreateAccount whose answer
    // was lost after AWS applied it, and that second request fails this way once the first
    // one made the account (so does a request racing another run). Then it is ours: adopt it.
    const listed = (await ctx.aws.pages('organizations', 'ListAccounts', {})).flatMap((p) => p.Accounts ?? []);
    const mine = listed.find(
      (x) => x.Id && x.Email?.toLowerCase() === a.email.toLowerCase() && x.Id !== ctx.value('management.accountId'),
    );
    if (mine?.Id) return mine.Id;
    // ListAccounts may not show an account made a moment ago (eventual consistency): an earlier
    // creation of this name that SUCCEEDED, read by ID, tells whether the email is ours.
    const mgmt = ctx.value('management.accountId');
    const done = (await ctx.aws.pages('organizations', 'ListCreateAccountStatus', { States: ['SUCCEEDED'] })).flatMap(
      (p) => p.CreateAccountStatuses ?? [],
    );
    for (const d of done.filter((x) => x.AccountName === a.name && x.AccountId && x.AccountId !== mgmt)) {
      const acct = await describeAccount(ctx, d.AccountId!);
      if (acct?.Email?.toLowerCase() === a.email.toLowerCase()) return d.AccountId!;
    }
  }
  throw accountFailure(status.FailureReason, a);
}

/**
 * CreateAccount, waiting for a free creation slot when AWS answers that too many are in
 * progress (someone else's creations, or a limit lower than documented). AWS does not document
 * that answer; public reports show a throttling error, so both TooManyRequestsException and
 * ConcurrentModificationException are taken to mean it (the factory has already retried each).
 */
async function sendCreate(
  ctx: RunContext,
  a: Want,
  input: { Email: string; AccountName: string },
): Promise<Status | undefined> {
  for (let attempt = 1; ; attempt++) {
    try {
      return (await ctx.aws.call('organizations', 'CreateAccount', input)).CreateAccountStatus;
    } catch (e) {
      if (!isAwsError(e, 'TooManyRequestsException', 'ConcurrentModificationException') || attempt >= 10)
        throw createAccountCallError(e, a) ?? e;
    }
    await ctx.poll(
      `waiting for one of AWS's ${MAX_CREATIONS_IN_PROGRESS} account-creation slots to create ${a.name} (each creation takes 1-2 minutes)`,
      async () => {
        const running = (
          await ctx.aws.pages('organizations', 'ListCreateAccountStatus', { States: ['IN_PROGRESS'] })
        ).flatMap((p) => p.CreateAccountStatuses ?? []);
        return running.length < MAX_CREATIONS_IN_PROGRESS ? true : undefined;
      },
      { firstDelayMs: 2_000, maxDelayMs: 15_000, timeoutMs: 30 * 60_000 },
    );
  }
}

/** The account exists (SUCCEEDED): make its ID known, then wait until AWS has set it up. */
async function whenReady(ctx: RunContext, a: Want, id: string): Promise<Record<string, string>> {
  // Known at once, so that moving it into its OU goes on while AWS finishes the account.
  ctx.publish(accountKey(a.name), id);
  if (!canCheckReadiness(ctx)) return { [accountKey(a.name)]: id };
  await waitUntilReady(ctx, a.name, id);
  return { [accountKey(a.name)]: id, [readyKey(a.name)]: 'true' };
}

type Listed = { Id?: string; Email?: string; State?: string; Status?: string; JoinedTimestamp?: Date };
const joined = (x: Listed): { joinedAt?: number } =>
  x.JoinedTimestamp ? { joinedAt: new Date(x.JoinedTimestamp).getTime() } : {};

/** The account by its ID (a read AWS answers at once), or undefined when it is not in the organization. */
async function describeAccount(ctx: StepContext, id: string): Promise<Listed | undefined> {
  try {
    return (await ctx.aws.call('organizations', 'DescribeAccount', { AccountId: id })).Account;
  } catch (e) {
    if (isAwsError(e, 'AccountNotFoundException')) return undefined;
    throw e;
  }
}

function createAction(a: Want, slots: number): Action {
  const input = { Email: a.email, AccountName: a.name };
  const key = accountKey(a.name);
  return {
    kind: 'call',
    symbol: '+',
    service: 'organizations',
    operation: 'CreateAccount',
    input,
    target: ORG_TARGET,
    summary: `+ organizations:CreateAccount ${a.name} (${a.email})`,
    produces: [key],
    async run(ctx) {
      // One of AWS's 5 in-progress slots from the request until SUCCEEDED (not the readiness wait).
      const id = await ctx.exclusive(
        CREATION_SLOTS,
        async () => {
          const status = await sendCreate(ctx, a, input);
          if (!status?.Id)
            throw new StepError(
              `AWS accepted the request to create ${a.name} but returned no request ID.`,
              'Run again in a few minutes: the account will be found by its email once AWS has made it.',
            );
          if (status.State === 'FAILED') throw accountFailure(status.FailureReason, a);
          // Saved before waiting: after a crash the next run resumes this wait.
          await ctx.recordInflight(inflightKey(a.email), {
            service: 'organizations',
            operation: 'CreateAccount',
            requestId: status.Id,
          });
          return waitForAccount(ctx, a, status.Id);
        },
        slots,
      );
      return whenReady(ctx, a, id);
    },
  };
}

/** An account that exists but that AWS is still setting up (found so by observe). */
function readyAction(a: Want, id: string): Action {
  const input = { RoleArn: `arn:aws:iam::${id}:role/OrganizationAccountAccessRole`, RoleSessionName: 'secure-start' };
  return {
    kind: 'call',
    symbol: '~',
    service: 'sts',
    operation: 'AssumeRole',
    input,
    target: { account: 'management', region: ORG_TARGET.region },
    summary: `~ wait until the new account ${a.name} (${id}) is ready: AWS is still setting it up`,
    produces: [readyKey(a.name)],
    async run(ctx) {
      await waitUntilReady(ctx, a.name, id);
      return { [readyKey(a.name)]: 'true' };
    },
  };
}

function resumeAction(a: Want, requestId: string, slots: number): Action {
  const input = { CreateAccountRequestId: requestId };
  const key = accountKey(a.name);
  return {
    kind: 'call',
    symbol: '+',
    service: 'organizations',
    operation: 'DescribeCreateAccountStatus',
    input,
    target: ORG_TARGET,
    summary: `+ organizations:CreateAccount ${a.name} (${a.email}): already requested (${requestId}), wait for it`,
    produces: [key],
    async run(ctx) {
      if (!ctx.inflight(inflightKey(a.email))) {
        await ctx.recordInflight(inflightKey(a.email), {
          service: 'organizations',
          operation: 'CreateAccount',
          requestId,
        });
      }
      const id = await ctx.exclusive(CREATION_SLOTS, () => waitForAccount(ctx, a, requestId), slots);
      return { ...(await whenReady(ctx, a, id)), [key]: id };
    },
  };
}

function moveAction(a: Want, accountId: Val, from: Val, to: Val, symbol: '+' | '~'): Action {
  const input = { AccountId: accountId, SourceParentId: from, DestinationParentId: to };
  return {
    kind: 'call',
    symbol,
    service: 'organizations',
    operation: 'MoveAccount',
    input,
    target: ORG_TARGET,
    summary: `${symbol} organizations:MoveAccount ${a.name} → ${a.ou} OU`,
    async run(ctx) {
      const i = ctx.input as { AccountId: string; SourceParentId: string; DestinationParentId: string };
      try {
        await ctx.aws.call('organizations', 'MoveAccount', i);
      } catch (e) {
        // Already there (a previous run got this far before it stopped).
        if (isAwsError(e, 'DuplicateAccountException')) return;
        if (isAwsError(e, 'SourceParentNotFoundException')) {
          // Not under the parent we saw: moved meanwhile, or the SDK retried a move whose answer
          // was lost after AWS applied it. Look where it is now and finish from there.
          const now = (await ctx.aws.pages('organizations', 'ListParents', { ChildId: i.AccountId })).flatMap(
            (p) => p.Parents ?? [],
          )[0]?.Id;
          if (now === i.DestinationParentId) return;
          if (now) {
            await ctx.aws.call('organizations', 'MoveAccount', { ...i, SourceParentId: now });
            return;
          }
        }
        if (isAwsError(e, 'SourceParentNotFoundException', 'AccountNotFoundException'))
          throw new StepError(
            `The account ${a.name} (${i.AccountId}) was not where secure-start expected it (${i.SourceParentId}); someone may have moved it meanwhile.`,
            'Run again: it is looked up afresh.',
          );
        throw e;
      }
    },
  };
}

export const accounts: Step<AccountsSeen> = {
  id: 'accounts',
  title: 'Member accounts, each in its OU',
  notes: (_want, planned) => {
    const n = planned.count('organizations:CreateAccount');
    return n
      ? {
          money: ['New accounts: free; you pay only for what runs in them.'],
          permanent: [
            `${n} new AWS account${n === 1 ? '' : 's'}: an account cannot be deleted at once; closing one takes 90 days, and each email address stays tied to it.`,
          ],
        }
      : {};
  },
  outputs: ['*.accountId', '*.ready'],
  needs: ['organization', 'organizational-units'],
  controls: ['SSB ACCT.01'],
  severity: 'high',
  why: 'Separate accounts keep production, development and the audit logs apart, so one mistake or one leaked key stays in its account.',

  async observe(ctx) {
    if (!orgKnown(ctx)) return accounts.fresh(ctx);
    const want = ctx.want.accounts;
    const listed = (await ctx.aws.pages('organizations', 'ListAccounts', {})).flatMap((p) => p.Accounts ?? []);
    const byEmail = new Map(listed.filter((x) => x.Email && x.Id).map((x) => [x.Email!.toLowerCase(), x]));
    const found: Record<string, FoundAccount> = {};
    const inflight: Record<string, string> = {};

    const missing: Want[] = [];
    for (const a of want) {
      const hit = byEmail.get(a.email.toLowerCase());
      if (hit) {
        found[a.name] = { id: hit.Id!, status: hit.State ?? hit.Status, ...joined(hit) }; // State replaces the deprecated Status
        if (hit.Id === ctx.value('management.accountId')) found[a.name]!.management = true;
      } else missing.push(a);
    }

    let othersInProgress = 0;
    if (missing.length) {
      const statuses = (
        await ctx.aws.pages('organizations', 'ListCreateAccountStatus', { States: ['IN_PROGRESS', 'SUCCEEDED'] })
      ).flatMap((p) => p.CreateAccountStatuses ?? []);
      const running = statuses.filter((s) => s.State === 'IN_PROGRESS');
      othersInProgress = running.filter((r) => !want.some((w) => w.name === r.AccountName)).length;
      for (const a of missing) {
        const r = running.find((s) => s.AccountName === a.name && s.Id);
        if (r) {
          inflight[a.name] = r.Id!;
          continue;
        }
        // Made a moment ago by a run that never saw the answer, and not listed yet (eventual
        // consistency): its creation says SUCCEEDED; read the account by ID and check the email.
        let adopted = false;
        for (const done of statuses.filter((s) => s.State === 'SUCCEEDED' && s.AccountName === a.name && s.AccountId)) {
          const acct = await describeAccount(ctx, done.AccountId!);
          if (acct?.Email?.toLowerCase() !== a.email.toLowerCase()) continue;
          found[a.name] = { id: acct.Id!, status: acct.State ?? acct.Status, ...joined(acct) };
          adopted = true;
          break;
        }
        if (adopted) continue;
        // A request this tool made that AWS no longer lists as in progress: ask for it.
        const rec = ctx.inflight(inflightKey(a.email));
        if (rec) {
          let s: Status | undefined;
          try {
            s = (
              await ctx.aws.call('organizations', 'DescribeCreateAccountStatus', {
                CreateAccountRequestId: rec.requestId,
              })
            ).CreateAccountStatus;
          } catch (e) {
            if (!isAwsError(e, 'CreateAccountStatusNotFoundException')) throw e;
          }
          if (s?.State === 'IN_PROGRESS') {
            inflight[a.name] = rec.requestId;
            continue;
          }
          // Made, but ListAccounts does not show it yet: adopt it rather than create another.
          if (s?.State === 'SUCCEEDED' && s.AccountId) {
            found[a.name] = { id: s.AccountId };
            continue;
          }
        }
        // The email was changed in the config after the account was made: the state file still
        // knows the account, which is in the organization under its old email. Keep using it;
        // a second account for the new address would leave the first one unmanaged.
        const known = ctx.value(accountKey(a.name));
        let prior: Listed | undefined = known ? listed.find((x) => x.Id === known) : undefined;
        // Or it was made a moment ago and ListAccounts does not show it yet (eventually
        // consistent); DescribeAccount reads it by ID.
        if (known && !prior) prior = await describeAccount(ctx, known);
        if (prior?.Id && prior.Email?.toLowerCase() === a.email.toLowerCase()) {
          found[a.name] = { id: prior.Id, status: prior.State ?? prior.Status, ...joined(prior) };
          continue;
        }
        const claimed =
          prior?.Email !== undefined && want.some((w) => w.email.toLowerCase() === prior!.Email!.toLowerCase());
        if (prior?.Id && prior.Id !== ctx.value('management.accountId') && !claimed) {
          found[a.name] = {
            id: prior.Id,
            status: prior.State ?? prior.Status,
            ...joined(prior),
            ...(prior.Email ? { emailWas: prior.Email } : {}),
          };
        }
      }
    }

    await mapLimit(Object.entries(found), 5, async ([name, f]) => {
      if (f.management) return; // never published as a member: later steps would change the management account instead
      ctx.publish(accountKey(name), f.id);
      const parents = (await ctx.aws.pages('organizations', 'ListParents', { ChildId: f.id })).flatMap(
        (p) => p.Parents ?? [],
      );
      if (parents[0]?.Id) f.parentId = parents[0].Id;
      // A new account this state file has not seen ready yet: can secure-start work in it?
      if (
        ctx.value(readyKey(name)) === 'true' ||
        (f.status && f.status !== 'ACTIVE' && f.status !== 'PENDING_ACTIVATION') ||
        !canCheckReadiness(ctx)
      )
        return;
      if (f.joinedAt !== undefined && Date.now() - f.joinedAt > NEW_ACCOUNT_MS) return;
      if (await accountReady(ctx, f.id)) ctx.publish(readyKey(name), 'true');
      else f.notReady = true;
    });

    const ouIds: Record<string, string> = {};
    for (const ou of ctx.want.organizationalUnits) {
      const id = ctx.value(ouKey(ou.name));
      if (id) ouIds[ou.name] = id;
    }
    return { rootId: ctx.value('org.rootId')!, found, inflight, ouIds, othersInProgress };
  },

  fresh: (ctx) => ({ rootId: ctx.ref('org.rootId'), found: {}, inflight: {}, ouIds: {}, othersInProgress: 0 }),

  plan(want, seen) {
    const actions: Action[] = [];
    for (const a of want.accounts) {
      const dest: Val = seen.ouIds[a.ou] ?? ref(ouKey(a.ou));
      const f = seen.found[a.name];
      if (f) {
        if (f.management) {
          actions.push({
            kind: 'manual',
            symbol: '!',
            service: 'console',
            operation: 'ChooseAnotherEmail',
            input: {},
            target: ORG_TARGET,
            summary: `! account ${a.name}: ${a.email} is the management account's own email`,
            manual: {
              instructions: [
                `${a.email} is the email of the management account (${f.id}), so it cannot be the email of the member account ${a.name} too.`,
                `Choose another email for ${a.name} in the config (accounts → email), e.g. another +tag on your mailbox, then run again.`,
              ],
              why: 'Every AWS account needs its own email address; secure-start must never mistake the management account for a member.',
              link: 'https://console.aws.amazon.com/organizations/v2/home/accounts',
              blocking: true,
            },
          });
          continue;
        }
        if (f.status && CLOSED.includes(f.status)) {
          actions.push({
            kind: 'manual',
            symbol: '!',
            service: 'console',
            operation: 'ChooseAnotherEmail',
            input: {},
            target: ORG_TARGET,
            summary: `! account ${a.name}: ${a.email} belongs to account ${f.id}, which is ${f.status.toLowerCase().replace(/_/g, ' ')}`,
            manual: {
              instructions: [
                `The email ${a.email} belongs to the account ${f.id}, which is closed or closing (${f.status}).`,
                `Choose another email for ${a.name} in the config (accounts → email), then run again.`,
              ],
              why: 'A closed account keeps its email for 90 days; AWS cannot create a new account with it.',
              link: 'https://console.aws.amazon.com/organizations/v2/home/accounts',
              blocking: true,
            },
          });
          continue;
        }
        if (f.emailWas) {
          actions.push({
            kind: 'manual',
            symbol: '!',
            service: 'console',
            operation: 'UpdatePrimaryEmail',
            input: {},
            target: ORG_TARGET,
            summary: `! account ${a.name} (${f.id}) still has the email ${f.emailWas}; the config says ${a.email}`,
            manual: {
              instructions: [
                `secure-start keeps using the account ${a.name} (${f.id}) and does not create another one for ${a.email}.`,
                `To give it the new address: AWS Organizations console → AWS accounts → ${a.name} → Edit the primary email (AWS sends a code to the new address). Or put ${f.emailWas} back in the config.`,
              ],
              why: "An account's email receives its root user's password resets and AWS notices; it should be the one you chose.",
              link: 'https://console.aws.amazon.com/organizations/v2/home/accounts',
              blocking: false,
            },
          });
        }
        // An account adopted from elsewhere in the organization is moved, never recreated.
        if (f.parentId !== undefined && f.parentId !== dest) actions.push(moveAction(a, f.id, f.parentId, dest, '~'));
        if (f.notReady) actions.push(readyAction(a, f.id));
        continue;
      }
      const requestId = seen.inflight[a.name];
      // Creations at once: AWS's 5, less the ones in progress that are not this config's.
      const slots = Math.max(1, MAX_CREATIONS_IN_PROGRESS - seen.othersInProgress);
      actions.push(requestId ? resumeAction(a, requestId, slots) : createAction(a, slots));
      // New accounts start under the root.
      actions.push(moveAction(a, ref(accountKey(a.name)), seen.rootId, dest, '+'));
    }
    return actions;
  },
};
