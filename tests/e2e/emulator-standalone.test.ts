// The emulator run alone, as the README says: `node dist/emulator.js --port 0` starts, prints
// the lines to export (with the real port), answers the control API and real SDK calls made
// with exactly those variables, and stops cleanly on SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { DescribeOrganizationCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { existsSync, readdirSync } from 'node:fs';
import { ROOT, explain, runCli } from '../helpers/harness.js';

const EMULATOR = join(ROOT, 'dist/emulator.js');
let child: ChildProcess | undefined;

afterEach(() => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  child = undefined;
});

/** Start the built emulator; resolve with the `export K=V` lines once the banner is complete. */
async function start(args: string[]): Promise<{ env: Record<string, string>; stdout: () => string }> {
  child = spawn(process.execPath, [EMULATOR, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d) => (err += d));
  const started = Date.now();
  // The last banner line names the control API; wait for it (or for an early exit).
  while (!out.includes('# Control API')) {
    if (child.exitCode !== null) throw new Error(`emulator exited ${child.exitCode}: ${err}`);
    if (Date.now() - started > 20_000) throw new Error(`no banner after 20 s; stdout: ${out}; stderr: ${err}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  const env: Record<string, string> = {};
  for (const m of out.matchAll(/^export ([A-Z0-9_]+)=(.*)$/gm)) env[m[1]] = m[2];
  return { env, stdout: () => out };
}

describe('node dist/emulator.js', () => {
  it('--port 0 picks a free port, prints it in the export lines, serves SDK calls and the control API, and stops on SIGTERM', async () => {
    const { env, stdout } = await start(['--port', '0', '--scenario', 'org-exists+iam-user']);
    expect(Object.keys(env).sort()).toEqual([
      'AWS_ACCESS_KEY_ID',
      'AWS_EC2_METADATA_DISABLED',
      'AWS_ENDPOINT_URL',
      'AWS_REGION',
      'AWS_SECRET_ACCESS_KEY',
    ]);
    const url = new URL(env.AWS_ENDPOINT_URL);
    expect(url.hostname).toBe('127.0.0.1');
    expect(Number(url.port)).toBeGreaterThan(0);
    expect(env).toMatchObject({
      AWS_ACCESS_KEY_ID: 'AKIAEMULATORADMIN001',
      AWS_REGION: 'us-east-1',
      AWS_EC2_METADATA_DISABLED: 'true',
    });
    expect(stdout()).toContain(`# secure-start AWS emulator on ${env.AWS_ENDPOINT_URL} (scenario org-exists+iam-user`);
    expect(stdout()).toMatch(/Nothing real is touched/);

    const health = await fetch(`${env.AWS_ENDPOINT_URL}/_emulator/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true, url: env.AWS_ENDPOINT_URL, scenario: 'org-exists+iam-user' });

    // The printed variables are all an SDK client needs.
    const credentials = { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY };
    const sts = new STSClient({ region: env.AWS_REGION, endpoint: env.AWS_ENDPOINT_URL, credentials });
    const orgs = new OrganizationsClient({ region: env.AWS_REGION, endpoint: env.AWS_ENDPOINT_URL, credentials });
    try {
      expect((await sts.send(new GetCallerIdentityCommand({}))).Arn).toBe('arn:aws:iam::123456789012:user/admin');
      expect((await orgs.send(new DescribeOrganizationCommand({}))).Organization!.FeatureSet).toBe('ALL');
    } finally {
      sts.destroy();
      orgs.destroy();
    }
    const calls = (await (await fetch(`${env.AWS_ENDPOINT_URL}/_emulator/calls`)).json()) as {
      service: string;
      operation: string;
    }[];
    expect(calls.map((c) => `${c.service}:${c.operation}`)).toEqual([
      'sts:GetCallerIdentity',
      'organizations:DescribeOrganization',
    ]);

    child!.kill('SIGTERM');
    const [code, signal] = (await once(child!, 'exit')) as [number | null, NodeJS.Signals | null];
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    await expect(fetch(`${env.AWS_ENDPOINT_URL}/_emulator/health`)).rejects.toThrow();
  });

  it('--page-size and --latency reach the world; bad options are refused', async () => {
    const { env } = await start(['--port', '0', '--page-size', '1', '--latency', 'realistic', '--scale', '0.001']);
    const latency = await (await fetch(`${env.AWS_ENDPOINT_URL}/_emulator/latency`)).json();
    expect(latency).toMatchObject({ profile: 'realistic', scale: 0.001 });
    const state = (await (await fetch(`${env.AWS_ENDPOINT_URL}/_emulator/state`)).json()) as {
      config: { pageSize: number };
    };
    expect(state.config.pageSize).toBe(1);
    child!.kill('SIGINT');
    expect((await once(child!, 'exit'))[0]).toBe(0);

    const bad = spawn(process.execPath, [EMULATOR, '--port', '0', '--latency', 'glacial'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    bad.stderr!.setEncoding('utf8').on('data', (d) => (err += d));
    expect((await once(bad, 'exit'))[0]).toBe(2);
    expect(err).toContain('--latency must be instant or realistic');
  });

  it('refuses a bad port or scenario (exit 2) and a port in use (exit 1) with a message saying what to do', async () => {
    const run = async (args: string[]) => {
      const p = spawn(process.execPath, [EMULATOR, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      let err = '';
      p.stderr!.setEncoding('utf8').on('data', (d) => (err += d));
      const [code] = (await once(p, 'exit')) as [number | null];
      return { code, err };
    };
    expect(await run(['--port', 'http'])).toMatchObject({
      code: 2,
      err: expect.stringContaining('--port must be a number'),
    });
    expect(await run(['--port', '70000'])).toMatchObject({ code: 2 });
    expect(await run(['--port', '0', '--scenario', 'fresh+bogus'])).toMatchObject({
      code: 2,
      err: expect.stringContaining("unknown scenario part 'bogus'"),
    });
    const { env } = await start(['--port', '0']);
    const taken = new URL(env.AWS_ENDPOINT_URL).port;
    const second = await run(['--port', taken]);
    expect(second.code).toBe(1);
    expect(second.err).toContain(`port ${taken} is already in use`);
  });

  it('AWS behaviours are on unless named with --lenient (repeatable, comma-separated); an unknown name exits 2', async () => {
    const { env, stdout } = await start([
      '--port',
      '0',
      '--lenient',
      'org-conflicts,throttling',
      '--lenient',
      'eventual-consistency',
    ]);
    expect(stdout()).toContain(
      '# AWS behaviours on: account-creation-limits, account-readiness, s3-conflicts, sso-conflicts (off: org-conflicts, throttling, eventual-consistency)',
    );
    const state = (await (await fetch(`${env.AWS_ENDPOINT_URL}/_emulator/state`)).json()) as {
      config: { lenient: string[] };
    };
    expect(state.config.lenient).toEqual(['org-conflicts', 'throttling', 'eventual-consistency']);
    // And over the control API: names are checked there too.
    const bad = await fetch(`${env.AWS_ENDPOINT_URL}/_emulator/config`, {
      method: 'POST',
      body: JSON.stringify({ lenient: ['nope'] }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/unknown behaviour nope \(known: org-conflicts, /);
    child!.kill('SIGTERM');
    await once(child!, 'exit');

    const p = spawn(process.execPath, [EMULATOR, '--port', '0', '--lenient', 'sso-conflict'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    p.stderr!.setEncoding('utf8').on('data', (d) => (err += d));
    expect((await once(p, 'exit'))[0]).toBe(2);
    expect(err).toContain(
      '--lenient: unknown behaviour sso-conflict (known: org-conflicts, throttling, account-creation-limits, account-readiness, s3-conflicts, sso-conflicts, eventual-consistency)',
    );

    const def = await start(['--port', '0']);
    expect(def.stdout()).toContain(
      '# AWS behaviours on: org-conflicts, throttling, account-creation-limits, account-readiness, s3-conflicts, sso-conflicts, eventual-consistency',
    );
  });

  it('--help prints the usage and exits 0', async () => {
    const h = spawn(process.execPath, [EMULATOR, '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    h.stdout!.setEncoding('utf8').on('data', (d) => (out += d));
    expect((await once(h, 'exit'))[0]).toBe(0);
    expect(out).toMatch(/Usage: node dist\/emulator\.js \[--port 4566\]/);
    expect(out).toMatch(
      /each of these is on unless named with --lenient:\n  org-conflicts +Organizations refuses a write/,
    );
  });
});

describe('secure-start demo', () => {
  it('runs the whole wizard (--yes) against its in-process emulator and touches nothing real', async () => {
    // Variables that would point a normal run at a real account: the demo must ignore them.
    const r = await runCli(['demo', '--yes'], {
      env: {
        AWS_PROFILE: 'real-prod',
        AWS_ACCESS_KEY_ID: 'AKIAREALKEY000000000',
        AWS_SECRET_ACCESS_KEY: 'real',
        AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
      },
      timeoutMs: 120_000,
    });
    expect(r.code, explain(r)).toBe(0);
    expect(r.stdout).toMatch(/^DEMO — nothing real is touched\./);
    expect(r.stdout).toMatch(/That was the demo: \d+ changes made to the emulated AWS, none to a real one\./);
    expect(r.stderr).toContain('+ organizations:CreateOrganization (all features)');
    expect(r.stderr).toContain('+ cloudtrail:CreateTrail');
    // The founder's folder and ~/.aws are left alone: the demo works in its own temporary folder.
    expect(existsSync(r.statePath)).toBe(false);
    expect(readdirSync(join(r.dir, '.aws'))).toEqual([]);
  });
});
