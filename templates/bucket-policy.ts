// The org trail bucket's policy: CloudTrail may read the bucket ACL and write log files under
// AWSLogs/<management account>/ and AWSLogs/<organization id>/, only for our trail
// (aws:SourceArn, so another account's trail cannot use the bucket: the confused-deputy
// guard), only with the bucket-owner-full-control ACL; and nobody may use plain HTTP.
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

/** The policy as sent to PutBucketPolicy (minified JSON). */
export const renderBucketPolicy = (p: BucketPolicyParams): string => JSON.stringify(bucketPolicy(p));
