// Service control policies enforced by the emulator, through the real SDK clients: every call
// made inside a member account is evaluated against the SCPs on its path (root → OUs →
// account), with AWS's rules — at every level something must Allow, an explicit Deny anywhere
// wins, the management account is never restricted — and refused with the service's own
// AccessDenied code and AWS's SCP wording.
import { describe, expect, it } from 'vitest';
import { CreateTrailCommand, CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import {
  DisableEbsEncryptionByDefaultCommand,
  EC2Client,
  EnableEbsEncryptionByDefaultCommand,
  GetEbsEncryptionByDefaultCommand,
} from '@aws-sdk/client-ec2';
import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  EnableOrganizationsRootSessionsCommand,
  GetRoleCommand,
  IAMClient,
  ListAccessKeysCommand,
} from '@aws-sdk/client-iam';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import {
  AttachPolicyCommand,
  CreateOrganizationalUnitCommand,
  CreatePolicyCommand,
  DetachPolicyCommand,
  LeaveOrganizationCommand,
  ListRootsCommand,
  MoveAccountCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import {
  CreateBucketCommand,
  DeleteObjectsCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { AssumeRoleCommand, AssumeRootCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { SECRET_ACCESS_KEY } from '../../emulator/world.js';
import { asCreds, errorOf, useEmulator, type Creds } from '../helpers/emulator-sdk.js';

const sdk = useEmulator();
const { emu } = sdk;

const orgs = () => sdk.client(OrganizationsClient);
const ec2 = (credentials?: Creds, region = 'eu-west-1') => sdk.client(EC2Client, { credentials, region });
const iam = (credentials?: Creds) => sdk.client(IAMClient, { credentials });
const s3 = (credentials?: Creds) => sdk.client(S3Client, { credentials, region: 'eu-west-1', forcePathStyle: true });

const EXPLICIT = /with an explicit deny in a service control policy$/;
const doc = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });

/** An SCP attached to `target` (default: the root). */
async function attach(content: string, target?: string): Promise<string> {
  const o = orgs();
  const id = (
    await o.send(
      new CreatePolicyCommand({
        Name: `p${Math.random().toString(36).slice(2, 8)}`,
        Description: 't',
        Type: 'SERVICE_CONTROL_POLICY',
        Content: content,
      }),
    )
  ).Policy!.PolicySummary!.Id!;
  const root = (await o.send(new ListRootsCommand({}))).Roots![0]!.Id!;
  await o.send(new AttachPolicyCommand({ PolicyId: id, TargetId: target ?? root }));
  return id;
}

/** A role in the member (trusting the member account) and a session of it, made through the access role. */
async function roleSession(member: string, name = 'Developer'): Promise<Creds> {
  const access = emu.credentials(member);
  const trust = doc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${member}:root` }, Action: 'sts:AssumeRole' });
  await iam(access).send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trust }));
  await iam(access).send(
    new AttachRolePolicyCommand({ RoleName: name, PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }),
  );
  const r = await sdk
    .client(STSClient, { credentials: access })
    .send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${member}:role/${name}`, RoleSessionName: 'mallory' }));
  return asCreds(r.Credentials);
}

describe('service control policies', () => {
  it('with FullAWSAccess only, member principals may do anything', async () => {
    const { member } = await sdk.orgWithMember();
    const dev = await roleSession(member);
    expect((await ec2(dev).send(new EnableEbsEncryptionByDefaultCommand({}))).EbsEncryptionByDefault).toBe(true);
  });

  it("an explicit Deny on the root refuses members with each service's own code and the SCP wording; the management account is exempt", async () => {
    const { member } = await sdk.orgWithMember();
    const dev = await roleSession(member);
    await attach(
      doc({
        Effect: 'Deny',
        Action: [
          'ec2:DisableEbsEncryptionByDefault',
          'iam:CreateRole',
          's3:CreateBucket',
          'cloudtrail:CreateTrail',
          'organizations:LeaveOrganization',
          'kms:CreateKey',
        ],
        Resource: '*',
      }),
    );
    const cases: [() => Promise<unknown>, string, number][] = [
      [() => ec2(dev).send(new DisableEbsEncryptionByDefaultCommand({})), 'UnauthorizedOperation', 403],
      [
        () =>
          iam(dev).send(
            new CreateRoleCommand({
              RoleName: 'x',
              AssumeRolePolicyDocument: doc({ Effect: 'Allow', Principal: { AWS: member }, Action: 'sts:AssumeRole' }),
            }),
          ),
        'AccessDenied',
        403,
      ],
      [
        () =>
          s3(dev).send(
            new CreateBucketCommand({
              Bucket: 'mallory-bucket',
              CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' },
            }),
          ),
        'AccessDenied',
        403,
      ],
      [
        () =>
          sdk
            .client(CloudTrailClient, { credentials: dev, region: 'eu-west-1' })
            .send(new CreateTrailCommand({ Name: 'shadow', S3BucketName: 'b' })),
        'AccessDeniedException',
        400,
      ],
      [
        () => sdk.client(OrganizationsClient, { credentials: dev }).send(new LeaveOrganizationCommand({})),
        'AccessDeniedException',
        400,
      ],
      [
        () => sdk.client(KMSClient, { credentials: dev, region: 'eu-west-1' }).send(new CreateKeyCommand({})),
        'AccessDeniedException',
        400,
      ],
    ];
    for (const [call, name, status] of cases) {
      const e = await errorOf(call());
      expect(e, name).toMatchObject({ name, status });
      expect(e.message).toMatch(EXPLICIT);
      expect(e.message).toMatch(`assumed-role/Developer/mallory`);
    }
    expect(
      (await errorOf(iam(dev).send(new CreateRoleCommand({ RoleName: 'x', AssumeRolePolicyDocument: '{}' })))).message,
    ).toBe(
      `User: arn:aws:sts::${member}:assumed-role/Developer/mallory is not authorized to perform: iam:CreateRole on resource: arn:aws:iam::${member}:role/x with an explicit deny in a service control policy`,
    );
    // The management account: SCPs never apply.
    await ec2().send(new EnableEbsEncryptionByDefaultCommand({}));
    await iam().send(
      new CreateRoleCommand({
        RoleName: 'Mgmt',
        AssumeRolePolicyDocument: doc({ Effect: 'Allow', Principal: { AWS: member }, Action: 'sts:AssumeRole' }),
      }),
    );
    // Refused calls are logged with their code and changed nothing.
    const refused = emu.calls({ account: member, operation: 'CreateRole' }).filter((c) => c.errorCode);
    expect(refused.map((c) => [c.status, c.errorCode])).toEqual([
      [403, 'AccessDenied'],
      [403, 'AccessDenied'],
    ]);
    expect(await errorOf(iam(emu.credentials(member)).send(new GetRoleCommand({ RoleName: 'x' })))).toMatchObject({
      status: 404,
    });
  });

  it('every level must allow: an OU whose SCPs allow only EC2 implicitly denies the rest ("no service control policy allows")', async () => {
    const { member } = await sdk.orgWithMember();
    const o = orgs();
    const root = (await o.send(new ListRootsCommand({}))).Roots![0]!.Id!;
    const ou = (await o.send(new CreateOrganizationalUnitCommand({ ParentId: root, Name: 'Sandbox' })))
      .OrganizationalUnit!.Id!;
    await o.send(new MoveAccountCommand({ AccountId: member, SourceParentId: root, DestinationParentId: ou }));
    await attach(doc({ Effect: 'Allow', Action: 'ec2:*', Resource: '*' }), ou);
    await o.send(new DetachPolicyCommand({ PolicyId: 'p-FullAWSAccess', TargetId: ou }));
    const access = emu.credentials(member);
    expect((await ec2(access).send(new GetEbsEncryptionByDefaultCommand({}))).EbsEncryptionByDefault).toBe(false);
    const e = await errorOf(iam(access).send(new ListAccessKeysCommand({ UserName: 'nobody' })));
    expect(e).toMatchObject({ name: 'AccessDenied', status: 403 });
    expect(e.message).toBe(
      `User: arn:aws:sts::${member}:assumed-role/OrganizationAccountAccessRole/emulator is not authorized to perform: iam:ListAccessKeys on resource: arn:aws:iam::${member}:user/nobody because no service control policy allows the iam:ListAccessKeys action`,
    );
  });

  it('NotAction with aws:RequestedRegion (a region guard): regional services outside the list are denied, listed regions and global services are not', async () => {
    const { member } = await sdk.orgWithMember();
    await attach(
      doc({
        Effect: 'Deny',
        NotAction: ['iam:*', 'sts:*', 'organizations:*'],
        Resource: '*',
        Condition: { StringNotEquals: { 'aws:RequestedRegion': ['eu-west-1', 'us-east-1'] } },
      }),
    );
    const access = emu.credentials(member);
    await ec2(access, 'eu-west-1').send(new GetEbsEncryptionByDefaultCommand({}));
    await ec2(access, 'us-east-1').send(new GetEbsEncryptionByDefaultCommand({}));
    const e = await errorOf(ec2(access, 'us-west-2').send(new GetEbsEncryptionByDefaultCommand({})));
    expect(e).toMatchObject({ name: 'UnauthorizedOperation', status: 403 });
    expect(e.message).toMatch(
      /^You are not authorized to perform this operation\. User: .* ec2:GetEbsEncryptionByDefault with an explicit deny/,
    );
    await iam(access).send(new GetRoleCommand({ RoleName: 'OrganizationAccountAccessRole' }));
  });

  it('Resource and NotResource with wildcards, and ArnNotLike on aws:PrincipalArn (an assumed-role session counts as its role)', async () => {
    const { member } = await sdk.orgWithMember();
    const dev = await roleSession(member);
    const access = emu.credentials(member);
    await attach(
      doc(
        {
          Sid: 'Logs',
          Effect: 'Deny',
          Action: 's3:PutBucketPolicy',
          Resource: 'arn:aws:s3:::logs-*',
          Condition: { ArnNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/OrganizationAccountAccessRole' } },
        },
        {
          Sid: 'OnlyLogsVersioning',
          Effect: 'Deny',
          Action: 's3:PutBucketVersioning',
          NotResource: 'arn:aws:s3:::logs-*',
        },
      ),
    );
    for (const b of ['logs-1', 'data-1'])
      await s3(access).send(
        new CreateBucketCommand({ Bucket: b, CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }),
      );
    const policy = (b: string) => ({
      Bucket: b,
      Policy: doc({
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: `arn:aws:s3:::${b}/*`,
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    });
    expect((await errorOf(s3(dev).send(new PutBucketPolicyCommand(policy('logs-1'))))).message).toMatch(
      /s3:PutBucketPolicy on resource: arn:aws:s3:::logs-1 with an explicit deny/,
    );
    await s3(dev).send(new PutBucketPolicyCommand(policy('data-1')));
    await s3(access).send(new PutBucketPolicyCommand(policy('logs-1'))); // the exempted role
    await s3(dev).send(
      new PutBucketVersioningCommand({ Bucket: 'logs-1', VersioningConfiguration: { Status: 'Enabled' } }),
    );
    expect(
      (
        await errorOf(
          s3(dev).send(
            new PutBucketVersioningCommand({ Bucket: 'data-1', VersioningConfiguration: { Status: 'Enabled' } }),
          ),
        )
      ).name,
    ).toBe('AccessDenied');
  });

  it('the member root user is denied by ArnLike + BoolIfExists aws:AssumedRoot, an sts:AssumeRoot session is not', async () => {
    const { member } = await sdk.orgWithMember({ trust: 'iam.amazonaws.com' });
    await iam().send(new EnableOrganizationsRootSessionsCommand({}));
    await attach(
      doc({
        Effect: 'Deny',
        Action: '*',
        Resource: '*',
        Condition: {
          ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:root' },
          BoolIfExists: { 'aws:AssumedRoot': 'false' },
        },
      }),
    );
    const session = await sdk.client(STSClient).send(
      new AssumeRootCommand({
        TargetPrincipal: member,
        TaskPolicyArn: { arn: 'arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials' },
      }),
    );
    expect((await iam(asCreds(session.Credentials)).send(new ListAccessKeysCommand({}))).AccessKeyMetadata).toEqual([]);
    // Someone has the member's root password and made an access key: everything is refused.
    emu.world.addCredentials({
      accessKeyId: 'AKIAMEMBERROOT000001',
      secretAccessKey: SECRET_ACCESS_KEY,
      accountId: member,
      principal: { type: 'root', accountId: member },
    });
    const root = { accessKeyId: 'AKIAMEMBERROOT000001', secretAccessKey: SECRET_ACCESS_KEY };
    const e = await errorOf(ec2(root).send(new GetEbsEncryptionByDefaultCommand({})));
    expect(e.message).toMatch(new RegExp(`User: arn:aws:iam::${member}:root is not authorized .* explicit deny`));
    // GetCallerIdentity needs no permission and no SCP can deny it.
    expect((await sdk.client(STSClient, { credentials: root }).send(new GetCallerIdentityCommand({}))).Arn).toBe(
      `arn:aws:iam::${member}:root`,
    );
  });

  it('DeleteObjects is authorized key by key: a denied key comes back as an AccessDenied error, the others are deleted', async () => {
    const { member } = await sdk.orgWithMember();
    const dev = await roleSession(member);
    await attach(
      doc({
        Effect: 'Deny',
        Action: ['s3:DeleteObject', 's3:DeleteObjectVersion'],
        Resource: 'arn:aws:s3:::logs-1/AWSLogs/*',
      }),
    );
    await s3(dev).send(
      new CreateBucketCommand({ Bucket: 'logs-1', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }),
    );
    for (const Key of ['AWSLogs/a.json', 'tmp/b.json'])
      await s3(dev).send(new PutObjectCommand({ Bucket: 'logs-1', Key, Body: '{}' }));
    const r = await s3(dev).send(
      new DeleteObjectsCommand({
        Bucket: 'logs-1',
        Delete: { Objects: [{ Key: 'AWSLogs/a.json' }, { Key: 'tmp/b.json' }] },
      }),
    );
    expect(r.Deleted!.map((d) => d.Key)).toEqual(['tmp/b.json']);
    expect(r.Errors!.map((x) => [x.Key, x.Code])).toEqual([['AWSLogs/a.json', 'AccessDenied']]);
    expect(r.Errors![0]!.Message).toMatch(EXPLICIT);
  });

  it('a condition operator the evaluator does not know fails loudly (500 naming it), never allows silently', async () => {
    const { member } = await sdk.orgWithMember();
    await attach(
      doc({
        Effect: 'Deny',
        Action: 'ec2:*',
        Resource: '*',
        Condition: { DateGreaterThan: { 'aws:CurrentTime': '2020-01-01T00:00:00Z' } },
      }),
    );
    const e = await errorOf(ec2(emu.credentials(member)).send(new GetEbsEncryptionByDefaultCommand({})));
    expect(e).toMatchObject({ name: 'InternalError', status: 500 });
    expect(e.message).toMatch(/DateGreaterThan is not implemented/);
  });
});
