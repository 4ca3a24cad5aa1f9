// The org trail bucket's policy: CloudTrail may read the bucket ACL and write log files under
// AWSLogs/<management account>/ and AWSLogs/<organization id>/, only for our trail
// (aws:SourceArn, so another account's trail cannot use the bucket: the confused-deputy
// guard), only with the bucket-owner-full-control ACL; and nobody may use plain HTTP.
// With AWS Config recording on (securityHub.enabled), AWS Config (the service principal, as
// the service-linked recorder role and a bucket of another account make it write) may check the
// bucket ACL, list the bucket and write under `<prefix>/AWSLogs/<account>/Config/`, only for the
// organization's own accounts (aws:SourceAccount), only with bucket-owner-full-control — the
// policy AWS documents at https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-policy.html.
// (A TypeScript builder rather than templates/render.ts: that renderer did not exist when
// this was written, and every value here is an ARN built from IDs, not free text.)

export interface BucketPolicyParams {
  bucket: string;
  /** Management account ID (12 digits). */
  managementAccountId: string;
  /** Organization ID (o-…). */
  orgId: string;
  /** The trail's home region. */
  region: string;
  trailName: string;
  /** AWS Config delivery: the key prefix (no slashes) and every account that records (IDs). */
  config?: { prefix: string; accountIds: string[] };
}

export const trailArn = (p: Pick<BucketPolicyParams, 'region' | 'managementAccountId' | 'trailName'>): string =>
  `arn:aws:cloudtrail:${p.region}:${p.managementAccountId}:trail/${p.trailName}`;

export function bucketPolicy(p: BucketPolicyParams) {
  const bucketArn = `arn:aws:s3:::${p.bucket}`;
  const sourceArn = { 'aws:SourceArn': trailArn(p) };
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AWSCloudTrailAclCheck',
        Effect: 'Allow',
        Principal: { Service: 'cloudtrail.amazonaws.com' },
        Action: 's3:GetBucketAcl',
        Resource: bucketArn,
        Condition: { StringEquals: sourceArn },
      },
      {
        Sid: 'AWSCloudTrailWrite',
        Effect: 'Allow',
        Principal: { Service: 'cloudtrail.amazonaws.com' },
        Action: 's3:PutObject',
        Resource: [`${bucketArn}/AWSLogs/${p.managementAccountId}/*`, `${bucketArn}/AWSLogs/${p.orgId}/*`],
        Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', ...sourceArn } },
      },
      ...(p.config ? configStatements(bucketArn, p.config) : []),
      {
        Sid: 'DenyInsecureTransport',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: [bucketArn, `${bucketArn}/*`],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    ],
  };
}

/** AWS Config's three statements (s3-bucket-policy.html: permissions check, existence check, delivery). */
function configStatements(bucketArn: string, c: { prefix: string; accountIds: string[] }) {
  const principal = { Service: 'config.amazonaws.com' };
  const source = { 'aws:SourceAccount': c.accountIds.length === 1 ? c.accountIds[0]! : [...c.accountIds] };
  return [
    {
      Sid: 'AWSConfigBucketPermissionsCheck',
      Effect: 'Allow',
      Principal: principal,
      Action: 's3:GetBucketAcl',
      Resource: bucketArn,
      Condition: { StringEquals: source },
    },
    {
      Sid: 'AWSConfigBucketExistenceCheck',
      Effect: 'Allow',
      Principal: principal,
      Action: 's3:ListBucket',
      Resource: bucketArn,
      Condition: { StringEquals: source },
    },
    {
      Sid: 'AWSConfigBucketDelivery',
      Effect: 'Allow',
      Principal: principal,
      Action: 's3:PutObject',
      Resource: c.accountIds.map((id) => `${bucketArn}/${c.prefix}/AWSLogs/${id}/Config/*`),
      Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', ...source } },
    },
  ];
}

/** The policy as sent to PutBucketPolicy (minified JSON). */
export const renderBucketPolicy = (p: BucketPolicyParams): string => JSON.stringify(bucketPolicy(p));
