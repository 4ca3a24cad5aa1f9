// IAM Access Analyzer through the real SDK client: analyzers per account and Region (names,
// types, quotas, paging), organization analyzers (management account or delegated administrator,
// trusted access), the DISABLED status when either goes away, faults and the drift kind.
import { beforeEach, describe, expect, it } from 'vitest';
import {
  AccessAnalyzerClient,
  CreateAnalyzerCommand,
  DeleteAnalyzerCommand,
  GetAnalyzerCommand,
  ListAnalyzersCommand,
} from '@aws-sdk/client-accessanalyzer';
import {
  CreateOrganizationCommand,
  DeregisterDelegatedAdministratorCommand,
  DisableAWSServiceAccessCommand,
  EnableAWSServiceAccessCommand,
  OrganizationsClient,
  RegisterDelegatedAdministratorCommand,
} from '@aws-sdk/client-organizations';
import { MANAGEMENT_ACCOUNT_ID as ME } from '../../emulator/world.js';
import { errorOf, useEmulator } from '../helpers/emulator-sdk.js';

const sdk = useEmulator();
const { emu } = sdk;
const AA = 'access-analyzer.amazonaws.com';
let aa: AccessAnalyzerClient;
let orgs: OrganizationsClient;
beforeEach(() => {
  emu.latency.overrides = {};
  aa = sdk.client(AccessAnalyzerClient);
  orgs = sdk.client(OrganizationsClient);
});

describe('account analyzers', () => {
  it('creates, gets, lists and deletes; the ARN names Region, account and name', async () => {
    const { arn } = await aa.send(
      new CreateAnalyzerCommand({ analyzerName: 'account-external', type: 'ACCOUNT', tags: { team: 'security' } }),
    );
    expect(arn).toBe(`arn:aws:access-analyzer:us-east-1:${ME}:analyzer/account-external`);
    const a = (await aa.send(new GetAnalyzerCommand({ analyzerName: 'account-external' }))).analyzer!;
    expect(a).toMatchObject({
      arn,
      name: 'account-external',
      type: 'ACCOUNT',
      status: 'ACTIVE',
      tags: { team: 'security' },
    });
    expect(a.createdAt).toBeInstanceOf(Date);
    expect((await aa.send(new ListAnalyzersCommand({}))).analyzers!.map((x) => x.name)).toEqual(['account-external']);
    await aa.send(new DeleteAnalyzerCommand({ analyzerName: 'account-external' }));
    expect(await errorOf(aa.send(new GetAnalyzerCommand({ analyzerName: 'account-external' })))).toMatchObject({
      name: 'ResourceNotFoundException',
      status: 404,
    });
    expect((await errorOf(aa.send(new DeleteAnalyzerCommand({ analyzerName: 'account-external' })))).name).toBe(
      'ResourceNotFoundException',
    );
  });

  it('is CREATING until the async duration has passed', async () => {
    emu.setLatency({ overrides: { 'access-analyzer:CreateAnalyzer': { async: { min: 60_000, max: 60_000 } } } });
    await aa.send(new CreateAnalyzerCommand({ analyzerName: 'slow', type: 'ACCOUNT' }));
    expect((await aa.send(new GetAnalyzerCommand({ analyzerName: 'slow' }))).analyzer!.status).toBe('CREATING');
    emu.flushAsync();
    expect((await aa.send(new GetAnalyzerCommand({ analyzerName: 'slow' }))).analyzer!.status).toBe('ACTIVE');
  });

  it('a name is unique per account and Region: ConflictException (409); another Region may reuse it', async () => {
    await aa.send(new CreateAnalyzerCommand({ analyzerName: 'main', type: 'ACCOUNT' }));
    expect(
      await errorOf(aa.send(new CreateAnalyzerCommand({ analyzerName: 'main', type: 'ACCOUNT_UNUSED_ACCESS' }))),
    ).toMatchObject({ name: 'ConflictException', status: 409 });
    await sdk
      .client(AccessAnalyzerClient, { region: 'eu-west-1' })
      .send(new CreateAnalyzerCommand({ analyzerName: 'main', type: 'ACCOUNT' }));
  });

  it('names follow [A-Za-z][A-Za-z0-9_.-]*, 1–255 characters; unknown types are refused (ValidationException)', async () => {
    for (const bad of ['1st', 'has space', 'a'.repeat(256), '-x']) {
      expect(await errorOf(aa.send(new CreateAnalyzerCommand({ analyzerName: bad, type: 'ACCOUNT' })))).toMatchObject({
        name: 'ValidationException',
        status: 400,
      });
    }
    expect(
      (await errorOf(aa.send(new CreateAnalyzerCommand({ analyzerName: 'x', type: 'PERSONAL' as never })))).name,
    ).toBe('ValidationException');
    await aa.send(new CreateAnalyzerCommand({ analyzerName: 'a.b_c-D9', type: 'ACCOUNT' }));
  });

  it('one account-level analyzer per type per Region: ServiceQuotaExceededException (402)', async () => {
    await aa.send(new CreateAnalyzerCommand({ analyzerName: 'one', type: 'ACCOUNT' }));
    expect(await errorOf(aa.send(new CreateAnalyzerCommand({ analyzerName: 'two', type: 'ACCOUNT' })))).toMatchObject({
      name: 'ServiceQuotaExceededException',
      status: 402,
    });
    await aa.send(
      new CreateAnalyzerCommand({
        analyzerName: 'unused',
        type: 'ACCOUNT_UNUSED_ACCESS',
        configuration: { unusedAccess: { unusedAccessAge: 30 } },
      }),
    );
    expect((await aa.send(new GetAnalyzerCommand({ analyzerName: 'unused' }))).analyzer!.configuration).toEqual({
      unusedAccess: { unusedAccessAge: 30 },
    });
    expect(
      (
        await errorOf(
          aa.send(
            new CreateAnalyzerCommand({
              analyzerName: 'old',
              type: 'ACCOUNT_UNUSED_ACCESS',
              configuration: { unusedAccess: { unusedAccessAge: 366 } },
            }),
          ),
        )
      ).name,
    ).toBe('ValidationException');
  });

  it('ListAnalyzers filters by type and pages with nextToken', async () => {
    const west = sdk.client(AccessAnalyzerClient, { region: 'eu-west-1' });
    await orgs.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    await orgs.send(new EnableAWSServiceAccessCommand({ ServicePrincipal: AA }));
    for (const n of ['o1', 'o2', 'o3', 'o4'])
      await west.send(new CreateAnalyzerCommand({ analyzerName: n, type: 'ORGANIZATION' }));
    await west.send(new CreateAnalyzerCommand({ analyzerName: 'acct', type: 'ACCOUNT' }));
    const first = await west.send(new ListAnalyzersCommand({ type: 'ORGANIZATION' }));
    expect(first.analyzers).toHaveLength(3);
    const second = await west.send(new ListAnalyzersCommand({ type: 'ORGANIZATION', nextToken: first.nextToken }));
    expect([...first.analyzers!, ...second.analyzers!].map((a) => a.name)).toEqual(['o1', 'o2', 'o3', 'o4']);
    expect((await west.send(new ListAnalyzersCommand({ type: 'ACCOUNT' }))).analyzers!.map((a) => a.name)).toEqual([
      'acct',
    ]);
    expect((await errorOf(west.send(new ListAnalyzersCommand({ nextToken: 'garbage' })))).name).toBe(
      'ValidationException',
    );
  });
});

describe('organization analyzers', () => {
  it('the management account needs trusted access for access-analyzer.amazonaws.com (ValidationException without it)', async () => {
    await sdk.orgWithMember();
    expect(
      await errorOf(aa.send(new CreateAnalyzerCommand({ analyzerName: 'org', type: 'ORGANIZATION' }))),
    ).toMatchObject({ name: 'ValidationException', status: 400, message: 'Service not enabled for AWS Organizations' });
    await orgs.send(new EnableAWSServiceAccessCommand({ ServicePrincipal: AA }));
    await aa.send(new CreateAnalyzerCommand({ analyzerName: 'org', type: 'ORGANIZATION' }));
    expect((await aa.send(new GetAnalyzerCommand({ analyzerName: 'org' }))).analyzer!.status).toBe('ACTIVE');
  });

  it('a member that is no delegated administrator is AccessDeniedException (403); registered, it may', async () => {
    const { member } = await sdk.orgWithMember({ trust: AA });
    const asMember = sdk.client(AccessAnalyzerClient, { credentials: emu.credentials(member) });
    expect(
      await errorOf(
        asMember.send(new CreateAnalyzerCommand({ analyzerName: 'org', type: 'ORGANIZATION_UNUSED_ACCESS' })),
      ),
    ).toMatchObject({ name: 'AccessDeniedException', status: 403 });
    // An account analyzer needs nothing of the organization.
    await asMember.send(new CreateAnalyzerCommand({ analyzerName: 'mine', type: 'ACCOUNT' }));
    await orgs.send(new RegisterDelegatedAdministratorCommand({ AccountId: member, ServicePrincipal: AA }));
    await asMember.send(new CreateAnalyzerCommand({ analyzerName: 'org', type: 'ORGANIZATION_UNUSED_ACCESS' }));
    expect((await asMember.send(new GetAnalyzerCommand({ analyzerName: 'org' }))).analyzer).toMatchObject({
      type: 'ORGANIZATION_UNUSED_ACCESS',
      status: 'ACTIVE',
      configuration: { unusedAccess: { unusedAccessAge: 90 } },
    });
  });

  it('without an organization, organization types are refused', async () => {
    expect(
      (await errorOf(aa.send(new CreateAnalyzerCommand({ analyzerName: 'org', type: 'ORGANIZATION' })))).name,
    ).toBe('ValidationException');
  });

  it('turns DISABLED when trusted access goes off or the administrator is deregistered', async () => {
    const { member } = await sdk.orgWithMember({ trust: AA });
    await orgs.send(new RegisterDelegatedAdministratorCommand({ AccountId: member, ServicePrincipal: AA }));
    const asMember = sdk.client(AccessAnalyzerClient, { credentials: emu.credentials(member) });
    await asMember.send(new CreateAnalyzerCommand({ analyzerName: 'org', type: 'ORGANIZATION' }));
    await orgs.send(new DeregisterDelegatedAdministratorCommand({ AccountId: member, ServicePrincipal: AA }));
    expect((await asMember.send(new GetAnalyzerCommand({ analyzerName: 'org' }))).analyzer).toMatchObject({
      status: 'DISABLED',
      statusReason: { code: 'DELEGATED_ADMINISTRATOR_DEREGISTERED' },
    });
    await aa.send(new CreateAnalyzerCommand({ analyzerName: 'mgmt-org', type: 'ORGANIZATION' }));
    await orgs.send(new DisableAWSServiceAccessCommand({ ServicePrincipal: AA }));
    expect((await aa.send(new ListAnalyzersCommand({}))).analyzers![0]).toMatchObject({
      name: 'mgmt-org',
      status: 'DISABLED',
      statusReason: { code: 'AWS_SERVICE_ACCESS_DISABLED' },
    });
  });
});

describe('faults and drift', () => {
  it('throttling is ThrottlingException (429)', async () => {
    emu.setFaults({ rules: [{ service: 'access-analyzer', kind: 'throttle', times: 1 }] });
    expect(await errorOf(aa.send(new ListAnalyzersCommand({})))).toMatchObject({
      name: 'ThrottlingException',
      status: 429,
    });
    expect((await aa.send(new ListAnalyzersCommand({}))).analyzers).toEqual([]);
  });

  it("drift: an analyzer deleted behind the CLI's back", async () => {
    await aa.send(new CreateAnalyzerCommand({ analyzerName: 'main', type: 'ACCOUNT' }));
    emu.drift('access-analyzer', 'analyzer-deleted', { region: 'us-east-1', name: 'main' });
    expect((await errorOf(aa.send(new GetAnalyzerCommand({ analyzerName: 'main' })))).name).toBe(
      'ResourceNotFoundException',
    );
    expect(() => emu.drift('access-analyzer', 'analyzer-deleted', { region: 'us-east-1', name: 'main' })).toThrow(
      /no analyzer main/,
    );
  });
});
