// Full bootstraps of tests/fixtures/config/basic.json (4 accounts) against the built emulator
// (its own process): the CLI's peak RSS and CPU time, and its wall time vs the critical path
// (model in bench/floor.mjs) at realistic latency × 1/100 (the target) and × 1/10; then the
// API-economy and scale figures (bench/economy.mjs). Imported by bench/run.mjs.
import { join } from 'node:path';
import { median, fmt } from './lib.mjs';
import { startEmulator, scratch, removeScratch, runCli, journal, basicConfig, root } from './emu.mjs';
import { loadGraph, meanOverrides, meanBehaviours, criticalPath } from './floor.mjs';
import { economy } from './economy.mjs';

const SCALE = 0.01;
const PAGE_SIZE = 20; // what Organizations' list calls return per page on AWS (the emulator's default is 3, to test paging)
const runs = Number(process.env.SS_BENCH_RUNS ?? 5);
const homeRegion = basicConfig.homeRegion;

/** One fresh bootstrap; throws with the CLI's output when it does not complete. */
export async function bootstrap(emu, config, opts) {
  const dir = scratch(config);
  const r = await runCli(emu, dir, ['--yes', '--config', join(dir, 'config.json')], opts);
  if (r.code !== 0) throw new Error(`bootstrap exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
  return { ...r, dir, journal: journal(dir) };
}

/**
 * Fresh bootstraps at realistic latency × `scale`, every range pinned to its mean, the CLI's
 * timers dilated by the same factor. Medians of wall time, of the span from the first request
 * to the last answer (wall minus process start-up and exit), peak RSS and CPU time.
 */
export async function versusFloor(graph, scale, n) {
  const emu = await startEmulator({ latency: 'realistic', scale, pageSize: PAGE_SIZE });
  try {
    const m = { wall: [], span: [], rss: [], cpu: [], requests: [] };
    let floor;
    for (let i = 0; i < n; i++) {
      await emu.prepare({ homeRegion, pageSize: PAGE_SIZE });
      await emu.latency({
        profile: 'realistic',
        scale,
        overrides: meanOverrides(graph.latency),
        behaviours: meanBehaviours(graph.latency),
      });
      const r = await bootstrap(emu, basicConfig, { timeScale: scale });
      const calls = await emu.calls();
      const first = Math.min(...calls.map((c) => Date.parse(c.time)));
      const last = Math.max(...calls.map((c) => Date.parse(c.time) + (c.durationMs ?? 0)));
      m.wall.push(r.ms);
      m.span.push(last - first);
      m.rss.push(r.peakRss);
      m.cpu.push(r.cpuMs);
      m.requests.push(calls.length);
      floor = criticalPath(graph, r.journal);
      floor.projected = criticalPath(graph, r.journal, { pollRounding: true }).ms;
      removeScratch(r.dir);
    }
    const [wall, span, rss, cpu, requests] = [m.wall, m.span, m.rss, m.cpu, m.requests].map(median);
    const f = floor.ms * scale;
    return {
      wall,
      span,
      rss,
      cpu,
      requests,
      floor: f,
      ratio: wall / f,
      spanRatio: span / f,
      path: floor.path,
      floorReal: floor.ms,
      projectedWaits: floor.projected,
    };
  } finally {
    await emu.stop();
  }
}

export default async function () {
  const rows = [];
  const add = (figure, value, target = '—', ok = null) => rows.push({ figure, value, target, ok });
  const graph = await loadGraph(join(root, 'tests/fixtures/config/basic.json'));
  const v = await versusFloor(graph, SCALE, runs);
  add(
    'peak RSS, full bootstrap (basic.json, 4 accounts)',
    `${fmt(v.rss / 1024 / 1024, 0)} MB`,
    '≤ 200 MB',
    v.rss <= 200 * 1024 * 1024,
  );
  add('CPU time of the CLI, full bootstrap', `${fmt(v.cpu, 0)} ms`, '≤ 1000 ms', v.cpu <= 1000);
  add(
    'CPU time per request',
    `${fmt(v.cpu / v.requests, 2)} ms (${fmt(v.requests, 0)} requests)`,
    '≤ 2 ms',
    v.cpu / v.requests <= 2,
  );
  add('critical path (floor), realistic latency', `${fmt(v.floorReal / 1000, 1)} s: ${v.path.join(' → ')}`);
  add('bootstrap wall time, latency × 1/100', `${fmt(v.wall, 0)} ms (floor ${fmt(v.floor, 0)} ms)`);
  add(
    'bootstrap / floor, × 1/100',
    `${fmt(v.ratio, 2)}× (first request → last answer: ${fmt(v.spanRatio, 2)}×)`,
    '≤ 1.5×',
    v.ratio <= 1.5,
  );
  const t = await versusFloor(graph, 0.1, Math.max(1, Math.min(runs, 3)));
  add(
    'bootstrap / floor, × 1/10 (CPU no longer dominates)',
    `${fmt(t.ratio, 2)}× (${fmt(t.wall / 1000, 2)} s vs ${fmt(t.floor / 1000, 2)} s; first request → last answer ${fmt(t.spanRatio, 2)}×)`,
    '≤ 1.15×',
    t.ratio <= 1.15,
  );
  // Real AWS: the same path at unscaled latency with each asynchronous wait rounded up to the
  // CLI's poll steps (1 s, ×1.5, ≤ 15 s), plus what the × 1/10 run spent beyond that path
  // (start-up, CPU: it does not grow with latency).
  const overhead = Math.max(0, t.wall - t.projectedWaits * 0.1);
  add(
    'projected real-AWS bootstrap (human steps excluded)',
    `${fmt((t.projectedWaits + overhead) / 1000, 0)} s (floor ${fmt(v.floorReal / 1000, 0)} s, with poll steps ${fmt(t.projectedWaits / 1000, 0)} s)`,
  );
  rows.push(...(await economy({ pageSize: PAGE_SIZE, timeScale: SCALE })));
  return rows;
}
