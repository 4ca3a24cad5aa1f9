// Identity Store through the real SDK client against the emulator: users, groups,
// memberships, lookups by unique attribute, paging, AWS-shaped errors, faults and drift.
import { beforeEach, describe, expect, it } from 'vitest';
import {
  CreateGroupCommand,
  CreateGroupMembershipCommand,
  CreateUserCommand,
  DeleteGroupCommand,
  DeleteGroupMembershipCommand,
  DeleteUserCommand,
  DescribeGroupCommand,
  DescribeGroupMembershipCommand,
  DescribeUserCommand,
  GetGroupIdCommand,
  GetGroupMembershipIdCommand,
  GetUserIdCommand,
  IdentitystoreClient,
  IsMemberInGroupsCommand,
  ListGroupMembershipsCommand,
  ListGroupMembershipsForMemberCommand,
  ListGroupsCommand,
  ListUsersCommand,
  UpdateGroupCommand,
  UpdateUserCommand,
  paginateListGroups,
  paginateListUsers,
  type CreateUserCommandInput,
} from '@aws-sdk/client-identitystore';
import { errorOf as awsError, useEmulator } from '../helpers/emulator-sdk.js';

// Lists right after creating: this file tests what the calls do; eventual consistency has its
// own tests (tests/emulator/behaviours.test.ts).
const sdk = useEmulator({ reset: 'fresh+identity-center', lenient: ['eventual-consistency'] });
const { emu } = sdk;
let client: IdentitystoreClient;
let storeId: string;
beforeEach(() => {
  storeId = emu.world.identityCenter!.identityStoreId;
  client = sdk.client(IdentitystoreClient);
});

const errorOf = (p: Promise<unknown>) => awsError(p, 'ResourceType', 'Reason');
const user = (UserName = 'jane', extra: Partial<CreateUserCommandInput> = {}): CreateUserCommandInput => ({
  IdentityStoreId: storeId,
  UserName,
  DisplayName: 'Jane Doe',
  Name: { GivenName: 'Jane', FamilyName: 'Doe' },
  Emails: [{ Value: `${UserName}@acme.example`, Type: 'work', Primary: true }],
  ...extra,
});
const createUser = async (name = 'jane', extra: Partial<CreateUserCommandInput> = {}) =>
  (await client.send(new CreateUserCommand(user(name, extra)))).UserId!;
const createGroup = async (DisplayName: string, Description?: string) =>
  (await client.send(new CreateGroupCommand({ IdentityStoreId: storeId, DisplayName, Description }))).GroupId!;
const byUserName = (v: string) => ({
  IdentityStoreId: storeId,
  AlternateIdentifier: { UniqueAttribute: { AttributePath: 'userName', AttributeValue: v } },
});
const byDisplayName = (v: string) => ({
  IdentityStoreId: storeId,
  AlternateIdentifier: { UniqueAttribute: { AttributePath: 'displayName', AttributeValue: v } },
});

describe('identitystore users', () => {
  it('creates a user, finds it with GetUserId and describes it', async () => {
    const id = await createUser();
    expect(id).toMatch(/^[0-9a-f]{10}-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect((await client.send(new GetUserIdCommand(byUserName('jane')))).UserId).toBe(id);
    // User names are case-insensitive, as in Identity Center.
    expect((await client.send(new GetUserIdCommand(byUserName('JANE')))).UserId).toBe(id);
    const byEmail = await client.send(
      new GetUserIdCommand({
        IdentityStoreId: storeId,
        AlternateIdentifier: {
          UniqueAttribute: { AttributePath: 'emails.value', AttributeValue: 'jane@acme.example' },
        },
      }),
    );
    expect(byEmail.UserId).toBe(id);
    const d = await client.send(new DescribeUserCommand({ IdentityStoreId: storeId, UserId: id }));
    expect(d).toMatchObject({
      IdentityStoreId: storeId,
      UserId: id,
      UserName: 'jane',
      DisplayName: 'Jane Doe',
      Name: { GivenName: 'Jane', FamilyName: 'Doe' },
      Emails: [{ Value: 'jane@acme.example', Type: 'work', Primary: true }],
      UserStatus: 'ENABLED',
    });
    expect(d.CreatedAt).toBeInstanceOf(Date);
  });

  it('GetUserId of an unknown user is ResourceNotFoundException (USER)', async () => {
    expect(await errorOf(client.send(new GetUserIdCommand(byUserName('nobody'))))).toMatchObject({
      name: 'ResourceNotFoundException',
      status: 400,
      ResourceType: 'USER',
    });
    const unsupported = await errorOf(
      client.send(
        new GetUserIdCommand({
          IdentityStoreId: storeId,
          AlternateIdentifier: { UniqueAttribute: { AttributePath: 'displayName', AttributeValue: 'x' } },
        }),
      ),
    );
    expect(unsupported.name).toBe('ValidationException');
  });

  it('a second user with the same name (any case) is ConflictException; nothing is created', async () => {
    await createUser('jane');
    expect(await errorOf(client.send(new CreateUserCommand(user('Jane'))))).toMatchObject({
      name: 'ConflictException',
      Reason: 'UNIQUENESS_CONSTRAINT_VIOLATION',
    });
    expect((await client.send(new ListUsersCommand({ IdentityStoreId: storeId }))).Users).toHaveLength(1);
  });

  it('validates required attributes as AWS does', async () => {
    const bad = async (input: CreateUserCommandInput) =>
      (await errorOf(client.send(new CreateUserCommand(input)))).name;
    expect(await bad({ ...user(), UserName: undefined })).toBe('ValidationException');
    expect(await bad({ ...user(), UserName: 'has space' })).toBe('ValidationException');
    expect(await bad({ ...user(), UserName: 'x'.repeat(129) })).toBe('ValidationException');
    expect(await bad({ ...user(), UserName: 'Administrator' })).toBe('ValidationException');
    expect(await bad({ ...user(), DisplayName: undefined })).toBe('ValidationException');
    expect(await bad({ ...user(), Name: undefined })).toBe('ValidationException');
    expect(await bad({ ...user(), Name: { GivenName: 'Jane' } })).toBe('ValidationException');
    expect(await bad({ ...user(), Emails: [{ Value: 'not-an-email' }] })).toBe('ValidationException');
    expect(await bad({ ...user(), Emails: [{ Value: 'a@acme.example' }, { Value: 'b@acme.example' }] })).toBe(
      'ValidationException',
    );
    expect((await client.send(new ListUsersCommand({ IdentityStoreId: storeId }))).Users).toEqual([]);
  });

  it('lists users with paging and the UserName filter', async () => {
    for (const n of ['a1', 'a2', 'a3', 'a4', 'a5']) await createUser(n);
    const first = await client.send(new ListUsersCommand({ IdentityStoreId: storeId }));
    expect(first.Users).toHaveLength(3);
    expect(first.NextToken).toBeTruthy();
    const all: string[] = [];
    for await (const page of paginateListUsers({ client }, { IdentityStoreId: storeId, MaxResults: 2 }))
      all.push(...page.Users!.map((u) => u.UserName!));
    expect(all).toEqual(['a1', 'a2', 'a3', 'a4', 'a5']);
    const filtered = await client.send(
      new ListUsersCommand({
        IdentityStoreId: storeId,
        Filters: [{ AttributePath: 'UserName', AttributeValue: 'a4' }],
      }),
    );
    expect(filtered.Users!.map((u) => u.UserName)).toEqual(['a4']);
    expect((await errorOf(client.send(new ListUsersCommand({ IdentityStoreId: storeId, MaxResults: 101 })))).name).toBe(
      'ValidationException',
    );
    expect(
      (await errorOf(client.send(new ListUsersCommand({ IdentityStoreId: storeId, NextToken: 'garbage' })))).name,
    ).toBe('ValidationException');
  });

  it('UpdateUser changes attributes by path; a failed update changes nothing', async () => {
    const id = await createUser();
    await client.send(
      new UpdateUserCommand({
        IdentityStoreId: storeId,
        UserId: id,
        Operations: [
          { AttributePath: 'displayName', AttributeValue: 'Jane Q. Doe' },
          { AttributePath: 'name.givenName', AttributeValue: 'Janet' },
          { AttributePath: 'emails', AttributeValue: [{ value: 'janet@acme.example', type: 'work', primary: true }] },
          { AttributePath: 'title', AttributeValue: 'Founder' },
        ],
      }),
    );
    const d = await client.send(new DescribeUserCommand({ IdentityStoreId: storeId, UserId: id }));
    expect(d).toMatchObject({
      DisplayName: 'Jane Q. Doe',
      Name: { GivenName: 'Janet', FamilyName: 'Doe' },
      Emails: [{ Value: 'janet@acme.example', Primary: true }],
      Title: 'Founder',
    });
    await createUser('bob');
    const clash = await errorOf(
      client.send(
        new UpdateUserCommand({
          IdentityStoreId: storeId,
          UserId: id,
          Operations: [
            { AttributePath: 'displayName', AttributeValue: 'Changed' },
            { AttributePath: 'userName', AttributeValue: 'BOB' },
          ],
        }),
      ),
    );
    expect(clash.name).toBe('ConflictException');
    expect((await client.send(new DescribeUserCommand({ IdentityStoreId: storeId, UserId: id }))).DisplayName).toBe(
      'Jane Q. Doe',
    );
    expect(
      (
        await errorOf(
          client.send(
            new UpdateUserCommand({
              IdentityStoreId: storeId,
              UserId: id,
              Operations: [{ AttributePath: 'name.familyName' }],
            }),
          ),
        )
      ).name,
    ).toBe('ValidationException');
    expect(
      (
        await errorOf(
          client.send(
            new UpdateUserCommand({
              IdentityStoreId: storeId,
              UserId: id,
              Operations: [{ AttributePath: 'nope', AttributeValue: 'x' }],
            }),
          ),
        )
      ).name,
    ).toBe('ValidationException');
  });

  it('DeleteUser removes the user and its memberships; unknown IDs are ResourceNotFoundException', async () => {
    const id = await createUser();
    const g = await createGroup('Admins');
    await client.send(
      new CreateGroupMembershipCommand({ IdentityStoreId: storeId, GroupId: g, MemberId: { UserId: id } }),
    );
    await client.send(new DeleteUserCommand({ IdentityStoreId: storeId, UserId: id }));
    expect(await errorOf(client.send(new DescribeUserCommand({ IdentityStoreId: storeId, UserId: id })))).toMatchObject(
      { name: 'ResourceNotFoundException', ResourceType: 'USER' },
    );
    expect(
      (await client.send(new ListGroupMembershipsCommand({ IdentityStoreId: storeId, GroupId: g }))).GroupMemberships,
    ).toEqual([]);
    expect((await errorOf(client.send(new DeleteUserCommand({ IdentityStoreId: storeId, UserId: id })))).name).toBe(
      'ResourceNotFoundException',
    );
    expect(
      (await errorOf(client.send(new DescribeUserCommand({ IdentityStoreId: storeId, UserId: 'not-an-id' })))).name,
    ).toBe('ValidationException');
  });
});

describe('identitystore groups and memberships', () => {
  it('creates groups, finds them by display name, lists and pages them', async () => {
    const ids: string[] = [];
    for (const n of ['Admins', 'Developers', 'Auditors', 'Billing']) ids.push(await createGroup(n, `${n} of acme`));
    expect((await client.send(new GetGroupIdCommand(byDisplayName('Auditors')))).GroupId).toBe(ids[2]);
    expect((await client.send(new GetGroupIdCommand(byDisplayName('auditors')))).GroupId).toBe(ids[2]);
    expect(await errorOf(client.send(new GetGroupIdCommand(byDisplayName('Nope'))))).toMatchObject({
      name: 'ResourceNotFoundException',
      ResourceType: 'GROUP',
    });
    expect(await client.send(new DescribeGroupCommand({ IdentityStoreId: storeId, GroupId: ids[0] }))).toMatchObject({
      GroupId: ids[0],
      DisplayName: 'Admins',
      Description: 'Admins of acme',
      IdentityStoreId: storeId,
    });
    const names: string[] = [];
    for await (const page of paginateListGroups({ client }, { IdentityStoreId: storeId }))
      names.push(...page.Groups!.map((g) => g.DisplayName!));
    expect(names).toEqual(['Admins', 'Developers', 'Auditors', 'Billing']);
    const f = await client.send(
      new ListGroupsCommand({
        IdentityStoreId: storeId,
        Filters: [{ AttributePath: 'DisplayName', AttributeValue: 'Billing' }],
      }),
    );
    expect(f.Groups!.map((g) => g.GroupId)).toEqual([ids[3]]);
  });

  it('a duplicate display name is ConflictException; a group needs a display name', async () => {
    await createGroup('Admins');
    expect(await errorOf(createGroup('ADMINS'))).toMatchObject({
      name: 'ConflictException',
      Reason: 'UNIQUENESS_CONSTRAINT_VIOLATION',
    });
    expect((await errorOf(client.send(new CreateGroupCommand({ IdentityStoreId: storeId })))).name).toBe(
      'ValidationException',
    );
  });

  it('Administrator and AWSAdministrators are reserved group names (any case), on create and on rename', async () => {
    for (const name of ['Administrator', 'AWSAdministrators', 'administrator']) {
      expect(await errorOf(createGroup(name))).toMatchObject({
        name: 'ValidationException',
        message: expect.stringMatching(/reserved/),
      });
    }
    // Only those names: one more letter is a name like any other.
    const id = await createGroup('Administrators');
    expect(
      await errorOf(
        client.send(
          new UpdateGroupCommand({
            IdentityStoreId: storeId,
            GroupId: id,
            Operations: [{ AttributePath: 'displayName', AttributeValue: 'AWSAdministrators' }],
          }),
        ),
      ),
    ).toMatchObject({ name: 'ValidationException' });
  });

  it('UpdateGroup and DeleteGroup', async () => {
    const g = await createGroup('Admins');
    await createGroup('Ops');
    await client.send(
      new UpdateGroupCommand({
        IdentityStoreId: storeId,
        GroupId: g,
        Operations: [{ AttributePath: 'description', AttributeValue: 'People who run acme' }],
      }),
    );
    expect((await client.send(new DescribeGroupCommand({ IdentityStoreId: storeId, GroupId: g }))).Description).toBe(
      'People who run acme',
    );
    expect(
      (
        await errorOf(
          client.send(
            new UpdateGroupCommand({
              IdentityStoreId: storeId,
              GroupId: g,
              Operations: [{ AttributePath: 'displayName', AttributeValue: 'ops' }],
            }),
          ),
        )
      ).name,
    ).toBe('ConflictException');
    await client.send(new DeleteGroupCommand({ IdentityStoreId: storeId, GroupId: g }));
    expect(
      await errorOf(client.send(new DescribeGroupCommand({ IdentityStoreId: storeId, GroupId: g }))),
    ).toMatchObject({ name: 'ResourceNotFoundException', ResourceType: 'GROUP' });
  });

  it('memberships: create, find, describe, list both ways, IsMemberInGroups, delete', async () => {
    const jane = await createUser('jane');
    const bob = await createUser('bob');
    const admins = await createGroup('Admins');
    const devs = await createGroup('Developers');
    const m = (
      await client.send(
        new CreateGroupMembershipCommand({ IdentityStoreId: storeId, GroupId: admins, MemberId: { UserId: jane } }),
      )
    ).MembershipId!;
    await client.send(
      new CreateGroupMembershipCommand({ IdentityStoreId: storeId, GroupId: admins, MemberId: { UserId: bob } }),
    );
    await client.send(
      new CreateGroupMembershipCommand({ IdentityStoreId: storeId, GroupId: devs, MemberId: { UserId: jane } }),
    );
    expect(
      await errorOf(
        client.send(
          new CreateGroupMembershipCommand({ IdentityStoreId: storeId, GroupId: admins, MemberId: { UserId: jane } }),
        ),
      ),
    ).toMatchObject({ name: 'ConflictException' });
    expect(
      (
        await client.send(
          new GetGroupMembershipIdCommand({ IdentityStoreId: storeId, GroupId: admins, MemberId: { UserId: jane } }),
        )
      ).MembershipId,
    ).toBe(m);
    expect(
      await client.send(new DescribeGroupMembershipCommand({ IdentityStoreId: storeId, MembershipId: m })),
    ).toMatchObject({ GroupId: admins, MemberId: { UserId: jane } });
    const inAdmins = await client.send(new ListGroupMembershipsCommand({ IdentityStoreId: storeId, GroupId: admins }));
    expect(inAdmins.GroupMemberships!.map((x) => x.MemberId?.UserId)).toEqual([jane, bob]);
    const janes = await client.send(
      new ListGroupMembershipsForMemberCommand({ IdentityStoreId: storeId, MemberId: { UserId: jane } }),
    );
    expect(janes.GroupMemberships!.map((x) => x.GroupId)).toEqual([admins, devs]);
    const is = await client.send(
      new IsMemberInGroupsCommand({ IdentityStoreId: storeId, MemberId: { UserId: bob }, GroupIds: [admins, devs] }),
    );
    expect(is.Results!.map((r) => [r.GroupId, r.MembershipExists])).toEqual([
      [admins, true],
      [devs, false],
    ]);
    await client.send(new DeleteGroupMembershipCommand({ IdentityStoreId: storeId, MembershipId: m }));
    expect(
      await errorOf(
        client.send(
          new GetGroupMembershipIdCommand({ IdentityStoreId: storeId, GroupId: admins, MemberId: { UserId: jane } }),
        ),
      ),
    ).toMatchObject({ name: 'ResourceNotFoundException', ResourceType: 'GROUP_MEMBERSHIP' });
    expect(
      (await errorOf(client.send(new DeleteGroupMembershipCommand({ IdentityStoreId: storeId, MembershipId: m }))))
        .name,
    ).toBe('ResourceNotFoundException');
    // Unknown group or user.
    expect(
      await errorOf(
        client.send(
          new CreateGroupMembershipCommand({
            IdentityStoreId: storeId,
            GroupId: admins,
            MemberId: { UserId: jane.replace(/.$/, jane.endsWith('0') ? '1' : '0') },
          }),
        ),
      ),
    ).toMatchObject({ name: 'ResourceNotFoundException', ResourceType: 'USER' });
  });
});

describe('identitystore access and errors', () => {
  it('a wrong or malformed IdentityStoreId is ResourceNotFoundException / ValidationException', async () => {
    expect(await errorOf(client.send(new ListUsersCommand({ IdentityStoreId: 'd-0000000000' })))).toMatchObject({
      name: 'ResourceNotFoundException',
      ResourceType: 'IDENTITY_STORE',
    });
    expect((await errorOf(client.send(new ListUsersCommand({ IdentityStoreId: 'store-1' })))).name).toBe(
      'ValidationException',
    );
  });

  it("the identity store lives in the instance's home region only", async () => {
    const other = sdk.client(IdentitystoreClient, { region: 'eu-west-1' });
    expect((await errorOf(other.send(new ListUsersCommand({ IdentityStoreId: storeId })))).name).toBe(
      'ResourceNotFoundException',
    );
  });

  it('before Identity Center is enabled there is no identity store', async () => {
    emu.reset('fresh');
    expect((await errorOf(client.send(new ListUsersCommand({ IdentityStoreId: 'd-1234567890' })))).name).toBe(
      'ResourceNotFoundException',
    );
  });

  it('a member account is AccessDeniedException', async () => {
    emu.reset({
      base: 'org-exists',
      members: [{ name: 'prod', email: 'ops+prod@acme.example' }],
      identityCenterRegion: 'us-east-1',
    });
    storeId = emu.world.identityCenter!.identityStoreId;
    const memberId = Object.keys(emu.world.accounts).find((a) => a !== emu.world.homeAccountId)!;
    const asMember = sdk.client(IdentitystoreClient, { credentials: emu.credentials(memberId) });
    expect(await errorOf(asMember.send(new ListUsersCommand({ IdentityStoreId: storeId })))).toMatchObject({
      name: 'AccessDeniedException',
      status: 400,
    });
  });

  it('throttling fault surfaces as ThrottlingException', async () => {
    emu.setFaults([{ service: 'identitystore', operation: 'CreateUser', kind: 'throttle', times: 1 }]);
    expect((await errorOf(createUser())).name).toBe('ThrottlingException');
    await createUser();
  });
});

describe('identitystore drift', () => {
  it("delete-group-membership and delete-user act behind the caller's back", async () => {
    const jane = await createUser('jane');
    const g = await createGroup('Admins');
    await client.send(
      new CreateGroupMembershipCommand({ IdentityStoreId: storeId, GroupId: g, MemberId: { UserId: jane } }),
    );
    emu.drift('identitystore', 'delete-group-membership', { user: 'jane', group: 'Admins' });
    expect(
      (await client.send(new ListGroupMembershipsCommand({ IdentityStoreId: storeId, GroupId: g }))).GroupMemberships,
    ).toEqual([]);
    expect(() => emu.drift('identitystore', 'delete-group-membership', { user: 'jane', group: 'Admins' })).toThrow(
      /not a member/,
    );
    emu.drift('identitystore', 'delete-user', { user: jane });
    expect((await errorOf(client.send(new GetUserIdCommand(byUserName('jane'))))).name).toBe(
      'ResourceNotFoundException',
    );
    emu.drift('identitystore', 'delete-group', { group: 'Admins' });
    expect((await errorOf(client.send(new GetGroupIdCommand(byDisplayName('Admins'))))).name).toBe(
      'ResourceNotFoundException',
    );
    expect(emu.driftKinds()).toEqual(
      expect.arrayContaining(['identitystore:delete-group-membership', 'identitystore:delete-user']),
    );
  });
});
