// AWS Security Hub through the real SDK v3 client: the hub per account and region, standards,
// the delegated administrator (management account only; trusted access), local and central
// configuration and its prerequisites (finding aggregator, home Region), configuration policies
// and their associations applied to the organization's accounts, drift kinds.
import { describe, expect, it } from 'vitest';
import {
  BatchDisableStandardsCommand,
  BatchEnableStandardsCommand,
  CreateConfigurationPolicyCommand,
  CreateFindingAggregatorCommand,
  DescribeHubCommand,
  DescribeOrganizationConfigurationCommand,
  DisableOrganizationAdminAccountCommand,
  DisableSecurityHubCommand,
  EnableOrganizationAdminAccountCommand,
  EnableSecurityHubCommand,
  GetConfigurationPolicyAssociationCommand,
  GetConfigurationPolicyCommand,
  GetEnabledStandardsCommand,
  GetFindingAggregatorCommand,
  ListConfigurationPoliciesCommand,
  ListConfigurationPolicyAssociationsCommand,
  ListFindingAggregatorsCommand,
  ListOrganizationAdminAccountsCommand,
  SecurityHubClient,
  StartConfigurationPolicyAssociationCommand,
  UpdateConfigurationPolicyCommand,
  UpdateFindingAggregatorCommand,
  UpdateOrganizationConfigurationCommand,
  type Policy,
} from '@aws-sdk/client-securityhub';
import {
  ListAWSServiceAccessForOrganizationCommand,
  ListRootsCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { MANAGEMENT_ACCOUNT_ID as ME } from '../../emulator/world.js';
import { errorOf, useEmulator, type Creds } from '../helpers/emulator-sdk.js';

const sdk = useEmulator();
const { emu } = sdk;

const sh = (region = 'eu-west-1', credentials?: Creds) => sdk.client(SecurityHubClient, { region, credentials });
const FSBP = (r: string) => `arn:aws:securityhub:${r}::standards/aws-foundational-security-best-practices/v/1.0.0`;
const CIS12 = 'arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0';
const CIS14 = (r: string) => `arn:aws:securityhub:${r}::standards/cis-aws-foundations-benchmark/v/1.4.0`;

const standardsOf = async (c: SecurityHubClient) =>
  ((await c.send(new GetEnabledStandardsCommand({}))).StandardsSubscriptions ?? []).map((s) => [
    s.StandardsArn,
    s.StandardsStatus,
  ]);

const policy = (standards: string[]): Policy => ({
  SecurityHub: {
    ServiceEnabled: true,
    EnabledStandardIdentifiers: standards,
    SecurityControlsConfiguration: { DisabledSecurityControlIdentifiers: [] },
  },
});

/** Organization + a `security` member designated as Security Hub administrator in eu-west-1. */
async function withAdmin(): Promise<{ admin: string; da: (region?: string) => SecurityHubClient }> {
  const { member: admin } = await sdk.orgWithMember({ name: 'security' });
  await sh().send(new EnableOrganizationAdminAccountCommand({ AdminAccountId: admin }));
  return { admin, da: (region = 'eu-west-1') => sh(region, emu.credentials(admin)) };
}

/** withAdmin + an ALL_REGIONS aggregator in eu-west-1 + central configuration ENABLED. */
async function central() {
  const r = await withAdmin();
  await r
    .da()
    .send(new CreateFindingAggregatorCommand({ RegionLinkingMode: 'SPECIFIED_REGIONS', Regions: ['us-east-1'] }));
  const out = await r.da().send(
    new UpdateOrganizationConfigurationCommand({
      AutoEnable: false,
      AutoEnableStandards: 'NONE',
      OrganizationConfiguration: { ConfigurationType: 'CENTRAL' },
    }),
  );
  expect(out.$metadata.httpStatusCode).toBe(200);
  return r;
}

describe('hub and standards', () => {
  it('EnableSecurityHub per region with the default standards; a second call is ResourceConflictException; DescribeHub needs a hub', async () => {
    const eu = sh();
    expect(await errorOf(eu.send(new DescribeHubCommand({})))).toMatchObject({
      name: 'InvalidAccessException',
      status: 401,
    });
    await eu.send(new EnableSecurityHubCommand({ ControlFindingGenerator: 'SECURITY_CONTROL' }));
    expect(await errorOf(eu.send(new EnableSecurityHubCommand({})))).toMatchObject({
      name: 'ResourceConflictException',
      status: 409,
    });
    const hub = await eu.send(new DescribeHubCommand({}));
    expect(hub).toMatchObject({
      HubArn: `arn:aws:securityhub:eu-west-1:${ME}:hub/default`,
      AutoEnableControls: true,
      ControlFindingGenerator: 'SECURITY_CONTROL',
    });
    expect(await standardsOf(eu)).toEqual([
      [FSBP('eu-west-1'), 'READY'],
      [CIS12, 'READY'],
    ]);
    // Another region is separate.
    expect((await errorOf(sh('us-east-1').send(new GetEnabledStandardsCommand({})))).name).toBe(
      'InvalidAccessException',
    );
    await sh('us-east-1').send(new EnableSecurityHubCommand({ EnableDefaultStandards: false }));
    expect(await standardsOf(sh('us-east-1'))).toEqual([]);
    await eu.send(new DisableSecurityHubCommand({}));
    expect((await errorOf(eu.send(new DescribeHubCommand({})))).name).toBe('InvalidAccessException');
  });

  it('BatchEnableStandards: PENDING then READY; unknown ARN is InvalidInputException; BatchDisableStandards: DELETING then gone', async () => {
    const eu = sh();
    await eu.send(new EnableSecurityHubCommand({ EnableDefaultStandards: false }));
    const on = (
      await eu.send(
        new BatchEnableStandardsCommand({ StandardsSubscriptionRequests: [{ StandardsArn: CIS14('eu-west-1') }] }),
      )
    ).StandardsSubscriptions!;
    expect(on).toMatchObject([
      {
        StandardsArn: CIS14('eu-west-1'),
        StandardsStatus: 'PENDING',
        StandardsSubscriptionArn: `arn:aws:securityhub:eu-west-1:${ME}:subscription/cis-aws-foundations-benchmark/v/1.4.0`,
      },
    ]);
    expect(await standardsOf(eu)).toEqual([[CIS14('eu-west-1'), 'READY']]);
    // The us-east-1 form of the ARN is not this region's standard.
    expect(
      await errorOf(
        eu.send(
          new BatchEnableStandardsCommand({ StandardsSubscriptionRequests: [{ StandardsArn: CIS14('us-east-1') }] }),
        ),
      ),
    ).toMatchObject({ name: 'InvalidInputException', status: 400 });
    const off = (
      await eu.send(new BatchDisableStandardsCommand({ StandardsSubscriptionArns: [on[0]!.StandardsSubscriptionArn!] }))
    ).StandardsSubscriptions!;
    expect(off[0]!.StandardsStatus).toBe('DELETING');
    expect(await standardsOf(eu)).toEqual([]);
  });

  it('drift: hub-disabled and standard-disabled', async () => {
    const eu = sh();
    await eu.send(new EnableSecurityHubCommand({}));
    emu.drift('securityhub', 'standard-disabled', { region: 'eu-west-1' });
    expect(await standardsOf(eu)).toEqual([[CIS12, 'READY']]);
    emu.drift('securityhub', 'hub-disabled', { region: 'eu-west-1' });
    expect((await errorOf(eu.send(new DescribeHubCommand({})))).name).toBe('InvalidAccessException');
    expect(() => emu.drift('securityhub', 'hub-disabled', { region: 'eu-west-1' })).toThrow(/not enabled/);
  });
});

describe('delegated administrator', () => {
  it("only the management account designates it; it turns on trusted access, registers the delegated admin and enables the admin's hub", async () => {
    const { member } = await sdk.orgWithMember({ name: 'security' });
    const asMember = sh('eu-west-1', emu.credentials(member));
    expect(
      await errorOf(asMember.send(new EnableOrganizationAdminAccountCommand({ AdminAccountId: member }))),
    ).toMatchObject({ name: 'AccessDeniedException', status: 403 });
    // The management account itself cannot be the delegated administrator.
    expect((await errorOf(sh().send(new EnableOrganizationAdminAccountCommand({ AdminAccountId: ME })))).name).toBe(
      'InvalidInputException',
    );
    expect(
      (await errorOf(sh().send(new EnableOrganizationAdminAccountCommand({ AdminAccountId: '999999999999' })))).name,
    ).toBe('InvalidInputException');
    expect(
      (await sh().send(new EnableOrganizationAdminAccountCommand({ AdminAccountId: member }))).AdminAccountId,
    ).toBe(member);
    expect((await sh().send(new ListOrganizationAdminAccountsCommand({}))).AdminAccounts).toEqual([
      { AccountId: member, Status: 'ENABLED' },
    ]);
    // Per region: none yet in us-east-1.
    expect((await sh('us-east-1').send(new ListOrganizationAdminAccountsCommand({}))).AdminAccounts).toEqual([]);
    await emu.flushAsync(); // trusted access and the delegated admin are eventually consistent in lists
    const orgs = sdk.client(OrganizationsClient);
    expect(
      (await orgs.send(new ListAWSServiceAccessForOrganizationCommand({}))).EnabledServicePrincipals?.map(
        (p) => p.ServicePrincipal,
      ),
    ).toContain('securityhub.amazonaws.com');
    expect(emu.world.isDelegatedAdmin(member, 'securityhub.amazonaws.com')).toBe(true);
    expect((await asMember.send(new DescribeHubCommand({}))).HubArn).toBe(
      `arn:aws:securityhub:eu-west-1:${member}:hub/default`,
    );
    // The administrator cannot disable its own hub.
    expect((await errorOf(asMember.send(new DisableSecurityHubCommand({})))).name).toBe('InvalidInputException');
    await sh().send(new DisableOrganizationAdminAccountCommand({ AdminAccountId: member }));
    expect(emu.world.isDelegatedAdmin(member, 'securityhub.amazonaws.com')).toBe(false);
  });

  it('local configuration: only the administrator reads and updates it', async () => {
    const { admin, da } = await withAdmin();
    expect(await errorOf(sh().send(new DescribeOrganizationConfigurationCommand({})))).toMatchObject({
      name: 'InvalidAccessException',
      status: 401,
    });
    expect(await da().send(new DescribeOrganizationConfigurationCommand({}))).toMatchObject({
      AutoEnable: false,
      AutoEnableStandards: 'DEFAULT',
      OrganizationConfiguration: { ConfigurationType: 'LOCAL', Status: 'ENABLED' },
    });
    await da().send(new UpdateOrganizationConfigurationCommand({ AutoEnable: true, AutoEnableStandards: 'NONE' }));
    expect(await da().send(new DescribeOrganizationConfigurationCommand({}))).toMatchObject({
      AutoEnable: true,
      AutoEnableStandards: 'NONE',
    });
    expect(admin).toMatch(/^\d{12}$/);
  });
});

describe('central configuration', () => {
  it('is refused without a finding aggregator, outside its Region, and with AutoEnable or default standards', async () => {
    const { da } = await withAdmin();
    const centralReq = {
      AutoEnable: false,
      AutoEnableStandards: 'NONE' as const,
      OrganizationConfiguration: { ConfigurationType: 'CENTRAL' as const },
    };
    expect(await errorOf(da().send(new UpdateOrganizationConfigurationCommand(centralReq)))).toMatchObject({
      name: 'InvalidInputException',
      status: 400,
    });
    const agg = await da().send(new CreateFindingAggregatorCommand({ RegionLinkingMode: 'ALL_REGIONS' }));
    expect(agg).toMatchObject({ FindingAggregationRegion: 'eu-west-1', RegionLinkingMode: 'ALL_REGIONS' });
    // One aggregator per account.
    expect(
      (await errorOf(da().send(new CreateFindingAggregatorCommand({ RegionLinkingMode: 'ALL_REGIONS' })))).name,
    ).toBe('ResourceConflictException');
    expect(
      (await errorOf(da().send(new UpdateOrganizationConfigurationCommand({ ...centralReq, AutoEnable: true })))).name,
    ).toBe('InvalidInputException');
    expect(
      (
        await errorOf(
          da().send(new UpdateOrganizationConfigurationCommand({ ...centralReq, AutoEnableStandards: 'DEFAULT' })),
        )
      ).name,
    ).toBe('InvalidInputException');
    // Configuration policies need central configuration.
    expect(
      (
        await errorOf(
          da().send(
            new CreateConfigurationPolicyCommand({
              Name: 'baseline',
              ConfigurationPolicy: policy([FSBP('eu-west-1')]),
            }),
          ),
        )
      ).name,
    ).toBe('InvalidInputException');
    await da().send(new UpdateOrganizationConfigurationCommand(centralReq));
    expect((await da().send(new DescribeOrganizationConfigurationCommand({}))).OrganizationConfiguration).toEqual({
      ConfigurationType: 'CENTRAL',
      Status: 'ENABLED',
    });
    // Policies are managed from the home Region only (the admin is set in linked Regions too).
    expect((await errorOf(da('us-east-1').send(new ListConfigurationPoliciesCommand({})))).name).toBe(
      'InvalidInputException',
    );
    // While central configuration is on, the admin cannot be removed with Security Hub APIs.
    expect(
      (
        await errorOf(
          sh().send(
            new DisableOrganizationAdminAccountCommand({
              AdminAccountId: (await sh().send(new ListOrganizationAdminAccountsCommand({}))).AdminAccounts![0]!
                .AccountId!,
            }),
          ),
        )
      ).name,
    ).toBe('InvalidInputException');
  });

  it('finding aggregator: get, list, update from its Region only; Regions must fit the linking mode', async () => {
    const { da } = await withAdmin();
    expect(
      (await errorOf(da().send(new CreateFindingAggregatorCommand({ RegionLinkingMode: 'SPECIFIED_REGIONS' })))).name,
    ).toBe('InvalidInputException');
    expect(
      (
        await errorOf(
          da().send(new CreateFindingAggregatorCommand({ RegionLinkingMode: 'ALL_REGIONS', Regions: ['us-east-1'] })),
        )
      ).name,
    ).toBe('InvalidInputException');
    const arn = (
      await da().send(
        new CreateFindingAggregatorCommand({
          RegionLinkingMode: 'ALL_REGIONS_EXCEPT_SPECIFIED',
          Regions: ['ap-south-1'],
        }),
      )
    ).FindingAggregatorArn!;
    expect(arn).toMatch(/^arn:aws:securityhub:eu-west-1:\d{12}:finding-aggregator\/[0-9a-f-]{36}$/);
    expect((await da().send(new ListFindingAggregatorsCommand({}))).FindingAggregators).toEqual([
      { FindingAggregatorArn: arn },
    ]);
    expect(await da().send(new GetFindingAggregatorCommand({ FindingAggregatorArn: arn }))).toMatchObject({
      RegionLinkingMode: 'ALL_REGIONS_EXCEPT_SPECIFIED',
      Regions: ['ap-south-1'],
    });
    await da('us-east-1').send(new EnableSecurityHubCommand({}));
    expect(
      (
        await errorOf(
          da('us-east-1').send(
            new UpdateFindingAggregatorCommand({ FindingAggregatorArn: arn, RegionLinkingMode: 'ALL_REGIONS' }),
          ),
        )
      ).name,
    ).toBe('InvalidInputException');
    await da().send(
      new UpdateFindingAggregatorCommand({
        FindingAggregatorArn: arn,
        RegionLinkingMode: 'SPECIFIED_REGIONS',
        Regions: ['us-east-1'],
      }),
    );
    expect((await da().send(new GetFindingAggregatorCommand({ FindingAggregatorArn: arn }))).RegionLinkingMode).toBe(
      'SPECIFIED_REGIONS',
    );
    expect(
      (
        await errorOf(
          da().send(new GetFindingAggregatorCommand({ FindingAggregatorArn: arn.replace(/.{4}$/, '0000') })),
        )
      ).name,
    ).toBe('ResourceNotFoundException');
  });

  it('a policy associated with the root enables Security Hub with its standards in every account, in the home and linked Regions', async () => {
    const { admin, da } = await central();
    const bad = await errorOf(
      da().send(
        new CreateConfigurationPolicyCommand({
          Name: 'x',
          ConfigurationPolicy: {
            SecurityHub: { ServiceEnabled: true, EnabledStandardIdentifiers: [FSBP('eu-west-1')] },
          },
        }),
      ),
    );
    expect(bad.name).toBe('InvalidInputException'); // SecurityControlsConfiguration missing
    const p = await da().send(
      new CreateConfigurationPolicyCommand({
        Name: 'baseline',
        Description: 'org baseline',
        ConfigurationPolicy: policy([FSBP('eu-west-1')]),
      }),
    );
    expect(p.Arn).toBe(`arn:aws:securityhub:eu-west-1:${admin}:configuration-policy/${p.Id}`);
    expect((await da().send(new GetConfigurationPolicyCommand({ Identifier: p.Arn! }))).Name).toBe('baseline');
    expect((await da().send(new ListConfigurationPoliciesCommand({}))).ConfigurationPolicySummaries).toMatchObject([
      { Id: p.Id, Name: 'baseline', ServiceEnabled: true },
    ]);
    const rootId = (await sdk.client(OrganizationsClient).send(new ListRootsCommand({}))).Roots![0]!.Id!;
    const started = await da().send(
      new StartConfigurationPolicyAssociationCommand({
        ConfigurationPolicyIdentifier: p.Id!,
        Target: { RootId: rootId },
      }),
    );
    expect(started).toMatchObject({
      ConfigurationPolicyId: p.Id,
      TargetId: rootId,
      TargetType: 'ROOT',
      AssociationType: 'APPLIED',
      AssociationStatus: 'PENDING',
    });
    // Applied by the next request: the management account now has the hub in eu-west-1 and us-east-1 with FSBP only.
    expect(await da().send(new GetConfigurationPolicyAssociationCommand({ Target: { AccountId: ME } }))).toMatchObject({
      AssociationType: 'INHERITED',
      AssociationStatus: 'SUCCESS',
      ConfigurationPolicyId: p.Id,
    });
    expect(await standardsOf(sh('eu-west-1'))).toEqual([[FSBP('eu-west-1'), 'READY']]);
    expect(await standardsOf(sh('us-east-1'))).toEqual([[FSBP('us-east-1'), 'READY']]);
    expect((await errorOf(sh('ap-south-1').send(new DescribeHubCommand({})))).name).toBe('InvalidAccessException'); // not linked
    const list = (await da().send(new ListConfigurationPolicyAssociationsCommand({})))
      .ConfigurationPolicyAssociationSummaries!;
    expect(list.map((a) => [a.TargetType, a.AssociationType])).toEqual(
      expect.arrayContaining([
        ['ROOT', 'APPLIED'],
        ['ACCOUNT', 'INHERITED'],
      ]),
    );
    // Updating the policy re-applies it.
    await da().send(
      new UpdateConfigurationPolicyCommand({
        Identifier: p.Id!,
        ConfigurationPolicy: policy([FSBP('eu-west-1'), CIS14('eu-west-1')]),
      }),
    );
    expect(await standardsOf(sh('eu-west-1'))).toEqual([
      [FSBP('eu-west-1'), 'READY'],
      [CIS14('eu-west-1'), 'READY'],
    ]);
    // Drift: the association removed; accounts keep their settings, lookups find nothing.
    emu.drift('securityhub', 'policy-disassociated', {});
    expect(
      (await errorOf(da().send(new GetConfigurationPolicyAssociationCommand({ Target: { RootId: rootId } })))).name,
    ).toBe('ResourceNotFoundException');
    expect((await standardsOf(sh('eu-west-1'))).length).toBe(2);
    // Targets must be in the organization.
    expect(
      (
        await errorOf(
          da().send(
            new StartConfigurationPolicyAssociationCommand({
              ConfigurationPolicyIdentifier: p.Id!,
              Target: { AccountId: '999999999999' },
            }),
          ),
        )
      ).name,
    ).toBe('InvalidInputException');
    expect(
      (
        await errorOf(
          da().send(
            new StartConfigurationPolicyAssociationCommand({
              ConfigurationPolicyIdentifier: 'nope',
              Target: { RootId: rootId },
            }),
          ),
        )
      ).name,
    ).toBe('ResourceNotFoundException');
  });
});
