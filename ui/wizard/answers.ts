// What the wizard still has to ask, and how answers become the raw config (the same shape as
// a config file, so saved answers and `secure-start.config.json` are interchangeable). Pure:
// the prompts live in questions.ts.
import { placeholdersIn, resolveBaseline } from '../../config/load.js';
import { DEFAULT_ACCOUNTS, OPTIONAL_ACCOUNTS, plusAddress, slugify } from '../../config/defaults.js';
import { accountEmailRule, emailRule, phoneRule, type Rule } from '../../config/schema.js';
import { STEPS } from '../../steps/index.js';
import type { StepQuestion } from '../../steps/contract.js';

export type Raw = Record<string, unknown>;

/** The wizard's own questions (about the core answers and the steps with bespoke prompts). */
const CORE = [
  'orgName',
  'homeRegion',
  'accounts',
  'mailbox',
  'founder',
  'budget',
  'anomaly',
  'contacts',
  'allowedRegions',
] as const;
type CoreQuestion = (typeof CORE)[number];

/** The yes/no questions steps declare (`questions`), by config path, in step order. */
export const STEP_QUESTIONS: ReadonlyMap<string, StepQuestion> = new Map(
  STEPS.flatMap((s) => (s.questions ?? []).map((q) => [q.path, q] as const)),
);

/** A core question's name, or the config path of a step's question ('scps.regionGuard'). */
export type QuestionId = CoreQuestion | (string & {});

/** The questions, in the order they are asked: the core ones, then the steps' (after the regions they may name). */
export const QUESTIONS: readonly QuestionId[] = [...CORE, ...STEP_QUESTIONS.keys()];

const isObj = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
const get = (raw: Raw, path: string): unknown =>
  path.split('.').reduce<unknown>((o, k) => (isObj(o) ? o[k] : undefined), raw);

/** Which raw paths each question answers; the question is known when all are present. */
const ANSWERS: Record<CoreQuestion, string[]> = {
  orgName: ['org.name'],
  homeRegion: ['homeRegion'],
  accounts: ['accounts'],
  mailbox: ['mailbox'],
  founder: ['founder.givenName', 'founder.familyName', 'founder.email'],
  budget: ['budget.amount', 'budget.emails'],
  anomaly: ['anomaly.thresholdUsd'],
  contacts: ['contacts.billing.phone', 'contacts.operations.phone', 'contacts.security.phone'],
  allowedRegions: ['allowedRegions'],
};

/** Required paths (placeholders) each question fills; derived values belong to their source. */
const FILLS: Record<CoreQuestion, RegExp> = {
  orgName: /^org\./,
  homeRegion: /^homeRegion$/,
  accounts: /^accounts$/,
  mailbox: /^mailbox$|^accounts\[\d+\]\.email$|^contacts\.\w+\.email$|^(budget|anomaly)\.emails/,
  founder: /^founder\.|^contacts\.\w+\.name$/,
  budget: /^budget\.amount$/,
  anomaly: /^anomaly\.thresholdUsd$/,
  contacts: /^contacts\.\w+\.(phone|title)$/,
  allowedRegions: /^allowedRegions/,
};
// A step's question answers its own path. Each has a default in the step's config fragment, so
// a config file never leaves one to the wizard.
const answersOf = (q: QuestionId): string[] => (q in ANSWERS ? ANSWERS[q as CoreQuestion] : [q]);
const fills = (q: QuestionId, path: string): boolean => (q in FILLS ? FILLS[q as CoreQuestion].test(path) : path === q);

/**
 * The questions to ask. Without a config file, every question not answered yet (a previous
 * run's saved answers count). With a config file, only what it leaves as a placeholder: the
 * file is the founder's choice for everything else.
 */
export function questionsToAsk(raw: Raw, o: { configFile: boolean }): QuestionId[] {
  if (!o.configFile) return QUESTIONS.filter((q) => answersOf(q).some((p) => get(raw, p) === undefined));
  let missing: string[];
  try {
    const b = resolveBaseline(raw, { placeholders: true });
    missing = placeholdersIn(b);
  } catch {
    // Invalid values are reported by the normal validation after the questions.
    return [];
  }
  return QUESTIONS.filter((q) => missing.some((p) => fills(q, p)));
}

/**
 * The answers with the recommended one for every step question still open (what Enter takes
 * in the wizard): `plan` without a config file shows what the wizard would build by default.
 * Returns the paths it filled.
 */
export function withRecommended(raw: Raw): { raw: Raw; filled: StepQuestion[] } {
  let out = raw;
  const filled: StepQuestion[] = [];
  for (const q of STEP_QUESTIONS.values()) {
    if (get(out, q.path) !== undefined) continue;
    out = setIn(out, q.path, q.initial);
    filled.push(q);
  }
  return { raw: out, filled };
}

/** Deep-sets `path` (dotted) in a copy of raw. */
export function setIn(raw: Raw, path: string, value: unknown): Raw {
  const [head, ...rest] = path.split('.');
  if (!rest.length) return { ...raw, [head!]: value };
  const child = isObj(raw[head!]) ? (raw[head!] as Raw) : {};
  return { ...raw, [head!]: setIn(child, rest.join('.'), value) };
}

/** The account set from the optional names chosen, in the default order. */
export function accountSet(optional: string[]): { name: string; ou: string }[] {
  return [...DEFAULT_ACCOUNTS, ...OPTIONAL_ACCOUNTS.filter((a) => optional.includes(a.name))].map((a) => ({ ...a }));
}

/** ops@acme.com → the address each account gets (ops+aws-prod@acme.com). */
export function accountEmails(mailbox: string, accounts: { name: string }[]): { name: string; email: string }[] {
  return accounts.map((a) => ({ name: a.name, email: plusAddress(mailbox, `aws-${a.name}`) }));
}

/** The mailbox rule, plus: every plus-address made from it must be a valid account email. */
export function mailboxRule(accounts: { name: string }[]): Rule {
  return (v) => {
    const own = accountEmailRule(v);
    if (own) return own;
    for (const a of accountEmails(v, accounts)) {
      const bad = accountEmailRule(a.email);
      if (bad) return `gives ${a.email} for ${a.name}, which ${bad}; use a shorter mailbox`;
    }
    return undefined;
  };
}

/** A comma-separated list of emails: each valid, 1 to 10 of them. */
export function parseEmailList(v: string): { emails: string[]; error?: string } {
  const emails = v
    .split(/[,\s]+/)
    .map((s) => s.trim())
    .filter(Boolean);
  if (!emails.length) return { emails, error: 'needs at least one email address' };
  if (emails.length > 10) return { emails, error: 'AWS allows at most 10 email addresses' };
  for (const e of emails) {
    const bad = emailRule(e);
    if (bad) return { emails, error: `${e} ${bad}` };
  }
  return { emails };
}

/** The answers as a config file: the same shape `--config` reads. */
export function configFileText(raw: Raw): string {
  return `${JSON.stringify(raw, null, 2)}\n`;
}

/** The domain a company name suggests: "Zeta Labs" → zeta-labs.com (the demo uses .example, a name that is never registered). */
export function domainFor(orgName: string | undefined, tld: 'com' | 'example'): string {
  const slug = orgName ? slugify(orgName) : '';
  return `${slug || 'acme'}.${tld}`;
}

/** A name as the local part of an email address: "Ada Maria" → ada.maria. */
function localPart(givenName: string | undefined): string {
  const s = (givenName ?? '')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '.')
    .replace(/^\.+|\.+$/g, '');
  return s || 'you';
}

/**
 * What the wizard proposes for the email questions, from the answers just given: the mailbox
 * follows the company name, the founder's email follows the mailbox's domain and their first
 * name. Placeholders in the real wizard (never taken by Enter), defaults in the demo.
 */
export function proposedEmails(raw: Raw, tld: 'com' | 'example'): { mailbox: string; founderEmail: string } {
  const org = get(raw, 'org.name');
  const mailbox =
    typeof get(raw, 'mailbox') === 'string'
      ? (get(raw, 'mailbox') as string)
      : `ops@${domainFor(typeof org === 'string' ? org : undefined, tld)}`;
  const domain = mailbox.includes('@') ? mailbox.slice(mailbox.lastIndexOf('@') + 1) : domainFor(undefined, tld);
  const given = get(raw, 'founder.givenName');
  return { mailbox, founderEmail: `${localPart(typeof given === 'string' ? given : undefined)}@${domain}` };
}

/**
 * The wizard's phone rule: the config schema's (AWS's own pattern), and a country code first.
 * AWS calls this number about the account; without "+" and a country code it cannot know
 * which country it is in (E.164: "+", a country code, at most 15 digits in all;
 * https://www.itu.int/rec/T-REC-E.164).
 */
export function wizardPhoneRule(v: string): string | undefined {
  const own = phoneRule(v);
  if (own) return own;
  const digits = v.replace(/[\s()-]/g, '');
  if (!digits.startsWith('+'))
    return 'needs the country code first, starting with + (for example +1 206 555 0100 or +44 20 7946 0000)';
  if (!/^\+[1-9]\d{6,14}$/.test(digits))
    return 'must be + and a country code, then the number: 8 to 15 digits in all (for example +1 206 555 0100)';
  return undefined;
}

/** The allowed regions as saved: the home region first and always, then the others chosen. */
export function allowedRegionsAnswer(home: string, chosen: string[]): string[] {
  return [home, ...chosen.filter((r) => r !== home)];
}
