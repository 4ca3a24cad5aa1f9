import { describe, expect, it } from 'vitest';
import { permissionSets, type PermissionSetsSeen, type SetFound } from '../../../steps/permission-sets.js';
import { StepError } from '../../../steps/contract.js';
import { awsErr, brief, fakeCtx, fakeRun, INSTANCE, psArn, SSO_VALUES, want as basicWant } from './fixtures.js';

const want = basicWant();
const P = (n: string) => `arn:aws:iam::aws:policy/${n}`;
const POLICY: Record<string, string> = {
  AdministratorAccess: P('AdministratorAccess'),
  PowerUser: P('PowerUserAccess'),
  ReadOnly: P('ReadOnlyAccess'),
  Billing: P('job-function/Billing'),
};
const DESC: Record<string, string> = {
  AdministratorAccess: 'Full access',
  PowerUser: 'Everything except IAM and Organizations',
  ReadOnly: 'Read-only access',
  Billing: 'Billing and cost management',
};
const good = (name: string, over: Partial<SetFound> = {}): SetFound => ({
  arn: psArn(name),
  sessionDuration: 'PT8H',
  description: DESC[name],
  policies: [POLICY[name]!],
  outdated: [],
  ...over,
});
const allGood = (): Record<string, SetFound> => Object.fromEntries(Object.keys(POLICY).map((n) => [n, good(n)]));
const seen = (found: Record<string, SetFound>): PermissionSetsSeen => ({
  instanceArn: INSTANCE,
  region: 'eu-west-1',
  found,
});

describe('permission-sets plan', () => {
  it('fresh: creates each set with its session duration, then attaches its policy to the new ARN', () => {
    const f = fakeCtx(want, () => undefined);
    const actions = permissionSets.plan(want, permissionSets.fresh(f.ctx));
    expect(brief(actions)).toEqual(
      Object.keys(POLICY).flatMap((n) => [
        {
          symbol: '+',
          op: 'sso-admin:CreatePermissionSet',
          input: { InstanceArn: '<sso.instanceArn>', Name: n, Description: DESC[n], SessionDuration: 'PT8H' },
        },
        {
          symbol: '+',
          op: 'sso-admin:AttachManagedPolicyToPermissionSet',
          input: {
            InstanceArn: '<sso.instanceArn>',
            PermissionSetArn: `<permissionSet.${n}.arn>`,
            ManagedPolicyArn: POLICY[n],
          },
        },
      ]),
    );
    expect(actions[0]!.produces).toEqual(['permissionSet.AdministratorAccess.arn']);
    expect(actions[0]!.target).toEqual({ account: 'management', region: 'eu-west-1' });
    expect(actions[0]!.summary).toBe('+ sso-admin:CreatePermissionSet AdministratorAccess (8 h sessions)');
  });

  it('everything matching: no action', () => {
    expect(permissionSets.plan(want, seen(allGood()))).toEqual([]);
  });

  it('a changed session duration is updated back (and the description kept)', () => {
    const found = allGood();
    found.ReadOnly = good('ReadOnly', { sessionDuration: 'PT12H' });
    const actions = permissionSets.plan(want, seen(found));
    expect(brief(actions)).toEqual([
      {
        symbol: '~',
        op: 'sso-admin:UpdatePermissionSet',
        input: {
          InstanceArn: INSTANCE,
          PermissionSetArn: psArn('ReadOnly'),
          SessionDuration: 'PT8H',
          Description: 'Read-only access',
        },
      },
    ]);
    expect(actions[0]!.summary).toBe('~ sso-admin:UpdatePermissionSet ReadOnly (session 12 h → 8 h)');
  });

  it('a missing policy is attached, an extra one detached', () => {
    const found = allGood();
    found.PowerUser = good('PowerUser', { policies: [P('AdministratorAccess')] });
    expect(brief(permissionSets.plan(want, seen(found)))).toEqual([
      {
        symbol: '~',
        op: 'sso-admin:AttachManagedPolicyToPermissionSet',
        input: { InstanceArn: INSTANCE, PermissionSetArn: psArn('PowerUser'), ManagedPolicyArn: P('PowerUserAccess') },
      },
      {
        symbol: '-',
        op: 'sso-admin:DetachManagedPolicyFromPermissionSet',
        input: {
          InstanceArn: INSTANCE,
          PermissionSetArn: psArn('PowerUser'),
          ManagedPolicyArn: P('AdministratorAccess'),
        },
      },
    ]);
  });

  it('a set that matches but runs an older copy in some accounts is re-provisioned to all of them', () => {
    const found = allGood();
    found.ReadOnly = good('ReadOnly', { outdated: ['200000000003'] });
    const actions = permissionSets.plan(want, seen(found));
    expect(brief(actions)).toEqual([
      {
        symbol: '~',
        op: 'sso-admin:ProvisionPermissionSet',
        input: { InstanceArn: INSTANCE, PermissionSetArn: psArn('ReadOnly'), TargetType: 'ALL_PROVISIONED_ACCOUNTS' },
      },
    ]);
  });

  it('changes first, re-provisioning on the next round (the outdated accounts are observed again)', () => {
    const found = allGood();
    found.ReadOnly = good('ReadOnly', { sessionDuration: 'PT1H', outdated: ['200000000003'] });
    expect(brief(permissionSets.plan(want, seen(found))).map((a) => a.op)).toEqual(['sso-admin:UpdatePermissionSet']);
  });

  it('a provisioning still running is waited for, not asked again', () => {
    const found = allGood();
    found.Billing = good('Billing', { outdated: [MGMT_ID], provisioning: 'req-1' });
    expect(brief(permissionSets.plan(want, seen(found)))).toEqual([
      {
        symbol: '~',
        op: 'sso-admin:DescribePermissionSetProvisioningStatus',
        input: { InstanceArn: INSTANCE, ProvisionPermissionSetRequestId: 'req-1' },
      },
    ]);
  });

  it('a 1-hour and a 12-hour set from the config are created with PT1H and PT12H', () => {
    const w = basicWant();
    w.identityCenter.permissionSets[0]!.sessionHours = 1;
    w.identityCenter.permissionSets[1]!.sessionHours = 12;
    const f = fakeCtx(w, () => undefined);
    const creates = permissionSets
      .plan(w, permissionSets.fresh(f.ctx))
      .filter((a) => a.operation === 'CreatePermissionSet');
    expect(creates.map((a) => (a.input as { SessionDuration: string }).SessionDuration)).toEqual([
      'PT1H',
      'PT12H',
      'PT8H',
      'PT8H',
    ]);
  });
});

const MGMT_ID = '111111111111';

describe('permission-sets observe', () => {
  const described: Record<string, any> = {
    [psArn('AdministratorAccess')]: {
      Name: 'AdministratorAccess',
      PermissionSetArn: psArn('AdministratorAccess'),
      SessionDuration: 'PT8H',
      Description: 'Full access',
    },
    [psArn('ReadOnly')]: {
      Name: 'ReadOnly',
      PermissionSetArn: psArn('ReadOnly'),
      SessionDuration: 'PT4H',
      Description: 'Read-only access',
    },
    'arn:other': { Name: 'SomeoneElses', PermissionSetArn: 'arn:other', SessionDuration: 'PT1H' },
  };
  const answer = (_s: string, op: string, input: any) => {
    if (op === 'ListPermissionSets') return { PermissionSets: Object.keys(described) };
    if (op === 'DescribePermissionSet') return { PermissionSet: described[input.PermissionSetArn] };
    if (op === 'ListManagedPoliciesInPermissionSet')
      return {
        AttachedManagedPolicies:
          input.PermissionSetArn === psArn('ReadOnly') ? [{ Arn: P('ReadOnlyAccess'), Name: 'ReadOnlyAccess' }] : [],
      };
    if (op === 'ListAccountsForProvisionedPermissionSet') {
      expect(input.ProvisioningStatus).toBe('LATEST_PERMISSION_SET_NOT_PROVISIONED');
      return { AccountIds: input.PermissionSetArn === psArn('ReadOnly') ? ['200000000003'] : [] };
    }
    throw new Error(`unexpected ${op}`);
  };

  it('finds ours by name, with duration, policies and outdated accounts; publishes their ARNs', async () => {
    const f = fakeCtx(want, answer, SSO_VALUES);
    const s = await permissionSets.observe(f.ctx);
    expect(s.found).toEqual({
      AdministratorAccess: {
        arn: psArn('AdministratorAccess'),
        sessionDuration: 'PT8H',
        description: 'Full access',
        policies: [],
        outdated: [],
      },
      ReadOnly: {
        arn: psArn('ReadOnly'),
        sessionDuration: 'PT4H',
        description: 'Read-only access',
        policies: [P('ReadOnlyAccess')],
        outdated: ['200000000003'],
      },
    });
    expect(f.published).toEqual({
      'permissionSet.AdministratorAccess.arn': psArn('AdministratorAccess'),
      'permissionSet.ReadOnly.arn': psArn('ReadOnly'),
    });
    // ...and the plan: create two, attach Admin's policy, fix ReadOnly's duration.
    expect(
      brief(permissionSets.plan(want, s)).map(
        (a) =>
          `${a.op} ${(a.input as any).Name ?? (a.input as any).ManagedPolicyArn ?? (a.input as any).SessionDuration}`,
      ),
    ).toEqual([
      `sso-admin:AttachManagedPolicyToPermissionSet ${P('AdministratorAccess')}`,
      'sso-admin:CreatePermissionSet PowerUser',
      `sso-admin:AttachManagedPolicyToPermissionSet ${P('PowerUserAccess')}`,
      'sso-admin:UpdatePermissionSet PT8H',
      'sso-admin:CreatePermissionSet Billing',
      `sso-admin:AttachManagedPolicyToPermissionSet ${P('job-function/Billing')}`,
    ]);
  });

  it('without Identity Center known: plans as fresh without calling AWS', async () => {
    const f = fakeCtx(want, () => {
      throw new Error('no call expected');
    });
    const s = await permissionSets.observe(f.ctx);
    expect(s.found).toEqual({});
    expect(f.calls).toEqual([]);
  });
});

describe('permission-sets run', () => {
  it('create adopts a set made by an interrupted run (ConflictException) by its name', async () => {
    const [create] = permissionSets.plan(want, seen({}));
    const r = fakeRun(
      want,
      create!,
      (_s, op, input) => {
        if (op === 'CreatePermissionSet')
          return awsErr('ConflictException', 'PermissionSet with name AdministratorAccess already exists.');
        if (op === 'ListPermissionSets') return { PermissionSets: ['arn:x', psArn('AdministratorAccess')] };
        if (op === 'DescribePermissionSet')
          return {
            PermissionSet: {
              Name: input.PermissionSetArn === 'arn:x' ? 'Other' : 'AdministratorAccess',
              PermissionSetArn: input.PermissionSetArn,
            },
          };
        throw new Error(`unexpected ${op}`);
      },
      SSO_VALUES,
    );
    expect(await create!.run!(r.ctx)).toEqual({
      'permissionSet.AdministratorAccess.arn': psArn('AdministratorAccess'),
    });
  });

  it('attach treats "already attached" (ConflictException) as done', async () => {
    const found = allGood();
    found.ReadOnly = good('ReadOnly', { policies: [] });
    const [attach] = permissionSets.plan(want, seen(found));
    const r = fakeRun(want, attach!, (_s, op) => {
      if (op === 'AttachManagedPolicyToPermissionSet') return awsErr('ConflictException');
      if (op === 'ListManagedPoliciesInPermissionSet')
        return { AttachedManagedPolicies: [{ Arn: P('ReadOnlyAccess') }] };
      throw new Error(`unexpected ${op}`);
    });
    await expect(attach!.run!(r.ctx)).resolves.toBeUndefined();
  });

  it('provision records the request before polling, then clears it', async () => {
    const found = allGood();
    found.ReadOnly = good('ReadOnly', { outdated: ['200000000003'] });
    const [prov] = permissionSets.plan(want, seen(found));
    let polls = 0;
    const r = fakeRun(want, prov!, (_s, op) => {
      if (op === 'ProvisionPermissionSet')
        return { PermissionSetProvisioningStatus: { RequestId: 'req-9', Status: 'IN_PROGRESS' } };
      if (op === 'DescribePermissionSetProvisioningStatus') {
        expect(r.events).toEqual(['record provision:ReadOnly req-9']);
        return {
          PermissionSetProvisioningStatus: { RequestId: 'req-9', Status: ++polls < 2 ? 'IN_PROGRESS' : 'SUCCEEDED' },
        };
      }
      throw new Error(`unexpected ${op}`);
    });
    await prov!.run!(r.ctx);
    expect(r.events).toEqual(['record provision:ReadOnly req-9', 'clear provision:ReadOnly']);
  });

  it('a failed provisioning is a StepError naming the set and the reason', async () => {
    const found = allGood();
    found.ReadOnly = good('ReadOnly', { outdated: ['200000000003'] });
    const [prov] = permissionSets.plan(want, seen(found));
    const r = fakeRun(want, prov!, (_s, op) => {
      if (op === 'ProvisionPermissionSet')
        return { PermissionSetProvisioningStatus: { RequestId: 'req-9', Status: 'IN_PROGRESS' } };
      return { PermissionSetProvisioningStatus: { RequestId: 'req-9', Status: 'FAILED', FailureReason: 'Role limit' } };
    });
    const err = await prov!.run!(r.ctx).catch((e) => e);
    expect(err).toBeInstanceOf(StepError);
    expect(err.message).toBe('Re-provisioning the permission set ReadOnly failed: Role limit.');
  });
});
