// The key policy of the KMS key that encrypts the organization trail's logs (CIS 3.5), kept in
// the log-archive account. From AWS's "Configure AWS KMS key policies for CloudTrail"
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html):
// - the key's account (and so IAM in it) administers the key; the guardrail SCP on the
//   Security OU stops anyone but OrganizationAccountAccessRole from disabling, deleting or
//   re-policing it;
// - CloudTrail may generate data keys only for our trail (aws:SourceArn) and only with the
//   encryption context of the management account's trails, and may describe the key;
// - principals of the log-archive and audit accounts may decrypt CloudTrail log files.
import { trailArn } from './bucket-policy.js';

export interface KeyPolicyParams {
  /** The log-archive account, which owns the key. */
  keyAccountId: string;
  managementAccountId: string;
  auditAccountId: string;
  /** The trail's home region. */
  region: string;
  trailName: string;
}

export function trailKeyPolicy(p: KeyPolicyParams) {
  const trailContext = {
    'kms:EncryptionContext:aws:cloudtrail:arn': `arn:aws:cloudtrail:*:${p.managementAccountId}:trail/*`,
  };
  const sourceArn = { 'aws:SourceArn': trailArn(p) };
  return {
    Version: '2012-10-17',
    Id: 'secure-start-org-trail-key',
    Statement: [
      {
        Sid: 'EnableIAMUserPermissions',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${p.keyAccountId}:root` },
        Action: 'kms:*',
        Resource: '*',
      },
      {
        Sid: 'AllowCloudTrailEncryptLogs',
        Effect: 'Allow',
        Principal: { Service: 'cloudtrail.amazonaws.com' },
        Action: 'kms:GenerateDataKey*',
        Resource: '*',
        Condition: { StringEquals: sourceArn, StringLike: trailContext },
      },
      {
        Sid: 'AllowCloudTrailDescribeKey',
        Effect: 'Allow',
        Principal: { Service: 'cloudtrail.amazonaws.com' },
        Action: 'kms:DescribeKey',
        Resource: '*',
        Condition: { StringEquals: sourceArn },
      },
      {
        Sid: 'AllowLogReadersDecrypt',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: ['kms:Decrypt', 'kms:ReEncryptFrom'],
        Resource: '*',
        Condition: {
          StringEquals: { 'kms:CallerAccount': [p.keyAccountId, p.auditAccountId] },
          StringLike: trailContext,
        },
      },
    ],
  };
}
