// Issue 4 end to end: trusted access, organizational units, member accounts and service
// control policies, run by the BUILT CLI against the emulator. Scenario `fresh+iam-user`
// (the root user cannot assume roles into members), root MFA on so root-access does not
// block, and the Identity Center console step done up front (harmless before its steps exist).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AttachPolicyCommand,
  CreatePolicyCommand,
  DetachPolicyCommand,
  DescribePolicyCommand,
  ListAccountsCommand,
  ListCreateAccountStatusCommand,
  ListOrganizationalUnitsForParentCommand,
  ListParentsCommand,
  ListPoliciesCommand,
  ListPoliciesForTargetCommand,
  ListRootsCommand,
  ListTargetsForPolicyCommand,
  OrganizationsClient,
  type PolicySummary,
  type ListPoliciesCommandOutput,
} from '@aws-sdk/client-organizations';
import type { EmulatorOptions } from '../../emulator/index.js';
import {
  BASIC_CONFIG,
  explain,
  ops,
  readState,
  runCli,
  scratchDir,
  spawnCli,
  startEmu,
  type CliResult,
  type Emulator,
} from '../helpers/harness.js';
import { denyingStatements, iamActionOf, principalArnOf } from '../helpers/scp-eval.js';
import { resolveBaseline } from '../../config/load.js';
import { SCPS, scpContent } from '../../steps/lib/org-scp-policies.js';
import { ACCOUNT_QUOTA_LINK } from '../../steps/lib/org-account-errors.js';

const want = resolveBaseline(JSON.parse(readFileSync(BASIC_CONFIG, 'utf8')), { placeholders: false });
const CFG = ['--config', BASIC_CONFIG];
const HOME = want.homeRegion;
const EMAILS = Object.fromEntries(want.accounts.map((a) => [a.name, a.email]));
const ORG_STEPS = ['organization', 'trusted-access', 'organizational-units', 'accounts', 'service-control-policies'];
const GUARDRAILS = 'secure-start-guardrails';
const LOG_PROTECTION = 'secure-start-log-protection';
const REGION_GUARD = 'secure-start-region-guard';

/** A world where a full run can finish non-interactively. */
async function readyEmu(
  scenario: EmulatorOptions['scenario'] = 'fresh+iam-user',
  config?: EmulatorOptions['config'],
): Promise<Emulator> {
  const emu = await startEmu({ scenario, ...(config ? { config } : {}) });
  emu.enableIdentityCenter(HOME);
  emu.setRootMfa(true);
  return emu;
}

/** Waits (up to 30 s) until `check` holds: for moments in a running CLI, never for durations. */
async function until(what: string, check: () => boolean): Promise<void> {
  for (let i = 0; i < 1200 && !check(); i++) await new Promise((res) => setTimeout(res, 25));
  expect(check(), `timed out waiting: ${what}`).toBe(true);
}

// Retries on: Organizations throttles a burst of reads (the emulator's throttling behaviour), as AWS does.
const orgs = (emu: Emulator) =>
  new OrganizationsClient({ region: 'us-east-1', endpoint: emu.url, credentials: emu.credentials(), maxAttempts: 5 });

/** The organization as AWS (the emulator) shows it through the SDK: OU paths, accounts by email, policies. */
async function snapshot(emu: Emulator) {
  const c = orgs(emu);
  const rootId = (await c.send(new ListRootsCommand({}))).Roots![0]!.Id!;
  const ouPath: Record<string, string> = { [rootId]: 'Root' };
  const walk = async (parent: string): Promise<void> => {
    let NextToken: string | undefined;
    do {
      const page = await c.send(new ListOrganizationalUnitsForParentCommand({ ParentId: parent, NextToken }));
      for (const ou of page.OrganizationalUnits ?? []) {
        ouPath[ou.Id!] = `${ouPath[parent]}/${ou.Name}`;
        await walk(ou.Id!);
      }
      NextToken = page.NextToken;
    } while (NextToken);
  };
  await walk(rootId);
  const accounts: { id: string; name: string; email: string; path: string }[] = [];
  let NextToken: string | undefined;
  do {
    const page = await c.send(new ListAccountsCommand({ NextToken }));
    for (const a of page.Accounts ?? []) {
      const parent = (await c.send(new ListParentsCommand({ ChildId: a.Id! }))).Parents![0]!.Id!;
      accounts.push({ id: a.Id!, name: a.Name!, email: a.Email!, path: ouPath[parent]! });
    }
    NextToken = page.NextToken;
  } while (NextToken);
  const policies: Record<string, { id: string; content: string; targets: string[] }> = {};
  const summaries: PolicySummary[] = [];
  NextToken = undefined;
  do {
    const page: ListPoliciesCommandOutput = await c.send(
      new ListPoliciesCommand({ Filter: 'SERVICE_CONTROL_POLICY', NextToken }),
    );
    summaries.push(...(page.Policies ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  for (const p of summaries) {
    const content = (await c.send(new DescribePolicyCommand({ PolicyId: p.Id! }))).Policy!.Content!;
    const targets: string[] = [];
    let t: string | undefined;
    do {
      const page = await c.send(new ListTargetsForPolicyCommand({ PolicyId: p.Id!, NextToken: t }));
      targets.push(...(page.Targets ?? []).map((x) => ouPath[x.TargetId!] ?? x.TargetId!));
      t = page.NextToken;
    } while (t);
    policies[p.Name!] = { id: p.Id!, content, targets: targets.sort() };
  }
  const ouIds = Object.fromEntries(Object.entries(ouPath).map(([id, path]) => [path, id]));
  c.destroy();
  return { rootId, ouPaths: Object.values(ouPath).sort(), ouIds, accounts, policies };
}

/** SCPs in effect for an account: those on the root and on every OU above it. */
async function scpsAbove(emu: Emulator, accountId: string): Promise<{ name: string; content: string }[]> {
  const c = orgs(emu);
  const out: { name: string; content: string }[] = [];
  let child = accountId;
  for (;;) {
    const parent = (await c.send(new ListParentsCommand({ ChildId: child }))).Parents![0]!;
    const on =
      (await c.send(new ListPoliciesForTargetCommand({ TargetId: parent.Id!, Filter: 'SERVICE_CONTROL_POLICY' })))
        .Policies ?? [];
    for (const p of on)
      out.push({
        name: p.Name!,
        content: (await c.send(new DescribePolicyCommand({ PolicyId: p.Id! }))).Policy!.Content!,
      });
    if (parent.Type === 'ROOT') break;
    child = parent.Id!;
  }
  c.destroy();
  return out;
}

const expectedPaths = ['Root', 'Root/Security', 'Root/Workloads', 'Root/Workloads/NonProd', 'Root/Workloads/Prod'];
const pathOf = (ou: string) => expectedPaths.find((p) => p.endsWith(`/${ou}`))!;
const count = (r: CliResult, op: string) => r.mutatingCalls.filter((c) => c.operation === op).length;

describe('organization structure: fresh run, second run, drift', () => {
  let emu: Emulator;
  let first: CliResult;

  beforeAll(async () => {
    emu = await readyEmu();
    // Creations stay IN_PROGRESS until every account has been requested: a run that created
    // them one after another would never get there (and fail here).
    emu.setLatency({ overrides: { 'organizations:CreateAccount': { async: { min: 600_000, max: 600_000 } } } });
    const run = spawnCli(['--yes', ...CFG], { emu });
    await until(
      'every account requested at once',
      () => emu.calls().filter((c) => c.operation === 'CreateAccount').length === want.accounts.length,
    );
    emu.flushAsync();
    first = await run.done;
  });
  afterAll(async () => {
    await emu?.stop();
  });

  it('a fresh run creates exactly the configured OUs, accounts and policies', async () => {
    expect(first.code, explain(first)).toBe(0);
    const s = await snapshot(emu);
    expect(s.ouPaths).toEqual(expectedPaths);
    const members = s.accounts.filter((a) => a.id !== '123456789012');
    expect(
      members.map((a) => ({ name: a.name, email: a.email, path: a.path })).sort((a, b) => a.name.localeCompare(b.name)),
    ).toEqual(
      want.accounts
        .map((a) => ({ name: a.name, email: a.email, path: pathOf(a.ou) }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    );
    expect(Object.keys(s.policies).sort()).toEqual(['FullAWSAccess', LOG_PROTECTION, GUARDRAILS].sort());
    expect(s.policies[GUARDRAILS]!.targets).toEqual(['Root']);
    expect(s.policies[LOG_PROTECTION]!.targets).toEqual(['Root/Security']);
    for (const def of SCPS.filter((d) => d.enabled(want)))
      expect(s.policies[def.name]!.content).toBe(scpContent(def, want));

    // Exactly one create per thing (the console step already enabled sso trusted access).
    const orgCalls = first.mutatingCalls.filter((c) => c.service === 'organizations');
    expect(ops(orgCalls).sort()).toEqual(
      [
        ...Array(4).fill('organizations:CreateOrganizationalUnit'),
        ...Array(4).fill('organizations:CreateAccount'),
        ...Array(4).fill('organizations:MoveAccount'),
        ...Array(2).fill('organizations:CreatePolicy'),
        ...Array(2).fill('organizations:AttachPolicy'),
        // CloudTrail, Account, IAM and Access Analyzer (the console step enabled Identity Center's).
        ...Array(4).fill('organizations:EnableAWSServiceAccess'),
        // The audit account as Access Analyzer's delegated administrator.
        'organizations:RegisterDelegatedAdministrator',
      ].sort(),
    );
    // In parallel: every account was requested before the first one was moved into its OU
    // (and the creations completed only once all were requested, see beforeAll).
    const seqOf = (op: string) => orgCalls.filter((c) => c.operation === op).map((c) => c.seq);
    expect(Math.max(...seqOf('CreateAccount'))).toBeLessThan(Math.min(...seqOf('MoveAccount')));
    // The state file no longer lists any creation in flight.
    expect(readState(first.dir).inflight).toEqual({});
  });

  it('the calls made inside member accounts went through OrganizationAccountAccessRole and pass every SCP above them', async () => {
    const s = await snapshot(emu);
    const memberIds = new Set(s.accounts.filter((a) => a.id !== '123456789012').map((a) => a.id));
    const inMembers = first.mutatingCalls.filter((c) => c.account && memberIds.has(c.account));
    // Hardening, contacts and the trail bucket: a real amount of work, in every member.
    expect(new Set(inMembers.map((c) => c.account))).toEqual(memberIds);
    expect(inMembers.length).toBeGreaterThanOrEqual(memberIds.size * 3);
    const scps = new Map<string, { name: string; content: string }[]>();
    for (const id of memberIds) scps.set(id, await scpsAbove(emu, id));
    expect(
      scps
        .get(s.accounts.find((a) => a.name === 'log-archive')!.id)!
        .map((p) => p.name)
        .sort(),
    ).toEqual(['FullAWSAccess', 'FullAWSAccess', LOG_PROTECTION, GUARDRAILS].sort());
    let wouldBlockOthers = 0;
    for (const c of inMembers) {
      const principal = principalArnOf(c.principal!);
      expect(principal, `${c.service}:${c.operation}`).toBe(
        `arn:aws:iam::${c.account}:role/OrganizationAccountAccessRole`,
      );
      const req = {
        action: iamActionOf(c.service, c.operation),
        context: { 'aws:PrincipalArn': principal, 'aws:RequestedRegion': c.region ?? HOME },
      };
      for (const p of scps.get(c.account!)!) {
        expect(
          denyingStatements(p.content, req).map((x) => x.Sid),
          `${p.name} blocks ${c.service}:${c.operation} in ${c.account}`,
        ).toEqual([]);
      }
      const asOther = {
        ...req,
        context: { ...req.context, 'aws:PrincipalArn': `arn:aws:iam::${c.account}:role/Developer` },
      };
      if (scps.get(c.account!)!.some((p) => denyingStatements(p.content, asOther).length)) wouldBlockOthers++;
    }
    // Not vacuous: some of these calls are exactly what the guardrails forbid to anyone else
    // (account-level S3 Block Public Access in every member, the trail bucket's settings).
    expect(wouldBlockOthers).toBeGreaterThanOrEqual(memberIds.size);
  });

  it('a second run makes no mutating call', async () => {
    const again = await runCli(['--yes', ...CFG], { emu, dir: first.dir });
    expect(again.code, explain(again)).toBe(0);
    expect(ops(again.mutatingCalls)).toEqual([]);
  });

  it("drift behind the tool's back (SCP edited, SCP detached, account moved): verify exits 4 and names each, the next run restores exactly those, verify is clean", async () => {
    const s = await snapshot(emu);
    const prod = s.accounts.find((a) => a.name === 'prod')!;
    emu.drift('organizations', 'update-policy', {
      policy: GUARDRAILS,
      content:
        '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"}]}',
    });
    emu.drift('organizations', 'detach-policy', { policy: LOG_PROTECTION, target: s.ouIds['Root/Security'] });
    emu.drift('organizations', 'move-account', { accountId: prod.id, parent: 'Security' });

    const v = await runCli(['verify', ...CFG], { emu, dir: first.dir });
    expect(v.code, explain(v)).toBe(4);
    expect(v.mutatingCalls).toEqual([]);
    const report = v.stdout.replace(/\s+/g, ' '); // long lines are wrapped
    expect(report).toMatch(/~ Service control policies \([^)]*\) — differs from the baseline/);
    expect(report).toMatch(/~ Member accounts, each in its OU — differs from the baseline/);
    expect(report).toContain(`~ organizations:UpdatePolicy ${GUARDRAILS}`);
    expect(report).toContain(`+ organizations:AttachPolicy ${LOG_PROTECTION} → the Security OU`);
    expect(report).toContain('~ organizations:MoveAccount prod → Prod OU');

    const fix = await runCli(['--yes', ...CFG], { emu, dir: first.dir });
    expect(fix.code, explain(fix)).toBe(0);
    expect(ops(fix.mutatingCalls).sort()).toEqual([
      'organizations:AttachPolicy',
      'organizations:MoveAccount',
      'organizations:UpdatePolicy',
    ]);
    const after = await snapshot(emu);
    expect(after.policies[GUARDRAILS]!.content).toBe(scpContent(SCPS[0]!, want));
    expect(after.policies[LOG_PROTECTION]!.targets).toEqual(['Root/Security']);
    expect(after.accounts.find((a) => a.name === 'prod')).toEqual({ ...prod, path: 'Root/Workloads/Prod' });

    const ok = await runCli(['verify', ...CFG], { emu, dir: first.dir });
    expect(ok.code, explain(ok)).toBe(0);
  });

  it('the dev email changed in the config afterwards: the same account is kept (never a second one), with advice', async () => {
    const raw = JSON.parse(readFileSync(BASIC_CONFIG, 'utf8'));
    const cfg = join(first.dir, 'changed-email.json');
    writeFileSync(
      cfg,
      JSON.stringify({
        ...raw,
        accounts: want.accounts.map((a) => (a.name === 'dev' ? { ...a, email: 'dev-team@acme.example' } : a)),
      }),
    );
    const before = (await snapshot(emu)).accounts;
    const r = await runCli(['--yes', '--config', cfg], { emu, dir: first.dir });
    expect(r.code, explain(r)).toBe(0);
    expect(r.mutatingCalls.filter((c) => c.service === 'organizations')).toEqual([]);
    expect((await snapshot(emu)).accounts).toEqual(before);
    const out = `${r.stdout}\n${r.stderr}`.replace(/\s+/g, ' ');
    expect(out).toContain(
      `account dev (${before.find((a) => a.name === 'dev')!.id}) still has the email ${EMAILS.dev}; the config says dev-team@acme.example`,
    );
  });
});

describe.concurrent('organization structure: accounts that already exist or cannot be made', () => {
  it('an account created outside the tool with the configured email is adopted (no CreateAccount) and moved into its OU', async () => {
    const emu = await readyEmu({
      base: 'org-exists',
      principal: 'iam-user',
      members: [{ name: 'Production (old)', email: EMAILS.prod!.toUpperCase() }],
    });
    try {
      const before = await snapshot(emu);
      const existing = before.accounts.find((a) => a.name === 'Production (old)')!;
      expect(existing.path).toBe('Root');

      const r = await runCli(['--yes', ...CFG], { emu });
      expect(r.code, explain(r)).toBe(0);
      const created = r.mutatingCalls.filter((c) => c.operation === 'CreateAccount');
      expect(created).toHaveLength(want.accounts.length - 1);
      const after = await snapshot(emu);
      expect(after.accounts.find((a) => a.id === existing.id)!.path).toBe('Root/Workloads/Prod');
      expect(after.accounts.filter((a) => a.email.toLowerCase() === EMAILS.prod)).toHaveLength(1);
      expect(after.accounts).toHaveLength(1 + want.accounts.length);
      expect(readState(r.dir).outputs['prod.accountId']).toBe(existing.id);
      // Hardening reached the adopted account too.
      expect(r.mutatingCalls.some((c) => c.account === existing.id && c.operation === 'PutPublicAccessBlock')).toBe(
        true,
      );
    } finally {
      await emu.stop();
    }
  });

  it('EMAIL_ALREADY_EXISTS for one account: reported with what to do, the other accounts complete', async () => {
    const emu = await readyEmu();
    // The dev email belongs to an AWS account outside this organization.
    emu.world.addAccount('555555555555', 'Someone else', EMAILS.dev!);
    try {
      const r = await runCli(['--yes', ...CFG], { emu });
      expect(r.code, explain(r)).toBe(1);
      const out = `${r.stdout}\n${r.stderr}`.replace(/\s+/g, ' '); // the report wraps long lines
      expect(out).toContain(
        `AWS could not create the account dev (${EMAILS.dev}): ${EMAILS.dev} already belongs to another AWS account`,
      );
      expect(out).toContain('Pick another address for dev in the config (accounts → email)');
      expect(out).toMatch(/Member accounts, each in its OU failed/);

      const s = await snapshot(emu);
      const members = s.accounts.filter((a) => a.id !== '123456789012');
      expect(members.map((a) => `${a.name} ${a.path}`).sort()).toEqual([
        'audit Root/Security',
        'log-archive Root/Security',
        'prod Root/Workloads/Prod',
      ]);
      expect(count(r, 'CreateAccount')).toBe(4);
      expect(count(r, 'MoveAccount')).toBe(3);
      // The SCP step does not depend on the accounts: it completed too.
      expect(Object.keys(s.policies)).toEqual(expect.arrayContaining([GUARDRAILS, LOG_PROTECTION]));
      expect(readState(r.dir).inflight).toEqual({});

      // Run again: only dev is attempted again; nothing made twice.
      const again = await runCli(['--yes', ...CFG], { emu, dir: r.dir });
      expect(again.code, explain(again)).toBe(1);
      expect(again.mutatingCalls.filter((c) => c.service === 'organizations').map((c) => c.operation)).toEqual([
        'CreateAccount',
      ]);
      expect((await snapshot(emu)).accounts).toHaveLength(4);
    } finally {
      await emu.stop();
    }
  });

  it('ACCOUNT_LIMIT_EXCEEDED: the account over the quota is reported with the quota-increase link, the others complete', async () => {
    // The organization may hold 4 accounts: the management account and 3 members.
    const emu = await readyEmu('fresh+iam-user', { accountQuota: 4 });
    try {
      const r = await runCli(['--yes', ...CFG], { emu });
      expect(r.code, explain(r)).toBe(1);
      const out = `${r.stdout}\n${r.stderr}`.replace(/\s+/g, ' ');
      const over = want.accounts.filter((a) =>
        out.includes(
          `AWS could not create the account ${a.name} (${a.email}): the organization has reached its quota of member accounts.`,
        ),
      );
      expect(over, out).toHaveLength(1);
      expect(out).toContain(ACCOUNT_QUOTA_LINK);
      const members = (await snapshot(emu)).accounts.filter((a) => a.id !== '123456789012');
      expect(members.map((a) => a.name).sort()).toEqual(
        want.accounts
          .map((a) => a.name)
          .filter((n) => n !== over[0]!.name)
          .sort(),
      );
      expect(members.every((a) => a.path !== 'Root')).toBe(true);
    } finally {
      await emu.stop();
    }
  });

  it('answers lost after AWS acted (one of each organizations write): retried where safe, CreateAccount looked up instead of resent, nothing is made twice', async () => {
    const emu = await readyEmu();
    // The first call of each kind is applied, then its connection dropped before the answer.
    const lost = [
      'EnableAWSServiceAccess',
      'CreateOrganizationalUnit',
      'CreateAccount',
      'MoveAccount',
      'CreatePolicy',
      'AttachPolicy',
    ];
    emu.setFaults(
      lost.map((operation) => ({
        service: 'organizations',
        operation,
        kind: 'drop' as const,
        when: 'after' as const,
        times: 1,
      })),
    );
    try {
      const r = await runCli(['--yes', ...CFG], { emu });
      expect(r.code, explain(r)).toBe(0);
      // CreateAccount is never resent blindly (AWS would make a second account): the run looks
      // for the request it lost in ListCreateAccountStatus and follows it.
      expect(count(r, 'CreateAccount')).toBe(want.accounts.length);
      expect(count(r, 'MoveAccount')).toBe(want.accounts.length + 1); // the retried move finds it already moved
      expect(
        r.calls
          .filter((c) => c.fault?.startsWith('drop'))
          .map((c) => c.operation)
          .sort(),
      ).toEqual([...lost].sort());
      const s = await snapshot(emu);
      expect(s.ouPaths).toEqual(expectedPaths);
      expect(s.accounts).toHaveLength(1 + want.accounts.length);
      expect(s.accounts.filter((a) => a.id !== '123456789012').every((a) => a.path !== 'Root')).toBe(true);
      expect(new Set(want.accounts.map((a) => readState(r.dir).outputs[`${a.name}.accountId`])).size).toBe(
        want.accounts.length,
      );
      expect(Object.keys(s.policies).sort()).toEqual(['FullAWSAccess', LOG_PROTECTION, GUARDRAILS].sort());
      expect(s.policies[GUARDRAILS]!.targets).toEqual(['Root']);
      expect(s.policies[LOG_PROTECTION]!.targets).toEqual(['Root/Security']);
      const again = await runCli(['--yes', ...CFG], { emu, dir: r.dir });
      expect(ops(again.mutatingCalls), explain(again)).toEqual([]);
    } finally {
      await emu.stop();
    }
  });

  it('FinalizingOrganizationException: says to wait and run again; the next run creates the accounts', async () => {
    // A brand-new organization refuses CreateAccount for a while (here: its first 4 calls).
    const emu = await readyEmu('fresh+iam-user', { finalizing: { calls: want.accounts.length } });
    try {
      const r = await runCli(['--yes', ...CFG], { emu });
      expect(r.code, explain(r)).toBe(1);
      const out = `${r.stdout}\n${r.stderr}`.replace(/\s+/g, ' ');
      for (const a of want.accounts)
        expect(out).toContain(
          `AWS refused to create the account ${a.name} (${a.email}): AWS is still preparing the new organization.`,
        );
      expect(out).toContain('Wait, then run secure-start again; it carries on where it stopped.');
      expect((await snapshot(emu)).accounts).toHaveLength(1);
      expect(readState(r.dir).inflight).toEqual({});

      const again = await runCli(['--yes', ...CFG], { emu, dir: r.dir });
      expect(again.code, explain(again)).toBe(0);
      expect(count(again, 'CreateAccount')).toBe(want.accounts.length);
      expect((await snapshot(emu)).accounts.map((a) => a.path).sort()).toEqual(
        ['Root', ...want.accounts.map((a) => pathOf(a.ou))].sort(),
      );
    } finally {
      await emu.stop();
    }
  });

  it('killed while accounts are being created: the next run waits on the recorded requests, never creates twice', async () => {
    const emu = await readyEmu();
    // Creations stay IN_PROGRESS until the test completes them (emu.flushAsync), whatever the machine's speed.
    emu.setLatency({ overrides: { 'organizations:CreateAccount': { async: { min: 600_000, max: 600_000 } } } });
    try {
      const run = spawnCli(['--yes', ...CFG], { emu });
      // Wait until every creation request is saved in the state file, then kill -9.
      let inflight: Record<string, { requestId: string }> = {};
      await until('4 requests in the state file', () => {
        try {
          inflight = readState(run.dir)?.inflight ?? {};
        } catch {
          /* mid-rename */
        }
        return Object.keys(inflight).length === want.accounts.length;
      });
      run.child.kill('SIGKILL');
      const killed = await run.done;
      expect(Object.keys(inflight).sort(), explain(killed)).toEqual(
        want.accounts.map((a) => `account:${a.email}`).sort(),
      );
      expect(count(killed, 'CreateAccount')).toBe(want.accounts.length);

      // The next run finds the requests still in progress and waits on them; AWS then finishes them.
      const mark = Math.max(0, ...emu.calls().map((c) => c.seq));
      const next = spawnCli(['--yes', ...CFG], { emu, dir: run.dir });
      await until('the next run polls a creation', () =>
        emu.calls().some((c) => c.seq > mark && c.operation === 'DescribeCreateAccountStatus'),
      );
      emu.flushAsync();
      const resumed = await next.done;
      expect(resumed.code, explain(resumed)).toBe(0);
      expect(count(resumed, 'CreateAccount')).toBe(0);
      expect(resumed.calls.filter((c) => c.operation === 'DescribeCreateAccountStatus').length).toBeGreaterThanOrEqual(
        want.accounts.length,
      );
      // The IDs saved before the kill are AWS's requests, and they are what made the accounts.
      const c = orgs(emu);
      const statuses = [];
      let NextToken: string | undefined;
      do {
        const page = await c.send(new ListCreateAccountStatusCommand({ NextToken }));
        statuses.push(...(page.CreateAccountStatuses ?? []));
        NextToken = page.NextToken;
      } while (NextToken);
      c.destroy();
      expect(statuses.map((x) => `${x.Id} ${x.State}`).sort()).toEqual(
        Object.values(inflight)
          .map((x) => `${x.requestId} SUCCEEDED`)
          .sort(),
      );
      const s = await snapshot(emu);
      expect(s.accounts).toHaveLength(1 + want.accounts.length);
      expect(s.accounts.filter((a) => a.id !== '123456789012').every((a) => a.path !== 'Root')).toBe(true);
      expect(readState(resumed.dir).inflight).toEqual({});
    } finally {
      await emu.stop();
    }
  });
});

describe('organization structure: the five-SCPs-per-target limit and the opt-in region guard', () => {
  it('with three policies of the founder on the root, guardrails fits, the region guard stops with a clear message; after one is detached it goes on', async () => {
    const emu = await readyEmu({ base: 'org-exists', principal: 'iam-user' });
    const dir = scratchDir();
    const cfg = join(dir, 'secure-start.config.json');
    writeFileSync(
      cfg,
      JSON.stringify({ ...JSON.parse(readFileSync(BASIC_CONFIG, 'utf8')), scps: { regionGuard: true } }),
    );
    const c = orgs(emu);
    try {
      const rootId = (await c.send(new ListRootsCommand({}))).Roots![0]!.Id!;
      const theirs: string[] = [];
      for (const Name of ['TeamDenyS3Delete', 'TeamDenyGpu', 'TeamTagging']) {
        const p = await c.send(
          new CreatePolicyCommand({
            Name,
            Description: "the founder's own",
            Type: 'SERVICE_CONTROL_POLICY',
            Content:
              '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:DeleteBucket","Resource":"*"}]}',
          }),
        );
        await c.send(new AttachPolicyCommand({ PolicyId: p.Policy!.PolicySummary!.Id!, TargetId: rootId }));
        theirs.push(p.Policy!.PolicySummary!.Id!);
      }

      const r = await runCli(['--yes', '--config', cfg], { emu, dir });
      expect(r.code, explain(r)).toBe(3); // a manual step blocks; nothing failed
      const out = `${r.stdout}\n${r.stderr}`.replace(/\s+/g, ' '); // the report wraps long lines
      expect(out).toContain(`${REGION_GUARD} cannot be attached to the root: it already has 5 SCPs (AWS's limit is 5)`);
      expect(out).toContain(
        `the root already has 5: FullAWSAccess, TeamDenyS3Delete, TeamDenyGpu, TeamTagging, ${GUARDRAILS}`,
      );
      expect(out).toContain('Detach one you do not need');
      const s = await snapshot(emu);
      expect(s.policies[GUARDRAILS]!.targets).toEqual(['Root']);
      expect(s.policies[REGION_GUARD]!.targets).toEqual([]); // made, ready, not attached
      expect(s.policies[REGION_GUARD]!.content).toBe(
        scpContent(
          SCPS.find((d) => d.name === REGION_GUARD)!,
          { ...want, scps: { ...want.scps, regionGuard: true } },
        ),
      );
      // Never over the limit: AWS did not have to refuse anything.
      expect(r.calls.filter((x) => x.operation === 'AttachPolicy' && x.errorCode)).toEqual([]);

      // The founder makes room; the next run attaches the region guard and finishes.
      await c.send(new DetachPolicyCommand({ PolicyId: theirs[1]!, TargetId: rootId }));
      const again = await runCli(['--yes', '--config', cfg], { emu, dir });
      expect(again.code, explain(again)).toBe(0);
      expect(ops(again.mutatingCalls)).toEqual(['organizations:AttachPolicy']);
      expect((await snapshot(emu)).policies[REGION_GUARD]!.targets).toEqual(['Root']);
    } finally {
      c.destroy();
      await emu.stop();
    }
  });
});

describe('plan on a fresh account', () => {
  // The organization part of `plan --json`, exactly, in order, with symbolic IDs.
  const content = (name: string) =>
    scpContent(
      SCPS.find((d) => d.name === name)!,
      want,
    );
  const description = (name: string) => SCPS.find((d) => d.name === name)!.description;
  const expected = [
    { step: 'organization', symbol: '+', operation: 'CreateOrganization', input: { FeatureSet: 'ALL' } },
    // The principals the steps declare, in step order (Identity Center first: the longest path).
    ...['sso', 'cloudtrail', 'account', 'iam', 'access-analyzer'].map((s) => ({
      step: 'trusted-access',
      symbol: '+',
      operation: 'EnableAWSServiceAccess',
      input: { ServicePrincipal: `${s}.amazonaws.com` },
    })),
    {
      step: 'organizational-units',
      symbol: '+',
      operation: 'CreateOrganizationalUnit',
      input: { ParentId: '<org.rootId>', Name: 'Security' },
    },
    {
      step: 'organizational-units',
      symbol: '+',
      operation: 'CreateOrganizationalUnit',
      input: { ParentId: '<org.rootId>', Name: 'Workloads' },
    },
    {
      step: 'organizational-units',
      symbol: '+',
      operation: 'CreateOrganizationalUnit',
      input: { ParentId: '<ou.Workloads.id>', Name: 'Prod' },
    },
    {
      step: 'organizational-units',
      symbol: '+',
      operation: 'CreateOrganizationalUnit',
      input: { ParentId: '<ou.Workloads.id>', Name: 'NonProd' },
    },
    ...[
      ['log-archive', 'Security'],
      ['audit', 'Security'],
      ['prod', 'Prod'],
      ['dev', 'NonProd'],
    ].flatMap(([name, ou]) => [
      {
        step: 'accounts',
        symbol: '+',
        operation: 'CreateAccount',
        input: { Email: `ops+aws-${name}@acme.example`, AccountName: name },
      },
      {
        step: 'accounts',
        symbol: '+',
        operation: 'MoveAccount',
        input: {
          AccountId: `<${name}.accountId>`,
          SourceParentId: '<org.rootId>',
          DestinationParentId: `<ou.${ou}.id>`,
        },
      },
    ]),
    {
      step: 'service-control-policies',
      symbol: '+',
      operation: 'CreatePolicy',
      input: {
        Name: GUARDRAILS,
        Description: description(GUARDRAILS),
        Type: 'SERVICE_CONTROL_POLICY',
        Content: content(GUARDRAILS),
      },
    },
    {
      step: 'service-control-policies',
      symbol: '+',
      operation: 'AttachPolicy',
      input: { PolicyId: `<scp.${GUARDRAILS}.id>`, TargetId: '<org.rootId>' },
    },
    {
      step: 'service-control-policies',
      symbol: '+',
      operation: 'CreatePolicy',
      input: {
        Name: LOG_PROTECTION,
        Description: description(LOG_PROTECTION),
        Type: 'SERVICE_CONTROL_POLICY',
        Content: content(LOG_PROTECTION),
      },
    },
    {
      step: 'service-control-policies',
      symbol: '+',
      operation: 'AttachPolicy',
      input: { PolicyId: `<scp.${LOG_PROTECTION}.id>`, TargetId: '<ou.Security.id>' },
    },
  ].map((a) => ({ ...a, service: 'organizations', account: 'management', region: 'us-east-1' }));

  const orgPart = (r: CliResult) => {
    const planned = JSON.parse(r.stdout).records as {
      step: string;
      kind: string;
      symbol: string;
      service: string;
      operation: string;
      input: unknown;
      account: string;
      region: string;
    }[];
    return planned
      .filter((a) => ORG_STEPS.includes(a.step))
      .map(({ step, symbol, service, operation, input, account, region }) => ({
        step,
        symbol,
        service,
        operation,
        input,
        account,
        region,
      }));
  };

  it('without credentials: every organizations call with its input, in order, with symbolic IDs', async () => {
    const r = await runCli(['plan', '--json', ...CFG]);
    expect(r.code, explain(r)).toBe(0);
    expect(orgPart(r)).toEqual(expected);
  });

  it('against a fresh account (no organization yet): the same calls, and nothing changed', async () => {
    const emu = await startEmu({ scenario: 'fresh+iam-user' });
    try {
      const r = await runCli(['plan', '--json', ...CFG], { emu });
      expect(r.code, explain(r)).toBe(0);
      expect(orgPart(r), explain(r)).toEqual(expected);
      expect(r.mutatingCalls).toEqual([]);
      // Read-only through and through: no organization appeared.
      expect(r.calls.filter((c) => c.service === 'organizations').every((c) => !c.mutating)).toBe(true);
    } finally {
      await emu.stop();
    }
  });
});
