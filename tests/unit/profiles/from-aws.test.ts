// `secure-start profiles` reads what the founder can sign in to from AWS (not from the config's
// matrix): assignments to the founder's user and to each of their groups, accounts named by
// their configured email (the management account as "management").
import { describe, expect, it } from 'vitest';
import { founderProfilesFromAws } from '../../../steps/sso-profiles.js';
import { StepError } from '../../../steps/contract.js';
import type { AwsApi } from '../../../aws/factory.js';
import { ACCOUNTS, INSTANCE, STORE, START_URL, awsErr, psArn, want as basicWant } from '../steps/fixtures.js';

const MGMT = '123456789012';
const want = basicWant();

function fakeAws(
  over: { user?: boolean; assignments?: Record<string, { AccountId: string; PermissionSetArn: string }[]> } = {},
): AwsApi & { calls: string[] } {
  const calls: string[] = [];
  const answer = (op: string, input: any, target: any): unknown => {
    switch (op) {
      case 'GetCallerIdentity':
        return { Account: MGMT };
      case 'ListInstances':
        return {
          Instances:
            target?.region === 'eu-west-1'
              ? [{ InstanceArn: INSTANCE, IdentityStoreId: STORE, Status: 'ACTIVE', OwnerAccountId: MGMT }]
              : [],
        };
      case 'GetUserId':
        return over.user === false ? awsErr('ResourceNotFoundException') : { UserId: 'u-ada' };
      case 'ListGroupMembershipsForMember':
        return { GroupMemberships: [{ GroupId: 'g-admins' }, { GroupId: 'g-devs' }] };
      case 'ListAccountAssignmentsForPrincipal':
        return {
          AccountAssignments:
            (over.assignments ?? {
              'u-ada': [{ AccountId: '555566667777', PermissionSetArn: psArn('ReadOnly') }],
              'g-admins': [MGMT, ...Object.values(ACCOUNTS)].map((AccountId) => ({
                AccountId,
                PermissionSetArn: psArn('AdministratorAccess'),
              })),
              'g-devs': [
                { AccountId: ACCOUNTS.dev!, PermissionSetArn: psArn('PowerUser') },
                { AccountId: ACCOUNTS.dev!, PermissionSetArn: psArn('AdministratorAccess') },
              ],
            })[input.PrincipalId] ?? [],
        };
      case 'ListAccounts':
        return {
          Accounts: [
            { Id: MGMT, Name: 'Acme Robotics', Email: 'founder@example.com' },
            ...Object.entries(ACCOUNTS).map(([n, Id]) => ({
              Id,
              Name: `Renamed ${n}`,
              Email: `OPS+aws-${n}@acme.example`,
            })),
            { Id: '555566667777', Name: 'Shared Services', Email: 'shared@acme.example' },
          ],
        };
      case 'DescribePermissionSet':
        return {
          PermissionSet: {
            Name: input.PermissionSetArn.replace(/^.*\/ps-/, '')
              .replace('administratoraccess', 'AdministratorAccess')
              .replace('poweruser', 'PowerUser')
              .replace('readonly', 'ReadOnly'),
          },
        };
      default:
        throw new Error(`unexpected ${op}`);
    }
  };
  const call = async (_s: string, op: string, input: any, target?: any) => {
    calls.push(op);
    const out = answer(op, input, target);
    if (out instanceof Error) throw out;
    return out as any;
  };
  return {
    calls,
    call: call as unknown as AwsApi['call'],
    pages: (async (s: string, o: string, i: any, t?: any) => [await call(s, o, i, t)]) as unknown as AwsApi['pages'],
  };
}

describe('profiles from AWS', () => {
  it('every (account, set) the founder reaches through their user and groups, management first, named by config', async () => {
    const sections = await founderProfilesFromAws(fakeAws(), want, () => undefined);
    expect(sections[0]).toEqual({
      header: 'sso-session acme-robotics',
      entries: [
        ['sso_start_url', START_URL],
        ['sso_region', 'eu-west-1'],
        ['sso_registration_scopes', 'sso:account:access'],
      ],
    });
    expect(sections.slice(1).map((s) => s.header.replace('profile ', ''))).toEqual([
      'acme-robotics-management-admin',
      'acme-robotics-log-archive-admin',
      'acme-robotics-audit-admin',
      'acme-robotics-prod-admin',
      'acme-robotics-dev-admin',
      'acme-robotics-dev-power',
      // Not in the config: named after its AWS account name.
      'acme-robotics-shared-services-readonly',
    ]);
    expect(sections.find((s) => s.header === 'profile acme-robotics-dev-power')!.entries).toEqual([
      ['sso_session', 'acme-robotics'],
      ['sso_account_id', ACCOUNTS.dev],
      ['sso_role_name', 'PowerUser'],
      ['region', 'eu-west-1'],
      ['output', 'json'],
    ]);
  });

  it('reads only', async () => {
    const aws = fakeAws();
    await founderProfilesFromAws(aws, want, () => undefined);
    expect(aws.calls.every((op) => /^(Get|List|Describe)/.test(op))).toBe(true);
  });

  it('no founder user yet, or no assignments: a StepError saying to run secure-start first', async () => {
    await expect(founderProfilesFromAws(fakeAws({ user: false }), want, () => undefined)).rejects.toThrow(StepError);
    const err = await founderProfilesFromAws(fakeAws({ assignments: {} }), want, () => undefined).catch((e) => e);
    expect(err).toBeInstanceOf(StepError);
    expect(err.hint).toMatch(/npx secure-start/);
  });
});
