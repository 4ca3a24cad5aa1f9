// PollGroups (RunContext.pollTogether): actions waiting on the same kind of work share one
// look per round, each keeps its own backoff, and failures, timeouts and Ctrl-C reach exactly
// the waiters they concern.
import { describe, expect, it, vi } from 'vitest';
import { PollGroups } from '../../engine/poll-group.js';
import { PollTimeout } from '../../steps/contract.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Work that finishes at given times (ms from now); a check sees what has finished. */
function work(finishAt: Record<string, number>) {
  const t0 = Date.now();
  const rounds: string[][] = [];
  const check = async (ids: string[]) => {
    rounds.push([...ids].sort());
    return new Map(ids.filter((id) => Date.now() - t0 >= finishAt[id]!).map((id) => [id, `${id} done`]));
  };
  return { check, rounds };
}

describe('PollGroups', () => {
  it('waiters in one group share each round; each gets its own result', async () => {
    // Fake time: the count of rounds must not depend on how busy the machine is.
    vi.useFakeTimers();
    try {
      const progress: string[] = [];
      const groups = new PollGroups(new AbortController().signal, (step, what) => progress.push(`${step}: ${what}`));
      const w = work({ a: 30, b: 60, c: 120 });
      const opts = { firstDelayMs: 10, factor: 2 };
      const all = Promise.all(
        ['a', 'b', 'c'].map((id) => groups.wait('g', 'step', id, `waiting for ${id}`, w.check, opts)),
      );
      await vi.runAllTimersAsync();
      expect(await all).toEqual(['a done', 'b done', 'c done']);
      // Looks at 0, 10, 30, 70, 150 ms (one backoff for all three, as they started together):
      // five rounds where three separate polls would have made fifteen looks.
      expect(w.rounds).toEqual([['a', 'b', 'c'], ['a', 'b', 'c'], ['a', 'b', 'c'], ['b', 'c'], ['c']]);
      expect(progress).toContain('step: waiting for c');
      expect(progress).not.toContain('step: waiting for x');
    } finally {
      vi.useRealTimers();
    }
  });

  it("a waiter that joins later is looked at in the others' next round, or after its own first delay if sooner", async () => {
    const groups = new PollGroups(new AbortController().signal, () => undefined);
    const w = work({ a: 300, b: 0, c: 0 });
    const a = groups.wait('g', 's', 'a', 'a', w.check, { firstDelayMs: 100, factor: 1 }); // looks at 0, 100, 200…
    await sleep(30);
    let t = Date.now();
    expect(await groups.wait('g', 's', 'b', 'b', w.check, { firstDelayMs: 500 })).toBe('b done');
    expect(Date.now() - t).toBeLessThan(95); // at a's look at 100 ms, not at its own 500 ms
    expect(w.rounds[1]).toEqual(['a', 'b']);
    t = Date.now();
    expect(await groups.wait('g', 's', 'c', 'c', w.check, { firstDelayMs: 20 })).toBe('c done');
    expect(Date.now() - t).toBeLessThan(80); // before a's next look
    expect(w.rounds[2]).toEqual(['a', 'c']);
    expect(await a).toBe('a done');
  });

  it('groups do not mix', async () => {
    const groups = new PollGroups(new AbortController().signal, () => undefined);
    const x = work({ a: 0 });
    const y = work({ b: 0 });
    await Promise.all([groups.wait('x', 's', 'a', 'a', x.check), groups.wait('y', 's', 'b', 'b', y.check)]);
    expect([x.rounds, y.rounds]).toEqual([[['a']], [['b']]]);
  });

  it('a failed round fails the waiters it looked at; the group goes on for those who come after', async () => {
    const groups = new PollGroups(new AbortController().signal, () => undefined);
    let fail = true;
    const check = async (ids: string[]) => {
      if (fail) throw new Error('ThrottlingException');
      return new Map(ids.map((id) => [id, id]));
    };
    const both = await Promise.allSettled([
      groups.wait('g', 's', 'a', 'a', check),
      groups.wait('g', 's', 'b', 'b', check),
    ]);
    expect(both.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(await groups.wait('g', 's', 'c', 'c', check)).toBe('c');
  });

  it('a waiter past its time gets PollTimeout; the others keep waiting', async () => {
    const groups = new PollGroups(new AbortController().signal, () => undefined);
    const w = work({ a: 1e9, b: 80 });
    const a = groups.wait('g', 's', 'a', 'assigning Admins → prod', w.check, {
      firstDelayMs: 10,
      factor: 1,
      timeoutMs: 40,
    });
    const b = groups.wait('g', 's', 'b', 'b', w.check, { firstDelayMs: 10, factor: 1 });
    await expect(a).rejects.toBeInstanceOf(PollTimeout);
    await expect(a).rejects.toThrow(/gave up waiting: assigning Admins → prod after/);
    expect(await b).toBe('b done');
  });

  it('Ctrl-C stops every waiter at once, and leaves no timer behind', async () => {
    const abort = new AbortController();
    const groups = new PollGroups(abort.signal, () => undefined);
    const w = work({ a: 1e9, b: 1e9 });
    const waits = [
      groups.wait('g', 's', 'a', 'a', w.check, { firstDelayMs: 60_000 }),
      groups.wait('g', 's', 'b', 'b', w.check, { firstDelayMs: 60_000 }),
    ];
    await sleep(20);
    abort.abort();
    const t = Date.now();
    expect(
      (await Promise.allSettled(waits)).map((r) => r.status === 'rejected' && (r.reason as Error).message),
    ).toEqual(['interrupted', 'interrupted']);
    expect(Date.now() - t).toBeLessThan(50);
    await expect(groups.wait('g', 's', 'c', 'c', w.check)).rejects.toThrow('interrupted');
  });
});
