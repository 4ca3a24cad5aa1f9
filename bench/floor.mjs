// Bootstrap wall time vs its floor. THE CRITICAL-PATH MODEL (also in README "Performance"):
//
// The floor is the shortest time any correct tool could take for the same work, given AWS's
// latencies. It is computed from data, not measured:
//  - the step graph (steps/index.ts: each step's `needs`) and, per step, the actions it plans
//    for a brand-new account (its own fresh() + plan(), via bench/graph.ts), keeping only the
//    actions the measured run really performed (its journal: e.g. the organization already
//    exists once Identity Center was enabled in the console) plus any it performed that the
//    fresh plan did not foresee (as independent actions);
//  - the latency profile (emulator/latency.ts REALISTIC, key `<service>:<Operation>`, the mean
//    of each range; the measured run pins every listed range to its mean so both use the
//    same numbers).
// A step starts when every step it needs has finished, then makes one round trip of reads
// (any idempotent tool must look before it creates; read chains such as paging are not
// counted, so this is a lower bound), then runs its actions: an action waits for the outputs
// it refers to (refs and `after`, which the step declares because AWS needs them, e.g. one
// EnableAWSServiceAccess at a time); it costs its call's latency, plus, for an asynchronous
// operation (one with an `async` range), that wait and one read to see it finished; the
// first action in a member account not touched by an earlier step pays one sts:AssumeRole.
// At most 10 requests per service run at once (the limit). Human steps (console
// actions) are excluded.
// What real AWS serialises is on the path too (emulator/behaviours.ts; the same rules as
// aws/writers.ts and the steps): one Organizations write at a time in the whole run, each
// keeping the organization busy for its call and the tail after it (a write sent sooner
// conflicts); one configuration write at a time per bucket, with its tail; one Identity Center
// operation at a time per permission set, for its whole asynchronous duration; at most 5
// account creations in progress; and a new account is usable only once AWS has finished setting
// it up (the accounts step waits for that: the role, then the services, then one look).
// Writes are placed in the earliest gap of their resource's timeline at or after they are
// ready, across steps, so the order the steps are listed in does not inflate the floor.
// Everything else the CLI spends — start-up, CPU, extra observe rounds, waiting on steps it
// does not need, poll granularity, conflicts it had to retry — is overhead: wall / floor.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { root } from './emu.mjs';

const mean = (r) => (r.min + r.max) / 2;
const PER_SERVICE = 10;

/** Bundles bench/graph.ts (step graph + fresh plans + latency profile) and runs it on a config. */
export async function loadGraph(configPath) {
  const out = join(mkdtempSync(join(tmpdir(), 'ss-bench-graph-')), 'graph.mjs');
  await build({
    entryPoints: [join(root, 'bench/graph.ts')],
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    mainFields: ['module', 'main'],
    logLevel: 'warning',
    banner: {
      js: "import { createRequire as __ssCreateRequire } from 'node:module'; const require = __ssCreateRequire(import.meta.url);",
    },
  });
  return JSON.parse(execFileSync(process.execPath, [out, configPath], { encoding: 'utf8', maxBuffer: 64 << 20 }));
}

/** Emulator overrides that pin every listed range to its mean (deterministic runs). */
export function meanOverrides(latency) {
  const pin = (r) => (r ? { min: mean(r), max: mean(r) } : undefined);
  return Object.fromEntries(
    Object.entries(latency.operations).map(([k, v]) => [
      k,
      { ...(v.call ? { call: pin(v.call) } : {}), ...(v.async ? { async: pin(v.async) } : {}) },
    ]),
  );
}

/** The behaviour durations pinned to their means too. */
export function meanBehaviours(latency) {
  return Object.fromEntries(
    Object.entries(latency.behaviours)
      .filter(([, r]) => typeof r === 'object')
      .map(([k, r]) => [k, { min: mean(r), max: mean(r) }]),
  );
}

/** A resource's busy intervals, `capacity` at a time. */
class Timeline {
  constructor(capacity = 1) {
    this.lanes = Array.from({ length: capacity }, () => []);
  }
  /** The earliest start ≥ `at` where `length` fits in some lane. */
  fit(at, length) {
    return Math.min(
      ...this.lanes.map((lane) => {
        let t = at;
        for (const [s, e] of lane) {
          if (t + length <= s) break;
          if (e > t) t = e;
        }
        return t;
      }),
    );
  }
  /** Books [t, t+length) in a lane where it fits (fit() said one does). */
  book(t, length) {
    const lane = this.lanes.find((l) => l.every(([s, e]) => e <= t || s >= t + length));
    lane.push([t, t + length]);
    lane.sort((x, y) => x[0] - y[0]);
  }
}

/**
 * The critical path in ms at real (unscaled) latencies. `journal`: the run's mutating calls.
 * `pollRounding`: wait for async work in the CLI's poll steps (1 s, ×1.5, at most 15 s)
 * instead of exactly as long as it takes (for the projected real-AWS time).
 */
export function criticalPath(graph, journal, { pollRounding = false } = {}) {
  const L = graph.latency;
  const callMs = (s, op) => mean(L.operations[`${s}:${op}`]?.call ?? L.defaultCall);
  const asyncRange = (s, op) => L.operations[`${s}:${op}`]?.async;
  const read = mean(L.defaultCall);
  const assumeRole = callMs('sts', 'AssumeRole');
  const B = L.behaviours;
  const tail = { organizations: mean(B.orgWriteTail), s3: mean(B.bucketWriteTail) };
  // A new account: the role, then the services; the accounts step then looks once (AssumeRole + reads).
  const readiness = Math.max(mean(B.accountRoleDelay), mean(B.accountServicesDelay)) + assumeRole + read;
  const timelines = new Map();
  const timeline = (key, capacity) => timelines.get(key) ?? timelines.set(key, new Timeline(capacity)).get(key);
  const polled = (ms) => {
    if (!pollRounding) return ms;
    let t = 0;
    for (let d = 1000; t < ms; d = Math.min(Math.round(d * 1.5), 15_000)) t += d;
    return t;
  };

  // Which planned actions ran: exact summary first, then same step/service/operation.
  const left = journal.filter((j) => j.ok !== false).map((j) => ({ ...j }));
  const take = (pred) => {
    const i = left.findIndex(pred);
    return i < 0 ? null : left.splice(i, 1)[0];
  };
  const performed = new Map();
  for (const s of graph.steps) {
    const calls = s.actions.filter((a) => a.kind === 'call' && a.service !== 'local');
    const kept = [];
    for (const a of calls) if (take((j) => j.step === s.id && j.summary === a.summary)) kept.push(a);
    for (const a of calls)
      if (!kept.includes(a) && take((j) => j.step === s.id && j.service === a.service && j.operation === a.operation))
        kept.push(a);
    performed.set(s.id, { kept, dropped: calls.filter((a) => !kept.includes(a)) });
  }
  for (const j of left) {
    // done by the run, not in the fresh plan: independent actions
    const p = performed.get(j.step);
    if (p)
      p.kept.push({
        service: j.service,
        operation: j.operation,
        account: j.account === 'management' ? 'management' : `#${j.account}`,
        needs: [],
        produces: [],
      });
  }

  const finish = new Map();
  const touched = new Map();
  const path = new Map();
  for (const s of graph.steps) {
    const start = Math.max(0, ...s.needs.map((n) => finish.get(n) ?? 0));
    const from = s.needs.reduce((best, n) => ((finish.get(n) ?? -1) > (finish.get(best) ?? -1) ? n : best), s.needs[0]);
    const seen = new Set(s.needs.flatMap((n) => [...(touched.get(n) ?? [])]));
    const { kept, dropped } = performed.get(s.id);
    const ready = new Map(); // in-step output key → time it is known
    const inStep = new Set(kept.flatMap((a) => a.produces));
    dropped.forEach((a) => a.produces.forEach((k) => inStep.delete(k)));
    const t0 = start + read;
    const lanes = new Map(); // service → free times of its PER_SERVICE slots
    const todo = [...kept];
    let end = t0;
    const mine = new Set();
    while (todo.length) {
      const i = todo.findIndex((a) => a.needs.every((k) => !inStep.has(k) || ready.has(k)));
      if (i < 0) break; // a cycle cannot happen in a plan the engine accepts
      const a = todo.splice(i, 1)[0];
      const readyAt = Math.max(t0, ...a.needs.filter((k) => inStep.has(k)).map((k) => ready.get(k)));
      const slots = lanes.get(a.service) ?? lanes.set(a.service, Array(PER_SERVICE).fill(0)).get(a.service);
      const slot = slots.indexOf(Math.min(...slots));
      const begin = Math.max(readyAt, slots[slot]);
      const member = a.account !== 'management';
      const role = member && !seen.has(a.account) ? assumeRole : 0;
      if (member) mine.add(a.account);
      const ar = asyncRange(a.service, a.operation);
      const call = callMs(a.service, a.operation);
      const wait = ar ? polled(mean(ar)) + read : 0;
      // Held for the whole operation (a creation slot, a permission set), then one call at a
      // time per resource with its tail: the earliest start where both are free.
      const hold = a.holds ? timeline(a.holds, a.holds === 'account-creation' ? 5 : 1) : undefined;
      const writer = a.writer ? timeline(a.writer) : undefined;
      const writeMs = call + (tail[a.service] ?? 0);
      let at = begin + role;
      for (;;) {
        const h = hold ? hold.fit(at, call + wait) : at;
        const w = writer ? writer.fit(h, writeMs) : h;
        if (w === h) {
          at = h;
          break;
        }
        at = w;
      }
      hold?.book(at, call + wait);
      writer?.book(at, writeMs);
      const done =
        at + call + wait + (a.service === 'organizations' && a.operation === 'CreateAccount' ? readiness : 0);
      slots[slot] = at + call; // the request slot is free once the call answered
      a.produces.forEach((k) => ready.set(k, done - (a.operation === 'CreateAccount' ? readiness : 0)));
      end = Math.max(end, done);
    }
    finish.set(s.id, end);
    touched.set(s.id, new Set([...seen, ...mine]));
    path.set(s.id, [...(from ? path.get(from) : []), s.id]);
  }
  const last = [...finish].reduce((a, b) => (b[1] > a[1] ? b : a));

  return { ms: last[1], path: path.get(last[0]), finish: Object.fromEntries(finish) };
}
