// Issue 6 end to end, through the BUILT CLI against the emulator: the org trail, budget,
// anomaly detection, contacts and root access are built by a fresh run, left alone by the
// next, and each drift made behind the tool's back is named by `verify` (exit 4, with the
// SSB/CIS IDs) and repaired by exactly the calls it needs. Account hardening and the trail
// bucket are in baseline-hardening.test.ts (same shape, own emulator, to keep both files fast).
import { IAMClient, DisableOrganizationsRootSessionsCommand } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explain, ops, removeDir, runCli } from '../helpers/harness.js';
import {
  CONFIG,
  HOME,
  MGMT,
  buildBaseline,
  checkBlock,
  driftRound,
  store,
  verifyJson,
  world,
  type Built,
} from '../helpers/baseline-drift.js';

const TRAIL = 'acme-robotics-org-trail';
const TRAIL_ARN = `arn:aws:cloudtrail:${HOME}:${MGMT}:trail/${TRAIL}`;
const BUDGET = 'acme-robotics-monthly';
const MEMBERS = ['log-archive', 'audit', 'prod', 'dev'];

let b: Built;
beforeAll(async () => {
  b = await buildBaseline();
}, 60_000);
afterAll(async () => {
  await b?.emu.stop();
  if (b) removeDir(b.dir);
});

describe('a fresh run', () => {
  it('creates the organization trail: all accounts, all regions, global events, validated, logging, into the log-archive bucket', () => {
    const trails = store(b.emu, MGMT, 'cloudtrail').trails;
    expect(Object.keys(trails)).toEqual([TRAIL_ARN]);
    expect(trails[TRAIL_ARN]).toMatchObject({
      IsOrganizationTrail: true,
      IsMultiRegionTrail: true,
      IncludeGlobalServiceEvents: true,
      LogFileValidationEnabled: true,
      logging: true,
      HomeRegion: HOME,
      S3BucketName: `acme-robotics-org-trail-${b.ids['log-archive']}`,
    });
    expect(ops(b.first.mutatingCalls).filter((o) => o.startsWith('cloudtrail:'))).toEqual([
      'cloudtrail:CreateTrail',
      'cloudtrail:StartLogging',
    ]);
  });

  it('creates one monthly COST budget of 250 USD with the four alerts to the billing list', () => {
    const budgets = store(b.emu, MGMT, 'budgets').budgets;
    expect(Object.keys(budgets)).toEqual([BUDGET]);
    expect(budgets[BUDGET]).toMatchObject({
      BudgetLimit: { Amount: '250', Unit: 'USD' },
      TimeUnit: 'MONTHLY',
      BudgetType: 'COST',
    });
    expect(
      budgets[BUDGET].notifications.map((n: any) => `${n.notification.NotificationType} ${n.notification.Threshold}`),
    ).toEqual(['ACTUAL 50', 'ACTUAL 80', 'ACTUAL 100', 'FORECASTED 100']);
    for (const n of budgets[BUDGET].notifications)
      expect(n.subscribers).toEqual([{ SubscriptionType: 'EMAIL', Address: 'ops+aws-billing@acme.example' }]);
  });

  it('creates one SERVICE anomaly monitor and a daily e-mail subscription at 20 USD', () => {
    const ce = store(b.emu, MGMT, 'cost-explorer');
    expect(ce.monitors).toHaveLength(1);
    expect(ce.monitors[0]).toMatchObject({ MonitorType: 'DIMENSIONAL', MonitorDimension: 'SERVICE' });
    expect(ce.subscriptions).toHaveLength(1);
    expect(ce.subscriptions[0]).toMatchObject({
      Frequency: 'DAILY',
      MonitorArnList: [ce.monitors[0].MonitorArn],
      ThresholdExpression: {
        Dimensions: { Key: 'ANOMALY_TOTAL_IMPACT_ABSOLUTE', MatchOptions: ['GREATER_THAN_OR_EQUAL'], Values: ['20'] },
      },
    });
  });

  it('sets the three alternate contacts on the management account and every member', () => {
    for (const id of [MGMT, ...MEMBERS.map((n) => b.ids[n]!)]) {
      const c = store(b.emu, id, 'account')?.contacts ?? {};
      expect(Object.keys(c).sort(), id).toEqual(['BILLING', 'OPERATIONS', 'SECURITY']);
      expect(c.SECURITY).toMatchObject({
        EmailAddress: 'ops+aws-security@acme.example',
        PhoneNumber: '+44 20 7946 0000',
      });
    }
  });

  it('enables centralized root access and reports that no member has root credentials', () => {
    const org = Object.values(world(b.emu).orgs)[0] as any;
    expect(org.iamFeatures.sort()).toEqual(['RootCredentialsManagement', 'RootSessions']);
    expect(b.first.stderr + b.first.stdout).toContain(
      `Root user audit: none of the ${MEMBERS.length} member accounts checked has a root password, access key or MFA device`,
    );
  });

  it('a second run makes zero mutating calls', async () => {
    const r = await runCli(['--yes', '--config', CONFIG], { emu: b.emu, dir: b.dir });
    expect(r.code, explain(r)).toBe(0);
    expect(ops(r.mutatingCalls), explain(r)).toEqual([]);
  });

  it('plan and verify make zero mutating calls and find nothing', async () => {
    const p = await runCli(['plan', '--config', CONFIG], { emu: b.emu, dir: b.dir });
    expect(p.code, explain(p)).toBe(0);
    const v = await verifyJson(b);
    expect(v.code, explain(v.run)).toBe(0);
    expect([...p.mutatingCalls, ...v.run.mutatingCalls]).toEqual([]);
    const mine = [
      'log-archive-bucket',
      'org-trail',
      'budget',
      'cost-anomaly-detection',
      'alternate-contacts',
      'account-hardening',
      'root-access',
    ];
    expect(v.checks.filter((c) => mine.includes(c.step)).map((c) => `${c.step} ${c.status}`)).toEqual(
      mine.map((s) => `${s} ok`),
    );
  });
});

describe("drift behind the tool's back is reported by verify and repaired by the next run", () => {
  // The steps are independent, so their drifts share one verify and one repair run (keeps the file fast).
  it('trail stopped and validation off, budget amount, anomaly threshold, contacts removed and edited, root sessions off', async () => {
    const prod = b.ids.prod!;
    const iam = new IAMClient({ region: 'us-east-1', endpoint: b.emu.url, credentials: b.emu.credentials() });
    try {
      await driftRound(b, {
        drifts: [
          () => b.emu.drift('cloudtrail', 'trail-stopped', { name: TRAIL }),
          () => b.emu.drift('cloudtrail', 'trail-validation-off', { name: TRAIL }),
          () => b.emu.drift('budgets', 'budget-amount', { name: BUDGET, amount: '5.0' }),
          () => b.emu.drift('cost-explorer', 'anomaly-threshold', { value: 1000 }),
          () => b.emu.drift('account', 'contact-removed', { account: prod, type: 'SECURITY' }),
          () =>
            b.emu.drift('account', 'contact-changed', {
              type: 'BILLING',
              field: 'EmailAddress',
              value: 'someone@else.example',
            }),
          // Someone turns it off with the API (no emulator drift kind needed).
          () => iam.send(new DisableOrganizationsRootSessionsCommand({})),
        ],
        checks: [
          {
            title: 'Organization CloudTrail trail',
            controls: ['SSB ACCT.07', 'CIS 3.1', 'CIS 3.2'],
            findings: [
              /~ cloudtrail:StartLogging acme-robotics-org-trail \(logging is stopped\)/,
              /~ cloudtrail:UpdateTrail acme-robotics-org-trail \(log file validation off\)/,
            ],
          },
          {
            title: 'Monthly cost budget',
            controls: ['SSB ACCT.10'],
            findings: [/~ budgets:UpdateBudget acme-robotics-monthly \(5\.0 USD COST monthly → 250 USD COST monthly\)/],
          },
          {
            title: 'Cost anomaly detection',
            controls: ['SSB ACCT.16'],
            findings: [/~ ce:UpdateAnomalySubscription acme-robotics-anomaly-alerts \(threshold 1000 → 20 USD\)/],
          },
          {
            title: 'Billing, operations and security contacts',
            controls: ['SSB ACCT.01', 'CIS 1.1', 'CIS 1.2'],
            findings: [
              /\+ account:PutAlternateContact prod SECURITY \(not set; set to Ada Lovelace, ops\+aws-security@acme\.example\)/,
              /~ account:PutAlternateContact management BILLING \(e-mail differs; set to Ada Lovelace, ops\+aws-billing@acme\.example\)/,
            ],
          },
          { title: 'Root users', controls: ['SSB ACCT.02'], findings: [/\+ iam:EnableOrganizationsRootSessions/] },
        ],
        repair: [
          `cloudtrail:StartLogging@${MGMT}/${HOME}`,
          `cloudtrail:UpdateTrail@${MGMT}/${HOME}`,
          `budgets:UpdateBudget@${MGMT}/us-east-1`,
          `cost-explorer:UpdateAnomalySubscription@${MGMT}/us-east-1`,
          // Members' contacts are written from the management account, with AccountId.
          `account:PutAlternateContact@${MGMT}/us-east-1`,
          `account:PutAlternateContact@${MGMT}/us-east-1`,
          `iam:EnableOrganizationsRootSessions@${MGMT}/us-east-1`,
        ],
      });
    } finally {
      iam.destroy();
    }
    expect(store(b.emu, MGMT, 'cloudtrail').trails[TRAIL_ARN]).toMatchObject({
      logging: true,
      LogFileValidationEnabled: true,
    });
    expect(store(b.emu, MGMT, 'account').contacts.BILLING.EmailAddress).toBe('ops+aws-billing@acme.example');
    const budgets = store(b.emu, MGMT, 'budgets').budgets;
    expect(Object.keys(budgets), 'updated, not duplicated').toEqual([BUDGET]);
    expect(Number(budgets[BUDGET].BudgetLimit.Amount)).toBe(250);
    expect(budgets[BUDGET].notifications).toHaveLength(4);
    const ce = store(b.emu, MGMT, 'cost-explorer');
    expect(ce.subscriptions).toHaveLength(1);
    expect(ce.subscriptions[0].ThresholdExpression.Dimensions.Values).toEqual(['20']);
    expect(store(b.emu, prod, 'account').contacts.SECURITY).toMatchObject({
      EmailAddress: 'ops+aws-security@acme.example',
    });
    expect((Object.values(world(b.emu).orgs)[0] as any).iamFeatures).toContain('RootSessions');
  });
});

describe('root users', () => {
  it('root MFA off: the run stops with exit 3 and the console instructions; verify reports it', async () => {
    b.emu.setRootMfa(false);
    try {
      const r = await runCli(['--yes', '--config', CONFIG], { emu: b.emu, dir: b.dir });
      expect(r.code, explain(r)).toBe(3);
      const out = r.stdout + r.stderr;
      expect(out).toContain('Turn on MFA for the root user of the management account');
      expect(out).toContain('Assign MFA device');
      expect(out).toContain('https://console.aws.amazon.com/iam/home#/security_credentials');
      expect(ops(r.mutatingCalls), explain(r)).toEqual([]);
      // A console step for a person is not drift: exit 3, as a run that stops at it (issue 15).
      const v = await runCli(['verify', '--config', CONFIG], { emu: b.emu, dir: b.dir });
      expect(v.code, explain(v)).toBe(3);
      const block = checkBlock(v.stdout, 'Root users');
      expect(block?.status, explain(v)).toBe('manual');
      expect(block!.heading).toContain('CIS 1.5');
      expect(block!.findings.join('\n')).toContain('Turn on MFA for the root user');
      expect(block!.fix).toContain('https://console.aws.amazon.com/iam/home#/security_credentials');
    } finally {
      b.emu.setRootMfa(true);
    }
  });

  it('root access keys: a strong warning; a member root password: named with the central-removal steps; the run completes', async () => {
    const dev = b.ids.dev!;
    b.emu.drift('iam', 'root-credentials', { accessKey: true });
    b.emu.drift('iam', 'root-credentials', { account: dev, password: true });
    try {
      // Exit 0 also shows the run goes on once root MFA is back on (previous test).
      const r = await runCli(['--yes', '--config', CONFIG], { emu: b.emu, dir: b.dir });
      expect(r.code, explain(r)).toBe(0);
      expect(ops(r.mutatingCalls), explain(r)).toEqual([]);
      const out = r.stdout + r.stderr;
      expect(out).toMatch(/DANGER: the root user of the management account has access keys/);
      expect(out).toContain("Delete the access keys of the management account's root user");
      expect(out).toContain(`Delete the root credentials of dev (${dev}): a console password`);
      expect(out).toContain('Root user audit: 1 of 4 member accounts still has root credentials (dev)');
    } finally {
      b.emu.drift('iam', 'root-credentials', { accessKey: false });
      b.emu.drift('iam', 'root-credentials', { account: dev, password: false });
    }
  });
});
