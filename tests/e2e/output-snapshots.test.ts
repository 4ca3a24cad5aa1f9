// What a founder reads, pinned: `plan`, `verify` (all ok; with drift) and the final summary
// in plain (non-TTY) mode as file snapshots; every --json output checked against a schema;
// NO_COLOR and a 60-column terminal.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { z } from 'zod';
import {
  BASIC_CONFIG,
  awsCliPath,
  explain,
  readState,
  runCli,
  startEmu,
  type CliResult,
  type Emulator,
} from '../helpers/harness.js';

let emu: Emulator;
let built: CliResult; // a finished run: the baseline exists in the emulator

/** Stable text: scratch folders, member account IDs and timings vary from run to run. */
function normalise(text: string, dir?: string): string {
  let t = text;
  if (dir) t = t.split(dir).join('<dir>');
  return t
    .replace(/\/tmp\/[\w.-]+/g, '<tmp>')
    .replace(/\b1111000000\d\d\b/g, '<member-id>')
    .replace(/\b\d+(\.\d+)?m?s\b/g, '<duration>');
}

beforeAll(async () => {
  emu = await startEmu({ scenario: 'fresh+iam-user' });
  emu.setRootMfa(true);
  emu.enableIdentityCenter('eu-west-1');
  // The sign-in advice depends on the AWS CLI found on PATH: a v2 one here, not the machine's.
  built = await runCli(['--yes', '--config', BASIC_CONFIG], {
    emu,
    env: { PATH: awsCliPath('aws-cli/2.27.0 Python/3.13.3 Linux/6.1 exe/x86_64') },
  });
  expect(built.code, explain(built)).toBe(0);
}, 90_000);
afterAll(async () => {
  await emu?.stop();
});

describe('snapshots (plain text, as in CI or a pipe)', () => {
  test('plan without credentials: the plan for a brand-new account', async () => {
    const r = await runCli(['plan', '--config', BASIC_CONFIG]);
    expect(r.code, explain(r)).toBe(0);
    await expect(normalise(r.stdout, r.dir)).toMatchFileSnapshot('__snapshots__/plan-offline.txt');
  });

  test('the final summary of a fresh run', async () => {
    await expect(normalise(built.stdout, built.dir)).toMatchFileSnapshot('__snapshots__/summary-fresh.txt');
  });

  test('verify: all ok', async () => {
    const r = await runCli(['verify', '--config', BASIC_CONFIG], { emu, dir: built.dir });
    expect(r.code, explain(r)).toBe(0);
    expect(r.mutatingCalls).toEqual([]);
    await expect(normalise(r.stdout, r.dir)).toMatchFileSnapshot('__snapshots__/verify-ok.txt');
  });

  test('verify: with drift (exit 4), then the summary of the run that repairs it', async () => {
    emu.drift('iam', 'delete-password-policy');
    emu.drift('organizations', 'detach-policy', {
      policy: 'secure-start-guardrails',
      target: readState(built.dir).outputs['org.rootId'],
    });
    const r = await runCli(['verify', '--config', BASIC_CONFIG], { emu, dir: built.dir });
    expect(r.code, explain(r)).toBe(4);
    await expect(normalise(r.stdout, r.dir)).toMatchFileSnapshot('__snapshots__/verify-drift.txt');
    const fix = await runCli(['--yes', '--config', BASIC_CONFIG], {
      emu,
      dir: built.dir,
      env: { PATH: awsCliPath('aws-cli/2.27.0 Python/3.13.3 Linux/6.1 exe/x86_64') },
    });
    expect(fix.code, explain(fix)).toBe(0);
    await expect(normalise(fix.stdout, fix.dir)).toMatchFileSnapshot('__snapshots__/summary-repair.txt');
  });
});

// ---- JSON outputs -------------------------------------------------------------------------

const planRecord = z.strictObject({
  step: z.string().min(1),
  kind: z.enum(['call', 'manual']),
  symbol: z.enum(['+', '~', '-', '!']),
  service: z.string().min(1),
  operation: z.string().min(1),
  input: z.unknown(),
  account: z.string().regex(/^(management|\d{12}|<[\w.-]+>)$/),
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/),
  summary: z.string().min(1),
  controls: z.array(z.string()),
  details: z.array(z.string().min(1)).optional(),
});
const planJson = z.strictObject({
  schemaVersion: z.literal(1),
  account: z
    .string()
    .regex(/^\d{12}$/)
    .optional(),
  offline: z.boolean(),
  counts: z.strictObject({
    add: z.number().int(),
    change: z.number().int(),
    destroy: z.number().int(),
    calls: z.number().int(),
    manual: z.number().int(),
  }),
  records: z.array(planRecord),
});

const controlId = z.string().regex(/^(SSB [A-Z]+\.\d+|CIS [\d.]+)$/);
const severity = z.enum(['critical', 'high', 'medium', 'low']);
const check = z.strictObject({
  step: z.string(),
  title: z.string(),
  controls: z.array(controlId),
  status: z.enum(['ok', 'drift', 'manual', 'error']),
  severity,
  findings: z.array(z.string()),
  fix: z.string().optional(),
  advice: z.array(z.string()),
});
const finding = z.strictObject({
  severity,
  status: z.enum(['drift', 'manual', 'error']),
  step: z.string(),
  title: z.string(),
  controls: z.array(controlId),
  account: z.string().min(1),
  region: z.string().optional(),
  resource: z.string().min(1),
  action: z.string().optional(),
  why: z.string().min(1),
  fix: z.string().min(1),
});
const count = z.number().int().min(0);
const verifyJson = z.strictObject({
  schemaVersion: z.literal(2),
  account: z.string().regex(/^\d{12}$/),
  exitCode: z.number().int(),
  counts: z.strictObject({
    critical: count,
    high: count,
    medium: count,
    low: count,
    findings: count,
    ok: count,
    drift: count,
    manual: count,
    error: count,
    advice: count,
  }),
  findings: z.array(finding),
  checks: z.array(check).min(1),
  // Added without a new schema version (a new field, nothing changed meaning).
  advice: z.array(z.string()),
});

const actionView = z.object({
  step: z.string(),
  kind: z.enum(['call', 'manual']),
  service: z.string(),
  operation: z.string(),
  account: z.string(),
  region: z.string(),
  summary: z.string(),
  controls: z.array(z.string()),
});
const time = z.iso.datetime();
const schemaVersion = z.literal(1);
const event = z.discriminatedUnion('type', [
  z.strictObject({
    schemaVersion,
    type: z.literal('run-start'),
    time,
    mode: z.enum(['apply', 'plan', 'verify']),
    offline: z.boolean(),
    steps: z.array(z.strictObject({ id: z.string(), title: z.string(), needs: z.array(z.string()) })),
  }),
  z.strictObject({ schemaVersion, type: z.literal('step-start'), time, step: z.string(), title: z.string() }),
  z.object({ schemaVersion, type: z.literal('action-start'), time, step: z.string(), action: actionView }),
  z.object({
    schemaVersion,
    type: z.literal('action-done'),
    time,
    step: z.string(),
    action: actionView,
    ms: z.number(),
  }),
  z.object({
    schemaVersion,
    type: z.literal('action-failed'),
    time,
    step: z.string(),
    action: actionView,
    error: z.object({ message: z.string() }),
  }),
  z.strictObject({
    schemaVersion,
    type: z.literal('progress'),
    time,
    step: z.string(),
    message: z.string(),
    elapsedMs: z.number(),
  }),
  z.object({
    schemaVersion,
    type: z.literal('retry'),
    time,
    service: z.string(),
    operation: z.string(),
    attempt: z.number(),
  }),
  z.object({ schemaVersion, type: z.literal('manual'), time, step: z.string(), action: actionView }),
  z.object({ schemaVersion, type: z.literal('log'), time, level: z.enum(['info', 'warn']), message: z.string() }),
  z.object({
    schemaVersion,
    type: z.literal('step-done'),
    time,
    step: z.string(),
    status: z.enum(['ok', 'changed', 'drift', 'manual', 'blocked', 'failed', 'skipped', 'interrupted']),
    ms: z.number(),
    actions: z.array(actionView),
  }),
]);
const statusJson = z.strictObject({
  schemaVersion: z.literal(1),
  source: z.literal('state file'),
  stateFile: z.string(),
  exists: z.boolean(),
  managementAccountId: z.string().nullable(),
  steps: z.record(z.string(), z.object({ status: z.enum(['done', 'failed', 'blocked', 'pending']), at: z.string() })),
  outputs: z.record(z.string(), z.string()),
  inflight: z.record(z.string(), z.unknown()),
  journalEntries: z.number().int(),
});

describe('--json outputs match their schema', () => {
  test('plan --json: {step, service, operation, input, account, region} records', async () => {
    const offline = await runCli(['plan', '--json', '--config', BASIC_CONFIG]);
    expect(offline.code, explain(offline)).toBe(0);
    const plan = planJson.parse(JSON.parse(offline.stdout));
    expect(plan.offline).toBe(true);
    expect(plan.counts.calls).toBe(plan.records.filter((r) => r.kind === 'call').length);
    const records = plan.records;
    // What each guardrail blocks and breaks, next to the policy's name (issue 15).
    expect(
      records
        .find((r) => r.operation === 'CreatePolicy' && r.summary.includes('secure-start-guardrails'))
        ?.details?.join(' '),
    ).toMatch(/^blocks .*IAM users, access keys.* breaks .*SES SMTP credentials/);
    expect(records.length).toBeGreaterThan(50);
    expect(records.find((r) => r.operation === 'CreateAccount' && r.summary.includes(' prod '))).toMatchObject({
      step: 'accounts',
      service: 'organizations',
      account: 'management',
      region: 'us-east-1',
      input: { AccountName: 'prod', Email: 'ops+aws-prod@acme.example' },
    });
    // Refs stay visible in records for things that do not exist yet.
    expect(records.some((r) => r.account === '<log-archive.accountId>')).toBe(true);
    // Against the finished baseline: nothing to do, an empty list.
    const done = await runCli(['plan', '--json', '--config', BASIC_CONFIG], { emu, dir: built.dir });
    const finished = planJson.parse(JSON.parse(done.stdout));
    expect(finished).toMatchObject({ account: '123456789012', offline: false, counts: { calls: 0 } });
    expect(finished.records.filter((r) => r.kind === 'call')).toEqual([]);
  });

  test('verify --json', async () => {
    const r = await runCli(['verify', '--json', '--config', BASIC_CONFIG], { emu, dir: built.dir });
    const v = verifyJson.parse(JSON.parse(r.stdout));
    expect(v.exitCode).toBe(r.code);
    expect(v.checks.every((c) => c.controls.length > 0)).toBe(true);
    // Trusted Advisor is advice, never a check that passed (SSB ACCT.12: no API to check it).
    expect(v.checks.some((c) => /Trusted Advisor/.test(c.title))).toBe(false);
    expect(v.advice.some((a) => /Trusted Advisor/.test(a))).toBe(true);
    expect(v.findings).toEqual([]);
  });

  test('run --json: one event per line, nothing else on stdout', async () => {
    const e2 = await startEmu({ scenario: 'fresh+iam-user' });
    try {
      e2.setRootMfa(true);
      e2.enableIdentityCenter('eu-west-1');
      const r = await runCli(['--yes', '--json', '--config', BASIC_CONFIG], { emu: e2 });
      expect(r.code, explain(r)).toBe(0);
      const events = r.stdout
        .trimEnd()
        .split('\n')
        .map((l) => event.parse(JSON.parse(l)));
      expect(events[0]!.type).toBe('run-start');
      const done = events.filter((e) => e.type === 'step-done');
      expect(done.length).toBe((events[0] as { steps: unknown[] }).steps.length);
      // Every change was reported (a local action, like writing ~/.aws/config, is not an AWS call).
      expect(events.filter((e) => e.type === 'action-done' && e.action.service !== 'local').length).toBeLessThanOrEqual(
        r.mutatingCalls.length,
      );
      expect(events.filter((e) => e.type === 'action-done').length).toBeGreaterThan(50);
    } finally {
      await e2.stop();
    }
  });

  test('status --json', async () => {
    const r = await runCli(['status', '--json'], { dir: built.dir });
    const s = statusJson.parse(JSON.parse(r.stdout));
    expect(s.exists).toBe(true);
    expect(s.managementAccountId).toBe('123456789012');
    expect(Object.values(s.steps).every((x) => x.status === 'done')).toBe(true);
  });
});

// ---- colour and width ---------------------------------------------------------------------

/** Lines wider than `cols` that wrapping could have avoided (a single long word cannot wrap). */
function tooWide(text: string, cols: number): string[] {
  return text.split('\n').filter((l) => {
    if (l.length <= cols) return false;
    const indent = /^\s*/.exec(l)![0].length;
    const longest = Math.max(
      ...l
        .trim()
        .split(/\s+/)
        .map((w) => w.length),
    );
    return indent + longest <= cols && !/https?:\/\//.test(l);
  });
}

describe('NO_COLOR and narrow terminals', () => {
  test('NO_COLOR=1: not one escape code; FORCE_COLOR=1: colours (so the check can fail)', async () => {
    const plain = await runCli(['verify', '--config', BASIC_CONFIG], {
      emu,
      dir: built.dir,
      env: { NO_COLOR: '1', CI: undefined },
    });
    expect(plain.stdout + plain.stderr).not.toContain('\x1b');
    const plan = await runCli(['plan', '--config', BASIC_CONFIG], { env: { NO_COLOR: '1', CI: undefined } });
    expect(plan.stdout + plan.stderr).not.toContain('\x1b');
    const coloured = await runCli(['verify', '--config', BASIC_CONFIG], {
      emu,
      dir: built.dir,
      env: { NO_COLOR: undefined, FORCE_COLOR: '1' },
    });
    expect(coloured.stdout).toMatch(/\x1b\[\d+m/);
  });

  test('60 columns: plan, verify and the summary wrap to fit', async () => {
    const env = { COLUMNS: '60' };
    const plan = await runCli(['plan', '--config', BASIC_CONFIG], { env });
    expect(tooWide(plan.stdout, 60)).toEqual([]);
    const e2 = await startEmu({ scenario: 'fresh+iam-user' });
    try {
      e2.setRootMfa(true);
      e2.enableIdentityCenter('eu-west-1');
      const run = await runCli(['--yes', '--config', BASIC_CONFIG], { emu: e2, env });
      expect(run.code, explain(run)).toBe(0);
      expect(tooWide(run.stdout, 60)).toEqual([]);
      e2.drift('iam', 'delete-password-policy');
      const verify = await runCli(['verify', '--config', BASIC_CONFIG], { emu: e2, dir: run.dir, env });
      expect(verify.code).toBe(4);
      expect(tooWide(verify.stdout, 60)).toEqual([]);
      // The same at 100 columns uses the room: some line is longer than 60.
      const wide = await runCli(['verify', '--config', BASIC_CONFIG], {
        emu: e2,
        dir: run.dir,
        env: { COLUMNS: '100' },
      });
      expect(wide.stdout.split('\n').some((l) => l.length > 60)).toBe(true);
    } finally {
      await e2.stop();
    }
  });
});
