// plan (--dry-run) and verify never write: across every scenario the emulator offers, before,
// during (after a crash mid-run) and after a bootstrap, with drift and under faults, they
// make zero mutating calls, leave the emulator's world exactly as it was, and never create or
// change the state file.
import { beforeAll, describe, expect, test } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { explain, runCli, scratchDir, spawnCli, startEmu, type CliResult, type Emulator } from '../helpers/harness.js';
import { APPLY, crashAt, resetWorld, SCENARIO, worldOf } from '../helpers/crash.js';
import { SecretScan, scanAndStopAfterAll } from '../helpers/scan.js';

let emu: Emulator;
const secrets = new SecretScan();
let readOnlyRuns = 0;

beforeAll(async () => {
  emu = await startEmu({ scenario: SCENARIO });
});
scanAndStopAfterAll(secrets, () => [emu]);

const CONFIG = APPLY.slice(1); // --config basic.json
const READ_ONLY: [string, string[]][] = [
  ['plan', ['plan', ...CONFIG]],
  ['--dry-run', ['--dry-run', ...CONFIG]],
  ['plan --json', ['plan', '--json', ...CONFIG]],
  ['verify', ['verify', ...CONFIG]],
  ['verify --json --verbose', ['verify', '--json', '--verbose', ...CONFIG]],
];
/**
 * The two modes, each through its JSON renderer (the text renderers and the --dry-run alias run
 * the same engine and client in the same mode: all five run around the bootstrap below).
 */
const MODES = READ_ONLY.filter(([name]) => name === 'plan --json' || name === 'verify --json --verbose');

/** Read-only commands in `dir`: no mutating call, world and state file unchanged. */
async function neverWrites(
  dir: string,
  expectCodes: number[] = [0, 1, 2, 3, 4],
  commands = READ_ONLY,
): Promise<CliResult[]> {
  const statePath = `${dir}/secure-start.state.json`;
  const before = existsSync(statePath) ? readFileSync(statePath) : null;
  const world = JSON.stringify(worldOf(emu));
  const out: CliResult[] = [];
  for (const [name, args] of commands) {
    const r = await runCli(args, { emu, dir });
    secrets.run(r);
    readOnlyRuns++;
    expect(
      r.mutatingCalls.map((c) => `${c.service}:${c.operation}`),
      `${name} wrote to AWS\n${explain(r)}`,
    ).toEqual([]);
    expect(expectCodes, `${name}\n${explain(r)}`).toContain(r.code);
    expect(JSON.stringify(worldOf(emu)), `${name} changed the world`).toBe(world);
    if (before) expect(readFileSync(statePath).equals(before), `${name} changed the state file`).toBe(true);
    else expect(existsSync(statePath), `${name} created a state file`).toBe(false);
    out.push(r);
  }
  return out;
}

describe('before any run, in every scenario', () => {
  const scenarios = [
    'fresh',
    'fresh+iam-user',
    'fresh+role',
    'fresh+iam-user+root-keys',
    'org-exists+iam-user',
    'consolidated-billing+iam-user',
    'member-of-other-org+iam-user',
    'fresh+iam-user+identity-center+root-mfa',
  ];
  test.each(scenarios)('%s', async (scenario) => {
    emu.reset(scenario);
    const [plan] = await neverWrites(scratchDir('ss-dry-'), undefined, scenario === 'fresh' ? READ_ONLY : MODES);
    if (!scenario.startsWith('member-of-other-org'))
      expect(plan!.stdout, explain(plan!)).toMatch(/CreateAccount|organizations:/);
  });

  test('without credentials, plan works offline and calls nothing', async () => {
    emu.reset(SCENARIO);
    const dir = scratchDir('ss-dry-');
    const r = await runCli(['plan', ...CONFIG], { dir, env: { AWS_ENDPOINT_URL: emu.url } });
    expect(r.code, explain(r)).toBe(0);
    expect(emu.calls()).toEqual([]);
    expect(r.stdout).toContain('organizations:CreateOrganization');
    expect(existsSync(`${dir}/secure-start.state.json`)).toBe(false);
  });
});

describe('around a bootstrap', () => {
  let dir: string;
  test('after a complete bootstrap: plan has nothing to do, verify is clean', async () => {
    resetWorld(emu);
    const r = await runCli(APPLY, { emu });
    expect(r.code, explain(r)).toBe(0);
    dir = r.dir;
    const [plan, , , verify] = await neverWrites(dir, [0]);
    expect(plan!.code).toBe(0);
    expect(verify!.code).toBe(0);
  });

  test('with drift made behind its back: verify reports it (exit 4) and still writes nothing', async () => {
    const root = (Object.values((emu.state() as any).orgs)[0] as any).root.id;
    emu.drift('cloudtrail', 'trail-stopped', { name: 'acme-robotics-org-trail' });
    emu.drift('s3-control', 'account-bpa-off', {});
    emu.drift('budgets', 'budget-amount', { name: 'acme-robotics-monthly', amount: '99' });
    emu.drift('iam', 'delete-password-policy', {});
    emu.drift('organizations', 'detach-policy', { policy: 'secure-start-guardrails', target: root });
    const runs = await neverWrites(dir, [4, 0]);
    expect(runs[3]!.code, explain(runs[3]!)).toBe(4);
    // The repair then happens only in apply mode.
    const fix = await runCli(APPLY, { emu, dir });
    expect(fix.code, explain(fix)).toBe(0);
    expect(fix.mutatingCalls.length).toBeGreaterThan(0);
    const again = await runCli(['verify', ...CONFIG], { emu, dir });
    expect(again.code, explain(again)).toBe(0);
  });

  test('after a crash in the middle (state file with a request in flight)', async () => {
    resetWorld(emu);
    const crash = await crashAt(emu, { k: 1, when: 'after' }, { signal: 'SIGKILL' });
    expect(crash.held).toBe(true);
    // Crash again right after the first CreateAccount was accepted, so a request is in flight.
    const second = await (async () => {
      emu.hold({ when: 'after', operation: 'CreateAccount' });
      const cli = spawnCli(APPLY, { emu, dir: crash.run.dir });
      await emu.waitForHold(30_000);
      cli.child.kill('SIGKILL');
      const r = await cli.done;
      emu.release();
      return r;
    })();
    expect(second.signal).toBe('SIGKILL');
    await neverWrites(crash.run.dir, undefined, MODES);
  });

  test('under throttling and server errors on every read', async () => {
    resetWorld(emu);
    emu.setFaults({
      seed: 11,
      rules: [
        { kind: 'throttle', rate: 0.2, mutating: false },
        { kind: 'unavailable', rate: 0.05, mutating: false },
      ],
    });
    await neverWrites(scratchDir('ss-dry-'), undefined, MODES);
    emu.clearFaults();
  });
});

test('the read-only runs above were really run', () => {
  expect(readOnlyRuns).toBeGreaterThanOrEqual(READ_ONLY.length * 3 + MODES.length * 9);
});
