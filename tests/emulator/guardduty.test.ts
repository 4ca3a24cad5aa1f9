// GuardDuty through the real SDK client against the emulator: detectors (one per account and
// Region, defaults, features), the organization's delegated administrator (management account
// only, trusted access, one per organization), the administrator's organization configuration
// (NONE / NEW / ALL), members, faults, account readiness and the drift kinds.
import { beforeEach, describe, expect, it } from 'vitest';
import {
  CreateDetectorCommand,
  CreateMembersCommand,
  DeleteDetectorCommand,
  DescribeOrganizationConfigurationCommand,
  DisableOrganizationAdminAccountCommand,
  EnableOrganizationAdminAccountCommand,
  GetAdministratorAccountCommand,
  GetDetectorCommand,
  GetMasterAccountCommand,
  GuardDutyClient,
  ListDetectorsCommand,
  ListMembersCommand,
  ListOrganizationAdminAccountsCommand,
  UpdateDetectorCommand,
  UpdateOrganizationConfigurationCommand,
} from '@aws-sdk/client-guardduty';
import {
  AttachPolicyCommand,
  CreateAccountCommand,
  CreatePolicyCommand,
  DescribeCreateAccountStatusCommand,
  ListAWSServiceAccessForOrganizationCommand,
  ListDelegatedAdministratorsCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { MANAGEMENT_ACCOUNT_ID as ME } from '../../emulator/world.js';
import { errorOf, useEmulator, type Creds } from '../helpers/emulator-sdk.js';

// Lists right after creating accounts; eventual consistency has its own tests.
const sdk = useEmulator({ lenient: ['eventual-consistency'] });
const { emu } = sdk;
let gd: GuardDutyClient;
let orgs: OrganizationsClient;
beforeEach(() => {
  // Latency settings outlive a reset: each test starts from the instant profile's own.
  emu.latency.overrides = {};
  emu.latency.behaviours = {};
  gd = sdk.client(GuardDutyClient);
  orgs = sdk.client(OrganizationsClient);
});

const gdFor = (account: string, region = 'us-east-1') =>
  sdk.client(GuardDutyClient, { credentials: emu.credentials(account) as Creds, region });

async function addMember(name: string): Promise<string> {
  const started = (await orgs.send(new CreateAccountCommand({ AccountName: name, Email: `ops+${name}@acme.example` })))
    .CreateAccountStatus!;
  const s = (await orgs.send(new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: started.Id! })))
    .CreateAccountStatus!;
  await emu.accountReady(s.AccountId!);
  return s.AccountId!;
}

/** An organization with a security account as GuardDuty administrator in us-east-1; its client and detector. */
async function withAdmin(): Promise<{ admin: string; adminGd: GuardDutyClient; detectorId: string }> {
  const { member: admin } = await sdk.orgWithMember({ name: 'security' });
  await gd.send(new EnableOrganizationAdminAccountCommand({ AdminAccountId: admin }));
  const adminGd = gdFor(admin);
  const detectorId = (await adminGd.send(new ListDetectorsCommand({}))).DetectorIds![0]!;
  return { admin, adminGd, detectorId };
}

describe('detectors', () => {
  it('creates one detector per account and Region; a second is BadRequestException; GetDetector shows the defaults', async () => {
    const { DetectorId } = await gd.send(new CreateDetectorCommand({ Enable: true }));
    expect(DetectorId).toMatch(/^[0-9a-f]{32}$/);
    expect(await errorOf(gd.send(new CreateDetectorCommand({ Enable: true })))).toMatchObject({
      name: 'BadRequestException',
      status: 400,
      message: expect.stringMatching(/detector already exists/),
    });
    expect((await gd.send(new ListDetectorsCommand({}))).DetectorIds).toEqual([DetectorId]);
    const d = await gd.send(new GetDetectorCommand({ DetectorId }));
    expect(d).toMatchObject({ Status: 'ENABLED', FindingPublishingFrequency: 'SIX_HOURS' });
    expect(Date.parse(d.CreatedAt!)).not.toBeNaN();
    const status = Object.fromEntries(d.Features!.map((f) => [f.Name, f.Status]));
    // "with an exception to RUNTIME_MONITORING, all the optional features are enabled by default"
    expect(status).toMatchObject({
      S3_DATA_EVENTS: 'ENABLED',
      EKS_AUDIT_LOGS: 'ENABLED',
      EBS_MALWARE_PROTECTION: 'ENABLED',
      RDS_LOGIN_EVENTS: 'ENABLED',
      LAMBDA_NETWORK_LOGS: 'ENABLED',
      RUNTIME_MONITORING: 'DISABLED',
      CLOUD_TRAIL: 'ENABLED',
    });
    // Another Region is another detector.
    const west = sdk.client(GuardDutyClient, { region: 'eu-west-1' });
    expect((await west.send(new ListDetectorsCommand({}))).DetectorIds).toEqual([]);
    await west.send(new CreateDetectorCommand({ Enable: true }));
  });

  it('features and frequency on create and update; both runtime features at once are refused', async () => {
    const { DetectorId } = await gd.send(
      new CreateDetectorCommand({
        Enable: true,
        FindingPublishingFrequency: 'FIFTEEN_MINUTES',
        Features: [{ Name: 'S3_DATA_EVENTS', Status: 'DISABLED' }],
      }),
    );
    let d = await gd.send(new GetDetectorCommand({ DetectorId }));
    expect(d.FindingPublishingFrequency).toBe('FIFTEEN_MINUTES');
    expect(d.Features!.find((f) => f.Name === 'S3_DATA_EVENTS')!.Status).toBe('DISABLED');
    await gd.send(
      new UpdateDetectorCommand({
        DetectorId,
        FindingPublishingFrequency: 'ONE_HOUR',
        Features: [{ Name: 'RUNTIME_MONITORING', Status: 'ENABLED' }],
      }),
    );
    d = await gd.send(new GetDetectorCommand({ DetectorId }));
    expect(d.FindingPublishingFrequency).toBe('ONE_HOUR');
    expect(d.Features!.find((f) => f.Name === 'RUNTIME_MONITORING')!.Status).toBe('ENABLED');
    const both = [
      { Name: 'RUNTIME_MONITORING' as const, Status: 'ENABLED' as const },
      { Name: 'EKS_RUNTIME_MONITORING' as const, Status: 'ENABLED' as const },
    ];
    expect(await errorOf(gd.send(new UpdateDetectorCommand({ DetectorId, Features: both })))).toMatchObject({
      name: 'BadRequestException',
      status: 400,
    });
    expect(
      (await errorOf(gd.send(new UpdateDetectorCommand({ DetectorId, FindingPublishingFrequency: 'HOURLY' as never }))))
        .name,
    ).toBe('BadRequestException');
    expect((await errorOf(gd.send(new CreateDetectorCommand({ Enable: true, Features: both })))).name).toBe(
      'BadRequestException',
    );
  });

  it('an unknown detector ID is BadRequestException ("not owned by the current account"); delete then recreate', async () => {
    const { DetectorId } = await gd.send(new CreateDetectorCommand({ Enable: false }));
    expect((await gd.send(new GetDetectorCommand({ DetectorId }))).Status).toBe('DISABLED');
    expect(await errorOf(gd.send(new GetDetectorCommand({ DetectorId: 'a'.repeat(32) })))).toMatchObject({
      name: 'BadRequestException',
      message: expect.stringMatching(/not owned/),
    });
    await gd.send(new DeleteDetectorCommand({ DetectorId }));
    expect((await gd.send(new ListDetectorsCommand({}))).DetectorIds).toEqual([]);
    await gd.send(new CreateDetectorCommand({ Enable: true }));
  });
});

describe('organization administrator', () => {
  it('EnableOrganizationAdminAccount turns on trusted access, registers the administrator and enables its detector', async () => {
    const { admin, adminGd, detectorId } = await withAdmin();
    expect(detectorId).toMatch(/^[0-9a-f]{32}$/);
    expect((await gd.send(new ListOrganizationAdminAccountsCommand({}))).AdminAccounts).toEqual([
      { AdminAccountId: admin, AdminStatus: 'ENABLED' },
    ]);
    const access = (await orgs.send(new ListAWSServiceAccessForOrganizationCommand({}))).EnabledServicePrincipals!.map(
      (p) => p.ServicePrincipal,
    );
    expect(access).toContain('guardduty.amazonaws.com');
    expect(
      (
        await orgs.send(new ListDelegatedAdministratorsCommand({ ServicePrincipal: 'guardduty.amazonaws.com' }))
      ).DelegatedAdministrators!.map((a) => a.Id),
    ).toEqual([admin]);
    // Idempotent for the same account; per Region (none in eu-west-1 yet).
    await gd.send(new EnableOrganizationAdminAccountCommand({ AdminAccountId: admin }));
    const west = sdk.client(GuardDutyClient, { region: 'eu-west-1' });
    expect((await west.send(new ListOrganizationAdminAccountsCommand({}))).AdminAccounts).toEqual([]);
    expect(await adminGd.send(new DescribeOrganizationConfigurationCommand({ DetectorId: detectorId }))).toMatchObject({
      AutoEnable: false,
      AutoEnableOrganizationMembers: 'NONE',
    });
  });

  it('only the management account; only members of the organization; only one administrator per organization', async () => {
    const { admin } = await withAdmin();
    const other = await addMember('audit');
    expect(
      await errorOf(gdFor(admin).send(new EnableOrganizationAdminAccountCommand({ AdminAccountId: admin }))),
    ).toMatchObject({ name: 'BadRequestException', status: 400 });
    expect(
      (await errorOf(gd.send(new EnableOrganizationAdminAccountCommand({ AdminAccountId: '999999999999' })))).name,
    ).toBe('BadRequestException');
    expect((await errorOf(gd.send(new EnableOrganizationAdminAccountCommand({ AdminAccountId: other })))).name).toBe(
      'BadRequestException',
    );
    // Not another account in another Region either.
    const west = sdk.client(GuardDutyClient, { region: 'eu-west-1' });
    expect((await errorOf(west.send(new EnableOrganizationAdminAccountCommand({ AdminAccountId: other })))).name).toBe(
      'BadRequestException',
    );
    await west.send(new EnableOrganizationAdminAccountCommand({ AdminAccountId: admin }));
  });

  it('without an organization EnableOrganizationAdminAccount is refused', async () => {
    expect(
      (await errorOf(gd.send(new EnableOrganizationAdminAccountCommand({ AdminAccountId: '111100000001' })))).name,
    ).toBe('BadRequestException');
  });

  it('DisableOrganizationAdminAccount removes it, deregisters it in Organizations and disassociates its members', async () => {
    const { admin, adminGd, detectorId } = await withAdmin();
    const member = await addMember('workload');
    await adminGd.send(
      new CreateMembersCommand({
        DetectorId: detectorId,
        AccountDetails: [{ AccountId: member, Email: 'ops+workload@acme.example' }],
      }),
    );
    expect((await errorOf(gd.send(new DisableOrganizationAdminAccountCommand({ AdminAccountId: member })))).name).toBe(
      'BadRequestException',
    );
    await gd.send(new DisableOrganizationAdminAccountCommand({ AdminAccountId: admin }));
    expect((await gd.send(new ListOrganizationAdminAccountsCommand({}))).AdminAccounts).toEqual([]);
    expect((await orgs.send(new ListDelegatedAdministratorsCommand({}))).DelegatedAdministrators).toEqual([]);
    const memberGd = gdFor(member);
    const memberDetector = (await memberGd.send(new ListDetectorsCommand({}))).DetectorIds![0]!;
    expect(
      (await memberGd.send(new GetAdministratorAccountCommand({ DetectorId: memberDetector }))).Administrator,
    ).toBeUndefined();
  });
});

describe('organization configuration and members', () => {
  it('UpdateOrganizationConfiguration only from the delegated administrator with its detector', async () => {
    const { admin, detectorId } = await withAdmin();
    // The management account, with a detector of its own, is not the administrator.
    const { DetectorId: mine } = await gd.send(new CreateDetectorCommand({ Enable: true }));
    expect(
      await errorOf(
        gd.send(new UpdateOrganizationConfigurationCommand({ DetectorId: mine, AutoEnableOrganizationMembers: 'ALL' })),
      ),
    ).toMatchObject({ name: 'BadRequestException', status: 400 });
    expect((await errorOf(gd.send(new DescribeOrganizationConfigurationCommand({ DetectorId: mine })))).name).toBe(
      'BadRequestException',
    );
    // The administrator's detector ID used from another account is not theirs.
    expect(
      (
        await errorOf(
          gd.send(
            new UpdateOrganizationConfigurationCommand({
              DetectorId: detectorId,
              AutoEnableOrganizationMembers: 'ALL',
            }),
          ),
        )
      ).name,
    ).toBe('BadRequestException');
    // In another Region the administrator is not one (and has no detector).
    const adminWest = gdFor(admin, 'eu-west-1');
    expect(
      (
        await errorOf(
          adminWest.send(
            new UpdateOrganizationConfigurationCommand({
              DetectorId: detectorId,
              AutoEnableOrganizationMembers: 'ALL',
            }),
          ),
        )
      ).name,
    ).toBe('BadRequestException');
  });

  it('needs exactly one of AutoEnableOrganizationMembers and AutoEnable', async () => {
    const { adminGd, detectorId } = await withAdmin();
    expect(
      (await errorOf(adminGd.send(new UpdateOrganizationConfigurationCommand({ DetectorId: detectorId })))).name,
    ).toBe('BadRequestException');
    expect(
      (
        await errorOf(
          adminGd.send(
            new UpdateOrganizationConfigurationCommand({
              DetectorId: detectorId,
              AutoEnable: true,
              AutoEnableOrganizationMembers: 'NEW',
            }),
          ),
        )
      ).name,
    ).toBe('BadRequestException');
    await adminGd.send(new UpdateOrganizationConfigurationCommand({ DetectorId: detectorId, AutoEnable: true }));
    expect(await adminGd.send(new DescribeOrganizationConfigurationCommand({ DetectorId: detectorId }))).toMatchObject({
      AutoEnable: true,
      AutoEnableOrganizationMembers: 'NEW',
    });
  });

  it('ALL gives the existing accounts a detector as members of the administrator, with the auto-enabled features', async () => {
    const { admin, adminGd, detectorId } = await withAdmin();
    const workload = await addMember('workload');
    await adminGd.send(
      new UpdateOrganizationConfigurationCommand({
        DetectorId: detectorId,
        AutoEnableOrganizationMembers: 'ALL',
        Features: [
          { Name: 'S3_DATA_EVENTS', AutoEnable: 'ALL' },
          { Name: 'RDS_LOGIN_EVENTS', AutoEnable: 'NONE' },
        ],
      }),
    );
    const conf = await adminGd.send(new DescribeOrganizationConfigurationCommand({ DetectorId: detectorId }));
    expect(conf.AutoEnableOrganizationMembers).toBe('ALL');
    expect(conf.Features!.find((f) => f.Name === 'S3_DATA_EVENTS')!.AutoEnable).toBe('ALL');
    const members = (await adminGd.send(new ListMembersCommand({ DetectorId: detectorId, MaxResults: 50 }))).Members!;
    expect(members.map((m) => m.AccountId).sort()).toEqual([ME, workload].sort());
    for (const m of members)
      expect(m).toMatchObject({
        RelationshipStatus: 'Enabled',
        AdministratorId: admin,
        MasterId: admin,
        DetectorId: expect.stringMatching(/^[0-9a-f]{32}$/),
      });
    const wGd = gdFor(workload);
    const [wDetector] = (await wGd.send(new ListDetectorsCommand({}))).DetectorIds!;
    expect((await wGd.send(new GetAdministratorAccountCommand({ DetectorId: wDetector }))).Administrator).toMatchObject(
      { AccountId: admin, RelationshipStatus: 'Enabled' },
    );
    expect((await wGd.send(new GetMasterAccountCommand({ DetectorId: wDetector }))).Master).toMatchObject({
      AccountId: admin,
    });
    const features = Object.fromEntries(
      (await wGd.send(new GetDetectorCommand({ DetectorId: wDetector }))).Features!.map((f) => [f.Name, f.Status]),
    );
    expect(features).toMatchObject({ S3_DATA_EVENTS: 'ENABLED', RDS_LOGIN_EVENTS: 'DISABLED' });
  });

  it('ALL happens after the async duration, not in the call itself', async () => {
    const { adminGd, detectorId } = await withAdmin();
    const workload = await addMember('workload');
    emu.setLatency({
      overrides: { 'guardduty:UpdateOrganizationConfiguration': { async: { min: 60_000, max: 60_000 } } },
    });
    await adminGd.send(
      new UpdateOrganizationConfigurationCommand({ DetectorId: detectorId, AutoEnableOrganizationMembers: 'ALL' }),
    );
    expect((await adminGd.send(new ListMembersCommand({ DetectorId: detectorId }))).Members).toEqual([]);
    expect((await gdFor(workload).send(new ListDetectorsCommand({}))).DetectorIds).toEqual([]);
    emu.flushAsync();
    expect((await gdFor(workload).send(new ListDetectorsCommand({}))).DetectorIds).toHaveLength(1);
  });

  it('NEW enables accounts that join later, not the existing ones; NONE enables nobody', async () => {
    const { adminGd, detectorId } = await withAdmin();
    const before = await addMember('before');
    await adminGd.send(
      new UpdateOrganizationConfigurationCommand({ DetectorId: detectorId, AutoEnableOrganizationMembers: 'NEW' }),
    );
    const after = await addMember('after');
    // The new member's own first look at GuardDuty already shows the detector.
    expect((await gdFor(after).send(new ListDetectorsCommand({}))).DetectorIds).toHaveLength(1);
    expect((await gdFor(before).send(new ListDetectorsCommand({}))).DetectorIds).toEqual([]);
    expect(
      (await adminGd.send(new ListMembersCommand({ DetectorId: detectorId }))).Members!.map((m) => m.AccountId),
    ).toEqual([after]);
    await adminGd.send(
      new UpdateOrganizationConfigurationCommand({ DetectorId: detectorId, AutoEnableOrganizationMembers: 'NONE' }),
    );
    const late = await addMember('late');
    expect((await gdFor(late).send(new ListDetectorsCommand({}))).DetectorIds).toEqual([]);
  });

  it('CreateMembers from the administrator enables organization accounts; itself is unprocessed; ListMembers pages', async () => {
    const { admin, adminGd, detectorId } = await withAdmin();
    const ids = [await addMember('m1'), await addMember('m2'), await addMember('m3'), await addMember('m4')];
    const res = await adminGd.send(
      new CreateMembersCommand({
        DetectorId: detectorId,
        AccountDetails: [...ids, admin].map((AccountId) => ({ AccountId, Email: `${AccountId}@acme.example` })),
      }),
    );
    expect(res.UnprocessedAccounts!.map((u) => u.AccountId)).toEqual([admin]);
    const first = await adminGd.send(new ListMembersCommand({ DetectorId: detectorId }));
    expect(first.Members).toHaveLength(3);
    const second = await adminGd.send(new ListMembersCommand({ DetectorId: detectorId, NextToken: first.NextToken }));
    expect([...first.Members!, ...second.Members!].map((m) => m.AccountId).sort()).toEqual(ids.sort());
    expect(
      (await errorOf(adminGd.send(new ListMembersCommand({ DetectorId: detectorId, NextToken: 'garbage' })))).name,
    ).toBe('BadRequestException');
  });
});

describe('faults, readiness and drift', () => {
  it('throttling is TooManyRequestsException (429)', async () => {
    emu.setFaults({ rules: [{ service: 'guardduty', kind: 'throttle', times: 1 }] });
    expect(await errorOf(gd.send(new ListDetectorsCommand({})))).toMatchObject({
      name: 'TooManyRequestsException',
      status: 429,
    });
    expect((await gd.send(new ListDetectorsCommand({}))).DetectorIds).toEqual([]);
  });

  it('SCPs apply to guardduty: actions (a member denied DeleteDetector gets AccessDeniedException 403)', async () => {
    const { member } = await sdk.orgWithMember();
    const deny = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Deny', Action: 'guardduty:DeleteDetector', Resource: '*' }],
    });
    const p = (
      await orgs.send(
        new CreatePolicyCommand({
          Name: 'keep-guardduty',
          Description: 'x',
          Type: 'SERVICE_CONTROL_POLICY',
          Content: deny,
        }),
      )
    ).Policy!.PolicySummary!;
    await orgs.send(new AttachPolicyCommand({ PolicyId: p.Id!, TargetId: member }));
    const mGd = gdFor(member);
    const { DetectorId } = await mGd.send(new CreateDetectorCommand({ Enable: true }));
    expect(await errorOf(mGd.send(new DeleteDetectorCommand({ DetectorId })))).toMatchObject({
      name: 'AccessDeniedException',
      status: 403,
      message: expect.stringContaining('guardduty:DeleteDetector'),
    });
  });

  it('a brand-new account answers SubscriptionRequiredException until it is ready (account-readiness)', async () => {
    await sdk.orgWithMember();
    emu.setLatency({
      behaviours: { accountRoleDelay: { min: 0, max: 0 }, accountServicesDelay: { min: 60_000, max: 60_000 } },
    });
    const started = (
      await orgs.send(new CreateAccountCommand({ AccountName: 'fresh', Email: 'ops+fresh@acme.example' }))
    ).CreateAccountStatus!;
    const id = (await orgs.send(new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: started.Id! })))
      .CreateAccountStatus!.AccountId!;
    expect((await errorOf(gdFor(id).send(new ListDetectorsCommand({})))).name).toBe('SubscriptionRequiredException');
    emu.world.account(id)!.readyAt!.services = Date.now(); // time goes by
    expect((await gdFor(id).send(new ListDetectorsCommand({}))).DetectorIds).toEqual([]);
  });

  it('drift: detector deleted, organization auto-enable off, a feature disabled', async () => {
    const { admin, adminGd, detectorId } = await withAdmin();
    const workload = await addMember('workload');
    await adminGd.send(
      new UpdateOrganizationConfigurationCommand({ DetectorId: detectorId, AutoEnableOrganizationMembers: 'ALL' }),
    );
    const wGd = gdFor(workload);
    const [wDetector] = (await wGd.send(new ListDetectorsCommand({}))).DetectorIds!;

    emu.drift('guardduty', 'feature-disabled', {
      account: workload,
      region: 'us-east-1',
      feature: 'EBS_MALWARE_PROTECTION',
    });
    expect(
      (await wGd.send(new GetDetectorCommand({ DetectorId: wDetector }))).Features!.find(
        (f) => f.Name === 'EBS_MALWARE_PROTECTION',
      )!.Status,
    ).toBe('DISABLED');

    emu.drift('guardduty', 'org-auto-enable-off', { account: admin, region: 'us-east-1' });
    expect(
      (await adminGd.send(new DescribeOrganizationConfigurationCommand({ DetectorId: detectorId })))
        .AutoEnableOrganizationMembers,
    ).toBe('NONE');

    emu.drift('guardduty', 'detector-deleted', { account: workload, region: 'us-east-1' });
    expect((await wGd.send(new ListDetectorsCommand({}))).DetectorIds).toEqual([]);
    expect(
      (await adminGd.send(new ListMembersCommand({ DetectorId: detectorId }))).Members!.map((m) => m.AccountId),
    ).toEqual([ME]);
    expect(() => emu.drift('guardduty', 'detector-deleted', { account: workload, region: 'us-east-1' })).toThrow(
      /no GuardDuty detector/,
    );
  });
});
