// Defaults from BASELINE.md for the core answers, and helpers the steps' own defaults use
// (config/baseline.ts puts them together). Values that only the founder can give start as
// visible placeholders (`<founder-email>`): `plan` can show them, `apply` refuses them.

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
export function defaultAssignments(
  accountNames: string[],
  logArchive: string,
  audit: string,
): { group: string; permissionSet: string; accounts: string[] }[] {
  const has = (n: string) => accountNames.includes(n);
  const workloads = accountNames.filter((n) => n !== logArchive && n !== audit);
  const devLike = workloads.filter((n) => n !== 'prod');
  const out: { group: string; permissionSet: string; accounts: string[] }[] = [
    { group: 'Admins', permissionSet: 'AdministratorAccess', accounts: ['*'] },
  ];
  if (devLike.length) out.push({ group: 'Developers', permissionSet: 'PowerUser', accounts: devLike });
  if (has('prod')) out.push({ group: 'Developers', permissionSet: 'ReadOnly', accounts: ['prod'] });
  out.push({ group: 'Auditors', permissionSet: 'ReadOnly', accounts: ['*'] });
  out.push({ group: 'Billing', permissionSet: 'Billing', accounts: ['management'] });
  return out;
}
