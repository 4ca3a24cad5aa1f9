// What IAM sees of an emulated call: the action it authorizes and the resource ARNs it names.
// Most operations authorize `<service prefix>:<Operation>`; the exceptions below are from the
// Service Authorization Reference ("Actions, resources, and condition keys for …",
// https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html)
// and S3's "Required permissions for Amazon S3 API operations"
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-with-s3-policy-actions.html).
// The SCP check in the request pipeline (scp.ts) uses this; tests/helpers/scp-eval.ts reuses it.
import type { Caller } from './types.js';
import type { World } from './world.js';
import { SERVICE_LINKED_ROLES } from './services/iam-roles.js';

/** IAM service prefix of each emulator module (where it differs from the module name). */
// Same as the module name for the security services; listed so their SCP prefixes are explicit
// (Service Authorization Reference: list_amazonguardduty.html, list_awsiamaccessanalyzer.html,
// list_awssecurityhub.html, list_awsconfig.html under
// https://docs.aws.amazon.com/service-authorization/latest/reference/).
const PREFIX: Record<string, string> = {
  'cost-explorer': 'ce',
  'sso-admin': 'sso',
  's3-control': 's3',
  guardduty: 'guardduty',
  'access-analyzer': 'access-analyzer',
  securityhub: 'securityhub',
  config: 'config',
};

/** Operations whose IAM action is not `<prefix>:<Operation>`. */
const SPECIAL: Record<string, string> = {
  // S3 Control account-level Block Public Access.
  's3-control:GetPublicAccessBlock': 's3:GetAccountPublicAccessBlock',
  's3-control:PutPublicAccessBlock': 's3:PutAccountPublicAccessBlock',
  's3-control:DeletePublicAccessBlock': 's3:PutAccountPublicAccessBlock',
  // S3 bucket operations (API name ≠ action name).
  's3:ListBuckets': 's3:ListAllMyBuckets',
  's3:HeadBucket': 's3:ListBucket',
  's3:GetPublicAccessBlock': 's3:GetBucketPublicAccessBlock',
  's3:PutPublicAccessBlock': 's3:PutBucketPublicAccessBlock',
  's3:DeletePublicAccessBlock': 's3:PutBucketPublicAccessBlock',
  's3:DeleteBucketOwnershipControls': 's3:PutBucketOwnershipControls',
  's3:GetBucketEncryption': 's3:GetEncryptionConfiguration',
  's3:PutBucketEncryption': 's3:PutEncryptionConfiguration',
  's3:DeleteBucketEncryption': 's3:PutEncryptionConfiguration',
  's3:GetBucketLifecycleConfiguration': 's3:GetLifecycleConfiguration',
  's3:PutBucketLifecycleConfiguration': 's3:PutLifecycleConfiguration',
  's3:DeleteBucketLifecycle': 's3:PutLifecycleConfiguration',
  's3:GetObjectLockConfiguration': 's3:GetBucketObjectLockConfiguration',
  's3:PutObjectLockConfiguration': 's3:PutBucketObjectLockConfiguration',
  's3:ListObjectVersions': 's3:ListBucketVersions',
  's3:ListObjectsV2': 's3:ListBucket',
  's3:HeadObject': 's3:GetObject',
  // Budgets has two actions for its whole API.
  'budgets:DescribeBudget': 'budgets:ViewBudget',
  'budgets:DescribeBudgets': 'budgets:ViewBudget',
  'budgets:DescribeNotificationsForBudget': 'budgets:ViewBudget',
  'budgets:DescribeSubscribersForNotification': 'budgets:ViewBudget',
};

/** The IAM action a call of `service` (emulator module name) `operation` needs. */
export function iamActionOf(service: string, operation: string, input: Record<string, unknown> = {}): string {
  // DeleteObject of one version is its own action (s3:DeleteObjectVersion); so is reading one.
  if (service === 's3' && operation === 'DeleteObject' && input.VersionId) return 's3:DeleteObjectVersion';
  if (service === 's3' && operation === 'GetObject' && input.VersionId) return 's3:GetObjectVersion';
  if (service === 'budgets' && !SPECIAL[`budgets:${operation}`]) return 'budgets:ModifyBudget';
  return SPECIAL[`${service}:${operation}`] ?? `${PREFIX[service] ?? service}:${operation}`;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

/** The KMS key ARN a KeyId (key ID, key ARN, alias name or alias ARN) names, if it exists. */
function kmsKeyArn(world: World, caller: Caller, region: string, keyId: string): string {
  if (/^arn:aws:kms:[^:]+:\d{12}:key\//.test(keyId)) return keyId;
  const alias = /^(?:arn:aws:kms:([^:]+):(\d{12}):)?(alias\/.+)$/.exec(keyId);
  if (alias) {
    const acct = alias[2] ?? caller.accountId;
    const reg = alias[1] ?? region;
    const store = world.stores[acct]?.['kms'] as
      { aliases?: { name: string; region: string; keyId: string }[] } | undefined;
    const hit = store?.aliases?.find((a) => a.name === alias[3] && a.region === reg);
    return hit ? `arn:aws:kms:${reg}:${acct}:key/${hit.keyId}` : `arn:aws:kms:${reg}:${acct}:${alias[3]}`;
  }
  return `arn:aws:kms:${region}:${caller.accountId}:key/${keyId}`;
}

/**
 * The resource ARNs a call names, for `Resource` matching; ['*'] when the action has no
 * resource-level permissions (account settings, List* calls, Organizations…).
 */
export function resourcesOf(
  world: World,
  service: string,
  operation: string,
  input: Record<string, unknown>,
  caller: Caller,
  region: string,
): string[] {
  const acct = caller.accountId;
  switch (service) {
    case 's3': {
      const bucket = str(input.Bucket);
      if (!bucket) return ['*'];
      const key = str(input.Key);
      return [key ? `arn:aws:s3:::${bucket}/${key}` : `arn:aws:s3:::${bucket}`];
    }
    case 'iam': {
      const role = str(input.RoleName);
      if (role) {
        const existing = world.account(acct)?.roles[role];
        const path = str(input.Path) ?? '/';
        return [existing?.arn ?? `arn:aws:iam::${acct}:role${path}${role}`];
      }
      const user = str(input.UserName);
      if (user) return [`arn:aws:iam::${acct}:user/${user}`];
      // iam:CreateServiceLinkedRole names the role it makes (path /aws-service-role/<service>/).
      const service = str(input.AWSServiceName);
      if (service && operation === 'CreateServiceLinkedRole') {
        const name = SERVICE_LINKED_ROLES[service]?.roleName;
        return [
          name
            ? `arn:aws:iam::${acct}:role/aws-service-role/${service}/${name}`
            : `arn:aws:iam::${acct}:role/aws-service-role/${service}/*`,
        ];
      }
      return ['*'];
    }
    case 'sts': {
      const role = str(input.RoleArn);
      return [role ?? '*'];
    }
    case 'cloudtrail': {
      const name = str(input.Name);
      if (!name) return ['*'];
      return [name.startsWith('arn:') ? name : `arn:aws:cloudtrail:${region}:${acct}:trail/${name}`];
    }
    case 'kms': {
      const out: string[] = [];
      const alias = str(input.AliasName);
      if (alias) out.push(`arn:aws:kms:${region}:${acct}:${alias}`);
      const key = str(input.TargetKeyId) ?? str(input.KeyId);
      if (key) out.push(kmsKeyArn(world, caller, region, key));
      return out.length ? out : ['*'];
    }
    case 'guardduty': {
      // Detector-scoped actions name arn:aws:guardduty:<region>:<account>:detector/<id>.
      const id = str(input.detectorId);
      return [id ? `arn:aws:guardduty:${region}:${acct}:detector/${id}` : '*'];
    }
    case 'access-analyzer': {
      const name = str(input.analyzerName);
      return [name ? `arn:aws:access-analyzer:${region}:${acct}:analyzer/${name}` : '*'];
    }
    default:
      return ['*'];
  }
}
