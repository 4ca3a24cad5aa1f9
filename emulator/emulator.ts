// The emulator: one HTTP server on 127.0.0.1 for every service. A request is routed by the
// SigV4 credential scope (signing name + region), then by the protocol's operation marker
// (X-Amz-Target, Action=, REST path). The caller's account comes from the access key ID.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleControl } from './control.js';
import { AwsError, type ErrorSpec } from './errors.js';
import type { BehaviourName } from './behaviours.js';
import { FaultEngine, type FaultDecision, type FaultRule, type FaultSpec } from './faults.js';
import { HoldManager, type HeldCall, type HoldSpec, type HoldStatus } from './hold.js';
import {
  asyncRange,
  behaviourRange,
  callRange,
  PROFILES,
  sample,
  type LatencySettings,
  type OperationLatency,
} from './latency.js';
import { BEHAVIOUR_NAMES, BUCKET_CONFIG_WRITES, RATE_QUOTAS, isBehaviourName } from './behaviours.js';
import {
  BadRequest,
  parseInput,
  protocolErrors,
  resolveOperation,
  serializeError,
  serializeResult,
  serviceErrors,
  type WireResponse,
} from './protocols.js';
import { hashChars, makeRng } from './rng.js';
import { applyScenario, type ScenarioOptions } from './scenarios.js';
import { PolicyError } from './policy.js';
import { authorizeScp } from './scp.js';
import { SERVICES } from './services/index.js';
import { enableIdentityCenter, setRootMfa } from './console.js';
import { ssoLogin, type SsoLogin } from './services/sso.js';
import {
  isMutating,
  type CallRecord,
  type Caller,
  type HandlerContext,
  type OperationDef,
  type RawRequest,
  type ServiceModule,
} from './types.js';
import {
  ORG_ACCESS_ROLE,
  SECRET_ACCESS_KEY,
  World,
  type CredentialRecord,
  type IdentityCenterInstance,
  type Principal,
  type WorldConfig,
} from './world.js';

export interface EmulatorOptions {
  port?: number;
  host?: string;
  latency?: 'instant' | 'realistic';
  latencyScale?: number;
  /** Scenario name, composable with '+', e.g. 'org-exists+iam-user' (default 'fresh'). */
  scenario?: string | ScenarioOptions;
  /** World settings (page size, account quota, finalizing window…). */
  config?: Partial<WorldConfig>;
  /** Seed for latency samples (fault rules have their own seed). */
  seed?: number;
  /** Extra or replacement service modules (tests). */
  services?: ServiceModule[];
}

/** A moment a crash can fall on (see Emulator.checkpoints). */
export interface Checkpoint {
  n: number;
  when: 'before' | 'after';
  service: string;
  operation: string;
  account: string | null;
}

/** A world copied by Emulator.copyWorld(). */
export interface WorldCopy {
  world: World;
  takenAt: number;
}

export interface CallFilter {
  service?: string;
  operation?: string;
  account?: string;
  mutating?: boolean;
}

export interface CredentialSet {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export function principalArn(p: Principal): string {
  switch (p.type) {
    case 'root':
    case 'root-session':
      return `arn:aws:iam::${p.accountId}:root`;
    case 'user':
      return `arn:aws:iam::${p.accountId}:user/${p.userName}`;
    case 'assumed-role':
      return `arn:aws:sts::${p.accountId}:assumed-role/${p.roleName}/${p.sessionName}`;
  }
}

export class Emulator {
  world!: World;
  readonly modules: ServiceModule[];
  readonly faults = new FaultEngine();
  readonly holds = new HoldManager();
  latency: LatencySettings;
  scenario: string | ScenarioOptions;
  private worldConfig: Partial<WorldConfig>;
  private rng: () => number;
  private seed: number;
  private callLog: CallRecord[] = [];
  private inFlight = new Map<string, { now: number; peak: number }>();
  private callSeq = 0;
  private requestSeq = 0;
  private checkpointer: ((c: Checkpoint) => void) | null = null;
  private checkpointSeq = 0;
  private server: Server | null = null;
  host: string;
  port = 0;

  constructor(opts: EmulatorOptions = {}) {
    const byName = new Map<string, ServiceModule>();
    for (const m of [...SERVICES, ...(opts.services ?? [])]) byName.set(m.name, m);
    this.modules = [...byName.values()];
    this.host = opts.host ?? '127.0.0.1';
    this.seed = opts.seed ?? 1;
    this.rng = makeRng(this.seed);
    this.latency = { profile: PROFILES[opts.latency ?? 'instant'], scale: opts.latencyScale ?? 1, overrides: {} };
    this.worldConfig = opts.config ?? {};
    for (const name of this.worldConfig.lenient ?? []) {
      if (!isBehaviourName(name)) throw new Error(`unknown behaviour ${name} (known: ${BEHAVIOUR_NAMES.join(', ')})`);
    }
    this.scenario = opts.scenario ?? 'fresh';
    this.reset(this.scenario);
    this.port = opts.port ?? 0;
  }

  get url(): string {
    return `http://${this.host}:${this.port}`;
  }

  // ---- lifecycle -------------------------------------------------------------------------

  async listen(): Promise<void> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((err) => {
        console.error('[emulator] unexpected error', err);
        if (!res.headersSent) res.writeHead(500).end(String(err));
      });
    });
    // SDK clients keep connections alive; do not let idle sockets linger after stop().
    server.keepAliveTimeout = 5_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, this.host, () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    this.holds.reset();
    const server = this.server;
    this.server = null;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  /** Fresh world from a scenario; clears calls, faults and holds. */
  reset(scenario: string | ScenarioOptions = 'fresh'): void {
    this.scenario = scenario;
    this.world = new World(this.worldConfig);
    this.world.behaviourMs = (key) => sample(behaviourRange(this.latency, key), this.latency.scale, this.rng);
    applyScenario(this.world, scenario);
    this.callLog = [];
    this.inFlight = new Map();
    this.callSeq = 0;
    this.requestSeq = 0;
    this.rng = makeRng(this.seed);
    this.faults.clear();
    this.holds.reset();
  }

  configure(config: Partial<WorldConfig>): WorldConfig {
    for (const name of config.lenient ?? []) {
      if (!isBehaviourName(name)) throw new Error(`unknown behaviour ${name} (known: ${BEHAVIOUR_NAMES.join(', ')})`);
    }
    this.worldConfig = { ...this.worldConfig, ...config };
    Object.assign(this.world.config, config);
    return this.world.config;
  }

  // ---- credentials -----------------------------------------------------------------------

  /**
   * Credentials for an account: 'management' (or nothing) = the scenario's base caller;
   * a member account ID = a fresh OrganizationAccountAccessRole session in that account.
   */
  credentials(account: 'management' | string = 'management'): CredentialSet {
    let rec: CredentialRecord | undefined;
    if (account === 'management' || account === this.world.homeAccountId) {
      rec = this.world.credentials[this.world.homeAccessKeyId];
    } else {
      const acct = this.world.account(account);
      const role = acct?.roles[ORG_ACCESS_ROLE];
      if (!acct || !role) throw new Error(`no account ${account} with ${ORG_ACCESS_ROLE} in the emulator`);
      rec = this.world.mintSession(
        {
          type: 'assumed-role',
          accountId: account,
          roleName: ORG_ACCESS_ROLE,
          roleId: role.roleId,
          sessionName: 'emulator',
        },
        3600,
      );
    }
    if (!rec) throw new Error('the scenario has no base credentials');
    return {
      accessKeyId: rec.accessKeyId,
      secretAccessKey: rec.secretAccessKey,
      ...(rec.sessionToken ? { sessionToken: rec.sessionToken } : {}),
    };
  }

  /** Environment for a subprocess (the CLI) talking to this emulator. */
  env(account: 'management' | string = 'management'): Record<string, string> {
    const c = this.credentials(account);
    return {
      AWS_ENDPOINT_URL: this.url,
      AWS_ACCESS_KEY_ID: c.accessKeyId,
      AWS_SECRET_ACCESS_KEY: c.secretAccessKey,
      ...(c.sessionToken ? { AWS_SESSION_TOKEN: c.sessionToken } : {}),
      AWS_REGION: 'us-east-1',
      AWS_EC2_METADATA_DISABLED: 'true',
    };
  }

  // ---- inspection ------------------------------------------------------------------------

  calls(filter: CallFilter = {}): CallRecord[] {
    return this.callLog
      .filter(
        (c) =>
          (filter.service === undefined || c.service === filter.service) &&
          (filter.operation === undefined || c.operation === filter.operation) &&
          (filter.account === undefined || c.account === filter.account) &&
          (filter.mutating === undefined || c.mutating === filter.mutating),
      )
      .map((c) => ({ ...c }));
  }

  clearCalls(): void {
    this.callLog = [];
    this.inFlight.clear();
  }

  /**
   * Requests in flight per service (received, not yet answered): the most seen at once since
   * the last reset/clearCalls. Benchmarks check the CLI never has more than 10 per service.
   */
  inFlightPeaks(): Record<string, number> {
    return Object.fromEntries([...this.inFlight].map(([service, c]) => [service, c.peak]));
  }

  /** Counts one request of `service` in flight; call the returned function once it is answered. */
  private trackInFlight(service: string): () => void {
    let c = this.inFlight.get(service);
    if (!c) this.inFlight.set(service, (c = { now: 0, peak: 0 }));
    const counter = c;
    counter.now++;
    counter.peak = Math.max(counter.peak, counter.now);
    let done = false;
    return () => {
      if (!done) counter.now--;
      done = true;
    };
  }

  state(opts: { raw?: boolean } = {}): unknown {
    this.world.settle();
    return this.world.snapshot(!opts.raw);
  }

  /** Complete every pending asynchronous operation now. */
  flushAsync(): void {
    this.world.flush();
  }

  /**
   * Resolves once a new account made by CreateAccount is ready (behaviour account-readiness:
   * AssumeRole into it and its services work), at once for any other account.
   */
  async accountReady(accountId: string): Promise<void> {
    this.world.settle();
    const at = this.world.account(accountId)?.readyAt;
    const wait = at ? at.services - Date.now() : 0;
    if (wait > 0) await sleep(wait + 1);
  }

  /**
   * A copy of the world as it is at this instant, pending work included, that restoreWorld()
   * can put back any number of times (crash tests start many runs from one moment of another).
   */
  copyWorld(): WorldCopy {
    return { world: this.world.copy(), takenAt: Date.now() };
  }

  /**
   * Puts back a world copied by copyWorld() (this emulator's or another's), as if no time had
   * passed since the copy was taken; clears calls, faults and holds like reset().
   */
  restoreWorld(copy: WorldCopy): void {
    const world = copy.world.copy();
    world.shiftTime(Date.now() - copy.takenAt);
    world.behaviourMs = (key) => sample(behaviourRange(this.latency, key), this.latency.scale, this.rng);
    this.world = world;
    this.callLog = [];
    this.inFlight = new Map();
    this.callSeq = 0;
    this.rng = makeRng(this.seed);
    this.faults.clear();
    this.holds.reset();
  }

  /**
   * Calls `fn` synchronously at every mutating call that reaches AWS's handling (numbered as
   * holds count them: 1 = the first one from now), just before it is applied and just after
   * (its answer not sent yet): the two moments a crash can fall on, for copyWorld(). Null stops.
   */
  checkpoints(fn: ((c: Checkpoint) => void) | null): void {
    this.checkpointer = fn;
    this.checkpointSeq = 0;
  }

  // ---- faults, latency, holds ------------------------------------------------------------

  setFaults(spec: FaultSpec | FaultRule[]): void {
    this.faults.set(Array.isArray(spec) ? { rules: spec } : spec);
  }

  addFault(rule: FaultRule): void {
    this.faults.add(rule);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  setLatency(opts: {
    profile?: 'instant' | 'realistic';
    scale?: number;
    overrides?: Record<string, OperationLatency>;
    behaviours?: LatencySettings['behaviours'];
  }): LatencySettings {
    if (opts.profile) {
      if (!(opts.profile in PROFILES)) throw new Error(`unknown latency profile ${opts.profile}`);
      this.latency.profile = PROFILES[opts.profile];
    }
    if (opts.scale !== undefined) this.latency.scale = opts.scale;
    if (opts.overrides) this.latency.overrides = { ...this.latency.overrides, ...opts.overrides };
    if (opts.behaviours) this.latency.behaviours = { ...this.latency.behaviours, ...opts.behaviours };
    return this.latency;
  }

  hold(spec: HoldSpec): void {
    this.holds.arm(spec);
  }

  holdStatus(): HoldStatus {
    return this.holds.status();
  }

  waitForHold(timeoutMs?: number): Promise<HeldCall> {
    return this.holds.waitForHeld(timeoutMs);
  }

  release(): boolean {
    return this.holds.release();
  }

  // ---- console actions and drift ---------------------------------------------------------

  /** "Enable" the Identity Center organization instance, as a person does in the console. */
  enableIdentityCenter(region = 'us-east-1'): IdentityCenterInstance {
    this.world.settle();
    return enableIdentityCenter(this.world, region);
  }

  /**
   * Sign an identity-store user in at the Identity Center start URL, as a person does in the
   * browser: returns what `aws sso login` caches (access token, expiry, start URL, region…).
   */
  ssoLogin(userName: string, region?: string): SsoLogin {
    this.world.settle();
    return ssoLogin(this.world, userName, region);
  }

  /** Turn root MFA on or off for an account (default: the home account), as in the console. */
  setRootMfa(enabled: boolean, accountId?: string): void {
    setRootMfa(this.world, enabled, accountId);
  }

  /** Change resources behind the CLI's back: runs the module's drift handler `kind`. */
  drift(service: string, kind: string, params: Record<string, any> = {}): unknown {
    const mod = this.modules.find((m) => m.name === service);
    const handler = mod?.drift?.[kind];
    if (!handler) {
      const known = this.modules.flatMap((m) => Object.keys(m.drift ?? {}).map((k) => `${m.name}:${k}`));
      throw new Error(`unknown drift ${service}:${kind} (known: ${known.join(', ') || 'none'})`);
    }
    this.world.settle();
    const accountId = String(params.account ?? this.world.homeAccountId);
    return handler({ world: this.world, accountId, params, error: (m) => new Error(m) });
  }

  driftKinds(): string[] {
    return this.modules.flatMap((m) => Object.keys(m.drift ?? {}).map((k) => `${m.name}:${k}`));
  }

  // ---- request pipeline ------------------------------------------------------------------

  private nextRequestId(): string {
    const h = hashChars(`request:${++this.requestSeq}`, 32, '0123456789abcdef');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://emulator.local');
    const body = await readBody(req);
    if (url.pathname.startsWith('/_emulator/')) {
      const out = await handleControl(this, req.method ?? 'GET', url, body);
      res.writeHead(out.status, { 'content-type': 'application/json' }).end(JSON.stringify(out.body ?? null));
      return;
    }
    const raw: RawRequest = {
      method: req.method ?? 'GET',
      path: safeDecode(url.pathname),
      query: url.searchParams,
      headers: req.headers,
      body: decodeAwsChunked(req.headers, body),
    };
    const started = Date.now();
    const requestId = this.nextRequestId();
    const record: CallRecord = {
      seq: ++this.callSeq,
      time: new Date(started).toISOString(),
      service: '?',
      operation: '?',
      account: null,
      principal: null,
      region: null,
      mutating: false,
      status: null,
      errorCode: null,
      requestId,
      durationMs: null,
    };
    // The application ID an SDK adds to its User-Agent (`app/<id>`) when one is configured
    // (https://docs.aws.amazon.com/sdkref/latest/guide/feature-appid.html): kept only when present.
    const appId = /(?:^| )app\/(\S+)/.exec(String(req.headers['user-agent'] ?? ''))?.[1];
    if (appId) record.appId = appId;
    this.callLog.push(record);

    let clientGone = false;
    const goneCallbacks: (() => void)[] = [];
    res.once('close', () => {
      if (!res.writableFinished) {
        clientGone = true;
        for (const cb of goneCallbacks) cb();
      }
    });

    const send = (wire: WireResponse, errorCode: string | null = null) => {
      record.status = wire.status;
      record.errorCode = errorCode;
      record.durationMs = Date.now() - started;
      if (clientGone) {
        record.note = 'client-disconnected';
        return;
      }
      res.writeHead(wire.status, wire.headers).end(raw.method === 'HEAD' ? undefined : wire.body);
    };
    const drop = (fault: string) => {
      record.fault = fault;
      record.durationMs = Date.now() - started;
      req.socket.destroy();
    };

    // 1. Which service? From the SigV4 credential scope; a request without one may belong to
    //    an unsigned service (SSO portal, SSO OIDC) that claims it by path.
    const unsignedMod = credentialScope(raw) ? undefined : this.modules.find((m) => m.unsigned?.matches(raw));
    const scope =
      credentialScope(raw) ?? (unsignedMod ? { accessKeyId: '', region: '', service: unsignedMod.signingName } : null);
    if (!scope) {
      const err = new AwsError('MissingAuthenticationToken', 'Request is missing Authentication Token', {
        status: 403,
      });
      return send(serializeError('json', err, requestId), err.code);
    }
    record.region = scope.region;
    const mod = this.modules.find((m) => m.signingName === scope.service && (!m.matches || m.matches(raw)));
    if (!mod) {
      record.service = scope.service;
      const err = new AwsError(
        'UnknownServiceException',
        `secure-start emulator: service '${scope.service}' is not emulated`,
        { status: 400 },
      );
      return send(serializeError('json', err, requestId), err.code);
    }
    record.service = mod.name;
    res.once('close', this.trackInFlight(mod.name));
    const errs = serviceErrors(mod);
    const fail = (spec: ErrorSpec, message: string) =>
      send(
        serializeError(mod.protocol, specError(spec, message), requestId, {
          errorWrapping: mod.errorWrapping,
          head: raw.method === 'HEAD',
        }),
        spec.code,
      );

    // 2. Which operation?
    const resolved = resolveOperation(mod, raw);
    if ('error' in resolved)
      return fail(errs.unknownOperation, `secure-start emulator: unknown ${mod.name} operation ${resolved.hint}`);
    const operation = resolved.operation;
    record.operation = operation;
    const def = mod.operations[operation];
    record.mutating = isMutating(mod, operation);
    if (!def) return fail(errs.unknownOperation, `secure-start emulator: ${mod.name}:${operation} is not emulated`);
    const handler = typeof def === 'function' ? def : (def as OperationDef).handler;

    // 3. Who is calling? From the access key ID (unsigned services: the module says).
    let caller: Caller;
    if (mod.unsigned && !scope.accessKeyId) {
      const who = mod.unsigned.authenticate(raw, this.world);
      caller = who.caller;
      scope.region = record.region = who.region;
    } else {
      const cred = this.world.credentials[scope.accessKeyId];
      if (!cred) return fail(errs.invalidCredentials, 'The security token included in the request is invalid.');
      if (cred.expiresAt !== undefined && cred.expiresAt < Date.now()) {
        const code = mod.protocol === 'query' ? 'ExpiredToken' : 'ExpiredTokenException';
        return fail({ code, status: 400 }, 'The security token included in the request is expired');
      }
      caller = {
        accountId: cred.accountId,
        principal: cred.principal,
        arn: principalArn(cred.principal),
        accessKeyId: cred.accessKeyId,
      };
    }
    record.account = caller.accountId;
    record.principal = caller.arn;

    let input: Record<string, unknown>;
    try {
      input = parseInput(mod, raw, resolved.params);
    } catch (e) {
      if (e instanceof BadRequest) return fail(errs.validation, e.message);
      throw e;
    }

    // 3b. Service control policies (scp.ts): a member account's caller gets the service's
    //     AccessDenied for what the SCPs on its path do not allow. Unsigned portal calls are
    //     not IAM principals. A policy the evaluator cannot read fails loudly (500).
    if (!mod.unsigned) {
      let denied: string | undefined;
      try {
        denied = authorizeScp(this.world, mod.name, operation, input, caller, scope.region);
      } catch (e) {
        if (!(e instanceof PolicyError)) throw e;
        console.error(`[emulator] ${mod.name}:${operation}: cannot evaluate the SCPs:`, e.message);
        return fail(errs.internal, `secure-start emulator: cannot evaluate the service control policies: ${e.message}`);
      }
      if (denied)
        return fail(
          errs.accessDenied,
          mod.protocol === 'ec2' ? `You are not authorized to perform this operation. ${denied}` : denied,
        );
    }

    // 3c. AWS behaviours at the front door (behaviours.ts): rate quotas, a new account that is
    //     not ready yet, writes that overlap another write to the same organization or bucket.
    const door = this.frontDoor(mod, operation, input, resolved.params, caller, record.mutating);
    if (door?.kind === 'refuse-now') {
      record.fault = door.behaviour;
      return fail(door.spec, door.message);
    }
    if (door?.kind === 'busy') {
      const end = this.world.clock.begin(door.key);
      res.once('close', () => end(this.world.behaviourMs(door.tail)));
    }

    // 4. Faults and latency.
    const facts = { service: mod.name, operation, account: caller.accountId, mutating: record.mutating };
    const { delayMs, failure } = this.faults.decide(facts);
    const key = `${mod.name}:${operation}`;
    const wait = sample(callRange(this.latency, key), this.latency.scale, this.rng) + delayMs;
    if (wait > 0) await sleep(wait);
    if (clientGone) return send({ status: 499, headers: {}, body: '' }, null);
    // A write that arrived while another was in progress is refused once its latency is spent.
    if (door?.kind === 'refuse-later') {
      record.fault = door.behaviour;
      return fail(door.spec, door.message);
    }
    if (failure?.when === 'before') {
      if (failure.kind === 'drop') return drop('drop');
      record.fault = failure.kind;
      const spec = faultSpec(failure, errs);
      return fail(spec, spec.message ?? faultMessage(failure, caller, mod, operation));
    }

    // 5. Hold before applying.
    const holdWhen = this.holds.claim(facts);
    const point = record.mutating && this.checkpointer ? ++this.checkpointSeq : 0;
    if (point)
      this.checkpointer?.({ n: point, when: 'before', service: mod.name, operation, account: caller.accountId });
    const heldCall = (when: 'before' | 'after'): HeldCall => ({
      service: mod.name,
      operation,
      account: caller.accountId,
      requestId,
      when,
      since: new Date().toISOString(),
    });
    if (holdWhen === 'before') {
      record.note = 'held-before';
      const outcome = await this.holds.hold(heldCall('before'), (cb) => (clientGone ? cb() : goneCallbacks.push(cb)));
      // The client gave up before the call was applied: AWS never saw it.
      if (outcome === 'client-disconnected') return send({ status: 499, headers: {}, body: '' }, null);
    }

    // 6. Apply.
    this.world.settle();
    const ctx = this.context(mod, operation, input, caller, scope.region, requestId, raw);
    let wire: WireResponse;
    let errorCode: string | null = null;
    try {
      const output = await handler(ctx);
      wire = serializeResult(mod, operation, output, requestId);
    } catch (e) {
      let err: AwsError;
      if (e instanceof AwsError) err = e;
      else {
        console.error(`[emulator] ${key} crashed:`, e);
        err = specError(errs.internal, `secure-start emulator: ${key} failed: ${(e as Error).message}`);
      }
      errorCode = err.code;
      wire = serializeError(mod.protocol, err, requestId, {
        errorWrapping: mod.errorWrapping,
        head: raw.method === 'HEAD',
      });
    }

    // 7. Hold after applying (the change is made; the client has no answer yet).
    if (point)
      this.checkpointer?.({ n: point, when: 'after', service: mod.name, operation, account: caller.accountId });
    if (holdWhen === 'after') {
      record.note = 'held-after';
      await this.holds.hold(heldCall('after'), (cb) => (clientGone ? cb() : goneCallbacks.push(cb)));
    }
    if (failure?.when === 'after') {
      if (failure.kind === 'drop') return drop('drop-after');
      record.fault = `${failure.kind}-after`;
      const spec = faultSpec(failure, errs);
      return fail(spec, spec.message ?? faultMessage(failure, caller, mod, operation));
    }
    send(wire, errorCode);
  }

  /**
   * The AWS behaviours that decide before a handler runs. Returns undefined (go on), a refusal
   * to answer at once (`now`: throttled, not ready), a refusal to answer after the call's latency
   * (a conflicting write), or the key of a resource this write keeps busy until it answered.
   */
  private frontDoor(
    mod: ServiceModule,
    operation: string,
    input: Record<string, unknown>,
    params: Record<string, unknown> | undefined,
    caller: Caller,
    mutating: boolean,
  ):
    | { kind: 'refuse-now' | 'refuse-later'; behaviour: BehaviourName; spec: ErrorSpec; message: string }
    | { kind: 'busy'; key: string; tail: 'orgWriteTail' | 'bucketWriteTail' }
    | undefined {
    const world = this.world;
    const errs = serviceErrors(mod);
    world.settle();

    // Rate quotas: token buckets per organization or per calling account.
    if (world.strict('throttling')) {
      for (const q of RATE_QUOTAS) {
        if (q.service !== mod.name || (q.operations && !q.operations.includes(operation))) continue;
        const scope =
          q.per === 'organization' ? (world.orgOf(caller.accountId)?.id ?? caller.accountId) : caller.accountId;
        const factor = this.latency.profile.behaviours.rateFactor / (this.latency.scale || 1);
        if (!world.clock.take(`${q.service}:${q.operations?.join(',') ?? '*'}:${scope}`, q.rate * factor, q.burst)) {
          return { kind: 'refuse-now', behaviour: 'throttling', spec: errs.throttling, message: 'Rate exceeded' };
        }
      }
    }

    // A new account's services are not subscribed yet (AssumeRole itself is refused in sts.ts).
    const acct = world.account(caller.accountId);
    // Global services (Organizations, IAM, STS, billing) answer at once; the regional ones that
    // are "subscribed" per account (EC2, S3, CloudTrail…) are the ones that lag.
    if (
      acct?.readyAt &&
      world.strict('account-readiness') &&
      Date.now() < acct.readyAt.services &&
      !GLOBAL_SERVICES.includes(mod.name)
    ) {
      if (mod.name === 'ec2')
        return {
          kind: 'refuse-now',
          behaviour: 'account-readiness',
          spec: { code: 'OptInRequired', status: 401 },
          message: 'You are not subscribed to this service. Please go to http://aws.amazon.com to subscribe.',
        };
      if (mod.name === 's3' || mod.name === 's3-control')
        return {
          kind: 'refuse-now',
          behaviour: 'account-readiness',
          spec: { code: 'NotSignedUp', status: 403 },
          message: 'Your account is not signed up for the S3 service. You must sign up before you can use S3.',
        };
      return {
        kind: 'refuse-now',
        behaviour: 'account-readiness',
        spec: { code: 'SubscriptionRequiredException', status: 400 },
        message: 'The AWS Access Key Id needs a subscription for the service',
      };
    }

    // Writes that overlap another write to the same organization or bucket configuration.
    let key: string | undefined;
    let tail: 'orgWriteTail' | 'bucketWriteTail' = 'orgWriteTail';
    if (mod.name === 'organizations' && mutating && world.strict('org-conflicts')) {
      const org = world.orgOf(caller.accountId);
      if (org) key = `org:${org.id}`;
    } else if (mod.name === 's3' && BUCKET_CONFIG_WRITES.has(operation) && world.strict('s3-conflicts')) {
      const bucket = String(params?.Bucket ?? input.Bucket ?? '');
      if (bucket) {
        key = `s3:${bucket}`;
        tail = 'bucketWriteTail';
      }
    }
    if (!key) return undefined;
    if (world.clock.isBusy(key)) {
      return mod.name === 's3'
        ? {
            kind: 'refuse-later',
            behaviour: 's3-conflicts',
            spec: { code: 'OperationAborted', status: 409 },
            message:
              'A conflicting conditional operation is currently in progress against this resource. Please try again.',
          }
        : {
            kind: 'refuse-later',
            behaviour: 'org-conflicts',
            spec: { code: 'ConcurrentModificationException', status: 400 },
            message:
              "AWS Organizations can't complete your request because it conflicts with another attempt to modify the same entity. Try again later.",
          };
    }
    return { kind: 'busy', key, tail };
  }

  private context(
    mod: ServiceModule,
    operation: string,
    input: Record<string, unknown>,
    caller: Caller,
    region: string,
    requestId: string,
    req: RawRequest,
  ): HandlerContext {
    const world = this.world;
    const errs = serviceErrors(mod);
    return {
      input,
      operation,
      service: mod.name,
      caller,
      region,
      world,
      requestId,
      req,
      error: (code, message, status = 400, extra) => new AwsError(code, message, { status, extra }),
      accessDenied: (message) =>
        specError(
          errs.accessDenied,
          message ?? `User: ${caller.arn} is not authorized to perform: ${mod.signingName}:${operation}`,
        ),
      later: (run, key) => {
        const k = `${mod.name}:${key ?? operation}`;
        world.later(sample(asyncRange(this.latency, k), this.latency.scale, this.rng), k, run);
      },
      paginate: (items, token, max) =>
        paginate(world, items, token, max, () =>
          specError(errs.invalidToken, 'The specified pagination token is not valid.'),
        ),
      store: (init, accountId) => world.store(accountId ?? caller.accountId, mod.name, init),
    };
  }
}

// ---- helpers ---------------------------------------------------------------------------

/** Services a new account can use as soon as it can be signed in to (behaviour account-readiness). */
const GLOBAL_SERVICES = ['sts', 'iam', 'sso', 'sso-oidc', 'organizations', 'account', 'budgets', 'cost-explorer'];

export function specError(spec: ErrorSpec, message: string): AwsError {
  return new AwsError(spec.code, spec.message ?? message, { status: spec.status, extra: spec.extra });
}

function faultSpec(f: FaultDecision, errs: ReturnType<typeof serviceErrors>): ErrorSpec {
  switch (f.kind) {
    case 'throttle':
      return errs.throttling;
    case 'internal':
      return errs.internal;
    case 'unavailable':
      return errs.unavailable;
    case 'accessDenied':
      return errs.accessDenied;
    default:
      return { code: f.rule.code ?? errs.internal.code, status: f.rule.status ?? 400, message: f.rule.message };
  }
}

function faultMessage(f: FaultDecision, caller: Caller, mod: ServiceModule, operation: string): string {
  switch (f.kind) {
    case 'throttle':
      return 'Rate exceeded';
    case 'internal':
      return 'We encountered an internal error. Please try again.';
    case 'unavailable':
      return 'Service is unavailable. Please try again.';
    case 'accessDenied':
      return `User: ${caller.arn} is not authorized to perform: ${mod.signingName}:${operation} because no identity-based policy allows the ${mod.signingName}:${operation} action`;
    default:
      return f.rule.message ?? 'Injected fault';
  }
}

/**
 * NextToken paging over an in-memory list. The token encodes the offset; with
 * `emptyPages` the first page comes back empty with a token, as AWS occasionally does.
 */
export function paginate<T>(
  world: World,
  items: T[],
  token: string | undefined,
  max: number | string | undefined,
  invalid: () => Error,
) {
  const size = Math.max(1, Math.min(Number(max) || Number.POSITIVE_INFINITY, world.config.pageSize));
  let offset = 0;
  if (token) {
    try {
      const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { o?: unknown };
      if (typeof parsed.o !== 'number' || parsed.o < 0 || !Number.isInteger(parsed.o)) throw new Error('bad');
      offset = parsed.o;
    } catch {
      throw invalid();
    }
  } else if (world.config.emptyPages && items.length > 0) {
    return { items: [] as T[], nextToken: encodeToken(0) };
  }
  const page = items.slice(offset, offset + size);
  const nextOffset = offset + page.length;
  return { items: page, nextToken: nextOffset < items.length ? encodeToken(nextOffset) : undefined };
}

function encodeToken(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset, v: 1 })).toString('base64url');
}

/** Parse `Credential=AKID/date/region/service/aws4_request` from the Authorization header or presigned query. */
export function credentialScope(req: RawRequest): { accessKeyId: string; region: string; service: string } | null {
  const auth = String(req.headers.authorization ?? '');
  const m = /Credential=([^/\s,]+)\/\d{8}\/([^/\s,]+)\/([^/\s,]+)\/aws4_request/.exec(auth);
  if (m) return { accessKeyId: m[1], region: m[2], service: m[3] };
  const q = req.query.get('X-Amz-Credential');
  const parts = q?.split('/');
  if (parts && parts.length === 5) return { accessKeyId: parts[0], region: parts[2], service: parts[3] };
  return null;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/** S3 uploads may use `aws-chunked` framing (hex-size;chunk-signature=…\r\n data \r\n … 0\r\n trailers). */
export function decodeAwsChunked(headers: IncomingMessage['headers'], body: Buffer): Buffer {
  const enc = String(headers['content-encoding'] ?? '');
  const sha = String(headers['x-amz-content-sha256'] ?? '');
  if (!enc.includes('aws-chunked') && !sha.startsWith('STREAMING-')) return body;
  const out: Buffer[] = [];
  let pos = 0;
  while (pos < body.length) {
    const eol = body.indexOf('\r\n', pos);
    if (eol < 0) break;
    const size = parseInt(body.subarray(pos, eol).toString('ascii').split(';')[0], 16);
    if (!Number.isFinite(size) || size === 0) break;
    out.push(body.subarray(eol + 2, eol + 2 + size));
    pos = eol + 2 + size + 2;
  }
  return Buffer.concat(out);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export { protocolErrors, SECRET_ACCESS_KEY };
