import { describe, expect, test } from 'vitest';
import type { RunResult, StepResult } from '../../engine/engine.js';
import type { ActionView } from '../../engine/io.js';
import {
  accountLabel,
  collapseRegions,
  formatPlan,
  formatPlanNotes,
  logProtectionNote,
  planNotes,
} from '../../ui/plan-view.js';
import { formatManualBox } from '../../ui/manual.js';
import { viewOf } from '../../engine/engine.js';
import { rootMfaAction } from '../../steps/root-access.js';
import { formatSummary } from '../../ui/summary.js';
import { formatVerify, verifyReport } from '../../ui/verify-view.js';
import { visibleLength, wrap } from '../../ui/render/wrap.js';
import { resolveBaseline } from '../../config/load.js';

/** Text with every run of whitespace as one space: for sentences the layout may wrap. */
const flat = (s: string) => s.replace(/\s+/g, ' ');

const want = resolveBaseline(
  {
    org: { name: 'Acme Robotics' },
    mailbox: 'ops@acme.example',
    founder: { givenName: 'Ada', familyName: 'Lovelace', email: 'ada@acme.example' },
    contacts: { billing: { phone: '1' }, operations: { phone: '1' }, security: { phone: '1' } },
  },
  { placeholders: false },
);

const call = (
  step: string,
  operation: string,
  summary: string,
  account = 'management',
  service = 'organizations',
): ActionView => ({
  step,
  kind: 'call',
  symbol: '+',
  service,
  operation,
  input: {},
  account,
  region: 'us-east-1',
  summary,
  controls: ['SSB ACCT.01'],
});
const manual = (step: string, summary: string, extra: Partial<NonNullable<ActionView['manual']>> = {}): ActionView => ({
  step,
  kind: 'manual',
  symbol: '!',
  service: 'console',
  operation: 'EnableRootMfa',
  input: {},
  account: 'management',
  region: 'us-east-1',
  summary,
  controls: ['SSB ACCT.05'],
  manual: {
    instructions: [
      'Sign in to the AWS console as the root user.',
      'Open the security credentials page and choose "Assign MFA device".',
    ],
    why: 'The root user can do anything in every account of the organization; a password alone is too little.',
    link: 'https://console.aws.amazon.com/iam/home#/security_credentials',
    blocking: true,
    ...extra,
  },
});
const step = (
  id: string,
  title: string,
  status: StepResult['status'],
  actions: ActionView[] = [],
  man: ActionView[] = [],
  error?: string,
): StepResult => ({
  id,
  title,
  controls: ['SSB ACCT.01', 'CIS 1.1'],
  status,
  actions,
  manual: man,
  ms: 0,
  ...(error ? { error: { message: error } } : {}),
});
const result = (steps: StepResult[], o: Partial<RunResult> = {}): RunResult => ({
  mode: 'plan',
  offline: false,
  steps,
  interrupted: false,
  exitCode: 0,
  ...o,
});

const accounts = step('accounts', 'Member accounts, each in its OU', 'changed', [
  call('accounts', 'CreateAccount', '+ organizations:CreateAccount prod (ops+aws-prod@acme.example)'),
  call('accounts', 'CreateAccount', '+ organizations:CreateAccount dev (ops+aws-dev@acme.example)'),
  call('accounts', 'CreateAccount', '+ organizations:CreateAccount audit (ops+aws-audit@acme.example)'),
  call('accounts', 'CreateAccount', '+ organizations:CreateAccount log-archive (ops+aws-log-archive@acme.example)'),
]);
const bucket = step('log-archive-bucket', 'Organization trail bucket in the log-archive account', 'changed', [
  call(
    'log-archive-bucket',
    'CreateBucket',
    '+ s3:CreateBucket acme-org-trail-<log-archive.accountId>',
    '<log-archive.accountId>',
    's3',
  ),
  call(
    'log-archive-bucket',
    'PutBucketVersioning',
    '+ s3:PutBucketVersioning acme-org-trail-111100000001 (Enabled)',
    '111100000001',
    's3',
  ),
]);

describe('the plan view', () => {
  test('grouped by step and by account, with control IDs and counts', () => {
    const out = formatPlan(result([accounts, bucket]), {
      color: false,
      width: 100,
      accountNames: { '111100000001': 'log-archive' },
    });
    expect(out).toContain('Member accounts, each in its OU (4 calls)');
    expect(out).toMatch(
      /Member accounts, each in its OU \(4 calls\) +SSB ACCT\.01, CIS 1\.1\n  in management account · us-east-1\n    \+ organizations:CreateAccount prod/,
    );
    expect(out).toContain('  in log-archive account · us-east-1\n    + s3:CreateBucket');
    expect(out).toContain('  in log-archive account (111100000001) · us-east-1\n    + s3:PutBucketVersioning');
    expect(out).toMatch(/Plan: 6 to add, 0 to change, 0 to destroy \(6 API calls\)\.\n$/);
  });
  test('the same call in many regions of one account is one line naming them (the JSON keeps every call)', () => {
    const regions = ['eu-west-1', 'us-east-1', 'us-west-2', 'ap-south-1'];
    const ebs = regions.map((region) => ({
      ...call(
        'account-hardening',
        'EnableEbsEncryptionByDefault',
        `+ ec2:EnableEbsEncryptionByDefault prod ${region}`,
        '111100000003',
        'ec2',
      ),
      region,
    }));
    const bpa = {
      ...call(
        'account-hardening',
        'PutPublicAccessBlock',
        '+ s3-control:PutPublicAccessBlock prod (account-level, all four flags)',
        '111100000003',
        's3-control',
      ),
      region: 'eu-west-1',
    };
    expect(collapseRegions([bpa, ...ebs])).toEqual([
      { symbol: '+', text: '+ s3-control:PutPublicAccessBlock prod (account-level, all four flags)' },
      {
        symbol: '+',
        text: '+ ec2:EnableEbsEncryptionByDefault prod in 4 regions (eu-west-1, us-east-1, us-west-2, ap-south-1)',
      },
    ]);
    // Two stay two lines.
    expect(collapseRegions(ebs.slice(0, 2)).map((r) => r.text)).toEqual([
      '+ ec2:EnableEbsEncryptionByDefault prod eu-west-1',
      '+ ec2:EnableEbsEncryptionByDefault prod us-east-1',
    ]);
    const out = formatPlan(result([step('account-hardening', 'Hardening', 'changed', [bpa, ...ebs])]), {
      color: false,
      width: 200,
      accountNames: { '111100000003': 'prod' },
    });
    expect(out).toContain('  in prod account (111100000003)\n    + s3-control:PutPublicAccessBlock prod');
    expect(out).toContain('(5 calls)');
  });
  test('the wizard shows at most N calls per account and says how many more', () => {
    const out = formatPlan(result([accounts]), { color: false, maxPerGroup: 2 });
    expect(out).toContain('CreateAccount dev');
    expect(out).not.toContain('CreateAccount audit');
    expect(out).toContain('    … and 2 more');
  });
  test('manual steps are marked as a step for you, advice as advice, without a doubled "!"', () => {
    const s = step(
      'root-access',
      'Root users',
      'manual',
      [],
      [
        manual('root-access', '! Turn on MFA for the root user'),
        manual('root-access', '! Require MFA', { blocking: false }),
      ],
    );
    const out = formatPlan(result([s]), { color: false });
    expect(out).toContain('  ! Turn on MFA for the root user (a step for you)');
    expect(out).toContain('  ! Require MFA (advice)');
    expect(out).toMatch(/1 step for you in the\s+console\./);
  });
  test('a step that could not be planned says why', () => {
    const out = formatPlan(result([step('x', 'X', 'failed', [], [], 'AWS Organizations is not enabled.')]), {
      color: false,
    });
    expect(out).toContain('  ✗ could not plan: AWS Organizations is not enabled.');
  });
  test('account labels', () => {
    expect(accountLabel('management')).toBe('management account');
    expect(accountLabel('<prod.accountId>')).toBe('prod account');
    expect(accountLabel('111100000003', { '111100000003': 'prod' })).toBe('prod account (111100000003)');
    expect(accountLabel('111100000003')).toBe('account 111100000003');
  });
  test('what costs money and what cannot be undone, from the operations planned', () => {
    const trail = step('org-trail', 'Trail', 'changed', [
      call('org-trail', 'CreateTrail', '+ trail', 'management', 'cloudtrail'),
    ]);
    const budget = step('budget', 'Budget', 'changed', [
      call('budget', 'CreateBudget', '+ budget', 'management', 'budgets'),
    ]);
    const anomaly = step('cad', 'Anomaly', 'changed', [
      call('cad', 'CreateAnomalyMonitor', '+ m', 'management', 'cost-explorer'),
    ]);
    const org = step('organization', 'Org', 'changed', [call('organization', 'CreateOrganization', '+ org')]);
    const n = planNotes(result([org, accounts, trail, budget, anomaly]));
    expect(n.money.join('\n')).toMatch(/CloudTrail: the first copy of management events is free; you pay S3 storage/);
    expect(n.money.join('\n')).toMatch(/Budgets: free/);
    expect(n.money.join('\n')).toMatch(/Cost Anomaly Detection: free/);
    expect(n.permanent.join('\n')).toMatch(/4 new AWS accounts: .*closing one takes 90 days/);
    expect(n.permanent.join('\n')).toMatch(/management account of a new organization/);
    // Without the config it makes no claim about who can delete the logs.
    expect(n.permanent.join('\n')).not.toMatch(/Audit logs/);
    // Nothing planned: nothing to say.
    expect(formatPlanNotes(result([step('x', 'X', 'ok')]), { color: false })).toBe('');
  });
});

describe('the manual-step box', () => {
  test('what, why and link, within the width: a link too long for the box stays whole under it', () => {
    for (const width of [60, 80, 100]) {
      const box = formatManualBox(manual('root-access', '! Turn on MFA for the root user of the management account'), {
        color: false,
        width,
      });
      const lines = box.trimEnd().split('\n');
      expect(lines[0]).toMatch(/^┌─ A step for you ─+┐$/);
      expect(lines.find((l) => l.startsWith('└'))).toMatch(/^└─+┘$/);
      expect(box).toContain('Turn on MFA for the root user');
      expect(box).not.toContain('! Turn on');
      expect(box).toMatch(/1\. Sign in to the AWS console/);
      expect(box).toMatch(/Why: The root user can do anything/);
      expect(box).toContain('Link: https://console.aws.amazon.com/iam/home#/security_credentials');
      // Every bordered line has the same width, and none is wider than the terminal.
      const bordered = lines.filter((l) => l.endsWith('│') || l.endsWith('┐') || l.endsWith('┘'));
      expect(new Set(bordered.map(visibleLength)).size).toBe(1);
      // Nothing crosses the box's edge: a URL too long for it is named "the link below" and
      // printed whole after the box (60 columns), else it stays inside (100).
      for (const l of lines.filter((x) => /^[│┌└]/.test(x))) expect(visibleLength(l), l).toBeLessThanOrEqual(width);
      expect(lines.filter((l) => !/^[│┌└]/.test(l)).every((l) => /^Link: https:\/\//.test(l))).toBe(true);
    }
    // The step's own box: its instructions name the link, which does not fit 60 columns.
    const real = formatManualBox(viewOf('root-access', rootMfaAction(), []), { color: false, width: 60 });
    expect(flat(real.replace(/│/g, ''))).toContain('2. Open the link below (account menu → Security credentials).');
    expect(real.trimEnd().split('\n').at(-1)).toBe(
      'Link: https://console.aws.amazon.com/iam/home#/security_credentials',
    );
    for (const l of real.split('\n').filter((x) => /^[│┌└]/.test(x)))
      expect(visibleLength(l), l).toBeLessThanOrEqual(60);
  });
  test('after a check that still sees it, it says so; a profile switch is announced', () => {
    const box = formatManualBox(
      manual('leave-root', '! Continue as your Identity Center admin', { switchProfile: 'acme-management-admin' }),
      { color: false, width: 80, stillSeen: true },
    );
    expect(box).toContain('secure-start checked and still sees this as not done.');
    expect(flat(box.replace(/│/g, ''))).toContain('goes on with the AWS profile acme-management-admin');
  });
});

describe('the end summary', () => {
  const outputs = { 'sso.startUrl': 'https://d-1234567890.awsapps.com/start' };
  test('done: what was built, the start URL, profiles, the next three things, how to verify', () => {
    const out = formatSummary(result([accounts, step('budget', 'Monthly cost budget', 'ok')], { mode: 'apply' }), {
      statePath: '/x/secure-start.state.json',
      color: false,
      want,
      outputs,
      profiles: ['acme-robotics-management-admin'],
      profilesFile: '/x/.aws/config',
    });
    expect(out).toContain('Done: 4 changes applied in 1 step.');
    expect(out).toContain('  ✓ Member accounts, each in its OU');
    expect(out).toContain('  ✓ Monthly cost budget');
    expect(out).toContain('Sign-in URL: https://d-1234567890.awsapps.com/start');
    expect(out).toContain('AWS CLI profiles in /x/.aws/config:\n  acme-robotics-management-admin');
    expect(out).toMatch(/1\. Set your password and MFA/);
    expect(flat(out)).toMatch(/2\. .*aws sso login --sso-session acme-robotics/);
    expect(out).toMatch(/3\. Invite teammates/);
    expect(out).toContain('State file: /x/secure-start.state.json');
    expect(flat(out)).toContain('npx secure-start verify');
  });
  test('waiting for a person: the instructions and the exact command to go on', () => {
    const s = step(
      'leave-root',
      'Leave root',
      'blocked',
      [],
      [manual('leave-root', '! Sign in through Identity Center', { switchProfile: 'acme-robotics-management-admin' })],
    );
    const out = formatSummary(result([s], { mode: 'apply', exitCode: 3 }), {
      statePath: '/x/s.json',
      color: false,
      want,
      outputs: {},
      switchProfile: 'acme-robotics-management-admin',
    });
    expect(out).toContain('Waiting for you:');
    expect(out).toContain('Sign in to the AWS console as the root user.');
    expect(out).toContain('npx secure-start --profile acme-robotics-management-admin');
    expect(out).not.toContain('Done:');
  });
  test('interrupted: progress saved, run again', () => {
    const out = formatSummary(result([accounts], { interrupted: true, exitCode: 130 }), {
      statePath: '/x/s.json',
      color: false,
      want,
      outputs: {},
    });
    expect(out).toMatch(/Stopped by Ctrl-C\. Nothing is lost: progress is saved in \/x\/s\.json\./);
  });
  test('failed: the reason and that finished steps are not repeated', () => {
    const out = formatSummary(
      result([step('budget', 'Budget', 'failed', [], [], 'budgets:CreateBudget failed. Run again.')], { exitCode: 1 }),
      { statePath: '/x/s.json', color: false, want, outputs: {} },
    );
    expect(out).toContain('1 step failed:\n  ✗ Budget: budgets:CreateBudget failed. Run again.');
    expect(flat(out)).toContain('finished steps are not repeated');
  });
});

describe('the verify findings report', () => {
  const steps = [
    { id: 'budget', severity: 'medium' as const, why: 'Budgets catch runaway spend.' },
    { id: 'hardening', severity: 'high' as const, why: 'Weak passwords leak.' },
    { id: 'root-access', severity: 'critical' as const, why: 'Root can do anything.' },
    { id: 'x', severity: 'low' as const, why: 'It matters a little.' },
  ];
  const mixed = () =>
    result(
      [
        step('budget', 'Monthly cost budget with e-mail alerts', 'ok'),
        step('hardening', 'Account hardening: S3 Block Public Access, EBS encryption, password policy', 'drift', [
          call(
            'hardening',
            'UpdateAccountPasswordPolicy',
            '+ iam:UpdateAccountPasswordPolicy management (no password policy; set length ≥ 14)',
            'management',
            'iam',
          ),
          {
            ...call(
              'hardening',
              'EnableEbsEncryptionByDefault',
              '~ ec2:EnableEbsEncryptionByDefault prod us-west-2',
              '111100000003',
              'ec2',
            ),
            region: 'us-west-2',
          },
        ]),
        step('root-access', 'Root users', 'manual', [], [manual('root-access', '! Turn on MFA for the root user')]),
        step('x', 'Broken', 'failed', [], [], 'Could not read it.'),
      ],
      { mode: 'verify', exitCode: 4 },
    );

  test('one finding per affected resource: severity, account, resource, why, fix; sorted by severity', () => {
    const r = verifyReport(mixed(), steps, { account: '123456789012', accountNames: { '111100000003': 'prod' } });
    expect(r.schemaVersion).toBe(2);
    expect(r.checks.map((c) => c.status)).toEqual(['ok', 'drift', 'manual', 'error']);
    expect(r.findings.map((f) => [f.severity, f.status, f.account, f.resource])).toEqual([
      ['critical', 'manual', 'management', 'Turn on MFA for the root user'],
      ['high', 'drift', 'management', 'management (no password policy; set length ≥ 14)'],
      ['high', 'drift', 'prod (111100000003)', 'prod us-west-2'],
      ['low', 'error', 'management', 'the reads of this check failed'],
    ]);
    expect(r.findings[0]).toMatchObject({
      why: expect.stringMatching(/root user can do anything/),
      fix: expect.stringMatching(/^Sign in to the AWS console as the root user\./),
    });
    expect(r.findings[1]).toMatchObject({
      why: 'Weak passwords leak.',
      fix: 'run `npx secure-start`: it repairs this',
      region: 'us-east-1',
    });
    expect(r.findings[3]!.fix).toBe('Could not read it.');
    expect(r.counts).toMatchObject({
      critical: 1,
      high: 2,
      medium: 0,
      low: 1,
      findings: 4,
      ok: 1,
      drift: 1,
      manual: 1,
      error: 1,
    });
  });

  test('the text: grouped by severity, the check once with its IDs, a line per resource, why and fix; fits 60 columns', () => {
    const out = formatVerify(verifyReport(mixed(), steps, { accountNames: { '111100000003': 'prod' } }), {
      color: false,
      width: 60,
    });
    const at = [
      'Findings: 4 (1 critical, 2 high, 0 medium, 1 low)',
      'CRITICAL (1)',
      '! Root users — a step for you',
      'HIGH (2)',
      '~ Account hardening',
      'management · us-east-1: + iam:UpdateAccountPasswordPolicy management (no password policy',
      'prod (111100000003) · us-west-2: ~ ec2:EnableEbsEncryptionByDefault prod us-west-2',
      'why: Weak passwords leak.',
      'fix: run `npx secure-start`: it repairs this',
      'LOW (1)',
      '✗ Broken — could not be checked',
      'Passed (1)',
      'ok Monthly cost budget',
      '1 ok, 1 drift, 1 manual, 1 error. exit 4: drift',
    ].map((t) => flat(out).indexOf(t));
    expect(
      at.every((i) => i >= 0),
      flat(out),
    ).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    // The check's heading and why come once for its two resources.
    expect(out.match(/why: Weak passwords leak\./g)).toHaveLength(1);
    for (const l of out.split('\n')) if (!l.includes('https://')) expect(visibleLength(l), l).toBeLessThanOrEqual(60);
  });

  test('advice (a non-blocking console step) is not a finding and changes no exit code; all ok says so', () => {
    const r = verifyReport(
      result(
        [
          step(
            'identity-store',
            'Identity Center users and groups',
            'ok',
            [],
            [manual('identity-store', '! Require MFA at every Identity Center sign-in', { blocking: false })],
          ),
        ],
        { mode: 'verify', exitCode: 0 },
      ),
      [],
    );
    expect(r.checks[0]).toMatchObject({
      status: 'ok',
      findings: [],
      advice: ['Require MFA at every Identity Center sign-in'],
    });
    expect(r.findings).toEqual([]);
    const out = formatVerify(r, { color: false, width: 80 });
    expect(out).toContain('Findings: none. Every control matches the baseline.');
    expect(out).toContain('  - Require MFA at every Identity Center sign-in');
    expect(out).toContain('1 ok, 0 drift, 0 manual, 0 error. exit 0: all ok.');
  });
});

describe('wrap', () => {
  test('wraps at word boundaries with a hanging indent; never splits a word', () => {
    expect(wrap('  one two three four', 10, '    ')).toBe('  one two\n    three\n    four');
    expect(wrap('https://a-very-long-url.example/with/a/path', 10)).toBe('https://a-very-long-url.example/with/a/path');
    expect(visibleLength('\x1b[31mred\x1b[39m')).toBe(3);
  });
});

describe('errors in the summary', () => {
  const failed = (code?: string) =>
    result(
      [
        {
          ...step('budget', 'Budget', 'failed'),
          error: {
            message: 'budgets:CreateBudget failed. Wait a minute and run again.',
            code,
            requestId: 'req-123',
            service: 'budgets',
            operation: 'CreateBudget',
          },
        },
      ],
      { exitCode: 1 },
    );
  test('the AWS error code and request ID only under --verbose', () => {
    const plain = formatSummary(failed('ThrottlingException'), { statePath: '/x', color: false, want, outputs: {} });
    expect(plain).toContain('Wait a minute and run again.');
    expect(plain).not.toContain('ThrottlingException');
    expect(plain).not.toContain('req-123');
    const verbose = formatSummary(failed('ThrottlingException'), {
      statePath: '/x',
      color: false,
      want,
      outputs: {},
      verbose: true,
    });
    expect(verbose).toContain('AWS error ThrottlingException, request ID req-123 (budgets:CreateBudget)');
  });
});

describe('rounds between manual steps', () => {
  test('the summary counts every round\'s changes; a step changed in an earlier round stays "changed"', async () => {
    const { mergeRounds } = await import('../../ui/commands/run.js');
    const first = result([accounts, step('leave-root', 'Leave root', 'blocked')], { mode: 'apply', exitCode: 3 });
    const second = result(
      [step('accounts', 'Member accounts, each in its OU', 'ok'), step('leave-root', 'Leave root', 'ok')],
      { mode: 'apply' },
    );
    const merged = mergeRounds([first, second]);
    expect(merged.steps.map((s) => [s.id, s.status, s.actions.length])).toEqual([
      ['accounts', 'changed', 4],
      ['leave-root', 'ok', 0],
    ]);
    expect(merged.exitCode).toBe(0);
    expect(formatSummary(merged, { statePath: '/x', color: false, want, outputs: {} })).toContain(
      'Done: 4 changes applied in 1 step.',
    );
  });
});

describe('line-by-line progress', () => {
  test('a non-blocking manual action is shown once, with the one "!" its summary starts with', async () => {
    const { LinesIoHost } = await import('../../ui/render/lines.js');
    const { PassThrough } = await import('node:stream');
    const out = new PassThrough();
    let text = '';
    out.on('data', (d) => (text += d));
    const host = new LinesIoHost(out, { verbose: false, color: false });
    host.notify({
      type: 'manual',
      step: 'identity-store',
      action: manual('identity-store', '! Require MFA at every sign-in', { blocking: false }),
    });
    expect(text.split('\n').filter(Boolean)).toEqual(['  ! Require MFA at every sign-in']);
  });

  test('plan and verify (quiet) leave the offline notice and advice to their report: not printed twice', async () => {
    const { LinesIoHost } = await import('../../ui/render/lines.js');
    const { PassThrough } = await import('node:stream');
    const out = new PassThrough();
    let text = '';
    out.on('data', (d) => (text += d));
    const host = new LinesIoHost(out, { verbose: false, color: false, quiet: true });
    host.notify({ type: 'run-start', mode: 'plan', offline: true, steps: [] });
    host.notify({
      type: 'manual',
      step: 'identity-store',
      action: manual('identity-store', '! Require MFA at every sign-in', { blocking: false }),
    });
    expect(text).toBe('');
  });
});

describe('who can and cannot delete the audit logs (the plan says it before anything is applied)', () => {
  const trail = step('org-trail', 'Trail', 'changed', [
    call('org-trail', 'CreateTrail', '+ trail', 'management', 'cloudtrail'),
  ]);
  const key = step('trail-key', 'Key', 'changed', [
    call('trail-key', 'CreateKey', '+ key', '<log-archive.accountId>', 'kms'),
  ]);
  test('default: members cannot, the management account can (SCPs never apply there), never "even administrators"', () => {
    const text = flat(formatPlanNotes(result([trail, key]), { color: false, want }));
    expect(text).toContain(
      'nobody in the member accounts (their administrators, root users and Identity Center users included) can delete the log bucket, its log files or their KMS key',
    );
    expect(text).toContain('take over OrganizationAccountAccessRole');
    expect(text).toContain(
      'SCPs never apply to the management account: its administrators and root user can stop or delete the trail',
    );
    expect(text).toContain(
      'Through OrganizationAccountAccessRole in the log-archive account they can also delete log files; S3 Object Lock in compliance mode ("trail.objectLock" in the config) would stop that.',
    );
    expect(text).not.toMatch(/even administrators/i);
    expect(text).toContain('KMS key for the trail logs: 1 USD a month');
  });
  test('with Object Lock: its cost, that it never turns off, and that compliance stops even the management account', () => {
    const w = { ...want, trail: { ...want.trail, objectLock: { mode: 'compliance' as const, days: 365 } } };
    const lock = step('log-archive-object-lock', 'Lock', 'changed', [
      call('log-archive-object-lock', 'PutObjectLockConfiguration', '+ lock', '<log-archive.accountId>', 's3'),
    ]);
    const n = planNotes(result([trail, lock]), w);
    expect(flat(n.money.join(' '))).toContain(
      'S3 Object Lock: no charge of its own, but no log file can be deleted for 365 days, so you pay to store each one at least that long.',
    );
    expect(flat(n.permanent.join(' '))).toContain(
      "S3 Object Lock (compliance, 365 days) on the log bucket can never be turned off and keeps versioning on for good; a log file's 365-day retention cannot be shortened by anyone",
    );
    expect(logProtectionNote(w)).toContain(
      "They cannot delete a log file for 365 days after it is written: S3 Object Lock in compliance mode stops everyone, the management account's root user included.",
    );
    const g = { ...want, trail: { ...want.trail, objectLock: { mode: 'governance' as const, days: 30 } } };
    expect(logProtectionNote(g)).toContain('Object Lock in governance mode lets them bypass the retention');
    const noProtection = { ...want, scps: { ...want.scps, logProtection: false } };
    expect(logProtectionNote(noProtection)).toContain(
      'the log-protection SCP is turned off in the config, so administrators of the log-archive account can delete the log bucket',
    );
  });
});

describe('verify says what an ok guardrail does not cover', () => {
  test('the management account is never bound by SCPs; with compliance Object Lock it cannot delete logs, so that part goes', async () => {
    const { scpScopeNote } = await import('../../ui/verify-view.js');
    expect(scpScopeNote(want)).toBe(
      'The guardrails (SCPs) bind everyone in the member accounts, never the management account: its administrators can stop the trail and, through OrganizationAccountAccessRole, delete log files. See "What the guardrails stop" in the README.',
    );
    expect(
      scpScopeNote({ ...want, trail: { ...want.trail, objectLock: { mode: 'compliance', days: 30 } } }),
    ).not.toContain('delete log files');
    expect(
      scpScopeNote({ ...want, scps: { guardrails: false, logProtection: false, regionGuard: false } }),
    ).toBeUndefined();
    const out = formatVerify(verifyReport(result([]), []), { color: false, note: scpScopeNote(want) });
    expect(flat(out)).toContain('never the management account');
  });
});
