// Full bootstraps of tests/fixtures/config/basic.json against the built emulator (its own
// process): peak RSS of the CLI, and wall time vs the critical path (bench/floor.mjs), then
// the API-economy and scale figures (bench/economy.mjs). Imported by bench/run.mjs.
import { join } from 'node:path';
import { median, fmt } from './lib.mjs';
import { startEmulator, scratch, removeScratch, runCli, journal, basicConfig, root } from './emu.mjs';
import { loadGraph, meanOverrides, criticalPath } from './floor.mjs';
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

export async function peakRss() {
  const emu = await startEmulator({ pageSize: PAGE_SIZE });
  try {
    const rss = [];
    const wall = [];
    for (let i = 0; i < runs; i++) {
      await emu.prepare({ homeRegion, pageSize: PAGE_SIZE });
      const r = await bootstrap(emu, basicConfig, { rss: true, timeScale: SCALE });
      rss.push(r.peakRss);
      wall.push(r.ms);
      removeScratch(r.dir);
    }
    return { rss: median(rss), wall: median(wall) };
  } finally {
    await emu.stop();
  }
}

export async function versusFloor() {
  const graph = await loadGraph(join(root, 'tests/fixtures/config/basic.json'));
  const emu = await startEmulator({ latency: 'realistic', scale: SCALE, pageSize: PAGE_SIZE });
  try {
    const wall = [];
    let floor;
    for (let i = 0; i < runs; i++) {
      await emu.prepare({ homeRegion, pageSize: PAGE_SIZE });
      await emu.latency({ profile: 'realistic', scale: SCALE, overrides: meanOverrides(graph.latency) });
      const r = await bootstrap(emu, basicConfig, { timeScale: SCALE });
      wall.push(r.ms);
      floor = criticalPath(graph, r.journal);
      floor.projected = criticalPath(graph, r.journal, { pollRounding: true }).ms;
      removeScratch(r.dir);
    }
    const w = median(wall);
    const f = floor.ms * SCALE;
    // The real-AWS projection: the critical path at unscaled latency with the CLI's poll steps,
    // plus the local overhead measured here (start-up and CPU do not shrink with the latency).
    return { wall: w, floor: f, ratio: w / f, path: floor.path, projected: floor.projected + Math.max(0, w - f), graph };
  } finally {
    await emu.stop();
  }
}

export default async function () {
  const rows = [];
  const add = (figure, value, target = '—', ok = null) => rows.push({ figure, value, target, ok });
  const m = await peakRss();
  add('peak RSS, full bootstrap (basic.json, 4 accounts)', `${fmt(m.rss / 1024 / 1024, 0)} MB`, '≤ 200 MB', m.rss <= 200 * 1024 * 1024);
  const v = await versusFloor();
  add('bootstrap wall time, realistic latency × 1/100', `${fmt(v.wall, 0)} ms`);
  add('critical path (floor) × 1/100', `${fmt(v.floor, 0)} ms (${v.path.join(' → ')})`);
  add('bootstrap / floor', `${fmt(v.ratio, 2)}×`, '≤ 1.15×', v.ratio <= 1.15);
  add('projected real-AWS bootstrap (human steps excluded)', `${fmt(v.projected / 1000, 0)} s (floor ${fmt(v.floor * 100 / 1000, 0)} s)`);
  rows.push(...(await economy({ graph: v.graph, pageSize: PAGE_SIZE, timeScale: SCALE })));
  return rows;
}
