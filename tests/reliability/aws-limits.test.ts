// Validation as wide as AWS, never narrower, never wider. Each rule is derived from the
// service's published constraint (cited in config/schema.ts) and tested on both sides of every
// boundary: what AWS refuses is refused before any call (exit 2, the field named, zero calls);
// what AWS takes is taken and sent in the form AWS takes (amounts as plain decimals, never
// "1e-7"). And a new short name after a run leaves no second budget or anomaly subscription.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  amountProblem,
  amountRule,
  contactEmailRule,
  groupNameRule,
  plainDecimal,
  s3BucketNameProblem,
  slugRule,
  thresholdRule,
  trailBucketNameFor,
  trailNameProblem,
  userNameRule,
} from '../../config/schema.js';
import { BASIC_CONFIG, explain, removeDir, runCli, scratchDir, startEmu, type Emulator } from '../helpers/harness.js';
import { APPLY, resetWorld, resourceCounts, SCENARIO } from '../helpers/crash.js';

type Json = Record<string, any>;
const BASIC: Json = JSON.parse(readFileSync(BASIC_CONFIG, 'utf8'));
const cfg = (edit: (c: Json) => void): Json => {
  const c = structuredClone(BASIC);
  edit(c);
  return c;
};

// ---- the rules, on both sides of each boundary ----------------------------------------------

/** [value, accepted] pairs: each boundary once just inside, once just outside. */
const BUCKETS: [string, boolean][] = [
  ['abc', true],
  ['ab', false],
  ['a'.repeat(63), true],
  ['a'.repeat(64), false],
  ['my.bucket-1', true],
  ['My-bucket', false],
  ['my_bucket', false],
  ['1bucket9', true],
  ['-bucket', false],
  ['bucket-', false],
  ['bucket.', false],
  ['a.b.c', true],
  ['a..b', false],
  ['192.168.5.4', false],
  ['192.168.5.4a', true],
  ['192.168.5', true],
  ['xn-abc', true],
  ['xn--abc', false],
  ['sthree', true],
  ['sthree-x', false],
  ['sthree-configurator', false],
  ['amzn-s3-demo', true],
  ['amzn-s3-demo-x', false],
  ['x-s3alia', true],
  ['x-s3alias', false],
  ['x-ol-s3', true],
  ['x--ol-s3', false],
  ['x.mra', true],
  ['x.mrap', false],
  ['x-x-s3', true],
  ['x--x-s3', false],
  ['x-table-s3', true],
  ['x--table-s3', false],
];

const TRAILS: [string, boolean][] = [
  ['abc', true],
  ['ab', false],
  ['A'.repeat(128), true],
  ['A'.repeat(129), false],
  ['My_Trail.v2-x', true],
  ['my trail', false],
  ['my/trail', false],
  ['9trail9', true],
  ['_trail', false],
  ['trail.', false],
  ['my-namespace', true],
  ['my--namespace', false],
  ['my-_namespace', false],
  ['my._x', false],
  ['192.168.5.4', false],
  ['192.168.5.x', true],
];

const CONTACT_EMAILS: [string, boolean][] = [
  ['a@b.co', true],
  ['sec|ops&team#1!=x+y@acme_corp.example', true],
  ['  sec@acme.example  ', true],
  ['sec%ops@acme.example', false],
  ['sec*@acme.example', false],
  ["o'brien@acme.example", false],
  ['sec@acme.c-d', false],
  ['sec@acme_corp.example', true],
  ['sec@acme', false],
  ['sec@@acme.example', false],
  [`${'s'.repeat(240)}@acme.example`, true],
  [`${'s'.repeat(242)}@acme.example`, false],
  ['séc@acme.example', false],
  ['sec@acme.example\u00a0', false], // Java's \s: no no-break space
];

const GROUPS: [string, boolean][] = [
  ['Admins', true],
  ['', false],
  ['x'.repeat(1024), true],
  ['x'.repeat(1025), false],
  ['Équipe sécurité (EU) — ops', true],
  ['Dev\tOps', true],
  ['Dev\u200bOps', false],
  ['Dev\u202eOps', false],
  ['Dev\u0007Ops', false],
  ['Administrator', false],
  ['administrator', false],
  ['AWSAdministrators', false],
  ['Administrators', true],
  ['AWSAdministrator', true],
];

const USERS: [string, boolean][] = [
  ['ada@acme.example', true],
  ['x'.repeat(128), true],
  ['x'.repeat(129), false],
  ['ada lovelace', false],
  ['Ada.Lovelace#1', true],
  ['ÅdaLøvelace', true],
  ['Administrator', false],
  ['AWSAdministrators', false],
];

describe('S3 bucket names (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html)', () => {
  test.each(BUCKETS)('%s → %s', (name, ok) =>
    expect(s3BucketNameProblem(name) === undefined, s3BucketNameProblem(name)).toBe(ok),
  );
  test('the trail bucket of every short name the schema takes is a valid bucket name, or the slug is refused', () => {
    // Short names built from every character the short-name rule allows, at its length edges.
    const slugs = [
      'a',
      'a'.repeat(20),
      'sthree',
      'sthree-labs',
      'amzn-s3-demo',
      'amzn-s3',
      'xn',
      'xn-a',
      '0-9',
      'a-b-c-d',
    ];
    for (const slug of slugs) {
      if (slugRule(slug)) continue;
      const name = trailBucketNameFor(slug, '123456789012');
      expect(name.length).toBeLessThanOrEqual(43);
      // Only the reserved prefixes can make it invalid; those the schema catches (below).
      if (s3BucketNameProblem(name)) expect(s3BucketNameProblem(name)).toMatch(/reserved by Amazon S3/);
    }
  });
});

describe('CloudTrail trail names (API_CreateTrail Name)', () => {
  test.each(TRAILS)('%s → %s', (name, ok) =>
    expect(trailNameProblem(name) === undefined, trailNameProblem(name)).toBe(ok),
  );
  test('a short name with two dashes in a row is refused (it would give the trail such a name)', () => {
    expect(slugRule('a-b')).toBeUndefined();
    expect(slugRule('a--b')).toMatch(/single dashes/);
  });
});

describe('alternate contact emails (Account API AlternateContact.EmailAddress)', () => {
  test.each(CONTACT_EMAILS)('%j → %s', (email, ok) =>
    expect(contactEmailRule(email) === undefined, contactEmailRule(email)).toBe(ok),
  );
});

describe('Identity Store names (reserved: Administrator, AWSAdministrators)', () => {
  test.each(GROUPS)('group %j → %s', (name, ok) =>
    expect(groupNameRule(name) === undefined, groupNameRule(name)).toBe(ok),
  );
  test.each(USERS)('user %j → %s', (name, ok) => expect(userNameRule(name) === undefined, userNameRule(name)).toBe(ok));
});

describe('amounts: plain decimals as AWS takes them (Spend.Amount pattern ([0-9]*\\.)?[0-9]+)', () => {
  test.each([
    [1e-7, '0.0000001'],
    [0.000001, '0.000001'],
    [1e21, '1000000000000000000000'],
    [1.5e-10, '0.00000000015'],
    [49.99, '49.99'],
    [250, '250'],
    [123456789012345, '123456789012345'],
    [2.5e25, '25000000000000000000000000'],
  ])('%d is sent as %s', (n, text) => {
    expect(plainDecimal(n)).toBe(text);
    expect(text).toMatch(/^([0-9]*\.)?[0-9]+$/);
    expect(Number(text)).toBe(n);
  });
  test.each([
    [0, 'positive', false],
    [5e-324, 'positive', true],
    [-0.01, 'positive', false],
    [0, 'zero', true],
    [-1e-9, 'zero', false],
    [123456789012345, 'positive', true],
    [1234567890123456, 'positive', false],
    [0.123456789012345, 'positive', true],
    [0.1234567890123456, 'positive', false],
    [Infinity, 'positive', false],
    [NaN, 'zero', false],
    [1e300, 'positive', true],
  ] as const)('%d (%s) → %s', (n, min, ok) =>
    expect(amountProblem(n, min) === undefined, amountProblem(n, min)).toBe(ok),
  );
  test.each([
    ['100', true],
    ['49.99', true],
    ['.5', true],
    ['0.0000001', true],
    ['2000000', true],
    ['12.345', true],
    ['007', true],
    ['0', false],
    ['-5', false],
    ['+5', false],
    ['1e9', false],
    ['1,000', false],
    ['5.', false],
    ['1 000', false],
    ['', false],
    ['1234567890123456', false],
    ['123456789012345', true],
  ])('typed budget %j → %s', (v, ok) => expect(amountRule(v) === undefined, amountRule(v)).toBe(ok));
  test('the anomaly threshold may be 0 (every anomaly), never negative', () => {
    expect(thresholdRule('0')).toBeUndefined();
    expect(thresholdRule('0.00')).toBeUndefined();
    expect(thresholdRule('-1')).toMatch(/plain digits/);
    expect(amountRule('0')).toMatch(/more than 0/);
  });
});

// ---- through the CLI --------------------------------------------------------------------------

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmu({ scenario: SCENARIO });
});
afterAll(async () => {
  await emu.stop();
});

interface Refusal {
  id: string;
  config: Json;
  names: string | RegExp;
}
const REFUSED: Refusal[] = [
  {
    id: 'a short name whose log bucket would start with sthree-',
    config: cfg((c) => (c.org.slug = 'sthree')),
    names:
      /org\.slug: gives the log bucket the name sthree-org-trail-<account-id>, which Amazon S3 refuses[\s\S]*sthree-/,
  },
  {
    id: 'an org name whose derived short name gives an amzn-s3-demo- bucket',
    config: cfg((c) => (c.org.name = 'Amzn S3 Demo Co')),
    names: /org\.slug: gives the log bucket the name amzn-s3-demo-co-org-trail/,
  },
  { id: 'a short name with two dashes in a row', config: cfg((c) => (c.org.slug = 'acme--labs')), names: 'org.slug' },
  {
    id: 'a trail name with adjacent - and _',
    config: cfg((c) => (c.trail = { name: 'acme-_trail' })),
    names: 'trail.name',
  },
  {
    id: 'a trail name shaped like an IP address',
    config: cfg((c) => (c.trail = { name: '10.0.0.1' })),
    names: 'trail.name',
  },
  {
    id: 'a group named Administrator',
    config: cfg(
      (c) =>
        (c.identityCenter = {
          groups: [{ name: 'Administrator' }],
          founderGroups: ['Administrator'],
          assignments: [{ group: 'Administrator', permissionSet: 'AdministratorAccess', accounts: ['*'] }],
        }),
    ),
    names: /identityCenter\.groups\[0\]\.name[\s\S]*reserved by IAM Identity Center/,
  },
  {
    id: 'a founder user name AWSAdministrators',
    config: cfg((c) => (c.founder.userName = 'awsadministrators')),
    names: /founder\.userName[\s\S]*reserved/,
  },
  {
    id: 'a security contact email with %',
    config: cfg((c) => (c.contacts.security.email = 'sec%ops@acme.example')),
    names: 'contacts.security.email',
  },
  {
    id: 'a billing contact email whose last domain label has a dash',
    config: cfg((c) => (c.contacts.billing.email = 'billing@acme.ex-ample')),
    names: 'contacts.billing.email',
  },
  { id: 'a budget of 0', config: cfg((c) => (c.budget.amount = 0)), names: /budget\.amount[\s\S]*more than 0/ },
  {
    id: 'a budget of more digits than a number holds',
    config: cfg((c) => (c.budget.amount = 1234567890123456)),
    names: /budget\.amount[\s\S]*significant digits/,
  },
  {
    id: 'a negative anomaly threshold',
    config: cfg((c) => (c.anomaly = { thresholdUsd: -0.01 })),
    names: /anomaly\.thresholdUsd[\s\S]*0 or more/,
  },
];

describe.concurrent('what AWS refuses is refused before any call (exit 2)', () => {
  test.each(REFUSED)('$id', async (c) => {
    const dir = scratchDir('ss-limits-');
    try {
      const file = join(dir, 'c.json');
      writeFileSync(file, JSON.stringify(c.config));
      const r = await runCli(['plan', '--config', file], { dir });
      expect(r.code, explain(r)).toBe(2);
      typeof c.names === 'string'
        ? expect(r.stderr, explain(r)).toContain(c.names)
        : expect(r.stderr, explain(r)).toMatch(c.names);
      expect(existsSync(r.statePath)).toBe(false);
    } finally {
      removeDir(dir);
    }
  });
});

/** Offline plan records for a config. */
async function planOf(config: Json): Promise<any[]> {
  const dir = scratchDir('ss-limits-');
  try {
    const file = join(dir, 'c.json');
    writeFileSync(file, JSON.stringify(config));
    const r = await runCli(['plan', '--json', '--config', file], { dir });
    expect(r.code, explain(r)).toBe(0);
    return JSON.parse(r.stdout).records;
  } finally {
    removeDir(dir);
  }
}

describe.concurrent('what AWS takes is taken, and sent as AWS takes it', () => {
  test('a budget of 1e-7 is sent as 0.0000001, never in exponent form', async () => {
    const records = await planOf(cfg((c) => (c.budget.amount = 1e-7)));
    expect(records.find((x) => x.operation === 'CreateBudget').input.Budget.BudgetLimit.Amount).toBe('0.0000001');
  });
  test('a budget of 1e21 is sent as 1000000000000000000000 (no 1e+21); 2,000,000 is no longer refused', async () => {
    expect(
      (await planOf(cfg((c) => (c.budget.amount = 1e21)))).find((x) => x.operation === 'CreateBudget').input.Budget
        .BudgetLimit.Amount,
    ).toBe('1000000000000000000000');
    expect(
      (await planOf(cfg((c) => (c.budget.amount = 2_000_000)))).find((x) => x.operation === 'CreateBudget').input.Budget
        .BudgetLimit.Amount,
    ).toBe('2000000');
  });
  test('an anomaly threshold of 0 (every anomaly) and of 2.5e-7 are sent as plain decimals', async () => {
    const values = async (t: number) =>
      (await planOf(cfg((c) => (c.anomaly = { thresholdUsd: t })))).find(
        (x) => x.operation === 'CreateAnomalySubscription',
      ).input.AnomalySubscription.ThresholdExpression.Dimensions.Values;
    expect(await values(0)).toEqual(['0']);
    expect(await values(2.5e-7)).toEqual(['0.00000025']);
  });
  test('contact emails, group and user names AWS takes are taken', async () => {
    const records = await planOf(
      cfg((c) => {
        c.contacts.security.email = 'sec|ops&team#1@acme_corp.example';
        c.founder.userName = 'Ada.Lovelace#1';
        c.identityCenter = {
          groups: [{ name: 'Équipe sécurité (EU)' }],
          founderGroups: ['Équipe sécurité (EU)'],
          assignments: [{ group: 'Équipe sécurité (EU)', permissionSet: 'AdministratorAccess', accounts: ['*'] }],
        };
      }),
    );
    expect(
      records.filter((x) => x.operation === 'PutAlternateContact' && x.input.AlternateContactType === 'SECURITY')[0]
        .input.EmailAddress,
    ).toBe('sec|ops&team#1@acme_corp.example');
    expect(records.find((x) => x.operation === 'CreateGroup').input.DisplayName).toBe('Équipe sécurité (EU)');
    expect(records.find((x) => x.operation === 'CreateUser').input.UserName).toBe('Ada.Lovelace#1');
  });
});

test('applied: a budget of 0.0000001 USD, an anomaly threshold of 0 and an Account-API-shaped contact email reach AWS as such; a re-run finds no drift', async () => {
  resetWorld(emu);
  const dir = scratchDir('ss-limits-');
  const file = join(dir, 'edge.json');
  writeFileSync(
    file,
    JSON.stringify(
      cfg((c) => {
        c.budget.amount = 1e-7;
        c.anomaly = { thresholdUsd: 0 };
        c.contacts.security.email = 'sec|ops&team#1@acme_corp.example';
      }),
    ),
  );
  const r = await runCli(['--yes', '--config', file], { emu, dir });
  expect(r.code, explain(r)).toBe(0);
  const world: any = emu.state();
  const stores = Object.values<any>(world.stores);
  const budget = stores.flatMap((s) => Object.values<any>(s.budgets?.budgets ?? {}))[0];
  expect(budget.BudgetLimit.Amount).toBe('0.0000001');
  const sub = stores.flatMap((s) => s['cost-explorer']?.subscriptions ?? [])[0];
  expect(sub.ThresholdExpression.Dimensions.Values).toEqual(['0']);
  const again = await runCli(['--yes', '--config', file], { emu, dir });
  expect(again.code, explain(again)).toBe(0);
  expect(again.mutatingCalls).toEqual([]);
  removeDir(dir);
});

describe('after a run, a new org name or short name leaves nothing behind twice', () => {
  const names = () => {
    const stores = Object.values<any>((emu.state() as any).stores);
    return {
      budgets: stores.flatMap((s) => Object.values<any>(s.budgets?.budgets ?? {})).map((b) => b.BudgetName),
      subscriptions: stores.flatMap((s) => s['cost-explorer']?.subscriptions ?? []).map((x: any) => x.SubscriptionName),
    };
  };
  const ops = (r: { mutatingCalls: { service: string; operation: string }[] }) =>
    r.mutatingCalls.map((c) => `${c.service}:${c.operation}`);

  test('the company renamed (org.name): the short name the first run derived is kept, so every AWS name stays and nothing is made again', async () => {
    resetWorld(emu);
    const dir = scratchDir('ss-limits-');
    const first = await runCli(APPLY, { emu, dir });
    expect(first.code, explain(first)).toBe(0);
    const before = resourceCounts(emu.state());
    const file = join(dir, 'renamed.json');
    writeFileSync(file, JSON.stringify(cfg((c) => (c.org.name = 'Acme Labs'))));
    const second = await runCli(['--yes', '--config', file], { emu, dir });
    expect(second.code, explain(second)).toBe(0);
    expect(second.mutatingCalls).toEqual([]);
    expect(resourceCounts(emu.state())).toEqual(before);
    expect(names()).toEqual({ budgets: ['acme-robotics-monthly'], subscriptions: ['acme-robotics-anomaly-alerts'] });
    removeDir(dir);
  });

  test('a new short name set on purpose (org.slug): one budget, adopted under its name; one anomaly subscription, renamed in place', async () => {
    resetWorld(emu);
    const dir = scratchDir('ss-limits-');
    const first = await runCli(APPLY, { emu, dir });
    expect(first.code, explain(first)).toBe(0);
    expect(resourceCounts(emu.state())).toMatchObject({ budgets: 1, monitors: 1, subscriptions: 1 });

    // The trail keeps its name here (trail.name set): this case is about the budget and the
    // anomaly subscription. (The log bucket's and the trail's own names are their steps'.)
    const file = join(dir, 'new-slug.json');
    writeFileSync(
      file,
      JSON.stringify(
        cfg((c) => {
          c.org.slug = 'acme-labs';
          c.trail = { name: 'acme-robotics-org-trail' };
        }),
      ),
    );
    const second = await runCli(['--yes', '--config', file], { emu, dir });
    expect(second.code, explain(second)).toBe(0);
    expect(second.stderr).toMatch(/keeps its name acme-robotics-monthly/);
    expect(resourceCounts(emu.state())).toMatchObject({ budgets: 1, monitors: 1, subscriptions: 1 });
    expect(names()).toEqual({ budgets: ['acme-robotics-monthly'], subscriptions: ['acme-labs-anomaly-alerts'] });
    expect(ops(second)).not.toContain('budgets:CreateBudget');
    expect(ops(second)).not.toContain('cost-explorer:CreateAnomalySubscription');
    expect(ops(second)).toContain('cost-explorer:UpdateAnomalySubscription');

    // Settled: the next run changes nothing in AWS.
    const third = await runCli(['--yes', '--config', file], { emu, dir });
    expect(third.code, explain(third)).toBe(0);
    expect(third.mutatingCalls).toEqual([]);
    removeDir(dir);
  });
});
