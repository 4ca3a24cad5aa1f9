// The whole config, put together from the core (config/schema.ts) and each step's fragment
// (`config` in steps/*.ts): the schema a config file is checked against, and the defaults a
// new one starts from. Adding a step with config changes nothing here.
import { z } from 'zod';
import { STEPS } from '../steps/index.js';
import type { Step, StepConfig } from '../steps/contract.js';
import { configRules, coreChecks, coreSchema, type Baseline } from './schema.js';
import { DEFAULT_ACCOUNTS, DEFAULT_OUS, PLACEHOLDERS, plusAddress, slugify } from './defaults.js';

const fragments = (steps: readonly Step<any, any>[]): StepConfig[] =>
  steps.flatMap((s) => (s.config ? [s.config as StepConfig] : []));

export function baselineSchema(opts: { placeholders: boolean }, steps: readonly Step<any, any>[] = STEPS) {
  const rules = configRules(opts.placeholders);
  const parts = fragments(steps);
  const shape: Record<string, z.ZodType> = { ...coreSchema(opts).shape };
  for (const f of parts) shape[f.key] = f.schema(rules);
  return z.strictObject(shape).superRefine((raw, ctx) => {
    const b = raw as unknown as Baseline;
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    coreChecks(b, issue);
    for (const f of parts) f.check?.(b, issue);
  });
}

/**
 * A complete baseline from the answers known so far. Fields derived from other answers
 * (slug, account emails, contacts, alert emails) are derived here and in each step's
 * defaults, so a config file only needs what differs from the defaults.
 */
export function defaultBaseline(
  known: {
    orgName?: string;
    slug?: string;
    mailbox?: string;
    homeRegion?: string;
    givenName?: string;
    familyName?: string;
    founderEmail?: string;
    accountNames?: { name: string; ou: string }[];
  },
  steps: readonly Step<any, any>[] = STEPS,
): Baseline {
  const orgName = known.orgName ?? PLACEHOLDERS.orgName;
  const slug = known.slug ?? (known.orgName ? slugify(known.orgName) : PLACEHOLDERS.slug);
  const mailbox = known.mailbox ?? PLACEHOLDERS.mailbox;
  const homeRegion = known.homeRegion ?? 'us-east-1';
  const givenName = known.givenName ?? PLACEHOLDERS.givenName;
  const familyName = known.familyName ?? PLACEHOLDERS.familyName;
  const founderEmail = known.founderEmail ?? PLACEHOLDERS.founderEmail;
  const accounts = (known.accountNames ?? DEFAULT_ACCOUNTS).map((a) => ({
    ...a,
    email: plusAddress(mailbox, `aws-${a.name}`),
  }));
  const ous = [...DEFAULT_OUS];
  if (accounts.some((a) => a.ou === 'Sandbox')) ous.push({ name: 'Sandbox', parent: 'Root' });
  const core = {
    org: { name: orgName, slug },
    homeRegion,
    allowedRegions: [homeRegion],
    mailbox,
    founder: { givenName, familyName, email: founderEmail, userName: known.founderEmail ?? founderEmail },
    organizationalUnits: ous,
    accounts,
    logArchiveAccount: 'log-archive',
    auditAccount: 'audit',
  };
  const fullName = known.givenName && known.familyName ? `${givenName} ${familyName}` : '<founder-name>';
  const d = {
    slug,
    mailbox,
    homeRegion,
    fullName,
    accountNames: accounts.map((a) => a.name),
    logArchiveAccount: core.logArchiveAccount,
    auditAccount: core.auditAccount,
  };
  const out: Record<string, unknown> = { ...core };
  for (const f of fragments(steps)) out[f.key] = f.defaults(d);
  return out as unknown as Baseline;
}
