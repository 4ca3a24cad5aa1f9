import { describe, expect, it } from 'vitest';
import { logArchiveBucket, desiredPolicy, type BucketSeen } from '../../../steps/log-archive-bucket.js';
import { policyDiff, trailBucketName } from '../../../steps/lib/logging-names.js';
import { bucketNameProblem } from '../../../emulator/services/s3.js';
import { ACCOUNTS, KNOWN, MGMT, ORG, awsErr, basic, brief, fakeCtx, ops, runAction } from './fixtures.js';

const want = basic();
const LA = ACCOUNTS['log-archive']!;
const NAME = `acme-robotics-org-trail-${LA}`;
const TRAIL_ARN = `arn:aws:cloudtrail:eu-west-1:${MGMT}:trail/acme-robotics-org-trail`;

// The default: no Glacier transition (small CloudTrail files would cost more there), expiry after a year.
const lifecycle = [
  {
    ID: 'secure-start-trail-logs',
    Status: 'Enabled',
    Filter: { Prefix: '' },
    Expiration: { Days: 365 },
    NoncurrentVersionExpiration: { NoncurrentDays: 365 },
    AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
  },
];
const allOn = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };
const base = { name: NAME, account: LA, managementAccountId: MGMT, orgId: ORG };
const complete = (): BucketSeen => ({
  ...base,
  exists: true,
  publicAccessBlock: { ...allOn },
  ownership: 'BucketOwnerEnforced',
  versioning: 'Enabled',
  encryption: 'AES256',
  lifecycle: structuredClone(lifecycle),
  policy: JSON.parse(JSON.stringify(desiredPolicy(want, base))),
});

describe('log-archive-bucket name', () => {
  it('is <slug>-org-trail-<log-archive id>, a valid S3 name', () => {
    expect(trailBucketName(want, LA)).toBe(NAME);
    expect(bucketNameProblem(NAME)).toBeUndefined();
  });
  it('stays within 63 characters for the longest slug', () => {
    const long = trailBucketName({ ...want, org: { ...want.org, slug: 'abcdefghij-klmnopqrs' } }, '999999999999');
    expect(long.length).toBeLessThanOrEqual(63);
    expect(bucketNameProblem(long)).toBeUndefined();
  });
});

describe('log-archive-bucket plan', () => {
  it('creates the bucket in the home region, then every setting, in the log-archive account', () => {
    const actions = logArchiveBucket.plan(want, { ...base, exists: false });
    expect(ops(actions)).toEqual([
      's3:CreateBucket',
      's3:PutPublicAccessBlock',
      's3:PutBucketOwnershipControls',
      's3:PutBucketVersioning',
      's3:PutBucketEncryption',
      's3:PutBucketLifecycleConfiguration',
      's3:PutBucketPolicy',
    ]);
    expect(actions.every((a) => a.target.account === LA && a.target.region === 'eu-west-1')).toBe(true);
    expect(brief(actions)[0]).toEqual({
      symbol: '+',
      op: 's3:CreateBucket',
      input: {
        Bucket: NAME,
        ObjectOwnership: 'BucketOwnerEnforced',
        CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' },
      },
    });
    expect(actions[0]!.produces).toEqual(['trail.bucket']);
    // Settings wait for the bucket.
    expect(actions.slice(1).every((a) => a.after?.includes('trail.bucket') && typeof a.run === 'function')).toBe(true);
    expect(
      brief(actions)
        .slice(1)
        .map((a) => a.input),
    ).toEqual([
      { Bucket: NAME, PublicAccessBlockConfiguration: allOn },
      { Bucket: NAME, OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] } },
      { Bucket: NAME, VersioningConfiguration: { Status: 'Enabled' } },
      {
        Bucket: NAME,
        ServerSideEncryptionConfiguration: {
          Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
      },
      { Bucket: NAME, LifecycleConfiguration: { Rules: lifecycle } },
      { Bucket: NAME, Policy: JSON.stringify(desiredPolicy(want, base)) },
    ]);
  });

  it('sends no location constraint in us-east-1 (AWS refuses one there)', () => {
    const a = logArchiveBucket.plan({ ...want, homeRegion: 'us-east-1' }, { ...base, exists: false })[0]!;
    expect(a.input).toEqual({ Bucket: NAME, ObjectOwnership: 'BucketOwnerEnforced' });
  });

  it('plans nothing for a compliant bucket', () => {
    expect(logArchiveBucket.plan(want, complete())).toEqual([]);
  });

  it('ignores statement order, key order and one-item lists in the policy read back', () => {
    const seen = complete();
    const p = seen.policy as { Statement: any[] };
    p.Statement.reverse();
    p.Statement[0].Resource = [p.Statement[0].Resource].flat();
    p.Statement[1].Action = [p.Statement[1].Action];
    expect(logArchiveBucket.plan(want, seen)).toEqual([]);
  });

  it('keeps a KMS default encryption someone chose (not a downgrade to AES256)', () => {
    expect(logArchiveBucket.plan(want, { ...complete(), encryption: 'aws:kms' })).toEqual([]);
  });

  const oneDrift: [string, (s: BucketSeen) => void, string, string, string[], string][] = [
    [
      'one BPA flag off',
      (s) => {
        s.publicAccessBlock!.RestrictPublicBuckets = false;
      },
      's3:PutPublicAccessBlock',
      '~',
      ['SSB ACCT.07', 'SSB ACCT.08', 'CIS 2.1.4'],
      'RestrictPublicBuckets off',
    ],
    [
      'BPA removed',
      (s) => {
        s.publicAccessBlock = null;
      },
      's3:PutPublicAccessBlock',
      '+',
      ['SSB ACCT.07', 'SSB ACCT.08', 'CIS 2.1.4'],
      'Block Public Access is off',
    ],
    [
      'ACLs enabled',
      (s) => {
        s.ownership = 'ObjectWriter';
      },
      's3:PutBucketOwnershipControls',
      '~',
      ['SSB ACCT.07', 'SSB ACCT.08'],
      'was ObjectWriter',
    ],
    [
      'versioning suspended',
      (s) => {
        s.versioning = 'Suspended';
      },
      's3:PutBucketVersioning',
      '~',
      ['SSB ACCT.07'],
      'was Suspended',
    ],
    [
      'versioning never set',
      (s) => {
        s.versioning = null;
      },
      's3:PutBucketVersioning',
      '+',
      ['SSB ACCT.07'],
      'Enabled',
    ],
    [
      'no default encryption',
      (s) => {
        s.encryption = null;
      },
      's3:PutBucketEncryption',
      '+',
      ['SSB ACCT.07'],
      'no default encryption',
    ],
    [
      'lifecycle deleted',
      (s) => {
        s.lifecycle = null;
      },
      's3:PutBucketLifecycleConfiguration',
      '+',
      ['SSB ACCT.07'],
      'no lifecycle rule',
    ],
    [
      'expiry shortened',
      (s) => {
        s.lifecycle![0]!.Expiration!.Days = 1;
      },
      's3:PutBucketLifecycleConfiguration',
      '~',
      ['SSB ACCT.07'],
      'lifecycle rules differ',
    ],
    [
      'an extra lifecycle rule',
      (s) => {
        s.lifecycle!.push({ ID: 'x', Status: 'Enabled', Filter: { Prefix: '' }, Expiration: { Days: 1 } } as any);
      },
      's3:PutBucketLifecycleConfiguration',
      '~',
      ['SSB ACCT.07'],
      'lifecycle rules differ',
    ],
    [
      'policy deleted',
      (s) => {
        s.policy = null;
      },
      's3:PutBucketPolicy',
      '+',
      ['SSB ACCT.07', 'CIS 2.1.1'],
      'no bucket policy',
    ],
    [
      'TLS deny removed',
      (s) => {
        (s.policy as any).Statement.pop();
      },
      's3:PutBucketPolicy',
      '~',
      ['SSB ACCT.07', 'CIS 2.1.1'],
      'policy differs: DenyInsecureTransport missing',
    ],
    [
      'SourceArn condition dropped',
      (s) => {
        delete (s.policy as any).Statement[1].Condition.StringEquals['aws:SourceArn'];
      },
      's3:PutBucketPolicy',
      '~',
      ['SSB ACCT.07', 'CIS 2.1.1'],
      'policy differs: statement AWSCloudTrailWrite changed',
    ],
  ];
  for (const [what, change, op, symbol, controls, says] of oneDrift) {
    it(`repairs exactly one setting when ${what}`, () => {
      const seen = complete();
      change(seen);
      const actions = logArchiveBucket.plan(want, seen);
      expect(ops(actions)).toEqual([op]);
      expect(actions[0]!.symbol).toBe(symbol);
      expect(actions[0]!.controls).toEqual(controls);
      expect(actions[0]!.run).toBeUndefined(); // bucket exists: sent as is
      expect(actions[0]!.summary).toContain(NAME);
      // verify shows the summary as the finding: it must say what is wrong.
      expect(actions[0]!.summary).toContain(says);
    });
  }

  it('with glacierAfterDays set, the transition comes with an explicit 128 KB minimum size (smaller files cost more in Glacier); another minimum read back is drift', () => {
    const w = { ...want, trail: { ...want.trail, glacierAfterDays: 90 } };
    const a = logArchiveBucket.plan(w, { ...complete(), lifecycle: null })[0]!;
    expect(a.input).toMatchObject({ TransitionDefaultMinimumObjectSize: 'all_storage_classes_128K' });
    expect((a.input as any).LifecycleConfiguration.Rules[0]).toMatchObject({
      Transitions: [{ Days: 90, StorageClass: 'GLACIER' }],
      NoncurrentVersionTransitions: [{ NoncurrentDays: 90, StorageClass: 'GLACIER' }],
      Expiration: { Days: 365 },
    });
    expect(a.summary).toContain('Glacier after 90 days for files of 128 KB or more (smaller ones cost more there)');
    const rules = (a.input as any).LifecycleConfiguration.Rules;
    expect(
      logArchiveBucket.plan(w, { ...complete(), lifecycle: rules, lifecycleMinSize: 'all_storage_classes_128K' }),
    ).toEqual([]);
    expect(
      ops(logArchiveBucket.plan(w, { ...complete(), lifecycle: rules, lifecycleMinSize: 'varies_by_storage_class' })),
    ).toEqual(['s3:PutBucketLifecycleConfiguration']);
    // Without a transition the minimum does not matter (and is not sent).
    expect(logArchiveBucket.plan(want, { ...complete(), lifecycleMinSize: 'varies_by_storage_class' })).toEqual([]);
    expect(logArchiveBucket.plan(want, { ...complete(), lifecycle: null })[0]!.input).not.toHaveProperty(
      'TransitionDefaultMinimumObjectSize',
    );
  });

  it('has no Glacier transition when glacierAfterDays is 0', () => {
    const w = { ...want, trail: { ...want.trail, glacierAfterDays: 0, expireAfterDays: 30 } };
    const a = logArchiveBucket.plan(w, { ...complete(), lifecycle: null })[0]!;
    expect((a.input as any).LifecycleConfiguration.Rules).toEqual([
      {
        ID: 'secure-start-trail-logs',
        Status: 'Enabled',
        Filter: { Prefix: '' },
        Expiration: { Days: 30 },
        NoncurrentVersionExpiration: { NoncurrentDays: 30 },
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
      },
    ]);
    expect(a.summary).toContain('delete after 30 days');
    expect(a.summary).not.toContain('Glacier');
  });

  it('a plan without the IDs shows them as <key> and targets the account by Ref', () => {
    const { ctx } = fakeCtx(
      want,
      () => {
        throw new Error('no AWS in fresh');
      },
      {},
      'plan',
    );
    const seen = logArchiveBucket.fresh(ctx);
    expect(seen.name).toBe('acme-robotics-org-trail-<log-archive.accountId>');
    const actions = logArchiveBucket.plan(want, seen);
    expect(String(actions[0]!.target.account)).toBe('<log-archive.accountId>');
    expect((actions.at(-1)!.input as any).Policy).toContain('AWSLogs/<org.id>/*');
  });
});

describe('log-archive-bucket observe', () => {
  const answers =
    (over: Record<string, unknown> = {}) =>
    (s: string, op: string) => {
      if (op in over) return over[op];
      return (
        {
          HeadBucket: {},
          GetPublicAccessBlock: { PublicAccessBlockConfiguration: allOn },
          GetBucketOwnershipControls: { OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] } },
          GetBucketVersioning: { Status: 'Enabled' },
          GetBucketEncryption: {
            ServerSideEncryptionConfiguration: {
              Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
            },
          },
          GetBucketLifecycleConfiguration: {
            Rules: lifecycle,
            TransitionDefaultMinimumObjectSize: 'all_storage_classes_128K',
          },
          GetBucketPolicy: { Policy: JSON.stringify(desiredPolicy(want, base)) },
        } as Record<string, unknown>
      )[op];
    };

  it('reads every setting in the log-archive account and publishes trail.bucket', async () => {
    const { ctx, calls, published } = fakeCtx(want, answers(), KNOWN);
    const seen = await logArchiveBucket.observe(ctx);
    expect(seen).toEqual({ ...complete(), lifecycleMinSize: 'all_storage_classes_128K' });
    expect(published['trail.bucket']).toBe(NAME);
    expect(
      calls.every(
        (c) =>
          c.service === 's3' && c.target.account === LA && c.target.region === 'eu-west-1' && c.input.Bucket === NAME,
      ),
    ).toBe(true);
    expect(logArchiveBucket.plan(want, seen)).toEqual([]);
  });

  it('reads "not configured" errors as unset', async () => {
    const { ctx } = fakeCtx(
      want,
      answers({
        GetPublicAccessBlock: awsErr('NoSuchPublicAccessBlockConfiguration', 404),
        GetBucketOwnershipControls: awsErr('OwnershipControlsNotFoundError', 404),
        GetBucketVersioning: {},
        GetBucketLifecycleConfiguration: awsErr('NoSuchLifecycleConfiguration', 404),
        GetBucketPolicy: awsErr('NoSuchBucketPolicy', 404),
      }),
      KNOWN,
    );
    const seen = await logArchiveBucket.observe(ctx);
    expect(seen).toMatchObject({
      exists: true,
      publicAccessBlock: null,
      ownership: null,
      versioning: null,
      lifecycle: null,
      policy: null,
    });
    expect(ops(logArchiveBucket.plan(want, seen))).toEqual([
      's3:PutPublicAccessBlock',
      's3:PutBucketOwnershipControls',
      's3:PutBucketVersioning',
      's3:PutBucketLifecycleConfiguration',
      's3:PutBucketPolicy',
    ]);
  });

  it('a missing bucket (404) is planned for creation, trail.bucket not published', async () => {
    const { ctx, calls, published } = fakeCtx(want, answers({ HeadBucket: awsErr('NotFound', 404) }), KNOWN);
    expect(await logArchiveBucket.observe(ctx)).toEqual({ ...base, exists: false });
    expect(calls.map((c) => c.op)).toEqual(['HeadBucket']);
    expect(published['trail.bucket']).toBeUndefined();
  });

  it('refuses a bucket of that name owned by another account (403, not in our bucket list), with what to do', async () => {
    const { ctx, calls } = fakeCtx(
      want,
      answers({ HeadBucket: awsErr('Forbidden', 403), ListBuckets: { Buckets: [{ Name: 'something-else' }] } }),
      KNOWN,
    );
    await expect(logArchiveBucket.observe(ctx)).rejects.toMatchObject({
      name: 'StepError',
      message: expect.stringContaining('taken by an AWS account outside'),
      hint: expect.stringContaining('org.slug'),
    });
    expect(calls.map((c) => `${c.op}@${c.target?.account}`)).toEqual([`HeadBucket@${LA}`, `ListBuckets@${LA}`]);
  });

  it("our own bucket answering 403 (its policy locks the role out) is not called someone else's", async () => {
    const { ctx } = fakeCtx(
      want,
      answers({ HeadBucket: awsErr('Forbidden', 403), ListBuckets: { Buckets: [{ Name: NAME }] } }),
      KNOWN,
    );
    await expect(logArchiveBucket.observe(ctx)).rejects.toMatchObject({
      name: 'StepError',
      message: expect.stringContaining('refuses access to the OrganizationAccountAccessRole'),
      hint: expect.stringContaining('Delete S3 bucket policy'),
    });
  });

  it('plans from fresh when the account does not exist yet (plan mode), fails in apply', async () => {
    const { ctx, calls } = fakeCtx(want, () => ({}), { 'management.accountId': MGMT }, 'plan');
    expect((await logArchiveBucket.observe(ctx)).exists).toBe(false);
    expect(calls).toEqual([]);
    const apply = fakeCtx(want, () => ({}), { 'management.accountId': MGMT }, 'apply');
    await expect(logArchiveBucket.observe(apply.ctx)).rejects.toMatchObject({ name: 'StepError' });
  });
});

describe('log-archive-bucket run', () => {
  const create = () => logArchiveBucket.plan(want, { ...base, exists: false })[0]!;

  it('adopts a bucket an earlier run created (BucketAlreadyOwnedByYou)', async () => {
    const { ctx } = fakeCtx(want, () => awsErr('BucketAlreadyOwnedByYou', 409), KNOWN);
    await expect(runAction(create(), ctx)).resolves.toEqual({ 'trail.bucket': NAME });
  });

  it('stops with a clear error when another account owns the name (BucketAlreadyExists)', async () => {
    const { ctx } = fakeCtx(want, () => awsErr('BucketAlreadyExists', 409), KNOWN);
    await expect(runAction(create(), ctx)).rejects.toMatchObject({
      name: 'StepError',
      message: expect.stringContaining('already taken by another AWS account'),
    });
  });

  it('a setting of a new bucket waits until the bucket answers, then is sent', async () => {
    let heads = 0;
    const { ctx, calls } = fakeCtx(
      want,
      (_s, op) => (op === 'HeadBucket' ? (++heads < 3 ? awsErr('NotFound', 404) : {}) : {}),
      KNOWN,
    );
    const versioning = logArchiveBucket
      .plan(want, { ...base, exists: false })
      .find((a) => a.operation === 'PutBucketVersioning')!;
    await runAction(versioning, ctx);
    expect(calls.map((c) => c.op)).toEqual(['HeadBucket', 'HeadBucket', 'HeadBucket', 'PutBucketVersioning']);
    expect(calls.at(-1)!.input).toEqual({ Bucket: NAME, VersioningConfiguration: { Status: 'Enabled' } });
    expect(calls.at(-1)!.target).toEqual({ account: LA, region: 'eu-west-1' });
  });

  it('KNOWN fixture matches the trail ARN the policy names', () => {
    expect(KNOWN['management.accountId']).toBe(MGMT);
    expect(JSON.stringify(desiredPolicy(want, base))).toContain(TRAIL_ARN);
  });
});

describe('policyDiff (the finding verify shows for a changed bucket policy)', () => {
  const mine = desiredPolicy(want, base);
  it('names changed, missing and foreign statements', () => {
    const theirs = structuredClone(mine) as any;
    theirs.Statement[0].Resource = 'arn:aws:s3:::elsewhere';
    theirs.Statement.pop();
    theirs.Statement.push({ Sid: 'Public', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: '*' });
    expect(policyDiff(theirs, mine)).toBe(
      'statement AWSCloudTrailAclCheck changed; DenyInsecureTransport missing; 1 other statement',
    );
  });
  it('an unparsable or empty policy says so', () => {
    expect(policyDiff('{not json', mine)).toBe('not a valid policy with statements');
    expect(policyDiff({ Version: '2012-10-17' }, mine)).toBe('not a valid policy with statements');
  });
  it('a single statement object (not a list) is read as one statement', () => {
    expect(policyDiff({ Statement: mine.Statement[2] }, mine)).toBe(
      'AWSCloudTrailAclCheck, AWSCloudTrailWrite missing',
    );
  });
});
