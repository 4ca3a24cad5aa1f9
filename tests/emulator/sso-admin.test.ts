// SSO Admin (IAM Identity Center) through the real SDK client against the emulator: the
// instance, permission sets and their policies, asynchronous provisioning and account
// assignments, listings with paging, AWS-shaped errors, faults and drift kinds.
import { beforeEach, describe, expect, it } from 'vitest';
import {
  AttachManagedPolicyToPermissionSetCommand,
  CreateAccountAssignmentCommand,
  CreatePermissionSetCommand,
  DeleteAccountAssignmentCommand,
  DeleteInlinePolicyFromPermissionSetCommand,
  DeletePermissionSetCommand,
  DescribeAccountAssignmentCreationStatusCommand,
  DescribeAccountAssignmentDeletionStatusCommand,
  DescribeInstanceCommand,
  DescribePermissionSetCommand,
  DescribePermissionSetProvisioningStatusCommand,
  DetachManagedPolicyFromPermissionSetCommand,
  GetInlinePolicyForPermissionSetCommand,
  ListAccountAssignmentCreationStatusCommand,
  ListAccountAssignmentDeletionStatusCommand,
  ListAccountAssignmentsCommand,
  ListAccountAssignmentsForPrincipalCommand,
  ListAccountsForProvisionedPermissionSetCommand,
  ListInstancesCommand,
  ListManagedPoliciesInPermissionSetCommand,
  ListPermissionSetProvisioningStatusCommand,
  ListPermissionSetsCommand,
  ListPermissionSetsProvisionedToAccountCommand,
  ListTagsForResourceCommand,
  ProvisionPermissionSetCommand,
  PutInlinePolicyToPermissionSetCommand,
  SSOAdminClient,
  TagResourceCommand,
  UntagResourceCommand,
  UpdatePermissionSetCommand,
  paginateListPermissionSets,
} from '@aws-sdk/client-sso-admin';
import { CreateGroupCommand, CreateUserCommand, IdentitystoreClient } from '@aws-sdk/client-identitystore';
import { MANAGEMENT_ACCOUNT_ID as ME } from '../../emulator/world.js';
import { errorOf, useEmulator } from '../helpers/emulator-sdk.js';

const sdk = useEmulator({ reset: false }); // setup() resets
const { emu } = sdk;
let client: SSOAdminClient;
let instanceArn: string;
let storeId: string;
let prod: string;
let dev: string;

function setup(region = 'us-east-1') {
  emu.reset({
    base: 'org-exists',
    members: [
      { name: 'prod', email: 'ops+prod@acme.example' },
      { name: 'dev', email: 'ops+dev@acme.example' },
    ],
    identityCenterRegion: region,
  });
  [prod, dev] = Object.keys(emu.world.accounts)
    .filter((a) => a !== ME)
    .sort();
  instanceArn = emu.world.identityCenter!.instanceArn;
  storeId = emu.world.identityCenter!.identityStoreId;
  // Identity Center work completes by the next request here (tests below slow some of it down
  // on purpose); conflicts while it runs have their own tests in behaviours.test.ts.
  const now = { async: { min: 0, max: 0 } };
  emu.latency.overrides = {
    'sso-admin:CreateAccountAssignment': now,
    'sso-admin:DeleteAccountAssignment': now,
    'sso-admin:ProvisionPermissionSet': now,
  };
  client = sdk.client(SSOAdminClient, { region });
}
beforeEach(() => setup());

const createPs = async (Name = 'AdministratorAccess', SessionDuration: string | null = 'PT8H') =>
  (
    await client.send(
      new CreatePermissionSetCommand({
        InstanceArn: instanceArn,
        Name,
        SessionDuration: SessionDuration ?? undefined,
        Description: `${Name} for acme`,
      }),
    )
  ).PermissionSet!.PermissionSetArn!;
const attach = (PermissionSetArn: string, policy: string) =>
  client.send(
    new AttachManagedPolicyToPermissionSetCommand({
      InstanceArn: instanceArn,
      PermissionSetArn,
      ManagedPolicyArn: `arn:aws:iam::aws:policy/${policy}`,
    }),
  );
const store = () => sdk.client(IdentitystoreClient, { region: emu.world.identityCenter!.region });
const group = async (DisplayName = 'Admins'): Promise<string> =>
  (await store().send(new CreateGroupCommand({ IdentityStoreId: storeId, DisplayName }))).GroupId!;
const userId = async (UserName = 'jane'): Promise<string> =>
  (
    await store().send(
      new CreateUserCommand({
        IdentityStoreId: storeId,
        UserName,
        DisplayName: UserName,
        Name: { GivenName: UserName, FamilyName: 'Doe' },
      }),
    )
  ).UserId!;
const assign = (
  PermissionSetArn: string,
  TargetId: string,
  PrincipalId: string,
  PrincipalType: 'GROUP' | 'USER' = 'GROUP',
) =>
  client.send(
    new CreateAccountAssignmentCommand({
      InstanceArn: instanceArn,
      TargetId,
      TargetType: 'AWS_ACCOUNT',
      PermissionSetArn,
      PrincipalType,
      PrincipalId,
    }),
  );
const creation = async (RequestId: string) =>
  (
    await client.send(
      new DescribeAccountAssignmentCreationStatusCommand({
        InstanceArn: instanceArn,
        AccountAssignmentCreationRequestId: RequestId,
      }),
    )
  ).AccountAssignmentCreationStatus!;
const provisionedTo = async (
  AccountId: string,
  ProvisioningStatus?: 'LATEST_PERMISSION_SET_PROVISIONED' | 'LATEST_PERMISSION_SET_NOT_PROVISIONED',
) =>
  (
    await client.send(
      new ListPermissionSetsProvisionedToAccountCommand({ InstanceArn: instanceArn, AccountId, ProvisioningStatus }),
    )
  ).PermissionSets ?? [];
const ssoRoles = (account: string) =>
  Object.keys(emu.world.accounts[account].roles).filter((r) => r.startsWith('AWSReservedSSO_'));

describe('sso-admin instance', () => {
  it('ListInstances is empty until the console step, then shows the ACTIVE organization instance', async () => {
    emu.reset('fresh');
    expect((await client.send(new ListInstancesCommand({}))).Instances).toEqual([]);
    emu.enableIdentityCenter('us-east-1');
    const [i] = (await client.send(new ListInstancesCommand({}))).Instances!;
    expect(i.InstanceArn).toMatch(/^arn:aws:sso:::instance\/ssoins-[0-9a-f]{16}$/);
    expect(i.IdentityStoreId).toMatch(/^d-[0-9a-f]{10}$/);
    expect(i).toMatchObject({ Status: 'ACTIVE', OwnerAccountId: ME });
    expect(await client.send(new DescribeInstanceCommand({ InstanceArn: i.InstanceArn }))).toMatchObject({
      InstanceArn: i.InstanceArn,
      IdentityStoreId: i.IdentityStoreId,
      Status: 'ACTIVE',
      OwnerAccountId: ME,
    });
  });

  it('the instance is regional: another region lists nothing and cannot use it', async () => {
    setup('eu-central-1');
    const other = sdk.client(SSOAdminClient);
    expect((await other.send(new ListInstancesCommand({}))).Instances).toEqual([]);
    expect((await errorOf(other.send(new ListPermissionSetsCommand({ InstanceArn: instanceArn })))).name).toBe(
      'ResourceNotFoundException',
    );
    expect((await client.send(new ListInstancesCommand({}))).Instances).toHaveLength(1);
    await createPs();
  });

  it('a wrong instance ARN is ResourceNotFoundException; a malformed one ValidationException', async () => {
    expect(
      (
        await errorOf(
          client.send(new ListPermissionSetsCommand({ InstanceArn: 'arn:aws:sso:::instance/ssoins-0000000000000000' })),
        )
      ).name,
    ).toBe('ResourceNotFoundException');
    expect((await errorOf(client.send(new ListPermissionSetsCommand({ InstanceArn: 'not-an-arn' })))).name).toBe(
      'ValidationException',
    );
  });

  it('member accounts are AccessDeniedException (and see no organization instance)', async () => {
    const asMember = sdk.client(SSOAdminClient, { credentials: emu.credentials(prod) });
    expect((await asMember.send(new ListInstancesCommand({}))).Instances).toEqual([]);
    expect(
      await errorOf(asMember.send(new CreatePermissionSetCommand({ InstanceArn: instanceArn, Name: 'X' }))),
    ).toMatchObject({ name: 'AccessDeniedException', status: 400 });
  });
});

describe('sso-admin permission sets', () => {
  it('creates, describes, lists (paged), updates and deletes a permission set', async () => {
    const arn = await createPs('AdministratorAccess', 'PT8H');
    expect(arn).toMatch(new RegExp(`^arn:aws:sso:::permissionSet/${instanceArn.split('/')[1]}/ps-[0-9a-f]{16}$`));
    const d = (await client.send(new DescribePermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: arn })))
      .PermissionSet!;
    expect(d).toMatchObject({
      Name: 'AdministratorAccess',
      PermissionSetArn: arn,
      SessionDuration: 'PT8H',
      Description: 'AdministratorAccess for acme',
    });
    expect(d.CreatedDate).toBeInstanceOf(Date);
    for (const n of ['PowerUser', 'ReadOnly', 'Billing']) await createPs(n);
    const first = await client.send(new ListPermissionSetsCommand({ InstanceArn: instanceArn }));
    expect(first.PermissionSets).toHaveLength(3);
    expect(first.NextToken).toBeTruthy();
    const all: string[] = [];
    for await (const page of paginateListPermissionSets({ client }, { InstanceArn: instanceArn, MaxResults: 2 }))
      all.push(...page.PermissionSets!);
    expect(all).toHaveLength(4);
    expect(all[0]).toBe(arn);
    await client.send(
      new UpdatePermissionSetCommand({
        InstanceArn: instanceArn,
        PermissionSetArn: arn,
        SessionDuration: 'PT12H',
        Description: 'changed',
      }),
    );
    expect(
      (await client.send(new DescribePermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: arn })))
        .PermissionSet,
    ).toMatchObject({ SessionDuration: 'PT12H', Description: 'changed' });
    await client.send(new DeletePermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: arn }));
    expect(
      (
        await errorOf(
          client.send(new DescribePermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: arn })),
        )
      ).name,
    ).toBe('ResourceNotFoundException');
  });

  it('a duplicate name is ConflictException; session duration defaults to PT1H', async () => {
    const arn = await createPs('ReadOnly', null);
    expect(
      (await client.send(new DescribePermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: arn })))
        .PermissionSet!.SessionDuration,
    ).toBe('PT1H');
    expect(await errorOf(createPs('ReadOnly'))).toMatchObject({ name: 'ConflictException', status: 400 });
  });

  it('validates the name and the session duration (1 to 12 hours, ISO-8601)', async () => {
    const bad = async (Name: string, SessionDuration?: string) => (await errorOf(createPs(Name, SessionDuration))).name;
    expect(await bad('x'.repeat(33))).toBe('ValidationException');
    expect(await bad('has space')).toBe('ValidationException');
    expect(await bad('Ok', 'PT30M')).toBe('ValidationException');
    expect(await bad('Ok', 'PT13H')).toBe('ValidationException');
    expect(await bad('Ok', '8h')).toBe('ValidationException');
    expect(await bad('Ok', 'P1D')).toBe('ValidationException');
    for (const ok of ['PT1H', 'PT12H', 'PT90M', 'PT2H30M', 'PT3600S']) await createPs(`ok-${ok}`, ok);
    const ps = await createPs('Admin');
    expect(
      (
        await errorOf(
          client.send(
            new UpdatePermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: ps, SessionDuration: 'PT0H' }),
          ),
        )
      ).name,
    ).toBe('ValidationException');
  });

  it('managed policies: attach, list, duplicate, detach, limit of 10, AWS-managed only', async () => {
    const ps = await createPs('Billing');
    await attach(ps, 'job-function/Billing');
    await attach(ps, 'ReadOnlyAccess');
    const list = await client.send(
      new ListManagedPoliciesInPermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: ps }),
    );
    expect(list.AttachedManagedPolicies).toEqual([
      { Name: 'Billing', Arn: 'arn:aws:iam::aws:policy/job-function/Billing' },
      { Name: 'ReadOnlyAccess', Arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' },
    ]);
    expect((await errorOf(attach(ps, 'ReadOnlyAccess'))).name).toBe('ConflictException');
    expect(
      (
        await errorOf(
          client.send(
            new AttachManagedPolicyToPermissionSetCommand({
              InstanceArn: instanceArn,
              PermissionSetArn: ps,
              ManagedPolicyArn: `arn:aws:iam::${ME}:policy/Mine`,
            }),
          ),
        )
      ).name,
    ).toBe('ValidationException');
    await client.send(
      new DetachManagedPolicyFromPermissionSetCommand({
        InstanceArn: instanceArn,
        PermissionSetArn: ps,
        ManagedPolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess',
      }),
    );
    expect(
      (
        await errorOf(
          client.send(
            new DetachManagedPolicyFromPermissionSetCommand({
              InstanceArn: instanceArn,
              PermissionSetArn: ps,
              ManagedPolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess',
            }),
          ),
        )
      ).name,
    ).toBe('ResourceNotFoundException');
    for (let i = 0; i < 9; i++) await attach(ps, `Policy${i}`);
    expect((await errorOf(attach(ps, 'OneTooMany'))).name).toBe('ServiceQuotaExceededException');
  });

  it('an AWS managed policy that does not exist is accepted, but provisioning and assigning then FAIL naming it', async () => {
    const ps = await createPs('PowerUser');
    await attach(ps, 'PowerUser'); // the real one is PowerUserAccess
    const g = await group();
    const st = (await assign(ps, prod, g)).AccountAssignmentCreationStatus!;
    expect(await creation(st.RequestId!)).toMatchObject({
      Status: 'FAILED',
      FailureReason: 'Policy arn:aws:iam::aws:policy/PowerUser does not exist or is not attachable.',
    });
    const prov = (
      await client.send(
        new ProvisionPermissionSetCommand({
          InstanceArn: instanceArn,
          PermissionSetArn: ps,
          TargetType: 'AWS_ACCOUNT',
          TargetId: prod,
        }),
      )
    ).PermissionSetProvisioningStatus!;
    const done = (
      await client.send(
        new DescribePermissionSetProvisioningStatusCommand({
          InstanceArn: instanceArn,
          ProvisionPermissionSetRequestId: prov.RequestId,
        }),
      )
    ).PermissionSetProvisioningStatus!;
    expect(done).toMatchObject({ Status: 'FAILED', FailureReason: expect.stringContaining('policy/PowerUser ') });
    expect(await provisionedTo(prod)).toEqual([]);
    expect(ssoRoles(prod)).toEqual([]);
  });

  it('inline policy: put, get, delete', async () => {
    const ps = await createPs('Admin');
    const doc = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Deny', Action: 'organizations:LeaveOrganization', Resource: '*' }],
    });
    await client.send(
      new PutInlinePolicyToPermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: ps, InlinePolicy: doc }),
    );
    expect(
      (
        await client.send(
          new GetInlinePolicyForPermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: ps }),
        )
      ).InlinePolicy,
    ).toBe(doc);
    expect(
      (
        await errorOf(
          client.send(
            new PutInlinePolicyToPermissionSetCommand({
              InstanceArn: instanceArn,
              PermissionSetArn: ps,
              InlinePolicy: '{nope',
            }),
          ),
        )
      ).name,
    ).toBe('ValidationException');
    await client.send(
      new DeleteInlinePolicyFromPermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: ps }),
    );
    expect(
      (
        await client.send(
          new GetInlinePolicyForPermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: ps }),
        )
      ).InlinePolicy,
    ).toBe('');
  });

  it('tags on permission sets', async () => {
    const ps = await createPs('Admin');
    await client.send(
      new TagResourceCommand({
        InstanceArn: instanceArn,
        ResourceArn: ps,
        Tags: [
          { Key: 'managed-by', Value: 'secure-start' },
          { Key: 'team', Value: 'ops' },
        ],
      }),
    );
    await client.send(new UntagResourceCommand({ InstanceArn: instanceArn, ResourceArn: ps, TagKeys: ['team'] }));
    expect(
      (await client.send(new ListTagsForResourceCommand({ InstanceArn: instanceArn, ResourceArn: ps }))).Tags,
    ).toEqual([{ Key: 'managed-by', Value: 'secure-start' }]);
    expect(
      (
        await errorOf(
          client.send(
            new TagResourceCommand({ InstanceArn: instanceArn, ResourceArn: ps, Tags: [{ Key: 'aws:x', Value: 'y' }] }),
          ),
        )
      ).name,
    ).toBe('ValidationException');
  });
});

describe('sso-admin account assignments and provisioning', () => {
  it('CreateAccountAssignment answers IN_PROGRESS, then SUCCEEDED; provisions the set and its role into the account', async () => {
    const ps = await createPs();
    await attach(ps, 'AdministratorAccess');
    const g = await group();
    // Realistic asynchrony: the status stays IN_PROGRESS until the async time has passed.
    emu.setLatency({ overrides: { 'sso-admin:CreateAccountAssignment': { async: { min: 60_000, max: 60_000 } } } });
    const st = (await assign(ps, prod, g)).AccountAssignmentCreationStatus!;
    expect(st).toMatchObject({
      Status: 'IN_PROGRESS',
      TargetId: prod,
      TargetType: 'AWS_ACCOUNT',
      PermissionSetArn: ps,
      PrincipalType: 'GROUP',
      PrincipalId: g,
    });
    expect(st.RequestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect((await creation(st.RequestId!)).Status).toBe('IN_PROGRESS');
    expect(
      (
        await client.send(
          new ListAccountAssignmentCreationStatusCommand({
            InstanceArn: instanceArn,
            Filter: { Status: 'IN_PROGRESS' },
          }),
        )
      ).AccountAssignmentsCreationStatus!.map((x) => x.RequestId),
    ).toEqual([st.RequestId]);
    expect(
      (
        await client.send(
          new ListAccountAssignmentsCommand({ InstanceArn: instanceArn, AccountId: prod, PermissionSetArn: ps }),
        )
      ).AccountAssignments,
    ).toEqual([]);
    emu.flushAsync();
    expect((await creation(st.RequestId!)).Status).toBe('SUCCEEDED');
    expect(
      (
        await client.send(
          new ListAccountAssignmentsCommand({ InstanceArn: instanceArn, AccountId: prod, PermissionSetArn: ps }),
        )
      ).AccountAssignments,
    ).toEqual([{ AccountId: prod, PermissionSetArn: ps, PrincipalType: 'GROUP', PrincipalId: g }]);
    expect(await provisionedTo(prod)).toEqual([ps]);
    expect(
      (
        await client.send(
          new ListAccountsForProvisionedPermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: ps }),
        )
      ).AccountIds,
    ).toEqual([prod]);
    expect(ssoRoles(prod)).toEqual([expect.stringMatching(/^AWSReservedSSO_AdministratorAccess_[0-9a-f]{16}$/)]);
    expect(emu.world.accounts[prod].roles[ssoRoles(prod)[0]].arn).toContain(
      ':role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_',
    );
    // Creating the same assignment again succeeds and changes nothing.
    const again = (await assign(ps, prod, g)).AccountAssignmentCreationStatus!;
    emu.flushAsync();
    expect((await creation(again.RequestId!)).Status).toBe('SUCCEEDED');
    expect(
      (
        await client.send(
          new ListAccountAssignmentsCommand({ InstanceArn: instanceArn, AccountId: prod, PermissionSetArn: ps }),
        )
      ).AccountAssignments,
    ).toHaveLength(1);
  });

  it('an assignment FAILS with a reason when the account is not in the org or the principal does not exist', async () => {
    const ps = await createPs();
    const g = await group();
    const outsider = (await assign(ps, '999999999999', g)).AccountAssignmentCreationStatus!;
    const ghost = (await assign(ps, prod, g.replace(/.$/, g.endsWith('0') ? '1' : '0')))
      .AccountAssignmentCreationStatus!;
    const ghostUser = (await assign(ps, prod, g.replace(/.$/, g.endsWith('0') ? '1' : '0'), 'USER'))
      .AccountAssignmentCreationStatus!;
    for (const st of [outsider, ghost, ghostUser]) {
      const done = await creation(st.RequestId!);
      expect(done.Status).toBe('FAILED');
      expect(done.FailureReason).toBeTruthy();
    }
    expect((await creation(outsider.RequestId!)).FailureReason).toMatch(/999999999999/);
    expect((await creation(ghost.RequestId!)).FailureReason).toMatch(/group/);
    expect(await provisionedTo(prod)).toEqual([]);
    expect(
      (
        await client.send(
          new ListAccountAssignmentCreationStatusCommand({ InstanceArn: instanceArn, Filter: { Status: 'FAILED' } }),
        )
      ).AccountAssignmentsCreationStatus,
    ).toHaveLength(3);
  });

  it('an unknown permission set is ResourceNotFoundException; bad input is ValidationException', async () => {
    const g = await group();
    const ps = await createPs();
    const fake = ps.replace(/ps-.*/, 'ps-0000000000000000');
    expect((await errorOf(assign(fake, prod, g))).name).toBe('ResourceNotFoundException');
    expect((await errorOf(assign(ps, 'prod', g))).name).toBe('ValidationException');
    expect(
      (
        await errorOf(
          client.send(
            new CreateAccountAssignmentCommand({
              InstanceArn: instanceArn,
              TargetId: prod,
              TargetType: 'AWS_ACCOUNT',
              PermissionSetArn: ps,
              PrincipalType: 'ROLE' as 'USER',
              PrincipalId: g,
            }),
          ),
        )
      ).name,
    ).toBe('ValidationException');
    expect(
      (
        await errorOf(
          client.send(
            new DescribeAccountAssignmentCreationStatusCommand({
              InstanceArn: instanceArn,
              AccountAssignmentCreationRequestId: '00000000-0000-0000-0000-000000000000',
            }),
          ),
        )
      ).name,
    ).toBe('ResourceNotFoundException');
  });

  it('ListAccountAssignments pages; ListAccountAssignmentsForPrincipal filters by account', async () => {
    const ps = await createPs();
    const groups: string[] = [];
    for (const n of ['Admins', 'Developers', 'Auditors', 'Billing']) groups.push(await group(n));
    for (const g of groups) await assign(ps, prod, g);
    await assign(ps, dev, groups[0]);
    emu.flushAsync();
    const p1 = await client.send(
      new ListAccountAssignmentsCommand({ InstanceArn: instanceArn, AccountId: prod, PermissionSetArn: ps }),
    );
    expect(p1.AccountAssignments).toHaveLength(3);
    const p2 = await client.send(
      new ListAccountAssignmentsCommand({
        InstanceArn: instanceArn,
        AccountId: prod,
        PermissionSetArn: ps,
        NextToken: p1.NextToken,
      }),
    );
    expect([...p1.AccountAssignments!, ...p2.AccountAssignments!].map((a) => a.PrincipalId)).toEqual(groups);
    expect(p2.NextToken).toBeUndefined();
    const forAdmins = await client.send(
      new ListAccountAssignmentsForPrincipalCommand({
        InstanceArn: instanceArn,
        PrincipalId: groups[0],
        PrincipalType: 'GROUP',
      }),
    );
    expect(forAdmins.AccountAssignments!.map((a) => a.AccountId)).toEqual([prod, dev]);
    const filtered = await client.send(
      new ListAccountAssignmentsForPrincipalCommand({
        InstanceArn: instanceArn,
        PrincipalId: groups[0],
        PrincipalType: 'GROUP',
        Filter: { AccountId: dev },
      }),
    );
    expect(filtered.AccountAssignments).toEqual([
      { AccountId: dev, PermissionSetArn: ps, PrincipalType: 'GROUP', PrincipalId: groups[0] },
    ]);
  });

  it('DeleteAccountAssignment is async; removing the last one deprovisions the set and its role', async () => {
    const ps = await createPs();
    const g = await group();
    const u = await userId();
    await assign(ps, prod, g);
    await assign(ps, prod, u, 'USER');
    emu.flushAsync();
    const del = async (PrincipalId: string, PrincipalType: 'GROUP' | 'USER') =>
      (
        await client.send(
          new DeleteAccountAssignmentCommand({
            InstanceArn: instanceArn,
            TargetId: prod,
            TargetType: 'AWS_ACCOUNT',
            PermissionSetArn: ps,
            PrincipalType,
            PrincipalId,
          }),
        )
      ).AccountAssignmentDeletionStatus!;
    const d1 = await del(g, 'GROUP');
    expect(d1.Status).toBe('IN_PROGRESS');
    const s1 = (
      await client.send(
        new DescribeAccountAssignmentDeletionStatusCommand({
          InstanceArn: instanceArn,
          AccountAssignmentDeletionRequestId: d1.RequestId,
        }),
      )
    ).AccountAssignmentDeletionStatus!;
    expect(s1).toMatchObject({ Status: 'SUCCEEDED', PrincipalId: g });
    expect(await provisionedTo(prod)).toEqual([ps]); // still assigned to the user
    await del(u, 'USER');
    emu.flushAsync();
    expect(await provisionedTo(prod)).toEqual([]);
    expect(ssoRoles(prod)).toEqual([]);
    expect(
      (
        await client.send(new ListAccountAssignmentDeletionStatusCommand({ InstanceArn: instanceArn }))
      ).AccountAssignmentsDeletionStatus!.map((x) => x.Status),
    ).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    // A set no longer provisioned anywhere can be deleted; one still provisioned cannot.
    const other = await createPs('Other');
    await assign(other, dev, g);
    emu.flushAsync();
    expect(
      (
        await errorOf(
          client.send(new DeletePermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: other })),
        )
      ).name,
    ).toBe('ConflictException');
    await client.send(new DeletePermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: ps }));
  });

  it('a change makes provisioned accounts outdated until ProvisionPermissionSet (async) runs', async () => {
    const ps = await createPs();
    const g = await group();
    await assign(ps, prod, g);
    await assign(ps, dev, g);
    emu.flushAsync();
    expect(await provisionedTo(prod, 'LATEST_PERMISSION_SET_PROVISIONED')).toEqual([ps]);
    await attach(ps, 'AdministratorAccess');
    expect(await provisionedTo(prod, 'LATEST_PERMISSION_SET_PROVISIONED')).toEqual([]);
    expect(await provisionedTo(prod, 'LATEST_PERMISSION_SET_NOT_PROVISIONED')).toEqual([ps]);
    expect(
      (
        await client.send(
          new ListAccountsForProvisionedPermissionSetCommand({
            InstanceArn: instanceArn,
            PermissionSetArn: ps,
            ProvisioningStatus: 'LATEST_PERMISSION_SET_NOT_PROVISIONED',
          }),
        )
      ).AccountIds,
    ).toEqual([prod, dev].sort());

    emu.setLatency({ overrides: { 'sso-admin:ProvisionPermissionSet': { async: { min: 60_000, max: 60_000 } } } });
    const one = (
      await client.send(
        new ProvisionPermissionSetCommand({
          InstanceArn: instanceArn,
          PermissionSetArn: ps,
          TargetType: 'AWS_ACCOUNT',
          TargetId: prod,
        }),
      )
    ).PermissionSetProvisioningStatus!;
    expect(one).toMatchObject({ Status: 'IN_PROGRESS', AccountId: prod, PermissionSetArn: ps });
    // Only one provisioning of a set per target at a time.
    expect(
      (
        await errorOf(
          client.send(
            new ProvisionPermissionSetCommand({
              InstanceArn: instanceArn,
              PermissionSetArn: ps,
              TargetType: 'AWS_ACCOUNT',
              TargetId: prod,
            }),
          ),
        )
      ).name,
    ).toBe('ConflictException');
    const pending = await client.send(
      new DescribePermissionSetProvisioningStatusCommand({
        InstanceArn: instanceArn,
        ProvisionPermissionSetRequestId: one.RequestId,
      }),
    );
    expect(pending.PermissionSetProvisioningStatus!.Status).toBe('IN_PROGRESS');
    emu.flushAsync();
    expect(
      (
        await client.send(
          new DescribePermissionSetProvisioningStatusCommand({
            InstanceArn: instanceArn,
            ProvisionPermissionSetRequestId: one.RequestId,
          }),
        )
      ).PermissionSetProvisioningStatus!.Status,
    ).toBe('SUCCEEDED');
    expect(await provisionedTo(prod, 'LATEST_PERMISSION_SET_PROVISIONED')).toEqual([ps]);
    expect(await provisionedTo(dev, 'LATEST_PERMISSION_SET_NOT_PROVISIONED')).toEqual([ps]);

    emu.setLatency({
      profile: 'instant',
      overrides: { 'sso-admin:ProvisionPermissionSet': { async: { min: 0, max: 0 } } },
    });
    await client.send(
      new UpdatePermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: ps, SessionDuration: 'PT4H' }),
    );
    const all = (
      await client.send(
        new ProvisionPermissionSetCommand({
          InstanceArn: instanceArn,
          PermissionSetArn: ps,
          TargetType: 'ALL_PROVISIONED_ACCOUNTS',
        }),
      )
    ).PermissionSetProvisioningStatus!;
    expect(
      (
        await client.send(
          new DescribePermissionSetProvisioningStatusCommand({
            InstanceArn: instanceArn,
            ProvisionPermissionSetRequestId: all.RequestId,
          }),
        )
      ).PermissionSetProvisioningStatus!.Status,
    ).toBe('SUCCEEDED');
    expect(await provisionedTo(prod, 'LATEST_PERMISSION_SET_NOT_PROVISIONED')).toEqual([]);
    expect(await provisionedTo(dev, 'LATEST_PERMISSION_SET_NOT_PROVISIONED')).toEqual([]);
    const statuses = (
      await client.send(
        new ListPermissionSetProvisioningStatusCommand({ InstanceArn: instanceArn, Filter: { Status: 'SUCCEEDED' } }),
      )
    ).PermissionSetsProvisioningStatus!;
    expect(statuses.map((s) => s.RequestId)).toEqual([one.RequestId, all.RequestId]);
  });

  it('provisioning into an account outside the organization FAILS', async () => {
    const ps = await createPs();
    const st = (
      await client.send(
        new ProvisionPermissionSetCommand({
          InstanceArn: instanceArn,
          PermissionSetArn: ps,
          TargetType: 'AWS_ACCOUNT',
          TargetId: '999999999999',
        }),
      )
    ).PermissionSetProvisioningStatus!;
    const done = (
      await client.send(
        new DescribePermissionSetProvisioningStatusCommand({
          InstanceArn: instanceArn,
          ProvisionPermissionSetRequestId: st.RequestId,
        }),
      )
    ).PermissionSetProvisioningStatus!;
    expect(done.Status).toBe('FAILED');
    expect(done.FailureReason).toMatch(/999999999999/);
    expect(
      (
        await errorOf(
          client.send(
            new ProvisionPermissionSetCommand({
              InstanceArn: instanceArn,
              PermissionSetArn: ps,
              TargetType: 'AWS_ACCOUNT',
            }),
          ),
        )
      ).name,
    ).toBe('ValidationException');
  });

  it('throttling and internal faults surface with the SSO Admin codes', async () => {
    emu.setFaults([
      { service: 'sso-admin', operation: 'CreatePermissionSet', kind: 'throttle', times: 1 },
      { service: 'sso-admin', operation: 'ListPermissionSets', kind: 'internal', times: 1 },
    ]);
    expect((await errorOf(createPs())).name).toBe('ThrottlingException');
    expect(await errorOf(client.send(new ListPermissionSetsCommand({ InstanceArn: instanceArn })))).toMatchObject({
      name: 'InternalServerException',
      status: 500,
    });
    await createPs();
  });
});

describe('sso-admin drift', () => {
  it('delete-account-assignment, update-permission-set and detach-managed-policy', async () => {
    const ps = await createPs('AdministratorAccess', 'PT8H');
    await attach(ps, 'AdministratorAccess');
    const g = await group('Admins');
    await assign(ps, prod, g);
    emu.flushAsync();
    emu.drift('sso-admin', 'delete-account-assignment', {
      account: 'prod',
      permissionSet: 'AdministratorAccess',
      principal: 'Admins',
    });
    expect(
      (
        await client.send(
          new ListAccountAssignmentsCommand({ InstanceArn: instanceArn, AccountId: prod, PermissionSetArn: ps }),
        )
      ).AccountAssignments,
    ).toEqual([]);
    expect(ssoRoles(prod)).toEqual([]);
    expect(() =>
      emu.drift('sso-admin', 'delete-account-assignment', {
        account: prod,
        permissionSet: 'AdministratorAccess',
        principal: 'Admins',
      }),
    ).toThrow(/no assignment/);

    await assign(ps, prod, g);
    emu.flushAsync();
    emu.drift('sso-admin', 'update-permission-set', { name: 'AdministratorAccess', sessionDuration: 'PT1H' });
    expect(
      (await client.send(new DescribePermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: ps })))
        .PermissionSet!.SessionDuration,
    ).toBe('PT1H');
    expect(await provisionedTo(prod, 'LATEST_PERMISSION_SET_NOT_PROVISIONED')).toEqual([ps]);

    emu.drift('sso-admin', 'detach-managed-policy', { name: 'AdministratorAccess', policy: 'AdministratorAccess' });
    expect(
      (
        await client.send(
          new ListManagedPoliciesInPermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: ps }),
        )
      ).AttachedManagedPolicies,
    ).toEqual([]);
    expect(emu.driftKinds()).toEqual(
      expect.arrayContaining([
        'sso-admin:delete-account-assignment',
        'sso-admin:update-permission-set',
        'sso-admin:detach-managed-policy',
      ]),
    );
    // Drift is not a call: the log has none of it.
    expect(emu.calls({ service: 'sso-admin', operation: 'DeleteAccountAssignment' })).toEqual([]);
  });

  it('the control API reaches the same drift kinds', async () => {
    const ps = await createPs('ReadOnly');
    const g = await group('Auditors');
    await assign(ps, dev, g);
    emu.flushAsync();
    const res = await fetch(`${emu.url}/_emulator/drift`, {
      method: 'POST',
      body: JSON.stringify({
        service: 'sso-admin',
        kind: 'delete-account-assignment',
        account: dev,
        permissionSet: ps,
        principal: g,
        principalType: 'GROUP',
      }),
    });
    expect(res.status).toBe(200);
    expect(await provisionedTo(dev)).toEqual([]);
  });
});
