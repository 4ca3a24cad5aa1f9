// Bad input catalogue: every malformed flag or config value is refused with exit code 2 and a
// message that names the field, BEFORE any AWS call (the emulator's call log stays empty).
// Runs the built CLI as a subprocess, as a founder would.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BASIC_CONFIG, explain, removeDir, runCli, scratchDir, startEmu, type Emulator } from '../helpers/harness.js';
import { scanForSecrets } from '../helpers/scan.js';

type Json = Record<string, any>;
const BASIC: Json = JSON.parse(readFileSync(BASIC_CONFIG, 'utf8'));

// The full resolved defaults for the lists a case edits (config arrays replace, not merge).
const ACCOUNTS = [
  { name: 'log-archive', ou: 'Security' },
  { name: 'audit', ou: 'Security' },
  { name: 'prod', ou: 'Prod' },
  { name: 'dev', ou: 'NonProd' },
];
const PERMISSION_SET = {
  name: 'AdministratorAccess',
  managedPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess'],
  sessionHours: 8,
};
const IC = {
  permissionSets: [PERMISSION_SET],
  groups: [{ name: 'Admins' }],
  assignments: [{ group: 'Admins', permissionSet: 'AdministratorAccess', accounts: ['*'] }],
  founderGroups: ['Admins'],
};

function cfg(edit: (c: Json) => void): Json {
  const c = structuredClone(BASIC);
  edit(c);
  return c;
}

interface Case {
  id: string;
  /** The config file's content: an object (written as JSON) or raw text. */
  config?: Json | string | unknown[];
  /** Extra CLI arguments (default: `--yes --config <file>` when a config is given). */
  args?: string[];
  /** What the message must contain: the field path or flag. */
  names: string | RegExp;
}

const ZWSP = '\u200b';
const RLO = '\u202e';
const CYR_A = '\u0430'; // looks like "a"
const CYR_O = '\u043e'; // looks like "o"

export const CONFIG_CASES: Case[] = [
  // emails
  { id: 'mailbox without @', config: cfg((c) => (c.mailbox = 'ops.acme.example')), names: 'mailbox' },
  {
    id: 'founder email with two @',
    config: cfg((c) => (c.founder.email = 'ada@@acme.example')),
    names: 'founder.email',
  },
  {
    id: 'founder email with a zero-width space',
    config: cfg((c) => (c.founder.email = `ada${ZWSP}@acme.example`)),
    names: 'founder.email',
  },
  {
    id: 'founder email with a Cyrillic homoglyph',
    config: cfg((c) => (c.founder.email = `${CYR_A}da@acme.example`)),
    names: 'founder.email',
  },
  {
    id: 'mailbox longer than 64 characters',
    config: cfg((c) => (c.mailbox = `${'o'.repeat(60)}@acme.example`)),
    names: 'mailbox',
  },
  {
    id: 'account email with an RTL override',
    config: cfg(
      (c) => (c.accounts = ACCOUNTS.map((a, i) => (i === 2 ? { ...a, email: `${RLO}prod@acme.example` } : a))),
    ),
    names: 'accounts[2].email',
  },
  {
    id: 'account email without a domain dot',
    config: cfg((c) => (c.accounts = ACCOUNTS.map((a, i) => (i === 3 ? { ...a, email: 'dev@localhost' } : a)))),
    names: 'accounts[3].email',
  },
  {
    id: 'account email equal to the mailbox',
    config: cfg((c) => (c.accounts = ACCOUNTS.map((a, i) => (i === 1 ? { ...a, email: 'OPS@acme.example' } : a)))),
    names: 'accounts[1].email',
  },
  {
    id: 'budget email with a space',
    config: cfg((c) => (c.budget.emails = ['billing @acme.example'])),
    names: 'budget.emails[0]',
  },
  {
    id: 'contact email with a semicolon injection',
    config: cfg((c) => (c.contacts.security.email = 'sec;rm@acme.example')),
    names: 'contacts.security.email',
  },
  // names
  { id: 'empty organization name', config: cfg((c) => (c.org.name = '')), names: 'org.name' },
  { id: 'organization name of 41 characters', config: cfg((c) => (c.org.name = 'A'.repeat(41))), names: 'org.name' },
  {
    id: 'organization name with an RTL override',
    config: cfg((c) => (c.org.name = `Acme${RLO}cipsoR`)),
    names: 'org.name',
  },
  {
    id: 'organization name with a zero-width joiner',
    config: cfg((c) => (c.org.name = 'Ac\u200dme')),
    names: 'org.name',
  },
  { id: 'organization name of emoji only', config: cfg((c) => (c.org.name = '\u{1F680}\u{1F680}')), names: 'org.name' },
  { id: 'short name starting with a dash', config: cfg((c) => (c.org.slug = '-acme')), names: 'org.slug' },
  { id: 'short name with a Cyrillic homoglyph', config: cfg((c) => (c.org.slug = `${CYR_A}cme`)), names: 'org.slug' },
  {
    id: 'account name in capitals',
    config: cfg((c) => (c.accounts = ACCOUNTS.map((a, i) => (i === 2 ? { ...a, name: 'Prod' } : a)))),
    names: 'accounts[2].name',
  },
  {
    id: 'account name with a Cyrillic homoglyph',
    config: cfg((c) => (c.accounts = ACCOUNTS.map((a, i) => (i === 2 ? { ...a, name: `pr${CYR_O}d` } : a)))),
    names: 'accounts[2].name',
  },
  {
    id: 'account name with a zero-width space',
    config: cfg((c) => (c.accounts = ACCOUNTS.map((a, i) => (i === 3 ? { ...a, name: `de${ZWSP}v` } : a)))),
    names: 'accounts[3].name',
  },
  {
    id: 'account named "management"',
    config: cfg((c) => (c.accounts = [...ACCOUNTS, { name: 'management', ou: 'Prod' }])),
    names: 'accounts[4].name',
  },
  {
    id: 'founder given name with a control character',
    config: cfg((c) => (c.founder.givenName = '\u0007Ada')),
    names: 'founder.givenName',
  },
  { id: 'trail name of one character', config: cfg((c) => (c.trail = { name: 'a' })), names: 'trail.name' },
  {
    id: 'OU name with a slash',
    config: cfg((c) => (c.organizationalUnits = [{ name: 'Security/x', parent: 'Root' }])),
    names: 'organizationalUnits[0].name',
  },
  // duplicates and references
  {
    id: 'duplicate account names',
    config: cfg((c) => (c.accounts = [...ACCOUNTS, { name: 'prod', ou: 'Prod' }])),
    names: /accounts: two accounts are named "prod"/,
  },
  {
    id: 'duplicate account emails',
    config: cfg(
      (c) =>
        (c.accounts = ACCOUNTS.map((a, i) => ({ ...a, email: i < 2 ? 'sec@acme.example' : `${a.name}@acme.example` }))),
    ),
    names: /accounts: two accounts use the email/,
  },
  {
    id: 'account in an unknown OU',
    config: cfg((c) => (c.accounts = ACCOUNTS.map((a, i) => (i === 3 ? { ...a, ou: 'Staging' } : a)))),
    names: 'accounts[3].ou',
  },
  {
    id: 'log archive account not in the list',
    config: cfg((c) => (c.logArchiveAccount = 'logs')),
    names: 'logArchiveAccount',
  },
  {
    id: 'OU with an unknown parent',
    config: cfg((c) => (c.organizationalUnits = [{ name: 'Security', parent: 'Nowhere' }])),
    names: 'organizationalUnits[0].parent',
  },
  {
    id: 'assignment to an unknown account',
    config: cfg(
      (c) =>
        (c.identityCenter = {
          ...IC,
          assignments: [{ group: 'Admins', permissionSet: 'AdministratorAccess', accounts: ['staging'] }],
        }),
    ),
    names: 'identityCenter.assignments[0].accounts',
  },
  {
    id: 'founder group that does not exist',
    config: cfg((c) => (c.identityCenter = { ...IC, founderGroups: ['Ghosts'] })),
    names: 'identityCenter.founderGroups[0]',
  },
  { id: 'no member accounts', config: cfg((c) => (c.accounts = [])), names: 'accounts' },
  // amounts
  { id: 'budget amount 0', config: cfg((c) => (c.budget.amount = 0)), names: 'budget.amount' },
  { id: 'negative budget amount', config: cfg((c) => (c.budget.amount = -5)), names: 'budget.amount' },
  { id: 'budget amount as text', config: cfg((c) => (c.budget.amount = '250')), names: 'budget.amount' },
  {
    id: 'budget amount with more digits than a number holds',
    config: cfg((c) => (c.budget.amount = 98765432109876543210)),
    names: 'budget.amount',
  },
  { id: 'budget in EUR', config: cfg((c) => (c.budget.currency = 'EUR')), names: 'budget.currency' },
  {
    id: 'eleven budget emails',
    config: cfg((c) => (c.budget.emails = Array.from({ length: 11 }, (_, i) => `b${i}@acme.example`))),
    names: 'budget.emails',
  },
  {
    id: 'anomaly threshold null',
    config: cfg((c) => (c.anomaly = { thresholdUsd: null })),
    names: 'anomaly.thresholdUsd',
  },
  {
    id: 'anomaly frequency IMMEDIATE',
    config: cfg((c) => (c.anomaly = { frequency: 'IMMEDIATE' })),
    names: 'anomaly.frequency',
  },
  {
    id: 'phone number in words',
    config: cfg((c) => (c.contacts.security.phone = 'call me maybe')),
    names: 'contacts.security.phone',
  },
  {
    id: 'password length 8',
    config: cfg((c) => (c.hardening = { passwordPolicy: { minimumLength: 8 } })),
    names: 'hardening.passwordPolicy.minimumLength',
  },
  {
    id: 'password reuse 25',
    config: cfg((c) => (c.hardening = { passwordPolicy: { reusePrevention: 25 } })),
    names: 'hardening.passwordPolicy.reusePrevention',
  },
  // regions
  { id: 'unknown home region', config: cfg((c) => (c.homeRegion = 'mars-north-1')), names: 'homeRegion' },
  { id: 'home region in capitals', config: cfg((c) => (c.homeRegion = 'EU-WEST-1')), names: 'homeRegion' },
  {
    id: 'allowed regions without the home region',
    config: cfg((c) => (c.allowedRegions = ['us-east-1'])),
    names: 'allowedRegions',
  },
  {
    id: 'allowed regions listing one twice',
    config: cfg((c) => (c.allowedRegions = ['eu-west-1', 'us-east-1', 'eu-west-1'])),
    names: 'allowedRegions',
  },
  { id: 'allowed regions as a string', config: cfg((c) => (c.allowedRegions = 'eu-west-1')), names: 'allowedRegions' },
  // durations
  {
    id: 'session of 13 hours',
    config: cfg((c) => (c.identityCenter = { ...IC, permissionSets: [{ ...PERMISSION_SET, sessionHours: 13 }] })),
    names: 'identityCenter.permissionSets[0].sessionHours',
  },
  {
    id: 'session of 1.5 hours',
    config: cfg((c) => (c.identityCenter = { ...IC, permissionSets: [{ ...PERMISSION_SET, sessionHours: 1.5 }] })),
    names: 'identityCenter.permissionSets[0].sessionHours',
  },
  {
    id: 'session duration as "8h"',
    config: cfg((c) => (c.identityCenter = { ...IC, permissionSets: [{ ...PERMISSION_SET, sessionHours: '8h' }] })),
    names: 'identityCenter.permissionSets[0].sessionHours',
  },
  {
    id: 'log expiry of 0 days',
    config: cfg((c) => (c.trail = { expireAfterDays: 0 })),
    names: 'trail.expireAfterDays',
  },
  {
    id: 'log expiry before the Glacier move',
    config: cfg((c) => (c.trail = { glacierAfterDays: 90, expireAfterDays: 30 })),
    names: 'trail.expireAfterDays',
  },
  // unknown fields and wrong types
  { id: 'misspelt top-level setting', config: cfg((c) => (c.budgte = { amount: 5 })), names: '"budgte"' },
  { id: 'unknown nested setting', config: cfg((c) => (c.founder.phone = '+1 555 0100')), names: /founder.*"phone"/ },
  {
    id: 'prototype-pollution key',
    config: JSON.stringify(BASIC).replace(/^\{/, '{"__proto__":{"budget":{"amount":0}},'),
    names: '"__proto__" is not a known setting',
  },
  { id: 'org as a string', config: cfg((c) => (c.org = 'Acme Robotics')), names: 'org' },
  { id: 'guardrails as "yes"', config: cfg((c) => (c.scps = { guardrails: 'yes' })), names: 'scps.guardrails' },
  {
    id: 'more than 200 accounts',
    config: cfg((c) => (c.accounts = Array.from({ length: 201 }, (_, i) => ({ name: `a${i}`, ou: 'Prod' })))),
    names: 'accounts',
  },
  // whole files
  { id: 'a config that is a JSON array', config: [BASIC], names: /must be a JSON object/ },
  { id: 'a config that is not JSON', config: '{"org": {"name": "Acme"},, }', names: /not valid JSON at line 1/ },
  {
    id: 'a 2 MB config',
    config: cfg((c) => (c.org.description = 'x'.repeat(2 * 1024 * 1024))),
    names: /larger than 1 MB/,
  },
  {
    id: 'a deeply nested config',
    config: `{"org":${'['.repeat(200_000)}${']'.repeat(200_000)}}`,
    names: /org|not valid JSON/,
  },
  { id: 'an empty config file', config: '', names: /not valid JSON/ },
];

export const FLAG_CASES: Case[] = [
  { id: '--region that is not a region', args: ['--yes', '--region', 'mars-1'], names: '--region' },
  { id: '--region with a zero-width space', args: ['--yes', '--region', `eu-west-1${ZWSP}`], names: '--region' },
  { id: '--region with a shell injection', args: ['--yes', '--region', 'eu-west-1;rm -rf ~'], names: '--region' },
  { id: 'unknown option', args: ['--yes', '--bogus'], names: '--bogus' },
  { id: '--config without a value', args: ['--yes', '--config'], names: '--config' },
  { id: '--state that is empty', args: ['--yes', '--state', ''], names: '--state' },
  { id: '--profile that looks like a flag', args: ['--yes', '--profile', '-x'], names: '--profile' },
  { id: '--yes with a value', args: ['--yes=maybe'], names: '--yes' },
  { id: 'unknown command', args: ['deploy', '--yes'], names: 'deploy' },
  { id: 'two commands', args: ['plan', 'verify'], names: /Too many arguments: plan verify/ },
  { id: 'verify --dry-run', args: ['verify', '--dry-run'], names: '--dry-run' },
  {
    id: '--config naming a missing file',
    args: ['--yes', '--config', 'nope.json'],
    names: /nope\.json[\s\S]*file not found/,
  },
  { id: 'no --yes without a terminal', args: ['--config', BASIC_CONFIG], names: '--yes' },
];

let emu: Emulator;
const outputs: string[] = [];
beforeAll(async () => {
  emu = await startEmu({ scenario: 'fresh+iam-user' });
});
afterAll(async () => {
  // Nothing bad ever reached AWS, and nothing printed echoes a credential.
  expect(emu.calls()).toEqual([]);
  expect(scanForSecrets(outputs.map((text, i) => ({ where: `output ${i}`, text })))).toEqual([]);
  await emu.stop();
});

async function refused(c: Case, command: string[] = []) {
  const dir = scratchDir('ss-bad-');
  try {
    let args = c.args ?? [];
    if (c.config !== undefined) {
      const file = join(dir, 'bad.json');
      writeFileSync(file, typeof c.config === 'string' ? c.config : JSON.stringify(c.config));
      args = [...command, '--yes', '--config', file, ...args];
    } else {
      args = [...command, ...args];
    }
    const before = emu.calls().length;
    const r = await runCli(args, { emu, dir });
    outputs.push(r.stdout, r.stderr);
    expect(r.code, explain(r)).toBe(2);
    const text = r.stderr;
    if (typeof c.names === 'string') expect(text, explain(r)).toContain(c.names);
    else expect(text, explain(r)).toMatch(c.names);
    expect(emu.calls().length - before, 'AWS calls made for a bad input').toBe(0);
    // A refused run leaves no state file and no lock behind.
    expect(() => readFileSync(r.statePath), 'state file written').toThrow();
    expect(() => readFileSync(`${r.statePath}.lock`), 'lock left behind').toThrow();
  } finally {
    removeDir(dir);
  }
}

describe.concurrent('bad input: config file (run --yes --config)', () => {
  test.each(CONFIG_CASES)('$id', (c) => refused(c));
});

describe.concurrent('bad input: command line flags', () => {
  test.each(FLAG_CASES)('$id', (c) => refused(c));
});

// plan and verify validate the same way, before any call (a sample across the categories).
const SAMPLE = [
  'budget amount as text',
  'founder email with a Cyrillic homoglyph',
  'session of 13 hours',
  'unknown home region',
  'misspelt top-level setting',
  'duplicate account names',
];
describe.concurrent('bad input: plan and verify refuse it too', () => {
  for (const command of ['plan', 'verify']) {
    test.each(CONFIG_CASES.filter((c) => SAMPLE.includes(c.id)))(`${command}: $id`, (c) => refused(c, [command]));
  }
});

test('the catalogue has at least 40 distinct bad inputs', () => {
  expect(CONFIG_CASES.length + FLAG_CASES.length).toBeGreaterThanOrEqual(40);
  expect(new Set([...CONFIG_CASES, ...FLAG_CASES].map((c) => c.id)).size).toBe(CONFIG_CASES.length + FLAG_CASES.length);
});
