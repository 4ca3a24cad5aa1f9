// Many actions waiting on the same kind of asynchronous AWS work share one look per round
// (RunContext.pollTogether). Identity Center is the case: a fresh bootstrap waits on about 15
// account assignments, 3-4 at a time (one per permission set); AWS lists every creation still
// in progress in one call (ListAccountAssignmentCreationStatus, filter IN_PROGRESS), so one
// request per round tells which ones finished, where one Describe per waiter per round did.
// Each waiter keeps its own backoff (a look at once, then after a short delay growing each
// time); a round looks at everyone waiting, and is due when the earliest waiter is.
import { PollTimeout } from '../steps/contract.js';

/** Looks at the given IDs at once: the result of each one that finished (absent: still running). */
export type CheckMany<T> = (ids: string[]) => Promise<Map<string, T>>;

export interface PollOptions {
  timeoutMs?: number;
  firstDelayMs?: number;
  maxDelayMs?: number;
  factor?: number;
}

interface Waiter {
  id: string;
  what: string;
  step: string;
  t0: number;
  due: number;
  delay: number;
  opts: PollOptions;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

interface Group {
  check: CheckMany<unknown>;
  waiters: Waiter[];
  /** Ends the round loop's current sleep early (a waiter joined that is due sooner). */
  wake?: () => void;
}

export class PollGroups {
  private readonly groups = new Map<string, Group>();

  constructor(
    private readonly signal: AbortSignal,
    private readonly progress: (step: string, what: string, elapsedMs: number) => void,
  ) {}

  /** Resolves with `id`'s result once a round finds it finished; rounds are shared by `group`. */
  wait<T>(
    group: string,
    step: string,
    id: string,
    what: string,
    check: CheckMany<T>,
    opts: PollOptions = {},
  ): Promise<T> {
    if (this.signal.aborted) return Promise.reject(new Error('interrupted'));
    return new Promise<T>((resolve, reject) => {
      // Alone, looked at once (as RunContext.poll does: the work may be done already); else in
      // the others' next round, at most firstDelayMs from now. Then its delay grows by `factor`.
      const now = Date.now();
      const first = opts.firstDelayMs ?? 1000;
      const w: Waiter = {
        id,
        what,
        step,
        t0: now,
        due: now,
        delay: first,
        opts,
        resolve: resolve as (v: unknown) => void,
        reject,
      };
      let g = this.groups.get(group);
      if (g) {
        w.due = now + first;
        w.delay = this.next(w);
        g.waiters.push(w);
        g.wake?.();
        return;
      }
      g = { check: check as CheckMany<unknown>, waiters: [w] };
      this.groups.set(group, g);
      void this.rounds(group, g);
    });
  }

  private next(w: Waiter): number {
    return Math.min(Math.round(w.delay * (w.opts.factor ?? 1.5)), w.opts.maxDelayMs ?? 15_000);
  }

  private async rounds(name: string, g: Group): Promise<void> {
    try {
      while (g.waiters.length) {
        await this.sleepUntil(g, Math.min(...g.waiters.map((w) => w.due)));
        const looked = [...g.waiters];
        let found: Map<string, unknown>;
        try {
          found = await g.check([...new Set(looked.map((w) => w.id))]);
        } catch (e) {
          for (const w of looked) w.reject(e);
          g.waiters = g.waiters.filter((w) => !looked.includes(w));
          continue;
        }
        const now = Date.now();
        for (const w of looked) {
          const elapsed = now - w.t0;
          if (found.has(w.id)) w.resolve(found.get(w.id));
          else if (elapsed > (w.opts.timeoutMs ?? 30 * 60_000))
            w.reject(
              new PollTimeout(
                `gave up waiting: ${w.what} after ${Math.round(elapsed / 1000)} s. Run again to keep waiting.`,
              ),
            );
          else {
            this.progress(w.step, w.what, elapsed);
            w.due = now + w.delay;
            w.delay = this.next(w);
            continue;
          }
          g.waiters.splice(g.waiters.indexOf(w), 1);
        }
      }
    } catch (e) {
      // Interrupted (Ctrl-C): everyone still waiting stops with it.
      for (const w of g.waiters) w.reject(e);
      g.waiters = [];
    } finally {
      this.groups.delete(name);
    }
  }

  /** Sleeps until `at`, or until a waiter joins (the earliest due time is then looked at again). */
  private async sleepUntil(g: Group, at: number): Promise<void> {
    for (;;) {
      const ms = at - Date.now();
      if (this.signal.aborted) throw new Error('interrupted');
      if (ms <= 0) return;
      const woken = await new Promise<boolean>((resolve, reject) => {
        const done = (v: boolean) => {
          clearTimeout(t);
          this.signal.removeEventListener('abort', onAbort);
          g.wake = undefined;
          resolve(v);
        };
        const t = setTimeout(() => done(false), ms);
        const onAbort = () => {
          clearTimeout(t);
          g.wake = undefined;
          reject(new Error('interrupted'));
        };
        this.signal.addEventListener('abort', onAbort, { once: true });
        g.wake = () => done(true);
      });
      if (!woken) return;
      at = Math.min(at, ...g.waiters.map((w) => w.due));
    }
  }
}
