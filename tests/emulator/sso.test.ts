// The SSO portal (client-sso GetRoleCredentials) and OIDC refresh through the SDK's real
// `fromSSO` credential provider: a config file with an sso-session + profile, a token cache
// written as `aws sso login` writes it, and STS calls made with the credentials it yields.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fromSSO } from '@aws-sdk/credential-providers';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import {
  AttachManagedPolicyToPermissionSetCommand,
  CreateAccountAssignmentCommand,
  CreatePermissionSetCommand,
  SSOAdminClient,
} from '@aws-sdk/client-sso-admin';
import {
  CreateGroupCommand,
  CreateGroupMembershipCommand,
  CreateUserCommand,
  IdentitystoreClient,
} from '@aws-sdk/client-identitystore';
import { expireSsoTokens } from '../../emulator/services/sso.js';
import { MANAGEMENT_ACCOUNT_ID as ME } from '../../emulator/world.js';
import { cliEnv, ROOT } from '../helpers/harness.js';
import { ssoCachePath, ssoConfigText, ssoLogin } from '../helpers/sso.js';
import { useEmulator } from '../helpers/emulator-sdk.js';

const sdk = useEmulator({ reset: false }); // world() resets
const { emu } = sdk;
let dir: string;
let member: string;
let ids: { instanceArn: string; storeId: string; adminPs: string; readPs: string; userId: string; groupId: string };
const saved = { ...process.env };

/** An org with one member, Identity Center, jane in Admins, Admins → AdministratorAccess in the management account and the member. */
async function world() {
  emu.reset({
    base: 'org-exists',
    principal: 'iam-user',
    members: [{ name: 'prod', email: 'ops+prod@acme.example' }],
    identityCenterRegion: 'us-east-1',
  });
  member = Object.keys(emu.world.accounts).find((a) => a !== ME)!;
  const ic = emu.world.identityCenter!;
  const admin = sdk.client(SSOAdminClient);
  const store = sdk.client(IdentitystoreClient);
  const ps = async (Name: string, policy: string, SessionDuration = 'PT8H') => {
    const arn = (
      await admin.send(new CreatePermissionSetCommand({ InstanceArn: ic.instanceArn, Name, SessionDuration }))
    ).PermissionSet!.PermissionSetArn!;
    await admin.send(
      new AttachManagedPolicyToPermissionSetCommand({
        InstanceArn: ic.instanceArn,
        PermissionSetArn: arn,
        ManagedPolicyArn: `arn:aws:iam::aws:policy/${policy}`,
      }),
    );
    return arn;
  };
  const adminPs = await ps('AdministratorAccess', 'AdministratorAccess');
  const readPs = await ps('ReadOnly', 'ReadOnlyAccess', 'PT2H');
  const { UserId } = await store.send(
    new CreateUserCommand({
      IdentityStoreId: ic.identityStoreId,
      UserName: 'jane',
      DisplayName: 'Jane Doe',
      Name: { GivenName: 'Jane', FamilyName: 'Doe' },
      Emails: [{ Value: 'jane@acme.example', Primary: true }],
    }),
  );
  const { GroupId } = await store.send(
    new CreateGroupCommand({ IdentityStoreId: ic.identityStoreId, DisplayName: 'Admins' }),
  );
  await store.send(
    new CreateGroupMembershipCommand({ IdentityStoreId: ic.identityStoreId, GroupId, MemberId: { UserId: UserId! } }),
  );
  for (const account of [ME, member]) {
    await admin.send(
      new CreateAccountAssignmentCommand({
        InstanceArn: ic.instanceArn,
        TargetId: account,
        TargetType: 'AWS_ACCOUNT',
        PermissionSetArn: adminPs,
        PrincipalType: 'GROUP',
        PrincipalId: GroupId,
      }),
    );
    emu.flushAsync(); // as a client that waits for each assignment (one at a time per permission set)
  }
  // ReadOnly directly to the user, in the member account only.
  await admin.send(
    new CreateAccountAssignmentCommand({
      InstanceArn: ic.instanceArn,
      TargetId: member,
      TargetType: 'AWS_ACCOUNT',
      PermissionSetArn: readPs,
      PrincipalType: 'USER',
      PrincipalId: UserId,
    }),
  );
  emu.flushAsync();
  ids = {
    instanceArn: ic.instanceArn,
    storeId: ic.identityStoreId,
    adminPs,
    readPs,
    userId: UserId!,
    groupId: GroupId!,
  };
}

beforeEach(async () => {
  await world();
  dir = mkdtempSync(join(tmpdir(), 'ss-sso-'));
  mkdirSync(join(dir, '.aws'), { recursive: true });
  const startUrl = `https://${ids.storeId}.awsapps.com/start`;
  writeFileSync(
    join(dir, '.aws', 'config'),
    ssoConfigText({ name: 'acme', startUrl, region: 'us-east-1' }, [
      { name: 'acme-management-admin', accountId: ME, roleName: 'AdministratorAccess' },
      { name: 'acme-prod-admin', accountId: member, roleName: 'AdministratorAccess' },
      { name: 'acme-prod-readonly', accountId: member, roleName: 'ReadOnly' },
      { name: 'acme-management-readonly', accountId: ME, roleName: 'ReadOnly' },
    ]),
  );
  // The SDK reads the config and the token cache from HOME / AWS_CONFIG_FILE, and the portal
  // endpoint from AWS_ENDPOINT_URL, exactly as the CLI subprocess would.
  for (const k of Object.keys(process.env)) if (k.startsWith('AWS_')) delete process.env[k];
  Object.assign(process.env, {
    HOME: dir,
    USERPROFILE: dir,
    AWS_CONFIG_FILE: join(dir, '.aws', 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, '.aws', 'credentials'),
    AWS_ENDPOINT_URL: emu.url,
    AWS_EC2_METADATA_DISABLED: 'true',
  });
});
afterEach(() => {
  for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
  Object.assign(process.env, saved);
  rmSync(dir, { recursive: true, force: true });
});

const credsFor = (profile: string) => fromSSO({ profile, ignoreCache: true })();
const whoAmI = async (profile: string) => {
  const sts = sdk.client(STSClient, { credentials: await credsFor(profile) });
  return sts.send(new GetCallerIdentityCommand({}));
};
const errorOf = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected an error');
    },
    (e: Error) => e,
  );

describe('sso portal through fromSSO', () => {
  it('writes the token cache where the SDK looks for it, in the AWS CLI format', () => {
    const login = ssoLogin(emu, dir, 'acme', 'jane');
    expect(login.path).toBe(ssoCachePath(dir, 'acme'));
    expect(login.path).toMatch(/\.aws\/sso\/cache\/[0-9a-f]{40}\.json$/);
    const file = JSON.parse(readFileSync(login.path, 'utf8'));
    expect(Object.keys(file)).toEqual([
      'startUrl',
      'region',
      'accessToken',
      'expiresAt',
      'clientId',
      'clientSecret',
      'registrationExpiresAt',
      'refreshToken',
    ]);
    expect(file).toMatchObject({ startUrl: `https://${ids.storeId}.awsapps.com/start`, region: 'us-east-1' });
    expect(file.expiresAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it("a profile yields an AWSReservedSSO role session in the management account, for the set's session length", async () => {
    ssoLogin(emu, dir, 'acme', 'jane');
    const creds = await credsFor('acme-management-admin');
    expect(creds.sessionToken).toBeTruthy();
    // PT8H permission set → about 8 hours of credentials.
    const hours = (creds.expiration!.getTime() - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(7.9);
    expect(hours).toBeLessThanOrEqual(8);
    const me = await whoAmI('acme-management-admin');
    expect(me.Account).toBe(ME);
    expect(me.Arn).toMatch(
      new RegExp(`^arn:aws:sts::${ME}:assumed-role/AWSReservedSSO_AdministratorAccess_[0-9a-f]{16}/jane$`),
    );
  });

  it('works in a member account, through a direct user assignment too', async () => {
    ssoLogin(emu, dir, 'acme', 'jane');
    expect((await whoAmI('acme-prod-admin')).Arn).toMatch(
      new RegExp(`^arn:aws:sts::${member}:assumed-role/AWSReservedSSO_AdministratorAccess_[0-9a-f]{16}/jane$`),
    );
    const ro = await credsFor('acme-prod-readonly');
    expect((ro.expiration!.getTime() - Date.now()) / 3_600_000).toBeLessThanOrEqual(2);
    expect((await whoAmI('acme-prod-readonly')).Arn).toContain('/AWSReservedSSO_ReadOnly_');
  });

  it('the management session can AssumeRole into a member (OrganizationAccountAccessRole)', async () => {
    ssoLogin(emu, dir, 'acme', 'jane');
    const sts = sdk.client(STSClient, { credentials: await credsFor('acme-management-admin') });
    const out = await sts.send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${member}:role/OrganizationAccountAccessRole`,
        RoleSessionName: 'secure-start',
      }),
    );
    expect(out.AssumedRoleUser?.Arn).toBe(
      `arn:aws:sts::${member}:assumed-role/OrganizationAccountAccessRole/secure-start`,
    );
  });

  it('in a separate process, the default provider chain with a profile (as the CLI uses it) goes through the portal, even with access keys in the environment', async () => {
    ssoLogin(emu, dir, 'acme', 'jane');
    const script = `
      const { fromNodeProviderChain } = await import('@aws-sdk/credential-providers');
      const { STSClient, GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
      const sts = new STSClient({ region: 'us-east-1', credentials: fromNodeProviderChain({ profile: 'acme-prod-admin' }) });
      console.log(JSON.stringify(await sts.send(new GetCallerIdentityCommand({}))));`;
    // cliEnv = the harness's CLI environment: HOME/AWS_CONFIG_FILE in dir, the emulator's endpoint and keys.
    // Asynchronously: the emulator answers from this very process.
    const { stdout: out } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
      cwd: ROOT,
      env: cliEnv({ emu, dir }),
      encoding: 'utf8',
      timeout: 20_000,
    });
    const id = JSON.parse(out.trim().split('\n').at(-1)!);
    expect(id.Account).toBe(member);
    expect(id.Arn).toMatch(/assumed-role\/AWSReservedSSO_AdministratorAccess_[0-9a-f]{16}\/jane$/);
  });

  it('a role the user is not assigned to is ForbiddenException (403)', async () => {
    ssoLogin(emu, dir, 'acme', 'jane');
    const e = await errorOf(credsFor('acme-management-readonly'));
    expect(e.message).toMatch(/No access/);
  });

  it('losing the group membership or the assignment takes the access away', async () => {
    ssoLogin(emu, dir, 'acme', 'jane');
    await whoAmI('acme-prod-admin');
    emu.drift('identitystore', 'delete-group-membership', { user: 'jane', group: 'Admins' });
    expect((await errorOf(credsFor('acme-prod-admin'))).message).toMatch(/No access/);
    // The direct assignment still works until it is removed.
    await whoAmI('acme-prod-readonly');
    emu.drift('sso-admin', 'delete-account-assignment', {
      account: member,
      permissionSet: 'ReadOnly',
      principal: 'jane',
    });
    expect((await errorOf(credsFor('acme-prod-readonly'))).message).toMatch(/No access/);
  });

  it('no login, an unknown token, or an expired session fails with a message to log in again', async () => {
    expect((await errorOf(credsFor('acme-management-admin'))).message).toMatch(/aws sso login/);
    const login = ssoLogin(emu, dir, 'acme', 'jane');
    expireSsoTokens(emu.world); // the portal session ended (the cache still looks valid)
    expect((await errorOf(credsFor('acme-management-admin'))).message).toMatch(/Session token not found or invalid/);
    // A cache file whose expiry has passed and that cannot be refreshed is refused by the SDK
    // before any call.
    const stale = ssoLogin(emu, dir, 'acme', 'jane', { expiresAt: '2020-01-01T00:00:00Z' });
    const { refreshToken: _gone, ...noRefresh } = JSON.parse(readFileSync(stale.path, 'utf8'));
    writeFileSync(stale.path, JSON.stringify(noRefresh));
    const before = emu.calls().length;
    expect((await errorOf(credsFor('acme-management-admin'))).message).toMatch(/refreshToken/);
    expect(login.accessToken).not.toBe(stale.accessToken);
    expect(emu.calls().length).toBe(before);
  });

  it('an expired token is refreshed through SSO OIDC CreateToken and the cache rewritten', async () => {
    // Its own sso-session: the SDK tries a refresh at most once per 30 s per session name.
    writeFileSync(
      join(dir, '.aws', 'config'),
      ssoConfigText(
        { name: 'acme-refresh', startUrl: `https://${ids.storeId}.awsapps.com/start`, region: 'us-east-1' },
        [{ name: 'acme-r', accountId: ME, roleName: 'AdministratorAccess' }],
      ),
    );
    const login = ssoLogin(emu, dir, 'acme-refresh', 'jane', { expiresAt: '2020-01-01T00:00:00Z' });
    expect((await whoAmI('acme-r')).Account).toBe(ME);
    expect(emu.calls({ service: 'sso-oidc', operation: 'CreateToken' }).map((c) => c.status)).toEqual([200]);
    const file = JSON.parse(readFileSync(login.path, 'utf8'));
    expect(file.accessToken).not.toBe(login.accessToken);
    expect(file.refreshToken).not.toBe(login.refreshToken);
    expect(new Date(file.expiresAt).getTime()).toBeGreaterThan(Date.now() + 7 * 3_600_000);
  });

  it('ssoLogin refuses unknown users and a missing instance; the control route does the same as the method', async () => {
    expect(() => emu.ssoLogin('nobody')).toThrow(/no user nobody/);
    const res = await fetch(`${emu.url}/_emulator/console/sso-login`, {
      method: 'POST',
      body: JSON.stringify({ userName: 'jane' }),
    });
    const body = (await res.json()) as Record<string, string>;
    expect(res.status).toBe(200);
    expect(body).toMatchObject({ region: 'us-east-1', startUrl: `https://${ids.storeId}.awsapps.com/start` });
    expect(body.accessToken).toBeTruthy();
    const wrong = await fetch(`${emu.url}/_emulator/console/sso-login`, {
      method: 'POST',
      body: JSON.stringify({ userName: 'jane', region: 'eu-west-1' }),
    });
    expect(wrong.status).toBe(400);
    emu.reset('fresh');
    expect(() => emu.ssoLogin('jane')).toThrow(/not enabled/);
  });
});

describe('sso portal wire API', () => {
  const get = async (path: string, token?: string) => {
    const res = await fetch(`${emu.url}${path}`, { headers: token ? { 'x-amz-sso_bearer_token': token } : {} });
    return {
      status: res.status,
      type: res.headers.get('x-amzn-errortype'),
      body: (await res.json().catch(() => null)) as any,
    };
  };

  it('ListAccounts and ListAccountRoles show what the user can reach, paged', async () => {
    emu.configure({ pageSize: 1 });
    try {
      const { accessToken } = emu.ssoLogin('jane');
      const p1 = await get('/assignment/accounts', accessToken);
      expect(p1.status).toBe(200);
      expect(p1.body.accountList).toHaveLength(1);
      const p2 = await get(`/assignment/accounts?next_token=${encodeURIComponent(p1.body.nextToken)}`, accessToken);
      expect([...p1.body.accountList, ...p2.body.accountList].map((a: any) => a.accountId).sort()).toEqual(
        [ME, member].sort(),
      );
      expect(p2.body.nextToken).toBeUndefined();
      const roles = await get(`/assignment/roles?account_id=${member}&max_result=10`, accessToken);
      const all = [roles.body.roleList];
      let next = roles.body.nextToken;
      while (next) {
        const r = await get(
          `/assignment/roles?account_id=${member}&next_token=${encodeURIComponent(next)}`,
          accessToken,
        );
        all.push(r.body.roleList);
        next = r.body.nextToken;
      }
      expect(all.flat()).toEqual([
        { roleName: 'AdministratorAccess', accountId: member },
        { roleName: 'ReadOnly', accountId: member },
      ]);
    } finally {
      emu.configure({ pageSize: 3 });
    }
  });

  it("errors are shaped as the portal's: 401 without a valid token, 400 for bad input, 403 without access; logout ends the session", async () => {
    expect(await get(`/federation/credentials?account_id=${ME}&role_name=AdministratorAccess`)).toMatchObject({
      status: 401,
      type: 'UnauthorizedException',
    });
    expect(await get(`/federation/credentials?account_id=${ME}&role_name=AdministratorAccess`, 'bogus')).toMatchObject({
      status: 401,
      type: 'UnauthorizedException',
    });
    const { accessToken } = emu.ssoLogin('jane');
    expect(await get('/federation/credentials?role_name=AdministratorAccess', accessToken)).toMatchObject({
      status: 400,
      type: 'InvalidRequestException',
    });
    expect(await get(`/federation/credentials?account_id=${ME}&role_name=Nope`, accessToken)).toMatchObject({
      status: 403,
      type: 'ForbiddenException',
    });
    const ok = await get(`/federation/credentials?account_id=${ME}&role_name=AdministratorAccess`, accessToken);
    expect(ok.status).toBe(200);
    expect(Object.keys(ok.body.roleCredentials).sort()).toEqual([
      'accessKeyId',
      'expiration',
      'secretAccessKey',
      'sessionToken',
    ]);
    // The call log names the user, and a portal call is not a change.
    expect(emu.calls({ service: 'sso', operation: 'GetRoleCredentials' }).at(-1)).toMatchObject({
      status: 200,
      account: ME,
      mutating: false,
      principal: `arn:aws:identitystore::${ME}:user/${ids.userId}`,
    });
    const out = await fetch(`${emu.url}/logout`, {
      method: 'POST',
      headers: { 'x-amz-sso_bearer_token': accessToken },
    });
    expect(out.status).toBe(200);
    expect(
      await get(`/federation/credentials?account_id=${ME}&role_name=AdministratorAccess`, accessToken),
    ).toMatchObject({ status: 401 });
  });

  it('an unsigned request that no service claims is still MissingAuthenticationToken', async () => {
    const res = await fetch(`${emu.url}/something-else`);
    expect(res.status).toBe(403);
    expect(res.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationToken');
  });

  it("a deleted user's token stops working", async () => {
    const { accessToken } = emu.ssoLogin('jane');
    emu.drift('identitystore', 'delete-user', { user: 'jane' });
    expect(
      await get(`/federation/credentials?account_id=${ME}&role_name=AdministratorAccess`, accessToken),
    ).toMatchObject({ status: 401 });
  });
});
