// Progress on a terminal with listr2: one task per step, running concurrently as the engine
// runs them, a subtask per account once a step works in more than one, and the elapsed time
// of long waits ("creating account prod… 1m12s"). listr2 only mirrors engine events: the
// engine never waits on it, and nothing is asked while it renders (questions and manual
// steps happen between engine runs).
import { Listr, type ListrTaskWrapper } from 'listr2';
import type { IoEvent, IoHost, StepStatus } from '../../engine/io.js';
import { fmtDuration } from './lines.js';
import { wrap } from './wrap.js';

type Wrapper = ListrTaskWrapper<unknown, any, any>;

interface StepView {
  id: string;
  title: string;
  needs: string[];
  started: Deferred<void>;
  done: Deferred<{ status: StepStatus; message?: string; changes: number }>;
  task?: Wrapper;
  /** account → its subtask (titled once the step touches a second account). */
  accounts: Map<string, { task?: Wrapper; done: Deferred<void>; shown: boolean; seen: boolean }>;
  wait?: { message: string; since: number };
}

class Deferred<T> {
  promise: Promise<T>;
  resolve!: (v: T) => void;
  settled = false;
  constructor() {
    this.promise = new Promise<T>(
      (r) =>
        (this.resolve = (v) => {
          this.settled = true;
          r(v);
        }),
    );
  }
}

export interface ListrHostOptions {
  verbose: boolean;
  /** Account ID → readable name ('prod'), for subtask titles. */
  accountName(id: string): string;
  /** Member account IDs known when a step starts (each may get a subtask). */
  knownAccounts?(): string[];
  /** Where non-progress messages (warnings, advice) are written after the run. */
  out: NodeJS.WritableStream;
  width?: number;
}

/** "waits for Member accounts, each in its OU (and 2 more)": titles, never step IDs. */
export function waitsFor(titles: string[]): string {
  return `waits for ${titles[0]}${titles.length > 1 ? ` (and ${titles.length - 1} more)` : ''}`;
}

export class ListrIoHost implements IoHost {
  private steps = new Map<string, StepView>();
  private listr?: Listr<unknown, any, any>;
  private running?: Promise<unknown>;
  private ticker?: NodeJS.Timeout;
  private readonly after: string[] = [];
  /** Set by notice(): every running step shows it from then on. */
  private noticeText?: string;

  constructor(private readonly o: ListrHostOptions) {}

  notify(e: IoEvent): void {
    switch (e.type) {
      case 'run-start':
        this.start(e.steps);
        break;
      case 'step-start':
        this.steps.get(e.step)?.started.resolve();
        break;
      case 'action-start': {
        const s = this.steps.get(e.step);
        if (!s) break;
        s.wait = undefined;
        this.account(s, e.action.account, e.action.summary);
        break;
      }
      case 'progress': {
        const s = this.steps.get(e.step);
        if (!s?.task) break;
        // Remember when the wait began so the ticker can count seconds between events.
        s.wait = { message: e.message, since: Date.now() - e.elapsedMs };
        this.tick();
        break;
      }
      case 'retry':
        if (this.o.verbose && e.step) {
          const t = this.steps.get(e.step)?.task;
          if (t)
            this.say(
              t,
              `retry: ${e.service}:${e.operation} attempt ${e.attempt} failed with ${e.error}; retrying with backoff`,
            );
        }
        break;
      case 'log':
        this.after.push(e.level === 'warn' ? `⚠ ${e.message}` : e.message);
        break;
      case 'manual':
        if (!e.action.manual?.blocking) this.after.push(e.action.summary); // starts with its '!'
        break;
      case 'action-failed': {
        const t = this.steps.get(e.step)?.task;
        if (t) this.say(t, `✗ ${e.action.summary}: ${e.error.message}`);
        break;
      }
      case 'step-done': {
        const s = this.steps.get(e.step);
        if (!s) break;
        s.started.resolve();
        const code =
          this.o.verbose && e.error?.code
            ? ` (AWS error ${e.error.code}${e.error.requestId ? `, request ID ${e.error.requestId}` : ''})`
            : '';
        s.done.resolve({
          status: e.status,
          message: e.error ? `${e.error.message}${code}` : undefined,
          changes: e.actions.length,
        });
        for (const a of s.accounts.values()) a.done.resolve();
        break;
      }
    }
  }

  private start(steps: { id: string; title: string; needs: string[] }[]): void {
    for (const s of steps)
      this.steps.set(s.id, { ...s, started: new Deferred(), done: new Deferred(), accounts: new Map() });
    this.listr = new Listr(
      [...this.steps.values()].map((s) => ({
        title: s.title,
        task: (_: unknown, task: Wrapper) => this.runStep(s, task),
      })),
      {
        concurrent: true,
        exitOnError: false,
        registerSignalListeners: false,
        rendererOptions: {
          collapseSubtasks: true,
          collapseErrors: false,
          showErrorMessage: true,
          formatOutput: 'truncate',
          outputBar: 1,
        },
      },
    );
    this.running = this.listr.run().catch(() => undefined);
    this.ticker = setInterval(() => this.tick(), 1000);
    this.ticker.unref();
  }

  private tick(): void {
    for (const s of this.steps.values()) {
      if (s.wait && s.task && !s.done.settled)
        this.say(s.task, `${s.wait.message}… ${fmtDuration(Date.now() - s.wait.since)}`);
    }
  }

  private account(s: StepView, account: string, summary: string): void {
    let a = s.accounts.get(account);
    if (!a) s.accounts.set(account, (a = { done: new Deferred(), shown: false, seen: true }));
    a.seen = true;
    // One account: the step's own line says it all. Two or more: a line per account.
    const touched = [...s.accounts.values()].filter((x) => x.seen);
    if (touched.length > 1) {
      for (const [id, x] of s.accounts) {
        if (x.task && !x.shown) {
          x.task.title = id === 'management' ? 'management account' : this.o.accountName(id);
          x.shown = true;
        }
      }
    }
    if (a.task && a.shown) this.say(a.task, summary);
    else if (s.task) this.say(s.task, summary);
  }

  private async runStep(s: StepView, task: Wrapper): Promise<unknown> {
    s.task = task;
    if (!s.started.settled && s.needs.length)
      this.say(task, waitsFor(s.needs.map((n) => this.steps.get(n)?.title ?? n)));
    await s.started.promise;
    task.output = '';
    // Finished without starting (waits for a step that did not finish): no subtasks.
    if (s.done.settled) return this.finishStep(s, task);
    // Subtasks for the accounts this step may touch; untitled (hidden) until it touches two.
    const accounts = ['management', ...(this.o.knownAccounts?.() ?? [])];
    for (const id of accounts)
      if (!s.accounts.has(id)) s.accounts.set(id, { done: new Deferred(), shown: false, seen: false });
    return task.newListr(
      [
        ...[...s.accounts.entries()].map(([id, a]) => ({
          task: async (_: unknown, sub: Wrapper) => {
            a.task = sub;
            if (a.seen && [...s.accounts.values()].filter((x) => x.seen).length > 1) {
              sub.title = id === 'management' ? 'management account' : this.o.accountName(id);
              a.shown = true;
            }
            await a.done.promise;
          },
        })),
        { task: () => this.finishStep(s, task) },
      ],
      { concurrent: true, exitOnError: false },
    );
  }

  private async finishStep(s: StepView, task: Wrapper): Promise<void> {
    const r = await s.done.promise;
    s.wait = undefined;
    task.output = '';
    switch (r.status) {
      case 'ok':
        return;
      case 'changed':
        task.title = `${s.title} (${r.changes} change${r.changes === 1 ? '' : 's'})`;
        return;
      case 'failed':
        throw new Error(r.message ?? 'failed');
      case 'blocked':
      case 'manual':
        task.skip(`${s.title}: waits for you`);
        return;
      case 'interrupted':
        task.skip(`${s.title}: stopped`);
        return;
      default:
        task.skip(`${s.title}: ${r.status}${r.message ? ` — ${r.message}` : ''}`);
    }
  }

  /**
   * A message for the person while tasks render (Ctrl-C: "Stopping after the calls already
   * sent…"): shown on every step still running and kept there, so it is on screen wherever the
   * terminal cuts a list taller than itself (the bottom rows always show).
   */
  notice(message: string): void {
    this.noticeText = message;
    for (const s of this.steps.values()) if (s.task && !s.done.settled) s.task.output = message;
    this.after.unshift(message);
  }

  /** A running step's output line, unless a notice holds it. */
  private say(task: Wrapper, text: string): void {
    task.output = this.noticeText ?? text;
  }

  /** Waits for the renderer to finish, then prints the messages kept for after it. */
  async finish(): Promise<void> {
    if (this.ticker) clearInterval(this.ticker);
    await this.running;
    for (const m of [...new Set(this.after)]) this.o.out.write(`${wrap(m, this.o.width ?? 80, '  ')}\n`);
  }
}
