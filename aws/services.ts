// The AWS services secure-start talks to, each loaded only when first used (the SDK is
// most of the bundle; `--help` must not pay for it). Each is the lean module in aws/sdk/ that
// re-exports only the commands the product sends (scripts/sdk-commands.mjs), so the bundle
// carries nothing else. Types come from the SDK itself, so
// `aws.call('organizations', 'CreateAccount', input)` is checked against the real model, and
// an operation missing from aws/sdk/ is a type error.

/* eslint-disable @typescript-eslint/consistent-type-imports */
type Modules = {
  organizations: typeof import('./sdk/organizations.js');
  'sso-admin': typeof import('./sdk/sso-admin.js');
  identitystore: typeof import('./sdk/identitystore.js');
  budgets: typeof import('./sdk/budgets.js');
  'cost-explorer': typeof import('./sdk/cost-explorer.js');
  account: typeof import('./sdk/account.js');
  cloudtrail: typeof import('./sdk/cloudtrail.js');
  s3: typeof import('./sdk/s3.js');
  's3-control': typeof import('./sdk/s3-control.js');
  sts: typeof import('./sdk/sts.js');
  iam: typeof import('./sdk/iam.js');
  ec2: typeof import('./sdk/ec2.js');
  kms: typeof import('./sdk/kms.js');
};

export type ServiceName = keyof Modules;

type CommandKeys<S extends ServiceName> = Extract<keyof Modules[S], `${string}Command`>;
/** Operation names of a service, e.g. 'CreateAccount'. */
export type OpName<S extends ServiceName> = CommandKeys<S> extends `${infer O}Command` ? (O extends `$${string}` ? never : O) : never;
type CommandCtor<S extends ServiceName, O extends string> = Modules[S][Extract<`${O}Command`, keyof Modules[S]>];
// Commands whose input is optional take `...[input]: [] | [Input]`; unwrap either form.
type FirstArg<P> = P extends [infer I, ...unknown[]] ? I : never;
export type OpInput<S extends ServiceName, O extends OpName<S>> =
  CommandCtor<S, O> extends new (...args: infer P) => unknown ? FirstArg<P> : never;
type OutputOf<C> = C extends { resolveMiddleware(...a: never[]): (args: never) => Promise<{ output: infer Out }> } ? Out : never;
export type OpOutput<S extends ServiceName, O extends OpName<S>> =
  CommandCtor<S, O> extends new (...args: never[]) => infer C ? OutputOf<C> : never;

interface ServiceInfo {
  load: () => Promise<Record<string, unknown>>;
  client: string;
  /** Global services are reached in one fixed region whatever the target region. */
  globalRegion?: string;
}

export const SERVICES: Record<ServiceName, ServiceInfo> = {
  organizations: { load: () => import('./sdk/organizations.js'), client: 'OrganizationsClient', globalRegion: 'us-east-1' },
  'sso-admin': { load: () => import('./sdk/sso-admin.js'), client: 'SSOAdminClient' },
  identitystore: { load: () => import('./sdk/identitystore.js'), client: 'IdentitystoreClient' },
  budgets: { load: () => import('./sdk/budgets.js'), client: 'BudgetsClient', globalRegion: 'us-east-1' },
  'cost-explorer': { load: () => import('./sdk/cost-explorer.js'), client: 'CostExplorerClient', globalRegion: 'us-east-1' },
  account: { load: () => import('./sdk/account.js'), client: 'AccountClient', globalRegion: 'us-east-1' },
  cloudtrail: { load: () => import('./sdk/cloudtrail.js'), client: 'CloudTrailClient' },
  s3: { load: () => import('./sdk/s3.js'), client: 'S3Client' },
  's3-control': { load: () => import('./sdk/s3-control.js'), client: 'S3ControlClient' },
  sts: { load: () => import('./sdk/sts.js'), client: 'STSClient' },
  iam: { load: () => import('./sdk/iam.js'), client: 'IAMClient', globalRegion: 'us-east-1' },
  ec2: { load: () => import('./sdk/ec2.js'), client: 'EC2Client' },
  kms: { load: () => import('./sdk/kms.js'), client: 'KMSClient' },
};

/** The SDK's own names for the per-service endpoint variables (AWS_ENDPOINT_URL_<ID>). */
export const ENDPOINT_ENV: Record<ServiceName, string> = {
  organizations: 'AWS_ENDPOINT_URL_ORGANIZATIONS',
  'sso-admin': 'AWS_ENDPOINT_URL_SSO_ADMIN',
  identitystore: 'AWS_ENDPOINT_URL_IDENTITYSTORE',
  budgets: 'AWS_ENDPOINT_URL_BUDGETS',
  'cost-explorer': 'AWS_ENDPOINT_URL_COST_EXPLORER',
  account: 'AWS_ENDPOINT_URL_ACCOUNT',
  cloudtrail: 'AWS_ENDPOINT_URL_CLOUDTRAIL',
  s3: 'AWS_ENDPOINT_URL_S3',
  's3-control': 'AWS_ENDPOINT_URL_S3_CONTROL',
  sts: 'AWS_ENDPOINT_URL_STS',
  iam: 'AWS_ENDPOINT_URL_IAM',
  ec2: 'AWS_ENDPOINT_URL_EC2',
  kms: 'AWS_ENDPOINT_URL_KMS',
};

/**
 * Reads never change AWS. Plan and verify may only make these; the check is by operation
 * name, as IAM's own action naming works, plus STS calls that only mint credentials.
 */
export function isReadOperation(service: string, operation: string): boolean {
  if (/^(Get|List|Describe|Head|Lookup|Search|Check|Preview|Validate)/.test(operation)) return true;
  return service === 'sts' && ['GetCallerIdentity', 'AssumeRole', 'AssumeRoot', 'GetSessionToken'].includes(operation);
}
