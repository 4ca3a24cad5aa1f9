// Output: a reader that goes away (`| head -1`) ends the CLI quietly, with no stack trace, at
// any output size, and a run whose output nobody reads any more still finishes its job;
// `--json --verbose` reports retries as JSON events (stdout stays one JSON document); and
// `status` refuses another account's state file like every other command.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BASIC_CONFIG, CLI, cliEnv, explain, runCli, scratchDir, startEmu, type Emulator } from '../helpers/harness.js';
import { APPLY, prepareWorld, resetWorld, resourceCounts, SCENARIO } from '../helpers/crash.js';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmu({ scenario: SCENARIO });
  prepareWorld(emu);
});
afterAll(async () => {
  await emu.stop();
});

const BASIC = JSON.parse(readFileSync(BASIC_CONFIG, 'utf8'));

/** A config with 150 member accounts: its plan is several hundred kilobytes. */
function bigConfig(dir: string): string {
  const path = join(dir, 'big.json');
  writeFileSync(
    path,
    JSON.stringify({
      ...BASIC,
      accounts: [
        { name: 'log-archive', ou: 'Security' },
        { name: 'audit', ou: 'Security' },
        ...Array.from({ length: 150 }, (_, i) => ({ name: `w${i}`, ou: 'Prod' })),
      ],
    }),
  );
  return path;
}

/** A valid state file whose `status --json` is far bigger than a pipe's buffer. */
function bigState(dir: string, account?: string): void {
  const entry = {
    time: '2026-11-23T00:00:00.000Z',
    step: 'accounts',
    service: 'organizations',
    operation: 'CreateAccount',
    account: 'management',
    region: 'us-east-1',
    summary: 'x'.repeat(100),
    ok: true,
  };
  const outputs = Object.fromEntries(
    Array.from({ length: 30000 }, (_, i) => [`w${i}.accountId`, String(111100000000 + i)]),
  );
  writeFileSync(
    join(dir, 'secure-start.state.json'),
    JSON.stringify({
      schemaVersion: 1,
      toolVersion: 't',
      createdAt: 'c',
      updatedAt: 'u',
      ...(account ? { managementAccountId: account } : {}),
      answers: { homeRegion: 'eu-west-1' },
      steps: {},
      outputs,
      inflight: {},
      journal: Array.from({ length: 200 }, () => entry),
    }),
  );
}

interface Closed {
  code: number | null;
  signal: string | null;
  stderr: string;
  got: number;
  dir: string;
}

/**
 * Runs the CLI and closes its stdout (and stderr too with `both`) as soon as the first bytes
 * arrive, as `| head -1` does.
 */
function closeAfterFirstChunk(
  args: string[],
  o: { dir?: string; emu?: Emulator; both?: boolean } = {},
): Promise<Closed> {
  const dir = o.dir ?? scratchDir('ss-pipe-');
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: dir,
    env: cliEnv({ dir, emu: o.emu }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let got = 0;
  child.stdout!.once('data', (d: Buffer) => {
    got = d.length;
    child.stdout!.destroy();
    if (o.both) child.stderr!.destroy();
  });
  child.stderr!.setEncoding('utf8').on('data', (d) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  return new Promise((resolve) =>
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stderr, got, dir });
    }),
  );
}

const quiet = (r: Closed) => {
  expect(r.signal, r.stderr).toBeNull();
  expect(r.stderr, 'a closed pipe printed an error').not.toMatch(/EPIPE|Unhandled|ERR_STREAM|\n\s+at .+:\d+:\d+/);
};

describe.concurrent('a closed pipe ends quietly, at any output size', () => {
  test('--help (a few kilobytes)', async () => {
    const r = await closeAfterFirstChunk(['--help']);
    quiet(r);
    expect(r.code).toBe(0);
  });

  test('plan without credentials, the basic config', async () => {
    const r = await closeAfterFirstChunk(['plan', '--config', BASIC_CONFIG]);
    quiet(r);
    expect(r.code).toBe(0);
  });

  test('plan of 150 accounts (hundreds of kilobytes, past any pipe buffer)', async () => {
    const dir = scratchDir('ss-pipe-');
    const r = await closeAfterFirstChunk(['plan', '--config', bigConfig(dir)], { dir });
    quiet(r);
    expect(r.code).toBe(0);
  });

  test('plan --json of 150 accounts, stdout and stderr both closed', async () => {
    const dir = scratchDir('ss-pipe-');
    const r = await closeAfterFirstChunk(['plan', '--json', '--config', bigConfig(dir)], { dir, both: true });
    quiet(r);
    expect(r.code).toBe(0);
  });

  test('status --json of a large state file', async () => {
    const dir = scratchDir('ss-pipe-');
    bigState(dir);
    const r = await closeAfterFirstChunk(['status', '--json'], { dir });
    quiet(r);
    expect(r.code).toBe(0);
  });
});

test('a run whose JSON output is closed after the first event still finishes, saves its state and releases its lock', async () => {
  resetWorld(emu);
  const r = await closeAfterFirstChunk([...APPLY, '--json'], { emu });
  quiet(r);
  expect(r.code, r.stderr).toBe(0);
  expect(existsSync(join(r.dir, 'secure-start.state.json.lock'))).toBe(false);
  expect(JSON.parse(readFileSync(join(r.dir, 'secure-start.state.json'), 'utf8')).steps['org-trail']?.status).toBe(
    'done',
  );
  expect(resourceCounts(emu.state())).toMatchObject({ trails: 1, buckets: 1, budgets: 1 });
});

describe('--json --verbose reports retries as JSON events', () => {
  const throttled = () => {
    resetWorld(emu);
    emu.setFaults({
      rules: [{ service: 'organizations', operation: 'DescribeOrganization', kind: 'throttle', times: 2 }],
    });
  };
  const jsonLines = (text: string) =>
    text
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l));

  for (const command of ['plan', 'verify']) {
    test(`${command} --json --verbose: each retry is a JSON line on stderr; stdout is still one JSON document`, async () => {
      throttled();
      const r = await runCli([command, '--json', '--verbose', '--config', BASIC_CONFIG], { emu });
      expect([0, 4], explain(r)).toContain(r.code);
      expect(() => JSON.parse(r.stdout), 'stdout is not one JSON document').not.toThrow();
      const events = jsonLines(r.stderr);
      const retries = events.filter((e) => e.type === 'retry');
      expect(retries.length, explain(r)).toBeGreaterThanOrEqual(2);
      expect(retries[0]).toMatchObject({
        type: 'retry',
        service: 'organizations',
        operation: 'DescribeOrganization',
        attempt: 1,
      });
      expect(retries[0].error).toMatch(/Throttl|TooManyRequests/);
    });

    test(`${command} --json without --verbose: no retry events`, async () => {
      throttled();
      const r = await runCli([command, '--json', '--config', BASIC_CONFIG], { emu });
      expect([0, 4], explain(r)).toContain(r.code);
      expect(jsonLines(r.stderr).filter((e) => e.type === 'retry')).toEqual([]);
    });
  }

  test('run --json --verbose: retries are JSON events on stdout and on stderr', async () => {
    throttled();
    const r = await runCli([...APPLY, '--json', '--verbose'], { emu });
    expect(r.code, explain(r)).toBe(0);
    for (const stream of [r.stdout, r.stderr]) {
      expect(jsonLines(stream).filter((e) => e.type === 'retry').length, explain(r)).toBeGreaterThanOrEqual(2);
    }
  });
});

describe('status and the account the state file belongs to', () => {
  const withState = (account: string) => {
    const dir = scratchDir('ss-status-');
    bigState(dir, account);
    return dir;
  };

  for (const args of [['status'], ['status', '--json']]) {
    test(`${args.join(' ')}: another account's state file is refused, exit 2, untouched`, async () => {
      resetWorld(emu);
      const dir = withState('210987654321');
      const before = readFileSync(join(dir, 'secure-start.state.json'));
      const r = await runCli(args, { emu, dir });
      expect(r.code, explain(r)).toBe(2);
      expect(r.stderr).toMatch(
        /belongs to AWS account 210987654321, but your credentials are for 123456789012[\s\S]*--state/,
      );
      expect(r.stdout).toBe('');
      expect(readFileSync(join(dir, 'secure-start.state.json')).equals(before)).toBe(true);
      expect(r.mutatingCalls).toEqual([]);
    });
  }

  test("status: its own account's file is shown; without credentials the file is shown as it is", async () => {
    resetWorld(emu);
    const mine = await runCli(['status', '--json'], { emu, dir: withState('123456789012') });
    expect(mine.code, explain(mine)).toBe(0);
    expect(JSON.parse(mine.stdout).managementAccountId).toBe('123456789012');
    const offline = await runCli(['status', '--json'], { dir: withState('210987654321') });
    expect(offline.code, explain(offline)).toBe(0);
    expect(JSON.parse(offline.stdout).managementAccountId).toBe('210987654321');
  });
});
