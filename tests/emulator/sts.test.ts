// AWS STS through the real SDK v3 client against the emulator: who the credentials are,
// AssumeRole into member accounts (only OrganizationAccountAccessRole of an org account,
// never with root credentials), AssumeRoot sessions, expiry, throttling.
import { beforeEach, describe, expect, it } from 'vitest';
import { AssumeRoleCommand, AssumeRootCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import {
  CreateAccountCommand,
  DescribeCreateAccountStatusCommand,
  EnableAWSServiceAccessCommand,
  ListAccountsCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { EnableOrganizationsRootSessionsCommand, IAMClient } from '@aws-sdk/client-iam';
import { ACCESS_KEYS, MANAGEMENT_ACCOUNT_ID as ME } from '../../emulator/world.js';
import { asCreds, errorOf, useEmulator, type Creds } from '../helpers/emulator-sdk.js';

const sdk = useEmulator();
const { emu } = sdk;
beforeEach(() => {
  emu.configure({ allowRootAssumeRole: false });
});

const sts = (credentials?: Creds, maxAttempts = 1) => sdk.client(STSClient, { credentials, maxAttempts });
const orgs = (credentials?: Creds) => sdk.client(OrganizationsClient, { credentials });

const roleArn = (account: string, role = 'OrganizationAccountAccessRole') => `arn:aws:iam::${account}:role/${role}`;

/** An ALL-features organization with one member; returns the member's account ID. */
const orgWithMember = async (): Promise<string> => (await sdk.orgWithMember()).member;

describe('GetCallerIdentity', () => {
  it('names the root user, an IAM user and a role session of the management account', async () => {
    expect(await sts().send(new GetCallerIdentityCommand({}))).toMatchObject({
      Account: ME,
      Arn: `arn:aws:iam::${ME}:root`,
      UserId: ME,
    });
    emu.reset('fresh+iam-user');
    const user = await sts().send(new GetCallerIdentityCommand({}));
    expect(user).toMatchObject({ Account: ME, Arn: `arn:aws:iam::${ME}:user/admin` });
    expect(user.UserId).toMatch(/^AIDA[A-Z2-7]{17}$/);
    emu.reset('fresh+role');
    const role = await sts().send(new GetCallerIdentityCommand({}));
    expect(role).toMatchObject({ Account: ME, Arn: `arn:aws:sts::${ME}:assumed-role/Admin/founder` });
    expect(role.UserId).toMatch(/^AROA[A-Z2-7]{17}:founder$/);
    expect(emu.credentials().sessionToken).toBeTruthy();
  });

  it('unknown keys are InvalidClientTokenId (403); expired sessions are ExpiredToken', async () => {
    expect(
      await errorOf(
        sts({ accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'x' }).send(new GetCallerIdentityCommand({})),
      ),
    ).toMatchObject({ name: 'InvalidClientTokenId', status: 403 });
    emu.reset('fresh+iam-user');
    const member = await orgWithMember();
    const c = emu.credentials(member);
    emu.world.credentials[c.accessKeyId].expiresAt = Date.now() - 1000;
    expect(await errorOf(sts(c).send(new GetCallerIdentityCommand({})))).toMatchObject({
      name: 'ExpiredToken',
      status: 400,
    });
  });
});

describe('AssumeRole', () => {
  it('an IAM user assumes OrganizationAccountAccessRole in a member and becomes that account', async () => {
    emu.reset('fresh+iam-user');
    const member = await orgWithMember();
    const res = await sts().send(
      new AssumeRoleCommand({ RoleArn: roleArn(member), RoleSessionName: 'secure-start', DurationSeconds: 3600 }),
    );
    expect(res.Credentials!.AccessKeyId).toMatch(/^ASIA/);
    expect(res.Credentials!.SessionToken).toBeTruthy();
    expect(res.Credentials!.Expiration).toBeInstanceOf(Date);
    expect(res.AssumedRoleUser!.Arn).toBe(
      `arn:aws:sts::${member}:assumed-role/OrganizationAccountAccessRole/secure-start`,
    );
    const who = await sts(asCreds(res.Credentials)).send(new GetCallerIdentityCommand({}));
    expect(who).toMatchObject({
      Account: member,
      Arn: `arn:aws:sts::${member}:assumed-role/OrganizationAccountAccessRole/secure-start`,
    });
    // AssumeRole changes no resource: not a mutating call in the log.
    expect(emu.calls({ operation: 'AssumeRole' }).map((c) => [c.account, c.mutating])).toEqual([[ME, false]]);
    expect(emu.calls({ service: 'sts', account: member }).map((c) => c.operation)).toEqual(['GetCallerIdentity']);
  });

  it('the root user cannot assume roles (AccessDenied 403), unless the world config relaxes it', async () => {
    const member = await orgWithMember();
    const e = await errorOf(
      sts().send(new AssumeRoleCommand({ RoleArn: roleArn(member), RoleSessionName: 'secure-start' })),
    );
    expect(e).toMatchObject({ name: 'AccessDenied', status: 403 });
    expect(e.message).toMatch(/Roles may not be assumed by root accounts/);
    emu.configure({ allowRootAssumeRole: true });
    const ok = await sts().send(new AssumeRoleCommand({ RoleArn: roleArn(member), RoleSessionName: 'secure-start' }));
    expect(ok.AssumedRoleUser!.Arn).toContain(member);
  });

  it("only the org access role of an account in the organization, trusted by the caller's account", async () => {
    emu.reset('fresh+iam-user');
    const member = await orgWithMember();
    const deny = async (arn: string, creds?: Creds) => {
      const e = await errorOf(sts(creds).send(new AssumeRoleCommand({ RoleArn: arn, RoleSessionName: 'x1' })));
      expect(e).toMatchObject({ name: 'AccessDenied', status: 403 });
      expect(e.message).toContain(arn);
    };
    await deny(roleArn('999999999999'));
    await deny(roleArn(member, 'Admin'));
    await deny(roleArn(ME));
    // From inside the member, the role of another member (trusting the management account only) is refused.
    const o = orgs();
    const s = (await o.send(new CreateAccountCommand({ AccountName: 'dev', Email: 'ops+aws-dev@acme.example' })))
      .CreateAccountStatus!;
    const dev = (await o.send(new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: s.Id! })))
      .CreateAccountStatus!.AccountId!;
    await deny(roleArn(dev), emu.credentials(member));
  });

  it('validates the request: ARN, session name, duration, role chaining over an hour', async () => {
    emu.reset('fresh+role');
    const member = await orgWithMember();
    const bad = async (input: Record<string, unknown>) =>
      errorOf(
        sts().send(new AssumeRoleCommand({ RoleArn: roleArn(member), RoleSessionName: 'ok-name', ...input } as never)),
      );
    expect(await bad({ RoleArn: 'arn:aws:iam::not-an-account:role/X' })).toMatchObject({
      name: 'ValidationError',
      status: 400,
    });
    expect((await bad({ RoleSessionName: 'has space' })).name).toBe('ValidationError');
    expect((await bad({ RoleSessionName: undefined })).name).toBe('ValidationError');
    expect((await bad({ DurationSeconds: 60 })).name).toBe('ValidationError');
    // The caller is a role session: chaining is capped at one hour.
    const e = await bad({ DurationSeconds: 7200 });
    expect(e).toMatchObject({ name: 'ValidationError', status: 400 });
    expect(e.message).toMatch(/role chaining/);
    expect(
      (
        await sts().send(
          new AssumeRoleCommand({ RoleArn: roleArn(member), RoleSessionName: 'ok-name', DurationSeconds: 3600 }),
        )
      ).Credentials,
    ).toBeTruthy();
  });

  it('a throttled AssumeRole is Throttling (400); accessDenied faults use AccessDenied', async () => {
    emu.reset('fresh+iam-user');
    const member = await orgWithMember();
    emu.setFaults({
      rules: [{ service: 'sts', operation: 'AssumeRole', sequence: ['throttle', 'accessDenied'], kind: 'throttle' }],
    });
    const call = () => sts().send(new AssumeRoleCommand({ RoleArn: roleArn(member), RoleSessionName: 'secure-start' }));
    expect(await errorOf(call())).toMatchObject({ name: 'Throttling', status: 400 });
    expect(await errorOf(call())).toMatchObject({ name: 'AccessDenied', status: 403 });
    expect((await call()).Credentials).toBeTruthy();
  });
});

describe('AssumeRoot', () => {
  const task = { arn: 'arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials' };

  it('needs the management account, IAM trusted access and the RootSessions feature', async () => {
    emu.reset('fresh+iam-user');
    const member = await orgWithMember();
    const call = (c?: Creds, target = member) =>
      sts(c).send(new AssumeRootCommand({ TargetPrincipal: target, TaskPolicyArn: task }));
    expect(await errorOf(call())).toMatchObject({ name: 'AccessDenied', status: 403 });
    await orgs().send(new EnableAWSServiceAccessCommand({ ServicePrincipal: 'iam.amazonaws.com' }));
    const iam = sdk.client(IAMClient);
    await iam.send(new EnableOrganizationsRootSessionsCommand({}));
    const res = await call();
    expect(res.Credentials!.AccessKeyId).toMatch(/^ASIA/);
    const who = await sts(asCreds(res.Credentials)).send(new GetCallerIdentityCommand({}));
    expect(who).toMatchObject({ Account: member, Arn: `arn:aws:iam::${member}:root` });
    // Not into the management account itself, not into strangers, not from a member.
    expect((await errorOf(call(undefined, ME))).name).toBe('AccessDenied');
    expect((await errorOf(call(undefined, '999999999999'))).name).toBe('AccessDenied');
    expect((await errorOf(call(emu.credentials(member), member))).name).toBe('AccessDenied');
    // A root session cannot chain into roles.
    expect(
      (
        await errorOf(
          sts(asCreds(res.Credentials)).send(
            new AssumeRoleCommand({ RoleArn: roleArn(member), RoleSessionName: 'x1' }),
          ),
        )
      ).name,
    ).toBe('AccessDenied');
  });

  it('validates the task policy and the duration (at most 900 s)', async () => {
    emu.reset('fresh+iam-user');
    const member = await orgWithMember();
    expect(
      await errorOf(
        sts().send(
          new AssumeRootCommand({
            TargetPrincipal: member,
            TaskPolicyArn: { arn: 'arn:aws:iam::aws:policy/AdministratorAccess' },
          }),
        ),
      ),
    ).toMatchObject({ name: 'ValidationError', status: 400 });
    expect(
      (
        await errorOf(
          sts().send(new AssumeRootCommand({ TargetPrincipal: member, TaskPolicyArn: task, DurationSeconds: 901 })),
        )
      ).name,
    ).toBe('ValidationError');
    expect((await errorOf(sts().send(new AssumeRootCommand({ TargetPrincipal: member } as never)))).name).toBe(
      'ValidationError',
    );
  });
});

describe('credentials handed out by the emulator', () => {
  it('emu.credentials(member) is a role session in that member; env() carries the endpoint and keys', async () => {
    const member = await orgWithMember();
    const who = await sts(emu.credentials(member)).send(new GetCallerIdentityCommand({}));
    expect(who.Arn).toBe(`arn:aws:sts::${member}:assumed-role/OrganizationAccountAccessRole/emulator`);
    // A member sees the organization but not its account list.
    expect((await errorOf(orgs(emu.credentials(member)).send(new ListAccountsCommand({})))).name).toBe(
      'AccessDeniedException',
    );
    expect(emu.env()).toMatchObject({
      AWS_ENDPOINT_URL: emu.url,
      AWS_ACCESS_KEY_ID: ACCESS_KEYS.root,
      AWS_REGION: 'us-east-1',
    });
    expect(emu.env(member).AWS_SESSION_TOKEN).toBeTruthy();
    expect(() => emu.credentials('999999999999')).toThrow(/no account/);
  });
});
