import { describe, expect, it } from 'vitest';
import { orgTrail, type TrailSeen } from '../../../steps/org-trail.js';
import { ACCOUNTS, MGMT, awsErr, basic, brief, fakeCtx, ops, runAction, KNOWN } from './fixtures.js';

const want = basic();
const NAME = 'acme-robotics-org-trail';
const BUCKET = `acme-robotics-org-trail-${ACCOUNTS['log-archive']}`;
const ARN = `arn:aws:cloudtrail:eu-west-1:${MGMT}:trail/${NAME}`;
const KEY = `arn:aws:kms:eu-west-1:${ACCOUNTS['log-archive']}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const SETTINGS = {
  S3BucketName: BUCKET,
  IsOrganizationTrail: true,
  IsMultiRegionTrail: true,
  IncludeGlobalServiceEvents: true,
  EnableLogFileValidation: true,
  KmsKeyId: KEY,
};
const good = (): TrailSeen => ({
  bucket: BUCKET,
  keyArn: KEY,
  trail: {
    arn: ARN,
    bucket: BUCKET,
    isOrganizationTrail: true,
    isMultiRegionTrail: true,
    includeGlobalServiceEvents: true,
    logFileValidation: true,
    kmsKeyId: KEY,
    isLogging: true,
  },
});

describe('org-trail plan', () => {
  it('creates the organization trail in the management account home region, then starts logging', () => {
    const actions = orgTrail.plan(want, { bucket: BUCKET, keyArn: KEY });
    expect(brief(actions)).toEqual([
      { symbol: '+', op: 'cloudtrail:CreateTrail', input: { Name: NAME, ...SETTINGS } },
      { symbol: '+', op: 'cloudtrail:StartLogging', input: { Name: NAME } },
    ]);
    expect(actions.every((a) => a.target.account === 'management' && a.target.region === 'eu-west-1')).toBe(true);
    expect(actions[0]!.produces).toEqual(['trail.arn']);
    expect(actions[1]!.after).toEqual(['trail.arn']);
  });

  it('plans nothing when the trail is complete and logging', () => {
    expect(orgTrail.plan(want, good())).toEqual([]);
  });

  it('a stopped trail is restarted (CIS 3.1)', () => {
    const seen = good();
    seen.trail!.isLogging = false;
    const actions = orgTrail.plan(want, seen);
    expect(brief(actions)).toEqual([{ symbol: '~', op: 'cloudtrail:StartLogging', input: { Name: ARN } }]);
    expect(actions[0]!.controls).toEqual(['SSB ACCT.07', 'CIS 3.1']);
  });

  it('validation off is repaired with UpdateTrail, naming CIS 3.2', () => {
    const seen = good();
    seen.trail!.logFileValidation = false;
    const actions = orgTrail.plan(want, seen);
    expect(brief(actions)).toEqual([{ symbol: '~', op: 'cloudtrail:UpdateTrail', input: { Name: ARN, ...SETTINGS } }]);
    expect(actions[0]!.controls).toEqual(['SSB ACCT.07', 'CIS 3.2']);
    expect(actions[0]!.summary).toContain('log file validation off');
  });

  it('a trail delivering elsewhere, single-region and not org-wide is put back in one UpdateTrail', () => {
    const seen = good();
    Object.assign(seen.trail!, { bucket: 'someone-else', isMultiRegionTrail: false, isOrganizationTrail: false });
    const actions = orgTrail.plan(want, seen);
    expect(ops(actions)).toEqual(['cloudtrail:UpdateTrail']);
    expect(actions[0]!.summary).toMatch(
      new RegExp(
        `bucket someone-else → acme-robotics-org-trail-${ACCOUNTS['log-archive']}; not an organization trail; single region`,
      ),
    );
    expect(actions[0]!.controls).toEqual(['SSB ACCT.07', 'CIS 3.1']);
  });

  it('logs not encrypted with the trail key (CIS 3.5), or with another key: UpdateTrail with KmsKeyId', () => {
    const seen = good();
    delete seen.trail!.kmsKeyId;
    const actions = orgTrail.plan(want, seen);
    expect(brief(actions)).toEqual([{ symbol: '~', op: 'cloudtrail:UpdateTrail', input: { Name: ARN, ...SETTINGS } }]);
    expect(actions[0]!.controls).toEqual(['SSB ACCT.07', 'CIS 3.5']);
    expect(actions[0]!.summary).toContain('logs not encrypted with the trail KMS key');
    seen.trail!.kmsKeyId = 'arn:aws:kms:eu-west-1:999999999999:key/other';
    expect(orgTrail.plan(want, seen)[0]!.summary).toContain(
      'encrypted with another KMS key (arn:aws:kms:eu-west-1:999999999999:key/other)',
    );
  });

  it('validation off and stopped: both repairs, in parallel', () => {
    const seen = good();
    Object.assign(seen.trail!, { logFileValidation: false, isLogging: false });
    expect(ops(orgTrail.plan(want, seen))).toEqual(['cloudtrail:UpdateTrail', 'cloudtrail:StartLogging']);
  });
});

describe('org-trail observe', () => {
  const trail = {
    Name: NAME,
    S3BucketName: BUCKET,
    IsOrganizationTrail: true,
    IsMultiRegionTrail: true,
    IncludeGlobalServiceEvents: true,
    LogFileValidationEnabled: true,
    KmsKeyId: KEY,
    HomeRegion: 'eu-west-1',
    TrailARN: ARN,
  };

  it('finds the trail by name with DescribeTrails and reads GetTrailStatus', async () => {
    const { ctx, calls, published } = fakeCtx(
      want,
      (_s, op) => (op === 'DescribeTrails' ? { trailList: [trail] } : { IsLogging: true }),
      { 'trail.bucket': BUCKET, 'trail.keyArn': KEY },
    );
    expect(await orgTrail.observe(ctx)).toEqual(good());
    expect(calls.map((c) => [c.op, c.input, c.target])).toEqual([
      [
        'DescribeTrails',
        { trailNameList: [NAME], includeShadowTrails: false },
        { account: 'management', region: 'eu-west-1' },
      ],
      ['GetTrailStatus', { Name: ARN }, { account: 'management', region: 'eu-west-1' }],
    ]);
    expect(published['trail.arn']).toBe(ARN);
  });

  it('no trail of that name: to create', async () => {
    const { ctx } = fakeCtx(want, () => ({ trailList: [{ ...trail, Name: 'other' }] }), {
      'trail.bucket': BUCKET,
      'trail.keyArn': KEY,
    });
    expect(await orgTrail.observe(ctx)).toEqual({ bucket: BUCKET, keyArn: KEY });
  });

  it('warns when CloudTrail cannot deliver (a changed bucket policy)', async () => {
    const { ctx, warnings } = fakeCtx(
      want,
      (_s, op) =>
        op === 'DescribeTrails' ? { trailList: [trail] } : { IsLogging: true, LatestDeliveryError: 'AccessDenied' },
      { 'trail.bucket': BUCKET },
    );
    await orgTrail.observe(ctx);
    expect(warnings.join()).toMatch(/cannot deliver.*AccessDenied/);
  });

  it('without the bucket step output, derives the bucket name from the log-archive account', () => {
    const { ctx } = fakeCtx(want, () => ({}), {}, 'plan');
    expect(orgTrail.fresh(ctx).bucket).toBe('acme-robotics-org-trail-<log-archive.accountId>');
  });
});

describe('org-trail run', () => {
  const create = () => orgTrail.plan(want, { bucket: BUCKET, keyArn: KEY })[0]!;

  it('returns the new trail ARN', async () => {
    const { ctx, calls } = fakeCtx(want, () => ({ TrailARN: ARN }), KNOWN);
    await expect(runAction(create(), ctx)).resolves.toEqual({ 'trail.arn': ARN });
    expect(calls[0]!.input).toEqual({ Name: NAME, ...SETTINGS });
  });

  it('adopts the trail an earlier run created (TrailAlreadyExistsException)', async () => {
    const { ctx, calls } = fakeCtx(
      want,
      (_s, op) => (op === 'CreateTrail' ? awsErr('TrailAlreadyExistsException') : { Trail: { TrailARN: ARN } }),
      KNOWN,
    );
    await expect(runAction(create(), ctx)).resolves.toEqual({ 'trail.arn': ARN });
    expect(calls.map((c) => c.op)).toEqual(['CreateTrail', 'GetTrail']);
  });

  it('refuses to adopt a same-named trail whose home is another region (it would never settle)', async () => {
    const other = `arn:aws:cloudtrail:us-east-1:${MGMT}:trail/${NAME}`;
    const { ctx } = fakeCtx(
      want,
      (_s, op) =>
        op === 'CreateTrail'
          ? awsErr('TrailAlreadyExistsException')
          : { Trail: { TrailARN: other, HomeRegion: 'us-east-1' } },
      KNOWN,
    );
    await expect(runAction(create(), ctx)).rejects.toMatchObject({
      name: 'StepError',
      message: expect.stringContaining('home region us-east-1, not eu-west-1'),
      hint: expect.stringContaining('trail.name'),
    });
  });

  for (const [code, text] of [
    ['CloudTrailAccessNotEnabledException', /not trusted by the organization/],
    ['InsufficientS3BucketPolicyException', /does not let CloudTrail write/],
    ['S3BucketDoesNotExistException', /does not exist/],
    ['MaximumNumberOfTrailsExceededException', /already has 5 trails/],
    ['InsufficientEncryptionPolicyException', /cannot use the KMS key/],
    ['KmsException', /cannot use the KMS key/],
  ] as const) {
    it(`explains ${code}`, async () => {
      const { ctx } = fakeCtx(want, () => awsErr(code), KNOWN);
      await expect(runAction(create(), ctx)).rejects.toMatchObject({
        name: 'StepError',
        message: expect.stringMatching(text),
      });
    });
  }

  it('StartLogging of a new trail waits until the trail exists', async () => {
    let gets = 0;
    const { ctx, calls } = fakeCtx(
      want,
      (_s, op) => (op === 'GetTrail' ? (++gets < 2 ? awsErr('TrailNotFoundException') : { Trail: {} }) : {}),
      KNOWN,
    );
    await runAction(orgTrail.plan(want, { bucket: BUCKET, keyArn: KEY })[1]!, ctx);
    expect(calls.map((c) => c.op)).toEqual(['GetTrail', 'GetTrail', 'StartLogging']);
  });
});
