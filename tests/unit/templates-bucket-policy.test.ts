import { describe, expect, it } from 'vitest';
import { bucketPolicy, renderBucketPolicy, trailArn } from '../../templates/bucket-policy.js';
import { policyAllows } from '../../emulator/services/cloudtrail.js';

const P = {
  bucket: 'acme-org-trail-111100000001',
  managementAccountId: '123456789012',
  orgId: 'o-abc123defg',
  region: 'eu-west-1',
  trailName: 'acme-org-trail',
};
const ARN = 'arn:aws:cloudtrail:eu-west-1:123456789012:trail/acme-org-trail';
const CT = 'cloudtrail.amazonaws.com';
const obj = (owner: string) => `arn:aws:s3:::${P.bucket}/AWSLogs/${owner}/CloudTrail/eu-west-1/2025/01/01/x.json.gz`;
const ctx = (extra: Record<string, string> = {}) => ({ 'aws:SourceArn': ARN, 'aws:SecureTransport': 'true', ...extra });
const ACL = { 's3:x-amz-acl': 'bucket-owner-full-control' };

describe('bucket policy template', () => {
  const text = renderBucketPolicy(P);
  const doc = JSON.parse(text);

  it('renders valid, minified JSON well under the 20 KB bucket policy limit', () => {
    expect(text).toBe(JSON.stringify(doc));
    expect(text).not.toMatch(/\s{2}|\n/);
    expect(Buffer.byteLength(text)).toBeLessThan(20 * 1024);
    expect(doc.Version).toBe('2012-10-17');
    expect(doc.Statement.map((s: any) => s.Sid)).toEqual([
      'AWSCloudTrailAclCheck',
      'AWSCloudTrailWrite',
      'DenyInsecureTransport',
    ]);
    expect(text).not.toMatch(/[<>]/); // no placeholder left
  });

  it('names the exact trail ARN', () => {
    expect(trailArn(P)).toBe(ARN);
  });

  it('lets CloudTrail read the bucket ACL, on the bucket ARN only, for our trail only', () => {
    expect(doc.Statement[0]).toEqual({
      Sid: 'AWSCloudTrailAclCheck',
      Effect: 'Allow',
      Principal: { Service: CT },
      Action: 's3:GetBucketAcl',
      Resource: `arn:aws:s3:::${P.bucket}`,
      Condition: { StringEquals: { 'aws:SourceArn': ARN } },
    });
  });

  it('lets CloudTrail write under AWSLogs/<management>/ and AWSLogs/<org id>/ with bucket-owner-full-control, for our trail only', () => {
    expect(doc.Statement[1]).toEqual({
      Sid: 'AWSCloudTrailWrite',
      Effect: 'Allow',
      Principal: { Service: CT },
      Action: 's3:PutObject',
      Resource: [`arn:aws:s3:::${P.bucket}/AWSLogs/123456789012/*`, `arn:aws:s3:::${P.bucket}/AWSLogs/o-abc123defg/*`],
      Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceArn': ARN } },
    });
  });

  it('denies every request over plain HTTP, on the bucket and its objects', () => {
    expect(doc.Statement[2]).toEqual({
      Sid: 'DenyInsecureTransport',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: [`arn:aws:s3:::${P.bucket}`, `arn:aws:s3:::${P.bucket}/*`],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    });
  });

  // The same evaluator the emulator's CloudTrail uses to accept or refuse the bucket.
  it('evaluates as intended: our trail may write, others may not', () => {
    expect(policyAllows(text, CT, 's3:GetBucketAcl', `arn:aws:s3:::${P.bucket}`, ctx())).toBe(true);
    expect(policyAllows(text, CT, 's3:PutObject', obj('123456789012'), ctx(ACL))).toBe(true);
    expect(policyAllows(text, CT, 's3:PutObject', obj('o-abc123defg/111100000003'), ctx(ACL))).toBe(true);
    // another trail (confused deputy), no ACL, another prefix, plain HTTP
    expect(
      policyAllows(
        text,
        CT,
        's3:PutObject',
        obj('123456789012'),
        ctx({ ...ACL, 'aws:SourceArn': 'arn:aws:cloudtrail:eu-west-1:999999999999:trail/x' }),
      ),
    ).toBe(false);
    expect(policyAllows(text, CT, 's3:PutObject', obj('123456789012'), ctx())).toBe(false);
    expect(policyAllows(text, CT, 's3:PutObject', obj('999999999999'), ctx(ACL))).toBe(false);
    expect(
      policyAllows(text, CT, 's3:PutObject', obj('123456789012'), ctx({ ...ACL, 'aws:SecureTransport': 'false' })),
    ).toBe(false);
    expect(policyAllows(text, 'config.amazonaws.com', 's3:PutObject', obj('123456789012'), ctx(ACL))).toBe(false);
  });

  it('keeps the inputs it is given (another bucket, region, trail)', () => {
    const d = bucketPolicy({ ...P, bucket: 'other-bucket', region: 'us-east-1', trailName: 't2' });
    expect(d.Statement[0]!.Resource).toBe('arn:aws:s3:::other-bucket');
    expect(d.Statement[1]!.Condition).toEqual({
      StringEquals: {
        's3:x-amz-acl': 'bucket-owner-full-control',
        'aws:SourceArn': 'arn:aws:cloudtrail:us-east-1:123456789012:trail/t2',
      },
    });
  });
});

describe('bucket policy with AWS Config delivery (securityHub.enabled)', () => {
  const IDS = ['123456789012', '111100000003'];
  const text = renderBucketPolicy({ ...P, config: { prefix: 'config', accountIds: IDS } });
  const doc = JSON.parse(text);
  const CFG = { service: 'config.amazonaws.com' };
  const at = (acct: string, extra: Record<string, string> = {}) => ({
    'aws:SourceAccount': acct,
    'aws:SecureTransport': 'true',
    ...extra,
  });

  it('adds the three statements AWS documents, before the TLS deny; without it the policy is unchanged', () => {
    expect(doc.Statement.map((s: any) => s.Sid)).toEqual([
      'AWSCloudTrailAclCheck',
      'AWSCloudTrailWrite',
      'AWSConfigBucketPermissionsCheck',
      'AWSConfigBucketExistenceCheck',
      'AWSConfigBucketDelivery',
      'DenyInsecureTransport',
    ]);
    expect(renderBucketPolicy(P)).not.toContain('config.amazonaws.com');
  });

  // The evaluator the emulator's AWS Config uses to accept or refuse a delivery channel.
  it('lets Config of our accounts check the ACL and write under config/AWSLogs/<account>/Config/, nobody else', async () => {
    const { policyAllows: allows } = await import('../../emulator/policy.js');
    const bucketArn = `arn:aws:s3:::${P.bucket}`;
    const obj = (acct: string, prefix = 'config') =>
      `${bucketArn}/${prefix}/AWSLogs/${acct}/Config/ConfigWritabilityCheckFile`;
    for (const acct of IDS) {
      expect(allows(text, { action: 's3:GetBucketAcl', resource: bucketArn, context: at(acct), requester: CFG })).toBe(
        true,
      );
      expect(
        allows(text, { action: 's3:PutObject', resource: obj(acct), context: at(acct, ACL), requester: CFG }),
      ).toBe(true);
    }
    expect(
      allows(text, {
        action: 's3:PutObject',
        resource: obj('999999999999'),
        context: at('999999999999', ACL),
        requester: CFG,
      }),
    ).toBe(false);
    expect(
      allows(text, {
        action: 's3:PutObject',
        resource: obj(IDS[1]!),
        context: at('999999999999', ACL),
        requester: CFG,
      }),
    ).toBe(false);
    expect(
      allows(text, {
        action: 's3:PutObject',
        resource: obj(IDS[1]!, 'other'),
        context: at(IDS[1]!, ACL),
        requester: CFG,
      }),
    ).toBe(false);
    expect(allows(text, { action: 's3:PutObject', resource: obj(IDS[1]!), context: at(IDS[1]!), requester: CFG })).toBe(
      false,
    );
  });
});
