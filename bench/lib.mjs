// Small helpers shared by the benchmarks: run a command N times and take the median.
import { spawn } from 'node:child_process';

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Runs a command to completion; returns wall time in ms and its output. */
export function timeRun(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ ms: Number(process.hrtime.bigint() - t0) / 1e6, code, stdout, stderr }));
  });
}

/** Median wall time over `n` runs, after one warm-up run (file cache). */
export async function medianMs(cmd, args, n = 15, opts = {}) {
  await timeRun(cmd, args, opts);
  const times = [];
  for (let i = 0; i < n; i++) times.push((await timeRun(cmd, args, opts)).ms);
  return median(times);
}

export const fmt = (x, digits = 0) => (typeof x === 'number' ? x.toFixed(digits) : String(x));
