// The wizard without a person at a terminal (CI, pipes): --yes is required, missing answers
// are named, missing credentials get a short guide, a step for a person ends with exit 3 and
// the exact command to go on, and AWS error codes and request IDs appear only with --verbose.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { BASIC_CONFIG, explain, runCli, startEmu, type Emulator } from '../helpers/harness.js';

let emu: Emulator;
beforeEach(async () => {
  emu = await startEmu({ scenario: 'fresh+iam-user' });
});
afterEach(async () => {
  await emu.stop();
});

describe('without a terminal', () => {
  test('no --yes: exit 2, says to use plan and --yes; nothing written, nothing called', async () => {
    const r = await runCli(['--config', BASIC_CONFIG], { emu });
    expect(r.code, explain(r)).toBe(2);
    expect(r.stderr).toMatch(/No terminal to ask questions or confirm the plan in\./);
    expect(r.stderr).toContain('secure-start plan');
    expect(r.stderr).toContain('--yes');
    expect(r.calls).toEqual([]);
    expect(existsSync(r.statePath)).toBe(false);
  });

  test('--json without --yes: exit 2 (JSON mode never asks, so it never applies unconfirmed)', async () => {
    const r = await runCli(['--json', '--config', BASIC_CONFIG], { emu });
    expect(r.code, explain(r)).toBe(2);
    expect(r.stderr).toMatch(/--json .* needs --yes/);
    expect(r.calls).toEqual([]);
  });

  test('--yes without answers: exit 2 naming every missing answer, before any AWS call', async () => {
    const r = await runCli(['--yes'], { emu });
    expect(r.code, explain(r)).toBe(2);
    for (const field of ['org.name', 'mailbox', 'founder.givenName', 'founder.email', 'contacts.billing.phone'])
      expect(r.stderr, field).toMatch(new RegExp(`${field.replace('.', '\\.')}: .*is required`));
    expect(r.calls).toEqual([]);
  });

  test('no credentials: a short guide (CloudShell, aws configure sso, environment variables)', async () => {
    const r = await runCli(['--yes', '--config', BASIC_CONFIG]);
    expect(r.code, explain(r)).toBe(2);
    expect(r.stderr).toContain('No AWS credentials found');
    expect(r.stderr).toContain('CloudShell');
    expect(r.stderr).toContain('aws configure sso');
    expect(r.stderr).toContain('AWS_ACCESS_KEY_ID');
    expect(r.stderr.split('\n').length).toBeLessThan(10);
  });

  test('a step for a person: exit 3 with what to do and the exact command to go on', async () => {
    await emu.stop();
    emu = await startEmu({ scenario: 'fresh' }); // the root user: leave-root asks to switch profile
    emu.setRootMfa(true);
    emu.enableIdentityCenter('eu-west-1');
    const r = await runCli(['--yes', '--config', BASIC_CONFIG], { emu });
    expect(r.code, explain(r)).toBe(3);
    expect(r.stdout).toContain('Waiting for you:');
    expect(r.stdout.replace(/\s+/g, ' ')).toContain(
      'Then run `npx secure-start --profile acme-robotics-management-admin`',
    );
    expect(existsSync(join(r.dir, '.aws', 'config'))).toBe(true);
  });

  test('an AWS error: one or two sentences; the error code and request ID only with --verbose', async () => {
    emu.setRootMfa(true);
    emu.enableIdentityCenter('eu-west-1');
    emu.setFaults([{ service: 'budgets', operation: 'CreateBudget', kind: 'accessDenied' }]);
    const r = await runCli(['--yes', '--config', BASIC_CONFIG], { emu });
    expect(r.code, explain(r)).toBe(1);
    const summary = r.stdout.replace(/\s+/g, ' ');
    expect(summary).toMatch(
      /1 step failed: ✗ Monthly cost budget with e-mail alerts: budgets:CreateBudget failed\. Your credentials are not allowed to do this\./,
    );
    expect(r.stdout).not.toMatch(/request ID/);
    const requestIds = r.calls.filter((c) => c.operation === 'CreateBudget').map((c) => c.requestId);
    const v = await runCli(['--yes', '--verbose', '--config', BASIC_CONFIG], { emu, dir: r.dir });
    expect(v.code, explain(v)).toBe(1);
    const id = v.calls
      .filter((c) => c.operation === 'CreateBudget')
      .map((c) => c.requestId)
      .at(-1);
    expect(requestIds.length).toBeGreaterThan(0);
    expect(v.stdout).toMatch(new RegExp(`AWS error AccessDenied\\w*, request ID ${id}`));
  });
});
