// AWS IAM through the real SDK v3 client against the emulator: account summary, password
// policy, centralised root access features, and root credentials audited/removed through
// sts:AssumeRoot sessions limited by their task policy.
import { describe, expect, it } from 'vitest';
import {
  DeactivateMFADeviceCommand,
  DeleteAccessKeyCommand,
  DeleteAccountPasswordPolicyCommand,
  DeleteLoginProfileCommand,
  DisableOrganizationsRootCredentialsManagementCommand,
  DisableOrganizationsRootSessionsCommand,
  EnableOrganizationsRootCredentialsManagementCommand,
  EnableOrganizationsRootSessionsCommand,
  GetAccountPasswordPolicyCommand,
  GetAccountSummaryCommand,
  GetLoginProfileCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListMFADevicesCommand,
  ListOrganizationsFeaturesCommand,
  UpdateAccountPasswordPolicyCommand,
} from '@aws-sdk/client-iam';
import { AssumeRootCommand, STSClient, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { ACCESS_KEYS, MANAGEMENT_ACCOUNT_ID as ME } from '../../emulator/world.js';
import { asCreds, errorOf, useEmulator, type Creds } from '../helpers/emulator-sdk.js';

// Lists right after creating: this file tests what the calls do; eventual consistency has its
// own tests (tests/emulator/behaviours.test.ts).
const sdk = useEmulator({ lenient: ['eventual-consistency'] });
const { emu } = sdk;

const iam = (credentials?: Creds) => sdk.client(IAMClient, { credentials });

// The SDK names awsQuery errors by their shape (NoSuchEntityException for the wire code NoSuchEntity).
const NO_SUCH_ENTITY = /^NoSuchEntity(Exception)?$/;

const orgWithMember = async (opts: { iamTrusted?: boolean } = {}): Promise<string> =>
  (await sdk.orgWithMember({ trust: opts.iamTrusted ? 'iam.amazonaws.com' : undefined })).member;

/** A root session in a member account, limited by a root-task policy. */
async function rootSession(member: string, task: string): Promise<IAMClient> {
  const res = await sdk.client(STSClient).send(
    new AssumeRootCommand({
      TargetPrincipal: member,
      TaskPolicyArn: { arn: `arn:aws:iam::aws:policy/root-task/${task}` },
    }),
  );
  return iam(asCreds(res.Credentials));
}

describe('account summary', () => {
  it("reports the root user's password, MFA and access keys", async () => {
    const s = (await iam().send(new GetAccountSummaryCommand({}))).SummaryMap!;
    expect(s).toMatchObject({ AccountMFAEnabled: 0, AccountAccessKeysPresent: 0, AccountPasswordPresent: 1, Users: 0 });
    emu.setRootMfa(true);
    expect((await iam().send(new GetAccountSummaryCommand({}))).SummaryMap!.AccountMFAEnabled).toBe(1);
    emu.reset('fresh+iam-user+root-keys+root-mfa');
    expect((await iam().send(new GetAccountSummaryCommand({}))).SummaryMap).toMatchObject({
      AccountMFAEnabled: 1,
      AccountAccessKeysPresent: 1,
      Users: 1,
    });
  });

  it('a throttled call is Throttling (400); an internal fault is ServiceFailure (500)', async () => {
    emu.setFaults({ rules: [{ service: 'iam', sequence: ['throttle', 'internal'], kind: 'throttle' }] });
    expect(await errorOf(iam().send(new GetAccountSummaryCommand({})))).toMatchObject({
      name: 'Throttling',
      status: 400,
    });
    expect(await errorOf(iam().send(new GetAccountSummaryCommand({})))).toMatchObject({
      name: 'ServiceFailureException',
      status: 500,
    });
    expect((await iam().send(new GetAccountSummaryCommand({}))).SummaryMap).toBeTruthy();
  });
});

describe('password policy', () => {
  it('is absent at first (NoSuchEntity, 404), then set, replaced whole, and deleted', async () => {
    const none = await errorOf(iam().send(new GetAccountPasswordPolicyCommand({})));
    expect(none.name).toMatch(NO_SUCH_ENTITY);
    expect(none.status).toBe(404);
    await iam().send(
      new UpdateAccountPasswordPolicyCommand({
        MinimumPasswordLength: 14,
        RequireSymbols: true,
        RequireNumbers: true,
        RequireUppercaseCharacters: true,
        RequireLowercaseCharacters: true,
        AllowUsersToChangePassword: true,
        MaxPasswordAge: 90,
        PasswordReusePrevention: 24,
      }),
    );
    const p = (await iam().send(new GetAccountPasswordPolicyCommand({}))).PasswordPolicy!;
    expect(p).toMatchObject({
      MinimumPasswordLength: 14,
      RequireSymbols: true,
      ExpirePasswords: true,
      MaxPasswordAge: 90,
      PasswordReusePrevention: 24,
      AllowUsersToChangePassword: true,
    });
    // Update replaces everything: omitted fields go back to defaults.
    await iam().send(new UpdateAccountPasswordPolicyCommand({ MinimumPasswordLength: 8 }));
    const q = (await iam().send(new GetAccountPasswordPolicyCommand({}))).PasswordPolicy!;
    expect(q).toMatchObject({ MinimumPasswordLength: 8, RequireSymbols: false, ExpirePasswords: false });
    expect(q.MaxPasswordAge).toBeUndefined();
    await iam().send(new DeleteAccountPasswordPolicyCommand({}));
    expect((await errorOf(iam().send(new DeleteAccountPasswordPolicyCommand({})))).name).toMatch(NO_SUCH_ENTITY);
  });

  it('out-of-range values are ValidationError (400) and change nothing', async () => {
    for (const bad of [
      { MinimumPasswordLength: 5 },
      { MinimumPasswordLength: 129 },
      { PasswordReusePrevention: 25 },
      { MaxPasswordAge: 1096 },
    ]) {
      expect(await errorOf(iam().send(new UpdateAccountPasswordPolicyCommand(bad))), JSON.stringify(bad)).toMatchObject(
        { name: 'ValidationError', status: 400 },
      );
    }
    expect((await errorOf(iam().send(new GetAccountPasswordPolicyCommand({})))).name).toMatch(NO_SUCH_ENTITY);
  });

  it("is per account: a member's policy is its own", async () => {
    const member = await orgWithMember();
    await iam(emu.credentials(member)).send(new UpdateAccountPasswordPolicyCommand({ MinimumPasswordLength: 20 }));
    expect(
      (await iam(emu.credentials(member)).send(new GetAccountPasswordPolicyCommand({}))).PasswordPolicy!
        .MinimumPasswordLength,
    ).toBe(20);
    expect((await errorOf(iam().send(new GetAccountPasswordPolicyCommand({})))).name).toMatch(NO_SUCH_ENTITY);
  });

  it("drift: deleted or weakened behind the CLI's back", async () => {
    await iam().send(new UpdateAccountPasswordPolicyCommand({ MinimumPasswordLength: 14, RequireSymbols: true }));
    emu.drift('iam', 'set-password-policy', { policy: { MinimumPasswordLength: 8 } });
    expect((await iam().send(new GetAccountPasswordPolicyCommand({}))).PasswordPolicy).toMatchObject({
      MinimumPasswordLength: 8,
      RequireSymbols: false,
    });
    emu.drift('iam', 'delete-password-policy', {});
    expect((await errorOf(iam().send(new GetAccountPasswordPolicyCommand({})))).name).toMatch(NO_SUCH_ENTITY);
  });
});

describe('centralised root access features', () => {
  it('need an organization, all features, and trusted access for IAM', async () => {
    expect(await errorOf(iam().send(new ListOrganizationsFeaturesCommand({})))).toMatchObject({
      name: 'OrganizationNotFoundException',
      status: 400,
    });
    emu.reset('consolidated-billing');
    expect((await errorOf(iam().send(new EnableOrganizationsRootSessionsCommand({})))).name).toBe(
      'OrganizationNotInAllFeaturesModeException',
    );
    emu.reset('fresh');
    await orgWithMember();
    expect((await errorOf(iam().send(new EnableOrganizationsRootCredentialsManagementCommand({})))).name).toBe(
      'ServiceAccessNotEnabledException',
    );
  });

  it('enable, list and disable both features from the management account', async () => {
    await orgWithMember({ iamTrusted: true });
    expect((await iam().send(new ListOrganizationsFeaturesCommand({}))).EnabledFeatures).toEqual([]);
    const a = await iam().send(new EnableOrganizationsRootCredentialsManagementCommand({}));
    expect(a.EnabledFeatures).toEqual(['RootCredentialsManagement']);
    expect(a.OrganizationId).toMatch(/^o-/);
    await iam().send(new EnableOrganizationsRootSessionsCommand({}));
    await iam().send(new EnableOrganizationsRootSessionsCommand({})); // idempotent
    expect((await iam().send(new ListOrganizationsFeaturesCommand({}))).EnabledFeatures).toEqual([
      'RootCredentialsManagement',
      'RootSessions',
    ]);
    await iam().send(new DisableOrganizationsRootSessionsCommand({}));
    await iam().send(new DisableOrganizationsRootCredentialsManagementCommand({}));
    expect((await iam().send(new ListOrganizationsFeaturesCommand({}))).EnabledFeatures).toEqual([]);
  });

  it("members are refused with IAM's own codes", async () => {
    const member = await orgWithMember({ iamTrusted: true });
    const m = iam(emu.credentials(member));
    expect(await errorOf(m.send(new EnableOrganizationsRootSessionsCommand({})))).toMatchObject({
      name: 'CallerIsNotManagementAccountException',
      status: 400,
    });
    expect((await errorOf(m.send(new ListOrganizationsFeaturesCommand({})))).name).toBe(
      'AccountNotManagementOrDelegatedAdministratorException',
    );
  });
});

describe('root and user credentials', () => {
  it("an audit root session reads a member root user's credentials but cannot delete them", async () => {
    const member = await orgWithMember({ iamTrusted: true });
    await iam().send(new EnableOrganizationsRootSessionsCommand({}));
    const audit = await rootSession(member, 'IAMAuditRootUserCredentials');
    // CreateAccount members have no root password, keys or MFA.
    expect((await errorOf(audit.send(new GetLoginProfileCommand({})))).name).toMatch(NO_SUCH_ENTITY);
    expect((await audit.send(new ListAccessKeysCommand({}))).AccessKeyMetadata).toEqual([]);
    expect((await audit.send(new ListMFADevicesCommand({}))).MFADevices).toEqual([]);
    emu.drift('iam', 'root-credentials', { account: member, password: true, accessKey: true, mfa: true });
    expect((await audit.send(new GetLoginProfileCommand({}))).LoginProfile!.CreateDate).toBeInstanceOf(Date);
    const keys = (await audit.send(new ListAccessKeysCommand({}))).AccessKeyMetadata!;
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ Status: 'Active' });
    expect((await audit.send(new ListMFADevicesCommand({}))).MFADevices!.map((d) => d.SerialNumber)).toEqual([
      `arn:aws:iam::${member}:mfa/root-account-mfa-device`,
    ]);
    expect(await errorOf(audit.send(new DeleteLoginProfileCommand({})))).toMatchObject({
      name: 'AccessDenied',
      status: 403,
    });
    expect((await errorOf(audit.send(new GetAccountSummaryCommand({})))).name).toBe('AccessDenied');
  });

  it('a delete root session removes the password, the access key and the MFA device', async () => {
    const member = await orgWithMember({ iamTrusted: true });
    await iam().send(new EnableOrganizationsRootSessionsCommand({}));
    emu.drift('iam', 'root-credentials', { account: member, password: true, accessKey: true, mfa: true });
    const del = await rootSession(member, 'IAMDeleteRootUserCredentials');
    await del.send(new DeleteLoginProfileCommand({}));
    expect((await errorOf(del.send(new DeleteLoginProfileCommand({})))).name).toMatch(NO_SUCH_ENTITY);
    const key = (await del.send(new ListAccessKeysCommand({}))).AccessKeyMetadata![0].AccessKeyId!;
    await del.send(new DeleteAccessKeyCommand({ AccessKeyId: key }));
    expect((await errorOf(del.send(new DeleteAccessKeyCommand({ AccessKeyId: key })))).name).toMatch(NO_SUCH_ENTITY);
    const serial = `arn:aws:iam::${member}:mfa/root-account-mfa-device`;
    await del.send(new DeactivateMFADeviceCommand({ SerialNumber: serial }));
    expect((await errorOf(del.send(new DeactivateMFADeviceCommand({ SerialNumber: serial })))).name).toMatch(
      NO_SUCH_ENTITY,
    );
    const summary = (await iam(emu.credentials(member)).send(new GetAccountSummaryCommand({}))).SummaryMap!;
    expect(summary).toMatchObject({ AccountPasswordPresent: 0, AccountAccessKeysPresent: 0, AccountMFAEnabled: 0 });
  });

  it('an IAM user sees its own keys, named users must exist, a role must name a user', async () => {
    emu.reset('fresh+iam-user');
    const keys = (await iam().send(new ListAccessKeysCommand({}))).AccessKeyMetadata!;
    expect(keys).toEqual([
      expect.objectContaining({ UserName: 'admin', AccessKeyId: ACCESS_KEYS.iamUser, Status: 'Active' }),
    ]);
    expect((await iam().send(new ListAccessKeysCommand({ UserName: 'admin' }))).AccessKeyMetadata).toHaveLength(1);
    expect((await errorOf(iam().send(new GetLoginProfileCommand({ UserName: 'admin' })))).name).toMatch(NO_SUCH_ENTITY);
    expect((await iam().send(new ListMFADevicesCommand({}))).MFADevices).toEqual([]);
    const e = await errorOf(iam().send(new ListAccessKeysCommand({ UserName: 'nobody' })));
    expect(e.name).toMatch(NO_SUCH_ENTITY);
    expect(e.status).toBe(404);
    emu.reset('fresh+role');
    expect(await errorOf(iam().send(new ListMFADevicesCommand({})))).toMatchObject({
      name: 'ValidationError',
      status: 400,
    });
  });

  it('ListMFADevices and ListAccessKeys page with Marker / IsTruncated (MaxItems or the page size)', async () => {
    emu.reset('fresh+iam-user');
    const user = emu.world.account(ME)!.users.admin;
    for (const n of [1, 2, 3, 4])
      user.mfaSerials.push({ serial: `arn:aws:iam::${ME}:mfa/admin-${n}`, enabledAt: new Date() });
    const serials: string[] = [];
    let Marker: string | undefined;
    let pages = 0;
    do {
      const r = await iam().send(new ListMFADevicesCommand({ Marker, MaxItems: 3 }));
      serials.push(...r.MFADevices!.map((d) => d.SerialNumber!));
      expect(r.IsTruncated).toBe(!!r.Marker);
      Marker = r.Marker;
      pages++;
    } while (Marker && pages < 10);
    expect(pages).toBe(2);
    expect(serials).toEqual([1, 2, 3, 4].map((n) => `arn:aws:iam::${ME}:mfa/admin-${n}`));
    expect((await iam().send(new ListMFADevicesCommand({ MaxItems: 1 }))).MFADevices).toHaveLength(1);
    expect(await iam().send(new ListAccessKeysCommand({}))).toMatchObject({ IsTruncated: false });
    expect(await errorOf(iam().send(new ListMFADevicesCommand({ Marker: 'not-a-marker' })))).toMatchObject({
      name: 'ValidationError',
      status: 400,
    });
  });

  it('deleting the root access key in use makes those credentials invalid', async () => {
    emu.reset('fresh+root-keys');
    const root = iam();
    const keys = (await root.send(new ListAccessKeysCommand({}))).AccessKeyMetadata!;
    expect(keys.map((k) => k.AccessKeyId)).toEqual([ACCESS_KEYS.root]);
    expect(keys[0].UserName).toBeUndefined();
    await root.send(new DeleteAccessKeyCommand({ AccessKeyId: ACCESS_KEYS.root }));
    const sts = sdk.client(STSClient, { credentials: { accessKeyId: ACCESS_KEYS.root, secretAccessKey: 'x' } });
    expect(await errorOf(sts.send(new GetCallerIdentityCommand({})))).toMatchObject({
      name: 'InvalidClientTokenId',
      status: 403,
    });
    expect(ME).toBe('123456789012');
  });
});
