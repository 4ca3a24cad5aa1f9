// The benchmarks' harness: the built emulator as its own process (`node dist/emulator.js
// --port 0`, so its CPU is not the CLI's and it is the same build a founder gets), its
// control API over HTTP, and the built CLI run as a subprocess in a scratch HOME.
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const root = new URL('..', import.meta.url).pathname;
/** SS_BENCH_DIST lets a benchmark run against another build (default: dist/). */
export const dist = process.env.SS_BENCH_DIST ?? join(root, 'dist');
export const cli = join(dist, 'secure-start.js');
export const basicConfig = JSON.parse(readFileSync(join(root, 'tests/fixtures/config/basic.json'), 'utf8'));
const probe = join(root, 'bench/probe.mjs');

/** Starts `node dist/emulator.js --port 0 …`; resolves once it printed its environment. */
export async function startEmulator({ scenario = 'fresh+iam-user', latency = 'instant', scale = 1, pageSize } = {}) {
  const args = [
    join(dist, 'emulator.js'),
    '--port',
    '0',
    '--scenario',
    scenario,
    '--latency',
    latency,
    '--scale',
    String(scale),
  ];
  if (pageSize) args.push('--page-size', String(pageSize));
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const env = {};
  await new Promise((resolve, reject) => {
    let out = '';
    child.once('exit', (code) => reject(new Error(`emulator exited (${code}) before it was ready:\n${out}`)));
    child.stdout.setEncoding('utf8').on('data', (d) => {
      out += d;
      for (const m of out.matchAll(/^export (\w+)=(.*)$/gm)) env[m[1]] = m[2];
      if (out.includes('# Control API')) resolve();
    });
  });
  child.stdout.resume();
  const url = env.AWS_ENDPOINT_URL;
  const control = async (method, path, body, retry = true) => {
    // A keep-alive socket the emulator closed while we were busy: ask again on a new one.
    const res = await fetch(`${url}/_emulator/${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    }).catch((e) => {
      if (retry) return null;
      throw e;
    });
    if (!res) return control(method, path, body, false);
    const json = await res.json();
    if (!res.ok) throw new Error(`emulator ${method} ${path}: ${JSON.stringify(json)}`);
    return json;
  };
  return {
    url,
    env,
    control,
    /** A new world where a bootstrap can complete without a person: the console steps done. */
    async prepare({ scenario: sc = scenario, homeRegion, accountQuota = 10, pageSize: ps } = {}) {
      await control('POST', 'reset', { scenario: sc });
      // A raised account quota comes with a daily creation rate to match (both are AWS quotas).
      await control('POST', 'config', {
        accountQuota,
        accountCreationsPerDay: Math.max(20, accountQuota),
        ...(ps ? { pageSize: ps } : {}),
      });
      await control('POST', 'console/enable-identity-center', { region: homeRegion });
      await control('POST', 'console/root-mfa', { enabled: true });
      await control('DELETE', 'calls');
    },
    calls: () => control('GET', 'calls'),
    inflight: () => control('GET', 'inflight'),
    clearCalls: () => control('DELETE', 'calls'),
    latency: (l) => control('POST', 'latency', l),
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', resolve);
        child.kill('SIGTERM');
      }),
  };
}

/** A scratch folder playing the founder's cwd and HOME, with the config written into it. */
export function scratch(config) {
  const dir = mkdtempSync(join(tmpdir(), 'ss-bench-'));
  mkdirSync(join(dir, '.aws'));
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config, null, 2));
  return dir;
}

export const removeScratch = (dir) => rmSync(dir, { recursive: true, force: true });

/**
 * Runs the built CLI to the end in `dir`. `timeScale` dilates the CLI's own timers (see
 * probe.mjs). Returns wall time, exit code, output, and the CLI's peak RSS and CPU time.
 */
export function runCli(emu, dir, args, { timeScale = 1 } = {}) {
  const rssFile = join(dir, `.rss-${Date.now()}`);
  const env = {
    PATH: process.env.PATH,
    HOME: dir,
    AWS_CONFIG_FILE: join(dir, '.aws/config'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, '.aws/credentials'),
    CI: 'true',
    NO_COLOR: '1',
    ...emu.env,
    SS_BENCH_TIME_SCALE: String(timeScale),
    SS_BENCH_RSS_FILE: rssFile,
  };
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(process.execPath, ['--import', probe, cli, ...args], {
      cwd: dir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('exit', (code) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      const usage = existsSync(rssFile) ? JSON.parse(readFileSync(rssFile, 'utf8')) : {};
      resolve({ ms, code, stdout, stderr, peakRss: usage.maxRss ?? null, cpuMs: usage.cpuMs ?? null });
    });
  });
}

/** The journal of mutating calls the CLI saved in its state file (step, operation, time). */
export function journal(dir) {
  const p = join(dir, 'secure-start.state.json');
  return existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')).journal ?? []) : [];
}

/** basic.json with `n` member accounts: the four defaults, then workload accounts ws-005…. */
export function configWithAccounts(n) {
  const accounts = [
    { name: 'log-archive', ou: 'Security' },
    { name: 'audit', ou: 'Security' },
    { name: 'prod', ou: 'Prod' },
    { name: 'dev', ou: 'NonProd' },
  ];
  for (let i = accounts.length + 1; i <= n; i++)
    accounts.push({ name: `ws-${String(i).padStart(3, '0')}`, ou: i % 2 ? 'NonProd' : 'Prod' });
  return { ...basicConfig, accounts: accounts.slice(0, n) };
}
