// Defaults from BASELINE.md. Values that only the founder can give start as visible
// placeholders (`<founder-email>`): `plan` can show them, `apply` refuses them.
import type { Baseline } from './schema.js';

export const PLACEHOLDERS = {
  orgName: '<org-name>',
  slug: '<org>',
  mailbox: 'ops@<your-domain>',
  givenName: '<founder-given-name>',
  familyName: '<founder-family-name>',
  founderEmail: '<founder-email>',
  phone: '<phone>',
} as const;

export const MANAGED = {
  admin: 'arn:aws:iam::aws:policy/AdministratorAccess',
  power: 'arn:aws:iam::aws:policy/PowerUserAccess',
  readOnly: 'arn:aws:iam::aws:policy/ReadOnlyAccess',
  billing: 'arn:aws:iam::aws:policy/job-function/Billing',
} as const;

/** The default account set; staging and sandbox are offered as options by the wizard. */
export const DEFAULT_ACCOUNTS = [
  { name: 'log-archive', ou: 'Security' },
  { name: 'audit', ou: 'Security' },
  { name: 'prod', ou: 'Prod' },
  { name: 'dev', ou: 'NonProd' },
];
export const OPTIONAL_ACCOUNTS = [
  { name: 'staging', ou: 'NonProd' },
  { name: 'sandbox', ou: 'Sandbox' },
];

export const DEFAULT_OUS = [
  { name: 'Security', parent: 'Root' },
  { name: 'Workloads', parent: 'Root' },
  { name: 'Prod', parent: 'Workloads' },
  { name: 'NonProd', parent: 'Workloads' },
];

/** `Acme Robotics, Inc.` → `acme-robotics-inc` (at most 20 characters). */
export function slugify(name: string): string {
  const s = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 20)
    .replace(/-+$/g, '');
  return s;
}

/** Plus-addressing on the founder's mailbox: ops@acme.com → ops+aws-prod@acme.com. */
export function plusAddress(mailbox: string, tag: string): string {
  const at = mailbox.lastIndexOf('@');
  if (at < 1) return `<${tag}-email>`;
  return `${mailbox.slice(0, at)}+${tag}${mailbox.slice(at)}`;
}

/** Group → permission set → accounts, from BASELINE.md, limited to the accounts that exist. */
export function defaultAssignments(accountNames: string[], logArchive: string, audit: string) {
  const has = (n: string) => accountNames.includes(n);
  const workloads = accountNames.filter((n) => n !== logArchive && n !== audit);
  const devLike = workloads.filter((n) => n !== 'prod');
  const out: Baseline['identityCenter']['assignments'] = [
    { group: 'Admins', permissionSet: 'AdministratorAccess', accounts: ['*'] },
  ];
  if (devLike.length) out.push({ group: 'Developers', permissionSet: 'PowerUser', accounts: devLike });
  if (has('prod')) out.push({ group: 'Developers', permissionSet: 'ReadOnly', accounts: ['prod'] });
  out.push({ group: 'Auditors', permissionSet: 'ReadOnly', accounts: ['*'] });
  out.push({ group: 'Billing', permissionSet: 'Billing', accounts: ['management'] });
  return out;
}

/**
 * A complete baseline from the answers known so far. Fields derived from other answers
 * (slug, account emails, contacts, alert emails) are derived here, so a config file only
 * needs what differs from the defaults.
 */
export function defaultBaseline(known: {
  orgName?: string; slug?: string; mailbox?: string; homeRegion?: string;
  givenName?: string; familyName?: string; founderEmail?: string;
  accountNames?: { name: string; ou: string }[];
}): Baseline {
  const orgName = known.orgName ?? PLACEHOLDERS.orgName;
  const slug = known.slug ?? (known.orgName ? slugify(known.orgName) : PLACEHOLDERS.slug);
  const mailbox = known.mailbox ?? PLACEHOLDERS.mailbox;
  const homeRegion = known.homeRegion ?? 'us-east-1';
  const givenName = known.givenName ?? PLACEHOLDERS.givenName;
  const familyName = known.familyName ?? PLACEHOLDERS.familyName;
  const founderEmail = known.founderEmail ?? PLACEHOLDERS.founderEmail;
  const accounts = (known.accountNames ?? DEFAULT_ACCOUNTS).map((a) => ({ ...a, email: plusAddress(mailbox, `aws-${a.name}`) }));
  const ous = [...DEFAULT_OUS];
  if (accounts.some((a) => a.ou === 'Sandbox')) ous.push({ name: 'Sandbox', parent: 'Root' });
  const fullName = known.givenName && known.familyName ? `${givenName} ${familyName}` : '<founder-name>';
  const contact = (title: string, tag: string) => ({ name: fullName, title, email: plusAddress(mailbox, tag), phone: PLACEHOLDERS.phone });

  return {
    org: { name: orgName, slug },
    homeRegion,
    allowedRegions: [homeRegion],
    mailbox,
    founder: { givenName, familyName, email: founderEmail, userName: known.founderEmail ?? founderEmail },
    organizationalUnits: ous,
    accounts,
    logArchiveAccount: 'log-archive',
    auditAccount: 'audit',
    identityCenter: {
      permissionSets: [
        { name: 'AdministratorAccess', description: 'Full access', managedPolicies: [MANAGED.admin], sessionHours: 8 },
        { name: 'PowerUser', description: 'Everything except IAM and Organizations', managedPolicies: [MANAGED.power], sessionHours: 8 },
        { name: 'ReadOnly', description: 'Read-only access', managedPolicies: [MANAGED.readOnly], sessionHours: 8 },
        { name: 'Billing', description: 'Billing and cost management', managedPolicies: [MANAGED.billing], sessionHours: 8 },
      ],
      groups: [
        { name: 'Admins', description: 'Administrators of every account' },
        { name: 'Developers', description: 'Build in dev, read prod' },
        { name: 'Auditors', description: 'Read-only view of every account' },
        { name: 'Billing', description: 'Billing and cost management' },
      ],
      assignments: defaultAssignments(accounts.map((a) => a.name), 'log-archive', 'audit'),
      founderGroups: ['Admins'],
    },
    scps: { guardrails: true, logProtection: true, regionGuard: false },
    // No Glacier transition by default: CloudTrail files are a few KB, and S3 Glacier adds
    // 40 KB of billed overhead per object plus a transition fee, so moving them costs more
    // than keeping them (logging-names.ts, desiredLifecycle). Object Lock is opt-in.
    trail: { name: `${slug}-org-trail`, glacierAfterDays: 0, expireAfterDays: 365, objectLock: { mode: 'off', days: 365 } },
    budget: { amount: 100, currency: 'USD', emails: [plusAddress(mailbox, 'aws-billing')] },
    anomaly: { thresholdUsd: 20, frequency: 'DAILY', emails: [plusAddress(mailbox, 'aws-billing')] },
    contacts: {
      billing: contact('Billing contact', 'aws-billing'),
      operations: contact('Operations contact', 'aws-ops'),
      security: contact('Security contact', 'aws-security'),
    },
    hardening: { s3BlockPublicAccess: true, ebsEncryption: true, passwordPolicy: { minimumLength: 14, reusePrevention: 24 } },
    rootAccess: { centralize: true },
  };
}
