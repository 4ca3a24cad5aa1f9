// The foundation steps (preflight, organization) end to end: the BUILT CLI as a subprocess,
// talking to the emulator only through the SDK's AWS_ENDPOINT_URL and credential variables,
// in plan, apply and verify modes. The CLI has no way to run only some steps, so these tests
// run the whole graph and assert on the organization part (and on what must NOT happen).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BASIC_CONFIG,
  explain,
  ops,
  readState,
  runCli,
  startEmu,
  type CliResult,
  type Emulator,
} from '../helpers/harness.js';
import { MANAGEMENT_ACCOUNT_ID as ME, OTHER_ORG_MANAGEMENT_ACCOUNT_ID as OTHER } from '../../emulator/world.js';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmu();
});
afterAll(async () => {
  await emu.stop();
});

interface PlanRecord {
  step: string;
  kind: string;
  symbol?: string;
  service?: string;
  operation?: string;
  input?: unknown;
  account?: string;
  summary: string;
}
interface Check {
  step: string;
  status: 'ok' | 'drift' | 'manual' | 'error';
  findings: string[];
  fix?: string;
}

const orgsOf = () =>
  Object.values(
    (emu.state() as { orgs: Record<string, { id: string; featureSet: string; managementAccountId: string }> }).orgs,
  );
/** Output without the terminal wrapping (stdout is wrapped at 80 columns). */
const flat = (text: string) => text.replace(/\s+/g, ' ');
const byStep = (checks: Check[]) => Object.fromEntries(checks.map((c) => [c.step, c.status]));

describe('plan', () => {
  let fresh: CliResult;

  it('on a fresh account: lists CreateOrganization and every later call, makes ZERO mutating calls', async () => {
    emu.reset('fresh+iam-user');
    fresh = await runCli(['plan', '--json', '--config', BASIC_CONFIG], { emu });
    const r = fresh;
    const records = JSON.parse(r.stdout).records as PlanRecord[];
    const org = records.filter((p) => p.step === 'organization');
    expect(org, explain(r)).toEqual([
      expect.objectContaining({
        kind: 'call',
        symbol: '+',
        service: 'organizations',
        operation: 'CreateOrganization',
        input: { FeatureSet: 'ALL' },
        account: 'management',
      }),
    ]);
    // Later steps are planned too, with placeholders for what does not exist yet.
    expect(
      records
        .filter((p) => p.operation === 'CreateAccount')
        .map((p) => (p.input as { AccountName: string }).AccountName),
    ).toEqual(['log-archive', 'audit', 'prod', 'dev']);
    expect(records.some((p) => p.summary.includes('<log-archive.accountId>'))).toBe(true);
    // The call log is the proof: reads only, nothing changed.
    expect(r.calls.length).toBeGreaterThan(0);
    expect(ops(r.mutatingCalls), explain(r)).toEqual([]);
    expect(ops(r.calls)).toContain('sts:GetCallerIdentity');
    expect(ops(r.calls)).toContain('organizations:DescribeOrganization');
    expect(orgsOf()).toEqual([]);
    expect(readState(r.dir)).toBeUndefined(); // plan never writes the state file
  });

  it('on a fresh account: exits 0 (every step can plan before the organization exists)', () => {
    expect(fresh.code, explain(fresh)).toBe(0);
  });

  it('without any credentials or endpoint: exits 0 and plans a brand-new account with placeholders', async () => {
    const r = await runCli(['plan', '--config', BASIC_CONFIG]);
    expect(r.code, explain(r)).toBe(0);
    expect(r.stdout).toContain('No AWS credentials: this is the plan for a brand-new account.');
    expect(r.stdout).toContain('+ organizations:CreateOrganization (all features)');
    expect(r.stdout).toMatch(/acme-robotics-org-trail-<log-archive\.accountId>/);
    expect(r.stdout).toMatch(/Plan: \d+ to add/);
  });
});

describe('apply and verify', () => {
  // One account taken from fresh to complete, then drifted and repaired. The console steps
  // (Identity Center, root MFA) are done up front so the run can finish without a person.
  let dir: string;

  it('apply on a fresh account creates the organization with all features, once', async () => {
    emu.reset('fresh+iam-user');
    const r = await runCli(['--yes', '--config', BASIC_CONFIG], { emu });
    dir = r.dir;
    // Without Identity Center the run stops at that console step (exit 3) after the organization part.
    expect(r.code, explain(r)).toBe(3);
    expect(ops(r.mutatingCalls).filter((o) => o === 'organizations:CreateOrganization')).toHaveLength(1);
    // The organization comes before every other Organizations change.
    expect(ops(r.mutatingCalls).find((o) => o.startsWith('organizations:'))).toBe('organizations:CreateOrganization');
    const [org] = orgsOf();
    expect(org).toMatchObject({ featureSet: 'ALL', managementAccountId: ME });
    const state = readState(dir);
    expect(state.outputs).toMatchObject({ 'management.accountId': ME, 'org.id': org.id, 'org.featureSet': 'ALL' });
    expect(state.outputs['org.rootId']).toMatch(/^r-/);
    expect(state.steps.preflight.status).toBe('done');
    expect(state.steps.organization.status).toBe('done');
    expect(r.stdout).toMatch(/Enable IAM Identity Center in eu-west-1/);
  });

  it('after the console steps, the next run completes; verify exits 0', async () => {
    emu.enableIdentityCenter('eu-west-1');
    emu.setRootMfa(true);
    const r = await runCli(['--yes', '--config', BASIC_CONFIG], { dir, emu });
    expect(r.code, explain(r)).toBe(0);
    // The organization is adopted, not created again.
    expect(ops(r.mutatingCalls)).not.toContain('organizations:CreateOrganization');
    expect(orgsOf()).toHaveLength(1);
    const v = await runCli(['verify', '--json', '--config', BASIC_CONFIG], { dir, emu });
    const report = JSON.parse(v.stdout) as { account: string; exitCode: number; checks: Check[] };
    expect(v.code, explain(v)).toBe(0);
    expect(report).toMatchObject({ account: ME, exitCode: 0 });
    expect(byStep(report.checks)).toMatchObject({ preflight: 'ok', organization: 'ok', 'trusted-access': 'ok' });
    expect(report.checks.every((c) => c.status === 'ok')).toBe(true);
    expect(ops(v.mutatingCalls)).toEqual([]);
  });

  it("drift behind the CLI's back (trusted access for CloudTrail removed) is reported by verify (exit 4) and repaired by the next run", async () => {
    emu.drift('organizations', 'disable-service-access', { servicePrincipal: 'cloudtrail.amazonaws.com' });
    const v = await runCli(['verify', '--json', '--config', BASIC_CONFIG], { dir, emu });
    expect(v.code, explain(v)).toBe(4);
    const checks = (JSON.parse(v.stdout) as { checks: Check[] }).checks;
    const ta = checks.find((c) => c.step === 'trusted-access')!;
    expect(ta.status).toBe('drift');
    expect(ta.findings.join('\n')).toContain('organizations:EnableAWSServiceAccess cloudtrail.amazonaws.com');
    expect(byStep(checks).organization).toBe('ok');
    expect(ops(v.mutatingCalls)).toEqual([]);

    // The repair run makes exactly the one missing call: everything else is already as wanted.
    const r = await runCli(['--yes', '--config', BASIC_CONFIG], { dir, emu });
    expect(r.code, explain(r)).toBe(0);
    expect(ops(r.mutatingCalls)).toEqual(['organizations:EnableAWSServiceAccess']);
    expect(r.mutatingCalls[0]).toMatchObject({ account: ME, status: 200 });
  });
});

describe('existing and foreign organizations', () => {
  it('adopts an organization this account already manages (org-exists)', async () => {
    emu.reset('org-exists+iam-user');
    const [existing] = orgsOf();
    const r = await runCli(['--yes', '--config', BASIC_CONFIG], { emu });
    expect(r.code, explain(r)).toBe(3); // stops at the Identity Center console step
    expect(ops(r.mutatingCalls)).not.toContain('organizations:CreateOrganization');
    expect(orgsOf().map((o) => o.id)).toEqual([existing.id]);
    expect(readState(r.dir).outputs['org.id']).toBe(existing.id);
    expect(readState(r.dir).steps.organization).toMatchObject({ status: 'done', actions: 0 });
  });

  it("refuses to run in a member of someone else's organization: exit 1, a clear message, no organization changes", async () => {
    emu.reset('member-of-other-org+iam-user');
    const r = await runCli(['--yes', '--config', BASIC_CONFIG], { emu });
    expect(r.code, explain(r)).toBe(1);
    expect(flat(r.stdout)).toContain(`This account (${ME}) is a member of another organization`);
    expect(flat(r.stdout)).toContain(`managed by account ${OTHER}`);
    expect(flat(r.stdout)).toMatch(/leave that organization first/);
    expect(
      ops(r.mutatingCalls).filter(
        (o) => o.startsWith('organizations:') || o.startsWith('sso') || o.startsWith('cloudtrail:'),
      ),
    ).toEqual([]);
    expect(readState(r.dir).steps.organization.status).toBe('failed');
    // verify says the same, without changing anything.
    const v = await runCli(['verify', '--config', BASIC_CONFIG], { emu, dir: r.dir });
    expect(v.code, explain(v)).toBe(1);
    expect(flat(v.stdout)).toContain('is a member of another organization');
    expect(ops(v.mutatingCalls)).toEqual([]);
  });

  it('refuses an organization with only consolidated billing: exit 1, says how to enable all features', async () => {
    emu.reset('consolidated-billing+iam-user');
    const r = await runCli(['--yes', '--config', BASIC_CONFIG], { emu });
    expect(r.code, explain(r)).toBe(1);
    expect(flat(r.stdout)).toContain('has only consolidated billing');
    expect(flat(r.stdout)).toContain('Enable all features in the AWS Organizations console');
    expect(ops(r.mutatingCalls).filter((o) => o.startsWith('organizations:'))).toEqual([]);
    expect(orgsOf()[0].featureSet).toBe('CONSOLIDATED_BILLING');
  });

  it('a bad config is a usage error (exit 2) before any AWS call', async () => {
    emu.reset('fresh+iam-user');
    const r = await runCli(['plan', '--config', 'does-not-exist.json'], { emu });
    expect(r.code, explain(r)).toBe(2);
    expect(r.calls).toEqual([]);
  });
});
