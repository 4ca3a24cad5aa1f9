import { describe, expect, it } from 'vitest';
import { accountAssignments, type AssignmentsSeen } from '../../../steps/account-assignments.js';
import { expandAssignments, assignmentId } from '../../../steps/lib/sso-common.js';
import { StepError } from '../../../steps/contract.js';
import {
  ACCOUNTS,
  ALL_VALUES,
  GROUP_IDS,
  INSTANCE,
  MGMT,
  SETS,
  awsErr,
  brief,
  fakeCtx,
  fakeRun,
  psArn,
  want as basicWant,
} from './fixtures.js';

const want = basicWant();
const IDS: Record<string, string> = { management: MGMT, ...ACCOUNTS };
const MATRIX = expandAssignments(want);
const seen = (over: Partial<AssignmentsSeen> = {}): AssignmentsSeen => ({
  instanceArn: INSTANCE,
  region: 'eu-west-1',
  present: MATRIX.map(assignmentId),
  inflight: {},
  accountIds: IDS,
  setArns: Object.fromEntries(SETS.map((s) => [s, psArn(s)])),
  groupIds: { ...GROUP_IDS },
  ...over,
});

describe('the assignment matrix', () => {
  it('expands "*" to the management account and every member, and names to themselves', () => {
    expect(MATRIX.map(assignmentId)).toEqual([
      ...['management', 'log-archive', 'audit', 'prod', 'dev'].map((a) => `Admins|AdministratorAccess|${a}`),
      'Developers|PowerUser|dev',
      'Developers|ReadOnly|prod',
      ...['management', 'log-archive', 'audit', 'prod', 'dev'].map((a) => `Auditors|ReadOnly|${a}`),
      'Billing|Billing|management',
    ]);
  });

  it('the founder (Admins) gets AdministratorAccess on the management account by default', () => {
    expect(MATRIX).toContainEqual({ group: 'Admins', permissionSet: 'AdministratorAccess', account: 'management' });
    expect(want.identityCenter.founderGroups).toEqual(['Admins']);
  });
});

describe('account-assignments plan', () => {
  it('fresh: one CreateAccountAssignment per cell, with refs for what does not exist yet', () => {
    const f = fakeCtx(want, () => undefined, { 'management.accountId': MGMT });
    const actions = accountAssignments.plan(want, accountAssignments.fresh(f.ctx));
    expect(actions).toHaveLength(13);
    expect(brief(actions.slice(0, 2))).toEqual([
      {
        symbol: '+',
        op: 'sso-admin:CreateAccountAssignment',
        input: {
          InstanceArn: '<sso.instanceArn>',
          TargetId: '<management.accountId>',
          TargetType: 'AWS_ACCOUNT',
          PermissionSetArn: '<permissionSet.AdministratorAccess.arn>',
          PrincipalType: 'GROUP',
          PrincipalId: '<group.Admins.id>',
        },
      },
      {
        symbol: '+',
        op: 'sso-admin:CreateAccountAssignment',
        input: {
          InstanceArn: '<sso.instanceArn>',
          TargetId: '<log-archive.accountId>',
          TargetType: 'AWS_ACCOUNT',
          PermissionSetArn: '<permissionSet.AdministratorAccess.arn>',
          PrincipalType: 'GROUP',
          PrincipalId: '<group.Admins.id>',
        },
      },
    ]);
    expect(actions[0]!.summary).toBe('+ sso-admin:CreateAccountAssignment Admins → AdministratorAccess on management');
  });

  it('all present: nothing', () => {
    expect(accountAssignments.plan(want, seen())).toEqual([]);
  });

  it('one removed behind our back: only that one is created again, with real IDs', () => {
    const present = seen().present.filter((p) => p !== 'Developers|ReadOnly|prod');
    expect(brief(accountAssignments.plan(want, seen({ present })))).toEqual([
      {
        symbol: '+',
        op: 'sso-admin:CreateAccountAssignment',
        input: {
          InstanceArn: INSTANCE,
          TargetId: ACCOUNTS.prod,
          TargetType: 'AWS_ACCOUNT',
          PermissionSetArn: psArn('ReadOnly'),
          PrincipalType: 'GROUP',
          PrincipalId: 'g-devs',
        },
      },
    ]);
  });

  it('one still being created: its wait is resumed instead of asking twice', () => {
    const present = seen().present.filter((p) => p !== 'Billing|Billing|management');
    const actions = accountAssignments.plan(
      want,
      seen({ present, inflight: { 'Billing|Billing|management': 'req-7' } }),
    );
    expect(brief(actions)).toEqual([
      {
        symbol: '+',
        op: 'sso-admin:DescribeAccountAssignmentCreationStatus',
        input: { InstanceArn: INSTANCE, AccountAssignmentCreationRequestId: 'req-7' },
      },
    ]);
  });
});

describe('account-assignments observe', () => {
  it('lists each (account, set) pair once and matches our groups; finds in-flight creations from the state file and unrecorded ones still IN_PROGRESS', async () => {
    const lists: string[] = [];
    const f = fakeCtx(
      want,
      (_s, op, input) => {
        if (op === 'ListAccountAssignments') {
          lists.push(`${input.AccountId}|${input.PermissionSetArn}`);
          // prod ReadOnly has only the Auditors; dev PowerUser has someone else's group.
          if (input.AccountId === ACCOUNTS.prod && input.PermissionSetArn === psArn('ReadOnly'))
            return {
              AccountAssignments: [
                {
                  AccountId: ACCOUNTS.prod,
                  PermissionSetArn: psArn('ReadOnly'),
                  PrincipalType: 'GROUP',
                  PrincipalId: 'g-auditors',
                },
              ],
            };
          if (input.AccountId === ACCOUNTS.dev && input.PermissionSetArn === psArn('PowerUser'))
            return {
              AccountAssignments: [
                {
                  AccountId: ACCOUNTS.dev,
                  PermissionSetArn: psArn('PowerUser'),
                  PrincipalType: 'GROUP',
                  PrincipalId: 'g-other',
                },
              ],
            };
          const group =
            input.PermissionSetArn === psArn('AdministratorAccess')
              ? 'g-admins'
              : input.PermissionSetArn === psArn('ReadOnly')
                ? 'g-auditors'
                : 'g-billing';
          return {
            AccountAssignments: [
              {
                AccountId: input.AccountId,
                PermissionSetArn: input.PermissionSetArn,
                PrincipalType: 'GROUP',
                PrincipalId: group,
              },
            ],
          };
        }
        if (op === 'DescribeAccountAssignmentCreationStatus') {
          const id = input.AccountAssignmentCreationRequestId;
          // req-orphan: made by a run killed before it could record it; req-done: long finished.
          if (id === 'req-orphan')
            return {
              AccountAssignmentCreationStatus: {
                Status: 'IN_PROGRESS',
                RequestId: id,
                TargetId: ACCOUNTS.prod,
                PermissionSetArn: psArn('ReadOnly'),
                PrincipalType: 'GROUP',
                PrincipalId: 'g-devs',
              },
            };
          if (id === 'req-other')
            return {
              AccountAssignmentCreationStatus: {
                Status: 'IN_PROGRESS',
                RequestId: id,
                TargetId: ACCOUNTS.prod,
                PermissionSetArn: psArn('ReadOnly'),
                PrincipalType: 'GROUP',
                PrincipalId: 'g-someone-else',
              },
            };
          return { AccountAssignmentCreationStatus: { Status: 'IN_PROGRESS', RequestId: id } };
        }
        if (op === 'ListAccountAssignmentCreationStatus') {
          expect(input.Filter).toEqual({ Status: 'IN_PROGRESS' });
          return {
            AccountAssignmentsCreationStatus: [
              { RequestId: 'req-orphan', Status: 'IN_PROGRESS' },
              { RequestId: 'req-other', Status: 'IN_PROGRESS' },
            ],
          };
        }
        throw new Error(`unexpected ${op}`);
      },
      ALL_VALUES,
    );
    f.ctx.inflight = (k) =>
      k === 'assignment:Developers|PowerUser|dev'
        ? {
            key: k,
            step: 'account-assignments',
            service: 'sso-admin',
            operation: 'CreateAccountAssignment',
            requestId: 'req-dev',
            startedAt: '',
          }
        : undefined;
    const s = await accountAssignments.observe(f.ctx);
    expect(new Set(lists).size).toBe(lists.length);
    expect(lists).toHaveLength(12);
    expect(s.present.sort()).toEqual(
      MATRIX.map(assignmentId)
        .filter((p) => p !== 'Developers|ReadOnly|prod' && p !== 'Developers|PowerUser|dev')
        .sort(),
    );
    expect(s.inflight).toEqual({ 'Developers|PowerUser|dev': 'req-dev', 'Developers|ReadOnly|prod': 'req-orphan' });
    // Both are waited for; nothing is asked twice.
    expect(brief(accountAssignments.plan(want, s))).toEqual([
      {
        symbol: '+',
        op: 'sso-admin:DescribeAccountAssignmentCreationStatus',
        input: { InstanceArn: INSTANCE, AccountAssignmentCreationRequestId: 'req-dev' },
      },
      {
        symbol: '+',
        op: 'sso-admin:DescribeAccountAssignmentCreationStatus',
        input: { InstanceArn: INSTANCE, AccountAssignmentCreationRequestId: 'req-orphan' },
      },
    ]);
  });
});

describe('account-assignments observe: recorded requests', () => {
  const run = async (status: string) => {
    const f = fakeCtx(
      want,
      (_s, op, input) => {
        if (op === 'ListAccountAssignments') {
          // Everything but Billing on management exists.
          if (input.PermissionSetArn === psArn('Billing')) return { AccountAssignments: [] };
          const group =
            input.PermissionSetArn === psArn('AdministratorAccess')
              ? 'g-admins'
              : input.PermissionSetArn === psArn('PowerUser')
                ? 'g-devs'
                : undefined;
          const rows = [
            {
              AccountId: input.AccountId,
              PermissionSetArn: input.PermissionSetArn,
              PrincipalType: 'GROUP',
              PrincipalId: 'g-auditors',
            },
          ];
          if (group) rows.push({ ...rows[0]!, PrincipalId: group });
          if (input.AccountId === ACCOUNTS.prod && input.PermissionSetArn === psArn('ReadOnly'))
            rows.push({ ...rows[0]!, PrincipalId: 'g-devs' });
          return { AccountAssignments: rows };
        }
        if (op === 'DescribeAccountAssignmentCreationStatus')
          return {
            AccountAssignmentCreationStatus: { Status: status, RequestId: input.AccountAssignmentCreationRequestId },
          };
        if (op === 'ListAccountAssignmentCreationStatus') return { AccountAssignmentsCreationStatus: [] };
        throw new Error(`unexpected ${op}`);
      },
      ALL_VALUES,
    );
    f.ctx.inflight = (k) =>
      k === 'assignment:Billing|Billing|management'
        ? {
            key: k,
            step: 'account-assignments',
            service: 'sso-admin',
            operation: 'CreateAccountAssignment',
            requestId: 'req-b',
            startedAt: '',
          }
        : undefined;
    return accountAssignments.plan(want, await accountAssignments.observe(f.ctx)).map((a) => a.operation);
  };

  it('finished after the list was read (SUCCEEDED): waited on (which clears the record), not asked again', async () => {
    expect(await run('SUCCEEDED')).toEqual(['DescribeAccountAssignmentCreationStatus']);
  });

  it('FAILED: asked again', async () => {
    expect(await run('FAILED')).toEqual(['CreateAccountAssignment']);
  });
});

describe('account-assignments run', () => {
  const one = () =>
    accountAssignments.plan(
      want,
      seen({ present: seen().present.filter((p) => p !== 'Admins|AdministratorAccess|prod') }),
    )[0]!;

  it('records the request ID before polling, waits for SUCCEEDED, clears it', async () => {
    const a = one();
    let polls = 0;
    const r = fakeRun(want, a, (_s, op, input) => {
      if (op === 'CreateAccountAssignment') {
        expect(input).toEqual({
          InstanceArn: INSTANCE,
          TargetId: ACCOUNTS.prod,
          TargetType: 'AWS_ACCOUNT',
          PermissionSetArn: psArn('AdministratorAccess'),
          PrincipalType: 'GROUP',
          PrincipalId: 'g-admins',
        });
        return { AccountAssignmentCreationStatus: { RequestId: 'req-1', Status: 'IN_PROGRESS' } };
      }
      if (op === 'DescribeAccountAssignmentCreationStatus') {
        expect(r.events).toEqual(['record assignment:Admins|AdministratorAccess|prod req-1']);
        return {
          AccountAssignmentCreationStatus: { RequestId: 'req-1', Status: ++polls < 3 ? 'IN_PROGRESS' : 'SUCCEEDED' },
        };
      }
      throw new Error(`unexpected ${op}`);
    });
    await a.run!(r.ctx);
    expect(r.events).toEqual([
      'record assignment:Admins|AdministratorAccess|prod req-1',
      'clear assignment:Admins|AdministratorAccess|prod',
    ]);
  });

  it('a FAILED creation is a StepError naming the assignment, the reason and what to do', async () => {
    const a = one();
    const r = fakeRun(want, a, (_s, op) =>
      op === 'CreateAccountAssignment'
        ? { AccountAssignmentCreationStatus: { RequestId: 'req-1', Status: 'IN_PROGRESS' } }
        : {
            AccountAssignmentCreationStatus: {
              RequestId: 'req-1',
              Status: 'FAILED',
              FailureReason: 'Account is not in the organization',
            },
          },
    );
    const err = await a.run!(r.ctx).catch((e) => e);
    expect(err).toBeInstanceOf(StepError);
    expect(err.message).toBe(
      'Assigning Admins → AdministratorAccess on prod failed: Account is not in the organization.',
    );
    expect(err.hint).toMatch(/IAM Identity Center console \(AWS accounts → prod\)/);
  });

  it('retries while AWS says another operation is in progress', async () => {
    const a = one();
    let tries = 0;
    const r = fakeRun(want, a, (_s, op) => {
      if (op === 'CreateAccountAssignment')
        return ++tries < 3
          ? awsErr('ConflictException')
          : { AccountAssignmentCreationStatus: { RequestId: 'req-2', Status: 'SUCCEEDED' } };
      return { AccountAssignmentCreationStatus: { RequestId: 'req-2', Status: 'SUCCEEDED' } };
    });
    await a.run!(r.ctx);
    expect(tries).toBe(3);
  });
});
