// The wizard's questions (@clack/prompts). Each answer is checked as it is typed with the
// same rule functions as the config schema, and saved (through `save`) as soon as it is
// given, so Ctrl-C loses nothing already answered and the next run skips it.
import * as p from '@clack/prompts';
import { AWS_REGIONS, REGION_NAMES, isRegion, type AwsRegion } from '../../config/regions.js';
import { OPTIONAL_ACCOUNTS, plusAddress, slugify } from '../../config/defaults.js';
import {
  accountEmailRule,
  amountRule,
  contactEmailRule,
  emailRule,
  orgNameRule,
  personNameRule,
  thresholdRule,
  type Rule,
} from '../../config/schema.js';
import {
  STEP_QUESTIONS,
  accountEmails,
  accountSet,
  allowedRegionsAnswer,
  mailboxRule,
  parseEmailList,
  proposedEmails,
  setIn,
  wizardPhoneRule,
  type QuestionId,
  type Raw,
} from './answers.js';
import { resolveBaseline } from '../../config/load.js';
import { defaultBaseline } from '../../config/baseline.js';
import type { Baseline } from '../../config/schema.js';
import { wrap } from '../render/wrap.js';

/** Columns the text next to clack's guide may use ("│  " takes three), so nothing wraps mid-word. */
function columns(): number {
  return Math.max(36, Math.min(process.stdout.columns || Number(process.env.COLUMNS) || 80, 100) - 4);
}

/** A line of information between questions, wrapped to the terminal at word boundaries. */
export function say(message: string): void {
  p.log.info(
    message
      .split('\n')
      .map((l) => wrap(l, columns()))
      .join('\n'),
  );
}

/** A boxed note, wrapped to fit inside its box (clack adds 6 columns of border and padding). */
function note(body: string, title: string): void {
  p.note(
    body
      .split('\n')
      .map((l) => wrap(l, columns() - 4))
      .join('\n'),
    title,
  );
}

/** Ctrl-C (or Escape) at a question. */
export class Cancelled extends Error {
  constructor() {
    super('cancelled');
    this.name = 'Cancelled';
  }
}

function answer<T>(v: T | symbol): Exclude<T, symbol> {
  if (p.isCancel(v) || typeof v === 'symbol') throw new Cancelled();
  return v as Exclude<T, symbol>;
}

/** A clack validator from a schema rule; an empty answer takes the default when there is one. */
const check = (rule: Rule, def?: string) => (v: string | undefined) => {
  const t = (v ?? '').trim();
  if (!t && def !== undefined) return undefined;
  if (!t) return 'Please answer this one (it cannot be empty).';
  const msg = rule(t);
  return msg ? wrap(`This ${msg}.`, columns(), '   ') : undefined;
};

async function ask(message: string, rule: Rule, o: { def?: string; placeholder?: string } = {}): Promise<string> {
  const v = answer(
    await p.text({
      message,
      ...(o.def !== undefined
        ? { defaultValue: o.def, placeholder: o.placeholder ?? o.def }
        : o.placeholder
          ? { placeholder: o.placeholder }
          : {}),
      validate: check(rule, o.def),
    }),
  );
  const t = (v ?? '').trim();
  return t || o.def || '';
}

const str = (raw: Raw, ...path: string[]): string | undefined => {
  let o: unknown = raw;
  for (const k of path) o = o && typeof o === 'object' ? (o as Raw)[k] : undefined;
  return typeof o === 'string' ? o : undefined;
};

export interface AskOptions {
  /** Saves the answers so far (state file). Called after every answer. */
  save(raw: Raw): Promise<void>;
  /**
   * The demo: every question proposes an answer that Enter takes (the sample company's, and
   * emails that follow the company name typed). Without it, proposals are only placeholders.
   */
  demo?: { orgName: string; givenName: string; familyName: string; phone: string };
}

/** "eu-west-1 · Europe (Ireland)": what the region lists show and what typing filters on. */
const regionLabel = (r: string) => `${r} · ${REGION_NAMES[r as AwsRegion] ?? ''}`;

/** Asks the given questions in order; returns the raw config with the answers in it. */
export async function askQuestions(start: Raw, which: QuestionId[], o: AskOptions): Promise<Raw> {
  let raw = start;
  const set = async (path: string, value: unknown) => {
    raw = setIn(raw, path, value);
    await o.save(raw);
  };
  const demo = o.demo;
  // Proposed emails follow what was just answered (the company name, the mailbox, the first name).
  const proposed = () => proposedEmails(raw, demo ? 'example' : 'com');

  for (const q of which) {
    switch (q) {
      case 'orgName': {
        const name = await ask(
          'What is your company called?',
          orgNameRule,
          demo ? { def: demo.orgName } : { placeholder: 'Acme Robotics' },
        );
        await set('org.name', name);
        say(`Short name for AWS resources: ${slugify(name)}`);
        break;
      }
      case 'homeRegion': {
        const env = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
        say(
          'Your home region holds the audit trail\'s bucket, IAM Identity Center and your first workloads. Type to filter (a code or a city: "eu-", "frank"), ↑/↓ to pick, Enter to choose.',
        );
        const region = answer(
          await p.autocomplete({
            message: 'Home region',
            options: AWS_REGIONS.map((r) => ({ value: r as string, label: regionLabel(r) })),
            initialValue: env && isRegion(env) ? env : 'us-east-1',
            maxItems: 8,
          }),
        );
        await set('homeRegion', region);
        break;
      }
      case 'accounts': {
        const optional = answer(
          await p.multiselect({
            message: 'Add optional accounts? (space toggles, Enter goes on)',
            options: OPTIONAL_ACCOUNTS.map((a) => ({
              value: a.name,
              label: a.name,
              hint: a.name === 'staging' ? 'a copy of prod to test releases' : 'for experiments, with its own OU',
            })),
            initialValues: [] as string[],
            required: false,
          }),
        );
        await set('accounts', accountSet(optional));
        break;
      }
      case 'mailbox': {
        const accounts = (Array.isArray(raw.accounts) ? raw.accounts : accountSet([])) as {
          name: string;
          ou: string;
          email?: string;
        }[];
        say('Every AWS account needs its own email address: we make them from one mailbox with plus-addressing.');
        const suggestion = proposed().mailbox;
        const mailbox = await ask(
          'Mailbox for the AWS account emails',
          mailboxRule(accounts),
          demo ? { def: suggestion } : { placeholder: suggestion },
        );
        const preview = accountEmails(mailbox, accounts);
        note(preview.map((a) => `${a.name.padEnd(12)} ${a.email}`).join('\n'), 'Account emails');
        say(
          `Mail to them arrives in ${mailbox} if your provider supports plus-addressing (Gmail and Microsoft 365 do).`,
        );
        const ok = answer(await p.confirm({ message: 'Use these addresses?', initialValue: true }));
        let list = accounts.map((a) => ({ name: a.name, ou: a.ou }));
        if (!ok) {
          const emails: string[] = [];
          for (const a of preview) {
            const e = await ask(
              `Email for the ${a.name} account`,
              (v) =>
                accountEmailRule(v) ??
                (emails.includes(v.toLowerCase()) || v.toLowerCase() === mailbox.toLowerCase()
                  ? 'is already used; every account needs its own address'
                  : undefined),
              { def: a.email },
            );
            emails.push(e.toLowerCase());
          }
          list = list.map((a, i) => ({ ...a, email: emails[i]! }));
        }
        raw = setIn(raw, 'accounts', list);
        await set('mailbox', mailbox);
        break;
      }
      case 'founder': {
        say('You become the first administrator, signing in through IAM Identity Center.');
        const givenName = await ask('Your first name', personNameRule, demo ? { def: demo.givenName } : {});
        await set('founder.givenName', givenName);
        const familyName = await ask('Your last name', personNameRule, demo ? { def: demo.familyName } : {});
        await set('founder.familyName', familyName);
        const suggestion = proposed().founderEmail;
        const email = await ask(
          'Your email (your sign-in user name)',
          emailRule,
          demo ? { def: suggestion } : { placeholder: suggestion },
        );
        await set('founder.email', email);
        break;
      }
      case 'budget': {
        const amount = await ask('Monthly budget in USD (alerts at 50/80/100 %)', amountRule, { def: '100' });
        await set('budget.amount', Number(amount));
        const mailbox = str(raw, 'mailbox');
        const def = mailbox ? plusAddress(mailbox, 'aws-billing') : undefined;
        const listRule: Rule = (v) => parseEmailList(v).error;
        const emails = parseEmailList(
          await ask('Who gets cost alerts? (emails, comma-separated)', listRule, { def }),
        ).emails;
        await set('budget.emails', emails);
        break;
      }
      case 'anomaly': {
        const t = await ask('Alert on unusual costs from how many USD?', thresholdRule, { def: '20' });
        raw = setIn(raw, 'anomaly.thresholdUsd', Number(t));
        // The same people get both kinds of cost alert.
        const emails = (raw.budget as Raw | undefined)?.emails;
        if (Array.isArray(emails)) raw = setIn(raw, 'anomaly.emails', emails);
        await o.save(raw);
        break;
      }
      case 'contacts': {
        const founderName = [str(raw, 'founder', 'givenName'), str(raw, 'founder', 'familyName')]
          .filter(Boolean)
          .join(' ');
        const who = answer(
          await p.select({
            message: 'Who are the billing, operations and security contacts?',
            options: [
              { value: 'founder', label: founderName ? `${founderName}, for all three` : 'You, for all three' },
              { value: 'each', label: 'Different people: ask for each' },
            ],
            initialValue: 'founder',
          }),
        );
        const phoneAsk = (message: string) =>
          ask(message, wizardPhoneRule, demo ? { def: demo.phone } : { placeholder: '+1 206 555 0100' });
        if (who === 'founder') {
          say('AWS may call this number about security issues: give it with the country code, starting with +.');
          const phone = await phoneAsk('Your phone, with country code');
          for (const k of ['billing', 'operations', 'security']) await set(`contacts.${k}.phone`, phone);
        } else {
          const mailbox = str(raw, 'mailbox');
          for (const [k, title, tag] of [
            ['billing', 'Billing contact', 'aws-billing'],
            ['operations', 'Operations contact', 'aws-ops'],
            ['security', 'Security contact', 'aws-security'],
          ] as const) {
            const name = await ask(`${title}: name`, personNameRule, founderName ? { def: founderName } : {});
            const t = await ask(
              `${title}: title`,
              (v) => (v.length > 50 ? 'must be at most 50 characters' : undefined),
              { def: title },
            );
            const email = await ask(
              `${title}: email`,
              contactEmailRule,
              mailbox ? { def: plusAddress(mailbox, tag) } : {},
            );
            const phone = await phoneAsk(`${title}: phone, with country code`);
            await set(`contacts.${k}`, { name, title: t, email, phone });
          }
        }
        break;
      }
      case 'allowedRegions': {
        const home = str(raw, 'homeRegion') ?? 'us-east-1';
        say(
          `Which regions will your teams use? The region guard (next question) can refuse every other region, and the first run checks these are enabled in each account. ${home}, your home region, is always one of them. Type to filter, ↑/↓ and Tab or Space to add or remove one, Enter when done.`,
        );
        const chosen = answer(
          await p.autocompleteMultiselect({
            message: 'Regions you will use',
            options: AWS_REGIONS.map((r) => ({
              value: r as string,
              label: r === home ? `${regionLabel(r)} (home)` : regionLabel(r),
            })),
            initialValues: [home],
            required: true,
            maxItems: 8,
          }),
        );
        const regions = allowedRegionsAnswer(home, chosen);
        say(
          `Regions you will use: ${regions.join(', ')}${chosen.includes(home) ? '' : ` (${home} stays in: it is your home region)`}.`,
        );
        await set('allowedRegions', regions);
        break;
      }
      default: {
        // A step's yes/no question (`questions` in steps/*.ts), about the answers so far.
        const sq = STEP_QUESTIONS.get(q);
        if (!sq) throw new Error(`unknown question ${q}`);
        const b = baselineSoFar(raw);
        if (sq.note) note(sq.note(b), sq.title ?? 'About this option');
        const on = answer(
          await p.confirm({
            message: typeof sq.message === 'string' ? sq.message : sq.message(b),
            initialValue: sq.initial,
          }),
        );
        await set(sq.path, on);
        break;
      }
    }
  }
  return raw;
}

/**
 * The baseline the answers so far describe (placeholders for what is still unanswered), for a
 * step question's text; the defaults when the answers do not resolve yet.
 */
function baselineSoFar(raw: Raw): Baseline {
  try {
    return resolveBaseline(raw, { placeholders: true });
  } catch {
    return defaultBaseline({ homeRegion: str(raw, 'homeRegion') ?? 'us-east-1' });
  }
}

export { regionGuardNote } from '../../steps/service-control-policies.js';
