// AWS Organizations through the real SDK v3 client against the emulator: every emulated
// operation, AWS-shaped errors (name, Reason, HTTP status), NextToken paging, throttling,
// asynchrony (CreateAccount, EnablePolicyType), member-account access rules, the fidelity
// list of issue 3 and the organizations drift kinds.
import { beforeEach, describe, expect, it } from 'vitest';
import {
  AttachPolicyCommand,
  CreateAccountCommand,
  CreateOrganizationalUnitCommand,
  CreateOrganizationCommand,
  CreatePolicyCommand,
  DeleteOrganizationalUnitCommand,
  DeletePolicyCommand,
  DescribeAccountCommand,
  DescribeCreateAccountStatusCommand,
  DescribeOrganizationalUnitCommand,
  DescribeOrganizationCommand,
  DescribePolicyCommand,
  DetachPolicyCommand,
  DisableAWSServiceAccessCommand,
  DisablePolicyTypeCommand,
  EnableAWSServiceAccessCommand,
  EnablePolicyTypeCommand,
  InviteAccountToOrganizationCommand,
  LeaveOrganizationCommand,
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListAWSServiceAccessForOrganizationCommand,
  ListChildrenCommand,
  ListCreateAccountStatusCommand,
  ListOrganizationalUnitsForParentCommand,
  ListParentsCommand,
  ListPoliciesCommand,
  ListPoliciesForTargetCommand,
  ListRootsCommand,
  ListTagsForResourceCommand,
  ListTargetsForPolicyCommand,
  MoveAccountCommand,
  OrganizationsClient,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateOrganizationalUnitCommand,
  UpdatePolicyCommand,
  paginateListAccounts,
  type CreateAccountStatus,
} from '@aws-sdk/client-organizations';
import { MANAGEMENT_ACCOUNT_ID as ME, OTHER_ORG_MANAGEMENT_ACCOUNT_ID as OTHER } from '../../emulator/world.js';
import { errorOf as awsError, useEmulator } from '../helpers/emulator-sdk.js';

// Lists right after creating, many calls in a row: this file tests what the calls do; eventual
// consistency and throttling have their own tests (tests/emulator/behaviours.test.ts).
const sdk = useEmulator({ reset: false, lenient: ['eventual-consistency', 'throttling'] }); // fresh() resets
const { emu } = sdk;
let orgs: OrganizationsClient;

beforeEach(() => fresh('fresh'));

/** New world and a management-account client (maxAttempts 1: a fault is seen as it is). */
function fresh(scenario: string, config: Record<string, unknown> = {}) {
  emu.reset(scenario);
  emu.configure({ pageSize: 3, emptyPages: false, accountQuota: 10, finalizing: {}, ...config });
  emu.setLatency({ profile: 'instant', scale: 1 });
  emu.latency.overrides = {};
  orgs = clientFor();
}

const clientFor = (account: 'management' | string = 'management') =>
  sdk.client(OrganizationsClient, { credentials: emu.credentials(account) });

const errorOf = (p: Promise<unknown>) => awsError(p, 'Reason');

const SCP = 'SERVICE_CONTROL_POLICY' as const;
const denyLeave = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Sid: 'DenyLeave', Effect: 'Deny', Action: 'organizations:LeaveOrganization', Resource: '*' }],
});

async function createOrg(): Promise<{ orgId: string; rootId: string }> {
  const o = (await orgs.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }))).Organization!;
  const rootId = (await orgs.send(new ListRootsCommand({}))).Roots![0].Id!;
  return { orgId: o.Id!, rootId };
}

/** CreateAccount, then poll DescribeCreateAccountStatus until it is no longer IN_PROGRESS. */
async function createAccount(name: string, email: string): Promise<CreateAccountStatus> {
  const started = (await orgs.send(new CreateAccountCommand({ AccountName: name, Email: email }))).CreateAccountStatus!;
  for (let i = 0; i < 200; i++) {
    const s = (await orgs.send(new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: started.Id! })))
      .CreateAccountStatus!;
    if (s.State !== 'IN_PROGRESS') return s;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`account ${name} never finished`);
}

/** Every item of a list call, following NextToken; also returns the number of pages. */
async function all<T>(
  fetch: (token?: string) => Promise<{ items?: T[]; next?: string }>,
): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const r = await fetch(token);
    pages++;
    items.push(...(r.items ?? []));
    token = r.next;
  } while (token && pages < 100);
  return { items, pages };
}

describe('organization, roots and feature set', () => {
  it('a fresh account has no organization: AWSOrganizationsNotInUseException (400)', async () => {
    expect(await errorOf(orgs.send(new DescribeOrganizationCommand({})))).toMatchObject({
      name: 'AWSOrganizationsNotInUseException',
      status: 400,
    });
    expect((await errorOf(orgs.send(new ListRootsCommand({})))).name).toBe('AWSOrganizationsNotInUseException');
  });

  it('CreateOrganization makes an ALL-features org with SCPs enabled and FullAWSAccess on the root', async () => {
    const created = (await orgs.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }))).Organization!;
    expect(created).toMatchObject({
      FeatureSet: 'ALL',
      MasterAccountId: ME,
      MasterAccountEmail: 'founder@example.com',
    });
    expect(created.Id).toMatch(/^o-[a-z0-9]{10}$/);
    const described = (await orgs.send(new DescribeOrganizationCommand({}))).Organization!;
    expect(described.Id).toBe(created.Id);
    const roots = (await orgs.send(new ListRootsCommand({}))).Roots!;
    expect(roots).toHaveLength(1);
    expect(roots[0].Id).toMatch(/^r-[0-9a-z]{4}$/);
    expect(roots[0].PolicyTypes).toEqual([{ Type: SCP, Status: 'ENABLED' }]);
    const onRoot = (await orgs.send(new ListPoliciesForTargetCommand({ TargetId: roots[0].Id!, Filter: SCP })))
      .Policies!;
    expect(onRoot.map((p) => p.Name)).toEqual(['FullAWSAccess']);
    // A second organization for the same account is refused.
    expect(await errorOf(orgs.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' })))).toMatchObject({
      name: 'AlreadyInOrganizationException',
      status: 400,
    });
  });

  it('a bad FeatureSet is InvalidInputException with Reason INVALID_ENUM; nothing is created', async () => {
    const e = await errorOf(orgs.send(new CreateOrganizationCommand({ FeatureSet: 'SOME' as never })));
    expect(e).toMatchObject({ name: 'InvalidInputException', status: 400, Reason: 'INVALID_ENUM' });
    expect((await errorOf(orgs.send(new DescribeOrganizationCommand({})))).name).toBe(
      'AWSOrganizationsNotInUseException',
    );
  });

  it('EnablePolicyType is asynchronous: PENDING_ENABLE, then ENABLED; DisablePolicyType likewise', async () => {
    const { rootId } = await createOrg();
    emu.setLatency({
      overrides: {
        'organizations:EnablePolicyType': { async: { min: 60_000, max: 60_000 } },
        'organizations:DisablePolicyType': { async: { min: 60_000, max: 60_000 } },
      },
    });
    const r = (await orgs.send(new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: 'TAG_POLICY' }))).Root!;
    expect(r.PolicyTypes).toContainEqual({ Type: 'TAG_POLICY', Status: 'PENDING_ENABLE' });
    // Still pending on the next read: the override keeps it going for a minute.
    expect((await orgs.send(new ListRootsCommand({}))).Roots![0].PolicyTypes).toContainEqual({
      Type: 'TAG_POLICY',
      Status: 'PENDING_ENABLE',
    });
    expect(
      (await errorOf(orgs.send(new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: 'TAG_POLICY' })))).name,
    ).toBe('PolicyTypeAlreadyEnabledException');
    emu.flushAsync();
    expect((await orgs.send(new ListRootsCommand({}))).Roots![0].PolicyTypes).toContainEqual({
      Type: 'TAG_POLICY',
      Status: 'ENABLED',
    });
    const d = (await orgs.send(new DisablePolicyTypeCommand({ RootId: rootId, PolicyType: 'TAG_POLICY' }))).Root!;
    expect(d.PolicyTypes).toContainEqual({ Type: 'TAG_POLICY', Status: 'PENDING_DISABLE' });
    emu.flushAsync();
    expect((await orgs.send(new ListRootsCommand({}))).Roots![0].PolicyTypes!.map((t) => t.Type)).toEqual([SCP]);
    expect(
      await errorOf(orgs.send(new DisablePolicyTypeCommand({ RootId: rootId, PolicyType: 'TAG_POLICY' }))),
    ).toMatchObject({ name: 'PolicyTypeNotEnabledException', status: 400 });
  });

  it('EnablePolicyType completes on its own after the async duration (realistic profile at 1/1000)', async () => {
    const { rootId } = await createOrg();
    emu.setLatency({ profile: 'realistic', scale: 0.001 }); // EnablePolicyType: 2–5 ms pending
    const r = (await orgs.send(new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: 'BACKUP_POLICY' }))).Root!;
    expect(r.PolicyTypes).toContainEqual({ Type: 'BACKUP_POLICY', Status: 'PENDING_ENABLE' });
    let status: string | undefined;
    for (let i = 0; i < 100 && status !== 'ENABLED'; i++) {
      await new Promise((res) => setTimeout(res, 10));
      status = (await orgs.send(new ListRootsCommand({}))).Roots![0].PolicyTypes!.find(
        (t) => t.Type === 'BACKUP_POLICY',
      )?.Status;
    }
    expect(status).toBe('ENABLED');
  });

  it('policy-type errors: unknown root, already enabled SCPs, consolidated billing', async () => {
    const { rootId } = await createOrg();
    expect(await errorOf(orgs.send(new EnablePolicyTypeCommand({ RootId: 'r-zzzz', PolicyType: SCP })))).toMatchObject({
      name: 'RootNotFoundException',
      status: 400,
    });
    expect((await errorOf(orgs.send(new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: SCP })))).name).toBe(
      'PolicyTypeAlreadyEnabledException',
    );
    expect(
      await errorOf(orgs.send(new EnablePolicyTypeCommand({ RootId: 'not-a-root', PolicyType: SCP }))),
    ).toMatchObject({ name: 'InvalidInputException', Reason: 'INVALID_PATTERN' });
    fresh('consolidated-billing');
    const cbRoot = (await orgs.send(new ListRootsCommand({}))).Roots![0].Id!;
    expect((await orgs.send(new DescribeOrganizationCommand({}))).Organization!.FeatureSet).toBe(
      'CONSOLIDATED_BILLING',
    );
    expect((await errorOf(orgs.send(new EnablePolicyTypeCommand({ RootId: cbRoot, PolicyType: SCP })))).name).toBe(
      'PolicyTypeNotAvailableForOrganizationException',
    );
  });
});

describe('trusted access', () => {
  it('enables, lists and disables service access; idempotent enable', async () => {
    await createOrg();
    expect((await orgs.send(new ListAWSServiceAccessForOrganizationCommand({}))).EnabledServicePrincipals).toEqual([]);
    await orgs.send(new EnableAWSServiceAccessCommand({ ServicePrincipal: 'cloudtrail.amazonaws.com' }));
    await orgs.send(new EnableAWSServiceAccessCommand({ ServicePrincipal: 'cloudtrail.amazonaws.com' }));
    await orgs.send(new EnableAWSServiceAccessCommand({ ServicePrincipal: 'sso.amazonaws.com' }));
    const listed = (await orgs.send(new ListAWSServiceAccessForOrganizationCommand({}))).EnabledServicePrincipals!;
    expect(listed.map((s) => s.ServicePrincipal)).toEqual(['cloudtrail.amazonaws.com', 'sso.amazonaws.com']);
    expect(listed[0].DateEnabled).toBeInstanceOf(Date);
    await orgs.send(new DisableAWSServiceAccessCommand({ ServicePrincipal: 'sso.amazonaws.com' }));
    expect(
      (await orgs.send(new ListAWSServiceAccessForOrganizationCommand({}))).EnabledServicePrincipals!.map(
        (s) => s.ServicePrincipal,
      ),
    ).toEqual(['cloudtrail.amazonaws.com']);
  });

  it('needs all features: ConstraintViolationException ENABLE_ALL_FEATURES_REQUIRED', async () => {
    fresh('consolidated-billing');
    expect(
      await errorOf(orgs.send(new EnableAWSServiceAccessCommand({ ServicePrincipal: 'cloudtrail.amazonaws.com' }))),
    ).toMatchObject({ name: 'ConstraintViolationException', status: 400, Reason: 'ENABLE_ALL_FEATURES_REQUIRED' });
  });
});

describe('organizational units', () => {
  it('creates, describes, renames, lists (paged), nests and deletes OUs', async () => {
    const { rootId } = await createOrg();
    const names = ['Security', 'Workloads', 'Sandbox', 'Suspended'];
    const ids: string[] = [];
    for (const Name of names) {
      const ou = (await orgs.send(new CreateOrganizationalUnitCommand({ ParentId: rootId, Name }))).OrganizationalUnit!;
      expect(ou.Id).toMatch(new RegExp(`^ou-${rootId.slice(2)}-[a-z0-9]{8}$`));
      ids.push(ou.Id!);
    }
    // Page size 3: four OUs come in two pages.
    const listed = await all(async (NextToken) => {
      const r = await orgs.send(new ListOrganizationalUnitsForParentCommand({ ParentId: rootId, NextToken }));
      return { items: r.OrganizationalUnits, next: r.NextToken };
    });
    expect(listed.pages).toBe(2);
    expect(listed.items.map((o) => o.Name)).toEqual(names);
    const children = await all(async (NextToken) => {
      const r = await orgs.send(
        new ListChildrenCommand({ ParentId: rootId, ChildType: 'ORGANIZATIONAL_UNIT', NextToken }),
      );
      return { items: r.Children, next: r.NextToken };
    });
    expect(children.items).toEqual(ids.map((Id) => ({ Id, Type: 'ORGANIZATIONAL_UNIT' })));
    // MaxResults smaller than the page size wins.
    const one = await orgs.send(new ListOrganizationalUnitsForParentCommand({ ParentId: rootId, MaxResults: 1 }));
    expect(one.OrganizationalUnits).toHaveLength(1);
    expect(one.NextToken).toBeTruthy();

    expect(
      (await orgs.send(new DescribeOrganizationalUnitCommand({ OrganizationalUnitId: ids[0] }))).OrganizationalUnit!
        .Name,
    ).toBe('Security');
    const renamed = (
      await orgs.send(new UpdateOrganizationalUnitCommand({ OrganizationalUnitId: ids[2], Name: 'Playground' }))
    ).OrganizationalUnit!;
    expect(renamed).toMatchObject({ Id: ids[2], Name: 'Playground' });

    const nested = (await orgs.send(new CreateOrganizationalUnitCommand({ ParentId: ids[1], Name: 'Prod' })))
      .OrganizationalUnit!;
    expect((await orgs.send(new ListParentsCommand({ ChildId: nested.Id! }))).Parents).toEqual([
      { Id: ids[1], Type: 'ORGANIZATIONAL_UNIT' },
    ]);
    expect((await orgs.send(new ListParentsCommand({ ChildId: ids[1] }))).Parents).toEqual([
      { Id: rootId, Type: 'ROOT' },
    ]);
    // New OUs get FullAWSAccess, as on AWS.
    expect(
      (await orgs.send(new ListPoliciesForTargetCommand({ TargetId: nested.Id!, Filter: SCP }))).Policies!.map(
        (p) => p.Name,
      ),
    ).toEqual(['FullAWSAccess']);

    expect(
      await errorOf(orgs.send(new DeleteOrganizationalUnitCommand({ OrganizationalUnitId: ids[1] }))),
    ).toMatchObject({ name: 'OrganizationalUnitNotEmptyException', status: 400 });
    await orgs.send(new DeleteOrganizationalUnitCommand({ OrganizationalUnitId: nested.Id! }));
    await orgs.send(new DeleteOrganizationalUnitCommand({ OrganizationalUnitId: ids[1] }));
    expect(
      await errorOf(orgs.send(new DescribeOrganizationalUnitCommand({ OrganizationalUnitId: ids[1] }))),
    ).toMatchObject({ name: 'OrganizationalUnitNotFoundException', status: 400 });
  });

  it('duplicate OU names under one parent are refused; the same name elsewhere is fine', async () => {
    const { rootId } = await createOrg();
    const a = (await orgs.send(new CreateOrganizationalUnitCommand({ ParentId: rootId, Name: 'Workloads' })))
      .OrganizationalUnit!;
    expect(
      await errorOf(orgs.send(new CreateOrganizationalUnitCommand({ ParentId: rootId, Name: 'Workloads' }))),
    ).toMatchObject({ name: 'DuplicateOrganizationalUnitException', status: 400 });
    await orgs.send(new CreateOrganizationalUnitCommand({ ParentId: a.Id!, Name: 'Workloads' }));
    const b = (await orgs.send(new CreateOrganizationalUnitCommand({ ParentId: rootId, Name: 'Security' })))
      .OrganizationalUnit!;
    expect(
      (
        await errorOf(
          orgs.send(new UpdateOrganizationalUnitCommand({ OrganizationalUnitId: b.Id!, Name: 'Workloads' })),
        )
      ).name,
    ).toBe('DuplicateOrganizationalUnitException');
  });

  it('unknown parent, bad names and more than five levels are refused', async () => {
    const { rootId } = await createOrg();
    expect(
      await errorOf(
        orgs.send(new CreateOrganizationalUnitCommand({ ParentId: `ou-${rootId.slice(2)}-zzzzzzzz`, Name: 'X' })),
      ),
    ).toMatchObject({ name: 'ParentNotFoundException', status: 400 });
    expect(
      await errorOf(orgs.send(new CreateOrganizationalUnitCommand({ ParentId: rootId, Name: 'x'.repeat(129) }))),
    ).toMatchObject({ name: 'InvalidInputException', Reason: 'MAX_LENGTH_EXCEEDED' });
    expect(await errorOf(orgs.send(new CreateOrganizationalUnitCommand({ ParentId: rootId } as never)))).toMatchObject({
      name: 'InvalidInputException',
      Reason: 'INPUT_REQUIRED',
    });
    let parent = rootId;
    for (let depth = 1; depth <= 5; depth++)
      parent = (await orgs.send(new CreateOrganizationalUnitCommand({ ParentId: parent, Name: `L${depth}` })))
        .OrganizationalUnit!.Id!;
    expect(
      await errorOf(orgs.send(new CreateOrganizationalUnitCommand({ ParentId: parent, Name: 'L6' }))),
    ).toMatchObject({ name: 'ConstraintViolationException', Reason: 'OU_DEPTH_LIMIT_EXCEEDED' });
  });
});

describe('accounts', () => {
  it('CreateAccount answers IN_PROGRESS, then SUCCEEDED; the account is listed, described and moved', async () => {
    const { rootId } = await createOrg();
    const started = (
      await orgs.send(
        new CreateAccountCommand({
          AccountName: 'prod',
          Email: 'ops+aws-prod@acme.example',
          Tags: [{ Key: 'env', Value: 'prod' }],
        }),
      )
    ).CreateAccountStatus!;
    expect(started).toMatchObject({ State: 'IN_PROGRESS', AccountName: 'prod' });
    expect(started.Id).toMatch(/^car-[a-z0-9]{32}$/);
    expect(started.RequestedTimestamp).toBeInstanceOf(Date);
    // Instant profile: the next call already sees the outcome.
    const done = (await orgs.send(new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: started.Id! })))
      .CreateAccountStatus!;
    expect(done).toMatchObject({ State: 'SUCCEEDED', AccountId: '111100000001' });
    const id = done.AccountId!;

    const acct = (await orgs.send(new DescribeAccountCommand({ AccountId: id }))).Account!;
    expect(acct).toMatchObject({
      Id: id,
      Name: 'prod',
      Email: 'ops+aws-prod@acme.example',
      Status: 'ACTIVE',
      JoinedMethod: 'CREATED',
    });
    expect((await orgs.send(new ListTagsForResourceCommand({ ResourceId: id }))).Tags).toEqual([
      { Key: 'env', Value: 'prod' },
    ]);
    expect((await orgs.send(new ListAccountsCommand({}))).Accounts!.map((a) => a.Id)).toEqual([ME, id]);
    expect((await orgs.send(new ListParentsCommand({ ChildId: id }))).Parents).toEqual([{ Id: rootId, Type: 'ROOT' }]);

    const ou = (await orgs.send(new CreateOrganizationalUnitCommand({ ParentId: rootId, Name: 'Workloads' })))
      .OrganizationalUnit!.Id!;
    await orgs.send(new MoveAccountCommand({ AccountId: id, SourceParentId: rootId, DestinationParentId: ou }));
    expect((await orgs.send(new ListParentsCommand({ ChildId: id }))).Parents).toEqual([
      { Id: ou, Type: 'ORGANIZATIONAL_UNIT' },
    ]);
    expect((await orgs.send(new ListAccountsForParentCommand({ ParentId: ou }))).Accounts!.map((a) => a.Name)).toEqual([
      'prod',
    ]);
    expect((await orgs.send(new ListChildrenCommand({ ParentId: ou, ChildType: 'ACCOUNT' }))).Children).toEqual([
      { Id: id, Type: 'ACCOUNT' },
    ]);
    expect(
      (await orgs.send(new ListAccountsForParentCommand({ ParentId: rootId }))).Accounts!.map((a) => a.Id),
    ).toEqual([ME]);
    // Moving from where it no longer is, or to where it already is.
    expect(
      await errorOf(
        orgs.send(new MoveAccountCommand({ AccountId: id, SourceParentId: rootId, DestinationParentId: ou })),
      ),
    ).toMatchObject({ name: 'SourceParentNotFoundException', status: 400 });
    expect(
      (await errorOf(orgs.send(new MoveAccountCommand({ AccountId: id, SourceParentId: ou, DestinationParentId: ou }))))
        .name,
    ).toBe('DuplicateAccountException');
    expect(
      (
        await errorOf(
          orgs.send(
            new MoveAccountCommand({
              AccountId: id,
              SourceParentId: ou,
              DestinationParentId: `ou-${rootId.slice(2)}-zzzzzzzz`,
            }),
          ),
        )
      ).name,
    ).toBe('DestinationParentNotFoundException');
    expect(
      (
        await errorOf(
          orgs.send(
            new MoveAccountCommand({ AccountId: '999999999999', SourceParentId: ou, DestinationParentId: rootId }),
          ),
        )
      ).name,
    ).toBe('AccountNotFoundException');
    expect(await errorOf(orgs.send(new DescribeAccountCommand({ AccountId: '999999999999' })))).toMatchObject({
      name: 'AccountNotFoundException',
      status: 400,
    });
    expect((await errorOf(orgs.send(new ListParentsCommand({ ChildId: '999999999999' })))).name).toBe(
      'ChildNotFoundException',
    );
  });

  it('stays IN_PROGRESS for the configured async duration (override), until it completes', async () => {
    await createOrg();
    emu.setLatency({ overrides: { 'organizations:CreateAccount': { async: { min: 60_000, max: 60_000 } } } });
    const started = (
      await orgs.send(new CreateAccountCommand({ AccountName: 'audit', Email: 'ops+aws-audit@acme.example' }))
    ).CreateAccountStatus!;
    const again = (await orgs.send(new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: started.Id! })))
      .CreateAccountStatus!;
    expect(again.State).toBe('IN_PROGRESS');
    const pending = (await orgs.send(new ListCreateAccountStatusCommand({ States: ['IN_PROGRESS'] })))
      .CreateAccountStatuses!;
    expect(pending.map((s) => s.Id)).toEqual([started.Id]);
    // Not an account yet.
    expect((await orgs.send(new ListAccountsCommand({}))).Accounts!.map((a) => a.Id)).toEqual([ME]);
    emu.flushAsync();
    const done = (await orgs.send(new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: started.Id! })))
      .CreateAccountStatus!;
    expect(done.State).toBe('SUCCEEDED');
    expect(done.CompletedTimestamp).toBeInstanceOf(Date);
    expect(
      (await orgs.send(new ListCreateAccountStatusCommand({ States: ['IN_PROGRESS'] }))).CreateAccountStatuses,
    ).toEqual([]);
    expect(
      (await orgs.send(new ListCreateAccountStatusCommand({ States: ['SUCCEEDED'] }))).CreateAccountStatuses!.map(
        (s) => s.AccountName,
      ),
    ).toEqual(['audit']);
  });

  it('a short real async duration completes by itself while the client polls', async () => {
    await createOrg();
    emu.setLatency({ overrides: { 'organizations:CreateAccount': { async: { min: 150, max: 150 } } } });
    const started = (
      await orgs.send(
        new CreateAccountCommand({ AccountName: 'log-archive', Email: 'ops+aws-log-archive@acme.example' }),
      )
    ).CreateAccountStatus!;
    // The answer itself says IN_PROGRESS; polling then sees it finish without any help.
    const seen: string[] = [started.State!];
    for (let i = 0; i < 200; i++) {
      const s = (await orgs.send(new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: started.Id! })))
        .CreateAccountStatus!;
      if (seen.at(-1) !== s.State) seen.push(s.State!);
      if (s.State !== 'IN_PROGRESS') break;
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(seen).toEqual(['IN_PROGRESS', 'SUCCEEDED']);
  });

  it('an email already used makes the request FAILED with EMAIL_ALREADY_EXISTS, and no account', async () => {
    await createOrg();
    expect((await createAccount('prod', 'ops+aws-prod@acme.example')).State).toBe('SUCCEEDED');
    const dup = await createAccount('prod-again', 'OPS+aws-prod@acme.example');
    expect(dup).toMatchObject({ State: 'FAILED', FailureReason: 'EMAIL_ALREADY_EXISTS' });
    expect(dup.AccountId).toBeUndefined();
    // The management account's own email counts too.
    expect(await createAccount('mgmt', 'founder@example.com')).toMatchObject({
      State: 'FAILED',
      FailureReason: 'EMAIL_ALREADY_EXISTS',
    });
    expect((await orgs.send(new ListAccountsCommand({}))).Accounts).toHaveLength(2);
    expect(
      (await orgs.send(new ListCreateAccountStatusCommand({ States: ['FAILED'] }))).CreateAccountStatuses!.map(
        (s) => s.AccountName,
      ),
    ).toEqual(['prod-again', 'mgmt']);
  });

  it('the account quota makes requests FAILED with ACCOUNT_LIMIT_EXCEEDED', async () => {
    fresh('fresh', { accountQuota: 2 });
    await createOrg();
    expect((await createAccount('a', 'ops+a@acme.example')).State).toBe('SUCCEEDED');
    expect(await createAccount('b', 'ops+b@acme.example')).toMatchObject({
      State: 'FAILED',
      FailureReason: 'ACCOUNT_LIMIT_EXCEEDED',
    });
  });

  it('validates email and name; unknown request IDs are CreateAccountStatusNotFoundException', async () => {
    await createOrg();
    const bad = (AccountName: string, Email: string) =>
      errorOf(orgs.send(new CreateAccountCommand({ AccountName, Email })));
    expect(await bad('prod', 'not-an-email')).toMatchObject({
      name: 'InvalidInputException',
      status: 400,
      Reason: 'INVALID_PATTERN',
    });
    expect((await bad('prod', 'a@b')).Reason).toBe('MIN_LENGTH_EXCEEDED');
    expect((await bad('prod', 'has space@acme.example')).Reason).toBe('INVALID_PATTERN');
    expect((await bad('x'.repeat(51), 'ops@acme.example')).Reason).toBe('MAX_LENGTH_EXCEEDED');
    expect((await bad('', 'ops@acme.example')).name).toBe('InvalidInputException');
    expect(
      await errorOf(
        orgs.send(
          new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: 'car-00000000000000000000000000000000' }),
        ),
      ),
    ).toMatchObject({ name: 'CreateAccountStatusNotFoundException', status: 400 });
    expect((await orgs.send(new ListCreateAccountStatusCommand({}))).CreateAccountStatuses).toEqual([]);
  });

  it('a new organization can throw FinalizingOrganizationException for its first CreateAccount calls', async () => {
    fresh('fresh', { finalizing: { calls: 2 } });
    await createOrg();
    for (let i = 0; i < 2; i++) {
      expect(
        await errorOf(orgs.send(new CreateAccountCommand({ AccountName: 'prod', Email: 'ops+aws-prod@acme.example' }))),
      ).toMatchObject({ name: 'FinalizingOrganizationException', status: 400 });
    }
    expect((await createAccount('prod', 'ops+aws-prod@acme.example')).State).toBe('SUCCEEDED');
  });

  it('… or for a number of seconds after CreateOrganization; an existing organization never does', async () => {
    fresh('fresh', { finalizing: { seconds: 3600 } });
    await createOrg();
    expect(
      (await errorOf(orgs.send(new CreateAccountCommand({ AccountName: 'prod', Email: 'ops+aws-prod@acme.example' }))))
        .name,
    ).toBe('FinalizingOrganizationException');
    fresh('org-exists', { finalizing: { seconds: 3600 } });
    expect((await createAccount('prod', 'ops+aws-prod@acme.example')).State).toBe('SUCCEEDED');
  });

  it('ListAccounts pages with NextToken (SDK paginator and by hand), and refuses a bad token', async () => {
    await createOrg();
    for (const n of ['a', 'b', 'c', 'd']) await createAccount(n, `ops+${n}@acme.example`);
    const viaPaginator: string[] = [];
    let pages = 0;
    for await (const p of paginateListAccounts({ client: orgs }, {})) {
      pages++;
      viaPaginator.push(...p.Accounts!.map((a) => a.Name!));
    }
    expect(pages).toBe(2);
    expect(viaPaginator).toEqual(['Management', 'a', 'b', 'c', 'd']);
    const byHand = await all(async (NextToken) => {
      const r = await orgs.send(new ListAccountsCommand({ NextToken, MaxResults: 2 }));
      return { items: r.Accounts, next: r.NextToken };
    });
    expect(byHand.pages).toBe(3);
    expect(await errorOf(orgs.send(new ListAccountsCommand({ NextToken: 'garbage' })))).toMatchObject({
      name: 'InvalidInputException',
      status: 400,
      Reason: 'INVALID_NEXT_TOKEN',
    });
    expect(await errorOf(orgs.send(new ListAccountsCommand({ MaxResults: 21 })))).toMatchObject({
      name: 'InvalidInputException',
      Reason: 'MAX_VALUE_EXCEEDED',
    });
  });

  it('with emptyPages the first page is empty but carries a NextToken', async () => {
    fresh('org-exists', { emptyPages: true });
    const first = await orgs.send(new ListAccountsCommand({}));
    expect(first.Accounts).toEqual([]);
    expect(first.NextToken).toBeTruthy();
    const second = await orgs.send(new ListAccountsCommand({ NextToken: first.NextToken }));
    expect(second.Accounts!.map((a) => a.Id)).toEqual([ME]);
  });
});

describe('policies', () => {
  it('creates, describes, updates, lists, attaches, detaches and deletes an SCP', async () => {
    const { rootId } = await createOrg();
    const created = (
      await orgs.send(
        new CreatePolicyCommand({
          Name: 'deny-leave',
          Description: 'No leaving',
          Type: SCP,
          Content: denyLeave,
          Tags: [{ Key: 'by', Value: 'secure-start' }],
        }),
      )
    ).Policy!;
    const id = created.PolicySummary!.Id!;
    expect(id).toMatch(/^p-[a-z0-9]{8}$/);
    expect(created.PolicySummary).toMatchObject({ Name: 'deny-leave', Type: SCP, AwsManaged: false });
    expect(created.Content).toBe(denyLeave);
    expect((await orgs.send(new DescribePolicyCommand({ PolicyId: id }))).Policy!.Content).toBe(denyLeave);
    expect((await orgs.send(new ListTagsForResourceCommand({ ResourceId: id }))).Tags).toEqual([
      { Key: 'by', Value: 'secure-start' },
    ]);

    const content2 = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Deny', Action: ['organizations:LeaveOrganization', 'account:CloseAccount'], Resource: '*' },
      ],
    });
    const updated = (
      await orgs.send(
        new UpdatePolicyCommand({ PolicyId: id, Description: 'No leaving, no closing', Content: content2 }),
      )
    ).Policy!;
    expect(updated.PolicySummary!.Description).toBe('No leaving, no closing');
    expect((await orgs.send(new DescribePolicyCommand({ PolicyId: id }))).Policy!.Content).toBe(content2);

    expect((await orgs.send(new ListPoliciesCommand({ Filter: SCP }))).Policies!.map((p) => p.Name)).toEqual([
      'FullAWSAccess',
      'deny-leave',
    ]);
    await orgs.send(new AttachPolicyCommand({ PolicyId: id, TargetId: rootId }));
    expect(
      (await orgs.send(new ListPoliciesForTargetCommand({ TargetId: rootId, Filter: SCP }))).Policies!.map(
        (p) => p.Name,
      ),
    ).toEqual(['FullAWSAccess', 'deny-leave']);
    const targets = (await orgs.send(new ListTargetsForPolicyCommand({ PolicyId: id }))).Targets!;
    expect(targets).toEqual([expect.objectContaining({ TargetId: rootId, Type: 'ROOT', Name: 'Root' })]);
    expect(await errorOf(orgs.send(new AttachPolicyCommand({ PolicyId: id, TargetId: rootId })))).toMatchObject({
      name: 'DuplicatePolicyAttachmentException',
      status: 400,
    });
    expect(await errorOf(orgs.send(new DeletePolicyCommand({ PolicyId: id })))).toMatchObject({
      name: 'PolicyInUseException',
      status: 400,
    });
    await orgs.send(new DetachPolicyCommand({ PolicyId: id, TargetId: rootId }));
    expect((await errorOf(orgs.send(new DetachPolicyCommand({ PolicyId: id, TargetId: rootId })))).name).toBe(
      'PolicyNotAttachedException',
    );
    await orgs.send(new DeletePolicyCommand({ PolicyId: id }));
    expect(await errorOf(orgs.send(new DescribePolicyCommand({ PolicyId: id })))).toMatchObject({
      name: 'PolicyNotFoundException',
      status: 400,
    });
  });

  it('an SCP over 5,120 characters is ConstraintViolationException POLICY_CONTENT_LIMIT_EXCEEDED; 5,120 exactly is fine', async () => {
    await createOrg();
    const sized = (n: number) => {
      const base = JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Sid: 'S', Effect: 'Deny', Action: 'iam:CreateUser', Resource: '*' }],
      });
      const pad = n - base.length;
      return base.replace('"Sid":"S"', `"Sid":"S${'x'.repeat(pad)}"`);
    };
    expect(sized(5121)).toHaveLength(5121);
    expect(
      await errorOf(
        orgs.send(new CreatePolicyCommand({ Name: 'big', Description: '', Type: SCP, Content: sized(5121) })),
      ),
    ).toMatchObject({ name: 'ConstraintViolationException', status: 400, Reason: 'POLICY_CONTENT_LIMIT_EXCEEDED' });
    const ok = (
      await orgs.send(new CreatePolicyCommand({ Name: 'big', Description: '', Type: SCP, Content: sized(5120) }))
    ).Policy!;
    // UpdatePolicy checks the size too.
    expect(
      (await errorOf(orgs.send(new UpdatePolicyCommand({ PolicyId: ok.PolicySummary!.Id!, Content: sized(5121) }))))
        .Reason,
    ).toBe('POLICY_CONTENT_LIMIT_EXCEEDED');
  });

  it('duplicate policy names, malformed documents and AWS-managed policies are refused', async () => {
    await createOrg();
    await orgs.send(new CreatePolicyCommand({ Name: 'deny-leave', Description: '', Type: SCP, Content: denyLeave }));
    expect(
      await errorOf(
        orgs.send(new CreatePolicyCommand({ Name: 'deny-leave', Description: '', Type: SCP, Content: denyLeave })),
      ),
    ).toMatchObject({ name: 'DuplicatePolicyException', status: 400 });
    expect(
      (
        await errorOf(
          orgs.send(new CreatePolicyCommand({ Name: 'FullAWSAccess', Description: '', Type: SCP, Content: denyLeave })),
        )
      ).name,
    ).toBe('DuplicatePolicyException');
    expect(
      await errorOf(
        orgs.send(new CreatePolicyCommand({ Name: 'broken', Description: '', Type: SCP, Content: '{"Statement": [' })),
      ),
    ).toMatchObject({ name: 'MalformedPolicyDocumentException', status: 400 });
    expect(
      (
        await errorOf(
          orgs.send(
            new CreatePolicyCommand({
              Name: 'nostatement',
              Description: '',
              Type: SCP,
              Content: '{"Version":"2012-10-17"}',
            }),
          ),
        )
      ).name,
    ).toBe('MalformedPolicyDocumentException');
    expect(
      (
        await errorOf(
          orgs.send(
            new CreatePolicyCommand({ Name: 'x', Description: '', Type: 'NOT_A_TYPE' as never, Content: denyLeave }),
          ),
        )
      ).Reason,
    ).toBe('INVALID_ENUM');
    expect(
      (await errorOf(orgs.send(new UpdatePolicyCommand({ PolicyId: 'p-FullAWSAccess', Description: 'mine now' }))))
        .name,
    ).toBe('AccessDeniedException');
    expect((await errorOf(orgs.send(new DeletePolicyCommand({ PolicyId: 'p-FullAWSAccess' })))).name).toBe(
      'AccessDeniedException',
    );
    expect((await errorOf(orgs.send(new DescribePolicyCommand({ PolicyId: 'p-00000000' })))).name).toBe(
      'PolicyNotFoundException',
    );
  });

  it('attachment rules: enabled type only, at most five per target, never the last SCP, known targets', async () => {
    const { rootId } = await createOrg();
    const ou = (await orgs.send(new CreateOrganizationalUnitCommand({ ParentId: rootId, Name: 'Workloads' })))
      .OrganizationalUnit!.Id!;
    const ids: string[] = [];
    for (let i = 1; i <= 5; i++) {
      ids.push(
        (await orgs.send(new CreatePolicyCommand({ Name: `scp-${i}`, Description: '', Type: SCP, Content: denyLeave })))
          .Policy!.PolicySummary!.Id!,
      );
    }
    // FullAWSAccess is already there: four more make five, the fifth is one too many.
    for (const id of ids.slice(0, 4)) await orgs.send(new AttachPolicyCommand({ PolicyId: id, TargetId: ou }));
    expect(await errorOf(orgs.send(new AttachPolicyCommand({ PolicyId: ids[4], TargetId: ou })))).toMatchObject({
      name: 'ConstraintViolationException',
      Reason: 'POLICY_NUMBER_LIMIT_EXCEEDED',
    });
    // Paged: five policies on the OU, page size 3.
    const onOu = await all(async (NextToken) => {
      const r = await orgs.send(new ListPoliciesForTargetCommand({ TargetId: ou, Filter: SCP, NextToken }));
      return { items: r.Policies, next: r.NextToken };
    });
    expect(onOu.pages).toBe(2);
    expect(onOu.items).toHaveLength(5);
    const policies = await all(async (NextToken) => {
      const r = await orgs.send(new ListPoliciesCommand({ Filter: SCP, NextToken }));
      return { items: r.Policies, next: r.NextToken };
    });
    expect(policies.items.map((p) => p.Name)).toEqual(['FullAWSAccess', 'scp-1', 'scp-2', 'scp-3', 'scp-4', 'scp-5']);
    const fullTargets = await all(async (NextToken) => {
      const r = await orgs.send(new ListTargetsForPolicyCommand({ PolicyId: 'p-FullAWSAccess', NextToken }));
      return { items: r.Targets, next: r.NextToken };
    });
    expect(fullTargets.items.map((t) => t.Type).sort()).toEqual(['ACCOUNT', 'ORGANIZATIONAL_UNIT', 'ROOT']);

    // The last SCP on a target cannot go: swap FullAWSAccess for scp-1 on the management account, then try to detach that.
    await orgs.send(new AttachPolicyCommand({ PolicyId: ids[0], TargetId: ME }));
    await orgs.send(new DetachPolicyCommand({ PolicyId: 'p-FullAWSAccess', TargetId: ME }));
    expect(
      (await orgs.send(new ListPoliciesForTargetCommand({ TargetId: ME, Filter: SCP }))).Policies!.map((p) => p.Name),
    ).toEqual(['scp-1']);
    expect(await errorOf(orgs.send(new DetachPolicyCommand({ PolicyId: ids[0], TargetId: ME })))).toMatchObject({
      name: 'ConstraintViolationException',
      Reason: 'MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED',
    });

    expect(
      await errorOf(orgs.send(new AttachPolicyCommand({ PolicyId: ids[0], TargetId: '999999999999' }))),
    ).toMatchObject({ name: 'TargetNotFoundException', status: 400 });
    expect(
      (await errorOf(orgs.send(new ListPoliciesForTargetCommand({ TargetId: '999999999999', Filter: SCP })))).name,
    ).toBe('TargetNotFoundException');
    // A tag policy cannot be attached before the TAG_POLICY type is enabled.
    const tagPolicy = (
      await orgs.send(
        new CreatePolicyCommand({
          Name: 'tags',
          Description: '',
          Type: 'TAG_POLICY',
          Content: '{"tags":{"costcenter":{"tag_key":{"@@assign":"CostCenter"}}}}',
        }),
      )
    ).Policy!.PolicySummary!.Id!;
    expect(await errorOf(orgs.send(new AttachPolicyCommand({ PolicyId: tagPolicy, TargetId: rootId })))).toMatchObject({
      name: 'PolicyTypeNotEnabledException',
      status: 400,
    });
    expect((await orgs.send(new ListPoliciesCommand({ Filter: 'TAG_POLICY' }))).Policies!.map((p) => p.Name)).toEqual([
      'tags',
    ]);
  });
});

describe('tags', () => {
  it('tags and untags roots, OUs and policies; unknown resources are TargetNotFoundException', async () => {
    const { rootId } = await createOrg();
    const ou = (
      await orgs.send(
        new CreateOrganizationalUnitCommand({ ParentId: rootId, Name: 'Security', Tags: [{ Key: 'a', Value: '1' }] }),
      )
    ).OrganizationalUnit!.Id!;
    await orgs.send(
      new TagResourceCommand({
        ResourceId: ou,
        Tags: [
          { Key: 'b', Value: '2' },
          { Key: 'c', Value: '3' },
          { Key: 'd', Value: '4' },
        ],
      }),
    );
    const tags = await all(async (NextToken) => {
      const r = await orgs.send(new ListTagsForResourceCommand({ ResourceId: ou, NextToken }));
      return { items: r.Tags, next: r.NextToken };
    });
    expect(tags.pages).toBe(2);
    expect(tags.items).toEqual([
      { Key: 'a', Value: '1' },
      { Key: 'b', Value: '2' },
      { Key: 'c', Value: '3' },
      { Key: 'd', Value: '4' },
    ]);
    await orgs.send(new UntagResourceCommand({ ResourceId: ou, TagKeys: ['a', 'c', 'd'] }));
    expect((await orgs.send(new ListTagsForResourceCommand({ ResourceId: ou }))).Tags).toEqual([
      { Key: 'b', Value: '2' },
    ]);
    await orgs.send(new TagResourceCommand({ ResourceId: rootId, Tags: [{ Key: 'org', Value: 'acme' }] }));
    expect((await orgs.send(new ListTagsForResourceCommand({ ResourceId: rootId }))).Tags).toEqual([
      { Key: 'org', Value: 'acme' },
    ]);
    expect(
      await errorOf(
        orgs.send(new TagResourceCommand({ ResourceId: '999999999999', Tags: [{ Key: 'x', Value: 'y' }] })),
      ),
    ).toMatchObject({ name: 'TargetNotFoundException', status: 400 });
    expect(
      (await errorOf(orgs.send(new UntagResourceCommand({ ResourceId: '999999999999', TagKeys: ['x'] })))).name,
    ).toBe('TargetNotFoundException');
    expect((await errorOf(orgs.send(new ListTagsForResourceCommand({ ResourceId: '999999999999' })))).name).toBe(
      'TargetNotFoundException',
    );
  });
});

describe('who may call what', () => {
  it('a member account sees the organization but management-only calls are AccessDeniedException', async () => {
    const { orgId } = await createOrg();
    const member = (await createAccount('prod', 'ops+aws-prod@acme.example')).AccountId!;
    const asMember = clientFor(member);
    const o = (await asMember.send(new DescribeOrganizationCommand({}))).Organization!;
    expect(o).toMatchObject({ Id: orgId, MasterAccountId: ME });
    for (const call of [
      asMember.send(new ListAccountsCommand({})),
      asMember.send(new ListRootsCommand({})),
      asMember.send(new CreateAccountCommand({ AccountName: 'x', Email: 'x@acme.example' })),
      asMember.send(new CreatePolicyCommand({ Name: 'x', Description: '', Type: SCP, Content: denyLeave })),
      asMember.send(new EnableAWSServiceAccessCommand({ ServicePrincipal: 'cloudtrail.amazonaws.com' })),
    ]) {
      expect(await errorOf(call)).toMatchObject({ name: 'AccessDeniedException', status: 400 });
    }
    // The call log records which account made each call.
    expect(emu.calls({ service: 'organizations', account: member }).map((c) => c.errorCode)).toEqual([
      null,
      ...Array(5).fill('AccessDeniedException'),
    ]);
  });

  it('member-of-other-org: the home account is a member; creating an org is AlreadyInOrganizationException', async () => {
    fresh('member-of-other-org');
    const o = (await orgs.send(new DescribeOrganizationCommand({}))).Organization!;
    expect(o.MasterAccountId).toBe(OTHER);
    expect((await errorOf(orgs.send(new ListAccountsCommand({})))).name).toBe('AccessDeniedException');
    expect((await errorOf(orgs.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' })))).name).toBe(
      'AlreadyInOrganizationException',
    );
  });

  it('unknown credentials are UnrecognizedClientException; an operation that is not emulated says so', async () => {
    const stranger = sdk.client(OrganizationsClient, {
      credentials: { accessKeyId: 'AKIANOTKNOWN00000000', secretAccessKey: 'x' },
    });
    expect(await errorOf(stranger.send(new DescribeOrganizationCommand({})))).toMatchObject({
      name: 'UnrecognizedClientException',
      status: 400,
    });
    await createOrg();
    const e = await errorOf(
      orgs.send(new InviteAccountToOrganizationCommand({ Target: { Id: '111122223333', Type: 'ACCOUNT' } })),
    );
    expect(e).toMatchObject({ name: 'UnknownOperationException', status: 400 });
    expect(e.message).toMatch(/not emulated/);
    expect(emu.calls({ operation: 'InviteAccountToOrganization' })).toHaveLength(1);
  });

  it('LeaveOrganization: never the management account; a created member waits 7 days and needs standalone details, then leaves', async () => {
    await createOrg();
    expect(await errorOf(orgs.send(new LeaveOrganizationCommand({})))).toMatchObject({
      name: 'MasterCannotLeaveOrganizationException',
      status: 400,
    });
    const member = (await createAccount('prod', 'ops+prod@acme.example')).AccountId!;
    const asMember = clientFor(member);
    expect(await errorOf(asMember.send(new LeaveOrganizationCommand({})))).toMatchObject({
      name: 'ConstraintViolationException',
      Reason: 'WAIT_PERIOD_ACTIVE',
    });
    // A week later, still without standalone details (a root password, among others).
    const world = emu.world;
    const org = Object.values(world.orgs)[0]!;
    org.joined[member]!.at = new Date(Date.now() - 8 * 86400_000);
    expect(await errorOf(asMember.send(new LeaveOrganizationCommand({})))).toMatchObject({
      name: 'ConstraintViolationException',
      Reason: 'ACCOUNT_CANNOT_LEAVE_WITHOUT_PHONE_VERIFICATION',
    });
    world.account(member)!.root.passwordSetAt = new Date();
    await asMember.send(new LeaveOrganizationCommand({}));
    expect((await orgs.send(new ListAccountsCommand({}))).Accounts!.map((a) => a.Id)).toEqual([ME]);
    expect(await errorOf(asMember.send(new DescribeOrganizationCommand({})))).toMatchObject({
      name: 'AWSOrganizationsNotInUseException',
    });
  });
});

describe('faults', () => {
  it('throttling is TooManyRequestsException (400); the rule is spent after `times`', async () => {
    await createOrg();
    emu.setFaults({ rules: [{ service: 'organizations', operation: 'ListRoots', kind: 'throttle', times: 1 }] });
    expect(await errorOf(orgs.send(new ListRootsCommand({})))).toMatchObject({
      name: 'TooManyRequestsException',
      status: 400,
    });
    expect((await orgs.send(new ListRootsCommand({}))).Roots).toHaveLength(1);
    const log = emu.calls({ operation: 'ListRoots' });
    expect(log.map((c) => [c.status, c.errorCode, c.fault ?? null])).toEqual([
      [200, null, null],
      [400, 'TooManyRequestsException', 'throttle'],
      [200, null, null],
    ]);
  });

  it('the SDK retries a throttled call by itself when allowed to', async () => {
    await createOrg();
    const patient = sdk.client(OrganizationsClient, { maxAttempts: 3 });
    emu.setFaults({ rules: [{ operation: 'DescribeOrganization', kind: 'throttle', times: 2 }] });
    expect((await patient.send(new DescribeOrganizationCommand({}))).Organization!.FeatureSet).toBe('ALL');
    expect(emu.calls({ operation: 'DescribeOrganization' }).map((c) => c.errorCode)).toEqual([
      'TooManyRequestsException',
      'TooManyRequestsException',
      null,
    ]);
  });

  it('internal and unavailable faults are ServiceException with 500 / 503; a drop after applying still applies', async () => {
    const { rootId } = await createOrg();
    emu.setFaults({
      rules: [{ operation: 'ListRoots', sequence: ['internal', 'unavailable', 'ok'], kind: 'internal' }],
    });
    expect(await errorOf(orgs.send(new ListRootsCommand({})))).toMatchObject({ name: 'ServiceException', status: 500 });
    expect(await errorOf(orgs.send(new ListRootsCommand({})))).toMatchObject({ name: 'ServiceException', status: 503 });
    expect((await orgs.send(new ListRootsCommand({}))).Roots).toHaveLength(1);
    emu.setFaults({ rules: [{ operation: 'CreateOrganizationalUnit', kind: 'drop', when: 'after', times: 1 }] });
    await expect(
      orgs.send(new CreateOrganizationalUnitCommand({ ParentId: rootId, Name: 'Security' })),
    ).rejects.toThrow();
    // The OU exists although the client never got an answer: a retry is a duplicate.
    expect(
      (await orgs.send(new ListOrganizationalUnitsForParentCommand({ ParentId: rootId }))).OrganizationalUnits!.map(
        (o) => o.Name,
      ),
    ).toEqual(['Security']);
    expect(
      (await errorOf(orgs.send(new CreateOrganizationalUnitCommand({ ParentId: rootId, Name: 'Security' })))).name,
    ).toBe('DuplicateOrganizationalUnitException');
  });
});

describe('drift kinds', () => {
  it("policies: detach, attach, update, delete behind the CLI's back", async () => {
    const { rootId } = await createOrg();
    const id = (
      await orgs.send(new CreatePolicyCommand({ Name: 'deny-leave', Description: 'd', Type: SCP, Content: denyLeave }))
    ).Policy!.PolicySummary!.Id!;
    await orgs.send(new AttachPolicyCommand({ PolicyId: id, TargetId: rootId }));
    const onRoot = async () =>
      (await orgs.send(new ListPoliciesForTargetCommand({ TargetId: rootId, Filter: SCP }))).Policies!.map(
        (p) => p.Name,
      );
    emu.drift('organizations', 'detach-policy', { policy: 'deny-leave', target: rootId });
    expect(await onRoot()).toEqual(['FullAWSAccess']);
    emu.drift('organizations', 'attach-policy', { policy: id, target: rootId });
    expect(await onRoot()).toEqual(['FullAWSAccess', 'deny-leave']);
    emu.drift('organizations', 'update-policy', { policy: id, content: '{"Statement":[]}', description: 'changed' });
    const p = (await orgs.send(new DescribePolicyCommand({ PolicyId: id }))).Policy!;
    expect([p.Content, p.PolicySummary!.Description]).toEqual(['{"Statement":[]}', 'changed']);
    emu.drift('organizations', 'delete-policy', { policy: 'deny-leave' });
    expect((await errorOf(orgs.send(new DescribePolicyCommand({ PolicyId: id })))).name).toBe(
      'PolicyNotFoundException',
    );
    expect(await onRoot()).toEqual(['FullAWSAccess']);
    expect(() => emu.drift('organizations', 'delete-policy', { policy: 'FullAWSAccess' })).toThrow(
      /no customer policy/,
    );
  });

  it("an account moved, trusted access and SCPs disabled behind the CLI's back", async () => {
    const { rootId } = await createOrg();
    const member = (await createAccount('prod', 'ops+aws-prod@acme.example')).AccountId!;
    const ou = (await orgs.send(new CreateOrganizationalUnitCommand({ ParentId: rootId, Name: 'Workloads' })))
      .OrganizationalUnit!.Id!;
    emu.drift('organizations', 'move-account', { accountId: member, parent: 'Workloads' });
    expect((await orgs.send(new ListParentsCommand({ ChildId: member }))).Parents).toEqual([
      { Id: ou, Type: 'ORGANIZATIONAL_UNIT' },
    ]);
    await orgs.send(new EnableAWSServiceAccessCommand({ ServicePrincipal: 'cloudtrail.amazonaws.com' }));
    emu.drift('organizations', 'disable-service-access', { servicePrincipal: 'cloudtrail.amazonaws.com' });
    expect((await orgs.send(new ListAWSServiceAccessForOrganizationCommand({}))).EnabledServicePrincipals).toEqual([]);
    emu.drift('organizations', 'disable-policy-type', { policyType: SCP });
    expect((await orgs.send(new ListRootsCommand({}))).Roots![0].PolicyTypes).toEqual([]);
    expect((await orgs.send(new ListPoliciesForTargetCommand({ TargetId: ou, Filter: SCP }))).Policies).toEqual([]);
    expect(() => emu.drift('organizations', 'move-account', { accountId: '999999999999', parent: rootId })).toThrow(
      /not in the organization/,
    );
  });
});
