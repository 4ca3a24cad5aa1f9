// A failed read is never silent: when a read fails during plan (Cost Explorer not yet turned on
// in a new account, an AWS error on any read), the exit code is non-zero, stderr names the
// operation that failed without --verbose, and `plan --json` has an error record for the
// step (its other steps' calls are still listed). The same for verify and run. Five kinds of
// read failure: Cost Explorer not turned on, a raw AWS error, and three refusals each step
// explains in its own words (the operation is named all the same).
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { BASIC_CONFIG, explain, runCli, startEmu, type Emulator } from '../helpers/harness.js';
import { APPLY, resetWorld, SCENARIO } from '../helpers/crash.js';
import type { FaultRule } from '../../emulator/index.js';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmu({ scenario: SCENARIO });
});
beforeEach(() => resetWorld(emu));
afterAll(async () => {
  await emu.stop();
});

interface ReadFailure {
  id: string;
  step: string;
  service: string;
  operation: string;
  rule: FaultRule;
  /** What the message says besides the operation. */
  says: RegExp;
}

const FAILURES: ReadFailure[] = [
  {
    id: 'Cost Explorer not yet turned on in a new account',
    step: 'cost-anomaly-detection',
    service: 'cost-explorer',
    operation: 'GetAnomalyMonitors',
    rule: {
      service: 'cost-explorer',
      operation: 'GetAnomalyMonitors',
      kind: 'error',
      code: 'AccessDeniedException',
      status: 400,
      message: 'User not enabled for cost explorer access',
    },
    says: /Cost Explorer is not turned on/,
  },
  {
    id: 'an AWS error on the trail read',
    step: 'org-trail',
    service: 'cloudtrail',
    operation: 'DescribeTrails',
    rule: {
      service: 'cloudtrail',
      operation: 'DescribeTrails',
      kind: 'error',
      code: 'InvalidParameterCombinationException',
      status: 400,
      message: 'The request is not valid.',
    },
    says: /not valid/,
  },
  {
    id: 'the account summary read denied (root MFA cannot be checked)',
    step: 'root-access',
    service: 'iam',
    operation: 'GetAccountSummary',
    rule: { service: 'iam', operation: 'GetAccountSummary', kind: 'accessDenied' },
    says: /may not read the account summary/,
  },
  {
    id: 'alternate contact read denied in the management account',
    step: 'alternate-contacts',
    service: 'account',
    operation: 'GetAlternateContact',
    rule: { service: 'account', operation: 'GetAlternateContact', kind: 'accessDenied' },
    says: /AWS refused to read the (billing|operations|security) contact of the management account/,
  },
  {
    id: 'budgets read denied',
    step: 'budget',
    service: 'budgets',
    operation: 'DescribeBudget',
    rule: { service: 'budgets', operation: 'DescribeBudget', kind: 'accessDenied' },
    says: /may not read budgets/,
  },
];

const jsonLines = (text: string) =>
  text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));

describe('plan when a read fails', () => {
  for (const f of FAILURES) {
    test(`${f.id}: plan --json has an error record; stderr names ${f.service}:${f.operation}; exit 1`, async () => {
      emu.setFaults({ rules: [f.rule] });
      const r = await runCli(['plan', '--json', '--config', BASIC_CONFIG], { emu });
      expect(r.code, explain(r)).toBe(1);
      const records = JSON.parse(r.stdout).records;
      const errors = records.filter((x: { kind: string }) => x.kind === 'error');
      expect(errors, explain(r)).toEqual([
        expect.objectContaining({ step: f.step, kind: 'error', service: f.service, operation: f.operation }),
      ]);
      expect(errors[0].message).toMatch(f.says);
      expect(errors[0].message).toContain(`${f.service}:${f.operation}`);
      // The plan of the other steps is still there.
      expect(records.some((x: { step: string; kind: string }) => x.step !== f.step && x.kind === 'call')).toBe(true);
      // stderr: the failure as a JSON line, with the operation.
      const failed = jsonLines(r.stderr).filter((e) => e.type === 'step-done' && e.status === 'failed');
      expect(
        failed.map((e) => e.step),
        explain(r),
      ).toEqual([f.step]);
      expect(failed[0].error).toMatchObject({ service: f.service, operation: f.operation });
      expect(r.stderr).toContain(`${f.service}:${f.operation}`);
      expect(r.mutatingCalls).toEqual([]);
    });
  }

  test('plan (text, without --verbose): stderr names the failed operation; exit 1', async () => {
    emu.setFaults({ rules: [FAILURES[0]!.rule] });
    const r = await runCli(['plan', '--config', BASIC_CONFIG], { emu });
    expect(r.code, explain(r)).toBe(1);
    expect(r.stderr, explain(r)).toMatch(
      /Cost anomaly detection with e-mail alerts failed[\s\S]*cost-explorer:GetAnomalyMonitors failed: Cost Explorer is not turned on/,
    );
    expect(r.stdout).toMatch(/could not plan: cost-explorer:GetAnomalyMonitors failed/);
  });

  test('verify --json: the check is an error naming the operation, and so is stderr; exit 1', async () => {
    emu.setFaults({ rules: [FAILURES[1]!.rule] });
    const r = await runCli(['verify', '--json', '--config', BASIC_CONFIG], { emu });
    expect(r.code, explain(r)).toBe(1);
    const check = JSON.parse(r.stdout).checks.find((c: { step: string }) => c.step === 'org-trail');
    expect(check).toMatchObject({ status: 'error', fix: expect.stringContaining('cloudtrail:DescribeTrails failed') });
    expect(jsonLines(r.stderr).find((e) => e.type === 'step-done')).toMatchObject({
      step: 'org-trail',
      status: 'failed',
      error: { operation: 'DescribeTrails' },
    });
  });
});

test('run --json: a read failing in apply is on stderr too, with its operation; the other steps finish; exit 1', async () => {
  emu.setFaults({ rules: [FAILURES[0]!.rule] });
  const r = await runCli([...APPLY, '--json'], { emu });
  expect(r.code, explain(r)).toBe(1);
  const failed = jsonLines(r.stderr).filter((e) => e.type === 'step-done' && e.status === 'failed');
  expect(failed.map((e) => e.step)).toEqual(['cost-anomaly-detection']);
  expect(failed[0].error.message).toMatch(/^cost-explorer:GetAnomalyMonitors failed: Cost Explorer is not turned on/);
  // stdout has every event, including the same failure and the steps that finished.
  const events = jsonLines(r.stdout);
  expect(events.filter((e) => e.type === 'step-done' && e.status === 'failed').map((e) => e.step)).toEqual([
    'cost-anomaly-detection',
  ]);
  expect(events.some((e) => e.type === 'step-done' && e.step === 'org-trail' && e.status === 'changed')).toBe(true);
});
