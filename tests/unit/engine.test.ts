import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine, topoOrder, refsIn, resolveRefs } from '../../engine/engine.js';
import { RecordingIoHost } from '../../engine/io.js';
import { StateStore } from '../../state/store.js';
import { resolveBaseline } from '../../config/load.js';
import { ref, type Action, type Step } from '../../steps/contract.js';
import type { AwsApi } from '../../aws/factory.js';

const want = resolveBaseline({}, { placeholders: true });
const noAws: AwsApi = {
  call: async () => {
    throw new Error('no AWS in unit tests');
  },
  pages: async () => {
    throw new Error('no AWS in unit tests');
  },
};
const newState = () => StateStore.open(join(mkdtempSync(join(tmpdir(), 'ss-engine-')), 'state.json'), 'test');

/** A fake world: a set of things that exist; steps create them by name. */
function world() {
  const have = new Set<string>();
  const log: string[] = [];
  let active = 0;
  let peak = 0;
  const make = (
    name: string,
    o: { delay?: number; fail?: () => boolean; produces?: string; input?: unknown; after?: string[] } = {},
  ): Action => ({
    kind: 'call',
    symbol: '+',
    service: 'organizations',
    operation: `Create${name}`,
    input: o.input ?? {},
    target: { account: 'management', region: 'us-east-1' },
    summary: `+ ${name}`,
    ...(o.produces ? { produces: [o.produces] } : {}),
    ...(o.after ? { after: o.after } : {}),
    async run(ctx) {
      active++;
      peak = Math.max(peak, active);
      log.push(
        `start ${name}${ctx.input && Object.keys(ctx.input as object).length ? ` ${JSON.stringify(ctx.input)}` : ''}`,
      );
      await new Promise((r) => setTimeout(r, o.delay ?? 5));
      active--;
      if (o.fail?.()) throw new Error(`${name} broke`);
      have.add(name);
      log.push(`done ${name}`);
      return o.produces ? { [o.produces]: `${name}-id` } : undefined;
    },
  });
  const step = (
    id: string,
    needs: string[],
    things: string[],
    o: Parameters<typeof make>[1] = {},
  ): Step<Set<string>> => ({
    id,
    title: id,
    needs,
    controls: [],
    observe: async () => new Set(have),
    fresh: () => new Set(),
    plan: (_w, seen) => things.filter((t) => !seen.has(t)).map((t) => make(t, o)),
  });
  return { have, log, step, make, peak: () => peak };
}

describe('engine', () => {
  it('orders steps by needs and rejects cycles and unknown needs', () => {
    const w = world();
    const order = topoOrder([w.step('c', ['b'], []), w.step('a', [], []), w.step('b', ['a'], [])]).map((s) => s.id);
    expect(order).toEqual(['a', 'b', 'c']);
    expect(() => topoOrder([w.step('a', ['b'], []), w.step('b', ['a'], [])])).toThrow(/cycle/);
    expect(() => topoOrder([w.step('a', ['zzz'], [])])).toThrow(/unknown step zzz/);
  });

  it('applies in dependency order; independent steps run in parallel', async () => {
    const w = world();
    const steps = [
      w.step('a', [], ['A'], { delay: 30 }),
      w.step('b', ['a'], ['B']),
      w.step('x', [], ['X'], { delay: 30 }),
    ];
    const e = new Engine({ steps, want, state: newState(), io: new RecordingIoHost() });
    const r = await e.run({ mode: 'apply', aws: noAws, readAws: noAws });
    expect(r.exitCode).toBe(0);
    expect(w.log.indexOf('done A')).toBeLessThan(w.log.indexOf('start B'));
    expect(w.peak()).toBe(2); // a and x at the same time
    expect(r.steps.map((s) => [s.id, s.status])).toEqual([
      ['a', 'changed'],
      ['b', 'changed'],
      ['x', 'changed'],
    ]);
  });

  it('bounds concurrency across actions', async () => {
    const w = world();
    const things = Array.from({ length: 20 }, (_, i) => `T${i}`);
    const e = new Engine({
      steps: [w.step('many', [], things, { delay: 10 })],
      want,
      state: newState(),
      io: new RecordingIoHost(),
      concurrency: 4,
    });
    await e.run({ mode: 'apply', aws: noAws, readAws: noAws });
    expect(w.have.size).toBe(20);
    expect(w.peak()).toBe(4);
  });

  it('resolves refs: an action waits for the output it refers to', async () => {
    const w = world();
    const s: Step<Set<string>> = {
      id: 'ou',
      title: 'ou',
      needs: [],
      controls: [],
      observe: async () => new Set(w.have),
      fresh: () => new Set(),
      plan: (_w, seen) => [
        ...(!seen.has('Child') ? [w.make('Child', { input: { ParentId: ref('ou.Parent.id') } })] : []),
        ...(!seen.has('Parent') ? [w.make('Parent', { produces: 'ou.Parent.id', delay: 20 })] : []),
      ],
    };
    const e = new Engine({ steps: [s], want, state: newState(), io: new RecordingIoHost() });
    await e.run({ mode: 'apply', aws: noAws, readAws: noAws });
    expect(w.log).toEqual(['start Parent', 'done Parent', 'start Child {"ParentId":"Parent-id"}', 'done Child']);
  });

  it('a key the state file still holds from an earlier run waits for the action of this run that makes it again', async () => {
    // The parent was deleted behind the tool's back: its old ID is still in the state file.
    const w = world();
    const state = newState();
    state.data.outputs['ou.Parent.id'] = 'old-Parent-id';
    const s: Step<Set<string>> = {
      id: 'ou',
      title: 'ou',
      needs: [],
      controls: [],
      observe: async () => new Set(w.have),
      fresh: () => new Set(),
      plan: (_w, seen) => [
        ...(!seen.has('Child') ? [w.make('Child', { input: { ParentId: ref('ou.Parent.id') } })] : []),
        ...(!seen.has('Parent') ? [w.make('Parent', { produces: 'ou.Parent.id', delay: 20 })] : []),
      ],
    };
    await new Engine({ steps: [s], want, state, io: new RecordingIoHost() }).run({
      mode: 'apply',
      aws: noAws,
      readAws: noAws,
    });
    expect(w.log).toEqual(['start Parent', 'done Parent', 'start Child {"ParentId":"Parent-id"}', 'done Child']);
  });

  it('run keys order the actions of one run and never reach the state file', async () => {
    const w = world();
    const state = newState();
    const s: Step<Set<string>> = {
      id: 'vpc',
      title: 'vpc',
      needs: [],
      controls: [],
      observe: async () => new Set(w.have),
      fresh: () => new Set(),
      plan: (_w, seen) => [
        ...(!seen.has('Vpc') ? [w.make('Vpc', { after: ['run:subnet.deleted'] })] : []),
        ...(!seen.has('Subnet') ? [w.make('Subnet', { produces: 'run:subnet.deleted', delay: 20 })] : []),
      ],
    };
    await new Engine({ steps: [s], want, state, io: new RecordingIoHost() }).run({
      mode: 'apply',
      aws: noAws,
      readAws: noAws,
    });
    expect(w.log).toEqual(['start Subnet', 'done Subnet', 'start Vpc', 'done Vpc']);
    expect(Object.keys(state.data.outputs).filter((k) => k.startsWith('run:'))).toEqual([]);
  });

  it('plan and verify never call run; refs print as <key>', async () => {
    const w = world();
    let ran = 0;
    const s: Step<null> = {
      id: 's',
      title: 's',
      needs: [],
      controls: ['SSB ACCT.01'],
      observe: async () => null,
      fresh: () => null,
      plan: () => [
        {
          ...w.make('X', { input: { Id: ref('prod.accountId') } }),
          run: async () => {
            ran++;
          },
        },
      ],
    };
    for (const mode of ['plan', 'verify'] as const) {
      const e = new Engine({ steps: [s], want, state: newState(), io: new RecordingIoHost() });
      const r = await e.run({ mode, aws: noAws, readAws: noAws });
      expect(r.steps[0]!.actions[0]!.input).toEqual({ Id: '<prod.accountId>' });
      expect(r.exitCode).toBe(mode === 'verify' ? 4 : 0);
    }
    expect(ran).toBe(0);
  });

  it('offline plan uses fresh() and never observes', async () => {
    const w = world();
    w.have.add('A');
    const e = new Engine({ steps: [w.step('a', [], ['A'])], want, state: newState(), io: new RecordingIoHost() });
    const r = await e.run({ mode: 'plan', aws: noAws, readAws: noAws, offline: true });
    expect(r.steps[0]!.actions.map((a) => a.summary)).toEqual(['+ A']);
  });

  it('a failed action fails its step, skips dependents, lets independent work finish; a re-run resumes', async () => {
    const w = world();
    let broken = true;
    const steps = [
      w.step('a', [], ['A1', 'A2'], {
        fail: () => broken && !w.have.has('A1') && w.log.filter((l) => l === 'start A1').length === 1,
      }),
      w.step('b', ['a'], ['B']),
      w.step('x', [], ['X']),
    ];
    // Only A1 breaks (first attempt); A2 and X complete.
    steps[0]!.plan = (_w, seen) =>
      ['A1', 'A2'].filter((t) => !seen.has(t)).map((t) => w.make(t, { fail: () => broken && t === 'A1' }));
    const state = newState();
    const r1 = await new Engine({ steps, want, state, io: new RecordingIoHost() }).run({
      mode: 'apply',
      aws: noAws,
      readAws: noAws,
    });
    expect(r1.exitCode).toBe(1);
    expect(Object.fromEntries(r1.steps.map((s) => [s.id, s.status]))).toEqual({
      a: 'failed',
      b: 'skipped',
      x: 'changed',
    });
    expect(r1.steps[0]!.error!.message).toMatch(/A1 broke/);
    expect([...w.have].sort()).toEqual(['A2', 'X']);
    expect(state.data.steps.a!.status).toBe('failed');

    broken = false;
    w.log.length = 0;
    const r2 = await new Engine({ steps, want, state, io: new RecordingIoHost() }).run({
      mode: 'apply',
      aws: noAws,
      readAws: noAws,
    });
    expect(r2.exitCode).toBe(0);
    expect(w.log.filter((l) => l.startsWith('start'))).toEqual(['start A1', 'start B']); // nothing done twice
    expect(state.data.steps.b!.status).toBe('done');
  });

  it('one failed action and what waited on it: reported as one failure, the skipped action named separately', async () => {
    const w = world();
    const s: Step<Set<string>> = {
      id: 'acct',
      title: 'accounts',
      needs: [],
      controls: [],
      observe: async () => new Set(w.have),
      fresh: () => new Set(),
      plan: (_w, seen) =>
        seen.has('Account')
          ? []
          : [
              w.make('Account', { produces: 'prod.accountId', fail: () => true }),
              w.make('Move', { input: { AccountId: ref('prod.accountId') } }),
              w.make('Other'),
            ],
    };
    const r = await new Engine({ steps: [s], want, state: newState(), io: new RecordingIoHost() }).run({
      mode: 'apply',
      aws: noAws,
      readAws: noAws,
    });
    const msg = r.steps[0]!.error!.message;
    expect(msg).toMatch(/^.*Account broke/);
    expect(msg).not.toMatch(/actions failed/);
    expect(msg).toContain('Not done because of it: + Move.');
    expect(w.have.has('Other')).toBe(true);
  });

  it('a step whose plan does not settle fails with a clear message', async () => {
    const s: Step<null> = {
      id: 'loop',
      title: 'Never done',
      needs: [],
      controls: [],
      observe: async () => null,
      fresh: () => null,
      plan: () => [
        {
          kind: 'call',
          symbol: '~',
          service: 'organizations',
          operation: 'UpdatePolicy',
          input: {},
          target: { account: 'management', region: 'us-east-1' },
          summary: '~ again',
          run: async () => undefined,
        },
      ],
    };
    const io = new RecordingIoHost();
    const r = await new Engine({ steps: [s], want, state: newState(), io, settleBudgetMs: 100 }).run({
      mode: 'apply',
      aws: noAws,
      readAws: noAws,
    });
    expect(r.steps[0]!.status).toBe('failed');
    expect(r.steps[0]!.error!.message).toMatch(/did not settle after 3 rounds/);
    // Before sending the same call again it waited (briefly here) for AWS to show the first one.
    expect(
      io.events.some((e) => e.type === 'progress' && /waiting for AWS to show what was just changed/.test(e.message)),
    ).toBe(true);
  });

  it('conditional needs: waited for only when their condition holds once the unconditional needs are done', async () => {
    for (const kind of ['root', 'iam-user']) {
      const w = world();
      const who: Step<null> = {
        id: 'who',
        title: 'who',
        needs: [],
        controls: [],
        fresh: () => null,
        observe: async (ctx) => {
          ctx.publish('caller.kind', kind);
          return null;
        },
        plan: () => [],
      };
      const gate: Step<Set<string>> = {
        ...w.step('gate', ['who'], []),
        conditional: { when: (v) => v('caller.kind') === 'root', needs: ['slow'] },
      };
      const after = w.step('after', ['gate'], ['After']);
      await new Engine({
        steps: [who, w.step('slow', [], ['Slow'], { delay: 80 }), gate, after],
        want,
        state: newState(),
        io: new RecordingIoHost(),
      }).run({ mode: 'apply', aws: noAws, readAws: noAws });
      const order = w.log.filter((l) => l.startsWith('done'));
      expect(order, kind).toEqual(kind === 'root' ? ['done Slow', 'done After'] : ['done After', 'done Slow']);
    }
    expect(() =>
      topoOrder([{ ...world().step('a', [], []), conditional: { when: () => true, needs: ['nope'] } }]),
    ).toThrow(/unknown step nope/);
  });

  it('a round of confirmed puts, all applied, ends the step without observing it again; one unconfirmed action means a second look', async () => {
    for (const [confirmed, looks] of [
      [true, 1],
      [false, 2],
    ] as const) {
      let seen = 0;
      let set = false;
      const s: Step<boolean> = {
        id: 'h',
        title: 'hardening',
        needs: [],
        controls: [],
        fresh: () => false,
        observe: async () => {
          seen++;
          return set;
        },
        plan: (_w, on) =>
          on
            ? []
            : [
                {
                  kind: 'call',
                  symbol: '+',
                  service: 'ec2',
                  operation: 'EnableEbsEncryptionByDefault',
                  input: {},
                  target: { account: 'management', region: 'eu-west-1' },
                  summary: '+ ebs',
                  confirmed: true,
                  run: async () => {
                    set = true;
                  },
                },
                {
                  kind: 'call',
                  symbol: '+',
                  service: 'iam',
                  operation: 'UpdateAccountPasswordPolicy',
                  input: {},
                  target: { account: 'management', region: 'us-east-1' },
                  summary: '+ pw',
                  confirmed,
                  run: async () => undefined,
                },
              ],
      };
      const r = await new Engine({ steps: [s], want, state: newState(), io: new RecordingIoHost() }).run({
        mode: 'apply',
        aws: noAws,
        readAws: noAws,
      });
      expect(r.steps[0]!.status).toBe('changed');
      expect(seen, `confirmed: ${confirmed}`).toBe(looks);
    }
  });

  it('a call planned again right after it succeeded is not sent again while AWS catches up (eventual consistency)', async () => {
    // The world shows a made thing only on the third look after it was made.
    let made = 0;
    let looks = 0;
    let sent = 0;
    const s: Step<boolean> = {
      id: 'ou',
      title: 'OUs',
      needs: [],
      controls: [],
      fresh: () => false,
      observe: async () => {
        looks++;
        return made > 0 && looks >= 4;
      },
      plan: (_w, visible) =>
        visible
          ? []
          : [
              {
                kind: 'call',
                symbol: '+',
                service: 'organizations',
                operation: 'CreateOrganizationalUnit',
                input: { Name: 'Security' },
                target: { account: 'management', region: 'us-east-1' },
                summary: '+ create Security',
                run: async () => {
                  sent++;
                  made++;
                },
              },
            ],
    };
    const io = new RecordingIoHost();
    const r = await new Engine({ steps: [s], want, state: newState(), io }).run({
      mode: 'apply',
      aws: noAws,
      readAws: noAws,
    });
    expect(r.steps[0]!.status).toBe('changed');
    expect(sent).toBe(1);
    expect(looks).toBe(4);
    expect(io.events.filter((e) => e.type === 'progress').map((e) => (e as { message: string }).message)).toEqual([
      'waiting for AWS to show what was just changed (create Security)',
      'waiting for AWS to show what was just changed (create Security)',
    ]);
  });

  it('a blocking manual action stops dependents with exit code 3; independent steps go on', async () => {
    const w = world();
    const manual: Step<null> = {
      id: 'console',
      title: 'Enable it in the console',
      needs: [],
      controls: [],
      observe: async () => null,
      fresh: () => null,
      plan: () => [
        {
          kind: 'manual',
          symbol: '!',
          service: 'console',
          operation: 'EnableIdentityCenter',
          input: {},
          target: { account: 'management', region: 'us-east-1' },
          summary: '! enable it',
          manual: { instructions: ['click'], why: 'because', blocking: true },
        },
      ],
    };
    const io = new RecordingIoHost();
    const r = await new Engine({
      steps: [manual, w.step('after', ['console'], ['Y']), w.step('free', [], ['F'])],
      want,
      state: newState(),
      io,
    }).run({ mode: 'apply', aws: noAws, readAws: noAws });
    expect(r.exitCode).toBe(3);
    expect(Object.fromEntries(r.steps.map((s) => [s.id, s.status]))).toEqual({
      console: 'blocked',
      after: 'blocked',
      free: 'changed',
    });
    expect(io.events.some((e) => e.type === 'manual')).toBe(true);
  });

  it('Ctrl-C: starts nothing new, reports interrupted, exit code 130', async () => {
    const w = world();
    const e = new Engine({
      steps: [w.step('a', [], ['A'], { delay: 50 }), w.step('b', ['a'], ['B'])],
      want,
      state: newState(),
      io: new RecordingIoHost(),
    });
    const p = e.run({ mode: 'apply', aws: noAws, readAws: noAws });
    setTimeout(() => e.interrupt(), 10);
    const r = await p;
    expect(r.interrupted).toBe(true);
    expect(r.exitCode).toBe(130);
    expect(w.have.has('B')).toBe(false);
  });

  it('refsIn / resolveRefs walk nested inputs', () => {
    const input = { A: [ref('x'), { B: ref('y') }], C: 'z' };
    expect([...refsIn(input)]).toEqual(['x', 'y']);
    expect(resolveRefs(input, (k) => k.toUpperCase())).toEqual({ A: ['X', { B: 'Y' }], C: 'z' });
  });
});
