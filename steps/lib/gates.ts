// Order between the actions of ONE plan, for calls AWS must see one after the other (a
// delivery channel only after its recorder, a configuration policy only once central
// configuration is on). Output keys (`after`) are kept in the state file across runs, so a key
// left over from an earlier run would let the second call go before the first one ran again
// after a drift; a gate lives only as long as the plan that made it. An action waits for its
// gate through ctx.poll, which gives its action place back while it waits, so waiting actions
// never hold the places the ones they wait for need. A gate no action of this plan opens is
// open: what it stands for already exists.
import type { RunContext } from '../contract.js';

type GateState = { status: 'pending' | 'open' | 'failed'; value?: string };

export class Gates {
  private readonly gates = new Map<string, GateState>();

  /**
   * Wraps an action's work: its gate `key` is pending from now on (for this plan), opens with
   * the work's value when the work succeeds, and fails when it fails.
   */
  opens<T extends Record<string, string> | void>(
    key: string,
    work: (ctx: RunContext) => Promise<{ value?: string; out?: T }>,
  ): (ctx: RunContext) => Promise<T | void> {
    const g: GateState = { status: 'pending' };
    this.gates.set(key, g);
    return async (ctx) => {
      try {
        const r = await work(ctx);
        g.status = 'open';
        g.value = r.value;
        return r.out;
      } catch (e) {
        g.status = 'failed';
        throw e;
      }
    };
  }

  /** True when an action of this plan opens `key`. */
  planned(key: string): boolean {
    return this.gates.has(key);
  }

  /** Waits until `key` is open (at once when no action of this plan opens it); its value, if any. */
  async wait(ctx: RunContext, key: string, what: string): Promise<string | undefined> {
    const g = this.gates.get(key);
    if (!g || g.status === 'open') return g?.value;
    return ctx
      .poll(
        what,
        async () => {
          if (g.status === 'failed') throw new Error(`Not done: ${what} failed.`);
          return g.status === 'open' ? (g.value ?? '') : undefined;
        },
        { firstDelayMs: 20, maxDelayMs: 500, factor: 1.5 },
      )
      .then((v) => (v === '' ? g.value : v));
  }
}
