// The contract between the framework and a service module (emulator/services/*.ts).
import type { IncomingHttpHeaders } from 'node:http';
import type { AwsError, ErrorSpec } from './errors.js';
import type { Principal, World } from './world.js';

export type Protocol = 'json' | 'restJson' | 'query' | 'ec2' | 'restXml';

/** The HTTP request as received (body already de-chunked if it was aws-chunked). */
export interface RawRequest {
  method: string;
  /** Path without the query string, percent-decoded. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface Caller {
  accountId: string;
  principal: Principal;
  /** ARN as GetCallerIdentity would return it. */
  arn: string;
  accessKeyId: string;
}

/** A fully custom HTTP answer (REST protocols: status codes, headers, raw bodies). */
export interface HttpResult {
  $http: true;
  status?: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export interface PageResult<T> {
  items: T[];
  nextToken?: string;
}

export interface HandlerContext<I = any> {
  /** Parsed input: JSON body (JSON protocols), nested form fields (query), route params (REST). */
  input: I;
  operation: string;
  /** Module name (e.g. 'organizations', 's3-control'). */
  service: string;
  caller: Caller;
  region: string;
  world: World;
  requestId: string;
  req: RawRequest;
  /** Build an AWS error to throw: `throw ctx.error('NoSuchEntity', '…', 404)`. */
  error(code: string, message: string, status?: number, extra?: Record<string, unknown>): AwsError;
  /** Error with this service's access-denied code, phrased as AWS does. */
  accessDenied(message?: string): AwsError;
  /**
   * Finish asynchronous work later: `run` executes once the latency profile's async
   * duration for `<service>:<key>` (default: this operation) has elapsed. With the
   * `instant` profile it runs before the next request is handled.
   */
  later(run: (world: World) => void, key?: string): void;
  /** Page a list with NextToken (page size from the world config, capped by `max`). */
  paginate<T>(items: T[], token: string | undefined, max?: number | string): PageResult<T>;
  /** This service's store for an account (default: the caller's), created by `init`. */
  store<T>(init: () => T, accountId?: string): T;
}

export type Handler = (ctx: HandlerContext) => unknown | Promise<unknown>;

export interface OperationDef {
  handler: Handler;
  /** Overrides the name-based default (Get/List/Describe/Head… = read). */
  mutating?: boolean;
}

export interface DriftContext {
  world: World;
  /** Account the drift applies to (params.account or the home account). */
  accountId: string;
  params: Record<string, any>;
  error(message: string): Error;
}

export type DriftHandler = (ctx: DriftContext) => unknown;

export interface ServiceErrors {
  throttling: ErrorSpec;
  accessDenied: ErrorSpec;
  internal: ErrorSpec;
  unavailable: ErrorSpec;
  unknownOperation: ErrorSpec;
  invalidCredentials: ErrorSpec;
  /** Malformed request body / missing or bad field at the framework level. */
  validation: ErrorSpec;
  /** Bad NextToken. */
  invalidToken: ErrorSpec;
}

export interface ServiceModule {
  /** Unique name used in the call log, faults, drift and latency keys ('organizations', 's3-control'). */
  name: string;
  /** SigV4 signing name from the credential scope ('organizations', 'sso', 's3'…). */
  signingName: string;
  protocol: Protocol;
  /** JSON protocols: `X-Amz-Target` prefix before the dot (e.g. 'AWSOrganizationsV20161128'). */
  targetPrefix?: string;
  /** Query protocols: xmlns on responses (e.g. 'https://iam.amazonaws.com/doc/2010-05-08/'). */
  xmlNamespace?: string;
  /** restXml: wrap errors in <ErrorResponse> (S3 Control) instead of a bare <Error> (S3). */
  errorWrapping?: boolean;
  /** When several modules share a signing name (s3 / s3-control): claim the request. */
  matches?(req: RawRequest): boolean;
  /** REST protocols: map method+path to an operation and its path/query/header params. */
  route?(req: RawRequest): { operation: string; params?: Record<string, unknown> } | undefined;
  /**
   * Services called without SigV4 (the SSO portal's bearer token, SSO OIDC): claim a request
   * that has no credential scope, and say who calls (throw an AwsError to refuse).
   */
  unsigned?: {
    matches(req: RawRequest): boolean;
    authenticate(req: RawRequest, world: World): { caller: Caller; region: string };
  };
  /** Service-specific error codes; unspecified ones fall back to protocol defaults. */
  errors?: Partial<ServiceErrors>;
  operations: Record<string, Handler | OperationDef>;
  /** Drift kinds for `POST /_emulator/drift {service, kind, …}`. */
  drift?: Record<string, DriftHandler>;
}

/** Name-based default for the call log and holds: reads start with these verbs. */
export const READ_PREFIXES = ['Get', 'List', 'Describe', 'Head', 'Lookup', 'Search', 'Check'];

export function isMutating(module: ServiceModule, operation: string): boolean {
  const def = module.operations[operation];
  if (def && typeof def === 'object' && typeof def.mutating === 'boolean') return def.mutating;
  return !READ_PREFIXES.some((p) => operation.startsWith(p));
}

export interface CallRecord {
  seq: number;
  time: string;
  service: string;
  operation: string;
  account: string | null;
  principal: string | null;
  region: string | null;
  mutating: boolean;
  status: number | null;
  errorCode: string | null;
  requestId: string;
  durationMs: number | null;
  /** The SDK application ID in the User-Agent (`app/<id>`), when the caller configured one. */
  appId?: string;
  /** Set when a fault rule acted on this call ('throttle', 'drop', …). */
  fault?: string;
  /** 'held' while a hold pauses the call; 'aborted' when the client went away. */
  note?: string;
}
