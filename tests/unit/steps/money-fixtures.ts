// Shared fixtures for the budget / anomaly / contacts / root-access unit tests.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveBaseline } from '../../../config/load.js';
import { Ref, type Action, type Mode, type RunEnv, type StepContext } from '../../../steps/contract.js';
import type { AwsApi } from '../../../aws/factory.js';
import type { Baseline } from '../../../config/schema.js';

export const basic = (): Baseline =>
  resolveBaseline(JSON.parse(readFileSync(join(__dirname, '../../fixtures/config/basic.json'), 'utf8')), { placeholders: false });

/** The RunEnv a test step sees: no arguments, no AWS CLI, no --force, unless the test says so. */
export const testEnv = (over: Partial<RunEnv> = {}): RunEnv => ({ argv: [], awsCli: async () => ({}), awsConfig: { force: false }, ...over });

/** A StepContext whose AWS answers come from `answer(service, op, input, target)`. */
export function fakeCtx(want: Baseline, answer: (service: string, op: string, input: any, target: any) => unknown, values: Record<string, string> = {}, mode: Mode = 'apply', env: RunEnv = testEnv()) {
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
    want, mode, env, aws,
    value: (k) => values[k] ?? published[k],
    ref: (k) => values[k] ?? published[k] ?? new Ref(k),
    publish: (k, v) => { published[k] = v; },
    inflight: () => undefined,
    warn: (m) => warnings.push(m),
    info: (m) => infos.push(m),
    signal: new AbortController().signal,
  };
  return { ctx, calls, warnings, infos, published };
}

export const awsErr = (name: string, message = name): Error => Object.assign(new Error(message), { name });

/** The parts of actions a test asserts: symbol, operation, input (refs printed as <key>). */
export const brief = (actions: Action[]) =>
  actions.map((a) => ({ symbol: a.symbol, op: `${a.service}:${a.operation}`, input: JSON.parse(JSON.stringify(a.input)) }));
