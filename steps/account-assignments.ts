// The group → permission set → account matrix (Admins get AdministratorAccess everywhere,
// Developers PowerUser on dev and ReadOnly on prod, …). Each assignment is observed with
// ListAccountAssignments and created with CreateAccountAssignment, which is asynchronous: its
// request ID is saved in the state file before the wait, so a crash resumes the wait. Every
// assignment is its own action: one that fails does not stop the others, and the step then
// fails listing each failure with what to do. Assignments made by hand outside the baseline
// are left alone.
// Covers: SSB ACCT.04 (least privilege per account), ACCT.13.
import { StepError, ref, type Action, type RunContext, type Step, type Val } from './contract.js';
import { mapLimit } from './lib/map-limit.js';
import {
  SSO_KEYS,
  SSO_POLL,
  accountIdKey,
  assignmentId,
  expandAssignments,
  groupKey,
  onePerPermissionSet,
  permissionSetKey,
  retryConflict,
  ssoKnown,
  ssoRegion,
  ssoTarget,
  type AssignmentWant,
} from './lib/sso-common.js';
import { isAwsError } from '../aws/errors.js';

export interface AssignmentsSeen {
  instanceArn: Val;
  region: string;
  /** assignmentId → true for the assignments that exist. */
  present: string[];
  /** assignmentId → CreateAccountAssignment request to wait on (in progress, or finished after the list was read). */
  inflight: Record<string, string>;
  /** What is known already (IDs), else refs for the plan. */
  accountIds: Record<string, Val>;
  setArns: Record<string, Val>;
  groupIds: Record<string, Val>;
}

export const assignmentKey = (a: AssignmentWant): string => `assignment:${assignmentId(a)}`;
const label = (a: AssignmentWant) => `${a.group} → ${a.permissionSet} on ${a.account}`;

type CreationStatus = { Status?: string; RequestId?: string; FailureReason?: string };

function failure(a: AssignmentWant, reason?: string): StepError {
  return new StepError(
    `Assigning ${label(a)} failed${reason ? `: ${reason}` : ''}.`,
    /quota|limit/i.test(reason ?? '')
      ? 'An Identity Center quota was reached: remove assignments you no longer use (IAM Identity Center console → AWS accounts), then run again.'
      : `Check the account and the permission set in the IAM Identity Center console (AWS accounts → ${a.account}), then run again: only the missing assignments are retried.`,
  );
}

/**
 * The creations among `ids` that have finished, with their outcome. Several waiting at once
 * (one per permission set can run): one ListAccountAssignmentCreationStatus (filter
 * IN_PROGRESS) says which are still running, and only the others are described, for their
 * outcome and reason (API_ListAccountAssignmentCreationStatus.html). A request too new to be
 * listed yet is described too, which says IN_PROGRESS: the list only ever saves calls.
 */
async function finishedCreations(
  ctx: RunContext,
  instanceArn: string,
  ids: string[],
): Promise<Map<string, CreationStatus>> {
  let running = new Set<string>();
  if (ids.length > 1) {
    running = new Set(
      (
        await ctx.aws.pages(
          'sso-admin',
          'ListAccountAssignmentCreationStatus',
          { InstanceArn: instanceArn, Filter: { Status: 'IN_PROGRESS' } },
          ctx.target,
        )
      )
        .flatMap((p) => p.AccountAssignmentsCreationStatus ?? [])
        .map((x) => x.RequestId)
        .filter((x): x is string => !!x),
    );
  }
  const done = new Map<string, CreationStatus>();
  await mapLimit(
    ids.filter((id) => !running.has(id)),
    5,
    async (id) => {
      const st = (
        await ctx.aws.call(
          'sso-admin',
          'DescribeAccountAssignmentCreationStatus',
          { InstanceArn: instanceArn, AccountAssignmentCreationRequestId: id },
          ctx.target,
        )
      ).AccountAssignmentCreationStatus as CreationStatus | undefined;
      if (st && st.Status !== 'IN_PROGRESS') done.set(id, st);
    },
  );
  return done;
}

async function waitAssignment(
  ctx: RunContext,
  a: AssignmentWant,
  instanceArn: string,
  requestId: string,
): Promise<void> {
  // Every assignment of the run waiting at once shares one look per round.
  const s = await ctx.pollTogether(
    `sso-admin:assignment-creations:${instanceArn}`,
    requestId,
    `assigning ${label(a)} (usually 5-15 seconds)`,
    (ids) => finishedCreations(ctx, instanceArn, ids),
    SSO_POLL,
  );
  await ctx.clearInflight(assignmentKey(a));
  if (s.Status !== 'SUCCEEDED') throw failure(a, s.FailureReason);
}

function createAction(a: AssignmentWant, seen: AssignmentsSeen): Action {
  const input = {
    InstanceArn: seen.instanceArn,
    TargetId: seen.accountIds[a.account] ?? ref(accountIdKey(a.account)),
    TargetType: 'AWS_ACCOUNT' as const,
    PermissionSetArn: seen.setArns[a.permissionSet] ?? ref(permissionSetKey(a.permissionSet)),
    PrincipalType: 'GROUP' as const,
    PrincipalId: seen.groupIds[a.group] ?? ref(groupKey(a.group)),
  };
  return {
    kind: 'call',
    symbol: '+',
    service: 'sso-admin',
    operation: 'CreateAccountAssignment',
    input,
    target: ssoTarget(seen.region),
    summary: `+ sso-admin:CreateAccountAssignment ${label(a)}`,
    async run(ctx) {
      const i = ctx.input as {
        InstanceArn: string;
        TargetId: string;
        TargetType: 'AWS_ACCOUNT';
        PermissionSetArn: string;
        PrincipalType: 'GROUP';
        PrincipalId: string;
      };
      await onePerPermissionSet(ctx, i.PermissionSetArn, async () => {
        let st: CreationStatus | undefined;
        try {
          st = (
            await retryConflict(ctx, `assigning ${label(a)}`, () =>
              ctx.aws.call('sso-admin', 'CreateAccountAssignment', i, ctx.target),
            )
          )?.AccountAssignmentCreationStatus;
        } catch (e) {
          if (isAwsError(e, 'ServiceQuotaExceededException')) throw failure(a, (e as Error).message);
          if (isAwsError(e, 'ResourceNotFoundException', 'ValidationException')) throw failure(a, (e as Error).message);
          throw e;
        }
        if (!st?.RequestId)
          throw new StepError(
            `AWS accepted ${label(a)} but returned no request ID.`,
            'Run again: the assignment is looked up afresh.',
          );
        if (st.Status === 'FAILED') throw failure(a, st.FailureReason);
        // Saved before waiting: after a crash the next run resumes this wait.
        await ctx.recordInflight(assignmentKey(a), {
          service: 'sso-admin',
          operation: 'CreateAccountAssignment',
          requestId: st.RequestId,
        });
        await waitAssignment(ctx, a, i.InstanceArn, st.RequestId);
      });
    },
  };
}

function resumeAction(a: AssignmentWant, seen: AssignmentsSeen, requestId: string): Action {
  const input = { InstanceArn: seen.instanceArn, AccountAssignmentCreationRequestId: requestId };
  return {
    kind: 'call',
    symbol: '+',
    service: 'sso-admin',
    operation: 'DescribeAccountAssignmentCreationStatus',
    input,
    target: ssoTarget(seen.region),
    summary: `+ sso-admin:CreateAccountAssignment ${label(a)}: already requested (${requestId}), wait for it`,
    async run(ctx) {
      const i = ctx.input as { InstanceArn: string };
      if (!ctx.inflight(assignmentKey(a)))
        await ctx.recordInflight(assignmentKey(a), {
          service: 'sso-admin',
          operation: 'CreateAccountAssignment',
          requestId,
        });
      // The request still runs on the permission set: hold its slot until it is done.
      const setArn =
        typeof seen.setArns[a.permissionSet] === 'string' ? (seen.setArns[a.permissionSet] as string) : undefined;
      if (setArn) await onePerPermissionSet(ctx, setArn, () => waitAssignment(ctx, a, i.InstanceArn, requestId));
      else await waitAssignment(ctx, a, i.InstanceArn, requestId);
    },
  };
}

export const accountAssignments: Step<AssignmentsSeen> = {
  id: 'account-assignments',
  title: 'Identity Center assignments: group → permission set → account',
  needs: ['accounts', 'permission-sets', 'identity-store'],
  controls: ['SSB ACCT.04', 'SSB ACCT.13'],
  severity: 'medium',
  why: 'Without the assignments, the founder and the team cannot sign in to the accounts they need and fall back to the root user or long-lived keys.',

  async observe(ctx) {
    const base = accountAssignments.fresh(ctx);
    if (!ssoKnown(ctx)) return base;
    const instanceArn = ctx.value(SSO_KEYS.instanceArn)!;
    const target = ssoTarget(base.region);
    const want = expandAssignments(ctx.want);
    const known = (k: string) => ctx.value(k);
    const accountIds: Record<string, string> = {};
    const setArns: Record<string, string> = {};
    const groupIds: Record<string, string> = {};
    for (const a of want) {
      const acc = known(accountIdKey(a.account));
      if (acc) accountIds[a.account] = acc;
      const set = known(permissionSetKey(a.permissionSet));
      if (set) setArns[a.permissionSet] = set;
      const grp = known(groupKey(a.group));
      if (grp) groupIds[a.group] = grp;
    }
    // One list per (account, permission set) that could hold any of ours.
    const pairs = [
      ...new Map(
        want
          .filter((a) => accountIds[a.account] && setArns[a.permissionSet])
          .map((a) => [
            `${accountIds[a.account]}|${setArns[a.permissionSet]}`,
            { accountId: accountIds[a.account]!, arn: setArns[a.permissionSet]! },
          ]),
      ).values(),
    ];
    const existing = new Set<string>();
    await mapLimit(pairs, 5, async (p) => {
      const pages = await ctx.aws.pages(
        'sso-admin',
        'ListAccountAssignments',
        { InstanceArn: instanceArn, AccountId: p.accountId, PermissionSetArn: p.arn },
        target,
      );
      for (const x of pages.flatMap((pg) => pg.AccountAssignments ?? [])) {
        existing.add(`${x.AccountId}|${x.PermissionSetArn}|${x.PrincipalType}|${x.PrincipalId}`);
      }
    });
    const present: string[] = [];
    const inflight: Record<string, string> = {};
    const missing: AssignmentWant[] = [];
    const cell = (a: AssignmentWant) => `${accountIds[a.account]}|${setArns[a.permissionSet]}|${groupIds[a.group]}`;
    for (const a of want) {
      const acc = accountIds[a.account];
      const set = setArns[a.permissionSet];
      const grp = groupIds[a.group];
      if (acc && set && grp && existing.has(`${acc}|${set}|GROUP|${grp}`)) present.push(assignmentId(a));
      else missing.push(a);
    }
    // A creation still running is waited for, never asked twice: the ones this tool recorded
    // in the state file, and (a crash between AWS's answer and that record) any other
    // IN_PROGRESS creation for the same cell.
    const describe = async (requestId: string) => {
      try {
        return (
          await ctx.aws.call(
            'sso-admin',
            'DescribeAccountAssignmentCreationStatus',
            { InstanceArn: instanceArn, AccountAssignmentCreationRequestId: requestId },
            target,
          )
        ).AccountAssignmentCreationStatus;
      } catch (e) {
        if (isAwsError(e, 'ResourceNotFoundException')) return undefined;
        throw e;
      }
    };
    await mapLimit(missing, 5, async (a) => {
      const rec = ctx.inflight(assignmentKey(a));
      if (!rec) return;
      // Finished since the list above, or still running: either way, wait on it (which also clears the record).
      const st = await describe(rec.requestId);
      if (st && st.Status !== 'FAILED') inflight[assignmentId(a)] = rec.requestId;
    });
    const unknown = missing.filter(
      (a) => !inflight[assignmentId(a)] && accountIds[a.account] && setArns[a.permissionSet] && groupIds[a.group],
    );
    if (unknown.length) {
      const running = (
        await ctx.aws.pages(
          'sso-admin',
          'ListAccountAssignmentCreationStatus',
          { InstanceArn: instanceArn, Filter: { Status: 'IN_PROGRESS' } },
          target,
        )
      )
        .flatMap((p) => p.AccountAssignmentsCreationStatus ?? [])
        .map((x) => x.RequestId)
        .filter((x): x is string => !!x);
      const byCell = new Map<string, string>();
      await mapLimit(running, 5, async (id) => {
        const st = await describe(id);
        if (st && st.Status !== 'FAILED' && st.PrincipalType === 'GROUP')
          byCell.set(`${st.TargetId}|${st.PermissionSetArn}|${st.PrincipalId}`, id);
      });
      for (const a of unknown) {
        const id = byCell.get(cell(a));
        if (id) inflight[assignmentId(a)] = id;
      }
    }
    return { ...base, instanceArn, present, inflight, accountIds, setArns, groupIds };
  },

  fresh: (ctx) => ({
    instanceArn: ctx.ref(SSO_KEYS.instanceArn),
    region: ssoRegion(ctx),
    present: [],
    inflight: {},
    accountIds: {},
    setArns: {},
    groupIds: {},
  }),

  plan(want, seen) {
    const actions: Action[] = [];
    for (const a of expandAssignments(want)) {
      const id = assignmentId(a);
      if (seen.present.includes(id)) continue;
      const requestId = seen.inflight[id];
      actions.push(requestId ? resumeAction(a, seen, requestId) : createAction(a, seen));
    }
    return actions;
  },
};
