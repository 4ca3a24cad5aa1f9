// IAM roles and users through the real SDK client, and sts:AssumeRole deciding by the role's
// trust policy: what an attacker inside a member account would use (and what the guardrail
// SCPs must stop), with IAM's own errors.
import { describe, expect, it } from 'vitest';
import {
  AttachRolePolicyCommand,
  CreateAccessKeyCommand,
  CreateLoginProfileCommand,
  CreateRoleCommand,
  CreateUserCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  GetRoleCommand,
  GetUserCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  PutRolePermissionsBoundaryCommand,
  PutRolePolicyCommand,
  TagRoleCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { asCreds, errorOf, useEmulator, type Creds } from '../helpers/emulator-sdk.js';

const sdk = useEmulator({ reset: 'fresh+iam-user' });
const { emu } = sdk;

const iam = (credentials?: Creds) => sdk.client(IAMClient, { credentials });
const sts = (credentials?: Creds) => sdk.client(STSClient, { credentials });
const ADMIN = 'arn:aws:iam::aws:policy/AdministratorAccess';
const ME = '123456789012';
const trust = (aws: string | string[]) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { AWS: aws }, Action: 'sts:AssumeRole' }],
  });
const assume = (roleArn: string, credentials?: Creds) =>
  sts(credentials).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'ss' }));

describe('roles', () => {
  it('CreateRole keeps the trust policy (URL-encoded on the wire, as IAM returns it), refuses a duplicate and a malformed document', async () => {
    const r = (
      await iam().send(
        new CreateRoleCommand({
          RoleName: 'Deployer',
          Path: '/ci/',
          AssumeRolePolicyDocument: trust(ME),
          Tags: [{ Key: 'team', Value: 'ops' }],
        }),
      )
    ).Role!;
    expect(r).toMatchObject({ RoleName: 'Deployer', Path: '/ci/', Arn: `arn:aws:iam::${ME}:role/ci/Deployer` });
    expect(r.RoleId).toMatch(/^AROA/);
    const got = (await iam().send(new GetRoleCommand({ RoleName: 'Deployer' }))).Role!;
    expect(JSON.parse(decodeURIComponent(got.AssumeRolePolicyDocument!))).toEqual(JSON.parse(trust(ME)));
    expect(got.Tags).toEqual([{ Key: 'team', Value: 'ops' }]);
    expect(
      await errorOf(iam().send(new CreateRoleCommand({ RoleName: 'deployer', AssumeRolePolicyDocument: trust(ME) }))),
    ).toMatchObject({ name: 'EntityAlreadyExistsException', status: 409 });
    expect(
      await errorOf(iam().send(new CreateRoleCommand({ RoleName: 'Bad', AssumeRolePolicyDocument: '{"Statement":' }))),
    ).toMatchObject({ name: 'MalformedPolicyDocumentException', status: 400 });
    expect(
      await errorOf(
        iam().send(
          new CreateRoleCommand({
            RoleName: 'NoPrincipal',
            AssumeRolePolicyDocument: JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole' }] }),
          }),
        ),
      ),
    ).toMatchObject({ name: 'MalformedPolicyDocumentException' });
    expect(
      await errorOf(
        iam().send(
          new CreateRoleCommand({
            RoleName: 'Ghost',
            AssumeRolePolicyDocument: trust(`arn:aws:iam::${ME}:role/Nobody`),
          }),
        ),
      ),
    ).toMatchObject({ name: 'MalformedPolicyDocumentException' });
    expect(await errorOf(iam().send(new GetRoleCommand({ RoleName: 'Nope' })))).toMatchObject({
      name: 'NoSuchEntityException',
      status: 404,
    });
  });

  it('managed and inline policies, boundary and tags; DeleteRole refuses while policies remain (DeleteConflict 409)', async () => {
    await iam().send(new CreateRoleCommand({ RoleName: 'App', AssumeRolePolicyDocument: trust(ME) }));
    await iam().send(new AttachRolePolicyCommand({ RoleName: 'App', PolicyArn: ADMIN }));
    expect(
      await errorOf(
        iam().send(new AttachRolePolicyCommand({ RoleName: 'App', PolicyArn: 'arn:aws:iam::aws:policy/PowerUser' })),
      ),
    ).toMatchObject({ name: 'NoSuchEntityException' });
    await iam().send(
      new PutRolePolicyCommand({
        RoleName: 'App',
        PolicyName: 'inline',
        PolicyDocument: JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] }),
      }),
    );
    expect(
      await errorOf(
        iam().send(
          new PutRolePolicyCommand({
            RoleName: 'App',
            PolicyName: 'p2',
            PolicyDocument: JSON.stringify({
              Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: '*' }],
            }),
          }),
        ),
      ),
    ).toMatchObject({ name: 'MalformedPolicyDocumentException' });
    await iam().send(
      new PutRolePermissionsBoundaryCommand({
        RoleName: 'App',
        PermissionsBoundary: 'arn:aws:iam::aws:policy/ReadOnlyAccess',
      }),
    );
    await iam().send(new TagRoleCommand({ RoleName: 'App', Tags: [{ Key: 'k', Value: 'v' }] }));
    expect((await iam().send(new ListAttachedRolePoliciesCommand({ RoleName: 'App' }))).AttachedPolicies).toEqual([
      { PolicyArn: ADMIN, PolicyName: 'AdministratorAccess' },
    ]);
    expect((await iam().send(new ListRolePoliciesCommand({ RoleName: 'App' }))).PolicyNames).toEqual(['inline']);
    expect(
      (await iam().send(new GetRoleCommand({ RoleName: 'App' }))).Role!.PermissionsBoundary!.PermissionsBoundaryArn,
    ).toBe('arn:aws:iam::aws:policy/ReadOnlyAccess');
    expect(await errorOf(iam().send(new DeleteRoleCommand({ RoleName: 'App' })))).toMatchObject({
      name: 'DeleteConflictException',
      status: 409,
    });
    await iam().send(new DetachRolePolicyCommand({ RoleName: 'App', PolicyArn: ADMIN }));
    expect(await errorOf(iam().send(new DeleteRoleCommand({ RoleName: 'App' })))).toMatchObject({
      name: 'DeleteConflictException',
    });
    await iam().send(new DeleteRolePolicyCommand({ RoleName: 'App', PolicyName: 'inline' }));
    await iam().send(new DeleteRoleCommand({ RoleName: 'App' }));
    expect((await errorOf(iam().send(new GetRoleCommand({ RoleName: 'App' })))).status).toBe(404);
  });

  it('OrganizationAccountAccessRole comes with AdministratorAccess and a trust policy naming the management account', async () => {
    const { member } = await sdk.orgWithMember();
    const access = iam(emu.credentials(member));
    const role = (await access.send(new GetRoleCommand({ RoleName: 'OrganizationAccountAccessRole' }))).Role!;
    expect(JSON.parse(decodeURIComponent(role.AssumeRolePolicyDocument!)).Statement[0].Principal).toEqual({
      AWS: [`arn:aws:iam::${ME}:root`],
    });
    expect(
      (
        await access.send(new ListAttachedRolePoliciesCommand({ RoleName: 'OrganizationAccountAccessRole' }))
      ).AttachedPolicies!.map((p) => p.PolicyArn),
    ).toEqual([ADMIN]);
  });
});

describe('sts:AssumeRole follows the trust policy', () => {
  it('an account principal, a role principal, then nobody once the trust policy is rewritten; and a rewritten trust lets its new principal in', async () => {
    const { member } = await sdk.orgWithMember();
    const accessCreds = emu.credentials(member);
    const access = iam(accessCreds);
    // The management account's IAM user assumes the access role (trusts the management account).
    const viaMgmt = await assume(`arn:aws:iam::${member}:role/OrganizationAccountAccessRole`);
    expect(viaMgmt.AssumedRoleUser!.Arn).toBe(`arn:aws:sts::${member}:assumed-role/OrganizationAccountAccessRole/ss`);
    // A member role that trusts only the access role.
    await access.send(
      new CreateRoleCommand({
        RoleName: 'Ops',
        AssumeRolePolicyDocument: trust(`arn:aws:iam::${member}:role/OrganizationAccountAccessRole`),
      }),
    );
    const ops = asCreds((await assume(`arn:aws:iam::${member}:role/Ops`, accessCreds)).Credentials);
    expect((await sts(ops).send(new GetCallerIdentityCommand({}))).Arn).toBe(
      `arn:aws:sts::${member}:assumed-role/Ops/ss`,
    );
    expect(await errorOf(assume(`arn:aws:iam::${member}:role/Ops`))).toMatchObject({
      name: 'AccessDenied',
      status: 403,
    });
    // Whoever may change a trust policy decides who gets in: the takeover the guardrails prevent.
    await access.send(
      new UpdateAssumeRolePolicyCommand({
        RoleName: 'OrganizationAccountAccessRole',
        PolicyDocument: trust(`arn:aws:iam::${member}:role/Ops`),
      }),
    );
    expect(await errorOf(assume(`arn:aws:iam::${member}:role/OrganizationAccountAccessRole`))).toMatchObject({
      name: 'AccessDenied',
    });
    expect(
      (await assume(`arn:aws:iam::${member}:role/OrganizationAccountAccessRole`, ops)).AssumedRoleUser!.Arn,
    ).toMatch(/OrganizationAccountAccessRole/);
  });
});

describe('users and long-term credentials', () => {
  it('CreateUser, a working access key (at most two), a login profile once', async () => {
    await iam().send(new CreateUserCommand({ UserName: 'ci' }));
    expect(await errorOf(iam().send(new CreateUserCommand({ UserName: 'CI' })))).toMatchObject({
      name: 'EntityAlreadyExistsException',
      status: 409,
    });
    const key = (await iam().send(new CreateAccessKeyCommand({ UserName: 'ci' }))).AccessKey!;
    expect(key.AccessKeyId).toMatch(/^AKIA/);
    expect(
      (
        await sts({ accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! }).send(
          new GetCallerIdentityCommand({}),
        )
      ).Arn,
    ).toBe(`arn:aws:iam::${ME}:user/ci`);
    await iam().send(new CreateAccessKeyCommand({ UserName: 'ci' }));
    expect(await errorOf(iam().send(new CreateAccessKeyCommand({ UserName: 'ci' })))).toMatchObject({
      name: 'LimitExceededException',
      status: 409,
    });
    await iam().send(new CreateLoginProfileCommand({ UserName: 'ci', Password: 'correct-Horse-battery-9' }));
    expect(await errorOf(iam().send(new CreateLoginProfileCommand({ UserName: 'ci', Password: 'x' })))).toMatchObject({
      name: 'EntityAlreadyExistsException',
    });
    expect((await iam().send(new GetUserCommand({ UserName: 'ci' }))).User!.Arn).toBe(`arn:aws:iam::${ME}:user/ci`);
    expect(await errorOf(iam().send(new CreateAccessKeyCommand({ UserName: 'nobody' })))).toMatchObject({
      name: 'NoSuchEntityException',
      status: 404,
    });
  });
});
