// The desired baseline: what the founder asked for, fully resolved and validated.
// Every rule here runs before any AWS call; every message names the field and says what
// is allowed. The same checks back the wizard's questions (ui/ imports `fieldRules`).
import { z } from 'zod';
import { AWS_REGIONS, isRegion } from './regions.js';
import type { ConfigRules } from '../steps/contract.js';
import type { StepConfigs } from '../steps/index.js';

// Zod compiles a parser for each object schema on first use (new Function); a run parses its
// config once or twice, so interpreting is cheaper (Zod 4's global `jitless`): the config's
// first parse took 27-46 ms instead of 43-64 ms in a bundled micro-test.
z.config({ jitless: true });

/** A visible placeholder for something only the founder can answer, e.g. `<founder-email>`. */
export const PLACEHOLDER = /<[a-z0-9.+@-]+>/i;
export const isPlaceholder = (v: unknown): boolean => typeof v === 'string' && PLACEHOLDER.test(v);

// ---- field rules, shared with the wizard's prompts --------------------------------------

/** Returns an error message, or undefined when the value is fine. */
export type Rule = (value: string) => string | undefined;

const FORBIDDEN_LOCAL = /[\s"'()<>[\]:;,\\|%&]/;

/** The shape every email must have: one @, a plain local part, a domain with a dot. */
function emailShape(v: string): string | undefined {
  if (!/^[\x20-\x7e]+$/.test(v)) return 'must use plain ASCII characters only';
  if (/\s/.test(v)) return 'must not contain spaces';
  const parts = v.split('@');
  // What is missing, said as such: "ops" needs an @ and a domain, "ops@acme" a dot in the domain.
  if (parts.length === 1) return 'needs an @ and a domain, such as ops@example.com';
  if (parts.length !== 2) return 'must contain exactly one @';
  const [local, domain] = parts as [string, string];
  if (!local) return 'needs a name before the @';
  if (FORBIDDEN_LOCAL.test(local)) return `the part before @ must not contain any of " ' ( ) < > [ ] : ; , \\ | % &`;
  if (!/^[a-zA-Z0-9.-]+$/.test(domain)) return 'the domain may contain only letters, digits, dots and dashes';
  if (!domain.includes('.') || domain.startsWith('.') || domain.endsWith('.') || domain.includes('..'))
    return 'needs a domain with a dot, such as example.com';
  return undefined;
}

/**
 * An email's length, said after its shape when it is too short (what is missing matters more
 * than the count), before it when too long (never scan a huge value).
 */
const emailOfLength =
  (min: number, max: number): Rule =>
  (v) => {
    const count = `must be ${min} to ${max} characters (got ${v.length})`;
    if (v.length > max) return count;
    return emailShape(v) ?? (v.length < min ? count : undefined);
  };

/** AWS's rules for an account's root email (Organizations CreateAccount): 6 to 64 characters. */
export const accountEmailRule: Rule = emailOfLength(6, 64);

/** Any other email we send to (alerts, the founder's). */
export const emailRule: Rule = emailOfLength(6, 254);

// Java's \s (the Account API's patterns are Java regexes): never JavaScript's, which also takes
// no-break and other Unicode spaces.
const JAVA_SPACE = '[ \\t\\n\\x0B\\f\\r]';
/**
 * An alternate contact's email, exactly as the Account API takes it: 1 to 254 characters,
 * pattern [\s]*[\w+=.#|!&-]+@[\w.-]+\.[\w]+[\s]* (\w is ASCII letters, digits and _).
 * https://docs.aws.amazon.com/accounts/latest/reference/API_AlternateContact.html
 */
const CONTACT_EMAIL = new RegExp(`^${JAVA_SPACE}*[\\w+=.#|!&-]+@[\\w.-]+\\.\\w+${JAVA_SPACE}*$`);
export const contactEmailRule: Rule = (v) => {
  if (v.length < 1 || v.length > 254) return `must be 1 to 254 characters (got ${v.length})`;
  if (CONTACT_EMAIL.test(v)) return undefined;
  const at = v.split('@');
  if (at.length !== 2) return 'must contain exactly one @';
  if (!/^[\s]*[\w+=.#|!&-]+$/.test(at[0]!))
    return "the part before @ may contain only letters, digits and _ + = . # | ! & - (the AWS Account API's rule)";
  return "needs a domain of letters, digits, _ . - ending in a dot and a name without dashes, such as example.com (the AWS Account API's rule)";
};

export const accountNameRule: Rule = (v) => {
  if (v.length < 1 || v.length > 50) return `must be 1 to 50 characters (got ${v.length})`;
  // Names also become parts of profile names (acme-prod-admin) and bucket names.
  if (!/^[a-z0-9][a-z0-9-]*$/.test(v))
    return 'use lowercase letters, digits and dashes, starting with a letter or digit';
  return undefined;
};

export const regionRule: Rule = (v) =>
  isRegion(v) ? undefined : `"${v}" is not an AWS region; use one of ${AWS_REGIONS.slice(0, 6).join(', ')}, …`;

export const orgNameRule: Rule = (v) => {
  const t = v.trim();
  if (t.length < 1 || t.length > 40) return 'must be 1 to 40 characters';
  if (!/^[\p{L}\p{N} .,&'-]+$/u.test(t)) return "use letters, digits, spaces and . , & ' -";
  if (!/[a-zA-Z0-9]/.test(t)) return 'must contain at least one letter or digit (a-z, 0-9) to build a short name from';
  return undefined;
};

// The short name starts the trail (<slug>-org-trail), bucket and profile names. CloudTrail
// refuses two dashes in a row in a trail name, so the short name has none either.
export const slugRule: Rule = (v) =>
  /^[a-z0-9](?:[a-z0-9-]{0,18}[a-z0-9])?$/.test(v) && !v.includes('--')
    ? undefined
    : 'must be 1 to 20 lowercase letters, digits or single dashes, not starting or ending with a dash';

export const personNameRule: Rule = (v) => {
  const t = v.trim();
  if (t.length < 1 || t.length > 64) return 'must be 1 to 64 characters';
  if (/[\p{Cc}<>]/u.test(t)) return 'must not contain control characters or < >';
  return undefined;
};

export const phoneRule: Rule = (v) => {
  if (v.length < 1 || v.length > 25) return 'must be 1 to 25 characters';
  if (!/^[\s0-9()+-]+$/.test(v)) return 'may contain only digits, spaces, ( ) + and -';
  if (!/[0-9]/.test(v)) return 'must contain digits';
  return undefined;
};

// ---- amounts ----------------------------------------------------------------------------
// AWS Budgets takes an amount as a string of plain decimal digits (Spend.Amount, pattern
// ([0-9]*\.)?[0-9]+, up to 2^31-1 characters:
// https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_budgets_Spend.html),
// and so does the anomaly threshold (a dimension value). No exponent ("1e-7"), no sign, no
// grouping. What limits us is the JSON number a config file holds: a double keeps 15
// significant digits exactly, so an amount with more would be sent as another amount.

/** The pattern AWS Budgets gives for Spend.Amount. */
export const AWS_DECIMAL = /^([0-9]*\.)?[0-9]+$/;
/** Decimal digits a double always holds exactly (DBL_DIG). */
export const MAX_SIGNIFICANT_DIGITS = 15;

/** The number as plain decimal digits, as AWS takes it: 1e-7 → '0.0000001', 1e21 → '1000000000000000000000'. */
export function plainDecimal(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`not a finite number: ${n}`);
  const s = String(Math.abs(n));
  const sign = n < 0 ? '-' : '';
  const m = /^(\d+)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (!m) return sign + s;
  const digits = m[1]! + (m[2] ?? '');
  const point = m[1]!.length + Number(m[3]);
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return sign + digits + '0'.repeat(point - digits.length);
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** Significant digits of a number's shortest exact form (1e21 → 1, 49.99 → 4). */
export function significantDigits(n: number): number {
  return /^-?(\d)(?:\.(\d+))?e/.exec(n.toExponential())!.slice(1).join('').length;
}

/** A problem with an amount AWS takes as a plain decimal, or undefined. `min` is 'positive' or 'zero'. */
export function amountProblem(n: number, min: 'positive' | 'zero'): string | undefined {
  if (!Number.isFinite(n)) return 'must be a finite number';
  if (min === 'positive' ? !(n > 0) : n < 0) return min === 'positive' ? 'must be more than 0' : 'must be 0 or more';
  if (significantDigits(n) > MAX_SIGNIFICANT_DIGITS)
    return `has more than ${MAX_SIGNIFICANT_DIGITS} significant digits, which a config file's number cannot hold exactly`;
  return undefined;
}

/** An amount typed as text (the wizard): AWS's plain decimal, read back exactly. */
function typedAmount(v: string, min: 'positive' | 'zero'): string | undefined {
  const t = v.trim();
  if (!AWS_DECIMAL.test(t))
    return `must be a ${min === 'positive' ? 'positive ' : ''}amount in plain digits such as 100 or 49.99 (no sign, exponent or thousands separator)`;
  const n = Number(t);
  const p = amountProblem(n, min);
  if (p) return p;
  // What is stored (a number) must write back as what was typed, or the founder's amount changes.
  const typed = t
    .replace(/^0+(?=\d)/, '')
    .replace(/(\.\d*?)0+$/, '$1')
    .replace(/\.$/, '')
    .replace(/^\./, '0.');
  if (plainDecimal(n) !== typed)
    return `has more than ${MAX_SIGNIFICANT_DIGITS} significant digits; it cannot be kept exactly`;
  return undefined;
}

/** The monthly budget (AWS Budgets: more than 0; AWS refuses a budget of 0). */
export const amountRule: Rule = (v) => typedAmount(v, 'positive');
/** The anomaly alert threshold in USD (Cost Anomaly Detection: 0 or more, 0 = every anomaly). */
export const thresholdRule: Rule = (v) => typedAmount(v, 'zero');

// ---- names AWS derives from the slug and other names ------------------------------------

/**
 * The trail bucket's name: `<slug>-org-trail-<log-archive account id>`. The account ID makes
 * it globally unique and says whose it is.
 */
export const trailBucketNameFor = (slug: string, logArchiveId: string): string =>
  `${slug.toLowerCase()}-org-trail-${logArchiveId}`;

/**
 * Amazon S3's rules for a general purpose bucket name, or undefined when the name is valid.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
 */
export function s3BucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return `must be 3 to 63 characters (is ${name.length})`;
  if (!/^[a-z0-9.-]+$/.test(name)) return 'may contain only lowercase letters, digits, dots and hyphens';
  if (!/^[a-z0-9]/.test(name) || !/[a-z0-9]$/.test(name)) return 'must begin and end with a letter or digit';
  if (name.includes('..')) return 'must not contain two adjacent dots';
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) return 'must not look like an IP address';
  // Reserved by S3 (xn-- is punycode; sthree- also covers sthree-configurator).
  for (const p of ['xn--', 'sthree-', 'amzn-s3-demo-'])
    if (name.startsWith(p)) return `must not start with "${p}" (reserved by Amazon S3)`;
  // Reserved for access point aliases, Object Lambda aliases, Multi-Region Access Points,
  // directory buckets and table buckets.
  for (const x of ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'])
    if (name.endsWith(x)) return `must not end with "${x}" (reserved by Amazon S3)`;
  return undefined;
}

/**
 * CloudTrail's rules for a trail name, or undefined when it is valid.
 * https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_CreateTrail.html (Name)
 */
export function trailNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 128) return `must be 3 to 128 characters (is ${name.length})`;
  if (!/^[A-Za-z0-9._-]+$/.test(name)) return 'may contain only ASCII letters, digits, dots, underscores and dashes';
  if (!/^[A-Za-z0-9]/.test(name) || !/[A-Za-z0-9]$/.test(name)) return 'must start and end with a letter or digit';
  if (/[._-]{2}/.test(name))
    return 'must not have two dots, underscores or dashes next to each other (such as -- or -_)';
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) return 'must not look like an IP address';
  return undefined;
}

// IAM Identity Center's identity store: "Administrator and AWSAdministrators are reserved names
// and can't be used for users or groups"; a group's display name is 1 to 1024 letters, marks,
// symbols, digits, punctuation, tab, line breaks, space and no-break space; a user name the same
// without any whitespace, 1 to 128.
// https://docs.aws.amazon.com/singlesignon/latest/IdentityStoreAPIReference/API_CreateGroup.html
// https://docs.aws.amazon.com/singlesignon/latest/IdentityStoreAPIReference/API_CreateUser.html
export const RESERVED_IDENTITY_NAMES = ['Administrator', 'AWSAdministrators'];
const reservedName = (v: string) => RESERVED_IDENTITY_NAMES.find((r) => r.toLowerCase() === v.trim().toLowerCase());

export const groupNameRule: Rule = (v) => {
  if (v.length < 1 || v.length > 1024) return `must be 1 to 1024 characters (got ${v.length})`;
  if (!/^[\p{L}\p{M}\p{S}\p{N}\p{P}\t\n\r \u00a0\u3000]+$/u.test(v))
    return 'may contain letters, digits, symbols, punctuation and spaces (no control or invisible characters)';
  const r = reservedName(v);
  if (r) return `"${r}" is reserved by IAM Identity Center; choose another name`;
  return undefined;
};

export const userNameRule: Rule = (v) => {
  if (v.length < 1 || v.length > 128) return `must be 1 to 128 characters (got ${v.length})`;
  if (!/^[\p{L}\p{M}\p{S}\p{N}\p{P}]+$/u.test(v))
    return 'may contain letters, digits, symbols and punctuation, without spaces or invisible characters';
  const r = reservedName(v);
  if (r) return `"${r}" is reserved by IAM Identity Center; choose another name`;
  return undefined;
};

/** Turns a rule into a zod refinement; placeholders pass when the caller allows them. */
function ruled(rule: Rule, what: string, allowPlaceholder: boolean) {
  return z.string({ error: `${what} must be text` }).superRefine((v, ctx) => {
    if (isPlaceholder(v)) {
      if (!allowPlaceholder)
        ctx.addIssue({
          code: 'custom',
          message: `${what} is required: answer it in the wizard or set it in the config file`,
        });
      return;
    }
    const msg = rule(v);
    if (msg) ctx.addIssue({ code: 'custom', message: `${what} ${msg}` });
  });
}

// ---- the schema -----------------------------------------------------------------------
// The core: what every step reads. Each step adds its own part (StepConfig in
// steps/contract.ts); config/baseline.ts puts them together.

export const PERMISSION_SET_NAME = /^[\w+=,.@-]{1,32}$/;

/** Rule-backed strings for the schemas, with placeholders allowed only in plans. */
export function configRules(placeholders: boolean): ConfigRules {
  return { placeholders, ruled: (rule, what) => ruled(rule, what, placeholders) };
}

export function coreSchema(opts: { placeholders: boolean }) {
  const p = opts.placeholders;
  return z.strictObject({
    org: z.strictObject({
      name: ruled(orgNameRule, 'the organization name', p),
      slug: ruled(slugRule, 'the short name', p),
    }),
    homeRegion: ruled(regionRule, 'the home region', false),
    allowedRegions: z.array(ruled(regionRule, 'the region', false)).min(1, 'needs at least one region'),
    mailbox: ruled(accountEmailRule, 'the mailbox', p),
    founder: z.strictObject({
      givenName: ruled(personNameRule, 'the given name', p),
      familyName: ruled(personNameRule, 'the family name', p),
      email: ruled(emailRule, 'the founder email', p),
      userName: ruled(userNameRule, 'the user name', p),
    }),
    organizationalUnits: z
      .array(
        z.strictObject({
          name: z
            .string()
            .min(1)
            .max(128)
            .regex(/^[\w .-]+$/, 'an OU name may contain letters, digits, spaces, dots, dashes and underscores'),
          parent: z.string().min(1),
        }),
      )
      .max(50),
    accounts: z
      .array(
        z.strictObject({
          name: ruled(accountNameRule, 'the account name', false),
          email: ruled(accountEmailRule, 'the account email', p),
          ou: z.string().min(1, 'needs the name of an organizational unit'),
        }),
      )
      .min(1, 'needs at least one member account')
      .max(200, 'at most 200 accounts'),
    logArchiveAccount: z.string().min(1),
    auditAccount: z.string().min(1),
  });
}

/** The core answers every step reads. */
export type CoreBaseline = z.infer<ReturnType<typeof coreSchema>>;

/** The whole desired baseline: the core and each step's part (inferred from the schemas). */
// An interface, not a type alias: its members are resolved only when used, so a step's config
// fragment may mention Baseline (its cross-field `check`) while Baseline is made from them.
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface Baseline extends CoreBaseline, StepConfigs {}

/** A list of alert emails (Budgets and Cost Anomaly Detection: 1 to 10 subscribers). */
export const alertEmails = (r: ConfigRules) =>
  z
    .array(r.ruled(emailRule, 'the email'))
    .min(1, 'needs at least one email address')
    .max(10, 'AWS allows at most 10 email subscribers');

/** A positive (budget) or non-negative (threshold) amount AWS takes as a plain decimal. */
export const amountSchema = (what: string, min: 'positive' | 'zero') =>
  z.number({ error: `${what} must be a number` }).superRefine((n, ctx) => {
    const msg = amountProblem(n, min);
    if (msg) ctx.addIssue({ code: 'custom', message: `${what} ${msg}` });
  });

/** Rules that span the core fields: duplicates and references. */
export function coreChecks(b: Baseline, issue: (path: (string | number)[], message: string) => void): void {
  if (!b.allowedRegions.includes(b.homeRegion))
    issue(['allowedRegions'], `must include the home region ${b.homeRegion}`);
  dupes(b.allowedRegions).forEach((r) => issue(['allowedRegions'], `lists ${r} twice`));

  const ouNames = new Set(b.organizationalUnits.map((o) => o.name));
  b.organizationalUnits.forEach((o, i) => {
    if (o.parent !== 'Root' && !ouNames.has(o.parent))
      issue(
        ['organizationalUnits', i, 'parent'],
        `"${o.parent}" is not an OU in the list (use Root or one of ${[...ouNames].join(', ')})`,
      );
  });
  dupes(b.organizationalUnits.map((o) => o.name)).forEach((n) =>
    issue(['organizationalUnits'], `lists the OU "${n}" twice`),
  );

  const names = b.accounts.map((a) => a.name);
  dupes(names).forEach((n) => issue(['accounts'], `two accounts are named "${n}"; account names must be unique`));
  dupes(b.accounts.map((a) => a.email.toLowerCase()).filter((e) => !isPlaceholder(e))).forEach((e) =>
    issue(['accounts'], `two accounts use the email ${e}; every AWS account needs its own email address`),
  );
  b.accounts.forEach((a, i) => {
    if (a.name === 'management') issue(['accounts', i, 'name'], '"management" is reserved for the management account');
    if (!ouNames.has(a.ou))
      issue(['accounts', i, 'ou'], `"${a.ou}" is not an OU in organizationalUnits (${[...ouNames].join(', ')})`);
    if (!isPlaceholder(a.email) && !isPlaceholder(b.mailbox) && a.email.toLowerCase() === b.mailbox.toLowerCase())
      issue(
        ['accounts', i, 'email'],
        "must differ from the mailbox itself, which is usually the management account's email",
      );
  });
  if (!names.includes(b.logArchiveAccount))
    issue(['logArchiveAccount'], `"${b.logArchiveAccount}" is not one of the accounts (${names.join(', ')})`);
  if (!names.includes(b.auditAccount))
    issue(['auditAccount'], `"${b.auditAccount}" is not one of the accounts (${names.join(', ')})`);

  // Names derived from the short name must be names AWS takes (checked here, before any call).
  if (!isPlaceholder(b.org.slug)) {
    const bucket = trailBucketNameFor(b.org.slug, '123456789012');
    const bad = s3BucketNameProblem(bucket);
    if (bad)
      issue(
        ['org', 'slug'],
        `gives the log bucket the name ${trailBucketNameFor(b.org.slug, '<account-id>')}, which Amazon S3 refuses: a bucket name ${bad}; choose another short name`,
      );
  }
}

export function dupes<T>(xs: T[]): T[] {
  const seen = new Set<T>();
  const out = new Set<T>();
  for (const x of xs) (seen.has(x) ? out : seen).add(x);
  return [...out];
}
