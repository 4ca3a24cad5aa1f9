// The one fixture module for step unit tests: a fake StepContext whose AWS answers come from a
// function, a RunContext over it, and the IDs a small organization has once it exists.
// Copy organization.test.ts to test a new step; it shows how these fit together.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveBaseline } from '../../../config/load.js';
import {
  PollTimeout,
  Ref,
  type Action,
  type Mode,
  type RunContext,
  type RunEnv,
  type StepContext,
} from '../../../steps/contract.js';
import type { AwsApi } from '../../../aws/factory.js';
import type { Baseline } from '../../../config/schema.js';

/** tests/fixtures/config/basic.json resolved: Acme Robotics, home region eu-west-1. */
export const basic = (): Baseline =>
  resolveBaseline(JSON.parse(readFileSync(join(__dirname, '../../fixtures/config/basic.json'), 'utf8')), {
    placeholders: false,
  });
export const want = basic;

// ---- IDs of the organization once it exists ----
export const MGMT = '111111111111';
export const ORG = 'o-abcdefghij';
export const ROOT = 'r-abcd';
/** Member account IDs, in config order. */
export const ACCOUNTS: Record<string, string> = {
  'log-archive': '200000000001',
  audit: '200000000002',
  prod: '200000000003',
  dev: '200000000004',
};
export const INSTANCE = 'arn:aws:sso:::instance/ssoins-1111222233334444';
export const STORE = 'd-9067000001';
export const START_URL = `https://${STORE}.awsapps.com/start`;
export const psArn = (name: string): string =>
  `arn:aws:sso:::permissionSet/ssoins-1111222233334444/ps-${name.toLowerCase()}`;
export const SETS = ['AdministratorAccess', 'PowerUser', 'ReadOnly', 'Billing'];
export const GROUP_IDS: Record<string, string> = {
  Admins: 'g-admins',
  Developers: 'g-devs',
  Auditors: 'g-auditors',
  Billing: 'g-billing',
};
export const USER_ID = 'u-ada';

// ---- Outputs known at some point of a run (what ctx.value answers) ----
/** The organization exists. */
export const ORG_VALUES: Record<string, string> = { 'org.id': ORG, 'org.rootId': ROOT, 'management.accountId': MGMT };
/** The organization and its accounts exist (the logging and hardening steps start here). */
export const KNOWN: Record<string, string> = {
  'management.accountId': MGMT,
  'org.id': ORG,
  ...Object.fromEntries(Object.entries(ACCOUNTS).map(([n, id]) => [`${n}.accountId`, id])),
};
/** ... and the Identity Center instance (home region eu-west-1). */
export const SSO_VALUES: Record<string, string> = {
  ...KNOWN,
  'org.rootId': ROOT,
  'sso.instanceArn': INSTANCE,
  'sso.identityStoreId': STORE,
  'sso.region': 'eu-west-1',
  'sso.startUrl': START_URL,
};
/** ... and the permission sets, groups and the founder. */
export const ALL_VALUES: Record<string, string> = {
  ...SSO_VALUES,
  ...Object.fromEntries(SETS.map((s) => [`permissionSet.${s}.arn`, psArn(s)])),
  ...Object.fromEntries(Object.entries(GROUP_IDS).map(([g, id]) => [`group.${g}.id`, id])),
  'user.ada@acme.example.id': USER_ID,
};

// ---- AWS ----
/** An AWS error as the SDK throws it: `awsErr('NoSuchBucket', 404)` or `awsErr('AccessDeniedException', 'not authorized')`. */
export const awsErr = (name: string, more?: string | number): Error =>
  Object.assign(new Error(typeof more === 'string' ? more : name), {
    name,
    ...(typeof more === 'number' ? { $metadata: { httpStatusCode: more } } : {}),
  });

/** Answers one AWS call: return the output, or an Error to throw it. `pages` gets one page. */
export type Answer = (service: string, op: string, input: any, target: any) => unknown;

/** The RunEnv a test step sees: no arguments, no AWS CLI, no --force, unless the test says so. */
export const testEnv = (over: Partial<RunEnv> = {}): RunEnv => ({
  argv: [],
  awsCli: async () => ({}),
  awsConfig: { force: false },
  ...over,
});

/** A StepContext whose AWS answers come from `answer`; records the calls, warnings, infos and published outputs. */
export function fakeCtx(
  want: Baseline,
  answer: Answer,
  values: Record<string, string> = {},
  mode: Mode = 'apply',
  env: RunEnv = testEnv(),
) {
  const calls: { service: string; op: string; input: any; target: any }[] = [];
  const warnings: string[] = [];
  const infos: string[] = [];
  const published: Record<string, string> = {};
  const call = async (service: string, op: string, input: any, target?: any) => {
    calls.push({ service, op, input, target });
    const out = answer(service, op, input, target);
    if (out instanceof Error) throw out;
    return out as any;
  };
  const aws: AwsApi = {
    call: call as unknown as AwsApi['call'],
    pages: (async (s: string, o: string, i: any, t?: any) => [await call(s, o, i, t)]) as unknown as AwsApi['pages'],
  };
  const ctx: StepContext = {
    want,
    mode,
    env,
    aws,
    value: (k) => values[k] ?? published[k],
    ref: (k) => values[k] ?? published[k] ?? new Ref(k),
    publish: (k, v) => {
      published[k] = v;
    },
    inflight: () => undefined,
    warn: (m) => warnings.push(m),
    info: (m) => infos.push(m),
    signal: new AbortController().signal,
  };
  return { ctx, calls, warnings, infos, published };
}

/** A RunContext over `ctx` as the engine gives one to Action.run: polls run at once, inflight kept in a map (and logged in `events`). */
export function runContext(ctx: StepContext, input: unknown, target: { account: string; region: string }) {
  const inflight: Record<string, { service: string; operation: string; requestId: string }> = {};
  const events: string[] = [];
  const run: RunContext = {
    ...ctx,
    input,
    target,
    exclusive: (_k, fn) => fn(),
    inflight: (k) => (inflight[k] ? { ...inflight[k]!, key: k, step: 'x', startedAt: '' } : undefined),
    recordInflight: async (k, op) => {
      events.push(`record ${k} ${op.requestId}`);
      inflight[k] = op;
    },
    clearInflight: async (k) => {
      events.push(`clear ${k}`);
      delete inflight[k];
    },
    poll: async (what, check) => {
      for (let i = 0; i < 50; i++) {
        const v = await check();
        if (v !== undefined) return v;
      }
      throw new PollTimeout(`gave up waiting: ${what}`); // as the engine's poll does when its time is up
    },
    sleep: async () => undefined,
    // One waiter at a time here: a round looks at that one only.
    pollTogether: (_group, id, what, checkAll) => run.poll(what, async () => (await checkAll([id])).get(id)),
  };
  return { ctx: run, inflight, events };
}

/** A RunContext for `action` over a fresh fakeCtx: refs resolved from ORG_VALUES + `values`, target the management account in us-east-1. */
export function fakeRun(
  want: Baseline,
  action: Action,
  answer: Answer,
  values: Record<string, string> = {},
  env?: RunEnv,
) {
  const known = { ...ORG_VALUES, ...values };
  const f = fakeCtx(want, answer, known, 'apply', env);
  const resolve = (v: unknown): unknown =>
    v instanceof Ref
      ? known[v.key]
      : Array.isArray(v)
        ? v.map(resolve)
        : v && typeof v === 'object'
          ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolve(x)]))
          : v;
  const r = runContext(f.ctx, resolve(action.input), { account: 'management', region: 'us-east-1' });
  return { ...f, ...r };
}

/** Runs an action over `ctx` the way the engine does (input as given, target from the action). */
export function runAction(a: Action, ctx: StepContext) {
  const { ctx: run } = runContext(ctx, a.input, { account: String(a.target.account), region: a.target.region });
  return a.run ? a.run(run) : ctx.aws.call(a.service as never, a.operation as never, a.input as never, run.target);
}

// ---- Asserting plans ----
/** The parts of actions a test asserts: symbol, operation, input (refs printed as <key>). */
export const brief = (actions: Action[]) =>
  actions.map((a) => ({
    symbol: a.symbol,
    op: `${a.service}:${a.operation}`,
    input: JSON.parse(JSON.stringify(a.input)),
  }));
export const ops = (actions: Action[]) => actions.map((a) => `${a.service}:${a.operation}`);
