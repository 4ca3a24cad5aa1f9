// The ways real AWS is less forgiving than a naive emulator (emulator/behaviours.ts), each
// seen through the real SDK clients: on by default, and off when named in `lenient`.
import { beforeEach, describe, expect, it } from 'vitest';
import {
  AttachPolicyCommand,
  CreateAccountCommand,
  CreateOrganizationCommand,
  CreateOrganizationalUnitCommand,
  CreatePolicyCommand,
  DescribeCreateAccountStatusCommand,
  DescribeOrganizationalUnitCommand,
  DescribePolicyCommand,
  ListAccountsCommand,
  ListOrganizationalUnitsForParentCommand,
  ListPoliciesCommand,
  ListRootsCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { EC2Client, GetEbsEncryptionByDefaultCommand } from '@aws-sdk/client-ec2';
import {
  CreateBucketCommand,
  ListBucketsCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { AccountClient, PutAlternateContactCommand } from '@aws-sdk/client-account';
import {
  AttachManagedPolicyToPermissionSetCommand,
  CreateAccountAssignmentCommand,
  CreatePermissionSetCommand,
  ProvisionPermissionSetCommand,
  SSOAdminClient,
} from '@aws-sdk/client-sso-admin';
import {
  CreateGroupCommand,
  DescribeGroupCommand,
  GetGroupIdCommand,
  IdentitystoreClient,
} from '@aws-sdk/client-identitystore';
import {
  EnableOrganizationsRootCredentialsManagementCommand,
  IAMClient,
  ListOrganizationsFeaturesCommand,
} from '@aws-sdk/client-iam';
import { EnableAWSServiceAccessCommand } from '@aws-sdk/client-organizations';
import type { BehaviourName } from '../../emulator/behaviours.js';
import { BEHAVIOUR_NAMES } from '../../emulator/behaviours.js';
import { Emulator } from '../../emulator/emulator.js';
import { MANAGEMENT_ACCOUNT_ID as ME } from '../../emulator/world.js';
import { asCreds, errorOf, useEmulator } from '../helpers/emulator-sdk.js';

const sdk = useEmulator({ reset: 'fresh+iam-user' });
const { emu } = sdk;
const orgs = () => sdk.client(OrganizationsClient);
const lenient = (...names: BehaviourName[]) => emu.configure({ lenient: names });
const slow = (key: string, ms: number) => emu.setLatency({ overrides: { [key]: { call: { min: ms, max: ms } } } });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Each test starts from the defaults: every behaviour on, the instant profile's durations.
beforeEach(() => {
  emu.latency.overrides = {};
  emu.latency.behaviours = {};
  emu.configure({ lenient: [], accountCreationLimitForm: 'throttle', accountCreationsPerDay: 20, accountQuota: 10 });
});

async function withOrg(): Promise<{ rootId: string }> {
  await orgs().send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
  return { rootId: (await orgs().send(new ListRootsCommand({}))).Roots![0]!.Id! };
}

/** Every behaviour is on unless named; the names are validated. */
describe('switching behaviours off by name', () => {
  it('all are on by default; an unknown name is refused', () => {
    emu.configure({ lenient: [] });
    for (const n of BEHAVIOUR_NAMES) expect(emu.world.strict(n)).toBe(true);
    expect(() => emu.configure({ lenient: ['no-such-thing' as BehaviourName] })).toThrow(
      /unknown behaviour no-such-thing/,
    );
    expect(() => new Emulator({ config: { lenient: ['nope' as BehaviourName] } })).toThrow(/unknown behaviour nope/);
  });
});

describe('org-conflicts: one write at a time per organization', () => {
  it('a write while another is in progress is ConcurrentModificationException (400); reads go on; lenient: both succeed', async () => {
    const { rootId } = await withOrg();
    slow('organizations:CreateOrganizationalUnit', 500);
    const first = orgs().send(new CreateOrganizationalUnitCommand({ ParentId: rootId, Name: 'Security' }));
    await sleep(40);
    expect(
      await errorOf(
        orgs().send(
          new CreatePolicyCommand({
            Name: 'p',
            Description: 'd',
            Type: 'SERVICE_CONTROL_POLICY',
            Content: '{"Version":"2012-10-17","Statement":[]}',
          }),
        ),
      ),
    ).toMatchObject({
      name: 'ConcurrentModificationException',
      status: 400,
      message: expect.stringContaining('conflicts with another attempt to modify the same entity'),
    });
    expect((await orgs().send(new ListRootsCommand({}))).Roots).toHaveLength(1);
    await first;
    // Once the first one answered (no tail in the instant profile), the next write goes through.
    await orgs().send(
      new CreatePolicyCommand({
        Name: 'p',
        Description: 'd',
        Type: 'SERVICE_CONTROL_POLICY',
        Content: '{"Version":"2012-10-17","Statement":[]}',
      }),
    );
    expect(emu.calls({ operation: 'CreatePolicy' }).map((c) => c.fault ?? 'ok')).toEqual(['org-conflicts', 'ok']);

    lenient('org-conflicts');
    const a = orgs().send(new CreateOrganizationalUnitCommand({ ParentId: rootId, Name: 'Workloads' }));
    await sleep(40);
    await orgs().send(
      new CreatePolicyCommand({
        Name: 'q',
        Description: 'd',
        Type: 'SERVICE_CONTROL_POLICY',
        Content: '{"Version":"2012-10-17","Statement":[]}',
      }),
    );
    await a;
  });

  it('realistic profile: the organization stays busy a moment after a write answered, so even writes in sequence can conflict', async () => {
    const { rootId } = await withOrg();
    emu.setLatency({ behaviours: { orgWriteTail: { min: 1000, max: 1000 } } });
    await orgs().send(new CreateOrganizationalUnitCommand({ ParentId: rootId, Name: 'Security' }));
    expect(
      (await errorOf(orgs().send(new CreateOrganizationalUnitCommand({ ParentId: rootId, Name: 'Workloads' })))).name,
    ).toBe('ConcurrentModificationException');
    await sleep(1050);
    await orgs().send(new CreateOrganizationalUnitCommand({ ParentId: rootId, Name: 'Workloads' }));
  });
});

describe('throttling: request rates above the quota', () => {
  it('Organizations: a burst beyond the bucket is TooManyRequestsException; lenient: none', async () => {
    await withOrg();
    // At the quota's own rate (10 a second, a burst of 20; the instant profile multiplies the
    // rate by 20, which a loaded machine can keep up with): 60 at once must overflow it.
    emu.setLatency({ scale: 20 });
    try {
      const burst = () => Promise.allSettled(Array.from({ length: 60 }, () => orgs().send(new ListRootsCommand({}))));
      const refused = (await burst())
        .filter((r) => r.status === 'rejected')
        .map((r) => (r as PromiseRejectedResult).reason.name);
      expect(refused.length).toBeGreaterThan(0);
      expect(new Set(refused)).toEqual(new Set(['TooManyRequestsException']));
      lenient('throttling');
      expect((await burst()).every((r) => r.status === 'fulfilled')).toBe(true);
    } finally {
      emu.setLatency({ scale: 1 });
    }
  });

  it("the Account API's documented rate: PutAlternateContact beyond a burst of 8 is TooManyRequestsException (429)", async () => {
    const account = sdk.client(AccountClient);
    const put = () =>
      account.send(
        new PutAlternateContactCommand({
          AlternateContactType: 'SECURITY',
          Name: 'Ada',
          Title: 'CTO',
          EmailAddress: 'ada@acme.example',
          PhoneNumber: '+44 20 7946 0000',
        }),
      );
    // At the documented rate itself (5 a second, a burst of 8), as in the Organizations test.
    emu.setLatency({ scale: 20 });
    try {
      const results = await Promise.allSettled(Array.from({ length: 40 }, put));
      const errors = results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason);
      // The burst (8) goes through, plus what the bucket refilled meanwhile.
      expect(results.filter((r) => r.status === 'fulfilled').length).toBeGreaterThanOrEqual(8);
      expect(errors.length).toBeGreaterThan(0);
      expect(new Set(errors.map((e) => `${e.name} ${e.$metadata.httpStatusCode}`))).toEqual(
        new Set(['TooManyRequestsException 429']),
      );
    } finally {
      emu.setLatency({ scale: 1 });
    }
  });
});

describe('account-creation-limits', () => {
  const create = (i: number) =>
    orgs().send(new CreateAccountCommand({ AccountName: `a${i}`, Email: `ops+a${i}@acme.example` }));

  it('five creations in progress at most: the sixth is TooManyRequestsException, or ConcurrentModificationException in the other form', async () => {
    await withOrg();
    emu.configure({ accountQuota: 20 });
    emu.setLatency({ overrides: { 'organizations:CreateAccount': { async: { min: 60_000, max: 60_000 } } } });
    for (let i = 1; i <= 5; i++) await create(i);
    expect(await errorOf(create(6))).toMatchObject({ name: 'TooManyRequestsException', status: 400 });
    emu.configure({ accountCreationLimitForm: 'concurrent-modification' });
    expect((await errorOf(create(6))).name).toBe('ConcurrentModificationException');
    emu.configure({ accountCreationLimitForm: 'throttle' });
    // One finishes: a slot is free again.
    emu.flushAsync();
    await create(6);
    lenient('account-creation-limits');
    for (let i = 7; i <= 12; i++) await create(i);
  });

  it('the daily creation rate: ConstraintViolationException ACCOUNT_CREATION_RATE_LIMIT_EXCEEDED', async () => {
    await withOrg();
    emu.configure({ accountCreationsPerDay: 2 });
    await create(1);
    await create(2);
    expect(await errorOf(create(3), 'Reason')).toMatchObject({
      name: 'ConstraintViolationException',
      Reason: 'ACCOUNT_CREATION_RATE_LIMIT_EXCEEDED',
    });
  });
});

describe('account-readiness: SUCCEEDED is not ready', () => {
  async function newMember(): Promise<string> {
    await withOrg();
    const started = (
      await orgs().send(new CreateAccountCommand({ AccountName: 'prod', Email: 'ops+prod@acme.example' }))
    ).CreateAccountStatus!;
    const done = (await orgs().send(new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: started.Id! })))
      .CreateAccountStatus!;
    expect(done.State).toBe('SUCCEEDED');
    return done.AccountId!;
  }

  it('AssumeRole is AccessDenied (403) at first, then EC2 answers OptInRequired and S3 NotSignedUp, then all work', async () => {
    emu.setLatency({
      behaviours: {
        accountRoleDelay: { min: 60_000, max: 60_000 },
        accountServicesDelay: { min: 120_000, max: 120_000 },
      },
    });
    const member = await newMember();
    const readyAt = emu.world.account(member)!.readyAt!;
    const passes = (what: 'role' | 'services') => {
      readyAt[what] = Date.now();
    }; // time goes by
    const sts = sdk.client(STSClient);
    const assume = () =>
      sts.send(
        new AssumeRoleCommand({
          RoleArn: `arn:aws:iam::${member}:role/OrganizationAccountAccessRole`,
          RoleSessionName: 'test',
        }),
      );
    const denied = await errorOf(assume());
    expect(denied).toMatchObject({ name: 'AccessDenied', status: 403 });
    // Without a reason: that is how a role that does not exist (yet) is refused.
    expect(denied.message).not.toMatch(/because/);
    passes('role');
    const creds = asCreds((await assume()).Credentials);
    expect((await sdk.client(STSClient, { credentials: creds }).send(new GetCallerIdentityCommand({}))).Account).toBe(
      member,
    );
    expect(
      await errorOf(sdk.client(EC2Client, { credentials: creds }).send(new GetEbsEncryptionByDefaultCommand({}))),
    ).toMatchObject({ name: 'OptInRequired', status: 401 });
    expect(
      await errorOf(
        sdk.client(S3Client, { credentials: creds, forcePathStyle: true }).send(new ListBucketsCommand({})),
      ),
    ).toMatchObject({ name: 'NotSignedUp', status: 403 });
    passes('services');
    await sdk.client(EC2Client, { credentials: creds }).send(new GetEbsEncryptionByDefaultCommand({}));
    await sdk.client(S3Client, { credentials: creds, forcePathStyle: true }).send(new ListBucketsCommand({}));
  });

  it('lenient: usable at once', async () => {
    emu.setLatency({
      behaviours: {
        accountRoleDelay: { min: 60_000, max: 60_000 },
        accountServicesDelay: { min: 60_000, max: 60_000 },
      },
    });
    lenient('account-readiness');
    const member = await newMember();
    await sdk.client(STSClient).send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${member}:role/OrganizationAccountAccessRole`,
        RoleSessionName: 'test',
      }),
    );
  });
});

describe('s3-conflicts: one configuration write per bucket at a time', () => {
  it('an overlapping write to the same bucket is 409 OperationAborted; another bucket is fine; lenient: both succeed', async () => {
    const s3 = sdk.client(S3Client, { forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: 'acme-logs' }));
    await s3.send(new CreateBucketCommand({ Bucket: 'acme-other' }));
    slow('s3:PutBucketVersioning', 500);
    const first = s3.send(
      new PutBucketVersioningCommand({ Bucket: 'acme-logs', VersioningConfiguration: { Status: 'Enabled' } }),
    );
    await sleep(40);
    const policy = (b: string) =>
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Deny',
            Principal: '*',
            Action: 's3:*',
            Resource: `arn:aws:s3:::${b}/*`,
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          },
        ],
      });
    expect(
      await errorOf(s3.send(new PutBucketPolicyCommand({ Bucket: 'acme-logs', Policy: policy('acme-logs') }))),
    ).toMatchObject({
      name: 'OperationAborted',
      status: 409,
      message: expect.stringContaining('conflicting conditional operation'),
    });
    await s3.send(new PutBucketPolicyCommand({ Bucket: 'acme-other', Policy: policy('acme-other') }));
    await first;
    lenient('s3-conflicts');
    const again = s3.send(
      new PutBucketVersioningCommand({ Bucket: 'acme-logs', VersioningConfiguration: { Status: 'Enabled' } }),
    );
    await sleep(40);
    await s3.send(new PutBucketPolicyCommand({ Bucket: 'acme-logs', Policy: policy('acme-logs') }));
    await again;
  });
});

describe('sso-conflicts: one operation at a time per permission set', () => {
  it('while an assignment of a set is in progress, another on that set (any account) is ConflictException; other sets go on', async () => {
    emu.reset({
      base: 'org-exists',
      principal: 'iam-user',
      members: [{ name: 'prod', email: 'ops+prod@acme.example' }],
      identityCenterRegion: 'us-east-1',
    });
    const member = Object.keys(emu.world.accounts).find((a) => a !== ME)!;
    const ic = emu.world.identityCenter!;
    const admin = sdk.client(SSOAdminClient);
    const ps = async (Name: string) => {
      const arn = (await admin.send(new CreatePermissionSetCommand({ InstanceArn: ic.instanceArn, Name })))
        .PermissionSet!.PermissionSetArn!;
      await admin.send(
        new AttachManagedPolicyToPermissionSetCommand({
          InstanceArn: ic.instanceArn,
          PermissionSetArn: arn,
          ManagedPolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess',
        }),
      );
      return arn;
    };
    const [a, b] = [await ps('A'), await ps('B')];
    const group = (
      await sdk
        .client(IdentitystoreClient)
        .send(new CreateGroupCommand({ IdentityStoreId: ic.identityStoreId, DisplayName: 'G' }))
    ).GroupId!;
    const assign = (PermissionSetArn: string, TargetId: string) =>
      admin.send(
        new CreateAccountAssignmentCommand({
          InstanceArn: ic.instanceArn,
          TargetId,
          TargetType: 'AWS_ACCOUNT',
          PermissionSetArn,
          PrincipalType: 'GROUP',
          PrincipalId: group,
        }),
      );
    emu.setLatency({ overrides: { 'sso-admin:CreateAccountAssignment': { async: { min: 60_000, max: 60_000 } } } });
    await assign(a, ME);
    expect(await errorOf(assign(a, member))).toMatchObject({
      name: 'ConflictException',
      message: expect.stringContaining('conflicting operation in process'),
    });
    expect(
      (
        await errorOf(
          admin.send(
            new ProvisionPermissionSetCommand({
              InstanceArn: ic.instanceArn,
              PermissionSetArn: a,
              TargetType: 'AWS_ACCOUNT',
              TargetId: member,
            }),
          ),
        )
      ).name,
    ).toBe('ConflictException');
    await assign(b, member);
    emu.flushAsync();
    await assign(a, member);
    lenient('sso-conflicts');
    await assign(b, ME);
    await assign(b, ME); // even the same one
  });
});

describe('eventual-consistency: just made, not listed yet', () => {
  it('Organizations: a new OU, policy and account are missing from lists for a while, readable by ID at once', async () => {
    const { rootId } = await withOrg();
    emu.setLatency({ behaviours: { consistency: { min: 60_000, max: 60_000 } } });
    const ou = (await orgs().send(new CreateOrganizationalUnitCommand({ ParentId: rootId, Name: 'Security' })))
      .OrganizationalUnit!;
    expect(
      (await orgs().send(new ListOrganizationalUnitsForParentCommand({ ParentId: rootId }))).OrganizationalUnits,
    ).toEqual([]);
    expect(
      (await orgs().send(new DescribeOrganizationalUnitCommand({ OrganizationalUnitId: ou.Id! }))).OrganizationalUnit!
        .Name,
    ).toBe('Security');
    const p = (
      await orgs().send(
        new CreatePolicyCommand({
          Name: 'p',
          Description: 'd',
          Type: 'SERVICE_CONTROL_POLICY',
          Content: '{"Version":"2012-10-17","Statement":[]}',
        }),
      )
    ).Policy!.PolicySummary!;
    expect(
      (await orgs().send(new ListPoliciesCommand({ Filter: 'SERVICE_CONTROL_POLICY' }))).Policies!.map((x) => x.Name),
    ).toEqual(['FullAWSAccess']);
    expect((await orgs().send(new DescribePolicyCommand({ PolicyId: p.Id! }))).Policy!.PolicySummary!.Name).toBe('p');
    await orgs().send(new AttachPolicyCommand({ PolicyId: p.Id!, TargetId: ou.Id! }));
    await orgs().send(new CreateAccountCommand({ AccountName: 'prod', Email: 'ops+prod@acme.example' }));
    await orgs().send(new EnableAWSServiceAccessCommand({ ServicePrincipal: 'iam.amazonaws.com' }));
    expect((await orgs().send(new ListAccountsCommand({}))).Accounts!.map((a) => a.Id)).toEqual([ME]);
    emu.flushAsync(); // "a while later"
    expect(
      (await orgs().send(new ListOrganizationalUnitsForParentCommand({ ParentId: rootId }))).OrganizationalUnits!.map(
        (o) => o.Name,
      ),
    ).toEqual(['Security']);
    expect((await orgs().send(new ListAccountsCommand({}))).Accounts).toHaveLength(2);
  });

  it('Identity Store: a new group is not found by name for a while, DescribeGroup sees it; IAM: a new feature is not listed', async () => {
    emu.reset('fresh+iam-user+identity-center');
    emu.setLatency({ behaviours: { consistency: { min: 60_000, max: 60_000 } } });
    const ic = emu.world.identityCenter!;
    const store = sdk.client(IdentitystoreClient);
    const { GroupId } = await store.send(
      new CreateGroupCommand({ IdentityStoreId: ic.identityStoreId, DisplayName: 'Admins' }),
    );
    expect(
      (
        await errorOf(
          store.send(
            new GetGroupIdCommand({
              IdentityStoreId: ic.identityStoreId,
              AlternateIdentifier: { UniqueAttribute: { AttributePath: 'displayName', AttributeValue: 'Admins' } },
            }),
          ),
        )
      ).name,
    ).toBe('ResourceNotFoundException');
    expect(
      (await store.send(new DescribeGroupCommand({ IdentityStoreId: ic.identityStoreId, GroupId }))).DisplayName,
    ).toBe('Admins');
    // The unique name is enforced at once, listed or not.
    expect(
      (
        await errorOf(
          store.send(new CreateGroupCommand({ IdentityStoreId: ic.identityStoreId, DisplayName: 'Admins' })),
        )
      ).name,
    ).toBe('ConflictException');
    await orgs().send(new EnableAWSServiceAccessCommand({ ServicePrincipal: 'iam.amazonaws.com' }));
    emu.flushAsync();
    const iam = sdk.client(IAMClient);
    await iam.send(new EnableOrganizationsRootCredentialsManagementCommand({}));
    expect((await iam.send(new ListOrganizationsFeaturesCommand({}))).EnabledFeatures).toEqual([]);
    lenient('eventual-consistency');
    expect((await iam.send(new ListOrganizationsFeaturesCommand({}))).EnabledFeatures).toEqual([
      'RootCredentialsManagement',
    ]);
  });
});
