// AWS Organizations (awsJson1_1, target prefix AWSOrganizationsV20161128).
// The organization lives in the world (not in a per-account store) because every member
// account sees the same one, and STS/IAM/CloudTrail/SSO read it too.
import type { HandlerContext, ServiceModule } from '../types.js';
import { int, oneOf, str, type Fail } from '../validate.js';
import {
  ORG_ACCESS_ROLE,
  type AccountRecord,
  type CreateAccountStatusRecord,
  type Organization,
  type OrgPolicy,
  type World,
} from '../world.js';
import { AwsError } from '../errors.js';
import { MAX_ACCOUNT_CREATIONS_IN_PROGRESS } from '../behaviours.js';

export const FULL_AWS_ACCESS_ID = 'p-FullAWSAccess';
const FULL_AWS_ACCESS: OrgPolicy = {
  id: FULL_AWS_ACCESS_ID,
  arn: 'arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess',
  name: 'FullAWSAccess',
  description: 'Allows access to every operation',
  type: 'SERVICE_CONTROL_POLICY',
  content: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}',
  awsManaged: true,
};
const POLICY_TYPES = [
  'SERVICE_CONTROL_POLICY',
  'RESOURCE_CONTROL_POLICY',
  'TAG_POLICY',
  'BACKUP_POLICY',
  'AISERVICES_OPT_OUT_POLICY',
  'CHATBOT_POLICY',
  'DECLARATIVE_POLICY_EC2',
] as const;
const SCP = 'SERVICE_CONTROL_POLICY';
/** Per AWS quotas: SCP documents up to 5,120 characters, 5 SCPs per target, OUs nested 5 deep. */
export const SCP_MAX_CHARS = 5120;
const MAX_POLICIES_PER_TARGET = 5;
const MAX_OU_DEPTH = 5;

const ID = {
  parent: /^(r-[0-9a-z]{4,32})$|^(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$/,
  ou: /^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/,
  account: /^\d{12}$/,
  policy: /^p-[0-9a-zA-Z_]{8,128}$/,
  target: /^(r-[0-9a-z]{4,32})$|^(\d{12})$|^(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$/,
  root: /^r-[0-9a-z]{4,32}$/,
  car: /^car-[a-z0-9]{8,32}$/,
  child: /^(\d{12})$|^(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$/,
};
/** AWS-FACTS: 6–64 ASCII chars, one @, no whitespace or "'()<>[]:;,\|%& in the local part, a dotted domain. */
const EMAIL = /^[^\s@"'()<>[\]:;,\\|%&]+@[a-zA-Z0-9-]+(\.[a-zA-Z0-9-]+)+$/;
const ACCOUNT_NAME = /^[\u0020-\u007E]+$/;

// ---- shared world helpers (also used by scenarios and console actions) -----------------

/** Create an organization managed by `managementAccountId` (CreateOrganization and scenarios). */
export function createOrganization(
  world: World,
  managementAccountId: string,
  featureSet: 'ALL' | 'CONSOLIDATED_BILLING',
): Organization {
  const orgId = `o-${world.id('org', 10)}`;
  const rootId = `r-${world.id('root', 4)}`;
  const arnBase = `arn:aws:organizations::${managementAccountId}`;
  const now = new Date();
  const finalizing = world.config.finalizing;
  const org: Organization = {
    id: orgId,
    arn: `${arnBase}:organization/${orgId}`,
    featureSet,
    managementAccountId,
    createdAt: now,
    root: { id: rootId, arn: `${arnBase}:root/${orgId}/${rootId}`, name: 'Root', policyTypes: {} },
    ous: {},
    accountParents: { [managementAccountId]: rootId },
    joined: { [managementAccountId]: { method: 'CREATED', at: now } },
    policies: {},
    attachments: {},
    serviceAccess: {},
    createAccountStatuses: [],
    tags: {},
    finalizing: {
      untilMs: finalizing.seconds ? now.getTime() + finalizing.seconds * 1000 : undefined,
      callsLeft: finalizing.calls,
    },
    accountQuota: world.config.accountQuota,
    iamFeatures: [],
  };
  world.orgs[orgId] = org;
  // AWS-FACTS: with ALL features, SCPs come enabled on the root (FullAWSAccess attached everywhere).
  if (featureSet === 'ALL') enableScpNow(org);
  return org;
}

function enableScpNow(org: Organization): void {
  org.root.policyTypes[SCP] = 'ENABLED';
  org.attachments[FULL_AWS_ACCESS_ID] = [org.root.id, ...Object.keys(org.ous), ...Object.keys(org.accountParents)];
}

function scpEnabled(org: Organization): boolean {
  return org.root.policyTypes[SCP] === 'ENABLED';
}

/** Add a new account to an organization under its root, with the org access role. */
export function addMemberAccount(
  world: World,
  org: Organization,
  opts: { name: string; email: string; roleName?: string; method?: 'CREATED' | 'INVITED'; id?: string },
): AccountRecord {
  const id = opts.id ?? world.nextAccountId();
  // An existing account (scenarios: invited into someone else's org) keeps its record.
  const account = world.account(id) ?? world.addAccount(id, opts.name, opts.email);
  org.accountParents[id] = org.root.id;
  org.joined[id] = { method: opts.method ?? 'CREATED', at: new Date() };
  world.addRole(id, opts.roleName ?? ORG_ACCESS_ROLE, [org.managementAccountId]);
  if (scpEnabled(org)) (org.attachments[FULL_AWS_ACCESS_ID] ??= []).push(id);
  return account;
}

export function findPolicy(org: Organization, idOrName: string): OrgPolicy | undefined {
  if (idOrName === FULL_AWS_ACCESS_ID || idOrName === 'FullAWSAccess') return FULL_AWS_ACCESS;
  return org.policies[idOrName] ?? Object.values(org.policies).find((p) => p.name === idOrName);
}

// ---- output shapes ---------------------------------------------------------------------

function accountOut(world: World, org: Organization, id: string) {
  const a = world.accounts[id];
  return {
    Id: id,
    Arn: `arn:aws:organizations::${org.managementAccountId}:account/${org.id}/${id}`,
    Email: a.email,
    Name: a.name,
    Status: a.status,
    State: a.status,
    JoinedMethod: org.joined[id]?.method ?? 'CREATED',
    JoinedTimestamp: org.joined[id]?.at ?? a.createdAt,
  };
}

function orgOut(world: World, org: Organization) {
  return {
    Id: org.id,
    Arn: org.arn,
    FeatureSet: org.featureSet,
    MasterAccountArn: `arn:aws:organizations::${org.managementAccountId}:account/${org.id}/${org.managementAccountId}`,
    MasterAccountId: org.managementAccountId,
    MasterAccountEmail: world.accounts[org.managementAccountId]?.email,
    AvailablePolicyTypes: org.featureSet === 'ALL' ? [{ Type: SCP, Status: 'ENABLED' }] : [],
  };
}

function rootOut(org: Organization) {
  return {
    Id: org.root.id,
    Arn: org.root.arn,
    Name: org.root.name,
    PolicyTypes: Object.entries(org.root.policyTypes).map(([Type, Status]) => ({ Type, Status })),
  };
}

function ouOut(org: Organization, id: string) {
  const ou = org.ous[id];
  return { Id: ou.id, Arn: ou.arn, Name: ou.name };
}

function policySummary(p: OrgPolicy) {
  return { Id: p.id, Arn: p.arn, Name: p.name, Description: p.description, Type: p.type, AwsManaged: p.awsManaged };
}

function casOut(s: CreateAccountStatusRecord) {
  return {
    Id: s.id,
    AccountName: s.accountName,
    State: s.state,
    RequestedTimestamp: s.requestedAt,
    CompletedTimestamp: s.completedAt,
    AccountId: s.accountId,
    FailureReason: s.failureReason,
  };
}

// ---- guards and validation -------------------------------------------------------------

type Ctx = HandlerContext<Record<string, any>>;

function err(code: string, message: string, extra?: Record<string, unknown>): AwsError {
  return new AwsError(code, message, { status: 400, extra });
}

const REASONS: Record<string, string> = {
  required: 'INPUT_REQUIRED',
  type: 'INVALID_INPUT',
  'min-length': 'MIN_LENGTH_EXCEEDED',
  'max-length': 'MAX_LENGTH_EXCEEDED',
  pattern: 'INVALID_PATTERN',
  enum: 'INVALID_ENUM',
  'min-value': 'MIN_VALUE_EXCEEDED',
  'max-value': 'MAX_VALUE_EXCEEDED',
};

const fail: Fail = (_field, problem, message) => {
  const text = problem === 'pattern' ? 'You provided a value that does not match the required pattern.' : message;
  throw err('InvalidInputException', text, { Reason: REASONS[problem] });
};

/** The caller's organization, any member may call (DescribeOrganization). */
function memberOrg(ctx: Ctx): Organization {
  const org = ctx.world.orgOf(ctx.caller.accountId);
  if (!org) throw err('AWSOrganizationsNotInUseException', 'Your account is not a member of an organization.');
  return org;
}

/** The caller's organization, only its management account may call. */
function mgmtOrg(ctx: Ctx): Organization {
  const org = memberOrg(ctx);
  if (org.managementAccountId !== ctx.caller.accountId) {
    throw err('AccessDeniedException', "You don't have permissions to access this resource.");
  }
  return org;
}

function page(ctx: Ctx) {
  int(ctx.input, 'MaxResults', { min: 1, max: 20 }, fail);
  return <T>(items: T[]) => ctx.paginate(items, ctx.input.NextToken, ctx.input.MaxResults);
}

function parentExists(org: Organization, id: string): boolean {
  return id === org.root.id || id in org.ous;
}

function requireParent(org: Organization, id: string, code = 'ParentNotFoundException'): void {
  if (!parentExists(org, id)) throw err(code, "We can't find a root or OU with the ParentId that you specified.");
}

/** What list calls show: eventual consistency hides what was created a moment ago (behaviours.ts). */
function listedChildren(world: World, org: Organization, parentId: string) {
  const c = childrenOf(org, parentId);
  return {
    accounts: c.accounts.filter((a) => world.listed(`account:${a}`)),
    ous: c.ous.filter((o) => world.listed(`ou:${o}`)),
  };
}

function childrenOf(org: Organization, parentId: string) {
  return {
    accounts: Object.keys(org.accountParents).filter((a) => org.accountParents[a] === parentId),
    ous: Object.keys(org.ous).filter((o) => org.ous[o].parentId === parentId),
  };
}

function target(world: World, org: Organization, id: string) {
  if (id === org.root.id) return { TargetId: id, Arn: org.root.arn, Name: org.root.name, Type: 'ROOT' };
  if (org.ous[id]) return { TargetId: id, Arn: org.ous[id].arn, Name: org.ous[id].name, Type: 'ORGANIZATIONAL_UNIT' };
  if (id in org.accountParents) {
    const a = accountOut(world, org, id);
    return { TargetId: id, Arn: a.Arn, Name: a.Name, Type: 'ACCOUNT' };
  }
  return undefined;
}

function requirePolicy(org: Organization, id: string): OrgPolicy {
  const p = id === FULL_AWS_ACCESS_ID ? FULL_AWS_ACCESS : org.policies[id];
  if (!p) throw err('PolicyNotFoundException', "We can't find a policy with the PolicyId that you specified.");
  return p;
}

function policiesOnTarget(org: Organization, targetId: string, type?: string): OrgPolicy[] {
  return Object.entries(org.attachments)
    .filter(([, targets]) => targets.includes(targetId))
    .map(([pid]) => (pid === FULL_AWS_ACCESS_ID ? FULL_AWS_ACCESS : org.policies[pid]))
    .filter((p): p is OrgPolicy => !!p && (!type || p.type === type));
}

/** SCP content: valid JSON policy document, at most 5,120 characters. */
function checkPolicyContent(type: string, content: string): void {
  let doc: unknown;
  try {
    doc = JSON.parse(content);
  } catch {
    throw err(
      'MalformedPolicyDocumentException',
      'The provided policy document does not meet the requirements of the specified policy type.',
    );
  }
  const d = doc as Record<string, unknown>;
  // IAM-style types (SCP, RCP) need statements; tag/backup/opt-out policies have their own syntax.
  const iamStyle = type === SCP || type === 'RESOURCE_CONTROL_POLICY';
  if (!d || typeof d !== 'object' || Array.isArray(d) || (iamStyle && !('Statement' in d))) {
    throw err(
      'MalformedPolicyDocumentException',
      'The provided policy document does not meet the requirements of the specified policy type.',
    );
  }
  if (type === SCP && content.length > SCP_MAX_CHARS) {
    throw err(
      'ConstraintViolationException',
      'The provided policy document exceeds the maximum size for this policy type.',
      {
        Reason: 'POLICY_CONTENT_LIMIT_EXCEEDED',
      },
    );
  }
}

function tagsIn(ctx: Ctx): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of (ctx.input.Tags ?? []) as { Key?: string; Value?: string }[]) {
    if (!t || typeof t.Key !== 'string') fail('Tags', 'required', 'Tag keys are required');
    out[t.Key!] = String(t.Value ?? '');
  }
  return out;
}

// ---- delegated administrators ---------------------------------------------------------

/**
 * Service principals that allow only one delegated administrator per organization: a second
 * account is ConstraintViolationException DELEGATED_ADMINISTRATOR_EXISTS_FOR_THIS_SERVICE
 * (https://docs.aws.amazon.com/organizations/latest/APIReference/API_ConstraintViolationException.html).
 * GuardDuty: "only one delegated GuardDuty administrator account" per organization
 * (https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_organizations.html).
 */
export const SINGLE_DELEGATED_ADMIN_SERVICES = ['guardduty.amazonaws.com'];

function delegatedAdminOut(world: World, org: Organization, id: string, registeredAt: Date) {
  const a = accountOut(world, org, id);
  return {
    Id: a.Id,
    Arn: a.Arn,
    Email: a.Email,
    Name: a.Name,
    Status: a.Status,
    State: a.State,
    JoinedMethod: a.JoinedMethod,
    JoinedTimestamp: a.JoinedTimestamp,
    DelegationEnabledDate: registeredAt,
  };
}

/** Services the account is a delegated administrator for, with the date it was registered. */
function delegatedServicesOf(
  org: Organization,
  accountId: string,
): { ServicePrincipal: string; DelegationEnabledDate: Date }[] {
  return Object.entries(org.delegatedAdmins ?? {})
    .filter(([, accounts]) => accountId in accounts)
    .map(([ServicePrincipal, accounts]) => ({ ServicePrincipal, DelegationEnabledDate: accounts[accountId]! }));
}

/**
 * ListDelegatedAdministrators and ListDelegatedServicesForAccount: "only from the organization's
 * management account or by a member account that is a delegated administrator"
 * (https://docs.aws.amazon.com/organizations/latest/APIReference/API_ListDelegatedAdministrators.html).
 */
function mgmtOrDelegatedOrg(ctx: Ctx): Organization {
  const org = memberOrg(ctx);
  const id = ctx.caller.accountId;
  if (org.managementAccountId !== id && delegatedServicesOf(org, id).length === 0) {
    throw err('AccessDeniedException', "You don't have permissions to access this resource.");
  }
  return org;
}

const SERVICE_PRINCIPAL = { min: 1, max: 128, pattern: /^[\w+=,.@-]*$/ };

// ---- operations ------------------------------------------------------------------------

export const organizations: ServiceModule = {
  name: 'organizations',
  signingName: 'organizations',
  protocol: 'json',
  targetPrefix: 'AWSOrganizationsV20161128',
  errors: {
    throttling: { code: 'TooManyRequestsException', status: 400, extra: { Type: 'RATE_LIMIT' } },
    accessDenied: { code: 'AccessDeniedException', status: 400 },
    internal: { code: 'ServiceException', status: 500 },
    unavailable: { code: 'ServiceException', status: 503 },
    validation: { code: 'InvalidInputException', status: 400, extra: { Reason: 'INVALID_INPUT' } },
    invalidToken: { code: 'InvalidInputException', status: 400, extra: { Reason: 'INVALID_NEXT_TOKEN' } },
  },
  operations: {
    CreateOrganization(ctx: Ctx) {
      const featureSet = oneOf(ctx.input, 'FeatureSet', ['ALL', 'CONSOLIDATED_BILLING'] as const, {}, fail) ?? 'ALL';
      if (ctx.world.orgOf(ctx.caller.accountId)) {
        throw err('AlreadyInOrganizationException', 'The AWS account is already a member of an organization.');
      }
      const org = createOrganization(ctx.world, ctx.caller.accountId, featureSet);
      return { Organization: orgOut(ctx.world, org) };
    },

    DescribeOrganization(ctx: Ctx) {
      return { Organization: orgOut(ctx.world, memberOrg(ctx)) };
    },

    ListRoots(ctx: Ctx) {
      const org = mgmtOrg(ctx);
      const p = page(ctx)([rootOut(org)]);
      return { Roots: p.items, NextToken: p.nextToken };
    },

    EnablePolicyType(ctx: Ctx) {
      const org = mgmtOrg(ctx);
      const rootId = str(ctx.input, 'RootId', { required: true, pattern: ID.root }, fail)!;
      const type = oneOf(ctx.input, 'PolicyType', POLICY_TYPES, { required: true }, fail)!;
      if (rootId !== org.root.id)
        throw err('RootNotFoundException', "We can't find a root with the RootId that you specified.");
      if (org.featureSet !== 'ALL') {
        throw err(
          'PolicyTypeNotAvailableForOrganizationException',
          'You can use policy types only in an organization with all features enabled.',
        );
      }
      const status = org.root.policyTypes[type];
      if (status === 'ENABLED' || status === 'PENDING_ENABLE') {
        throw err('PolicyTypeAlreadyEnabledException', 'The specified policy type is already enabled.');
      }
      if (status === 'PENDING_DISABLE')
        throw err(
          'ConcurrentModificationException',
          'The target of the operation is currently being modified by a different request. Try again later.',
        );
      org.root.policyTypes[type] = 'PENDING_ENABLE';
      const out = rootOut(org);
      const orgId = org.id;
      ctx.later((world) => {
        const o = world.orgs[orgId];
        if (!o || o.root.policyTypes[type] !== 'PENDING_ENABLE') return;
        if (type === SCP) enableScpNow(o);
        else o.root.policyTypes[type] = 'ENABLED';
      });
      return { Root: out };
    },

    DisablePolicyType(ctx: Ctx) {
      const org = mgmtOrg(ctx);
      const rootId = str(ctx.input, 'RootId', { required: true, pattern: ID.root }, fail)!;
      const type = oneOf(ctx.input, 'PolicyType', POLICY_TYPES, { required: true }, fail)!;
      if (rootId !== org.root.id)
        throw err('RootNotFoundException', "We can't find a root with the RootId that you specified.");
      if (org.root.policyTypes[type] !== 'ENABLED')
        throw err('PolicyTypeNotEnabledException', 'This operation can be performed only for enabled policy types.');
      org.root.policyTypes[type] = 'PENDING_DISABLE';
      const out = rootOut(org);
      const orgId = org.id;
      ctx.later((world) => {
        const o = world.orgs[orgId];
        if (!o) return;
        delete o.root.policyTypes[type];
        // Disabling a type detaches every policy of that type.
        for (const pid of Object.keys(o.attachments)) {
          if (findPolicy(o, pid)?.type === type) delete o.attachments[pid];
        }
      });
      return { Root: out };
    },

    ListAWSServiceAccessForOrganization(ctx: Ctx) {
      const org = mgmtOrg(ctx);
      const all = Object.entries(org.serviceAccess)
        .filter(([sp]) => ctx.world.listed(`service-access:${sp}`))
        .map(([ServicePrincipal, DateEnabled]) => ({ ServicePrincipal, DateEnabled }));
      const p = page(ctx)(all);
      return { EnabledServicePrincipals: p.items, NextToken: p.nextToken };
    },

    EnableAWSServiceAccess(ctx: Ctx) {
      const org = mgmtOrg(ctx);
      const sp = str(
        ctx.input,
        'ServicePrincipal',
        { required: true, min: 1, max: 128, pattern: /^[\w+=,.@-]*$/ },
        fail,
      )!;
      if (org.featureSet !== 'ALL') {
        throw err(
          'ConstraintViolationException',
          'Trusted access requires an organization with all features enabled.',
          { Reason: 'ENABLE_ALL_FEATURES_REQUIRED' },
        );
      }
      if (!org.serviceAccess[sp]) {
        org.serviceAccess[sp] = new Date();
        ctx.world.created(`service-access:${sp}`);
      }
      return {};
    },

    DisableAWSServiceAccess(ctx: Ctx) {
      const org = mgmtOrg(ctx);
      const sp = str(
        ctx.input,
        'ServicePrincipal',
        { required: true, min: 1, max: 128, pattern: /^[\w+=,.@-]*$/ },
        fail,
      )!;
      delete org.serviceAccess[sp];
      return {};
    },

    ListAccounts(ctx: Ctx) {
      const org = mgmtOrg(ctx);
      const p = page(ctx)(
        Object.keys(org.accountParents)
          .filter((id) => ctx.world.listed(`account:${id}`))
          .map((id) => accountOut(ctx.world, org, id)),
      );
      return { Accounts: p.items, NextToken: p.nextToken };
    },

    DescribeAccount(ctx: Ctx) {
      const org = mgmtOrg(ctx);
      const id = str(ctx.input, 'AccountId', { required: true, pattern: ID.account }, fail)!;
      if (!(id in org.accountParents))
        throw err('AccountNotFoundException', "You specified an account that doesn't exist.");
      return { Account: accountOut(ctx.world, org, id) };
    },

    ListParents(ctx: Ctx) {
      const org = mgmtOrg(ctx);
      const child = str(ctx.input, 'ChildId', { required: true, pattern: ID.child }, fail)!;
      let parentId: string | undefined;
      if (child in org.accountParents) parentId = org.accountParents[child];
      else if (org.ous[child]) parentId = org.ous[child].parentId;
      if (!parentId)
        throw err(
          'ChildNotFoundException',
          "We can't find an organizational unit (OU) or AWS account with the ChildId that you specified.",
        );
      const p = page(ctx)([{ Id: parentId, Type: parentId === org.root.id ? 'ROOT' : 'ORGANIZATIONAL_UNIT' }]);
      return { Parents: p.items, NextToken: p.nextToken };
    },

    ListChildren(ctx: Ctx) {
      const org = mgmtOrg(ctx);
      const parentId = str(ctx.input, 'ParentId', { required: true, pattern: ID.parent }, fail)!;
      const type = oneOf(
        ctx.input,
        'ChildType',
        ['ACCOUNT', 'ORGANIZATIONAL_UNIT'] as const,
        { required: true },
        fail,
      )!;
      requireParent(org, parentId);
      const c = listedChildren(ctx.world, org, parentId);
      const ids = type === 'ACCOUNT' ? c.accounts : c.ous;
      const p = page(ctx)(ids.map((Id) => ({ Id, Type: type })));
      return { Children: p.items, NextToken: p.nextToken };
    },

    ListAccountsForParent(ctx: Ctx) {
      const org = mgmtOrg(ctx);
      const parentId = str(ctx.input, 'ParentId', { required: true, pattern: ID.parent }, fail)!;
      requireParent(org, parentId);
      const p = page(ctx)(
        listedChildren(ctx.world, org, parentId).accounts.map((id) => accountOut(ctx.world, org, id)),
      );
      return { Accounts: p.items, NextToken: p.nextToken };
    },

    ListOrganizationalUnitsForParent(ctx: Ctx) {
      const org = mgmtOrg(ctx);
      const parentId = str(ctx.input, 'ParentId', { required: true, pattern: ID.parent }, fail)!;
      requireParent(org, parentId);
      const p = page(ctx)(listedChildren(ctx.world, org, parentId).ous.map((id) => ouOut(org, id)));
      return { OrganizationalUnits: p.items, NextToken: p.nextToken };
    },

    CreateOrganizationalUnit(ctx: Ctx) {
      const org = mgmtOrg(ctx);
      const parentId = str(ctx.input, 'ParentId', { required: true, pattern: ID.parent }, fail)!;
      const name = str(ctx.input, 'Name', { required: true, min: 1, max: 128 }, fail)!;
      const tags = tagsIn(ctx);
      requireParent(org, parentId);
      if (childrenOf(org, parentId).ous.some((id) => org.ous[id].name === name)) {
        throw err('DuplicateOrganizationalUnitException', 'An OU with the same name already exists.');
      }
      let depth = 1;
      for (let p = parentId; p !== org.root.id; p = org.ous[p].parentId) depth++;
      if (depth > MAX_OU_DEPTH) {
        throw err('ConstraintViolationException', 'You attempted to create an OU tree that is too many levels deep.', {
          Reason: 'OU_DEPTH_LIMIT_EXCEEDED',
        });
      }
      const id = `ou-${org.root.id.slice(2)}-${ctx.world.id('ou', 8)}`;
      org.ous[id] = { id, arn: `arn:aws:organizations::${org.managementAccountId}:ou/${org.id}/${id}`, name, parentId };
      if (scpEnabled(org)) org.attachments[FULL_AWS_ACCESS_ID].push(id);
      if (Object.keys(tags).length) org.tags[id] = tags;
      ctx.world.created(`ou:${id}`);
      return { OrganizationalUnit: ouOut(org, id) };
    },

    DescribeOrganizationalUnit(ctx: Ctx) {
      const org = mgmtOrg(ctx);
      const id = str(ctx.input, 'OrganizationalUnitId', { required: true, pattern: ID.ou }, fail)!;
      if (!org.ous[id])
        throw err(
          'OrganizationalUnitNotFoundException',
          "We can't find an OU with the OrganizationalUnitId that you specified.",
        );
      return { OrganizationalUnit: ouOut(org, id) };
    },

    UpdateOrganizationalUnit(ctx: Ctx) {
      const org = mgmtOrg(ctx);
      const id = str(ctx.input, 'OrganizationalUnitId', { required: true, pattern: ID.ou }, fail)!;
      const name = str(ctx.input, 'Name', { min: 1, max: 128 }, fail);
      const ou = org.ous[id];
      if (!ou)
        throw err(
          'OrganizationalUnitNotFoundException',
          "We can't find an OU with the OrganizationalUnitId that you specified.",
        );
      if (name !== undefined && name !== ou.name) {
        if (childrenOf(org, ou.parentId).ous.some((o) => org.ous[o].name === name)) {
          throw err('DuplicateOrganizationalUnitException', 'An OU with the same name already exists.');
        }
        ou.name = name;
      }
      return { OrganizationalUnit: ouOut(org, id) };
    },

    DeleteOrganizationalUnit(ctx: Ctx) {
      const org = mgmtOrg(ctx);
      const id = str(ctx.input, 'OrganizationalUnitId', { required: true, pattern: ID.ou }, fail)!;
      if (!org.ous[id])
        throw err(
          'OrganizationalUnitNotFoundException',
          "We can't find an OU with the OrganizationalUnitId that you specified.",
        );
      const c = childrenOf(org, id);
      if (c.accounts.length || c.ous.length)
        throw err(
          'OrganizationalUnitNotEmptyException',
          'The specified OU is not empty. Move all accounts to another root or to other OUs, remove all child OUs, and try the operation again.',
        );
      delete org.ous[id];
      for (const pid of Object.keys(org.attachments))
        org.attachments[pid] = org.attachments[pid].filter((t) => t !== id);
      delete org.tags[id];
      return {};
    },

    CreateAccount(ctx: Ctx) {
      const org = mgmtOrg(ctx);
      const email = str(ctx.input, 'Email', { required: true, min: 6, max: 64, pattern: EMAIL }, fail)!;
      const name = str(ctx.input, 'AccountName', { required: true, min: 1, max: 50, pattern: ACCOUNT_NAME }, fail)!;
      const roleName = str(ctx.input, 'RoleName', { max: 64, pattern: /^[\w+=,.@-]{1,64}$/ }, fail);
      oneOf(ctx.input, 'IamUserAccessToBilling', ['ALLOW', 'DENY'] as const, {}, fail);
      const tags = tagsIn(ctx);
      if (!/^[\x20-\x7e]+$/.test(email)) fail('Email', 'pattern', 'non-ASCII email');
      const f = org.finalizing;
      const finalizing =
        (f.untilMs !== undefined && Date.now() < f.untilMs) || (f.callsLeft !== undefined && f.callsLeft > 0);
      if (f.callsLeft !== undefined && f.callsLeft > 0) f.callsLeft--;
      if (finalizing) {
        throw err(
          'FinalizingOrganizationException',
          "AWS can't perform the operation because the organization is still being finalized. Try again later.",
        );
      }
      if (ctx.world.strict('account-creation-limits')) {
        // Only 5 creations may be in progress at once (quotas page); what AWS answers past that
        // is not documented, public reports show a throttling error (behaviours.ts).
        const running = org.createAccountStatuses.filter((c) => c.state === 'IN_PROGRESS').length;
        if (running >= MAX_ACCOUNT_CREATIONS_IN_PROGRESS) {
          if (ctx.world.config.accountCreationLimitForm === 'concurrent-modification') {
            throw err(
              'ConcurrentModificationException',
              "AWS Organizations can't complete your request because it conflicts with another attempt to modify the same entity. Try again later.",
            );
          }
          throw err(
            'TooManyRequestsException',
            'You have exceeded the number of accounts that can be created concurrently. Try again later.',
            { Type: 'RATE_LIMIT' },
          );
        }
        // The daily creation rate (API_ConstraintViolationException.html: "You attempted to exceed
        // the number of accounts that you can create in one day").
        const dayAgo = Date.now() - 24 * 3600_000;
        const today = org.createAccountStatuses.filter(
          (c) => c.state !== 'FAILED' && c.requestedAt.getTime() > dayAgo,
        ).length;
        if (today >= ctx.world.config.accountCreationsPerDay) {
          throw err(
            'ConstraintViolationException',
            'You have exceeded the number of accounts that you can create in one day.',
            { Reason: 'ACCOUNT_CREATION_RATE_LIMIT_EXCEEDED' },
          );
        }
      }
      const status: CreateAccountStatusRecord = {
        id: `car-${ctx.world.id('car', 32)}`,
        accountName: name,
        email,
        state: 'IN_PROGRESS',
        requestedAt: new Date(),
      };
      org.createAccountStatuses.push(status);
      const out = casOut(status);
      const [orgId, statusId] = [org.id, status.id];
      ctx.later((world) => {
        const org = world.orgs[orgId];
        const status = org?.createAccountStatuses.find((c) => c.id === statusId);
        if (!org || !status) return;
        status.completedAt = new Date();
        // No client token: the email is the only guard against creating twice.
        const taken = Object.values(world.accounts).some((a) => a.email.toLowerCase() === email.toLowerCase());
        if (taken) {
          status.state = 'FAILED';
          status.failureReason = 'EMAIL_ALREADY_EXISTS';
        } else if (Object.keys(org.accountParents).length >= org.accountQuota) {
          status.state = 'FAILED';
          status.failureReason = 'ACCOUNT_LIMIT_EXCEEDED';
        } else {
          const acct = addMemberAccount(world, org, { name, email, roleName });
          if (Object.keys(tags).length) org.tags[acct.id] = tags;
          status.state = 'SUCCEEDED';
          status.accountId = acct.id;
          // SUCCEEDED is not "ready": the role and the services come later (behaviours.ts).
          if (world.strict('account-readiness')) {
            const role = Date.now() + world.behaviourMs('accountRoleDelay');
            acct.readyAt = { role, services: Math.max(role, Date.now() + world.behaviourMs('accountServicesDelay')) };
          }
          world.created(`account:${acct.id}`);
        }
      });
      return { CreateAccountStatus: out };
    },

    DescribeCreateAccountStatus(ctx: Ctx) {
      const org = mgmtOrg(ctx);
      const id = str(ctx.input, 'CreateAccountRequestId', { required: true, pattern: ID.car }, fail)!;
      const s = org.createAccountStatuses.find((c) => c.id === id);
      if (!s)
        throw err(
          'CreateAccountStatusNotFoundException',
          "We can't find an create account request with the CreateAccountRequestId that you specified.",
        );
      return { CreateAccountStatus: casOut(s) };
    },

    ListCreateAccountStatus(ctx: Ctx) {
      const org = mgmtOrg(ctx);
      const states = ctx.input.States as string[] | undefined;
      for (const s of states ?? [])
        oneOf({ States: s }, 'States', ['IN_PROGRESS', 'SUCCEEDED', 'FAILED'] as const, {}, fail);
      const all = org.createAccountStatuses.filter((s) => !states?.length || states.includes(s.state)).map(casOut);
      const p = page(ctx)(all);
      return { CreateAccountStatuses: p.items, NextToken: p.nextToken };
    },

    // A member account leaves on its own (the guardrails SCP denies it to everyone but the
    // access role). https://docs.aws.amazon.com/organizations/latest/APIReference/API_LeaveOrganization.html:
    // the management account cannot leave; an account created by Organizations must wait 7
    // days and needs standalone information (root password, contact, payment) first.
    LeaveOrganization(ctx: Ctx) {
      const org = memberOrg(ctx);
      const id = ctx.caller.accountId;
      if (org.managementAccountId === id) {
        throw err(
          'MasterCannotLeaveOrganizationException',
          "You can't remove a management account from an organization. If you want the management account to become a member account in another organization, you must first delete the current organization of the management account.",
        );
      }
      // CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG: deregister it first
      // (https://docs.aws.amazon.com/organizations/latest/APIReference/API_ConstraintViolationException.html).
      if (delegatedServicesOf(org, id).length > 0) {
        throw err(
          'ConstraintViolationException',
          'You cannot remove an account that is registered as a delegated administrator for a service integrated with your organization. Deregister it first.',
          { Reason: 'CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG' },
        );
      }
      const joined = org.joined[id];
      if (joined?.method === 'CREATED' && Date.now() - joined.at.getTime() < 7 * 24 * 3600 * 1000) {
        throw err(
          'ConstraintViolationException',
          'You cannot remove an account that was created by Organizations until 7 days after it was created.',
          { Reason: 'WAIT_PERIOD_ACTIVE' },
        );
      }
      if (!ctx.world.account(id)?.root.passwordSetAt) {
        throw err(
          'ConstraintViolationException',
          'The account does not have the information it needs to operate as a standalone account (phone verification).',
          { Reason: 'ACCOUNT_CANNOT_LEAVE_WITHOUT_PHONE_VERIFICATION' },
        );
      }
      delete org.accountParents[id];
      delete org.joined[id];
      for (const targets of Object.values(org.attachments))
        targets.splice(0, targets.length, ...targets.filter((t) => t !== id));
      return {};
    },

    MoveAccount(ctx: Ctx) {
      const org = mgmtOrg(ctx);
      const id = str(ctx.input, 'AccountId', { required: true, pattern: ID.account }, fail)!;
      const source = str(ctx.input, 'SourceParentId', { required: true, pattern: ID.parent }, fail)!;
      const dest = str(ctx.input, 'DestinationParentId', { required: true, pattern: ID.parent }, fail)!;
      if (!(id in org.accountParents))
        throw err('AccountNotFoundException', "You specified an account that doesn't exist.");
      if (!parentExists(org, source) || org.accountParents[id] !== source) {
        throw err(
          'SourceParentNotFoundException',
          "We can't find a source root or OU with the ParentId that you specified.",
        );
      }
      if (!parentExists(org, dest))
        throw err(
          'DestinationParentNotFoundException',
          "We can't find the destination container (a root or OU) with the ParentId that you specified.",
        );
      if (source === dest)
        throw err('DuplicateAccountException', 'That account is already present in the specified destination.');
      org.accountParents[id] = dest;
      return {};
    },

    CreatePolicy(ctx: Ctx) {
      const org = mgmtOrg(ctx);
      const content = str(ctx.input, 'Content', { required: true, min: 1, max: 1_000_000 }, fail)!;
      const description = str(ctx.input, 'Description', { required: true, max: 512 }, fail)!;
      const name = str(ctx.input, 'Name', { required: true, min: 1, max: 128 }, fail)!;
      const type = oneOf(ctx.input, 'Type', POLICY_TYPES, { required: true }, fail)!;
      const tags = tagsIn(ctx);
      if (type !== SCP && org.featureSet !== 'ALL')
        throw err(
          'PolicyTypeNotAvailableForOrganizationException',
          'You can use policy types only in an organization with all features enabled.',
        );
      checkPolicyContent(type, content);
      if (
        Object.values(org.policies).some((p) => p.name === name && p.type === type) ||
        (type === SCP && name === 'FullAWSAccess')
      ) {
        throw err('DuplicatePolicyException', 'A policy with the same name already exists.');
      }
      const id = `p-${ctx.world.id('policy', 8)}`;
      const policy: OrgPolicy = {
        id,
        arn: `arn:aws:organizations::${org.managementAccountId}:policy/${org.id}/${type.toLowerCase()}/${id}`,
        name,
        description,
        type,
        content,
        awsManaged: false,
      };
      org.policies[id] = policy;
      if (Object.keys(tags).length) org.tags[id] = tags;
      ctx.world.created(`policy:${id}`);
      return { Policy: { PolicySummary: policySummary(policy), Content: content } };
    },

    UpdatePolicy(ctx: Ctx) {
      const org = mgmtOrg(ctx);
      const id = str(ctx.input, 'PolicyId', { required: true, pattern: ID.policy }, fail)!;
      const name = str(ctx.input, 'Name', { min: 1, max: 128 }, fail);
      const description = str(ctx.input, 'Description', { max: 512 }, fail);
      const content = str(ctx.input, 'Content', { min: 1, max: 1_000_000 }, fail);
      const p = requirePolicy(org, id);
      if (p.awsManaged) throw err('AccessDeniedException', 'You cannot modify an AWS managed policy.');
      if (content !== undefined) checkPolicyContent(p.type, content);
      if (
        name !== undefined &&
        name !== p.name &&
        Object.values(org.policies).some((o) => o.name === name && o.type === p.type)
      ) {
        throw err('DuplicatePolicyException', 'A policy with the same name already exists.');
      }
      if (name !== undefined) p.name = name;
      if (description !== undefined) p.description = description;
      if (content !== undefined) p.content = content;
      return { Policy: { PolicySummary: policySummary(p), Content: p.content } };
    },

    DescribePolicy(ctx: Ctx) {
      const org = mgmtOrg(ctx);
      const id = str(ctx.input, 'PolicyId', { required: true, pattern: ID.policy }, fail)!;
      const p = requirePolicy(org, id);
      return { Policy: { PolicySummary: policySummary(p), Content: p.content } };
    },

    DeletePolicy(ctx: Ctx) {
      const org = mgmtOrg(ctx);
      const id = str(ctx.input, 'PolicyId', { required: true, pattern: ID.policy }, fail)!;
      const p = requirePolicy(org, id);
      if (p.awsManaged) throw err('AccessDeniedException', 'You cannot delete an AWS managed policy.');
      if (org.attachments[id]?.length)
        throw err(
          'PolicyInUseException',
          'The policy is attached to one or more entities. You must detach it from all roots, OUs, and accounts before performing this operation.',
        );
      delete org.policies[id];
      delete org.attachments[id];
      delete org.tags[id];
      return {};
    },

    ListPolicies(ctx: Ctx) {
      const org = mgmtOrg(ctx);
      const type = oneOf(ctx.input, 'Filter', POLICY_TYPES, { required: true }, fail)!;
      const managed = type === SCP && org.featureSet === 'ALL' ? [FULL_AWS_ACCESS] : [];
      const all = [
        ...managed,
        ...Object.values(org.policies).filter((p) => p.type === type && ctx.world.listed(`policy:${p.id}`)),
      ].map(policySummary);
      const p = page(ctx)(all);
      return { Policies: p.items, NextToken: p.nextToken };
    },

    ListPoliciesForTarget(ctx: Ctx) {
      const org = mgmtOrg(ctx);
      const targetId = str(ctx.input, 'TargetId', { required: true, pattern: ID.target }, fail)!;
      const type = oneOf(ctx.input, 'Filter', POLICY_TYPES, { required: true }, fail)!;
      if (!target(ctx.world, org, targetId))
        throw err(
          'TargetNotFoundException',
          "We can't find a root, OU, account, or email address with the TargetId that you specified.",
        );
      const p = page(ctx)(
        policiesOnTarget(org, targetId, type)
          .filter((p) => ctx.world.listed(`attachment:${p.id}:${targetId}`))
          .map(policySummary),
      );
      return { Policies: p.items, NextToken: p.nextToken };
    },

    ListTargetsForPolicy(ctx: Ctx) {
      const org = mgmtOrg(ctx);
      const id = str(ctx.input, 'PolicyId', { required: true, pattern: ID.policy }, fail)!;
      requirePolicy(org, id);
      const all = (org.attachments[id] ?? [])
        .filter((t) => ctx.world.listed(`attachment:${id}:${t}`))
        .map((t) => target(ctx.world, org, t))
        .filter((t) => !!t);
      const p = page(ctx)(all);
      return { Targets: p.items, NextToken: p.nextToken };
    },

    AttachPolicy(ctx: Ctx) {
      const org = mgmtOrg(ctx);
      const id = str(ctx.input, 'PolicyId', { required: true, pattern: ID.policy }, fail)!;
      const targetId = str(ctx.input, 'TargetId', { required: true, pattern: ID.target }, fail)!;
      const p = requirePolicy(org, id);
      if (!target(ctx.world, org, targetId))
        throw err(
          'TargetNotFoundException',
          "We can't find a root, OU, account, or email address with the TargetId that you specified.",
        );
      if (org.root.policyTypes[p.type] !== 'ENABLED')
        throw err('PolicyTypeNotEnabledException', 'This operation can be performed only for enabled policy types.');
      const targets = (org.attachments[id] ??= []);
      if (targets.includes(targetId))
        throw err(
          'DuplicatePolicyAttachmentException',
          'The selected policy is already attached to the specified target.',
        );
      if (policiesOnTarget(org, targetId, p.type).length >= MAX_POLICIES_PER_TARGET) {
        throw err(
          'ConstraintViolationException',
          'You attempted to attach more policies of this type to an entity than allowed (5).',
          { Reason: 'POLICY_NUMBER_LIMIT_EXCEEDED' },
        );
      }
      targets.push(targetId);
      ctx.world.created(`attachment:${id}:${targetId}`);
      return {};
    },

    DetachPolicy(ctx: Ctx) {
      const org = mgmtOrg(ctx);
      const id = str(ctx.input, 'PolicyId', { required: true, pattern: ID.policy }, fail)!;
      const targetId = str(ctx.input, 'TargetId', { required: true, pattern: ID.target }, fail)!;
      const p = requirePolicy(org, id);
      if (!target(ctx.world, org, targetId))
        throw err(
          'TargetNotFoundException',
          "We can't find a root, OU, account, or email address with the TargetId that you specified.",
        );
      if (!org.attachments[id]?.includes(targetId))
        throw err('PolicyNotAttachedException', 'The policy is not attached to the target.');
      // An SCP-enabled target must keep at least one SCP.
      if (p.type === SCP && policiesOnTarget(org, targetId, SCP).length <= 1) {
        throw err(
          'ConstraintViolationException',
          'You attempted to detach the last policy of this type from an entity.',
          { Reason: 'MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED' },
        );
      }
      org.attachments[id] = org.attachments[id].filter((t) => t !== targetId);
      return {};
    },

    TagResource(ctx: Ctx) {
      const org = mgmtOrg(ctx);
      const id = str(ctx.input, 'ResourceId', { required: true }, fail)!;
      if (!target(ctx.world, org, id) && !org.policies[id])
        throw err(
          'TargetNotFoundException',
          "We can't find a root, OU, account, or email address with the TargetId that you specified.",
        );
      if (!Array.isArray(ctx.input.Tags)) fail('Tags', 'required', 'Tags is required');
      org.tags[id] = { ...org.tags[id], ...tagsIn(ctx) };
      return {};
    },

    UntagResource(ctx: Ctx) {
      const org = mgmtOrg(ctx);
      const id = str(ctx.input, 'ResourceId', { required: true }, fail)!;
      if (!target(ctx.world, org, id) && !org.policies[id])
        throw err(
          'TargetNotFoundException',
          "We can't find a root, OU, account, or email address with the TargetId that you specified.",
        );
      for (const k of (ctx.input.TagKeys ?? []) as string[]) delete org.tags[id]?.[k];
      return {};
    },

    ListTagsForResource(ctx: Ctx) {
      const org = mgmtOrg(ctx);
      const id = str(ctx.input, 'ResourceId', { required: true }, fail)!;
      if (!target(ctx.world, org, id) && !org.policies[id])
        throw err(
          'TargetNotFoundException',
          "We can't find a root, OU, account, or email address with the TargetId that you specified.",
        );
      const p = ctx.paginate(
        Object.entries(org.tags[id] ?? {}).map(([Key, Value]) => ({ Key, Value })),
        ctx.input.NextToken,
      );
      return { Tags: p.items, NextToken: p.nextToken };
    },

    // https://docs.aws.amazon.com/organizations/latest/APIReference/API_RegisterDelegatedAdministrator.html:
    // management account only; the account must be a member (AccountNotFoundException), not the
    // management account (CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR), not suspended, not
    // registered already (AccountAlreadyRegisteredException), and trusted access for the service
    // must be on first (SERVICE_ACCESS_NOT_ENABLED: "You attempted to register a delegated
    // administrator before you enabled service access", API_ConstraintViolationException.html).
    RegisterDelegatedAdministrator(ctx: Ctx) {
      const org = mgmtOrg(ctx);
      const id = str(ctx.input, 'AccountId', { required: true, max: 12, pattern: ID.account }, fail)!;
      const sp = str(ctx.input, 'ServicePrincipal', { required: true, ...SERVICE_PRINCIPAL }, fail)!;
      if (!(id in org.accountParents))
        throw err('AccountNotFoundException', "You specified an account that doesn't exist.");
      if (id === org.managementAccountId) {
        throw err(
          'ConstraintViolationException',
          'You cannot register the management account of the organization as a delegated administrator for an AWS service.',
          { Reason: 'CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR' },
        );
      }
      if (ctx.world.account(id)?.status === 'SUSPENDED') {
        throw err(
          'ConstraintViolationException',
          'You cannot register a suspended account as a delegated administrator.',
          { Reason: 'CANNOT_REGISTER_SUSPENDED_ACCOUNT_AS_DELEGATED_ADMINISTRATOR' },
        );
      }
      const current = ctx.world.delegatedAdminsFor(org, sp);
      if (current.includes(id))
        throw err(
          'AccountAlreadyRegisteredException',
          'The provided account is already a delegated administrator for your organization.',
        );
      if (!(sp in org.serviceAccess)) {
        throw err(
          'ConstraintViolationException',
          'You attempted to register a delegated administrator before you enabled service access. Call the EnableAWSServiceAccess API first.',
          { Reason: 'SERVICE_ACCESS_NOT_ENABLED' },
        );
      }
      if (current.length > 0 && SINGLE_DELEGATED_ADMIN_SERVICES.includes(sp)) {
        throw err(
          'ConstraintViolationException',
          'You attempted to register more delegated administrators than allowed for the service principal.',
          { Reason: 'DELEGATED_ADMINISTRATOR_EXISTS_FOR_THIS_SERVICE' },
        );
      }
      ctx.world.registerDelegatedAdmin(org, id, sp);
      return {};
    },

    // https://docs.aws.amazon.com/organizations/latest/APIReference/API_DeregisterDelegatedAdministrator.html:
    // management account only; AccountNotFoundException, AccountNotRegisteredException.
    DeregisterDelegatedAdministrator(ctx: Ctx) {
      const org = mgmtOrg(ctx);
      const id = str(ctx.input, 'AccountId', { required: true, max: 12, pattern: ID.account }, fail)!;
      const sp = str(ctx.input, 'ServicePrincipal', { required: true, ...SERVICE_PRINCIPAL }, fail)!;
      if (!(id in org.accountParents))
        throw err('AccountNotFoundException', "You specified an account that doesn't exist.");
      if (!ctx.world.delegatedAdminsFor(org, sp).includes(id)) {
        throw err(
          'AccountNotRegisteredException',
          'The provided account is not a registered delegated administrator for your organization.',
        );
      }
      ctx.world.deregisterDelegatedAdmin(org, id, sp);
      return {};
    },

    // https://docs.aws.amazon.com/organizations/latest/APIReference/API_ListDelegatedAdministrators.html
    ListDelegatedAdministrators(ctx: Ctx) {
      const org = mgmtOrDelegatedOrg(ctx);
      const sp = str(ctx.input, 'ServicePrincipal', SERVICE_PRINCIPAL, fail);
      // One entry per account (the earliest registration), in the order accounts were registered.
      const first = new Map<string, Date>();
      for (const [service, accounts] of Object.entries(org.delegatedAdmins ?? {})) {
        if (sp !== undefined && service !== sp) continue;
        for (const [id, at] of Object.entries(accounts)) {
          if (id in org.accountParents && (!first.has(id) || at < first.get(id)!)) first.set(id, at);
        }
      }
      const all = [...first].map(([id, at]) => delegatedAdminOut(ctx.world, org, id, at));
      const p = page(ctx)(all);
      return { DelegatedAdministrators: p.items, NextToken: p.nextToken };
    },

    // https://docs.aws.amazon.com/organizations/latest/APIReference/API_ListDelegatedServicesForAccount.html:
    // AccountNotFoundException for an account outside the org, AccountNotRegisteredException
    // for one that is no delegated administrator.
    ListDelegatedServicesForAccount(ctx: Ctx) {
      const org = mgmtOrDelegatedOrg(ctx);
      const id = str(ctx.input, 'AccountId', { required: true, max: 12, pattern: ID.account }, fail)!;
      if (!(id in org.accountParents))
        throw err('AccountNotFoundException', "You specified an account that doesn't exist.");
      const services = delegatedServicesOf(org, id);
      if (services.length === 0)
        throw err(
          'AccountNotRegisteredException',
          'The provided account is not a registered delegated administrator for your organization.',
        );
      const p = page(ctx)(services);
      return { DelegatedServices: p.items, NextToken: p.nextToken };
    },
  },

  // Changes made "by someone else" (console, another admin) to test drift detection.
  drift: {
    /** {policy: id|name, target: id} */
    'detach-policy'({ world, accountId, params, error }) {
      const org = orgFor(world, accountId, error);
      const p = findPolicy(org, String(params.policy));
      if (!p) throw error(`no policy ${params.policy}`);
      org.attachments[p.id] = (org.attachments[p.id] ?? []).filter((t) => t !== params.target);
    },
    /** {policy: id|name, target: id} */
    'attach-policy'({ world, accountId, params, error }) {
      const org = orgFor(world, accountId, error);
      const p = findPolicy(org, String(params.policy));
      if (!p) throw error(`no policy ${params.policy}`);
      const t = (org.attachments[p.id] ??= []);
      if (!t.includes(params.target)) t.push(params.target);
    },
    /** {policy: id|name, content?, description?} */
    'update-policy'({ world, accountId, params, error }) {
      const org = orgFor(world, accountId, error);
      const p = findPolicy(org, String(params.policy));
      if (!p || p.awsManaged) throw error(`no customer policy ${params.policy}`);
      if (params.content !== undefined) p.content = String(params.content);
      if (params.description !== undefined) p.description = String(params.description);
    },
    /** {policy: id|name}: detaches it everywhere, then deletes it. */
    'delete-policy'({ world, accountId, params, error }) {
      const org = orgFor(world, accountId, error);
      const p = findPolicy(org, String(params.policy));
      if (!p || p.awsManaged) throw error(`no customer policy ${params.policy}`);
      delete org.policies[p.id];
      delete org.attachments[p.id];
    },
    /** {accountId, parent: id or OU name} */
    'move-account'({ world, accountId, params, error }) {
      const org = orgFor(world, accountId, error);
      const acct = String(params.accountId);
      if (!(acct in org.accountParents)) throw error(`account ${acct} is not in the organization`);
      const dest = parentExists(org, String(params.parent))
        ? String(params.parent)
        : Object.values(org.ous).find((o) => o.name === params.parent)?.id;
      if (!dest) throw error(`no parent ${params.parent}`);
      org.accountParents[acct] = dest;
    },
    /** {servicePrincipal} */
    'disable-service-access'({ world, accountId, params, error }) {
      const org = orgFor(world, accountId, error);
      delete org.serviceAccess[String(params.servicePrincipal)];
    },
    /** {accountId, servicePrincipal}: a delegated administrator deregistered behind the CLI's back. */
    'deregister-delegated-admin'({ world, accountId, params, error }) {
      const org = orgFor(world, accountId, error);
      const acct = String(params.accountId);
      const sp = String(params.servicePrincipal);
      if (!world.delegatedAdminsFor(org, sp).includes(acct))
        throw error(`account ${acct} is not a delegated administrator for ${sp}`);
      world.deregisterDelegatedAdmin(org, acct, sp);
      return { accountId: acct, servicePrincipal: sp };
    },
    /** {policyType} */
    'disable-policy-type'({ world, accountId, params, error }) {
      const org = orgFor(world, accountId, error);
      const type = String(params.policyType ?? SCP);
      delete org.root.policyTypes[type];
      for (const pid of Object.keys(org.attachments))
        if (findPolicy(org, pid)?.type === type) delete org.attachments[pid];
    },
  },
};

function orgFor(world: World, accountId: string, error: (m: string) => Error): Organization {
  const org = world.orgOf(accountId);
  if (!org) throw error(`account ${accountId} is not in an organization`);
  return org;
}
