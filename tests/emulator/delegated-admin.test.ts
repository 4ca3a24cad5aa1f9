// Organizations delegated administrators through the real SDK client: Register/Deregister,
// ListDelegatedAdministrators (filter, paging), ListDelegatedServicesForAccount, the rules AWS
// applies (management account only, members only, never the management account, trusted access
// first, one GuardDuty administrator), LeaveOrganization of an administrator, and the drift kind.
import { beforeEach, describe, expect, it } from 'vitest';
import {
  CreateAccountCommand,
  DeregisterDelegatedAdministratorCommand,
  DescribeCreateAccountStatusCommand,
  EnableAWSServiceAccessCommand,
  LeaveOrganizationCommand,
  ListDelegatedAdministratorsCommand,
  ListDelegatedServicesForAccountCommand,
  OrganizationsClient,
  RegisterDelegatedAdministratorCommand,
} from '@aws-sdk/client-organizations';
import { MANAGEMENT_ACCOUNT_ID as ME } from '../../emulator/world.js';
import { errorOf as awsError, useEmulator } from '../helpers/emulator-sdk.js';

// Registers and lists right after creating accounts: eventual consistency has its own tests.
const sdk = useEmulator({ lenient: ['eventual-consistency'] });
const { emu } = sdk;
let orgs: OrganizationsClient;
beforeEach(() => {
  orgs = sdk.client(OrganizationsClient);
});

const errorOf = (p: Promise<unknown>) => awsError(p, 'Reason');
const SP = 'securityhub.amazonaws.com';

async function addMember(name: string): Promise<string> {
  const started = (await orgs.send(new CreateAccountCommand({ AccountName: name, Email: `ops+${name}@acme.example` })))
    .CreateAccountStatus!;
  const s = (await orgs.send(new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: started.Id! })))
    .CreateAccountStatus!;
  expect(s.State).toBe('SUCCEEDED');
  await emu.accountReady(s.AccountId!);
  return s.AccountId!;
}

describe('RegisterDelegatedAdministrator', () => {
  it('registers a member; it is listed with its account details and delegated services', async () => {
    const { member } = await sdk.orgWithMember({ trust: SP });
    await orgs.send(new RegisterDelegatedAdministratorCommand({ AccountId: member, ServicePrincipal: SP }));
    const admins = (await orgs.send(new ListDelegatedAdministratorsCommand({}))).DelegatedAdministrators!;
    expect(admins).toHaveLength(1);
    expect(admins[0]).toMatchObject({
      Id: member,
      Name: 'prod',
      Email: 'ops+aws-prod@acme.example',
      Status: 'ACTIVE',
      JoinedMethod: 'CREATED',
    });
    expect(admins[0].DelegationEnabledDate).toBeInstanceOf(Date);
    const services = (await orgs.send(new ListDelegatedServicesForAccountCommand({ AccountId: member })))
      .DelegatedServices!;
    expect(services.map((s) => s.ServicePrincipal)).toEqual([SP]);
  });

  it('needs trusted access first: ConstraintViolationException SERVICE_ACCESS_NOT_ENABLED', async () => {
    const { member } = await sdk.orgWithMember();
    expect(
      await errorOf(orgs.send(new RegisterDelegatedAdministratorCommand({ AccountId: member, ServicePrincipal: SP }))),
    ).toMatchObject({ name: 'ConstraintViolationException', Reason: 'SERVICE_ACCESS_NOT_ENABLED', status: 400 });
    await orgs.send(new EnableAWSServiceAccessCommand({ ServicePrincipal: SP }));
    await orgs.send(new RegisterDelegatedAdministratorCommand({ AccountId: member, ServicePrincipal: SP }));
  });

  it('never the management account; accounts outside the org are AccountNotFoundException; twice is AccountAlreadyRegisteredException', async () => {
    const { member } = await sdk.orgWithMember({ trust: SP });
    expect(
      await errorOf(orgs.send(new RegisterDelegatedAdministratorCommand({ AccountId: ME, ServicePrincipal: SP }))),
    ).toMatchObject({
      name: 'ConstraintViolationException',
      Reason: 'CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR',
    });
    expect(
      (
        await errorOf(
          orgs.send(new RegisterDelegatedAdministratorCommand({ AccountId: '999999999999', ServicePrincipal: SP })),
        )
      ).name,
    ).toBe('AccountNotFoundException');
    await orgs.send(new RegisterDelegatedAdministratorCommand({ AccountId: member, ServicePrincipal: SP }));
    expect(
      (await errorOf(orgs.send(new RegisterDelegatedAdministratorCommand({ AccountId: member, ServicePrincipal: SP }))))
        .name,
    ).toBe('AccountAlreadyRegisteredException');
    expect(
      (await errorOf(orgs.send(new RegisterDelegatedAdministratorCommand({ AccountId: 'x1', ServicePrincipal: SP }))))
        .name,
    ).toBe('InvalidInputException');
  });

  it('GuardDuty takes one delegated administrator: DELEGATED_ADMINISTRATOR_EXISTS_FOR_THIS_SERVICE', async () => {
    const { member } = await sdk.orgWithMember({ trust: 'guardduty.amazonaws.com' });
    const second = await addMember('audit');
    await orgs.send(
      new RegisterDelegatedAdministratorCommand({ AccountId: member, ServicePrincipal: 'guardduty.amazonaws.com' }),
    );
    expect(
      await errorOf(
        orgs.send(
          new RegisterDelegatedAdministratorCommand({ AccountId: second, ServicePrincipal: 'guardduty.amazonaws.com' }),
        ),
      ),
    ).toMatchObject({
      name: 'ConstraintViolationException',
      Reason: 'DELEGATED_ADMINISTRATOR_EXISTS_FOR_THIS_SERVICE',
    });
  });

  it('only the management account may register or deregister: AccessDeniedException for a member', async () => {
    const { member } = await sdk.orgWithMember({ trust: SP });
    const asMember = sdk.client(OrganizationsClient, { credentials: emu.credentials(member) });
    expect(
      (
        await errorOf(
          asMember.send(new RegisterDelegatedAdministratorCommand({ AccountId: member, ServicePrincipal: SP })),
        )
      ).name,
    ).toBe('AccessDeniedException');
    expect((await errorOf(asMember.send(new ListDelegatedAdministratorsCommand({})))).name).toBe(
      'AccessDeniedException',
    );
    await orgs.send(new RegisterDelegatedAdministratorCommand({ AccountId: member, ServicePrincipal: SP }));
    expect(
      (
        await errorOf(
          asMember.send(new DeregisterDelegatedAdministratorCommand({ AccountId: member, ServicePrincipal: SP })),
        )
      ).name,
    ).toBe('AccessDeniedException');
    // A delegated administrator may list them.
    expect(
      (await asMember.send(new ListDelegatedAdministratorsCommand({}))).DelegatedAdministrators!.map((a) => a.Id),
    ).toEqual([member]);
  });
});

describe('Deregister and the lists', () => {
  it('deregisters; a second time is AccountNotRegisteredException; unknown accounts AccountNotFoundException', async () => {
    const { member } = await sdk.orgWithMember({ trust: SP });
    await orgs.send(new RegisterDelegatedAdministratorCommand({ AccountId: member, ServicePrincipal: SP }));
    await orgs.send(new DeregisterDelegatedAdministratorCommand({ AccountId: member, ServicePrincipal: SP }));
    expect((await orgs.send(new ListDelegatedAdministratorsCommand({}))).DelegatedAdministrators).toEqual([]);
    expect(
      (
        await errorOf(
          orgs.send(new DeregisterDelegatedAdministratorCommand({ AccountId: member, ServicePrincipal: SP })),
        )
      ).name,
    ).toBe('AccountNotRegisteredException');
    expect(
      (
        await errorOf(
          orgs.send(new DeregisterDelegatedAdministratorCommand({ AccountId: '999999999999', ServicePrincipal: SP })),
        )
      ).name,
    ).toBe('AccountNotFoundException');
    expect((await errorOf(orgs.send(new ListDelegatedServicesForAccountCommand({ AccountId: member })))).name).toBe(
      'AccountNotRegisteredException',
    );
    expect(
      (await errorOf(orgs.send(new ListDelegatedServicesForAccountCommand({ AccountId: '999999999999' })))).name,
    ).toBe('AccountNotFoundException');
  });

  it('ListDelegatedAdministrators filters by ServicePrincipal and pages with NextToken', async () => {
    const services = ['securityhub.amazonaws.com', 'access-analyzer.amazonaws.com', 'config.amazonaws.com'];
    const { member } = await sdk.orgWithMember();
    for (const s of services) await orgs.send(new EnableAWSServiceAccessCommand({ ServicePrincipal: s }));
    const others = [await addMember('a1'), await addMember('a2'), await addMember('a3')];
    for (const id of [member, ...others])
      await orgs.send(new RegisterDelegatedAdministratorCommand({ AccountId: id, ServicePrincipal: services[0] }));
    await orgs.send(new RegisterDelegatedAdministratorCommand({ AccountId: member, ServicePrincipal: services[1] }));
    // Page size 3 (world default): four admins take two pages.
    const first = await orgs.send(new ListDelegatedAdministratorsCommand({}));
    expect(first.DelegatedAdministrators).toHaveLength(3);
    expect(first.NextToken).toBeTruthy();
    const second = await orgs.send(new ListDelegatedAdministratorsCommand({ NextToken: first.NextToken }));
    expect([...first.DelegatedAdministrators!, ...second.DelegatedAdministrators!].map((a) => a.Id).sort()).toEqual(
      [member, ...others].sort(),
    );
    expect(second.NextToken).toBeUndefined();
    const forAnalyzer = await orgs.send(new ListDelegatedAdministratorsCommand({ ServicePrincipal: services[1] }));
    expect(forAnalyzer.DelegatedAdministrators!.map((a) => a.Id)).toEqual([member]);
    expect(
      (await orgs.send(new ListDelegatedAdministratorsCommand({ ServicePrincipal: services[2] })))
        .DelegatedAdministrators,
    ).toEqual([]);
    const svc = (await orgs.send(new ListDelegatedServicesForAccountCommand({ AccountId: member }))).DelegatedServices!;
    expect(svc.map((s) => s.ServicePrincipal).sort()).toEqual([services[1], services[0]].sort());
  });

  it('a delegated administrator cannot leave the organization: CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG', async () => {
    const { member } = await sdk.orgWithMember({ trust: SP });
    await orgs.send(new RegisterDelegatedAdministratorCommand({ AccountId: member, ServicePrincipal: SP }));
    const asMember = sdk.client(OrganizationsClient, { credentials: emu.credentials(member) });
    expect(await errorOf(asMember.send(new LeaveOrganizationCommand({})))).toMatchObject({
      name: 'ConstraintViolationException',
      Reason: 'CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG',
    });
  });

  it("drift: a delegated administrator deregistered behind the CLI's back", async () => {
    const { member } = await sdk.orgWithMember({ trust: SP });
    await orgs.send(new RegisterDelegatedAdministratorCommand({ AccountId: member, ServicePrincipal: SP }));
    emu.drift('organizations', 'deregister-delegated-admin', { accountId: member, servicePrincipal: SP });
    expect(
      (await orgs.send(new ListDelegatedAdministratorsCommand({ ServicePrincipal: SP }))).DelegatedAdministrators,
    ).toEqual([]);
    expect(() =>
      emu.drift('organizations', 'deregister-delegated-admin', { accountId: member, servicePrincipal: SP }),
    ).toThrow(/not a delegated administrator/);
  });
});
