// Issue 6 end to end, the other half (see baseline-services.test.ts): the trail bucket in the
// log-archive account and account hardening on every account, built by a fresh run; drift
// made behind the tool's back (account BPA off in one member, EBS encryption off in one
// region of one account, a password policy deleted, the bucket policy replaced, versioning
// suspended) is named by `verify` and repaired by exactly the calls it needs; a bucket name
// taken by another account is an error, never a silent reuse, while things that may already
// exist (AWS's default services monitor, a same-named budget) are reused or corrected.
import { BudgetsClient, CreateBudgetCommand } from '@aws-sdk/client-budgets';
import { CostExplorerClient, CreateAnomalyMonitorCommand } from '@aws-sdk/client-cost-explorer';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explain, ops, removeDir, runCli, startEmu } from '../helpers/harness.js';
import { CONFIG, HOME, MGMT, buildBaseline, driftRound, store, type Built } from '../helpers/baseline-drift.js';
import { DEFAULT_ENABLED_REGIONS } from '../../steps/lib/default-regions.js';

const REGIONS = ['eu-west-1', 'us-east-1'];
const ALL_ON = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };

let b: Built;
let bucket: string;
beforeAll(async () => {
  b = await buildBaseline();
  bucket = `acme-robotics-org-trail-${b.ids['log-archive']}`;
}, 60_000);
afterAll(async () => {
  await b?.emu.stop();
  if (b) removeDir(b.dir);
});

const org = () => Object.values((b.emu.state() as any).orgs)[0] as any;

describe('a fresh run', () => {
  it('creates the trail bucket in the log-archive account, locked down', () => {
    const s3 = store(b.emu, b.ids['log-archive']!, 's3');
    expect(Object.keys(s3.buckets)).toEqual([bucket]);
    const bk = s3.buckets[bucket];
    expect(bk).toMatchObject({
      owner: b.ids['log-archive'],
      region: HOME,
      ownership: 'BucketOwnerEnforced',
      versioning: 'Enabled',
      publicAccessBlock: ALL_ON,
      encryption: { SSEAlgorithm: 'AES256' },
    });
    // No Glacier transition by default: small CloudTrail files would cost more there (logging-names.ts).
    expect(bk.lifecycle).toEqual([
      expect.objectContaining({
        Status: 'Enabled',
        Transitions: [],
        Expiration: { Days: 365 },
        NoncurrentVersionExpiration: { NoncurrentDays: 365 },
      }),
    ]);
  });

  it('the bucket policy lets only our trail write, under the management-account and organization paths, and denies plain HTTP', () => {
    const policy = JSON.parse(store(b.emu, b.ids['log-archive']!, 's3').buckets[bucket].policy);
    const arn = `arn:aws:s3:::${bucket}`;
    const trail = `arn:aws:cloudtrail:${HOME}:${MGMT}:trail/acme-robotics-org-trail`;
    const sid = (id: string) => policy.Statement.find((s: any) => s.Sid === id);
    expect(policy.Statement.map((s: any) => s.Sid)).toEqual([
      'AWSCloudTrailAclCheck',
      'AWSCloudTrailWrite',
      'DenyInsecureTransport',
    ]);
    expect(sid('AWSCloudTrailAclCheck')).toMatchObject({
      Effect: 'Allow',
      Action: 's3:GetBucketAcl',
      Resource: arn,
      Condition: { StringEquals: { 'aws:SourceArn': trail } },
    });
    expect(sid('AWSCloudTrailWrite')).toMatchObject({
      Effect: 'Allow',
      Action: 's3:PutObject',
      Resource: [`${arn}/AWSLogs/${MGMT}/*`, `${arn}/AWSLogs/${org().id}/*`],
      Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceArn': trail } },
    });
    expect(sid('DenyInsecureTransport')).toMatchObject({
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: [arn, `${arn}/*`],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    });
  });

  it('hardens every account: account BPA, EBS encryption in every region enabled for it (CIS 2.2.1), password policy ≥ 14 / reuse 24', () => {
    for (const id of [MGMT, ...Object.values(b.ids)]) {
      expect(store(b.emu, id, 's3-control')?.publicAccessBlock, id).toEqual(ALL_ON);
      expect(store(b.emu, id, 'ec2')?.ebsEncryptionByDefault, id).toEqual(
        Object.fromEntries(DEFAULT_ENABLED_REGIONS.map((r) => [r, true])),
      );
      expect(store(b.emu, id, 'iam')?.passwordPolicy, id).toMatchObject({
        MinimumPasswordLength: 14,
        PasswordReusePrevention: 24,
        RequireSymbols: true,
        RequireNumbers: true,
        RequireUppercaseCharacters: true,
        RequireLowercaseCharacters: true,
      });
    }
    // One call per account × setting (× region for EBS), each in the account it hardens.
    // (ec2: EBS only; the default-vpcs step's deletes are counted in default-vpcs.test.ts.)
    const hardening = b.first.mutatingCalls.filter(
      (c) =>
        c.service === 's3-control' ||
        c.operation === 'EnableEbsEncryptionByDefault' ||
        c.operation === 'UpdateAccountPasswordPolicy',
    );
    expect(hardening).toHaveLength(5 * (1 + DEFAULT_ENABLED_REGIONS.length + 1));
    expect(DEFAULT_ENABLED_REGIONS).toEqual(expect.arrayContaining(REGIONS));
  });
});

describe("drift behind the tool's back is reported by verify and repaired by the next run", () => {
  it('BPA off in one member, one flag off in management, EBS off in one region, a password policy deleted; bucket policy replaced and versioning suspended', async () => {
    const { dev, prod, audit } = b.ids as Record<string, string>;
    const la = b.ids['log-archive']!;
    await driftRound(b, {
      drifts: [
        () => b.emu.drift('s3-control', 'account-bpa-off', { account: dev }),
        () => b.emu.drift('s3-control', 'account-bpa-off', { account: MGMT, flag: 'BlockPublicPolicy' }),
        () => b.emu.drift('ec2', 'ebs-encryption-off', { account: prod, region: 'us-east-1' }),
        () => b.emu.drift('iam', 'delete-password-policy', { account: audit }),
        () =>
          b.emu.drift('s3', 'bucket-policy-changed', {
            bucket,
            policy: {
              Version: '2012-10-17',
              Statement: [
                {
                  Sid: 'PublicRead',
                  Effect: 'Allow',
                  Principal: '*',
                  Action: 's3:GetObject',
                  Resource: `arn:aws:s3:::${bucket}/*`,
                },
              ],
            },
          }),
        () => b.emu.drift('s3', 'bucket-versioning-suspended', { bucket }),
      ],
      checks: [
        {
          title: 'Account hardening',
          controls: ['SSB ACCT.06', 'SSB ACCT.08', 'SSB WKLD.08', 'CIS 1.8', 'CIS 1.9', 'CIS 2.1.4', 'CIS 2.2.1'],
          findings: [
            /\+ s3-control:PutPublicAccessBlock dev \(account-level Block Public Access is off; turn on all four flags\)/,
            /~ s3-control:PutPublicAccessBlock management \(account-level BlockPublicPolicy off; turn on all four flags\)/,
            /~ ec2:EnableEbsEncryptionByDefault prod us-east-1 \(EBS encryption by default is off in this region\)/,
            /\+ iam:UpdateAccountPasswordPolicy audit \(no password policy; set length ≥ 14, reuse prevention 24/,
          ],
        },
        {
          title: 'Organization trail bucket',
          controls: ['SSB ACCT.07', 'SSB ACCT.08', 'CIS 2.1.1', 'CIS 2.1.4'],
          findings: [
            new RegExp(
              `~ s3:PutBucketPolicy ${bucket} \\(policy differs: AWSCloudTrailAclCheck, AWSCloudTrailWrite, DenyInsecureTransport missing; 1 other statement; put back`,
            ),
            new RegExp(`~ s3:PutBucketVersioning ${bucket} \\(Enabled; was Suspended\\)`),
          ],
        },
      ],
      repair: [
        `s3-control:PutPublicAccessBlock@${dev}/${HOME}`,
        `s3-control:PutPublicAccessBlock@${MGMT}/${HOME}`,
        `ec2:EnableEbsEncryptionByDefault@${prod}/us-east-1`,
        `iam:UpdateAccountPasswordPolicy@${audit}/us-east-1`,
        `s3:PutBucketPolicy@${la}/${HOME}`,
        `s3:PutBucketVersioning@${la}/${HOME}`,
      ],
    });
    expect(store(b.emu, dev, 's3-control').publicAccessBlock).toEqual(ALL_ON);
    expect(store(b.emu, MGMT, 's3-control').publicAccessBlock).toEqual(ALL_ON);
    expect(store(b.emu, prod, 'ec2').ebsEncryptionByDefault['us-east-1']).toBe(true);
    expect(store(b.emu, audit, 'iam').passwordPolicy).toMatchObject({
      MinimumPasswordLength: 14,
      PasswordReusePrevention: 24,
    });
    const bk = store(b.emu, la, 's3').buckets[bucket];
    expect(bk.versioning).toBe('Enabled');
    expect(JSON.parse(bk.policy).Statement.map((s: any) => s.Sid)).toEqual([
      'AWSCloudTrailAclCheck',
      'AWSCloudTrailWrite',
      'DenyInsecureTransport',
    ]);
  });
});

describe('an account where some things already exist', () => {
  it("a bucket name taken by another account is a clear error (not reused); AWS's default SERVICE monitor is reused; a same-named budget is updated, not duplicated", async () => {
    const emu = await startEmu({ scenario: 'fresh+iam-user' });
    let dir: string | undefined;
    try {
      emu.setRootMfa(true);
      emu.enableIdentityCenter(HOME);
      const credentials = emu.credentials();
      // Member IDs are handed out in creation order; take every name the log-archive account could get.
      const s3 = new S3Client({ region: HOME, endpoint: emu.url, forcePathStyle: true, credentials });
      const taken = ['111100000001', '111100000002', '111100000003', '111100000004'].map(
        (id) => `acme-robotics-org-trail-${id}`,
      );
      for (const Bucket of taken)
        await s3.send(new CreateBucketCommand({ Bucket, CreateBucketConfiguration: { LocationConstraint: HOME } }));
      s3.destroy();
      // Newer accounts come with a services monitor AWS made; only one SERVICE monitor is allowed.
      const ce = new CostExplorerClient({ region: 'us-east-1', endpoint: emu.url, credentials });
      const { MonitorArn } = await ce.send(
        new CreateAnomalyMonitorCommand({
          AnomalyMonitor: {
            MonitorName: 'Default-Services-Monitor',
            MonitorType: 'DIMENSIONAL',
            MonitorDimension: 'SERVICE',
          },
        }),
      );
      ce.destroy();
      // A budget someone made by hand with our name and another amount.
      const budgets = new BudgetsClient({ region: 'us-east-1', endpoint: emu.url, credentials });
      await budgets.send(
        new CreateBudgetCommand({
          AccountId: MGMT,
          Budget: {
            BudgetName: 'acme-robotics-monthly',
            BudgetLimit: { Amount: '40', Unit: 'USD' },
            TimeUnit: 'MONTHLY',
            BudgetType: 'COST',
          },
        }),
      );
      budgets.destroy();

      const r = await runCli(['--yes', '--config', CONFIG], { emu });
      dir = r.dir;
      expect(r.code, explain(r)).toBe(1);
      const out = r.stdout + r.stderr;
      expect(out).toMatch(
        /The S3 bucket name acme-robotics-org-trail-1111000000\d\d is taken by an AWS account outside your log-archive account/,
      );
      expect(out).toContain('org.slug');
      // Not reused: no bucket call wrote anything, and no trail was created.
      const mutating = ops(r.mutatingCalls);
      expect(
        mutating.filter((o) => o.startsWith('s3:') || o.startsWith('cloudtrail:')),
        explain(r),
      ).toEqual([]);
      for (const Bucket of taken) expect(store(emu, MGMT, 's3').buckets[Bucket].policy).toBeUndefined();
      expect(store(emu, MGMT, 'cloudtrail')?.trails ?? {}).toEqual({});

      // The other steps went on: the existing monitor is watched, not duplicated.
      expect(mutating).not.toContain('cost-explorer:CreateAnomalyMonitor');
      const ceStore = store(emu, MGMT, 'cost-explorer');
      expect(ceStore.monitors.map((m: any) => m.MonitorArn)).toEqual([MonitorArn]);
      expect(ceStore.subscriptions[0].MonitorArnList).toEqual([MonitorArn]);
      // The budget is corrected in place (amount, then the four alerts added to it).
      expect(mutating.filter((o) => o.startsWith('budgets:')).sort()).toEqual([
        'budgets:CreateNotification',
        'budgets:CreateNotification',
        'budgets:CreateNotification',
        'budgets:CreateNotification',
        'budgets:UpdateBudget',
      ]);
      const b = store(emu, MGMT, 'budgets').budgets;
      expect(Object.keys(b)).toEqual(['acme-robotics-monthly']);
      expect(Number(b['acme-robotics-monthly'].BudgetLimit.Amount)).toBe(250);
      expect(b['acme-robotics-monthly'].notifications).toHaveLength(4);
    } finally {
      await emu.stop();
      if (dir) removeDir(dir);
    }
  });
});

describe('plan on a brand-new account (no organization yet, root user)', () => {
  it("shows every issue-6 step's calls and makes zero mutating calls", async () => {
    const emu = await startEmu({ scenario: 'fresh' });
    let dir: string | undefined;
    try {
      const r = await runCli(['plan', '--config', CONFIG], { emu });
      dir = r.dir;
      expect(r.code, explain(r)).toBe(0);
      expect(r.mutatingCalls, explain(r)).toEqual([]);
      for (const text of [
        '+ s3:CreateBucket acme-robotics-org-trail-<log-archive.accountId>',
        '+ cloudtrail:CreateTrail acme-robotics-org-trail',
        '+ budgets:CreateBudget acme-robotics-monthly',
        '+ ce:CreateAnomalyMonitor acme-robotics-services',
        '+ account:PutAlternateContact management SECURITY',
        '+ iam:UpdateAccountPasswordPolicy dev',
        '+ iam:EnableOrganizationsRootSessions',
        'Turn on MFA for the root user',
      ])
        expect(r.stdout.replace(/\s+/g, ' '), text).toContain(text);
    } finally {
      await emu.stop();
      if (dir) removeDir(dir);
    }
  });
});
