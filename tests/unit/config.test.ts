import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, readConfigFile, resolveBaseline } from '../../config/load.js';
import { slugify, plusAddress } from '../../config/defaults.js';

const good = {
  org: { name: 'Acme Robotics' },
  mailbox: 'ops@acme.example',
  founder: { givenName: 'Ada', familyName: 'Lovelace', email: 'ada@acme.example' },
  contacts: {
    billing: { phone: '+1 555 0100' },
    operations: { phone: '+1 555 0100' },
    security: { phone: '+1 555 0100' },
  },
};

function issuesOf(raw: unknown): { path: string; message: string }[] {
  try {
    resolveBaseline(raw, { placeholders: false });
  } catch (e) {
    if (e instanceof ConfigError) return e.issues;
    throw e;
  }
  return [];
}

describe('resolveBaseline: defaults', () => {
  it('fills every default from BASELINE.md and derives slug, account emails and contacts', () => {
    const b = resolveBaseline(good, { placeholders: false });
    expect(b.org.slug).toBe('acme-robotics');
    expect(b.accounts.map((a) => [a.name, a.email, a.ou])).toEqual([
      ['log-archive', 'ops+aws-log-archive@acme.example', 'Security'],
      ['audit', 'ops+aws-audit@acme.example', 'Security'],
      ['prod', 'ops+aws-prod@acme.example', 'Prod'],
      ['dev', 'ops+aws-dev@acme.example', 'NonProd'],
    ]);
    expect(b.organizationalUnits.map((o) => `${o.parent}/${o.name}`)).toEqual([
      'Root/Security',
      'Root/Workloads',
      'Workloads/Prod',
      'Workloads/NonProd',
    ]);
    expect(b.identityCenter.permissionSets.map((p) => [p.name, p.sessionHours])).toEqual([
      ['AdministratorAccess', 8],
      ['PowerUser', 8],
      ['ReadOnly', 8],
      ['Billing', 8],
    ]);
    expect(b.identityCenter.assignments).toContainEqual({
      group: 'Developers',
      permissionSet: 'ReadOnly',
      accounts: ['prod'],
    });
    expect(b.identityCenter.assignments).toContainEqual({
      group: 'Billing',
      permissionSet: 'Billing',
      accounts: ['management'],
    });
    expect(b.budget).toEqual({ amount: 100, currency: 'USD', emails: ['ops+aws-billing@acme.example'] });
    expect(b.anomaly.thresholdUsd).toBe(20);
    expect(b.contacts.security).toEqual({
      name: 'Ada Lovelace',
      title: 'Security contact',
      email: 'ops+aws-security@acme.example',
      phone: '+1 555 0100',
    });
    expect(b.hardening.passwordPolicy).toEqual({ minimumLength: 14, reusePrevention: 24 });
    // No Glacier transition (small CloudTrail files cost more there); Object Lock opt-in.
    expect(b.trail).toEqual({
      name: 'acme-robotics-org-trail',
      glacierAfterDays: 0,
      expireAfterDays: 365,
      objectLock: { mode: 'off', days: 365 },
    });
    expect(b.homeRegion).toBe('us-east-1');
    expect(b.allowedRegions).toEqual(['us-east-1']);
  });

  it('adds the Sandbox OU when a sandbox account is chosen, and gives developers power in it', () => {
    const b = resolveBaseline(
      {
        ...good,
        accounts: [
          { name: 'log-archive', ou: 'Security' },
          { name: 'audit', ou: 'Security' },
          { name: 'prod', ou: 'Prod' },
          { name: 'dev', ou: 'NonProd' },
          { name: 'sandbox', ou: 'Sandbox' },
        ],
      },
      { placeholders: false },
    );
    expect(b.organizationalUnits.map((o) => o.name)).toContain('Sandbox');
    expect(b.identityCenter.assignments).toContainEqual({
      group: 'Developers',
      permissionSet: 'PowerUser',
      accounts: ['dev', 'sandbox'],
    });
    expect(b.accounts.find((a) => a.name === 'sandbox')?.email).toBe('ops+aws-sandbox@acme.example');
  });

  it('keeps visible placeholders for plan when nothing is answered', () => {
    const b = resolveBaseline({}, { placeholders: true });
    expect(b.org.name).toBe('<org-name>');
    expect(b.founder.email).toBe('<founder-email>');
    expect(b.accounts[2]!.email).toBe('ops+aws-prod@<your-domain>');
  });

  it('refuses placeholders when applying, naming each missing answer', () => {
    const paths = issuesOf({}).map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['org.name', 'mailbox', 'founder.email', 'contacts.billing.phone']));
    expect(issuesOf({}).every((i) => /required/.test(i.message))).toBe(true);
  });

  it('slugify and plus addressing', () => {
    expect(slugify('Café Ünïcode & Co., Ltd.')).toBe('cafe-unicode-co-ltd');
    expect(slugify('A'.repeat(40))).toHaveLength(20);
    expect(plusAddress('ops@acme.com', 'aws-prod')).toBe('ops+aws-prod@acme.com');
  });
});

// Each bad input: the config to merge over `good`, the field path the message must name,
// and a fragment of the message that says what is allowed.
const bad: [string, Record<string, unknown>, string, RegExp][] = [
  [
    'account email with a space',
    { accounts: [{ name: 'prod', ou: 'Prod', email: 'ops +prod@acme.example' }] },
    'accounts[0].email',
    /spaces/,
  ],
  [
    'account email without @',
    { accounts: [{ name: 'prod', ou: 'Prod', email: 'ops.acme.example' }] },
    'accounts[0].email',
    /needs an @ and a domain/,
  ],
  [
    'account email too long',
    { accounts: [{ name: 'prod', ou: 'Prod', email: `${'a'.repeat(60)}@acme.example` }] },
    'accounts[0].email',
    /6 to 64/,
  ],
  [
    'account email with forbidden character',
    { accounts: [{ name: 'prod', ou: 'Prod', email: 'o(ps)@acme.example' }] },
    'accounts[0].email',
    /must not contain/,
  ],
  [
    'account email domain without dot',
    { accounts: [{ name: 'prod', ou: 'Prod', email: 'ops@localhost' }] },
    'accounts[0].email',
    /domain with a dot/,
  ],
  ['non-ASCII email', { mailbox: 'öps@acme.example' }, 'mailbox', /ASCII/],
  ['budget of -5', { budget: { amount: -5 } }, 'budget.amount', /more than 0/],
  ['budget as text', { budget: { amount: '100' } }, 'budget.amount', /number/],
  [
    'budget with more digits than a number holds',
    { budget: { amount: 12345678901234567890 } },
    'budget.amount',
    /more than 15 significant digits/,
  ],
  ['region mars-1', { homeRegion: 'mars-1' }, 'homeRegion', /not an AWS region/],
  ['allowed region unknown', { allowedRegions: ['us-east-1', 'eu-moon-1'] }, 'allowedRegions[1]', /not an AWS region/],
  [
    'allowed regions without home',
    { homeRegion: 'eu-west-1', allowedRegions: ['us-east-1'] },
    'allowedRegions',
    /home region eu-west-1/,
  ],
  [
    'two accounts with the same email',
    {
      accounts: [
        { name: 'prod', ou: 'Prod', email: 'x+1@acme.example' },
        { name: 'dev', ou: 'NonProd', email: 'X+1@acme.example' },
        { name: 'log-archive', ou: 'Security' },
        { name: 'audit', ou: 'Security' },
      ],
    },
    'accounts',
    /own email/,
  ],
  [
    'two accounts with the same name',
    {
      accounts: [
        { name: 'prod', ou: 'Prod' },
        { name: 'prod', ou: 'NonProd', email: 'z@acme.example' },
        { name: 'log-archive', ou: 'Security' },
        { name: 'audit', ou: 'Security' },
      ],
    },
    'accounts',
    /unique/,
  ],
  [
    'account name over 50 characters',
    { accounts: [{ name: 'a'.repeat(51), ou: 'Prod' }] },
    'accounts[0].name',
    /1 to 50/,
  ],
  ['account name with capitals', { accounts: [{ name: 'Prod', ou: 'Prod' }] }, 'accounts[0].name', /lowercase/],
  [
    'account in unknown OU',
    {
      accounts: [
        { name: 'prod', ou: 'Moon' },
        { name: 'log-archive', ou: 'Security' },
        { name: 'audit', ou: 'Security' },
      ],
    },
    'accounts[0].ou',
    /not an OU/,
  ],
  ['log archive account missing', { logArchiveAccount: 'logs' }, 'logArchiveAccount', /not one of the accounts/],
  [
    'session of 13 hours',
    { identityCenter: { permissionSets: [{ name: 'Admin', managedPolicies: [], sessionHours: 13 }] } },
    'identityCenter.permissionSets[0].sessionHours',
    /at most 12/,
  ],
  [
    'session of 0 hours',
    { identityCenter: { permissionSets: [{ name: 'Admin', managedPolicies: [], sessionHours: 0 }] } },
    'identityCenter.permissionSets[0].sessionHours',
    /at least 1/,
  ],
  [
    'permission set name too long',
    { identityCenter: { permissionSets: [{ name: 'x'.repeat(33), managedPolicies: [], sessionHours: 8 }] } },
    'identityCenter.permissionSets[0].name',
    /1 to 32/,
  ],
  [
    'eleven managed policies on one permission set',
    {
      identityCenter: {
        permissionSets: [
          {
            name: 'Admin',
            managedPolicies: Array.from({ length: 11 }, (_, i) => `arn:aws:iam::aws:policy/P${i}`),
            sessionHours: 8,
          },
        ],
      },
    },
    'identityCenter.permissionSets[0].managedPolicies',
    /at most 10 managed policies/,
  ],
  [
    'non-AWS managed policy',
    {
      identityCenter: {
        permissionSets: [{ name: 'X', managedPolicies: ['arn:aws:iam::123456789012:policy/Mine'], sessionHours: 8 }],
      },
    },
    'identityCenter.permissionSets[0].managedPolicies[0]',
    /AWS managed policy/,
  ],
  [
    'assignment to unknown group',
    { identityCenter: { assignments: [{ group: 'Ghosts', permissionSet: 'ReadOnly', accounts: ['*'] }] } },
    'identityCenter.assignments[0].group',
    /not one of the groups/,
  ],
  [
    'assignment to unknown account',
    { identityCenter: { assignments: [{ group: 'Admins', permissionSet: 'ReadOnly', accounts: ['staging'] }] } },
    'identityCenter.assignments[0].accounts',
    /not an account/,
  ],
  ['phone with letters', { contacts: { billing: { phone: 'call me' } } }, 'contacts.billing.phone', /digits/],
  [
    'contact title over 50',
    { contacts: { security: { title: 't'.repeat(51) } } },
    'contacts.security.title',
    /at most 50/,
  ],
  ['unknown top-level field', { budjet: { amount: 5 } }, '', /"budjet" is not a known setting/],
  [
    'unknown nested field',
    { budget: { amount: 5, currency: 'USD', limit: 9 } },
    'budget',
    /"limit" is not a known setting/,
  ],
  [
    'password length 8',
    { hardening: { passwordPolicy: { minimumLength: 8 } } },
    'hardening.passwordPolicy.minimumLength',
    /at least 14/,
  ],
  [
    'reuse prevention 25',
    { hardening: { passwordPolicy: { reusePrevention: 25 } } },
    'hardening.passwordPolicy.reusePrevention',
    /24/,
  ],
  [
    'expire before glacier',
    { trail: { glacierAfterDays: 90, expireAfterDays: 30 } },
    'trail.expireAfterDays',
    /more than glacierAfterDays/,
  ],
  [
    'Object Lock mode unknown',
    { trail: { objectLock: { mode: 'legal-hold' } } },
    'trail.objectLock.mode',
    /off, governance or compliance/,
  ],
  [
    'Object Lock of 0 days',
    { trail: { objectLock: { mode: 'compliance', days: 0 } } },
    'trail.objectLock.days',
    /at least 1 day/,
  ],
  [
    'Object Lock longer than the expiry',
    { trail: { expireAfterDays: 365, objectLock: { mode: 'compliance', days: 400 } } },
    'trail.objectLock.days',
    /at most expireAfterDays \(365\)/,
  ],
  ['anomaly frequency IMMEDIATE', { anomaly: { frequency: 'IMMEDIATE' } }, 'anomaly.frequency', /DAILY or WEEKLY/],
  [
    'eleven budget emails',
    { budget: { emails: Array.from({ length: 11 }, (_, i) => `b${i}@acme.example`) } },
    'budget.emails',
    /at most 10/,
  ],
  ['org name of symbols only', { org: { name: '!!!' } }, 'org.name', /letters, digits/],
  ['slug with capitals', { org: { name: 'Acme', slug: 'ACME' } }, 'org.slug', /lowercase/],
  ['currency EUR', { budget: { currency: 'EUR' } }, 'budget.currency', /USD/],
  ['accounts not a list', { accounts: { prod: {} } }, 'accounts', /must be a list/],
  [
    'founder name with control characters',
    { founder: { givenName: 'Ada\u0007' } },
    'founder.givenName',
    /control characters/,
  ],
  [
    'account named management',
    {
      accounts: [
        { name: 'management', ou: 'Prod' },
        { name: 'log-archive', ou: 'Security' },
        { name: 'audit', ou: 'Security' },
      ],
    },
    'accounts[0].name',
    /reserved/,
  ],
];

describe('resolveBaseline: every bad input names the field and what is allowed', () => {
  it.each(bad)('%s', (_name, over, path, message) => {
    const merged = {
      ...good,
      ...over,
      org: { ...good.org, ...(over.org as object | undefined) },
      founder: { ...good.founder, ...(over.founder as object | undefined) },
    };
    const issues = issuesOf(merged);
    const hit = issues.find((i) => i.path === path && message.test(i.message));
    expect(hit, `expected an issue at "${path}" matching ${message}, got ${JSON.stringify(issues)}`).toBeTruthy();
  });

  it('has at least 20 cases', () => expect(bad.length).toBeGreaterThanOrEqual(20));

  it('rejects a config that is not an object', () => {
    expect(issuesOf([1, 2])[0]!.message).toMatch(/JSON object/);
  });
});

describe('readConfigFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ss-config-'));
  it('names the line and column of a JSON syntax error', () => {
    const f = join(dir, 'bad.json');
    writeFileSync(f, '{\n  "org": { "name": "Acme" },\n  "budget": { amount: 5 }\n}\n');
    expect(() => readConfigFile(f)).toThrow(/line 3, column \d+/);
  });
  it('says when the file does not exist', () => {
    expect(() => readConfigFile(join(dir, 'nope.json'))).toThrow(/file not found/);
  });
  it('reads a file with a BOM', () => {
    const f = join(dir, 'bom.json');
    writeFileSync(f, '\uFEFF{"org":{"name":"Acme"}}');
    expect(readConfigFile(f)).toEqual({ org: { name: 'Acme' } });
  });
});
