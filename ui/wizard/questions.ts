// The wizard's questions (@clack/prompts). Each answer is checked as it is typed with the
// same rule functions as the config schema, and saved (through `save`) as soon as it is
// given, so Ctrl-C loses nothing already answered and the next run skips it.
import * as p from '@clack/prompts';
import { AWS_REGIONS, isRegion } from '../../config/regions.js';
import { OPTIONAL_ACCOUNTS, plusAddress, slugify } from '../../config/defaults.js';
import { accountEmailRule, amountRule, contactEmailRule, emailRule, orgNameRule, personNameRule, phoneRule, thresholdRule, type Rule } from '../../config/schema.js';
import { accountEmails, accountSet, mailboxRule, parseEmailList, setIn, type QuestionId, type Raw } from './answers.js';

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
  return msg ? `This ${msg}.` : undefined;
};

async function ask(message: string, rule: Rule, o: { def?: string; placeholder?: string } = {}): Promise<string> {
  const v = answer(await p.text({
    message,
    ...(o.def !== undefined ? { defaultValue: o.def, placeholder: o.placeholder ?? o.def } : o.placeholder ? { placeholder: o.placeholder } : {}),
    validate: check(rule, o.def),
  }));
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
  /** Suggested answers for the demo (pressing Enter takes them). */
  suggest?: Partial<Record<'orgName' | 'mailbox' | 'givenName' | 'familyName' | 'founderEmail' | 'phone', string>>;
}

/** Asks the given questions in order; returns the raw config with the answers in it. */
export async function askQuestions(start: Raw, which: QuestionId[], o: AskOptions): Promise<Raw> {
  let raw = start;
  const set = async (path: string, value: unknown) => {
    raw = setIn(raw, path, value);
    await o.save(raw);
  };
  const s = o.suggest ?? {};

  for (const q of which) {
    switch (q) {
      case 'orgName': {
        const name = await ask('What is your company called?', orgNameRule, { def: s.orgName, placeholder: s.orgName ?? 'Acme Robotics' });
        await set('org.name', name);
        p.log.info(`Short name for AWS resources: ${slugify(name)}`);
        break;
      }
      case 'homeRegion': {
        const env = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
        const region = answer(await p.select({
          message: 'Home region (trail, Identity Center, workloads)',
          options: AWS_REGIONS.map((r) => ({ value: r as string, label: r })),
          initialValue: env && isRegion(env) ? env : 'us-east-1',
          maxItems: 8,
        }));
        await set('homeRegion', region);
        break;
      }
      case 'accounts': {
        const optional = answer(await p.multiselect({
          message: 'Add optional accounts? (space toggles, Enter goes on)',
          options: OPTIONAL_ACCOUNTS.map((a) => ({ value: a.name, label: a.name, hint: a.name === 'staging' ? 'a copy of prod to test releases' : 'for experiments, with its own OU' })),
          initialValues: [] as string[],
          required: false,
        }));
        await set('accounts', accountSet(optional));
        break;
      }
      case 'mailbox': {
        const accounts = (Array.isArray(raw.accounts) ? raw.accounts : accountSet([])) as { name: string; ou: string; email?: string }[];
        p.log.info('Every AWS account needs its own email address: we make them from one mailbox with plus-addressing.');
        const mailbox = await ask('Mailbox for the AWS account emails', mailboxRule(accounts), { def: s.mailbox, placeholder: s.mailbox ?? 'ops@acme.com' });
        const preview = accountEmails(mailbox, accounts);
        p.note(preview.map((a) => `${a.name.padEnd(12)} ${a.email}`).join('\n'), 'Account emails');
        p.log.info(`Mail to them arrives in ${mailbox} if your provider supports plus-addressing (Gmail and Microsoft 365 do).`);
        const ok = answer(await p.confirm({ message: 'Use these addresses?', initialValue: true }));
        let list = accounts.map((a) => ({ name: a.name, ou: a.ou }));
        if (!ok) {
          const emails: string[] = [];
          for (const a of preview) {
            const e = await ask(`Email for the ${a.name} account`, (v) => accountEmailRule(v) ?? (emails.includes(v.toLowerCase()) || v.toLowerCase() === mailbox.toLowerCase() ? 'is already used; every account needs its own address' : undefined), { def: a.email });
            emails.push(e.toLowerCase());
          }
          list = list.map((a, i) => ({ ...a, email: emails[i]! }));
        }
        raw = setIn(raw, 'accounts', list);
        await set('mailbox', mailbox);
        break;
      }
      case 'founder': {
        p.log.info('You become the first administrator, signing in through IAM Identity Center.');
        const givenName = await ask('Your first name', personNameRule, { def: s.givenName });
        await set('founder.givenName', givenName);
        const familyName = await ask('Your last name', personNameRule, { def: s.familyName });
        await set('founder.familyName', familyName);
        const email = await ask('Your email (your sign-in user name)', emailRule, { def: s.founderEmail, placeholder: s.founderEmail ?? 'you@acme.com' });
        await set('founder.email', email);
        break;
      }
      case 'budget': {
        const amount = await ask('Monthly budget in USD (alerts at 50/80/100 %)', amountRule, { def: '100' });
        await set('budget.amount', Number(amount));
        const mailbox = str(raw, 'mailbox');
        const def = mailbox ? plusAddress(mailbox, 'aws-billing') : undefined;
        const listRule: Rule = (v) => parseEmailList(v).error;
        const emails = parseEmailList(await ask('Who gets cost alerts? (emails, comma-separated)', listRule, { def })).emails;
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
        const founderName = [str(raw, 'founder', 'givenName'), str(raw, 'founder', 'familyName')].filter(Boolean).join(' ');
        const who = answer(await p.select({
          message: 'Who are the billing, operations and security contacts?',
          options: [
            { value: 'founder', label: founderName ? `${founderName}, for all three` : 'You, for all three' },
            { value: 'each', label: 'Different people: ask for each' },
          ],
          initialValue: 'founder',
        }));
        if (who === 'founder') {
          p.log.info('AWS may call this number about security issues.');
          const phone = await ask('Your phone, with country code', phoneRule, { def: s.phone, placeholder: s.phone ?? '+1 206 555 0100' });
          for (const k of ['billing', 'operations', 'security']) await set(`contacts.${k}.phone`, phone);
        } else {
          const mailbox = str(raw, 'mailbox');
          for (const [k, title, tag] of [['billing', 'Billing contact', 'aws-billing'], ['operations', 'Operations contact', 'aws-ops'], ['security', 'Security contact', 'aws-security']] as const) {
            const name = await ask(`${title}: name`, personNameRule, founderName ? { def: founderName } : {});
            const t = await ask(`${title}: title`, (v) => (v.length > 50 ? 'must be at most 50 characters' : undefined), { def: title });
            const email = await ask(`${title}: email`, contactEmailRule, mailbox ? { def: plusAddress(mailbox, tag) } : {});
            const phone = await ask(`${title}: phone, with country code`, phoneRule, s.phone ? { def: s.phone } : {});
            await set(`contacts.${k}`, { name, title: t, email, phone });
          }
        }
        break;
      }
      case 'allowedRegions': {
        const home = str(raw, 'homeRegion') ?? 'us-east-1';
        const chosen = answer(await p.multiselect({
          message: 'Regions you will use (space toggles, Enter goes on)',
          options: AWS_REGIONS.map((r) => ({ value: r as string, label: r, ...(r === home ? { hint: 'home region' } : {}) })),
          initialValues: [home],
          cursorAt: home,
          required: false,
          maxItems: 8,
        }));
        await set('allowedRegions', [home, ...chosen.filter((r) => r !== home)]);
        break;
      }
      case 'regionGuard': {
        const home = str(raw, 'homeRegion') ?? 'us-east-1';
        const regions = Array.isArray(raw.allowedRegions) ? (raw.allowedRegions as string[]) : [home];
        p.note(regionGuardNote(regions), 'Region guard (a service control policy)');
        const on = answer(await p.confirm({ message: `Turn on the region guard for ${regions.join(', ')}? (recommended)`, initialValue: true }));
        await set('scps.regionGuard', on);
        break;
      }
    }
  }
  return raw;
}

/** What the region guard blocks and what it leaves alone, before the founder decides. */
export function regionGuardNote(regions: string[]): string {
  return [
    `It refuses regional services (EC2, S3 buckets, Lambda, databases, …) in every region but ${regions.join(', ')},`,
    'for everyone in the member accounts, so nothing can run unseen where you do not look (SSB ACCT.17).',
    'Global services (IAM, Organizations, billing, CloudFront, Route 53, …) keep working everywhere.',
    'It cannot restrict the management account: AWS never applies SCPs there.',
    'Easy to change later: set "scps": { "regionGuard": false } (or true) in a config file and run again.',
  ].join('\n');
}
