// Billing, operations and security alternate contacts on every account, management
// included, so AWS reaches a person (or a list) rather than only the root e-mail address.
// The management account is set without AccountId (AWS refuses its own ID there); members
// through the Account API with AccountId, which needs trusted access for
// account.amazonaws.com. Each contact is read first and only written when it differs.
// Covers: SSB ACCT.01, CIS 1.1, CIS 1.2 (security contact).
import { StepError, mgmt, type Action, type Step, type Val, stepConfig, type ConfigRules } from './contract.js';
import { z } from 'zod';
import { contactEmailRule, personNameRule, phoneRule } from '../config/schema.js';
import { PLACEHOLDERS, plusAddress } from '../config/defaults.js';
import type { Baseline } from '../config/schema.js';
import { mapLimit } from './lib/map-limit.js';
import { isAwsError } from '../aws/errors.js';

export const CONTACT_TYPES = ['BILLING', 'OPERATIONS', 'SECURITY'] as const;
export type ContactType = (typeof CONTACT_TYPES)[number];

export interface Contact {
  Name: string;
  Title: string;
  EmailAddress: string;
  PhoneNumber: string;
}

export interface ContactsSeen {
  accounts: {
    /** 'management' or the account name from the config. */
    name: string;
    /** Undefined for the management account (no AccountId is sent). */
    accountId?: Val;
    /** Missing type: not set (or not readable yet, e.g. before trusted access). */
    contacts: Partial<Record<ContactType, Contact>>;
  }[];
}

const CONFIG_KEY: Record<ContactType, keyof Baseline['contacts']> = {
  BILLING: 'billing',
  OPERATIONS: 'operations',
  SECURITY: 'security',
};

export function wantedContact(want: Baseline, type: ContactType): Contact {
  const c = want.contacts[CONFIG_KEY[type]];
  return { Name: c.name, Title: c.title, EmailAddress: c.email, PhoneNumber: c.phone };
}

/** The fields of a contact that differ from the config (e-mail compared case-insensitively). */
const differing = (a: Contact, b: Contact): string[] =>
  (['Name', 'Title', 'EmailAddress', 'PhoneNumber'] as const)
    .filter((k) => (k === 'EmailAddress' ? a[k].toLowerCase() !== b[k].toLowerCase() : a[k] !== b[k]))
    .map((k) => ({ Name: 'name', Title: 'title', EmailAddress: 'e-mail', PhoneNumber: 'phone' })[k]);

const TRUSTED_ACCESS_HINT =
  'Trusted access for the Account Management service (account.amazonaws.com) must be enabled in AWS Organizations; secure-start does this in its "trusted-access" step. Run again, or enable it under Organizations → Services → AWS Account Management.';

const contactSchema = ({ ruled }: ConfigRules) =>
  z.strictObject({
    name: ruled(personNameRule, 'the contact name'),
    title: z.string().min(1, 'the title must not be empty').max(50, 'the title must be at most 50 characters'),
    email: ruled(contactEmailRule, 'the contact email'),
    phone: ruled(phoneRule, 'the phone number'),
  });

/** The three alternate contacts (every account gets the same ones). */
export const config = stepConfig({
  key: 'contacts',
  schema: (r) =>
    z.strictObject({ billing: contactSchema(r), operations: contactSchema(r), security: contactSchema(r) }),
  defaults: (d) => {
    const contact = (title: string, tag: string) => ({
      name: d.fullName,
      title,
      email: plusAddress(d.mailbox, tag),
      phone: PLACEHOLDERS.phone,
    });
    return {
      billing: contact('Billing contact', 'aws-billing'),
      operations: contact('Operations contact', 'aws-ops'),
      security: contact('Security contact', 'aws-security'),
    };
  },
});

export const alternateContacts: Step<ContactsSeen, typeof config> = {
  config,
  id: 'alternate-contacts',
  title: 'Billing, operations and security contacts on every account',
  // PutAlternateContact with AccountId needs it (Account Management reference, "Enabling trusted access").
  trustedAccess: ['account.amazonaws.com'],
  needs: ['accounts', 'trusted-access'],
  controls: ['SSB ACCT.01', 'CIS 1.1', 'CIS 1.2'],
  severity: 'low',
  why: "AWS sends billing, operations and security notices to these contacts; without them they reach only the root user's mailbox.",

  async observe(ctx) {
    const targets: ContactsSeen['accounts'] = [
      { name: 'management', contacts: {} },
      ...ctx.want.accounts.map((a) => ({ name: a.name, accountId: ctx.ref(`${a.name}.accountId`), contacts: {} })),
    ];
    const reads = targets.flatMap((t) => CONTACT_TYPES.map((type) => ({ t, type })));
    await mapLimit(reads, 6, async ({ t, type }) => {
      if (t.accountId !== undefined && typeof t.accountId !== 'string') return; // account not created yet
      try {
        const out = await ctx.aws.call('account', 'GetAlternateContact', {
          AlternateContactType: type,
          ...(typeof t.accountId === 'string' ? { AccountId: t.accountId } : {}),
        });
        const c = out.AlternateContact;
        if (c)
          t.contacts[type] = {
            Name: c.Name ?? '',
            Title: c.Title ?? '',
            EmailAddress: c.EmailAddress ?? '',
            PhoneNumber: c.PhoneNumber ?? '',
          };
      } catch (e) {
        if (isAwsError(e, 'ResourceNotFoundException')) return;
        // Before trusted access is on (a plan on a half-built organization), members cannot be
        // read from the management account: treat as not set, the put comes after trusted access.
        if (isAwsError(e, 'AccessDeniedException') && t.accountId !== undefined && ctx.mode !== 'apply') return;
        if (isAwsError(e, 'AccessDeniedException'))
          throw new StepError(
            `AWS refused to read the ${type.toLowerCase()} contact of the ${t.name} account.`,
            t.accountId
              ? TRUSTED_ACCESS_HINT
              : 'Run secure-start as the root user or an administrator of the management account (account:GetAlternateContact).',
            { cause: e },
          );
        throw e;
      }
    });
    return { accounts: targets };
  },

  fresh: (ctx) => ({
    accounts: [
      { name: 'management', contacts: {} },
      ...ctx.want.accounts.map((a) => ({ name: a.name, accountId: ctx.ref(`${a.name}.accountId`), contacts: {} })),
    ],
  }),

  plan(want, seen) {
    const actions: Action[] = [];
    for (const acct of seen.accounts) {
      for (const type of CONTACT_TYPES) {
        const w = wantedContact(want, type);
        const have = acct.contacts[type];
        const diff = have ? differing(have, w) : [];
        if (have && !diff.length) continue;
        const input = {
          AlternateContactType: type,
          ...w,
          ...(acct.accountId !== undefined ? { AccountId: acct.accountId } : {}),
        };
        // Say what is wrong, so verify's finding reads as a sentence ("not set", "e-mail differs").
        const what = have ? `${diff.join(', ')} differ${diff.length > 1 ? '' : 's'}` : 'not set';
        actions.push({
          kind: 'call',
          symbol: have ? '~' : '+',
          service: 'account',
          operation: 'PutAlternateContact',
          input,
          target: mgmt('us-east-1'),
          summary: `${have ? '~' : '+'} account:PutAlternateContact ${acct.name} ${type} (${what}; set to ${w.Name}, ${w.EmailAddress})`,
          controls: type === 'SECURITY' ? ['SSB ACCT.01', 'CIS 1.2'] : ['SSB ACCT.01', 'CIS 1.1'],
          confirmed: true,
          async run(ctx) {
            try {
              await ctx.aws.call('account', 'PutAlternateContact', ctx.input as never);
            } catch (e) {
              if (isAwsError(e, 'AccessDeniedException') && acct.accountId !== undefined)
                throw new StepError(
                  `AWS refused to set the ${type.toLowerCase()} contact of the ${acct.name} account.`,
                  TRUSTED_ACCESS_HINT,
                );
              if (isAwsError(e, 'ValidationException'))
                throw new StepError(
                  `AWS rejected the ${type.toLowerCase()} contact for ${acct.name}: ${(e as Error).message}`,
                  `Fix contacts.${CONFIG_KEY[type]} in your config (name ≤ 64 characters, title ≤ 50, phone digits, spaces, + ( ) -), then run again.`,
                );
              throw e;
            }
          },
        });
      }
    }
    return actions;
  },
};
