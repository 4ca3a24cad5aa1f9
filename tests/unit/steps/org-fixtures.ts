// Shared fixtures for the trusted-access / OU / accounts / SCP unit tests.
import { PollTimeout, Ref, type Action, type RunContext, type RunEnv } from '../../../steps/contract.js';
import { basic, fakeCtx } from './money-fixtures.js';
import type { Baseline } from '../../../config/schema.js';

export { basic, brief, awsErr, fakeCtx, testEnv } from './money-fixtures.js';

export const ROOT = 'r-abcd';
export const ORG_VALUES = { 'org.id': 'o-abcdefghij', 'org.rootId': ROOT, 'management.accountId': '111111111111' };

/** A RunContext over fakeCtx: refs resolved from `values`, polls run at once, inflight kept in a map. */
export function fakeRun(want: Baseline, action: Action, answer: Parameters<typeof fakeCtx>[1], values: Record<string, string> = {}, env?: RunEnv) {
  const f = fakeCtx(want, answer, { ...ORG_VALUES, ...values }, 'apply', env);
  const inflight: Record<string, { service: string; operation: string; requestId: string }> = {};
  const events: string[] = [];
  const resolve = (v: unknown): unknown =>
    v instanceof Ref ? (values[v.key] ?? (ORG_VALUES as Record<string, string>)[v.key]) : Array.isArray(v) ? v.map(resolve)
      : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolve(x)])) : v;
  const ctx: RunContext = {
    ...f.ctx,
    input: resolve(action.input),
    target: { account: 'management', region: 'us-east-1' },
    exclusive: (_k, fn) => fn(),
    inflight: (k) => (inflight[k] ? { ...inflight[k]!, key: k, step: 'x', startedAt: '' } : undefined),
    recordInflight: async (k, op) => { events.push(`record ${k} ${op.requestId}`); inflight[k] = op; },
    clearInflight: async (k) => { events.push(`clear ${k}`); delete inflight[k]; },
    poll: async (what, check) => {
      for (let i = 0; i < 50; i++) { const v = await check(); if (v !== undefined) return v; }
      throw new PollTimeout(`gave up waiting: ${what}`); // as the engine's poll does when its time is up
    },
    sleep: async () => undefined,
    // One waiter at a time here: a round looks at that one only.
    pollTogether: (_group, id, what, checkAll) => ctx.poll(what, async () => (await checkAll([id])).get(id)),
  };
  return { ...f, ctx, inflight, events };
}

export const want = (): Baseline => basic();
