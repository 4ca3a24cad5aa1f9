// Fixtures for the log-archive-bucket, org-trail and account-hardening unit tests.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveBaseline } from '../../../config/load.js';
import { Ref, type Action, type Mode, type RunEnv, type RunContext, type StepContext } from '../../../steps/contract.js';
import type { AwsApi } from '../../../aws/factory.js';
import type { Baseline } from '../../../config/schema.js';

export const basic = (): Baseline =>
  resolveBaseline(JSON.parse(readFileSync(join(__dirname, '../../fixtures/config/basic.json'), 'utf8')), { placeholders: false });

export const MGMT = '123456789012';
export const ORG = 'o-abc123defg';
/** Account IDs as the emulator hands them out, in config order. */
export const IDS: Record<string, string> = { 'log-archive': '111100000001', audit: '111100000002', prod: '111100000003', dev: '111100000004' };
export const KNOWN: Record<string, string> = {
  'management.accountId': MGMT,
  'org.id': ORG,
  ...Object.fromEntries(Object.entries(IDS).map(([n, id]) => [`${n}.accountId`, id])),
};

export const awsErr = (name: string, status?: number): Error =>
  Object.assign(new Error(name), { name, ...(status ? { $metadata: { httpStatusCode: status } } : {}) });

type Answer = (service: string, op: string, input: any, target: any) => unknown;

/** The RunEnv a test step sees: no arguments, no AWS CLI, no --force, unless the test says so. */
export const testEnv = (over: Partial<RunEnv> = {}): RunEnv => ({ argv: [], awsCli: async () => ({}), awsConfig: { force: false }, ...over });

/** A StepContext (and RunContext) whose AWS answers come from `answer`. */
export function fakeCtx(want: Baseline, answer: Answer, values: Record<string, string> = KNOWN, mode: Mode = 'apply', env: RunEnv = testEnv()) {
  const calls: { service: string; op: string; input: any; target: any }[] = [];
  const warnings: string[] = [];
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
    want, mode, env, aws,
    value: (k) => values[k] ?? published[k],
    ref: (k) => values[k] ?? published[k] ?? new Ref(k),
    publish: (k, v) => { published[k] = v; },
    inflight: () => undefined,
    warn: (m) => warnings.push(m),
    info: () => undefined,
    signal: new AbortController().signal,
  };
  return { ctx, calls, warnings, published };
}

/** Runs an action the way the engine does (input as given, target resolved). */
export function runAction(a: Action, ctx: StepContext) {
  const run: RunContext = {
    ...ctx,
    input: a.input,
    target: { account: String(a.target.account), region: a.target.region },
    recordInflight: async () => undefined,
    clearInflight: async () => undefined,
    exclusive: (_k, fn) => fn(),
    poll: async (_what, check) => {
      for (let i = 0; i < 20; i++) {
        const v = await check();
        if (v !== undefined) return v;
      }
      throw new Error('poll gave up');
    },
    sleep: async () => undefined,
    pollTogether: (_group, id, what, checkAll) => run.poll(what, async () => (await checkAll([id])).get(id)),
  };
  return a.run ? a.run(run) : ctx.aws.call(a.service as never, a.operation as never, a.input as never, run.target);
}

/** The parts of actions a test asserts: symbol, operation, input (refs printed as <key>). */
export const brief = (actions: Action[]) =>
  actions.map((a) => ({ symbol: a.symbol, op: `${a.service}:${a.operation}`, input: JSON.parse(JSON.stringify(a.input)) }));
export const ops = (actions: Action[]) => actions.map((a) => `${a.service}:${a.operation}`);
