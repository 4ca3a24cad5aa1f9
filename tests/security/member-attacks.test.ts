// Every guardrail claim, attacked. After one bootstrap (basic.json with the region guard on),
// an administrator of each member account — a role with AdministratorAccess made there, and
// the founder's own Identity Center admin session — tries what the plan, README and verify say
// cannot be done. The emulator enforces the SCPs as AWS documents them; each attempt must be
// refused by an SCP, and afterwards `verify` finds nothing changed. Then: secure-start still
// works through OrganizationAccountAccessRole with every guardrail on (re-run, verify, repairs,
// including in a region the guard closes). Last, the limit the text states: the management
// account is not restricted by SCPs.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  CloudTrailClient,
  GetTrailStatusCommand,
  StopLoggingCommand,
  DeleteTrailCommand,
  UpdateTrailCommand,
  PutEventSelectorsCommand,
} from '@aws-sdk/client-cloudtrail';
import { DisableEbsEncryptionByDefaultCommand, EC2Client, GetEbsEncryptionByDefaultCommand } from '@aws-sdk/client-ec2';
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
  IAMClient,
  ListRolesCommand,
  PutRolePermissionsBoundaryCommand,
  PutRolePolicyCommand,
  TagRoleCommand,
  UpdateAssumeRolePolicyCommand,
  UpdateRoleCommand,
} from '@aws-sdk/client-iam';
import {
  DeleteAliasCommand,
  DisableKeyCommand,
  DisableKeyRotationCommand,
  KMSClient,
  PutKeyPolicyCommand,
  ScheduleKeyDeletionCommand,
  UpdateAliasCommand,
} from '@aws-sdk/client-kms';
import {
  DetachPolicyCommand,
  LeaveOrganizationCommand,
  OrganizationsClient,
  UpdatePolicyCommand,
} from '@aws-sdk/client-organizations';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteBucketEncryptionCommand,
  DeleteBucketLifecycleCommand,
  DeleteBucketPolicyCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  DeletePublicAccessBlockCommand,
  GetObjectCommand,
  ListBucketsCommand,
  PutBucketEncryptionCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutObjectLockConfigurationCommand,
  PutPublicAccessBlockCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  DeletePublicAccessBlockCommand as DeleteAccountPublicAccessBlockCommand,
  PutPublicAccessBlockCommand as PutAccountPublicAccessBlockCommand,
  S3ControlClient,
} from '@aws-sdk/client-s3-control';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { explain, runCli } from '../helpers/harness.js';
import { SECRET_ACCESS_KEY } from '../../emulator/world.js';
import { renderTemplate } from '../../templates/render.js';
import {
  ACCESS_ROLE,
  ADMIN_POLICY,
  HOME,
  MGMT,
  TRAIL_ARN,
  bootstrap,
  cleanup,
  client,
  deniedBySCP,
  identityCenterAdmin,
  memberAdmin,
  refused,
  store,
  type Built,
  type Creds,
} from './attack-kit.js';

let b: Built;
const MEMBERS = ['log-archive', 'audit', 'prod', 'dev'] as const;
const admins: Record<string, Creds> = {};
/** A log file CloudTrail delivered (drift deliver-log), with its version. */
let log: { key: string; versionId: string };
let keyArn: string;

beforeAll(async () => {
  b = await bootstrap((c) => {
    c.scps = { regionGuard: true };
  });
  for (const m of MEMBERS) admins[m] = await memberAdmin(b, b.ids[m]!);
  log = b.emu.drift('cloudtrail', 'deliver-log', { name: 'acme-robotics-org-trail' }) as typeof log;
  keyArn =
    (b.emu.state() as any).stores[b.ids['log-archive']!].kms.keys &&
    Object.values<any>((b.emu.state() as any).stores[b.ids['log-archive']!].kms.keys)[0].arn;
}, 120_000);
afterAll(() => cleanup(b));

const org = () => Object.values<any>((b.emu.state() as any).orgs)[0];
const s3 = (c: Creds | undefined, region = HOME) => client(b, S3Client, c, region, { forcePathStyle: true });
const s3c = (c: Creds | undefined) =>
  client(b, S3ControlClient, c, HOME, { endpointProvider: () => ({ url: new URL(b.emu.url) }) });

describe('what secure-start sent', () => {
  test('each SCP as created is at most 5,120 characters, and no target has more than 5 SCPs (FullAWSAccess included)', () => {
    const o = org();
    const sent = b.emu.calls({ service: 'organizations', operation: 'CreatePolicy' });
    expect(sent.map((c) => c.errorCode)).toEqual([null, null, null]);
    const ours = Object.values<any>(o.policies);
    expect(ours.map((p) => p.name).sort()).toEqual([
      'secure-start-guardrails',
      'secure-start-log-protection',
      'secure-start-region-guard',
    ]);
    for (const p of ours) expect(p.content.length, p.name).toBeLessThanOrEqual(5120);
    const perTarget = new Map<string, number>();
    for (const [, targets] of Object.entries<string[]>(o.attachments))
      for (const t of targets) perTarget.set(t, (perTarget.get(t) ?? 0) + 1);
    expect(Math.max(...perTarget.values())).toBeLessThanOrEqual(5);
    expect(perTarget.get(o.root.id)).toBe(3); // FullAWSAccess, guardrails, region guard
  });

  test('the guardrails SCP protects OrganizationAccountAccessRole itself (the Control Tower pattern)', () => {
    const guardrails = Object.values<any>(org().policies).find((p) => p.name === 'secure-start-guardrails');
    const s = JSON.parse(guardrails.content).Statement.find((x: any) => x.Sid === 'ProtectAccessRole');
    expect(s).toMatchObject({
      Effect: 'Deny',
      Resource: `arn:aws:iam::*:role/${ACCESS_ROLE}`,
      Condition: { ArnNotLike: { 'aws:PrincipalArn': `arn:aws:iam::*:role/${ACCESS_ROLE}` } },
    });
    expect(s.Action).toEqual(
      expect.arrayContaining([
        'iam:UpdateAssumeRolePolicy',
        'iam:AttachRolePolicy',
        'iam:PutRolePolicy',
        'iam:DeleteRole',
        'iam:CreateRole',
        'iam:DetachRolePolicy',
        'iam:PutRolePermissionsBoundary',
        'iam:TagRole',
      ]),
    );
    expect(guardrails.content).toBe(renderTemplate('scp-guardrails', { accessRole: ACCESS_ROLE }));
  });
});

describe.concurrent('a member account administrator is refused', () => {
  for (const m of MEMBERS) {
    test(`${m}: stop, delete or change the organization trail`, async () => {
      const ct = client(b, CloudTrailClient, admins[m]);
      await deniedBySCP('StopLogging', 'AccessDeniedException', () =>
        ct.send(new StopLoggingCommand({ Name: TRAIL_ARN })),
      );
      await deniedBySCP('DeleteTrail', 'AccessDeniedException', () =>
        ct.send(new DeleteTrailCommand({ Name: TRAIL_ARN })),
      );
      await deniedBySCP('UpdateTrail', 'AccessDeniedException', () =>
        ct.send(new UpdateTrailCommand({ Name: TRAIL_ARN, EnableLogFileValidation: false })),
      );
      await deniedBySCP('PutEventSelectors', 'AccessDeniedException', () =>
        ct.send(
          new PutEventSelectorsCommand({ TrailName: TRAIL_ARN, EventSelectors: [{ ReadWriteType: 'ReadOnly' }] }),
        ),
      );
    });

    test(`${m}: leave the organization, or touch the SCPs`, async () => {
      const o = client(b, OrganizationsClient, admins[m]);
      await deniedBySCP('LeaveOrganization', 'AccessDeniedException', () => o.send(new LeaveOrganizationCommand({})));
      // Only the management account manages policies: AWS refuses it before any SCP.
      const guardrails = Object.values<any>(org().policies).find((p) => p.name === 'secure-start-guardrails').id;
      expect(
        (
          await refused('DetachPolicy', () =>
            o.send(new DetachPolicyCommand({ PolicyId: guardrails, TargetId: org().root.id })),
          )
        ).name,
      ).toBe('AccessDeniedException');
      expect(
        (
          await refused('UpdatePolicy', () =>
            o.send(
              new UpdatePolicyCommand({
                PolicyId: guardrails,
                Content: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}',
              }),
            ),
          )
        ).name,
      ).toBe('AccessDeniedException');
    });

    test(`${m}: create an IAM user, an access key or a login profile`, async () => {
      const iam = client(b, IAMClient, admins[m]);
      await deniedBySCP('CreateUser', 'AccessDenied', () => iam.send(new CreateUserCommand({ UserName: 'backdoor' })));
      // A user made before the guardrails (here by the exempted access role) gets no key or password either.
      await client(b, IAMClient, b.emu.credentials(b.ids[m]!)).send(new CreateUserCommand({ UserName: `legacy-${m}` }));
      await deniedBySCP('CreateAccessKey', 'AccessDenied', () =>
        iam.send(new CreateAccessKeyCommand({ UserName: `legacy-${m}` })),
      );
      await deniedBySCP('CreateLoginProfile', 'AccessDenied', () =>
        iam.send(new CreateLoginProfileCommand({ UserName: `legacy-${m}`, Password: 'Correct-horse-battery-9' })),
      );
    });

    test(`${m}: turn off account-level S3 Block Public Access or EBS default encryption`, async () => {
      const id = b.ids[m]!;
      await deniedBySCP('PutPublicAccessBlock (account)', 'AccessDenied', () =>
        s3c(admins[m]).send(
          new PutAccountPublicAccessBlockCommand({
            AccountId: id,
            PublicAccessBlockConfiguration: {
              BlockPublicAcls: false,
              IgnorePublicAcls: false,
              BlockPublicPolicy: false,
              RestrictPublicBuckets: false,
            },
          }),
        ),
      );
      await deniedBySCP('DeletePublicAccessBlock (account)', 'AccessDenied', () =>
        s3c(admins[m]).send(new DeleteAccountPublicAccessBlockCommand({ AccountId: id })),
      );
      for (const region of [HOME, 'us-east-1', 'us-west-2']) {
        await deniedBySCP(`DisableEbsEncryptionByDefault ${region}`, 'UnauthorizedOperation', () =>
          client(b, EC2Client, admins[m], region).send(new DisableEbsEncryptionByDefaultCommand({})),
        );
      }
    });

    test(`${m}: use a region outside the guard (global services and allowed regions still work)`, async () => {
      await deniedBySCP('CreateBucket in ap-south-1', 'AccessDenied', () =>
        s3(admins[m], 'ap-south-1').send(
          new CreateBucketCommand({
            Bucket: `mallory-${m}-ap`,
            CreateBucketConfiguration: { LocationConstraint: 'ap-south-1' },
          }),
        ),
      );
      await deniedBySCP('EC2 in us-west-2', 'UnauthorizedOperation', () =>
        client(b, EC2Client, admins[m], 'us-west-2').send(new GetEbsEncryptionByDefaultCommand({})),
      );
      // Not a blanket ban: the allowed regions and the global services answer.
      await s3(admins[m], 'us-east-1').send(new CreateBucketCommand({ Bucket: `mallory-${m}-us` }));
      expect(
        (await client(b, IAMClient, admins[m], 'ap-south-1').send(new GetRoleCommand({ RoleName: ACCESS_ROLE }))).Role!
          .RoleName,
      ).toBe(ACCESS_ROLE);
    });

    test(`${m}: take over OrganizationAccountAccessRole (trust policy, policies, boundary, tags, delete and recreate)`, async () => {
      const id = b.ids[m]!;
      const iam = client(b, IAMClient, admins[m]);
      const mine = JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${id}:role/Mallory` }, Action: 'sts:AssumeRole' },
        ],
      });
      const R = ACCESS_ROLE;
      await deniedBySCP('UpdateAssumeRolePolicy', 'AccessDenied', () =>
        iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: R, PolicyDocument: mine })),
      );
      await deniedBySCP('AttachRolePolicy', 'AccessDenied', () =>
        iam.send(new AttachRolePolicyCommand({ RoleName: R, PolicyArn: 'arn:aws:iam::aws:policy/IAMFullAccess' })),
      );
      await deniedBySCP('DetachRolePolicy', 'AccessDenied', () =>
        iam.send(new DetachRolePolicyCommand({ RoleName: R, PolicyArn: ADMIN_POLICY })),
      );
      await deniedBySCP('PutRolePolicy', 'AccessDenied', () =>
        iam.send(
          new PutRolePolicyCommand({
            RoleName: R,
            PolicyName: 'x',
            PolicyDocument: '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}',
          }),
        ),
      );
      await deniedBySCP('DeleteRolePolicy', 'AccessDenied', () =>
        iam.send(new DeleteRolePolicyCommand({ RoleName: R, PolicyName: 'x' })),
      );
      await deniedBySCP('PutRolePermissionsBoundary', 'AccessDenied', () =>
        iam.send(
          new PutRolePermissionsBoundaryCommand({
            RoleName: R,
            PermissionsBoundary: 'arn:aws:iam::aws:policy/ReadOnlyAccess',
          }),
        ),
      );
      await deniedBySCP('TagRole', 'AccessDenied', () =>
        iam.send(new TagRoleCommand({ RoleName: R, Tags: [{ Key: 'owner', Value: 'mallory' }] })),
      );
      await deniedBySCP('UpdateRole', 'AccessDenied', () =>
        iam.send(new UpdateRoleCommand({ RoleName: R, Description: 'mine' })),
      );
      await deniedBySCP('DeleteRole', 'AccessDenied', () => iam.send(new DeleteRoleCommand({ RoleName: R })));
      await deniedBySCP('CreateRole (recreate)', 'AccessDenied', () =>
        iam.send(new CreateRoleCommand({ RoleName: R, AssumeRolePolicyDocument: mine })),
      );
      // The attacker cannot assume it either; the management account still can.
      expect(
        (
          await refused('AssumeRole', () =>
            client(b, STSClient, admins[m]).send(
              new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${id}:role/${R}`, RoleSessionName: 'xx' }),
            ),
          )
        ).name,
      ).toBe('AccessDenied');
      expect(
        (
          await client(b, STSClient, undefined).send(
            new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${id}:role/${R}`, RoleSessionName: 'still-mine' }),
          )
        ).AssumedRoleUser!.Arn,
      ).toContain(R);
    });
  }

  test('log-archive: delete or rewrite the log bucket, its policy or its settings', async () => {
    const a = s3(admins['log-archive']);
    const B = b.bucket;
    await deniedBySCP('DeleteBucket', 'AccessDenied', () => a.send(new DeleteBucketCommand({ Bucket: B })));
    await deniedBySCP('PutBucketPolicy', 'AccessDenied', () =>
      a.send(
        new PutBucketPolicyCommand({
          Bucket: B,
          Policy: JSON.stringify({
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${B}/*` }],
          }),
        }),
      ),
    );
    await deniedBySCP('DeleteBucketPolicy', 'AccessDenied', () => a.send(new DeleteBucketPolicyCommand({ Bucket: B })));
    await deniedBySCP('PutBucketLifecycleConfiguration', 'AccessDenied', () =>
      a.send(
        new PutBucketLifecycleConfigurationCommand({
          Bucket: B,
          LifecycleConfiguration: {
            Rules: [{ ID: 'wipe', Status: 'Enabled', Filter: { Prefix: '' }, Expiration: { Days: 1 } }],
          },
        }),
      ),
    );
    await deniedBySCP('DeleteBucketLifecycle', 'AccessDenied', () =>
      a.send(new DeleteBucketLifecycleCommand({ Bucket: B })),
    );
    await deniedBySCP('PutBucketVersioning Suspended', 'AccessDenied', () =>
      a.send(new PutBucketVersioningCommand({ Bucket: B, VersioningConfiguration: { Status: 'Suspended' } })),
    );
    await deniedBySCP('PutBucketEncryption', 'AccessDenied', () =>
      a.send(
        new PutBucketEncryptionCommand({
          Bucket: B,
          ServerSideEncryptionConfiguration: {
            Rules: [
              {
                ApplyServerSideEncryptionByDefault: {
                  SSEAlgorithm: 'aws:kms',
                  KMSMasterKeyID: 'arn:aws:kms:eu-west-1:999999999999:key/attacker',
                },
              },
            ],
          },
        }),
      ),
    );
    await deniedBySCP('DeleteBucketEncryption', 'AccessDenied', () =>
      a.send(new DeleteBucketEncryptionCommand({ Bucket: B })),
    );
    await deniedBySCP('PutPublicAccessBlock (bucket)', 'AccessDenied', () =>
      a.send(
        new PutPublicAccessBlockCommand({
          Bucket: B,
          PublicAccessBlockConfiguration: {
            BlockPublicAcls: false,
            IgnorePublicAcls: false,
            BlockPublicPolicy: false,
            RestrictPublicBuckets: false,
          },
        }),
      ),
    );
    await deniedBySCP('DeletePublicAccessBlock (bucket)', 'AccessDenied', () =>
      a.send(new DeletePublicAccessBlockCommand({ Bucket: B })),
    );
    await deniedBySCP('PutBucketOwnershipControls', 'AccessDenied', () =>
      a.send(
        new PutBucketOwnershipControlsCommand({
          Bucket: B,
          OwnershipControls: { Rules: [{ ObjectOwnership: 'ObjectWriter' }] },
        }),
      ),
    );
    await deniedBySCP('PutObjectLockConfiguration', 'AccessDenied', () =>
      a.send(
        new PutObjectLockConfigurationCommand({ Bucket: B, ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled' } }),
      ),
    );
  });

  test('log-archive: delete, hide or overwrite a log file CloudTrail delivered', async () => {
    const a = s3(admins['log-archive']);
    const B = b.bucket;
    await deniedBySCP('DeleteObject (delete marker)', 'AccessDenied', () =>
      a.send(new DeleteObjectCommand({ Bucket: B, Key: log.key })),
    );
    await deniedBySCP('DeleteObject version', 'AccessDenied', () =>
      a.send(new DeleteObjectCommand({ Bucket: B, Key: log.key, VersionId: log.versionId })),
    );
    await deniedBySCP('PutObject over the log file', 'AccessDenied', () =>
      a.send(new PutObjectCommand({ Bucket: B, Key: log.key, Body: '{"Records":[]}' })),
    );
    const r = await a.send(
      new DeleteObjectsCommand({
        Bucket: B,
        Delete: { Objects: [{ Key: log.key }, { Key: log.key, VersionId: log.versionId }] },
      }),
    );
    expect(r.Deleted ?? []).toEqual([]);
    expect(r.Errors!.map((e) => e.Code)).toEqual(['AccessDenied', 'AccessDenied']);
    expect(r.Errors!.every((e) => /explicit deny in a service control policy$/.test(e.Message!))).toBe(true);
  });

  test("log-archive: disable, delete, re-policy or stop rotating the logs' KMS key", async () => {
    const k = client(b, KMSClient, admins['log-archive']);
    await deniedBySCP('ScheduleKeyDeletion', 'AccessDeniedException', () =>
      k.send(new ScheduleKeyDeletionCommand({ KeyId: keyArn, PendingWindowInDays: 7 })),
    );
    await deniedBySCP('DisableKey', 'AccessDeniedException', () => k.send(new DisableKeyCommand({ KeyId: keyArn })));
    await deniedBySCP('PutKeyPolicy', 'AccessDeniedException', () =>
      k.send(
        new PutKeyPolicyCommand({
          KeyId: keyArn,
          PolicyName: 'default',
          Policy: JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { AWS: `arn:aws:iam::${b.ids['log-archive']}:root` },
                Action: 'kms:*',
                Resource: '*',
              },
            ],
          }),
        }),
      ),
    );
    await deniedBySCP('DisableKeyRotation', 'AccessDeniedException', () =>
      k.send(new DisableKeyRotationCommand({ KeyId: keyArn })),
    );
    await deniedBySCP('DeleteAlias', 'AccessDeniedException', () =>
      k.send(new DeleteAliasCommand({ AliasName: 'alias/acme-robotics-org-trail' })),
    );
    await deniedBySCP('UpdateAlias', 'AccessDeniedException', () =>
      k.send(new UpdateAliasCommand({ AliasName: 'alias/acme-robotics-org-trail', TargetKeyId: keyArn })),
    );
  });

  test("the founder's own Identity Center AdministratorAccess session in log-archive is refused too", async () => {
    const sso = await identityCenterAdmin(b, b.ids['log-archive']!);
    expect((await client(b, STSClient, sso).send(new GetCallerIdentityCommand({}))).Arn).toMatch(
      /assumed-role\/AWSReservedSSO_AdministratorAccess_[0-9a-f]{16}\/ada@acme\.example$/,
    );
    await deniedBySCP('DeleteBucketPolicy', 'AccessDenied', () =>
      s3(sso).send(new DeleteBucketPolicyCommand({ Bucket: b.bucket })),
    );
    await deniedBySCP('DeleteObject version', 'AccessDenied', () =>
      s3(sso).send(new DeleteObjectCommand({ Bucket: b.bucket, Key: log.key, VersionId: log.versionId })),
    );
    await deniedBySCP('StopLogging', 'AccessDeniedException', () =>
      client(b, CloudTrailClient, sso).send(new StopLoggingCommand({ Name: TRAIL_ARN })),
    );
    await deniedBySCP('ScheduleKeyDeletion', 'AccessDeniedException', () =>
      client(b, KMSClient, sso).send(new ScheduleKeyDeletionCommand({ KeyId: keyArn })),
    );
  });

  test("a member account's root user (someone got its password) can do nothing at all", async () => {
    const prod = b.ids.prod!;
    b.emu.world.addCredentials({
      accessKeyId: 'AKIAPRODROOTSTOLEN01',
      secretAccessKey: SECRET_ACCESS_KEY,
      accountId: prod,
      principal: { type: 'root', accountId: prod },
    });
    const root = { accessKeyId: 'AKIAPRODROOTSTOLEN01', secretAccessKey: SECRET_ACCESS_KEY };
    await deniedBySCP('ListBuckets', 'AccessDenied', () => s3(root).send(new ListBucketsCommand({})));
    await deniedBySCP('ListRoles', 'AccessDenied', () => client(b, IAMClient, root).send(new ListRolesCommand({})));
    await deniedBySCP('StopLogging', 'AccessDeniedException', () =>
      client(b, CloudTrailClient, root).send(new StopLoggingCommand({ Name: TRAIL_ARN })),
    );
  });
});

describe('after the attacks', () => {
  test('nothing they aimed at changed: the trail logs, the log file and its version are there, the access role is as AWS made it, and verify finds no drift', async () => {
    const la = b.ids['log-archive']!;
    expect(
      (await client(b, CloudTrailClient, undefined).send(new GetTrailStatusCommand({ Name: TRAIL_ARN }))).IsLogging,
    ).toBe(true);
    const got = await s3(b.emu.credentials(la)).send(
      new GetObjectCommand({ Bucket: b.bucket, Key: log.key, VersionId: log.versionId }),
    );
    expect(got.ServerSideEncryption).toBe('aws:kms');
    for (const m of MEMBERS) {
      const role = (
        await client(b, IAMClient, b.emu.credentials(b.ids[m]!)).send(new GetRoleCommand({ RoleName: ACCESS_ROLE }))
      ).Role!;
      expect(JSON.parse(decodeURIComponent(role.AssumeRolePolicyDocument!)).Statement[0].Principal, m).toEqual({
        AWS: [`arn:aws:iam::${MGMT}:root`],
      });
      expect(store(b, b.ids[m]!, 'ec2').ebsEncryptionByDefault['us-west-2'], m).toBe(true);
    }
    expect((b.emu.state() as any).accounts[b.ids.prod!].users).toMatchObject({
      'legacy-prod': { accessKeys: [], passwordSetAt: null },
    });
    expect(Object.keys(org().accountParents).sort()).toEqual([MGMT, ...Object.values(b.ids)].sort());
    const v = await runCli(['verify', '--config', b.config], { emu: b.emu, dir: b.dir });
    expect(v.code, explain(v)).toBe(0);
    expect(v.mutatingCalls).toEqual([]);
  });
});

describe('secure-start never locks itself out: with every guardrail on it still works through OrganizationAccountAccessRole', () => {
  test('a re-run changes nothing and every member call it makes is allowed', async () => {
    const r = await runCli(['--yes', '--config', b.config], { emu: b.emu, dir: b.dir });
    expect(r.code, explain(r)).toBe(0);
    expect(r.mutatingCalls).toEqual([]);
    const members = r.calls.filter((c) => c.account !== MGMT);
    expect(members.length).toBeGreaterThan(50);
    expect(
      members.filter(
        (c) =>
          c.errorCode === 'AccessDenied' ||
          c.errorCode === 'AccessDeniedException' ||
          c.errorCode === 'UnauthorizedOperation',
      ),
    ).toEqual([]);
  });

  test('drift in member accounts is repaired through the access role: EBS off in a region the guard closes, a region enabled later, account BPA off, the bucket policy replaced, the key disabled and not rotating, the trail stopped', async () => {
    const { prod, dev } = b.ids as Record<string, string>;
    const la = b.ids['log-archive']!;
    b.emu.drift('ec2', 'ebs-encryption-off', { account: prod, region: 'ap-northeast-1' });
    // An opt-in region the dev account enables later (outside the guard too) is covered by the next run.
    b.emu.drift('ec2', 'region-opt-in', { account: dev, region: 'eu-south-1' });
    b.emu.drift('s3-control', 'account-bpa-off', { account: dev });
    b.emu.drift('s3', 'bucket-policy-changed', { bucket: b.bucket });
    b.emu.drift('kms', 'rotation-off', { account: la });
    b.emu.drift('kms', 'key-state', { account: la, state: 'Disabled' });
    b.emu.drift('cloudtrail', 'trail-stopped', {});
    const v = await runCli(['verify', '--config', b.config], { emu: b.emu, dir: b.dir });
    expect(v.code, explain(v)).toBe(4);
    const report = v.stdout.replace(/\s+/g, ' '); // the findings report wraps at 80 columns
    expect(report).toMatch(/ec2:EnableEbsEncryptionByDefault prod ap-northeast-1/);
    expect(report).toMatch(/~ ec2:EnableEbsEncryptionByDefault dev eu-south-1/);
    expect(report).toMatch(/kms:EnableKey alias\/acme-robotics-org-trail/);
    const fix = await runCli(['--yes', '--config', b.config], { emu: b.emu, dir: b.dir });
    expect(fix.code, explain(fix)).toBe(0);
    const repaired = fix.mutatingCalls
      .map((c) => `${c.service}:${c.operation}@${c.account === MGMT ? 'management' : c.account}/${c.region}`)
      .sort();
    expect(repaired).toEqual(
      [
        'cloudtrail:StartLogging@management/eu-west-1',
        `ec2:EnableEbsEncryptionByDefault@${prod}/ap-northeast-1`,
        `ec2:EnableEbsEncryptionByDefault@${dev}/eu-south-1`,
        `kms:EnableKey@${la}/eu-west-1`,
        `kms:EnableKeyRotation@${la}/eu-west-1`,
        `s3-control:PutPublicAccessBlock@${dev}/eu-west-1`,
        `s3:PutBucketPolicy@${la}/eu-west-1`,
      ].sort(),
    );
    expect(fix.mutatingCalls.every((c) => c.status !== null && c.status < 300)).toBe(true);
    const again = await runCli(['verify', '--config', b.config], { emu: b.emu, dir: b.dir });
    expect(again.code, explain(again)).toBe(0);
  });
});

describe('the limit the plan and README state: SCPs never apply to the management account', () => {
  test('its administrator can delete a log file version through OrganizationAccountAccessRole (no Object Lock here), and can stop the trail', async () => {
    const la = b.ids['log-archive']!;
    const viaRole = await client(b, STSClient, undefined).send(
      new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${la}:role/${ACCESS_ROLE}`, RoleSessionName: 'mgmt-admin' }),
    );
    const c = viaRole.Credentials!;
    const mgmtInLogArchive = {
      accessKeyId: c.AccessKeyId!,
      secretAccessKey: c.SecretAccessKey!,
      sessionToken: c.SessionToken,
    };
    const extra = b.emu.drift('cloudtrail', 'deliver-log', { name: 'acme-robotics-org-trail' }) as typeof log;
    await s3(mgmtInLogArchive).send(
      new DeleteObjectCommand({ Bucket: b.bucket, Key: extra.key, VersionId: extra.versionId }),
    );
    expect(
      (
        await refused('GetObject', () =>
          s3(mgmtInLogArchive).send(new GetObjectCommand({ Bucket: b.bucket, Key: extra.key })),
        )
      ).name,
    ).toBe('NoSuchKey');
    const ct = client(b, CloudTrailClient, undefined);
    await ct.send(new StopLoggingCommand({ Name: TRAIL_ARN }));
    expect((await ct.send(new GetTrailStatusCommand({ Name: TRAIL_ARN }))).IsLogging).toBe(false);
  });
});
