// Scenarios: the starting world. A name is a base plus optional modifiers joined by '+':
//   bases:     fresh | org-exists | consolidated-billing | member-of-other-org
//   modifiers: iam-user | role | root-keys | root-mfa | identity-center
// e.g. 'org-exists+iam-user+root-keys'. The object form gives the same choices and more.
import { enableIdentityCenter, setRootMfa } from './console.js';
import { addMemberAccount, createOrganization } from './services/organizations.js';
import {
  ACCESS_KEYS,
  MANAGEMENT_ACCOUNT_ID,
  OTHER_ORG_MANAGEMENT_ACCOUNT_ID,
  SECRET_ACCESS_KEY,
  type World,
} from './world.js';

export const SCENARIO_BASES = ['fresh', 'org-exists', 'consolidated-billing', 'member-of-other-org'] as const;
export const SCENARIO_MODIFIERS = ['iam-user', 'role', 'root-keys', 'root-mfa', 'identity-center'] as const;
export type ScenarioBase = (typeof SCENARIO_BASES)[number];

export interface ScenarioOptions {
  base?: ScenarioBase;
  /** Who the base credentials belong to (default root). */
  principal?: 'root' | 'iam-user' | 'role';
  /** The root user has an access key (GetAccountSummary AccountAccessKeysPresent = 1). */
  rootAccessKey?: boolean;
  rootMfa?: boolean;
  /** Enable the Identity Center organization instance in this region. */
  identityCenterRegion?: string;
  /** Member accounts that already exist (org-exists only). */
  members?: { name: string; email: string }[];
  managementEmail?: string;
  managementName?: string;
}

export function parseScenario(spec: string | ScenarioOptions): ScenarioOptions {
  if (typeof spec !== 'string') return spec;
  const opts: ScenarioOptions = {};
  for (const part of spec
    .split('+')
    .map((s) => s.trim())
    .filter(Boolean)) {
    if ((SCENARIO_BASES as readonly string[]).includes(part)) opts.base = part as ScenarioBase;
    else if (part === 'iam-user') opts.principal = 'iam-user';
    else if (part === 'role') opts.principal = 'role';
    else if (part === 'root-keys') opts.rootAccessKey = true;
    else if (part === 'root-mfa') opts.rootMfa = true;
    else if (part === 'identity-center') opts.identityCenterRegion = 'us-east-1';
    else
      throw new Error(
        `unknown scenario part '${part}' (bases: ${SCENARIO_BASES.join(', ')}; modifiers: ${SCENARIO_MODIFIERS.join(', ')})`,
      );
  }
  return opts;
}

export function applyScenario(world: World, spec: string | ScenarioOptions): void {
  const opts = parseScenario(spec);
  const home = MANAGEMENT_ACCOUNT_ID;
  const acct = world.addAccount(
    home,
    opts.managementName ?? 'Management',
    opts.managementEmail ?? 'founder@example.com',
  );
  acct.root.passwordSetAt = new Date(); // the founder signed up, so root has a password
  world.homeAccountId = home;

  // Root credentials always resolve (a console/CloudShell-like root session); they count as
  // a root *access key* only with root-keys.
  world.addCredentials({
    accessKeyId: ACCESS_KEYS.root,
    secretAccessKey: SECRET_ACCESS_KEY,
    accountId: home,
    principal: { type: 'root', accountId: home },
  });
  world.homeAccessKeyId = ACCESS_KEYS.root;
  if (opts.rootAccessKey)
    acct.root.accessKeys.push({ accessKeyId: ACCESS_KEYS.root, status: 'Active', createdAt: new Date() });

  if (opts.principal === 'iam-user') {
    const user = world.addUser(home, 'admin');
    user.accessKeys.push({ accessKeyId: ACCESS_KEYS.iamUser, status: 'Active', createdAt: new Date() });
    world.addCredentials({
      accessKeyId: ACCESS_KEYS.iamUser,
      secretAccessKey: SECRET_ACCESS_KEY,
      accountId: home,
      principal: { type: 'user', accountId: home, userName: user.userName, userId: user.userId },
    });
    world.homeAccessKeyId = ACCESS_KEYS.iamUser;
  } else if (opts.principal === 'role') {
    const role = world.addRole(home, 'Admin', [home]);
    world.addCredentials({
      accessKeyId: ACCESS_KEYS.role,
      secretAccessKey: SECRET_ACCESS_KEY,
      sessionToken: 'FwoGZXIvYXdzEMULATORROLESESSIONTOKEN',
      accountId: home,
      principal: {
        type: 'assumed-role',
        accountId: home,
        roleName: 'Admin',
        roleId: role.roleId,
        sessionName: 'founder',
      },
    });
    world.homeAccessKeyId = ACCESS_KEYS.role;
  }

  switch (opts.base ?? 'fresh') {
    case 'fresh':
      break;
    case 'org-exists':
    case 'consolidated-billing': {
      const org = createOrganization(world, home, opts.base === 'org-exists' ? 'ALL' : 'CONSOLIDATED_BILLING');
      org.finalizing = {}; // an existing organization is past finalizing
      for (const m of opts.members ?? []) addMemberAccount(world, org, m);
      break;
    }
    case 'member-of-other-org': {
      world.addAccount(OTHER_ORG_MANAGEMENT_ACCOUNT_ID, 'Other Corp', 'aws@other-corp.example').root.passwordSetAt =
        new Date();
      const org = createOrganization(world, OTHER_ORG_MANAGEMENT_ACCOUNT_ID, 'ALL');
      org.finalizing = {};
      addMemberAccount(world, org, { id: home, name: acct.name, email: acct.email, method: 'INVITED' });
      break;
    }
  }
  if (opts.rootMfa) setRootMfa(world, true, home);
  if (opts.identityCenterRegion) enableIdentityCenter(world, opts.identityCenterRegion);
}
