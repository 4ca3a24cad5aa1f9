// Runs the step graph in dependency order, independent steps and actions in parallel
// (bounded), in three modes:
//   apply  — observe, plan, run the actions, observe again until nothing is left;
//   plan   — observe and plan only (dry-run); nothing runs;
//   verify — like plan; any planned action is drift.
// The state file is saved after every completed action, so a crash or Ctrl-C resumes.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Baseline } from '../config/schema.js';
import type { AwsApi, CallRecord, RetryNotice } from '../aws/factory.js';
import type { StateStore } from '../state/store.js';
import { PollGroups, type CheckMany, type PollOptions } from './poll-group.js';
import {
  RUN_KEY,
  isRef,
  PollTimeout,
  Ref,
  type Action,
  type Mode,
  type RunContext,
  type RunEnv,
  type Step,
  type StepContext,
  type StepId,
} from '../steps/contract.js';
import { explainError } from './explain.js';
import type { ActionView, Explained, IoHost, StepStatus } from './io.js';
import { Limiter } from '../aws/limiter.js';

/** The limiter places an action holds while it works: given back while it only waits. */
class ActionPlaces {
  private releases: (() => void)[] = [];
  constructor(private readonly limiters: Limiter[]) {}

  async take(): Promise<void> {
    for (const l of this.limiters) this.releases.push(await l.acquire());
  }

  give(): void {
    for (const r of this.releases.splice(0).reverse()) r();
  }

  async whileWaiting<T>(wait: () => Promise<T>): Promise<T> {
    if (!this.releases.length) return wait();
    this.give();
    try {
      return await wait();
    } finally {
      await this.take();
    }
  }
}

/** How long a step waits for AWS to show what it just changed before sending it again. */
const SETTLE = { firstDelayMs: 250, maxDelayMs: 4_000, budgetMs: 60_000 };

/** One call, exactly: the same service, operation, account, region and input. */
const callKey = (v: Pick<ActionView, 'service' | 'operation' | 'account' | 'region' | 'input'>): string =>
  JSON.stringify([v.service, v.operation, v.account, v.region, v.input]);

/** aws/factory.ts names a create whose answer was lost this way (it never resends those). */
const UNKNOWN_OUTCOME = 'UnknownOutcome';

export type { Mode } from '../steps/contract.js';

export interface StepResult {
  id: StepId;
  title: string;
  controls: string[];
  status: StepStatus;
  /** Planned (plan/verify) or applied (apply) actions. */
  actions: ActionView[];
  /** Manual actions still open, blocking or advisory. */
  manual: ActionView[];
  error?: Explained;
  ms: number;
}

export interface RunResult {
  mode: Mode;
  offline: boolean;
  steps: StepResult[];
  interrupted: boolean;
  exitCode: number;
}

export interface EngineOptions {
  steps: readonly Step<any, any>[];
  want: Baseline;
  state: StateStore;
  io: IoHost;
  /**
   * What the command knows that the steps may use (its arguments, the AWS CLI lookup, the
   * profiles' --force). Default: no arguments, no AWS CLI, no --force (tests of the engine).
   */
  env?: RunEnv;
  /** Actions running at once, over all steps. */
  concurrency?: number;
  /** Requests in flight per AWS service (issue: never more than 10). */
  perService?: number;
  /** Rounds of observe → apply before a step must have converged. */
  maxRounds?: number;
  /**
   * How long a step waits, in all, for AWS to show what it just changed before sending the same
   * call again (default SETTLE.budgetMs).
   */
  settleBudgetMs?: number;
}

/** RunEnv when the engine is given none. */
const NO_ENV: RunEnv = { argv: [], awsCli: async () => ({}), awsConfig: { force: false } };

export const EXIT = { ok: 0, failure: 1, usage: 2, manual: 3, drift: 4, interrupted: 130 } as const;

/** The order steps may run in; throws on unknown needs or cycles. */
export function topoOrder(steps: readonly Step<any, any>[]): Step<any, any>[] {
  const byId = new Map(steps.map((s) => [s.id, s]));
  const out: Step<any, any>[] = [];
  const state = new Map<StepId, 'visiting' | 'done'>();
  const visit = (s: Step<any, any>, path: StepId[]) => {
    if (state.get(s.id) === 'done') return;
    if (state.get(s.id) === 'visiting') throw new Error(`step graph has a cycle: ${[...path, s.id].join(' → ')}`);
    state.set(s.id, 'visiting');
    for (const n of s.needs) {
      const dep = byId.get(n);
      if (!dep) throw new Error(`step ${s.id} needs unknown step ${n}`);
      visit(dep, [...path, s.id]);
    }
    for (const n of [...(s.conditional?.needs ?? []), ...(s.conditional?.waitsFor ?? [])]) {
      const dep = byId.get(n);
      if (!dep) throw new Error(`step ${s.id} needs unknown step ${n}`);
      visit(dep, [...path, s.id]);
    }
    state.set(s.id, 'done');
    out.push(s);
  };
  for (const s of steps) visit(s, []);
  return out;
}

/** Every ref key inside a value. */
export function refsIn(v: unknown, acc: Set<string> = new Set()): Set<string> {
  if (isRef(v)) acc.add(v.key);
  else if (Array.isArray(v)) v.forEach((x) => refsIn(x, acc));
  else if (v && typeof v === 'object') Object.values(v).forEach((x) => refsIn(x, acc));
  return acc;
}

/** Replaces refs by their values; refs inside strings are not a thing (use template()). */
export function resolveRefs<T>(v: T, lookup: (key: string) => string | undefined): T {
  if (isRef(v)) {
    const x = lookup(v.key);
    if (x === undefined) throw new Error(`internal: ${v.key} is not known yet`);
    return x as T;
  }
  if (Array.isArray(v)) return v.map((x) => resolveRefs(x, lookup)) as T;
  if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype)
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolveRefs(x, lookup)])) as T;
  return v;
}

export function viewOf(step: StepId, a: Action, controls: string[]): ActionView {
  return {
    step,
    kind: a.kind,
    symbol: a.symbol,
    service: a.service,
    operation: a.operation,
    input: JSON.parse(JSON.stringify(a.input ?? {})),
    account: String(a.target.account),
    region: a.target.region,
    summary: a.summary,
    controls: a.controls ?? controls,
    ...(a.manual ? { manual: a.manual } : {}),
    ...(a.details ? { details: a.details } : {}),
  };
}

interface CallTag {
  step: StepId;
  summary: string;
}

/** The AWS call an error came from, set by namingFailures (not enumerable: never serialised). */
const FAILED_CALL = Symbol('secure-start.failedCall');
type FailedCall = { service: string; operation: string };

/** The failed call behind an error, or behind the StepError that explains it (its cause). */
export function failedCall(e: unknown): FailedCall | undefined {
  const own = (x: unknown) =>
    x && typeof x === 'object' ? (x as { [FAILED_CALL]?: FailedCall })[FAILED_CALL] : undefined;
  return own(e) ?? own((e as { cause?: unknown })?.cause);
}

/** The same AWS API, with every error marked with the service and operation that failed. */
export function namingFailures(aws: AwsApi): AwsApi {
  const mark =
    (service: string, operation: string) =>
    (e: unknown): never => {
      if (e && typeof e === 'object' && !Object.hasOwn(e, FAILED_CALL))
        Object.defineProperty(e, FAILED_CALL, { value: { service, operation } });
      throw e;
    };
  return {
    call: (s, o, i, t) => aws.call(s, o, i, t).catch(mark(s, o)),
    pages: (s, o, i, t, k) => aws.pages(s, o, i, t, k).catch(mark(s, o)),
  };
}

/**
 * A failed observe (a read, or the reads of plan/verify), explained with the operation that
 * failed in the message itself, so it is named without --verbose.
 */
export function observeFailure(e: unknown): Explained {
  const where = failedCall(e);
  const ex = explainError(e, where);
  if (where && !ex.message.includes(`${where.service}:${where.operation}`))
    ex.message = `${where.service}:${where.operation} failed: ${ex.message}`;
  return ex;
}

export class Engine {
  private readonly abort = new AbortController();
  private readonly tags = new AsyncLocalStorage<CallTag>();
  private readonly limiter: Limiter;
  private readonly serviceLimiters = new Map<string, Limiter>();
  /** Named slots for RunContext.exclusive (what AWS serialises across a whole operation). */
  private readonly slots = new Map<string, Limiter>();
  private mode: Mode = 'plan';
  /** Rounds shared by the actions waiting on one kind of AWS work (RunContext.pollTogether). */
  private readonly pollGroups: PollGroups;

  constructor(private readonly opts: EngineOptions) {
    this.limiter = new Limiter(opts.concurrency ?? 12);
    this.pollGroups = new PollGroups(this.abort.signal, (step, message, elapsedMs) =>
      opts.io.notify({ type: 'progress', step: step as StepId, message, elapsedMs }),
    );
  }

  get signal(): AbortSignal {
    return this.abort.signal;
  }

  /** Ctrl-C: start nothing new, stop waiting, let calls already sent finish, save. */
  interrupt(): void {
    this.abort.abort();
  }

  /** Wire to AwsFactory's onCall: mutating calls go in the journal. */
  readonly recordCall = (r: CallRecord): void => {
    if (!r.mutating || this.mode !== 'apply') return;
    const tag = this.tags.getStore();
    this.opts.state.data.journal.push({
      time: new Date().toISOString(),
      step: tag?.step ?? '?',
      service: r.service,
      operation: r.operation,
      account: r.account,
      region: r.region,
      requestId: r.requestId,
      summary: tag?.summary ?? '',
      ok: r.ok,
      ...(r.error ? { error: r.error } : {}),
    });
  };

  /** Wire to AwsFactory's onRetry. */
  readonly recordRetry = (r: RetryNotice): void => {
    this.opts.io.notify({ type: 'retry', step: this.tags.getStore()?.step, ...r });
  };

  /** Keys that only order the actions of this run (RUN_KEY): kept here, never in the state file. */
  private readonly runValues = new Map<string, string>();

  private value = (key: string): string | undefined =>
    key.startsWith(RUN_KEY) ? this.runValues.get(key) : this.opts.state.data.outputs[key];

  private publish = (key: string, value: string): void => {
    if (key.startsWith(RUN_KEY)) this.runValues.set(key, value);
    else this.opts.state.data.outputs[key] = value;
  };

  private context(step: Step<any, any>, aws: AwsApi): StepContext {
    const io = this.opts.io;
    return {
      want: this.opts.want,
      mode: this.mode,
      steps: this.opts.steps,
      env: this.opts.env ?? NO_ENV,
      aws: namingFailures(aws),
      value: this.value,
      ref: (key) => this.value(key) ?? new Ref(key),
      publish: this.publish,
      inflight: (key) => this.opts.state.data.inflight[key],
      warn: (message) => io.notify({ type: 'log', level: 'warn', step: step.id, message }),
      info: (message) => io.notify({ type: 'log', level: 'info', step: step.id, message }),
      signal: this.abort.signal,
    };
  }

  async run(params: {
    mode: Mode;
    aws: AwsApi;
    readAws: AwsApi;
    offline?: boolean;
    only?: StepId[];
  }): Promise<RunResult> {
    this.mode = params.mode;
    const offline = params.offline ?? false;
    const order = topoOrder(this.opts.steps);
    const selected = params.only ? order.filter((s) => params.only!.includes(s.id)) : order;
    this.opts.io.notify({
      type: 'run-start',
      mode: params.mode,
      offline,
      steps: selected.map((s) => ({ id: s.id, title: s.title, needs: s.needs })),
    });

    const results = new Map<StepId, Promise<StepResult>>();
    const stepLimiter = new Limiter(6);
    const runOne = (s: Step<any, any>): Promise<StepResult> => {
      let p = results.get(s.id);
      if (p) return p;
      p = (async () => {
        // `waitsFor` only orders (a local step an AWS step looks at); `needs` also gates.
        const inRun = (n: StepId) => selected.some((x) => x.id === n);
        const wait = (ids: StepId[]) =>
          Promise.all(ids.filter(inRun).map((n) => runOne(selected.find((x) => x.id === n)!)));
        const deps = await wait([...s.needs, ...(s.waitsFor ?? [])]);
        // Conditional needs, decided once the unconditional ones are done (their outputs known).
        const gates = [...s.needs];
        if (s.conditional?.when(this.value)) {
          gates.push(...(s.conditional.needs ?? []));
          deps.push(...(await wait([...(s.conditional.needs ?? []), ...(s.conditional.waitsFor ?? [])])));
        }
        if (params.mode === 'apply') {
          const bad = deps.find((d) => gates.includes(d.id) && !['ok', 'changed'].includes(d.status));
          if (bad) {
            const status: StepStatus =
              bad.status === 'blocked' || bad.status === 'manual'
                ? 'blocked'
                : bad.status === 'interrupted'
                  ? 'interrupted'
                  : 'skipped';
            const r: StepResult = {
              id: s.id,
              title: s.title,
              controls: s.controls,
              status,
              actions: [],
              manual: [],
              ms: 0,
              error: { message: `Waits for "${bad.title}" (${bad.status}).` },
            };
            this.opts.io.notify({ type: 'step-done', step: s.id, status, ms: 0, actions: [], error: r.error });
            return r;
          }
        }
        return stepLimiter.run(() => this.runStep(s, params.aws, params.readAws, offline));
      })();
      results.set(s.id, p);
      return p;
    };
    const steps = await Promise.all(selected.map(runOne));

    if (params.mode === 'apply') {
      for (const s of steps) {
        if (s.status === 'interrupted') continue;
        this.opts.state.data.steps[s.id] = {
          status:
            s.status === 'ok' || s.status === 'changed'
              ? 'done'
              : s.status === 'failed'
                ? 'failed'
                : s.status === 'blocked' || s.status === 'manual'
                  ? 'blocked'
                  : 'pending',
          at: new Date().toISOString(),
          ...(s.error ? { error: s.error.message } : {}),
          actions: s.actions.length,
        };
      }
      await this.opts.state.save();
    }

    const interrupted = this.abort.signal.aborted;
    const has = (st: StepStatus) => steps.some((s) => s.status === st);
    let exitCode: number = EXIT.ok;
    if (interrupted) exitCode = EXIT.interrupted;
    else if (has('failed') || has('skipped')) exitCode = EXIT.failure;
    else if (params.mode === 'apply' && (has('blocked') || has('manual'))) exitCode = EXIT.manual;
    else if (params.mode === 'verify' && has('drift')) exitCode = EXIT.drift;
    // A console step a person must do is not drift: its own code, as in apply (issue 15).
    else if (params.mode === 'verify' && has('manual')) exitCode = EXIT.manual;
    return { mode: params.mode, offline, steps, interrupted, exitCode };
  }

  private async runStep(step: Step<any, any>, aws: AwsApi, readAws: AwsApi, offline: boolean): Promise<StepResult> {
    const io = this.opts.io;
    const started = Date.now();
    const done = (status: StepStatus, actions: ActionView[], manual: ActionView[], error?: Explained): StepResult => {
      const ms = Date.now() - started;
      io.notify({ type: 'step-done', step: step.id, status, ms, actions, ...(error ? { error } : {}) });
      return {
        id: step.id,
        title: step.title,
        controls: step.controls,
        status,
        actions,
        manual,
        ms,
        ...(error ? { error } : {}),
      };
    };
    if (this.abort.signal.aborted) return done('interrupted', [], []);
    io.notify({ type: 'step-start', step: step.id, title: step.title });

    const applied: ActionView[] = [];
    const maxRounds = this.opts.maxRounds ?? 3;
    const shownManual = new Set<string>();
    // What this step sent successfully, by exact call: planned again at once means AWS does not
    // show it yet (eventual consistency), not that it is missing.
    const sent = new Set<string>();
    let settleWaitedMs = 0;
    let settleDelayMs = SETTLE.firstDelayMs;
    for (let round = 1; ; round++) {
      // Stopped (a signal) after a round that started nothing: not a step that failed to settle.
      if (round > 1 && this.abort.signal.aborted) return done('interrupted', applied, []);
      let planned: Action[];
      try {
        const ctx = this.context(step, readAws);
        const seen = offline
          ? step.fresh(ctx)
          : await this.tags.run({ step: step.id, summary: 'observe' }, () => step.observe(ctx));
        planned = step.plan(this.opts.want, seen);
      } catch (e) {
        if (this.abort.signal.aborted) return done('interrupted', applied, []);
        return done('failed', applied, [], observeFailure(e));
      }
      const calls = planned.filter((a) => a.kind === 'call');
      const manual = planned.filter((a) => a.kind === 'manual').map((a) => viewOf(step.id, a, step.controls));
      for (const m of manual) {
        if (!shownManual.has(m.summary)) io.notify({ type: 'manual', step: step.id, action: m });
        shownManual.add(m.summary);
      }
      const blocking = manual.filter((m) => m.manual?.blocking);

      if (this.mode !== 'apply') {
        const views = calls.map((a) => viewOf(step.id, a, step.controls));
        return done(
          views.length ? (this.mode === 'verify' ? 'drift' : 'changed') : blocking.length ? 'manual' : 'ok',
          views,
          manual,
        );
      }
      if (!calls.length) {
        if (blocking.length) return done('blocked', applied, manual);
        await this.forgetSettled(step);
        return done(applied.length ? 'changed' : 'ok', applied, manual);
      }
      // Just made, not listed yet: look again after a moment rather than make it twice. Lists
      // and lookups are eventually consistent (IAM: troubleshoot_general.html#troubleshoot_general_eventual-consistency;
      // Organizations: "changes are not always immediately visible"); a bounded wait, then it is
      // sent again (AWS's own duplicate checks answer for the rest).
      const repeated = calls.filter((a) => {
        const k = this.plannedKey(a);
        return k !== undefined && sent.has(k);
      });
      if (
        repeated.length &&
        settleWaitedMs < (this.opts.settleBudgetMs ?? SETTLE.budgetMs) &&
        !this.abort.signal.aborted
      ) {
        io.notify({
          type: 'progress',
          step: step.id,
          message: `waiting for AWS to show what was just changed (${repeated.length === 1 ? repeated[0]!.summary.replace(/^[-+~!] /, '').replace(/ \(.*\)$/, '') : `${repeated.length} changes`})`,
          elapsedMs: settleWaitedMs,
        });
        try {
          await this.sleep(settleDelayMs);
        } catch {
          return done('interrupted', applied, []);
        }
        settleWaitedMs += settleDelayMs;
        settleDelayMs = Math.min(settleDelayMs * 2, SETTLE.maxDelayMs);
        round--;
        continue;
      }
      if (round > maxRounds) {
        return done('failed', applied, manual, {
          message: `"${step.title}" did not settle after ${maxRounds} rounds; still planned: ${calls.map((c) => c.summary).join('; ')}. Run again; if this repeats, please report it.`,
        });
      }
      const outcome = await this.applyActions(step, calls, aws);
      applied.push(...outcome.applied);
      for (const v of outcome.applied) sent.add(callKey(v));
      // Every call put exactly what was planned and succeeded: nothing left to look at.
      if (!outcome.error && outcome.applied.length === calls.length && calls.every((a) => a.confirmed)) {
        await this.forgetSettled(step);
        return done(
          'changed',
          applied,
          manual.filter((m) => !m.manual?.blocking),
        );
      }
      // A create whose answer was lost: the next round's observe tells whether it happened.
      if (outcome.error && outcome.lookAgain && !this.abort.signal.aborted) continue;
      if (outcome.error)
        return done(this.abort.signal.aborted ? 'interrupted' : 'failed', applied, manual, outcome.error);
    }
  }

  /**
   * Settled: nothing of this step is still being waited on. A request recorded in flight by a
   * run that was killed, and found finished (or gone) by this run, is forgotten here, else the
   * state file says "waiting on AWS" for it forever. Also after a round of confirmed puts that
   * all succeeded: that round ended the step.
   */
  private async forgetSettled(step: Step<any, any>): Promise<void> {
    const stale = Object.entries(this.opts.state.data.inflight).filter(([, op]) => op.step === step.id);
    if (!stale.length) return;
    for (const [k] of stale) delete this.opts.state.data.inflight[k];
    await this.opts.state.save();
  }

  /** Runs a step's actions; each waits for the outputs it refers to, the rest in parallel. */
  private async applyActions(
    step: Step<any, any>,
    actions: Action[],
    aws: AwsApi,
  ): Promise<{ applied: ActionView[]; error?: Explained; lookAgain?: boolean }> {
    const io = this.opts.io;
    const applied: ActionView[] = [];
    const errors: Explained[] = [];
    /** Errors of actions not run because one they depend on failed, with their summaries. */
    const skipped = new Map<Explained, string>();
    const failedKeys = new Set<string>();
    const pending = new Set(actions);
    const running = new Set<Promise<void>>();
    const needsOf = (a: Action) => new Set([...refsIn(a.input), ...refsIn(a.target.account), ...(a.after ?? [])]);
    // A key an action of this batch makes is known only once that action is done: the state
    // file may still hold the value from an earlier run (a detector someone deleted since), and
    // an action that needs the key must get the new one, after it is made.
    const making = new Map<string, number>();
    for (const a of actions) for (const k of a.produces ?? []) making.set(k, (making.get(k) ?? 0) + 1);
    const made = (a: Action) => a.produces?.forEach((k) => making.set(k, making.get(k)! - 1));
    const known = (k: string) => this.value(k) !== undefined && !(making.get(k)! > 0);

    const start = (a: Action) => {
      pending.delete(a);
      const view = viewOf(step.id, a, step.controls);
      const p = (async () => {
        const t0 = Date.now();
        // An action holds one of the run's action places and one of its service's while it
        // works, and gives both back while it only waits (a poll's sleep, a turn at something
        // AWS serialises), so waiting actions never starve working ones.
        const places = new ActionPlaces([this.limiter, this.serviceLimiter(a.service)]);
        try {
          await places.take();
          try {
            if (this.abort.signal.aborted) throw new Error('interrupted');
            const input = resolveRefs(a.input, this.value);
            const account = resolveRefs(a.target.account, this.value) as string;
            const resolvedView = { ...view, input: JSON.parse(JSON.stringify(input ?? {})), account };
            io.notify({ type: 'action-start', step: step.id, action: resolvedView });
            const ctx = this.runContext(step, aws, input, { account, region: a.target.region }, places);
            const outputs = await this.tags.run({ step: step.id, summary: a.summary }, () =>
              a.run
                ? a.run(ctx)
                : aws
                    .call(a.service as never, a.operation as never, input as never, {
                      account,
                      region: a.target.region,
                    })
                    .then(() => undefined),
            );
            for (const [k, v] of Object.entries(outputs ?? {})) this.publish(k, v);
            made(a);
            // Saved at once when there is something a resume needs (an output, a request in
            // flight); a confirmed put only adds its journal line, written with the next save
            // (a crash loses the line, and the next run sees the setting in AWS).
            if (!a.confirmed || Object.keys(outputs ?? {}).length) await this.opts.state.save();
            applied.push(resolvedView);
            io.notify({ type: 'action-done', step: step.id, action: resolvedView, ms: Date.now() - t0 });
          } finally {
            places.give();
          }
        } catch (e) {
          const err = this.abort.signal.aborted
            ? { message: 'Stopped (interrupted) before this finished.' }
            : explainError(e, { service: a.service, operation: a.operation });
          errors.push(err);
          a.produces?.forEach((k) => failedKeys.add(k));
          io.notify({ type: 'action-failed', step: step.id, action: view, error: err });
          await this.opts.state.save().catch(() => undefined);
        }
      })();
      running.add(p);
      p.finally(() => running.delete(p));
    };

    for (;;) {
      for (const a of [...pending]) {
        const needs = [...needsOf(a)];
        if (needs.some((k) => failedKeys.has(k))) {
          pending.delete(a);
          a.produces?.forEach((k) => failedKeys.add(k));
          const e = { message: `Skipped "${a.summary}" because an action it depends on failed.` };
          skipped.set(e, a.summary);
          errors.push(e);
          continue;
        }
        if (!this.abort.signal.aborted && needs.every(known)) start(a);
      }
      if (!running.size) break;
      await Promise.race(running);
    }
    for (const a of pending) {
      const missing = [...needsOf(a)].filter((k) => !known(k));
      if (!this.abort.signal.aborted)
        errors.push({
          message: `Internal: "${a.summary}" needs ${missing.map((k) => `<${k}>`).join(', ')}, which no action produced. Please report this.`,
        });
    }
    if (!errors.length) return { applied };
    // The failures first; what was skipped because of them after, and not counted as failed.
    const failed = errors.filter((e) => !skipped.has(e));
    const parts: string[] = [];
    if (failed.length === 1) parts.push(failed[0]!.message);
    else if (failed.length > 1)
      parts.push(`${failed.length} actions failed:\n${failed.map((e) => `  - ${e.message}`).join('\n')}`);
    const notDone = [...skipped.values()];
    if (notDone.length === 1) parts.push(`Not done because of it: ${notDone[0]}.`);
    else if (notDone.length)
      parts.push(
        `Not done because of ${failed.length === 1 ? 'it' : 'them'}:\n${notDone.map((x) => `  - ${x}`).join('\n')}`,
      );
    const message = parts.join('\n');
    // Only answers lost in transit (and what waited on them): observe again, do not fail.
    const lookAgain =
      errors.some((e) => e.code === UNKNOWN_OUTCOME) &&
      errors.every((e) => e.code === UNKNOWN_OUTCOME || skipped.has(e));
    return { applied, error: { ...(failed[0] ?? errors[0]), message }, lookAgain };
  }

  /** The exact call a planned action would make, once every ref in it is known. */
  private plannedKey(a: Action): string | undefined {
    try {
      const input = resolveRefs(a.input, this.value);
      const account = resolveRefs(a.target.account, this.value) as string;
      return callKey({
        service: a.service,
        operation: a.operation,
        account,
        region: a.target.region,
        input: JSON.parse(JSON.stringify(input ?? {})),
      });
    } catch {
      return undefined;
    }
  }

  private sleep(ms: number): Promise<void> {
    const signal = this.abort.signal;
    return new Promise<void>((resolve, reject) => {
      if (signal.aborted) return reject(new Error('interrupted'));
      const t = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(t);
        reject(new Error('interrupted'));
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  private serviceLimiter(service: string): Limiter {
    let l = this.serviceLimiters.get(service);
    if (!l) this.serviceLimiters.set(service, (l = new Limiter(this.opts.perService ?? 8)));
    return l;
  }

  private runContext(
    step: Step<any, any>,
    aws: AwsApi,
    input: unknown,
    target: { account: string; region: string },
    places?: ActionPlaces,
  ): RunContext {
    const base = this.context(step, aws);
    const state = this.opts.state;
    const signal = this.abort.signal;
    const waiting = <T>(fn: () => Promise<T>): Promise<T> => (places ? places.whileWaiting(fn) : fn());
    const sleep = (ms: number) => waiting(() => this.sleep(ms));
    return {
      ...base,
      input,
      target,
      sleep,
      exclusive: async <T>(key: string, fn: () => Promise<T>, capacity = 1): Promise<T> => {
        let slot = this.slots.get(key);
        if (!slot) this.slots.set(key, (slot = new Limiter(Math.max(1, capacity))));
        const turn = slot;
        const release = await waiting(() => turn.acquire());
        try {
          if (signal.aborted) throw new Error('interrupted');
          return await fn();
        } finally {
          release();
        }
      },
      recordInflight: async (key, op) => {
        state.data.inflight[key] = { ...op, key, step: step.id, startedAt: new Date().toISOString() };
        await state.save();
      },
      clearInflight: async (key) => {
        delete state.data.inflight[key];
        await state.save();
      },
      pollTogether: <T>(group: string, id: string, what: string, checkAll: CheckMany<T>, o?: PollOptions) =>
        waiting(() => this.pollGroups.wait(group, step.id, id, what, checkAll, o)),
      poll: async <T>(
        what: string,
        check: () => Promise<T | undefined>,
        o: { timeoutMs?: number; firstDelayMs?: number; maxDelayMs?: number; factor?: number } = {},
      ) => {
        const t0 = Date.now();
        let delay = o.firstDelayMs ?? 1000;
        for (;;) {
          const v = await check();
          if (v !== undefined) return v;
          const elapsed = Date.now() - t0;
          if (elapsed > (o.timeoutMs ?? 30 * 60_000))
            throw new PollTimeout(
              `gave up waiting: ${what} after ${Math.round(elapsed / 1000)} s. Run again to keep waiting.`,
            );
          this.opts.io.notify({ type: 'progress', step: step.id, message: what, elapsedMs: elapsed });
          await sleep(delay);
          delay = Math.min(Math.round(delay * (o.factor ?? 1.5)), o.maxDelayMs ?? 15_000);
        }
      },
    };
  }
}
