/**
 * Builds the `aws configure sso` style sections secure-start writes into the founder's
 * AWS CLI config: one `[sso-session <org>]` and one `[profile <org>-<account>-<set>]` per
 * account assignment. Pure: no I/O. Merging into an existing file lives in merge.ts.
 */

/** One INI section: `header` is the text between the brackets, e.g. `profile acme-prod-admin`. */
export interface Section {
  header: string;
  entries: Array<[key: string, value: string]>;
}

export interface ProfileInput {
  name: string;
  accountId: string;
  roleName: string;
  region: string;
  /** Defaults to `json`, like `aws configure sso` suggests. */
  output?: string;
}

export interface RenderInput {
  /** sso-session name; we use the org slug so `aws sso login --sso-session <org>` reads well. */
  session: string;
  startUrl: string;
  ssoRegion: string;
  profiles: ProfileInput[];
}

/** Thrown for input that would produce a config the AWS CLI misreads. */
export class ProfileConfigError extends Error {
  override name = 'ProfileConfigError';
}

const SSO_SCOPES = 'sso:account:access';
const OUTPUTS = ['json', 'yaml', 'yaml-stream', 'text', 'table'];
// Matches commercial, GovCloud, China and ISO partitions: us-east-1, us-gov-west-1, cn-north-1 ...
const REGION_RE = /^[a-z]{2}(-[a-z]+)+-\d+$/;
// IAM Identity Center permission set names: 1-32 of [\w+=,.@-].
const ROLE_RE = /^[\w+=,.@-]{1,32}$/;

/**
 * Checks a profile or sso-session name. The AWS CLI reads `[profile NAME]` by splitting the
 * header with shell rules, so whitespace or quotes inside NAME silently hide the profile;
 * `]` or a line break would corrupt the file itself.
 */
export function validateName(kind: string, name: string): void {
  if (name.length === 0) throw new ProfileConfigError(`${kind} name is empty`);
  if (/[\r\n]/.test(name)) throw new ProfileConfigError(`${kind} name ${JSON.stringify(name)} contains a line break`);
  if (name.includes(']') || name.includes('[')) {
    throw new ProfileConfigError(
      `${kind} name ${JSON.stringify(name)} contains a bracket, which would end the [section] header early`,
    );
  }
  if (name.trim() !== name) {
    throw new ProfileConfigError(`${kind} name ${JSON.stringify(name)} has leading or trailing spaces`);
  }
  if (/\s/.test(name)) {
    throw new ProfileConfigError(
      `${kind} name ${JSON.stringify(name)} contains whitespace; the AWS CLI would ignore the section`,
    );
  }
  if (/["']/.test(name))
    throw new ProfileConfigError(`${kind} name ${JSON.stringify(name)} contains a quote character`);
}

/** Checks a section handed to the merger, whoever built it: nothing in it may break lines or headers. */
export function validateSection(section: Section): void {
  const header = section.header;
  if (header.trim() === '' || /[\r\n\]\[]/.test(header) || header.trim() !== header) {
    throw new ProfileConfigError(`invalid section header ${JSON.stringify(header)}`);
  }
  const seen = new Set<string>();
  for (const [key, value] of section.entries) {
    if (!/^[A-Za-z0-9_.-]+$/.test(key)) throw new ProfileConfigError(`[${header}]: invalid key ${JSON.stringify(key)}`);
    if (seen.has(key.toLowerCase())) throw new ProfileConfigError(`[${header}]: duplicate key ${key}`);
    seen.add(key.toLowerCase());
    if (/[\r\n]/.test(value) || value.trim() !== value) {
      throw new ProfileConfigError(
        `[${header}] ${key}: value ${JSON.stringify(value)} has a line break or surrounding spaces`,
      );
    }
  }
}

/** Plain slug for org and account names: `Acme Corp` -> `acme-corp`. */
function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

// Keyed by the name lowercased with non-alphanumerics removed, so `ReadOnly` and
// `ReadOnlyAccess` (the AWS managed policy spelling) both get the short form.
const SET_SLUGS: Record<string, string> = {
  administratoraccess: 'admin',
  poweruser: 'power',
  poweruseraccess: 'power',
  readonly: 'readonly',
  readonlyaccess: 'readonly',
  billing: 'billing',
};

/** Short slug for a permission set: AdministratorAccess -> admin, SecurityAudit -> security-audit. */
export function permissionSetSlug(permissionSet: string): string {
  const known = SET_SLUGS[permissionSet.toLowerCase().replace(/[^a-z0-9]/g, '')];
  if (known) return known;
  // Split camelCase before slugging so custom sets stay readable (ViewOnlyAccess -> view-only-access).
  const dashed = slug(permissionSet.replace(/([a-z0-9])([A-Z])/g, '$1-$2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2'));
  if (!dashed)
    throw new ProfileConfigError(
      `permission set ${JSON.stringify(permissionSet)} has no letters or digits to name a profile after`,
    );
  return dashed;
}

/** Profile name `<org>-<account>-<set>`, e.g. profileName('acme', 'prod', 'AdministratorAccess') -> `acme-prod-admin`. */
export function profileName(org: string, account: string, permissionSet: string): string {
  const parts = [slug(org), slug(account), permissionSetSlug(permissionSet)];
  if (!parts[0])
    throw new ProfileConfigError(`org name ${JSON.stringify(org)} has no letters or digits to name a profile after`);
  if (!parts[1])
    throw new ProfileConfigError(
      `account name ${JSON.stringify(account)} has no letters or digits to name a profile after`,
    );
  const name = parts.join('-');
  validateName('profile', name);
  return name;
}

/** The sso-session section followed by one profile section per entry, in input order. */
export function renderProfiles(input: RenderInput): Section[] {
  validateName('sso-session', input.session);
  let url: URL;
  try {
    url = new URL(input.startUrl);
  } catch {
    throw new ProfileConfigError(`SSO start URL ${JSON.stringify(input.startUrl)} is not a URL`);
  }
  if (url.protocol !== 'https:' || /\s/.test(input.startUrl)) {
    throw new ProfileConfigError(`SSO start URL ${JSON.stringify(input.startUrl)} must be an https:// URL`);
  }
  if (!REGION_RE.test(input.ssoRegion))
    throw new ProfileConfigError(`SSO region ${JSON.stringify(input.ssoRegion)} is not an AWS region`);

  const sections: Section[] = [
    {
      header: `sso-session ${input.session}`,
      entries: [
        ['sso_start_url', input.startUrl],
        ['sso_region', input.ssoRegion],
        ['sso_registration_scopes', SSO_SCOPES],
      ],
    },
  ];

  const names = new Set<string>();
  for (const p of input.profiles) {
    validateName('profile', p.name);
    if (p.name === 'default') {
      // `[profile default]` is the same profile as `[default]`; never take over the user's default.
      throw new ProfileConfigError('profile name "default" is reserved for the user\'s own default profile');
    }
    if (names.has(p.name)) throw new ProfileConfigError(`profile ${p.name} is listed twice`);
    names.add(p.name);
    if (!/^\d{12}$/.test(p.accountId))
      throw new ProfileConfigError(`profile ${p.name}: account ID ${JSON.stringify(p.accountId)} is not 12 digits`);
    if (!ROLE_RE.test(p.roleName))
      throw new ProfileConfigError(
        `profile ${p.name}: role name ${JSON.stringify(p.roleName)} is not a permission set name`,
      );
    if (!REGION_RE.test(p.region))
      throw new ProfileConfigError(`profile ${p.name}: region ${JSON.stringify(p.region)} is not an AWS region`);
    const output = p.output ?? 'json';
    if (!OUTPUTS.includes(output))
      throw new ProfileConfigError(`profile ${p.name}: output must be one of ${OUTPUTS.join(', ')}`);
    sections.push({
      header: `profile ${p.name}`,
      entries: [
        ['sso_session', input.session],
        ['sso_account_id', p.accountId],
        ['sso_role_name', p.roleName],
        ['region', p.region],
        ['output', output],
      ],
    });
  }
  return sections;
}
