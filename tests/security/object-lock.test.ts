// S3 Object Lock on the trail bucket (config `trail.objectLock`), the one protection that also
// holds against the management account. One bootstrap with compliance mode: the plan states
// the cost and that it never turns off before anything is applied; then the management
// account's administrator — whom no SCP restricts — cannot delete a log file through
// OrganizationAccountAccessRole, nor suspend versioning. What the text says it can still do
// (stop the trail; weaken the retention of files written later, which verify reports) it can.
// Governance mode: the management account can bypass the retention, a member administrator
// cannot (the log-protection SCP).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  CloudTrailClient,
  GetTrailStatusCommand,
  StartLoggingCommand,
  StopLoggingCommand,
} from '@aws-sdk/client-cloudtrail';
import {
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  GetObjectLockConfigurationCommand,
  PutBucketVersioningCommand,
  PutObjectLockConfigurationCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { explain, runCli } from '../helpers/harness.js';
import {
  ACCESS_ROLE,
  HOME,
  TRAIL_ARN,
  bootstrap,
  cleanup,
  client,
  configWith,
  deniedBySCP,
  memberAdmin,
  refused,
  type Built,
  type Creds,
} from './attack-kit.js';

let b: Built;
let mgmtInLogArchive: Creds;
const DAYS = 30;

beforeAll(async () => {
  b = await bootstrap((c) => {
    c.trail = { objectLock: { mode: 'compliance', days: DAYS } };
  });
  const la = b.ids['log-archive']!;
  // The management account's administrator (the founder's IAM user here) in log-archive, as the README says it can be.
  const r = await client(b, STSClient, undefined).send(
    new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${la}:role/${ACCESS_ROLE}`, RoleSessionName: 'mgmt-admin' }),
  );
  mgmtInLogArchive = {
    accessKeyId: r.Credentials!.AccessKeyId!,
    secretAccessKey: r.Credentials!.SecretAccessKey!,
    sessionToken: r.Credentials!.SessionToken,
  };
}, 120_000);
afterAll(() => cleanup(b));

const s3 = (c: Creds | undefined) => client(b, S3Client, c, HOME, { forcePathStyle: true });
const deliver = () =>
  b.emu.drift('cloudtrail', 'deliver-log', { name: 'acme-robotics-org-trail' }) as { key: string; versionId: string };

describe('before anything is applied', () => {
  test('the plan states what Object Lock costs, that it never turns off, and that even the management account cannot delete locked logs', async () => {
    const r = await runCli(['plan', '--config', b.config]);
    expect(r.code, explain(r)).toBe(0);
    const text = r.stdout.replace(/\s+/g, ' ');
    expect(text).toContain(
      `S3 Object Lock: no charge of its own, but no log file can be deleted for ${DAYS} days, so you pay to store each one at least that long.`,
    );
    expect(text).toContain(
      `S3 Object Lock (compliance, ${DAYS} days) on the log bucket can never be turned off and keeps versioning on for good`,
    );
    expect(text).toContain(
      `They cannot delete a log file for ${DAYS} days after it is written: S3 Object Lock in compliance mode stops everyone, the management account's root user included.`,
    );
    expect(text).toMatch(
      /\+ s3:PutObjectLockConfiguration acme-robotics-org-trail-<log-archive\.accountId> \(COMPLIANCE, 30 days: no one, not even the management account's root user, can delete or overwrite a log file version for 30 days; Object Lock can never be turned off on this bucket\)/,
    );
  });
});

describe('compliance mode holds against the management account', () => {
  test('the bucket has Object Lock, and the log files CloudTrail writes are locked for the chosen days', async () => {
    const cfg = await s3(mgmtInLogArchive).send(new GetObjectLockConfigurationCommand({ Bucket: b.bucket }));
    expect(cfg.ObjectLockConfiguration).toEqual({
      ObjectLockEnabled: 'Enabled',
      Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: DAYS } },
    });
    const log = deliver();
    const got = await s3(mgmtInLogArchive).send(
      new GetObjectCommand({ Bucket: b.bucket, Key: log.key, VersionId: log.versionId }),
    );
    expect(got.ObjectLockMode).toBe('COMPLIANCE');
    expect(got.ObjectLockRetainUntilDate!.getTime()).toBeGreaterThan(Date.now() + (DAYS - 1) * 86400_000);
  });

  test('its administrator, through OrganizationAccountAccessRole, cannot delete a log file version (bypass header or not), empty the bucket, or suspend versioning', async () => {
    const log = deliver();
    const a = s3(mgmtInLogArchive);
    for (const bypass of [false, true]) {
      const r = await refused('DeleteObject version', () =>
        a.send(
          new DeleteObjectCommand({
            Bucket: b.bucket,
            Key: log.key,
            VersionId: log.versionId,
            BypassGovernanceRetention: bypass,
          }),
        ),
      );
      expect(r).toMatchObject({ name: 'AccessDenied', status: 403 });
      expect(r.message).toMatch(/object lock/);
    }
    const many = await a.send(
      new DeleteObjectsCommand({ Bucket: b.bucket, Delete: { Objects: [{ Key: log.key, VersionId: log.versionId }] } }),
    );
    expect(many.Errors!.map((e) => e.Code)).toEqual(['AccessDenied']);
    expect(
      (
        await refused('PutBucketVersioning Suspended', () =>
          a.send(
            new PutBucketVersioningCommand({ Bucket: b.bucket, VersioningConfiguration: { Status: 'Suspended' } }),
          ),
        )
      ).name,
    ).toBe('InvalidBucketState');
    expect((await refused('DeleteBucket', () => a.send(new DeleteBucketCommand({ Bucket: b.bucket })))).name).toBe(
      'BucketNotEmpty',
    );
    // A delete marker hides the file from a plain listing, but the locked version stays readable.
    await a.send(new DeleteObjectCommand({ Bucket: b.bucket, Key: log.key }));
    expect(
      await (
        await a.send(new GetObjectCommand({ Bucket: b.bucket, Key: log.key, VersionId: log.versionId }))
      ).Body!.transformToString(),
    ).toContain('Records');
  });

  test('the limits the plan states: it can stop the trail, and weaken the retention of files written later — which verify reports and a run restores', async () => {
    const ct = client(b, CloudTrailClient, undefined);
    await ct.send(new StopLoggingCommand({ Name: TRAIL_ARN }));
    expect((await ct.send(new GetTrailStatusCommand({ Name: TRAIL_ARN }))).IsLogging).toBe(false);
    await ct.send(new StartLoggingCommand({ Name: TRAIL_ARN }));
    await s3(mgmtInLogArchive).send(
      new PutObjectLockConfigurationCommand({
        Bucket: b.bucket,
        ObjectLockConfiguration: {
          ObjectLockEnabled: 'Enabled',
          Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 1 } },
        },
      }),
    );
    const v = await runCli(['verify', '--config', b.config], { emu: b.emu, dir: b.dir });
    expect(v.code, explain(v)).toBe(4);
    expect(v.stdout.replace(/\s+/g, ' ')).toMatch(
      /~ s3:PutObjectLockConfiguration .*default retention was GOVERNANCE 1 days; COMPLIANCE 30 days/,
    );
    const fix = await runCli(['--yes', '--config', b.config], { emu: b.emu, dir: b.dir });
    expect(fix.code, explain(fix)).toBe(0);
    expect(fix.mutatingCalls.map((c) => `${c.service}:${c.operation}`)).toEqual(['s3:PutObjectLockConfiguration']);
  });
});

describe('governance mode', () => {
  test('a member administrator cannot bypass the retention (the SCP denies it); the management account can, as the plan says', async () => {
    const cfg = configWith(b.dir, (c) => {
      c.trail = { objectLock: { mode: 'governance', days: DAYS } };
    });
    const r = await runCli(['--yes', '--config', cfg], { emu: b.emu, dir: b.dir });
    expect(r.code, explain(r)).toBe(0);
    expect(r.mutatingCalls.map((c) => `${c.service}:${c.operation}`)).toEqual(['s3:PutObjectLockConfiguration']);
    const log = deliver();
    const mallory = await memberAdmin(b, b.ids['log-archive']!);
    await deniedBySCP('DeleteObject version with bypass', 'AccessDenied', () =>
      s3(mallory).send(
        new DeleteObjectCommand({
          Bucket: b.bucket,
          Key: log.key,
          VersionId: log.versionId,
          BypassGovernanceRetention: true,
        }),
      ),
    );
    // The management account's administrator, through the access role, may bypass governance retention.
    expect(
      (
        await refused('DeleteObject version without bypass', () =>
          s3(mgmtInLogArchive).send(
            new DeleteObjectCommand({ Bucket: b.bucket, Key: log.key, VersionId: log.versionId }),
          ),
        )
      ).name,
    ).toBe('AccessDenied');
    await s3(mgmtInLogArchive).send(
      new DeleteObjectCommand({
        Bucket: b.bucket,
        Key: log.key,
        VersionId: log.versionId,
        BypassGovernanceRetention: true,
      }),
    );
    expect(
      (
        await refused('GetObject', () =>
          s3(mgmtInLogArchive).send(new GetObjectCommand({ Bucket: b.bucket, Key: log.key, VersionId: log.versionId })),
        )
      ).name,
    ).toMatch(/NoSuch(Key|Version)/);
  });
});
