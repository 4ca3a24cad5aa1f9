import { describe, expect, it } from 'vitest';
import { identityStore, type IdentityStoreSeen } from '../../../steps/identity-store.js';
import {
  awsErr,
  brief,
  fakeCtx,
  fakeRun,
  GROUP_IDS,
  SSO_VALUES,
  START_URL,
  STORE,
  USER_ID,
  want as basicWant,
} from './fixtures.js';

const want = basicWant();
const seen = (over: Partial<IdentityStoreSeen> = {}): IdentityStoreSeen => ({
  identityStoreId: STORE,
  region: 'eu-west-1',
  startUrl: START_URL,
  groups: { ...GROUP_IDS },
  userId: USER_ID,
  memberOf: ['Admins'],
  ...over,
});

describe('identity-store plan', () => {
  it('fresh: the four groups, the founder, advice on password and MFA, and the membership in Admins', () => {
    const f = fakeCtx(want, () => undefined);
    const actions = identityStore.plan(want, identityStore.fresh(f.ctx));
    expect(brief(actions.filter((a) => a.kind === 'call'))).toEqual([
      ...['Admins', 'Developers', 'Auditors', 'Billing'].map((g) => ({
        symbol: '+',
        op: 'identitystore:CreateGroup',
        input: {
          IdentityStoreId: '<sso.identityStoreId>',
          DisplayName: g,
          Description: want.identityCenter.groups.find((x) => x.name === g)!.description,
        },
      })),
      {
        symbol: '+',
        op: 'identitystore:CreateUser',
        input: {
          IdentityStoreId: '<sso.identityStoreId>',
          UserName: 'ada@acme.example',
          DisplayName: 'Ada Lovelace',
          Name: { GivenName: 'Ada', FamilyName: 'Lovelace' },
          Emails: [{ Value: 'ada@acme.example', Type: 'work', Primary: true }],
        },
      },
      {
        symbol: '+',
        op: 'identitystore:CreateGroupMembership',
        input: {
          IdentityStoreId: '<sso.identityStoreId>',
          GroupId: '<group.Admins.id>',
          MemberId: { UserId: '<user.ada@acme.example.id>' },
        },
      },
    ]);
    const manual = actions.filter((a) => a.kind === 'manual');
    expect(manual.map((m) => m.operation)).toEqual(['FounderPassword', 'IdentityCenterMfa']);
    expect(manual.every((m) => m.manual!.blocking === false)).toBe(true);
    expect(manual[0]!.manual!.instructions.join(' ')).toMatch(/Send email OTP.*Generate a one-time password/s);
    expect(manual[0]!.manual!.link).toBe(
      'https://eu-west-1.console.aws.amazon.com/singlesignon/home?region=eu-west-1#/users',
    );
    expect(manual[1]!.manual!.link).toContain('singlesignon/home?region=eu-west-1#/settings');
    expect(actions.find((a) => a.operation === 'CreateUser')!.produces).toEqual(['user.ada@acme.example.id']);
  });

  it('everything present: nothing, and no advice any more', () => {
    expect(identityStore.plan(want, seen())).toEqual([]);
  });

  it('a group deleted behind our back is recreated and the founder re-added', () => {
    const groups = { ...GROUP_IDS };
    delete groups.Admins;
    expect(brief(identityStore.plan(want, seen({ groups, memberOf: [] })))).toEqual([
      {
        symbol: '+',
        op: 'identitystore:CreateGroup',
        input: { IdentityStoreId: STORE, DisplayName: 'Admins', Description: 'Administrators of every account' },
      },
      {
        symbol: '+',
        op: 'identitystore:CreateGroupMembership',
        input: { IdentityStoreId: STORE, GroupId: '<group.Admins.id>', MemberId: { UserId: USER_ID } },
      },
    ]);
  });

  it('a removed membership is added back with the known IDs', () => {
    expect(brief(identityStore.plan(want, seen({ memberOf: [] })))).toEqual([
      {
        symbol: '+',
        op: 'identitystore:CreateGroupMembership',
        input: { IdentityStoreId: STORE, GroupId: 'g-admins', MemberId: { UserId: USER_ID } },
      },
    ]);
  });
});

describe('identity-store observe', () => {
  it('looks groups up by display name and the founder by user name, then the membership', async () => {
    const f = fakeCtx(
      want,
      (_s, op, input) => {
        if (op === 'GetGroupId') {
          const id = { Admins: 'g-admins', Auditors: 'g-auditors' }[
            input.AlternateIdentifier.UniqueAttribute.AttributeValue as string
          ];
          expect(input.AlternateIdentifier.UniqueAttribute.AttributePath).toBe('displayName');
          return id ? { GroupId: id, IdentityStoreId: STORE } : awsErr('ResourceNotFoundException');
        }
        if (op === 'GetUserId') {
          expect(input.AlternateIdentifier.UniqueAttribute).toEqual({
            AttributePath: 'userName',
            AttributeValue: 'ada@acme.example',
          });
          return { UserId: USER_ID };
        }
        if (op === 'GetGroupMembershipId') return awsErr('ResourceNotFoundException');
        throw new Error(`unexpected ${op}`);
      },
      SSO_VALUES,
    );
    const s = await identityStore.observe(f.ctx);
    expect(s).toEqual({
      identityStoreId: STORE,
      region: 'eu-west-1',
      startUrl: START_URL,
      groups: { Admins: 'g-admins', Auditors: 'g-auditors' },
      userId: USER_ID,
      memberOf: [],
    });
    expect(f.published).toEqual({
      'group.Admins.id': 'g-admins',
      'group.Auditors.id': 'g-auditors',
      'user.ada@acme.example.id': USER_ID,
    });
    expect(f.calls.every((c) => c.target.region === 'eu-west-1')).toBe(true);
  });

  it('an unexpected error is not taken for "missing"', async () => {
    const f = fakeCtx(want, () => awsErr('AccessDeniedException'), SSO_VALUES);
    await expect(identityStore.observe(f.ctx)).rejects.toThrow('AccessDeniedException');
  });
});

describe('identity-store run', () => {
  it('CreateUser hitting ConflictException adopts the existing user', async () => {
    const a = identityStore
      .plan(want, seen({ userId: undefined, memberOf: [] }))
      .find((x) => x.operation === 'CreateUser')!;
    const r = fakeRun(want, a, (_s, op) =>
      op === 'CreateUser' ? awsErr('ConflictException') : op === 'GetUserId' ? { UserId: 'u-existing' } : new Error(op),
    );
    expect(await a.run!(r.ctx)).toEqual({ 'user.ada@acme.example.id': 'u-existing' });
  });

  it('CreateGroupMembership: an existing membership is fine', async () => {
    const [a] = identityStore.plan(want, seen({ memberOf: [] }));
    const r = fakeRun(want, a!, () => awsErr('ConflictException'));
    await expect(a!.run!(r.ctx)).resolves.toBeUndefined();
  });
});
