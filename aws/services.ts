// The AWS services secure-start talks to, each loaded only when first used (the SDK is
// most of the bundle; `--help` must not pay for it). Each is the lean module in aws/sdk/ that
// re-exports only the commands the product sends (scripts/sdk-commands.mjs), so the bundle
// carries nothing else. Types come from the SDK itself, so
// `aws.call('organizations', 'CreateAccount', input)` is checked against the real model, and
// an operation missing from aws/sdk/ is a type error.

/**
 * Every service: its lean SDK module, client class, and (global services) the one region it
 * is reached in. One line per service: the types and the endpoint variables derive from it.
 */
const TABLE = {
  organizations: {
    load: () => import('./sdk/organizations.js'),
    client: 'OrganizationsClient',
    globalRegion: 'us-east-1',
  },
  'sso-admin': { load: () => import('./sdk/sso-admin.js'), client: 'SSOAdminClient' },
  identitystore: { load: () => import('./sdk/identitystore.js'), client: 'IdentitystoreClient' },
  budgets: { load: () => import('./sdk/budgets.js'), client: 'BudgetsClient', globalRegion: 'us-east-1' },
  'cost-explorer': {
    load: () => import('./sdk/cost-explorer.js'),
    client: 'CostExplorerClient',
    globalRegion: 'us-east-1',
  },
  account: { load: () => import('./sdk/account.js'), client: 'AccountClient', globalRegion: 'us-east-1' },
  cloudtrail: { load: () => import('./sdk/cloudtrail.js'), client: 'CloudTrailClient' },
  s3: { load: () => import('./sdk/s3.js'), client: 'S3Client' },
  's3-control': { load: () => import('./sdk/s3-control.js'), client: 'S3ControlClient' },
  sts: { load: () => import('./sdk/sts.js'), client: 'STSClient' },
  iam: { load: () => import('./sdk/iam.js'), client: 'IAMClient', globalRegion: 'us-east-1' },
  ec2: { load: () => import('./sdk/ec2.js'), client: 'EC2Client' },
  kms: { load: () => import('./sdk/kms.js'), client: 'KMSClient' },
  guardduty: { load: () => import('./sdk/guardduty.js'), client: 'GuardDutyClient' },
  securityhub: { load: () => import('./sdk/securityhub.js'), client: 'SecurityHubClient' },
  accessanalyzer: { load: () => import('./sdk/accessanalyzer.js'), client: 'AccessAnalyzerClient' },
  'config-service': { load: () => import('./sdk/config-service.js'), client: 'ConfigServiceClient' },
} satisfies Record<string, ServiceInfo>;

type Modules = { [S in keyof typeof TABLE]: Awaited<ReturnType<(typeof TABLE)[S]['load']>> };

export type ServiceName = keyof Modules;

export const SERVICES: Record<ServiceName, ServiceInfo> = TABLE;

type CommandKeys<S extends ServiceName> = Extract<keyof Modules[S], `${string}Command`>;
/** Operation names of a service, e.g. 'CreateAccount'. */
export type OpName<S extends ServiceName> =
  CommandKeys<S> extends `${infer O}Command` ? (O extends `$${string}` ? never : O) : never;
type CommandCtor<S extends ServiceName, O extends string> = Modules[S][Extract<`${O}Command`, keyof Modules[S]>];
// Commands whose input is optional take `...[input]: [] | [Input]`; unwrap either form.
type FirstArg<P> = P extends [infer I, ...unknown[]] ? I : never;
export type OpInput<S extends ServiceName, O extends OpName<S>> =
  CommandCtor<S, O> extends new (...args: infer P) => unknown ? FirstArg<P> : never;
type OutputOf<C> = C extends { resolveMiddleware(...a: never[]): (args: never) => Promise<{ output: infer Out }> }
  ? Out
  : never;
export type OpOutput<S extends ServiceName, O extends OpName<S>> =
  CommandCtor<S, O> extends new (...args: never[]) => infer C ? OutputOf<C> : never;

interface ServiceInfo {
  load: () => Promise<Record<string, unknown>>;
  client: string;
  /** Global services are reached in one fixed region whatever the target region. */
  globalRegion?: string;
}

/**
 * The SDK's own name for a service's endpoint variable: AWS_ENDPOINT_URL_ and the service ID
 * in upper snake case (sso-admin → AWS_ENDPOINT_URL_SSO_ADMIN).
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html
 */
export const endpointEnv = (service: ServiceName): string =>
  `AWS_ENDPOINT_URL_${service.toUpperCase().replace(/-/g, '_')}`;

/**
 * Reads never change AWS. Plan and verify may only make these; the check is by operation
 * name, as IAM's own action naming works, plus STS calls that only mint credentials.
 */
export function isReadOperation(service: string, operation: string): boolean {
  if (/^(Get|List|Describe|Head|Lookup|Search|Check|Preview|Validate)/.test(operation)) return true;
  return service === 'sts' && ['GetCallerIdentity', 'AssumeRole', 'AssumeRoot', 'GetSessionToken'].includes(operation);
}
