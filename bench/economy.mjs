// API economy and scale: calls made by a fresh bootstrap, a re-run on the finished org and
// `verify`, per step and in total, for 4, 10, 50 and 200 accounts (emulator call log; realistic
// latency × 1/100 so that requests overlap as they would on AWS), the most requests in flight
// per service (the emulator's own counter), and `verify` on the 200-account organization at
// instant latency.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { median, fmt } from './lib.mjs';
import {
  startEmulator,
  scratch,
  removeScratch,
  runCli,
  journal,
  configWithAccounts,
  root,
  basicConfig,
} from './emu.mjs';

const SIZES = (process.env.SS_BENCH_SIZES ?? '4,10,50,200').split(',').map(Number);
const MAX_IN_FLIGHT = 10;
/** Linear: no size may be further than this from the least-squares line. */
const LINEAR_TOLERANCE = 0.05;

/**
 * Which step makes a read: from the step sources (`'service', 'Operation'` in steps/*.ts);
 * an operation several steps use is shown as `a|b`. Writes are attributed exactly, by request
 * ID, from the run's journal.
 */
function readOwners() {
  const owners = new Map();
  const add = (key, who) => owners.set(key, [...new Set([...(owners.get(key) ?? []), who])]);
  const dir = join(root, 'steps');
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.ts') && !['contract.ts', 'index.ts'].includes(f))) {
    const src = readFileSync(join(dir, f), 'utf8');
    const id = /\bid: '([\w-]+)'/.exec(src)?.[1] ?? f.replace(/\.ts$/, '');
    for (const m of src.matchAll(/'([a-z0-9-]+)',\s*'([A-Z][A-Za-z0-9]+)'/g)) add(`${m[1]}:${m[2]}`, id);
  }
  add('sts:GetCallerIdentity', 'session');
  for (const op of ['AssumeRole', 'AssumeRoot']) owners.set(`sts:${op}`, ['credentials']);
  return owners;
}

function perStep(calls, journalEntries, owners) {
  const byRequest = new Map(journalEntries.map((j) => [j.requestId, j.step]));
  const out = {};
  for (const c of calls) {
    const who =
      (c.mutating && byRequest.get(c.requestId)) || (owners.get(`${c.service}:${c.operation}`) ?? ['?']).join('|');
    out[who] = (out[who] ?? 0) + 1;
  }
  return out;
}

/** Least-squares line through (x, y): slope, intercept, largest relative residual. */
function fit(xs, ys) {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b) / n;
  const my = ys.reduce((a, b) => a + b) / n;
  const slope = xs.reduce((s, x, i) => s + (x - mx) * (ys[i] - my), 0) / xs.reduce((s, x) => s + (x - mx) ** 2, 0);
  const intercept = my - slope * mx;
  const residual = Math.max(...xs.map((x, i) => Math.abs(ys[i] - (intercept + slope * x)) / ys[i]));
  return { slope, intercept, residual };
}

export async function economy({ pageSize, timeScale, runs = Number(process.env.SS_BENCH_RUNS ?? 5) }) {
  const owners = readOwners();
  const rows = [];
  const add = (figure, value, target = '—', ok = null) => rows.push({ figure, value, target, ok });
  const emu = await startEmulator({ pageSize, latency: 'realistic', scale: timeScale });
  const peaks = {};
  const measure = async (dir, args, expectCode, opts) => {
    await emu.clearCalls();
    const r = await runCli(emu, dir, args, opts);
    if (r.code !== expectCode)
      throw new Error(
        `secure-start ${args.join(' ')} exited ${r.code} (expected ${expectCode}):\n${r.stdout}\n${r.stderr}`,
      );
    const calls = await emu.calls();
    for (const [s, n] of Object.entries(await emu.inflight())) peaks[s] = Math.max(peaks[s] ?? 0, n);
    return { ms: r.ms, calls, mutating: calls.filter((c) => c.mutating).length };
  };
  const growth = [];
  let big;
  try {
    for (const n of SIZES) {
      await emu.prepare({ homeRegion: basicConfig.homeRegion, accountQuota: n + 10, pageSize });
      const dir = scratch(configWithAccounts(n));
      const cfg = ['--config', join(dir, 'config.json')];
      const fresh = await measure(dir, ['--yes', ...cfg], 0, { timeScale });
      const rerun = await measure(dir, ['--yes', ...cfg], 0, { timeScale });
      const verify = await measure(dir, ['verify', ...cfg], 0, {});
      const j = journal(dir);
      growth.push({
        n,
        fresh,
        rerun,
        verify,
        steps: {
          fresh: perStep(fresh.calls, j, owners),
          rerun: perStep(rerun.calls, [], owners),
          verify: perStep(verify.calls, [], owners),
        },
      });
      if (n === Math.max(...SIZES)) {
        // Verify at scale: the same organization, instant latency, several runs.
        await emu.latency({ profile: 'instant', scale: 1 });
        const v = [];
        for (let i = 0; i < Math.min(runs, 3); i++) v.push(await measure(dir, ['verify', ...cfg], 0, {}));
        big = { n, ms: median(v.map((x) => x.ms)), calls: median(v.map((x) => x.calls.length)) };
        await emu.latency({ profile: 'realistic', scale: timeScale });
      }
      removeScratch(dir);
    }
  } finally {
    await emu.stop();
  }
  // Per step: fresh / re-run / verify at the smallest size, and re-run calls at every size.
  const first = growth[0];
  const stepNames = [
    ...new Set(growth.flatMap((g) => Object.keys(g.steps.fresh).concat(Object.keys(g.steps.rerun)))),
  ].sort();
  for (const step of stepNames) {
    const c = (g, kind) => g.steps[kind][step] ?? 0;
    add(
      `calls by ${step}: fresh / re-run / verify at ${first.n} accounts`,
      `${c(first, 'fresh')} / ${c(first, 'rerun')} / ${c(first, 'verify')}; re-run at ${growth.map((g) => g.n).join('/')} accounts: ${growth.map((g) => c(g, 'rerun')).join(' / ')}`,
    );
  }
  for (const g of growth) {
    add(
      `${g.n} accounts: calls fresh / re-run / verify`,
      `${g.fresh.calls.length} / ${g.rerun.calls.length} / ${g.verify.calls.length}`,
    );
    add(
      `${g.n} accounts: wall fresh / re-run / verify`,
      `${fmt(g.fresh.ms / 1000, 1)} s / ${fmt(g.rerun.ms / 1000, 1)} s / ${fmt(g.verify.ms / 1000, 1)} s`,
    );
  }
  const rerunMutating = growth.reduce((s, g) => s + g.rerun.mutating + g.verify.mutating, 0);
  add('mutating calls in re-runs and verifies (all sizes)', String(rerunMutating), '0', rerunMutating === 0);
  if (growth.length >= 2) {
    for (const kind of ['rerun', 'verify']) {
      const f = fit(
        growth.map((g) => g.n),
        growth.map((g) => g[kind].calls.length),
      );
      add(
        `${kind === 'rerun' ? 're-run' : 'verify'} calls vs accounts`,
        `${fmt(f.intercept, 0)} + ${fmt(f.slope, 2)} × accounts (worst size ${fmt(f.residual * 100, 1)} % off the line)`,
        `linear (≤ ${LINEAR_TOLERANCE * 100} % off)`,
        f.residual <= LINEAR_TOLERANCE,
      );
    }
  }
  const worst = Object.entries(peaks).sort((a, b) => b[1] - a[1]);
  add(
    'most requests in flight per service',
    worst.map(([s, n]) => `${s} ${n}`).join(', '),
    `≤ ${MAX_IN_FLIGHT}`,
    worst.every(([, n]) => n <= MAX_IN_FLIGHT),
  );
  if (big)
    add(`verify, ${big.n}-account organization (instant latency)`, `${fmt(big.ms / 1000, 2)} s, ${big.calls} calls`);
  return rows;
}
