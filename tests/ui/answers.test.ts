import { describe, expect, test } from 'vitest';
import {
  QUESTIONS,
  accountEmails,
  accountSet,
  allowedRegionsAnswer,
  configFileText,
  domainFor,
  mailboxRule,
  parseEmailList,
  proposedEmails,
  questionsToAsk,
  setIn,
  wizardPhoneRule,
} from '../../ui/wizard/answers.js';
import { profileNames } from '../../profiles/list.js';
import { waitsFor } from '../../ui/render/listr.js';
import { resolveBaseline } from '../../config/load.js';

const COMPLETE = {
  org: { name: 'Acme Robotics' },
  homeRegion: 'eu-west-1',
  accounts: accountSet(['staging']),
  mailbox: 'ops@acme.example',
  founder: { givenName: 'Ada', familyName: 'Lovelace', email: 'ada@acme.example' },
  budget: { amount: 250, emails: ['ops+aws-billing@acme.example'] },
  anomaly: { thresholdUsd: 25, emails: ['ops+aws-billing@acme.example'] },
  contacts: { billing: { phone: '+44 1' }, operations: { phone: '+44 1' }, security: { phone: '+44 1' } },
  allowedRegions: ['eu-west-1'],
  scps: { regionGuard: true },
  securityHub: { enabled: true },
  defaultVpcs: { memberAccounts: true, managementAccount: false },
};

describe('which questions the wizard asks', () => {
  test('a first run asks everything, in order', () => {
    expect(questionsToAsk({}, { configFile: false })).toEqual([...QUESTIONS]);
  });
  test('saved answers are not asked again', () => {
    expect(questionsToAsk({ org: { name: 'Acme' }, homeRegion: 'us-east-1' }, { configFile: false })).toEqual([
      'accounts',
      'mailbox',
      'founder',
      'budget',
      'anomaly',
      'contacts',
      'allowedRegions',
      'scps.regionGuard',
      'defaultVpcs.memberAccounts',
      'defaultVpcs.managementAccount',
      'securityHub.enabled',
    ]);
  });
  test('a founder half-answered is asked again (all three fields belong to one question)', () => {
    expect(questionsToAsk({ ...COMPLETE, founder: { givenName: 'Ada' } }, { configFile: false })).toEqual(['founder']);
  });
  test('the region guard is asked after the regions, and its answer (on or off) counts as given', () => {
    const { scps: _s, ...noGuard } = COMPLETE;
    expect(questionsToAsk(noGuard, { configFile: false })).toEqual(['scps.regionGuard']);
    expect(questionsToAsk({ ...noGuard, scps: { regionGuard: false } }, { configFile: false })).toEqual([]);
    expect(resolveBaseline({ ...noGuard, scps: { regionGuard: true } }, { placeholders: false }).scps).toEqual({
      guardrails: true,
      logProtection: true,
      regionGuard: true,
    });
    // A config file has the default (off) and never leaves it to the wizard.
    expect(questionsToAsk(noGuard, { configFile: true })).toEqual([]);
  });
  test('Security Hub is asked last (it costs money; its note names the cost); a config file keeps its default, off', () => {
    const { securityHub: _h, ...noHub } = COMPLETE;
    expect(questionsToAsk(noHub, { configFile: false })).toEqual(['securityHub.enabled']);
    expect(questionsToAsk({ ...noHub, securityHub: { enabled: false } }, { configFile: false })).toEqual([]);
    expect(questionsToAsk(noHub, { configFile: true })).toEqual([]);
    expect(resolveBaseline(noHub, { placeholders: false }).securityHub).toEqual({ enabled: false });
  });
  test('complete answers: nothing to ask', () => {
    expect(questionsToAsk(COMPLETE, { configFile: false })).toEqual([]);
    // ... and they resolve to a valid baseline with the plus-addressed account emails.
    const b = resolveBaseline(COMPLETE, { placeholders: false });
    expect(b.accounts.map((a) => a.email)).toContain('ops+aws-staging@acme.example');
  });
  test('with a config file only what it leaves unanswered is asked', () => {
    const file = {
      org: { name: 'Acme' },
      mailbox: 'ops@acme.example',
      founder: { givenName: 'Ada', familyName: 'L', email: 'ada@acme.example' },
    };
    // Phones are required and missing; budget and regions have defaults, so they are not asked.
    expect(questionsToAsk(file, { configFile: true })).toEqual(['contacts']);
    expect(questionsToAsk({ ...file, contacts: COMPLETE.contacts }, { configFile: true })).toEqual([]);
  });
  test('a config file without a mailbox asks for it (account and contact emails derive from it)', () => {
    const { mailbox: _m, ...rest } = COMPLETE;
    expect(questionsToAsk(rest, { configFile: true })).toEqual(['mailbox']);
  });
});

describe('answer helpers', () => {
  test('setIn deep-sets without touching the input', () => {
    const a = { org: { name: 'A' } };
    const b = setIn(a, 'org.slug', 'a');
    expect(b).toEqual({ org: { name: 'A', slug: 'a' } });
    expect(a).toEqual({ org: { name: 'A' } });
    expect(setIn({}, 'contacts.billing.phone', '1')).toEqual({ contacts: { billing: { phone: '1' } } });
  });
  test('the account set: defaults plus the optional ones chosen', () => {
    expect(accountSet([]).map((a) => a.name)).toEqual(['log-archive', 'audit', 'prod', 'dev']);
    expect(accountSet(['sandbox']).map((a) => `${a.name}:${a.ou}`)).toEqual([
      'log-archive:Security',
      'audit:Security',
      'prod:Prod',
      'dev:NonProd',
      'sandbox:Sandbox',
    ]);
  });
  test('plus-addressing preview', () => {
    expect(accountEmails('ops@acme.com', [{ name: 'prod' }])).toEqual([
      { name: 'prod', email: 'ops+aws-prod@acme.com' },
    ]);
  });
  test('the mailbox rule: the schema rule, and every derived address must fit AWS (64 characters)', () => {
    const rule = mailboxRule(accountSet([]));
    expect(rule('ops@acme.com')).toBeUndefined();
    expect(rule('ops-at-acme')).toMatch(/needs an @ and a domain/);
    const long = `${'a'.repeat(40)}@example.com`; // 52: fine alone, too long with +aws-log-archive
    expect(rule(long)).toMatch(
      /gives a+\+aws-log-archive@example\.com for log-archive, which must be 6 to 64 characters/,
    );
  });
  test('email lists: comma or space separated, each checked, at most 10', () => {
    expect(parseEmailList('a@b.co, c@d.co')).toEqual({ emails: ['a@b.co', 'c@d.co'] });
    expect(parseEmailList('a@b.co nope').error).toMatch(/^nope /);
    expect(parseEmailList('').error).toMatch(/at least one/);
    expect(parseEmailList(Array.from({ length: 11 }, (_, i) => `u${i}@b.co`).join(',')).error).toMatch(/at most 10/);
  });
  test('the config file text is the answers as JSON, readable back', () => {
    expect(JSON.parse(configFileText(COMPLETE))).toEqual(COMPLETE);
  });
});

describe('the region guard question', () => {
  test('says what it blocks, what it leaves alone, that the management account is out of reach, and how to change it', async () => {
    const { regionGuardNote } = await import('../../ui/wizard/questions.js');
    const note = regionGuardNote(['eu-west-1', 'us-east-1']).replace(/\s+/g, ' ');
    expect(note).toContain(
      'refuses regional services (EC2, S3 buckets, Lambda, databases, …) in every region but eu-west-1, us-east-1',
    );
    expect(note).toContain(
      'Global services (IAM, Organizations, billing, CloudFront, Route 53, …) keep working everywhere',
    );
    expect(note).toContain('AWS never applies SCPs there');
    expect(note).toContain('Easy to change later');
  });
});

describe('answers that follow each other (issue 15)', () => {
  test("the proposed mailbox follows the company name; the founder's email the mailbox and first name", () => {
    expect(domainFor('Zeta Labs', 'com')).toBe('zeta-labs.com');
    expect(domainFor('Crème Brûlée & Co', 'example')).toBe('creme-brulee-co.example');
    expect(proposedEmails({ org: { name: 'Zeta Labs' } }, 'com')).toEqual({
      mailbox: 'ops@zeta-labs.com',
      founderEmail: 'you@zeta-labs.com',
    });
    expect(
      proposedEmails(
        { org: { name: 'Zeta Labs' }, mailbox: 'team@zeta.io', founder: { givenName: 'Ada Maria' } },
        'example',
      ).founderEmail,
    ).toBe('ada.maria@zeta.io');
    expect(proposedEmails({}, 'example').mailbox).toBe('ops@acme.example');
  });

  test("the wizard's phone rule wants the country code; AWS's own rule still applies", () => {
    expect(wizardPhoneRule('206 555 0100')).toMatch(/needs the country code first, starting with \+/);
    expect(wizardPhoneRule('+1 206 555 0100')).toBeUndefined();
    expect(wizardPhoneRule('+44 (20) 7946-0000')).toBeUndefined();
    expect(wizardPhoneRule('+0 123 4567')).toMatch(/a country code, then the number/);
    expect(wizardPhoneRule('+1 23')).toMatch(/8 to 15 digits/);
    expect(wizardPhoneRule('call me')).toMatch(/only digits/);
  });

  test('the home region is always the first allowed region', () => {
    expect(allowedRegionsAnswer('eu-central-1', ['eu-west-2'])).toEqual(['eu-central-1', 'eu-west-2']);
    expect(allowedRegionsAnswer('eu-central-1', ['eu-west-2', 'eu-central-1'])).toEqual(['eu-central-1', 'eu-west-2']);
  });

  test('the profiles the SDK can use, from the config and credentials files', () => {
    const config =
      '[default]\nregion=x\n[profile acme-dev]\n[ profile  spaced ]\n[sso-session acme]\n[services s3]\n[plain]\n[profile default]\n';
    expect(profileNames(config, '[ci]\n[acme-dev]\n')).toEqual(['default', 'acme-dev', 'spaced', 'ci']);
    expect(profileNames('', '')).toEqual([]);
  });

  test('a step waits for others by their titles, never their IDs', () => {
    expect(waitsFor(['Member accounts, each in its OU'])).toBe('waits for Member accounts, each in its OU');
    expect(waitsFor(['Member accounts, each in its OU', 'Identity Center permission sets', 'x'])).toBe(
      'waits for Member accounts, each in its OU (and 2 more)',
    );
  });
});
