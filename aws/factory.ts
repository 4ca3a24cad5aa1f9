// The only place that creates AWS SDK clients. It picks credentials (default chain, or
// --profile), assumes OrganizationAccountAccessRole into member accounts, retries throttling
// and 5xx with backoff and jitter (the SDK's standard strategy: also what keeps the low request
// rates of Organizations and the Account API), loads each client lazily, and in
// plan/verify refuses any operation that is not a read — a second guard behind the engine.
// Writes that AWS refuses to run side by side go one at a time (writers.ts), and the "another
// change is in progress, try again" answers AWS documents as retryable are retried with
// backoff. Endpoints come only from the SDK's own AWS_ENDPOINT_URL[_<SERVICE>] variables.
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { Limiter } from './limiter.js';
import { awsErrorName } from './errors.js';
import { CONFLICT_RETRY, conflictDelayMs, isDocumentedConflict, writerKey } from './writers.js';
import {
  SERVICES,
  endpointEnv,
  isReadOperation,
  type OpInput,
  type OpName,
  type OpOutput,
  type ServiceName,
} from './services.js';

export const MEMBER_ROLE = 'OrganizationAccountAccessRole';

/** Where a call goes. `account` is 'management' or a 12-digit member account ID. */
export interface CallTarget {
  account?: string;
  region?: string;
  /** How to get into a member account: the org access role (default) or a root-audit session. */
  session?: 'org-role' | 'root-audit';
}

export interface CallRecord {
  service: ServiceName;
  operation: string;
  account: string;
  region: string;
  mutating: boolean;
  requestId?: string;
  ok: boolean;
  error?: string;
  ms: number;
}

/** The `code` of the error thrown when AssumeRole into a member account is denied (its `cause` is AWS's error). */
export const MEMBER_ACCESS_DENIED = 'MemberAccessDenied';

/** The error name for a call whose answer was lost: look again before doing it again. */
export const UNKNOWN_OUTCOME = 'UnknownOutcome';
/** Operations AWS would perform twice if sent twice (no idempotency token, no conflict error). */
export const NO_BLIND_RETRY: Partial<Record<string, string[]>> = {
  organizations: ['CreateAccount'],
  'cost-explorer': ['CreateAnomalyMonitor', 'CreateAnomalySubscription'],
  kms: ['CreateKey'],
  // No token and no documented name uniqueness (API_CreateConfigurationPolicy.html): a blind
  // retry makes a second policy (the fault storm's dropped answers showed it).
  securityhub: ['CreateConfigurationPolicy'],
};

/** What the middlewares below read of an error the SDK throws (modelled or not). */
type SdkErrorShape = { name?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number } };

export interface RetryNotice {
  service: ServiceName;
  operation: string;
  attempt: number;
  error: string;
  account: string;
  region: string;
}

export interface AwsApi {
  /** One API call. `input` is exactly what is sent. */
  call<S extends ServiceName, O extends OpName<S>>(
    service: S,
    operation: O,
    input: OpInput<S, O>,
    target?: CallTarget,
  ): Promise<OpOutput<S, O>>;
  /** Every page of a list call (NextToken, or the token names given), in order. */
  pages<S extends ServiceName, O extends OpName<S>>(
    service: S,
    operation: O,
    input: OpInput<S, O>,
    target?: CallTarget,
    tokens?: { input: string; output: string },
  ): Promise<OpOutput<S, O>[]>;
}

/** Thrown before anything is sent when plan/verify (or an observe) attempts a write. */
export class ReadOnlyViolation extends Error {
  constructor(
    readonly service: string,
    readonly operation: string,
  ) {
    super(`refused ${service}:${operation}: this run may only read (plan/verify mode)`);
    this.name = 'ReadOnlyViolation';
  }
}

export interface FactoryOptions {
  profile?: string;
  /** The home region: default for regional calls. */
  region: string;
  readOnly: boolean;
  maxAttempts?: number;
  /** Called after every request (success or failure) for the journal and the call counter. */
  onCall?: (r: CallRecord) => void;
  /** Called when an attempt failed with an error the SDK retries. */
  onRetry?: (r: RetryNotice) => void;
  env?: NodeJS.ProcessEnv;
  /**
   * At most this many requests in flight per service, whoever sends them (observe, run,
   * polls), across accounts. AWS rate limits are per service; a 200-account verify must not
   * turn into 200 simultaneous calls. Default 8.
   */
  maxInFlightPerService?: number;
}

type AnyClient = {
  send(cmd: unknown): Promise<unknown>;
  middlewareStack: { addRelativeTo(mw: unknown, opts: unknown): void; add(mw: unknown, opts: unknown): void };
  destroy(): void;
};
type Provider = () => Promise<{
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}>;

const RETRYABLE =
  /Throttl|TooManyRequests|RequestLimitExceeded|SlowDown|ProvisionedThroughputExceeded|RequestThrottled|InternalFailure|InternalError|ServiceUnavailable|Unavailable|ECONNRESET|EPIPE|ETIMEDOUT|socket hang up|TimeoutError/i;

export class AwsFactory implements AwsApi {
  private clients = new Map<string, Promise<AnyClient>>();
  private memberCreds = new Map<string, Promise<Provider>>();
  private baseCreds?: Provider;
  private readonly env: NodeJS.ProcessEnv;
  private readonly inFlight = new Map<string, Limiter>();
  /** One writer at a time per resource AWS serialises (writers.ts), whoever sends it. */
  private readonly writers = new Map<string, Limiter>();

  constructor(readonly opts: FactoryOptions) {
    this.env = opts.env ?? process.env;
  }

  /** A view that refuses writes, for observe() even in apply mode. */
  readOnlyView(): AwsApi {
    const guard = <S extends ServiceName>(s: S, o: string) => {
      if (!isReadOperation(s, o)) throw new ReadOnlyViolation(s, o);
    };
    return {
      call: (s, o, i, t) => {
        guard(s, o);
        return this.call(s, o, i, t);
      },
      pages: (s, o, i, t, k) => {
        guard(s, o);
        return this.pages(s, o, i, t, k);
      },
    };
  }

  async call<S extends ServiceName, O extends OpName<S>>(
    service: S,
    operation: O,
    input: OpInput<S, O>,
    target: CallTarget = {},
  ): Promise<OpOutput<S, O>> {
    if (this.opts.readOnly && !isReadOperation(service, operation)) throw new ReadOnlyViolation(service, operation);
    const region = SERVICES[service].globalRegion ?? target.region ?? this.opts.region;
    const account = target.account ?? 'management';
    const client = await this.client(service, account, region, target.session ?? 'org-role');
    const Ctor = (await this.module(service))[`${operation}Command`] as (new (i: unknown) => unknown) | undefined;
    if (!Ctor) throw new Error(`unknown operation ${service}:${operation}`);
    const mutating = !isReadOperation(service, operation);
    const once = async (): Promise<OpOutput<S, O>> => {
      const started = Date.now();
      try {
        const out = (await this.slot(service).run(() => client.send(new Ctor(input)))) as {
          $metadata?: { requestId?: string };
        };
        this.opts.onCall?.({
          service,
          operation,
          account,
          region,
          mutating,
          requestId: out?.$metadata?.requestId,
          ok: true,
          ms: Date.now() - started,
        });
        return out as OpOutput<S, O>;
      } catch (e) {
        const err = e as { name?: string; $metadata?: { requestId?: string } };
        this.opts.onCall?.({
          service,
          operation,
          account,
          region,
          mutating,
          requestId: err.$metadata?.requestId,
          ok: false,
          error: err.name,
          ms: Date.now() - started,
        });
        throw e;
      }
    };
    // A documented "try again later" conflict is retried (with the writer lock held, so the
    // writes queued behind it keep their order); anything else is the caller's to handle.
    const withRetry = async (): Promise<OpOutput<S, O>> => {
      const t0 = Date.now();
      for (let attempt = 1; ; attempt++) {
        try {
          return await once();
        } catch (e) {
          if (!isDocumentedConflict(service, e) || Date.now() - t0 > CONFLICT_RETRY.budgetMs) throw e;
          this.opts.onRetry?.({ service, operation, attempt, error: (e as Error).name, account, region });
          await new Promise((r) => setTimeout(r, conflictDelayMs(attempt)));
        }
      }
    };
    const key = mutating ? writerKey(service, operation, input as Record<string, unknown>, account) : undefined;
    if (!key) return withRetry();
    let w = this.writers.get(key);
    if (!w) this.writers.set(key, (w = new Limiter(1)));
    return w.run(withRetry);
  }

  /** The highest number of requests seen in flight at once, per service. */
  peakInFlight(): Record<string, number> {
    return Object.fromEntries([...this.inFlight].map(([s, l]) => [s, l.peak]));
  }

  private slot(service: string): Limiter {
    let l = this.inFlight.get(service);
    if (!l) this.inFlight.set(service, (l = new Limiter(this.opts.maxInFlightPerService ?? 8)));
    return l;
  }

  async pages<S extends ServiceName, O extends OpName<S>>(
    service: S,
    operation: O,
    input: OpInput<S, O>,
    target?: CallTarget,
    tokens: { input: string; output: string } = { input: 'NextToken', output: 'NextToken' },
  ): Promise<OpOutput<S, O>[]> {
    const out: OpOutput<S, O>[] = [];
    let token: string | undefined;
    // AWS may return an empty page with a token: keep going until the token is gone.
    for (let page = 0; page < 10_000; page++) {
      const req = { ...(input as object), ...(token ? { [tokens.input]: token } : {}) } as OpInput<S, O>;
      const res = await this.call(service, operation, req, target);
      out.push(res);
      token = (res as Record<string, unknown>)[tokens.output] as string | undefined;
      if (!token) return out;
    }
    throw new Error(`${service}:${operation} returned more than 10,000 pages`);
  }

  /** The management account's credentials: default chain, or the named profile. */
  private async base(): Promise<Provider> {
    if (!this.baseCreds) {
      const { fromNodeProviderChain } = await import('@aws-sdk/credential-providers');
      // ignoreCache: a profile written earlier in this same process (the wizard's switch to the
      // Identity Center admin profile) must be read from disk, not from the SDK's file cache.
      this.baseCreds = fromNodeProviderChain({
        profile: this.opts.profile,
        ...(this.opts.profile ? { ignoreCache: true } : {}),
      }) as Provider;
    }
    return this.baseCreds;
  }

  private async credentialsFor(account: string, session: 'org-role' | 'root-audit'): Promise<Provider> {
    if (account === 'management') return this.base();
    const key = `${account}|${session}`;
    let p = this.memberCreds.get(key);
    if (!p) {
      // Cached before any await: every client for this account (s3, ec2, iam…) made at the
      // same moment shares one provider, so one AssumeRole, not one per client.
      p = this.base().then((base) =>
        session === 'org-role' ? this.assumeRoleProvider(account, base) : this.assumeRootProvider(account, base),
      );
      this.memberCreds.set(key, p);
    }
    return p;
  }

  /** Role chaining caps sessions at one hour; refresh five minutes before expiry. */
  private cachedProvider(fetch: () => Promise<Awaited<ReturnType<Provider>>>): Provider {
    let cached: Awaited<ReturnType<Provider>> | undefined;
    let pending: Promise<Awaited<ReturnType<Provider>>> | undefined;
    return async () => {
      if (cached && (!cached.expiration || cached.expiration.getTime() - Date.now() > 5 * 60_000)) return cached;
      pending ??= fetch()
        .then((c) => {
          cached = c;
          return c;
        })
        .finally(() => {
          pending = undefined;
        });
      return pending;
    };
  }

  private assumeRoleProvider(account: string, base: Provider): Provider {
    return this.cachedProvider(async () => {
      const sts = await this.client('sts', 'management', this.opts.region, 'org-role', base);
      const { AssumeRoleCommand } = await import('./sdk/sts.js');
      // In sts's in-flight budget like any other call (200 accounts must not mean 200 at once).
      const res = (await this.slot('sts')
        .run(() =>
          sts.send(
            new AssumeRoleCommand({
              RoleArn: `arn:aws:iam::${account}:role/${MEMBER_ROLE}`,
              RoleSessionName: 'secure-start',
              DurationSeconds: 3600,
            }),
          ),
        )
        .catch((e: Error) => {
          // Said plainly: else each step reports a bare "not allowed" (or worse, reads the 403
          // as something else), and nobody can tell it is the way into the account that failed.
          if (!/^AccessDenied/.test(awsErrorName(e))) throw e;
          throw Object.assign(
            new Error(`Could not get into member account ${account}: sts:AssumeRole on ${MEMBER_ROLE} was denied.`),
            {
              name: 'StepError',
              code: MEMBER_ACCESS_DENIED,
              hint: `Use credentials allowed to call sts:AssumeRole on arn:aws:iam::*:role/${MEMBER_ROLE} (an administrator of the management account is), and check that the role exists in account ${account} and trusts the management account. Then run again.`,
              cause: e,
            },
          );
        })) as {
        Credentials?: { AccessKeyId?: string; SecretAccessKey?: string; SessionToken?: string; Expiration?: Date };
      };
      return toCreds(res.Credentials, account);
    });
  }

  /** sts:AssumeRoot with the audit task policy: read a member root user's credentials. */
  private assumeRootProvider(account: string, base: Provider): Provider {
    return this.cachedProvider(async () => {
      const sts = await this.client('sts', 'management', this.opts.region, 'org-role', base);
      const { AssumeRootCommand } = await import('./sdk/sts.js');
      const res = (await this.slot('sts').run(() =>
        sts.send(
          new AssumeRootCommand({
            TargetPrincipal: account,
            TaskPolicyArn: { arn: 'arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials' },
            DurationSeconds: 900,
          }),
        ),
      )) as {
        Credentials?: { AccessKeyId?: string; SecretAccessKey?: string; SessionToken?: string; Expiration?: Date };
      };
      return toCreds(res.Credentials, account);
    });
  }

  private client(
    service: ServiceName,
    account: string,
    region: string,
    session: 'org-role' | 'root-audit',
    creds?: Provider,
  ): Promise<AnyClient> {
    const key = `${service}|${account}|${region}|${session}|${creds ? 'base' : ''}`;
    let c = this.clients.get(key);
    if (!c) {
      c = this.makeClient(service, account, region, session, creds);
      this.clients.set(key, c);
      c.catch(() => this.clients.delete(key));
    }
    return c;
  }

  private async makeClient(
    service: ServiceName,
    account: string,
    region: string,
    session: 'org-role' | 'root-audit',
    creds?: Provider,
  ): Promise<AnyClient> {
    const mod = await this.module(service);
    const Ctor = mod[SERVICES[service].client] as new (cfg: Record<string, unknown>) => AnyClient;
    const credentials = creds ?? (await this.credentialsFor(account, session));
    const custom = this.env[endpointEnv(service)] ?? this.env.AWS_ENDPOINT_URL;
    const cfg: Record<string, unknown> = {
      region,
      credentials,
      // 10 attempts (the SDK's default is 3): a founder has one run, and a transient error that
      // outlasts them stops a step. With a quarter of all attempts failing (the fault storm's
      // 20 % throttling, 5 % 500/503, 2 % dropped connections), some call among the ~1,400 of a
      // bootstrap with every service on exhausts 8 attempts in about 2.5 % of runs (0.255^8 ×
      // 1,400; the storm test failed so once in clean-clone CI) and 10 in about 0.2 %. The SDK's
      // backoff (full jitter, at most 20 s a wait) makes the last two attempts wait up to 40 s more.
      maxAttempts: this.opts.maxAttempts ?? 10,
      // Throttling (Organizations' TooManyRequestsException, the Account API's 1–10 requests per
      // second, https://docs.aws.amazon.com/accounts/latest/reference/quotas.html) is retried with
      // backoff and jitter. Not 'adaptive': its client-side limiter drops to ~0.5 requests/s after
      // one throttle and stays there, which made 15 alternate contacts take 5 s instead of 1.
      retryMode: 'standard',
      // One pool of kept-alive connections for every client (one per service, account and
      // region: about 110 in a bootstrap, 85 of them EC2): a client made for the next account
      // or region reuses the connections to an endpoint it shares instead of opening its own
      // (and, on AWS, paying another TLS handshake). The SDK keeps connections alive by default
      // (https://docs.aws.amazon.com/sdk-for-javascript/v3/developer-guide/node-reusing-connections.html).
      requestHandler: this.connections(),
    };
    // The documented equivalent of the SDK finding AWS_ENDPOINT_URL[_<SERVICE>] itself, which each
    // client would otherwise look up in the environment and both ~/.aws files on its first call
    // (https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html).
    if (custom) cfg.endpoint = custom;
    if (custom && service === 's3') cfg.forcePathStyle = true; // bucket.127.0.0.1 does not resolve
    if (custom && service === 's3-control') {
      // S3 Control puts the account ID in front of the host ({id}.s3-control…), which breaks a
      // custom endpoint such as http://127.0.0.1:4566. Send to the configured URL as it is.
      const url = new URL(custom);
      cfg.endpointProvider = () => ({ url });
    }
    const shared = this.shared;
    if (shared) Object.assign(cfg, await shared);
    const client = new Ctor(cfg);
    this.shared ??= sharedSettings(client);
    // Plan and verify may not write, whoever calls the client (second line of defence).
    if (this.opts.readOnly) {
      client.middlewareStack.add(
        (next: (a: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
          const op = (context.commandName ?? '').replace(/Command$/, '');
          if (!isReadOperation(service, op)) throw new ReadOnlyViolation(service, op);
          return next(args);
        },
        { step: 'initialize', name: 'secureStartReadOnlyGuard', priority: 'high' },
      );
    }
    // Each failed attempt below the SDK's retry loop is reported, so --verbose shows retries.
    const onRetry = this.opts.onRetry;
    if (onRetry) {
      client.middlewareStack.addRelativeTo(
        (next: (a: unknown) => Promise<unknown>, context: { commandName?: string; __ssAttempt?: number }) =>
          async (args: unknown) => {
            context.__ssAttempt = (context.__ssAttempt ?? 0) + 1;
            try {
              return await next(args);
            } catch (e) {
              const err = e as SdkErrorShape;
              const what = `${err.name ?? err.code ?? 'Error'}${err.$metadata?.httpStatusCode ? ` (HTTP ${err.$metadata.httpStatusCode})` : ''}`;
              if (
                RETRYABLE.test(`${err.name} ${err.code} ${err.message}`) ||
                (err.$metadata?.httpStatusCode ?? 0) >= 500
              )
                onRetry({
                  service,
                  operation: (context.commandName ?? '').replace(/Command$/, ''),
                  attempt: context.__ssAttempt,
                  error: what,
                  account,
                  region,
                });
              throw e;
            }
          },
        { relation: 'after', toMiddleware: 'retryMiddleware', name: 'secureStartRetryReporter' },
      );
    }
    // Creates with no idempotency token, which AWS would do twice: when the answer is lost
    // (connection dropped, timed out) the SDK must not send them again blindly. The error says
    // the outcome is unknown, and the engine observes again to see whether it happened.
    const ops = NO_BLIND_RETRY[service];
    if (ops) {
      client.middlewareStack.addRelativeTo(
        (next: (a: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
          const op = (context.commandName ?? '').replace(/Command$/, '');
          try {
            return await next(args);
          } catch (e) {
            const err = e as SdkErrorShape;
            const noAnswer =
              typeof err.$metadata?.httpStatusCode !== 'number' &&
              (/^E[A-Z]+$/.test(err.code ?? '') ||
                err.name === 'TimeoutError' ||
                /socket hang up|ECONNRESET|EPIPE|timed? ?out/i.test(err.message ?? ''));
            if (!ops.includes(op) || !noAnswer) throw e;
            // A plain error (no code, no status): the SDK's retry loop does not resend it.
            throw Object.assign(
              new Error(
                `${service}:${op} was sent but its answer was lost (${err.code ?? err.name}); it may or may not have happened, so it is not sent again blindly.`,
              ),
              { name: UNKNOWN_OUTCOME },
            );
          }
        },
        { relation: 'after', toMiddleware: 'retryMiddleware', name: 'secureStartNoBlindRetry' },
      );
    }
    return client;
  }

  /** The settings every client would look up on its own (see sharedSettings), from the first client made. */
  private shared?: Promise<Record<string, unknown>>;

  private readonly modules = new Map<ServiceName, Record<string, unknown>>();
  /**
   * A service's SDK module, imported once: an import() of a module already loaded still goes
   * through the loader (about a quarter of this factory's own cost per call, measured).
   */
  private async module(service: ServiceName): Promise<Record<string, unknown>> {
    let m = this.modules.get(service);
    if (!m) this.modules.set(service, (m = await SERVICES[service].load()));
    return m;
  }

  private agents?: { httpAgent: HttpAgent; httpsAgent: HttpsAgent };
  /** The shared connection pools (NodeHttpHandler options), made on first use. */
  private connections(): { httpAgent: HttpAgent; httpsAgent: HttpsAgent } {
    // maxSockets as the SDK's own default (50 per endpoint); the in-flight limit per service is 8.
    this.agents ??= {
      httpAgent: new HttpAgent({ keepAlive: true, maxSockets: 50 }),
      httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: 50 }),
    };
    return this.agents;
  }

  destroy(): void {
    for (const c of this.clients.values())
      c.then(
        (x) => x.destroy(),
        () => undefined,
      );
    this.clients.clear();
    this.agents?.httpAgent.destroy();
    this.agents?.httpsAgent.destroy();
  }
}

/**
 * Settings that are the same for every client of a run, but that each SDK client looks up
 * again (the environment, then both ~/.aws files read and parsed, then its default: about 600
 * parses and 1,300 thrown errors for the 116 clients of a re-run, a tenth of its CPU): read once
 * from the first client, as the SDK resolved them, and given to the others as the documented
 * client options of the same names (`useFipsEndpoint`, `useDualstackEndpoint`,
 * `authSchemePreference`, `userAgentAppId`:
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-endpoints.html,
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-appid.html).
 */
const SHARED_SETTINGS = ['useFipsEndpoint', 'useDualstackEndpoint', 'authSchemePreference', 'userAgentAppId'];

async function sharedSettings(client: AnyClient): Promise<Record<string, unknown>> {
  const config = (client as { config?: Record<string, unknown> }).config ?? {};
  const out: Record<string, unknown> = {};
  for (const k of SHARED_SETTINGS) {
    const v = config[k];
    if (typeof v !== 'function') continue;
    const value: unknown = await (v as () => Promise<unknown>)();
    out[k] = () => Promise.resolve(value);
  }
  return out;
}

function toCreds(
  c: { AccessKeyId?: string; SecretAccessKey?: string; SessionToken?: string; Expiration?: Date } | undefined,
  account: string,
) {
  if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error(`AssumeRole into ${account} returned no credentials`);
  return {
    accessKeyId: c.AccessKeyId,
    secretAccessKey: c.SecretAccessKey,
    sessionToken: c.SessionToken,
    expiration: c.Expiration,
  };
}
