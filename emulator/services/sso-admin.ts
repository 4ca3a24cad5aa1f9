// IAM Identity Center administration (SSO Admin: awsJson1_1, `SWBExternalService.<Op>`,
// signing name `sso`). Works on the organization instance that the console step creates
// (`world.identityCenter`), in its home region, from the management account only.
//
// Model, as on AWS:
// - Permission sets carry a version; every change (update, managed policy attach/detach,
//   inline policy) bumps it, so accounts provisioned with an older version show up as
//   LATEST_PERMISSION_SET_NOT_PROVISIONED until ProvisionPermissionSet runs again.
// - Provisioning a set into an account creates/updates the IAM role
//   `AWSReservedSSO_<Name>_<16 hex>` there (path /aws-reserved/sso.amazonaws.com/).
// - CreateAccountAssignment / DeleteAccountAssignment / ProvisionPermissionSet answer
//   IN_PROGRESS with a RequestId and finish later (latency profile `async`). A creation
//   FAILS (Status FAILED + FailureReason) when the account is not in the organization or the
//   principal does not exist in the identity store; it provisions the set into the account.
//   Removing the last assignment of a set in an account deprovisions it (role deleted).
import type { HandlerContext, ServiceModule } from '../types.js';
import { int, oneOf, str, type Fail } from '../validate.js';
import { AwsError } from '../errors.js';
import { hashChars } from '../rng.js';
import type { IdentityCenterInstance, World } from '../world.js';
import { findGroupByName, findUserByName, principalExists } from './identitystore.js';

export interface PermissionSetRec {
  arn: string;
  name: string;
  description?: string;
  sessionDuration: string;
  relayState?: string;
  createdAt: Date;
  managedPolicies: { Name: string; Arn: string }[];
  inlinePolicy?: string;
  tags: Record<string, string>;
  /** Bumped by every change; provisioned copies remember the version they got. */
  version: number;
}
export interface AssignmentRec {
  accountId: string;
  permissionSetArn: string;
  principalType: 'USER' | 'GROUP';
  principalId: string;
}
export interface AssignmentOpStatus {
  RequestId: string;
  Status: 'IN_PROGRESS' | 'FAILED' | 'SUCCEEDED';
  FailureReason?: string;
  TargetId: string;
  TargetType: 'AWS_ACCOUNT';
  PermissionSetArn: string;
  PrincipalType: 'USER' | 'GROUP';
  PrincipalId: string;
  CreatedDate: Date;
}
export interface ProvisioningStatusRec {
  RequestId: string;
  Status: 'IN_PROGRESS' | 'FAILED' | 'SUCCEEDED';
  AccountId?: string;
  PermissionSetArn: string;
  FailureReason?: string;
  CreatedDate: Date;
}
/** What an account got when the set was last provisioned there. */
export interface ProvisionedRec {
  version: number;
  roleName: string;
  sessionDuration: string;
  managedPolicies: string[];
}
export interface SsoAdminStore {
  permissionSets: Record<string, PermissionSetRec>;
  assignments: AssignmentRec[];
  creationStatuses: AssignmentOpStatus[];
  deletionStatuses: AssignmentOpStatus[];
  provisioningStatuses: ProvisioningStatusRec[];
  /** accountId -> permission set ARN -> provisioned copy. */
  provisioned: Record<string, Record<string, ProvisionedRec>>;
  /** Tags on the instance itself. */
  instanceTags: Record<string, string>;
}

const ARN_PARTITION = '(aws|aws-us-gov|aws-cn|aws-iso|aws-iso-b)';
const INSTANCE_ARN = new RegExp(`^arn:${ARN_PARTITION}:sso:::instance/(sso)?ins-[a-zA-Z0-9-.]{16}$`);
const PS_ARN = new RegExp(
  `^arn:${ARN_PARTITION}:sso:::permissionSet/(sso)?ins-[a-zA-Z0-9-.]{16}/ps-[a-zA-Z0-9-./]{16}$`,
);
const PS_NAME = /^[\w+=,.@-]+$/;
const DESCRIPTION = /^[\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*$/;
const DURATION =
  /^(-?)P(?=\d|T\d)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)([DW]))?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;
const ACCOUNT_ID = /^\d{12}$/;
const PRINCIPAL_ID = /^([0-9a-f]{10}-|)[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}$/;
const REQUEST_ID = /^[a-fA-F0-9]{8}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{12}$/;
const MANAGED_POLICY_ARN =
  /^arn:(aws|aws-us-gov|aws-cn|aws-iso|aws-iso-b):iam::aws:policy\/([\w+=,.@/-]+\/)?([\w+=,.@-]+)$/;
const PROVISIONING = ['LATEST_PERMISSION_SET_PROVISIONED', 'LATEST_PERMISSION_SET_NOT_PROVISIONED'] as const;
const STATUSES = ['IN_PROGRESS', 'FAILED', 'SUCCEEDED'] as const;
/** AWS quotas: 10 managed policies per permission set, 500 permission sets per instance. */
const MAX_MANAGED_POLICIES = 10;
const MAX_PERMISSION_SETS = 500;
const MAX_INLINE_POLICY = 32_768;
/**
 * AWS managed policies the emulator knows exist. Attaching any other well-formed AWS managed
 * ARN is accepted (AWS checks it only when it creates the role), but provisioning the set
 * into an account then FAILS, naming the policy: a typo such as `PowerUser` for
 * `PowerUserAccess` surfaces as on AWS instead of passing silently.
 */
export const KNOWN_AWS_MANAGED_POLICIES = [
  'AdministratorAccess',
  'PowerUserAccess',
  'ReadOnlyAccess',
  'SecurityAudit',
  'IAMFullAccess',
  'IAMReadOnlyAccess',
  'job-function/Billing',
  'job-function/ViewOnlyAccess',
  'job-function/SystemAdministrator',
  'job-function/NetworkAdministrator',
  'job-function/DatabaseAdministrator',
  'job-function/DataScientist',
  'job-function/SupportUser',
  'AWSBillingReadOnlyAccess',
  'AWSSupportAccess',
  'AWSOrganizationsReadOnlyAccess',
  'AWSOrganizationsFullAccess',
  'AWSCloudTrail_ReadOnlyAccess',
  'AWSCloudTrail_FullAccess',
  'CloudWatchReadOnlyAccess',
  'AWSCloudShellFullAccess',
  'AWSSSOReadOnly',
  'AWSSSODirectoryReadOnly',
  'AWSSSOMemberAccountAdministrator',
  'AWSAccountManagementReadOnlyAccess',
  'AWSAccountManagementFullAccess',
  'AWSBudgetsReadOnlyAccess',
  'AmazonS3ReadOnlyAccess',
  'AmazonS3FullAccess',
  'AmazonEC2ReadOnlyAccess',
  'AmazonEC2FullAccess',
  'AWSCodeCommitReadOnly',
  'AWSConfigUserAccess',
].map((n) => `arn:aws:iam::aws:policy/${n}`);

type Ctx = HandlerContext<Record<string, any>>;

const validation = (message: string) => new AwsError('ValidationException', message, { status: 400 });
const fail: Fail = (_f, _p, message) => {
  throw validation(message);
};
const notFound = (message: string) => new AwsError('ResourceNotFoundException', message, { status: 400 });
const conflict = (message: string) => new AwsError('ConflictException', message, { status: 400 });
const quota = (message: string) => new AwsError('ServiceQuotaExceededException', message, { status: 400 });

/**
 * Behaviour sso-conflicts: while an assignment creation, deletion or provisioning of a
 * permission set is in progress, another one on the same set is refused (ConflictException,
 * "retry with backoff": API_CreateAccountAssignment.html#API_CreateAccountAssignment_Errors).
 */
function refuseWhileBusy(ctx: Ctx, s: SsoAdminStore, ps: PermissionSetRec): void {
  if (!ctx.world.strict('sso-conflicts')) return;
  const busy = [...s.creationStatuses, ...s.deletionStatuses, ...s.provisioningStatuses].some(
    (o) => o.Status === 'IN_PROGRESS' && o.PermissionSetArn === ps.arn,
  );
  if (busy)
    throw conflict(
      `There is a conflicting operation in process on permission set ${ps.name}. Please wait until the operation is complete and try again.`,
    );
}

// ---- shared helpers (the SSO portal and drift read these) -----------------------------

export function ssoAdminStoreOf(world: World): SsoAdminStore | undefined {
  const ic = world.identityCenter;
  if (!ic) return undefined;
  return world.store<SsoAdminStore>(ic.ownerAccountId, 'sso-admin', () => ({
    permissionSets: {},
    assignments: [],
    creationStatuses: [],
    deletionStatuses: [],
    provisioningStatuses: [],
    provisioned: {},
    instanceTags: {},
  }));
}

/**
 * Finishes an asynchronous request later (ctx.later), finding its status record, the store and
 * the instance by ID in the world the task runs on (a copied world then finishes its own).
 */
function finishLater<K extends 'provisioningStatuses' | 'creationStatuses' | 'deletionStatuses'>(
  ctx: Ctx,
  list: K,
  requestId: string,
  fn: (
    world: World,
    ic: NonNullable<World['identityCenter']>,
    s: SsoAdminStore,
    status: SsoAdminStore[K][number],
  ) => void,
): void {
  ctx.later((world) => {
    const ic = world.identityCenter;
    const s = ssoAdminStoreOf(world);
    const status = (s?.[list] as SsoAdminStore[K][number][] | undefined)?.find((p) => p.RequestId === requestId);
    if (ic && s && status) fn(world, ic, s, status);
  });
}

export function findPermissionSet(s: SsoAdminStore, nameOrArn: string): PermissionSetRec | undefined {
  return (
    s.permissionSets[nameOrArn] ??
    Object.values(s.permissionSets).find((p) => p.name.toLowerCase() === nameOrArn.toLowerCase())
  );
}

/** Session length in seconds of an ISO-8601 duration (PT8H, PT1H30M, P0DT2H…). */
export function durationSeconds(iso: string): number | undefined {
  const m = DURATION.exec(iso);
  if (!m || m[1] === '-') return undefined;
  const [, , y, mo, n, unit, h, mi, s] = m;
  if (y || mo) return undefined; // years and months have no fixed length: AWS refuses them here
  const days = n ? Number(n) * (unit === 'W' ? 7 : 1) : 0;
  return days * 86400 + Number(h ?? 0) * 3600 + Number(mi ?? 0) * 60 + Number(s ?? 0);
}

/** The IAM role name Identity Center creates for a permission set in an account. */
export function reservedRoleName(ps: PermissionSetRec, accountId: string): string {
  return `AWSReservedSSO_${ps.name}_${hashChars(`sso-role:${ps.arn}:${accountId}`, 16, '0123456789abcdef')}`;
}

function uuid(world: World, kind: string): string {
  const h = world.id(kind, 32, '0123456789abcdef');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

function instanceId(ic: IdentityCenterInstance): string {
  return ic.instanceArn.slice(ic.instanceArn.lastIndexOf('/') + 1);
}

function accountInOrg(world: World, ic: IdentityCenterInstance, accountId: string): boolean {
  const org = world.orgOf(ic.ownerAccountId);
  return !!org && accountId in org.accountParents && world.account(accountId)?.status === 'ACTIVE';
}

/** Why the set cannot be provisioned (a policy IAM does not have), or undefined. */
function provisioningProblem(ps: PermissionSetRec): string | undefined {
  const missing = ps.managedPolicies.find((p) => !KNOWN_AWS_MANAGED_POLICIES.includes(p.Arn));
  return missing ? `Policy ${missing.Arn} does not exist or is not attachable.` : undefined;
}

/** Provision the current version of a set into an account: create or update its role. */
function provisionInto(
  world: World,
  ic: IdentityCenterInstance,
  s: SsoAdminStore,
  ps: PermissionSetRec,
  accountId: string,
): void {
  const roleName = reservedRoleName(ps, accountId);
  const acct = world.account(accountId);
  if (acct && !acct.roles[roleName]) {
    const role = world.addRole(accountId, roleName, []); // trusts the SAML provider, not an account
    const regionPath = ic.region === 'us-east-1' ? '' : `${ic.region}/`;
    role.arn = `arn:aws:iam::${accountId}:role/aws-reserved/sso.amazonaws.com/${regionPath}${roleName}`;
  }
  (s.provisioned[accountId] ??= {})[ps.arn] = {
    version: ps.version,
    roleName,
    sessionDuration: ps.sessionDuration,
    managedPolicies: ps.managedPolicies.map((p) => p.Arn),
  };
}

function deprovisionFrom(world: World, s: SsoAdminStore, psArn: string, accountId: string): void {
  const rec = s.provisioned[accountId]?.[psArn];
  if (!rec) return;
  delete s.provisioned[accountId][psArn];
  if (Object.keys(s.provisioned[accountId]).length === 0) delete s.provisioned[accountId];
  const acct = world.account(accountId);
  if (acct) delete acct.roles[rec.roleName];
}

/** Remove one assignment; the last one of a set in an account takes the set (and role) away. */
export function removeAssignment(
  world: World,
  s: SsoAdminStore,
  a: Pick<AssignmentRec, 'accountId' | 'permissionSetArn' | 'principalType' | 'principalId'>,
): boolean {
  const i = s.assignments.findIndex(
    (x) =>
      x.accountId === a.accountId &&
      x.permissionSetArn === a.permissionSetArn &&
      x.principalType === a.principalType &&
      x.principalId === a.principalId,
  );
  if (i < 0) return false;
  s.assignments.splice(i, 1);
  if (!s.assignments.some((x) => x.accountId === a.accountId && x.permissionSetArn === a.permissionSetArn))
    deprovisionFrom(world, s, a.permissionSetArn, a.accountId);
  return true;
}

function bump(ps: PermissionSetRec): void {
  ps.version++;
}

// ---- guards ---------------------------------------------------------------------------

/** The instance named by InstanceArn, for the management account, in the home region. */
function instanceFor(ctx: Ctx, field = 'InstanceArn'): { ic: IdentityCenterInstance; s: SsoAdminStore } {
  const arn = str(ctx.input, field, { required: true, min: 10, max: 1224, pattern: INSTANCE_ARN }, fail)!;
  const ic = ctx.world.identityCenter;
  if (!ic || ic.ownerAccountId !== ctx.caller.accountId) {
    // A member account (or an account without the instance) has no rights on it.
    throw ctx.accessDenied(
      `User: ${ctx.caller.arn} is not authorized to perform: sso:${ctx.operation} on resource: ${arn}`,
    );
  }
  if (ic.instanceArn !== arn || ic.region !== ctx.region)
    throw notFound(`Could not find Identity Center instance ${arn} in ${ctx.region}.`);
  return { ic, s: ssoAdminStoreOf(ctx.world)! };
}

function permissionSetFor(ctx: Ctx, s: SsoAdminStore, ic: IdentityCenterInstance): PermissionSetRec {
  const arn = str(ctx.input, 'PermissionSetArn', { required: true, min: 10, max: 1224, pattern: PS_ARN }, fail)!;
  const ps = s.permissionSets[arn];
  if (!ps || !arn.includes(`/${instanceId(ic)}/`))
    throw notFound(`Could not find PermissionSet with PermissionSetArn ${arn}.`);
  return ps;
}

function accountIdField(ctx: Ctx, field: string): string {
  return str(ctx.input, field, { required: true, min: 12, max: 12, pattern: ACCOUNT_ID }, fail)!;
}

function page(ctx: Ctx) {
  int(ctx.input, 'MaxResults', { min: 1, max: 100 }, fail);
  return <T>(items: T[]) => ctx.paginate(items, ctx.input.NextToken, ctx.input.MaxResults);
}

function checkDuration(v: unknown): string | undefined {
  const d = str({ SessionDuration: v }, 'SessionDuration', { min: 1, max: 100, pattern: DURATION }, fail);
  if (d === undefined) return undefined;
  const secs = durationSeconds(d);
  if (secs === undefined || secs < 3600 || secs > 43200) {
    throw validation(`The session duration ${d} is not valid: it must be between 1 hour (PT1H) and 12 hours (PT12H).`);
  }
  return d;
}

function checkTags(v: unknown): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (!Array.isArray(v) || v.length > 50)
    throw validation(
      "1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50",
    );
  const out: Record<string, string> = {};
  for (const t of v as { Key?: unknown; Value?: unknown }[]) {
    const key = str(t ?? {}, 'Key', { required: true, min: 1, max: 128 }, fail)!;
    if (key.toLowerCase().startsWith('aws:')) throw validation('Tag keys starting with aws: are reserved.');
    out[key] = str(t, 'Value', { required: true, min: 0, max: 256 }, fail)!;
  }
  return out;
}

function psOut(ps: PermissionSetRec) {
  return {
    Name: ps.name,
    PermissionSetArn: ps.arn,
    Description: ps.description,
    CreatedDate: ps.createdAt,
    SessionDuration: ps.sessionDuration,
    RelayState: ps.relayState,
  };
}

function instanceOut(ic: IdentityCenterInstance) {
  return {
    InstanceArn: ic.instanceArn,
    IdentityStoreId: ic.identityStoreId,
    IdentityStoreArn: `arn:aws:identitystore::${ic.ownerAccountId}:identitystore/${ic.identityStoreId}`,
    OwnerAccountId: ic.ownerAccountId,
    Name: ic.name,
    CreatedDate: ic.createdAt,
    Status: ic.status,
    PrimaryRegion: ic.region,
  };
}

function opMeta(o: { Status: string; RequestId: string; CreatedDate: Date }) {
  return { Status: o.Status, RequestId: o.RequestId, CreatedDate: o.CreatedDate };
}

function statusFilter(ctx: Ctx): string | undefined {
  const f = ctx.input.Filter as { Status?: unknown } | undefined;
  if (!f) return undefined;
  return oneOf(f as Record<string, unknown>, 'Status', STATUSES, {}, fail);
}

/** Describe*Status: one asynchronous request by the ID in `idField`. */
function describeRequest<T extends { RequestId: string }>(ctx: Ctx, requests: T[], idField: string, what: string): T {
  const id = str(ctx.input, idField, { required: true, min: 36, max: 36, pattern: REQUEST_ID }, fail)!;
  const st = requests.find((x) => x.RequestId === id);
  if (!st) throw notFound(`Could not find ${what} ${id}.`);
  return { ...st };
}

/** List*Status: the requests' ID, status and date, filtered by status, one page. */
function listRequests(ctx: Ctx, requests: { Status: string; RequestId: string; CreatedDate: Date }[]) {
  const paged = page(ctx);
  const status = statusFilter(ctx);
  const p = paged(requests.filter((x) => !status || x.Status === status));
  return { items: p.items.map(opMeta), nextToken: p.nextToken };
}

/** The assignment fields of Create/DeleteAccountAssignment. */
function assignmentInput(ctx: Ctx, s: SsoAdminStore, ic: IdentityCenterInstance) {
  const targetId = accountIdField(ctx, 'TargetId');
  oneOf(ctx.input, 'TargetType', ['AWS_ACCOUNT'] as const, { required: true }, fail);
  const ps = permissionSetFor(ctx, s, ic);
  const principalType = oneOf(ctx.input, 'PrincipalType', ['USER', 'GROUP'] as const, { required: true }, fail)!;
  const principalId = str(ctx.input, 'PrincipalId', { required: true, min: 1, max: 47, pattern: PRINCIPAL_ID }, fail)!;
  return { targetId, ps, principalType, principalId };
}

function taggable(ctx: Ctx, s: SsoAdminStore, ic: IdentityCenterInstance): Record<string, string> {
  const arn = str(ctx.input, 'ResourceArn', { required: true, min: 10, max: 2048 }, fail)!;
  if (arn === ic.instanceArn) return s.instanceTags;
  const ps = s.permissionSets[arn];
  if (!ps) throw notFound(`Could not find resource ${arn}.`);
  return ps.tags;
}

// ---- the module -----------------------------------------------------------------------

export const ssoAdmin: ServiceModule = {
  name: 'sso-admin',
  signingName: 'sso',
  protocol: 'json',
  targetPrefix: 'SWBExternalService',
  errors: { internal: { code: 'InternalServerException', status: 500 } },
  operations: {
    ListInstances(ctx: Ctx) {
      const paged = page(ctx);
      const ic = ctx.world.identityCenter;
      // Instances are regional, and only the owner (management) account sees the org instance.
      const visible = ic && ic.region === ctx.region && ic.ownerAccountId === ctx.caller.accountId ? [ic] : [];
      const p = paged(visible);
      return { Instances: p.items.map(instanceOut), NextToken: p.nextToken };
    },

    DescribeInstance(ctx: Ctx) {
      const { ic } = instanceFor(ctx);
      return { ...instanceOut(ic), PermissionSetsEnabled: true };
    },

    CreatePermissionSet(ctx: Ctx) {
      const { ic, s } = instanceFor(ctx);
      const name = str(ctx.input, 'Name', { required: true, min: 1, max: 32, pattern: PS_NAME }, fail)!;
      const description = str(ctx.input, 'Description', { min: 1, max: 700, pattern: DESCRIPTION }, fail);
      const sessionDuration = checkDuration(ctx.input.SessionDuration) ?? 'PT1H';
      const relayState = str(ctx.input, 'RelayState', { min: 1, max: 240 }, fail);
      const tags = checkTags(ctx.input.Tags);
      if (findPermissionSet(s, name)) throw conflict(`PermissionSet with name ${name} already exists.`);
      if (Object.keys(s.permissionSets).length >= MAX_PERMISSION_SETS)
        throw quota('The number of permission sets in this instance has reached its limit.');
      const arn = `arn:aws:sso:::permissionSet/${instanceId(ic)}/ps-${ctx.world.id('permission-set', 16, '0123456789abcdef')}`;
      const ps: PermissionSetRec = {
        arn,
        name,
        description,
        sessionDuration,
        relayState,
        createdAt: new Date(),
        managedPolicies: [],
        tags,
        version: 1,
      };
      s.permissionSets[arn] = ps;
      return { PermissionSet: psOut(ps) };
    },

    DescribePermissionSet(ctx: Ctx) {
      const { ic, s } = instanceFor(ctx);
      return { PermissionSet: psOut(permissionSetFor(ctx, s, ic)) };
    },

    ListPermissionSets(ctx: Ctx) {
      const { s } = instanceFor(ctx);
      const p = page(ctx)(Object.keys(s.permissionSets));
      return { PermissionSets: p.items, NextToken: p.nextToken };
    },

    UpdatePermissionSet(ctx: Ctx) {
      const { ic, s } = instanceFor(ctx);
      const ps = permissionSetFor(ctx, s, ic);
      const description = str(ctx.input, 'Description', { min: 1, max: 700, pattern: DESCRIPTION }, fail);
      const sessionDuration = checkDuration(ctx.input.SessionDuration);
      const relayState = str(ctx.input, 'RelayState', { min: 1, max: 240 }, fail);
      if (description !== undefined) ps.description = description;
      if (sessionDuration !== undefined) ps.sessionDuration = sessionDuration;
      if (relayState !== undefined) ps.relayState = relayState;
      bump(ps);
      return {};
    },

    DeletePermissionSet(ctx: Ctx) {
      const { ic, s } = instanceFor(ctx);
      const ps = permissionSetFor(ctx, s, ic);
      const accounts = Object.keys(s.provisioned).filter((a) => s.provisioned[a][ps.arn]);
      if (accounts.length > 0)
        throw conflict(
          `PermissionSet ${ps.arn} is provisioned to ${accounts.length} account(s); remove its account assignments first.`,
        );
      delete s.permissionSets[ps.arn];
      return {};
    },

    AttachManagedPolicyToPermissionSet(ctx: Ctx) {
      const { ic, s } = instanceFor(ctx);
      const ps = permissionSetFor(ctx, s, ic);
      const arn = str(ctx.input, 'ManagedPolicyArn', { required: true, min: 20, max: 2048 }, fail)!;
      const m = MANAGED_POLICY_ARN.exec(arn);
      if (!m)
        throw validation(
          `The managed policy ${arn} is not an AWS managed policy ARN (use AttachCustomerManagedPolicyReferenceToPermissionSet for your own policies).`,
        );
      if (ps.managedPolicies.some((p) => p.Arn === arn))
        throw conflict(`Permission set ${ps.name} already has the managed policy ${arn} attached.`);
      if (ps.managedPolicies.length >= MAX_MANAGED_POLICIES)
        throw quota(`Permission set ${ps.name} has reached the limit of ${MAX_MANAGED_POLICIES} managed policies.`);
      ps.managedPolicies.push({ Name: m[3], Arn: arn });
      bump(ps);
      return {};
    },

    DetachManagedPolicyFromPermissionSet(ctx: Ctx) {
      const { ic, s } = instanceFor(ctx);
      const ps = permissionSetFor(ctx, s, ic);
      const arn = str(ctx.input, 'ManagedPolicyArn', { required: true, min: 20, max: 2048 }, fail)!;
      const i = ps.managedPolicies.findIndex((p) => p.Arn === arn);
      if (i < 0) throw notFound(`The managed policy ${arn} is not attached to permission set ${ps.name}.`);
      ps.managedPolicies.splice(i, 1);
      bump(ps);
      return {};
    },

    ListManagedPoliciesInPermissionSet(ctx: Ctx) {
      const { ic, s } = instanceFor(ctx);
      const ps = permissionSetFor(ctx, s, ic);
      const p = page(ctx)(ps.managedPolicies);
      return { AttachedManagedPolicies: p.items.map((x) => ({ ...x })), NextToken: p.nextToken };
    },

    PutInlinePolicyToPermissionSet(ctx: Ctx) {
      const { ic, s } = instanceFor(ctx);
      const ps = permissionSetFor(ctx, s, ic);
      const doc = str(ctx.input, 'InlinePolicy', { required: true, min: 1, max: MAX_INLINE_POLICY }, fail)!;
      try {
        JSON.parse(doc);
      } catch {
        throw validation('The inline policy is not valid JSON.');
      }
      ps.inlinePolicy = doc;
      bump(ps);
      return {};
    },

    GetInlinePolicyForPermissionSet(ctx: Ctx) {
      const { ic, s } = instanceFor(ctx);
      return { InlinePolicy: permissionSetFor(ctx, s, ic).inlinePolicy ?? '' };
    },

    DeleteInlinePolicyFromPermissionSet(ctx: Ctx) {
      const { ic, s } = instanceFor(ctx);
      const ps = permissionSetFor(ctx, s, ic);
      if (ps.inlinePolicy !== undefined) {
        delete ps.inlinePolicy;
        bump(ps);
      }
      return {};
    },

    ProvisionPermissionSet(ctx: Ctx) {
      const { ic, s } = instanceFor(ctx);
      const ps = permissionSetFor(ctx, s, ic);
      const targetType = oneOf(
        ctx.input,
        'TargetType',
        ['AWS_ACCOUNT', 'ALL_PROVISIONED_ACCOUNTS'] as const,
        { required: true },
        fail,
      )!;
      const targetId =
        targetType === 'AWS_ACCOUNT'
          ? accountIdField(ctx, 'TargetId')
          : str(ctx.input, 'TargetId', { pattern: ACCOUNT_ID }, fail);
      if (targetType === 'ALL_PROVISIONED_ACCOUNTS' && targetId)
        throw validation('TargetId must not be given with TargetType ALL_PROVISIONED_ACCOUNTS.');
      // One provisioning of a set at a time per target, as AWS enforces.
      if (
        s.provisioningStatuses.some(
          (p) =>
            p.Status === 'IN_PROGRESS' &&
            p.PermissionSetArn === ps.arn &&
            (p.AccountId === targetId || !p.AccountId || !targetId),
        )
      ) {
        throw conflict(`A provisioning operation for permission set ${ps.name} is already in progress.`);
      }
      refuseWhileBusy(ctx, s, ps);
      const status: ProvisioningStatusRec = {
        RequestId: uuid(ctx.world, 'sso-request'),
        Status: 'IN_PROGRESS',
        AccountId: targetId,
        PermissionSetArn: ps.arn,
        CreatedDate: new Date(),
      };
      const psArn = ps.arn;
      s.provisioningStatuses.push(status);
      finishLater(ctx, 'provisioningStatuses', status.RequestId, (world, ic, s, status) => {
        const live = s.permissionSets[psArn];
        if (!live) {
          Object.assign(status, { Status: 'FAILED', FailureReason: `PermissionSet ${psArn} was deleted.` });
          return;
        }
        const problem = provisioningProblem(live);
        if (problem) {
          Object.assign(status, { Status: 'FAILED', FailureReason: problem });
          return;
        }
        if (targetId) {
          if (!accountInOrg(world, ic, targetId)) {
            Object.assign(status, {
              Status: 'FAILED',
              FailureReason: `Received a 404 status error: Not supported account id: ${targetId}. The account is not part of the organization.`,
            });
            return;
          }
          provisionInto(world, ic, s, live, targetId);
        } else {
          for (const acct of Object.keys(s.provisioned))
            if (s.provisioned[acct][live.arn]) provisionInto(world, ic, s, live, acct);
        }
        status.Status = 'SUCCEEDED';
      });
      return { PermissionSetProvisioningStatus: { ...status } };
    },

    DescribePermissionSetProvisioningStatus(ctx: Ctx) {
      return {
        PermissionSetProvisioningStatus: describeRequest(
          ctx,
          instanceFor(ctx).s.provisioningStatuses,
          'ProvisionPermissionSetRequestId',
          'provisioning request',
        ),
      };
    },

    ListPermissionSetProvisioningStatus(ctx: Ctx) {
      const r = listRequests(ctx, instanceFor(ctx).s.provisioningStatuses);
      return { PermissionSetsProvisioningStatus: r.items, NextToken: r.nextToken };
    },

    ListAccountsForProvisionedPermissionSet(ctx: Ctx) {
      const { ic, s } = instanceFor(ctx);
      const ps = permissionSetFor(ctx, s, ic);
      const paged = page(ctx);
      const want = oneOf(ctx.input, 'ProvisioningStatus', PROVISIONING, {}, fail);
      const accounts = Object.keys(s.provisioned).filter((a) => {
        const rec = s.provisioned[a][ps.arn];
        if (!rec) return false;
        if (want === 'LATEST_PERMISSION_SET_PROVISIONED') return rec.version === ps.version;
        if (want === 'LATEST_PERMISSION_SET_NOT_PROVISIONED') return rec.version !== ps.version;
        return true;
      });
      const p = paged(accounts.sort());
      return { AccountIds: p.items, NextToken: p.nextToken };
    },

    ListPermissionSetsProvisionedToAccount(ctx: Ctx) {
      const { s } = instanceFor(ctx);
      const accountId = accountIdField(ctx, 'AccountId');
      const paged = page(ctx);
      const want = oneOf(ctx.input, 'ProvisioningStatus', PROVISIONING, {}, fail);
      const arns = Object.entries(s.provisioned[accountId] ?? {})
        .filter(([arn, rec]) => {
          const ps = s.permissionSets[arn];
          if (!ps) return false;
          if (want === 'LATEST_PERMISSION_SET_PROVISIONED') return rec.version === ps.version;
          if (want === 'LATEST_PERMISSION_SET_NOT_PROVISIONED') return rec.version !== ps.version;
          return true;
        })
        .map(([arn]) => arn);
      const p = paged(arns);
      return { PermissionSets: p.items, NextToken: p.nextToken };
    },

    CreateAccountAssignment(ctx: Ctx) {
      const { ic, s } = instanceFor(ctx);
      const { targetId, ps, principalType, principalId } = assignmentInput(ctx, s, ic);
      refuseWhileBusy(ctx, s, ps);
      const status: AssignmentOpStatus = {
        RequestId: uuid(ctx.world, 'sso-request'),
        Status: 'IN_PROGRESS',
        TargetId: targetId,
        TargetType: 'AWS_ACCOUNT',
        PermissionSetArn: ps.arn,
        PrincipalType: principalType,
        PrincipalId: principalId,
        CreatedDate: new Date(),
      };
      s.creationStatuses.push(status);
      const psArn = ps.arn;
      finishLater(ctx, 'creationStatuses', status.RequestId, (world, ic, s, status) => {
        const live = s.permissionSets[psArn];
        let reason: string | undefined;
        if (!live) reason = `PermissionSet ${psArn} was deleted.`;
        else if (!accountInOrg(world, ic, targetId))
          reason = `Received a 404 status error: Not supported account id: ${targetId}. The account is not part of the organization.`;
        else if (!principalExists(world, principalType, principalId))
          reason = `Received a 404 status error: No ${principalType === 'USER' ? 'user' : 'group'} found with id ${principalId} in the identity store.`;
        else reason = provisioningProblem(live);
        if (reason || !live) {
          Object.assign(status, { Status: 'FAILED', FailureReason: reason });
          return;
        }
        const exists = s.assignments.some(
          (a) =>
            a.accountId === targetId &&
            a.permissionSetArn === live.arn &&
            a.principalType === principalType &&
            a.principalId === principalId,
        );
        if (!exists)
          s.assignments.push({ accountId: targetId, permissionSetArn: live.arn, principalType, principalId });
        // Assigning provisions the set into the account (its current version).
        if (s.provisioned[targetId]?.[live.arn]?.version !== live.version) provisionInto(world, ic, s, live, targetId);
        status.Status = 'SUCCEEDED';
      });
      return { AccountAssignmentCreationStatus: { ...status } };
    },

    DescribeAccountAssignmentCreationStatus(ctx: Ctx) {
      return {
        AccountAssignmentCreationStatus: describeRequest(
          ctx,
          instanceFor(ctx).s.creationStatuses,
          'AccountAssignmentCreationRequestId',
          'account assignment creation request',
        ),
      };
    },

    ListAccountAssignmentCreationStatus(ctx: Ctx) {
      const r = listRequests(ctx, instanceFor(ctx).s.creationStatuses);
      return { AccountAssignmentsCreationStatus: r.items, NextToken: r.nextToken };
    },

    DeleteAccountAssignment(ctx: Ctx) {
      const { ic, s } = instanceFor(ctx);
      const { targetId, ps, principalType, principalId } = assignmentInput(ctx, s, ic);
      refuseWhileBusy(ctx, s, ps);
      const status: AssignmentOpStatus = {
        RequestId: uuid(ctx.world, 'sso-request'),
        Status: 'IN_PROGRESS',
        TargetId: targetId,
        TargetType: 'AWS_ACCOUNT',
        PermissionSetArn: ps.arn,
        PrincipalType: principalType,
        PrincipalId: principalId,
        CreatedDate: new Date(),
      };
      s.deletionStatuses.push(status);
      const psArn = ps.arn;
      finishLater(ctx, 'deletionStatuses', status.RequestId, (world, _ic, s, status) => {
        removeAssignment(world, s, { accountId: targetId, permissionSetArn: psArn, principalType, principalId });
        status.Status = 'SUCCEEDED';
      });
      return { AccountAssignmentDeletionStatus: { ...status } };
    },

    DescribeAccountAssignmentDeletionStatus(ctx: Ctx) {
      return {
        AccountAssignmentDeletionStatus: describeRequest(
          ctx,
          instanceFor(ctx).s.deletionStatuses,
          'AccountAssignmentDeletionRequestId',
          'account assignment deletion request',
        ),
      };
    },

    ListAccountAssignmentDeletionStatus(ctx: Ctx) {
      const r = listRequests(ctx, instanceFor(ctx).s.deletionStatuses);
      return { AccountAssignmentsDeletionStatus: r.items, NextToken: r.nextToken };
    },

    ListAccountAssignments(ctx: Ctx) {
      const { ic, s } = instanceFor(ctx);
      const accountId = accountIdField(ctx, 'AccountId');
      const ps = permissionSetFor(ctx, s, ic);
      const p = page(ctx)(s.assignments.filter((a) => a.accountId === accountId && a.permissionSetArn === ps.arn));
      return {
        AccountAssignments: p.items.map((a) => ({
          AccountId: a.accountId,
          PermissionSetArn: a.permissionSetArn,
          PrincipalType: a.principalType,
          PrincipalId: a.principalId,
        })),
        NextToken: p.nextToken,
      };
    },

    ListAccountAssignmentsForPrincipal(ctx: Ctx) {
      const { s } = instanceFor(ctx);
      const principalType = oneOf(ctx.input, 'PrincipalType', ['USER', 'GROUP'] as const, { required: true }, fail)!;
      const principalId = str(
        ctx.input,
        'PrincipalId',
        { required: true, min: 1, max: 47, pattern: PRINCIPAL_ID },
        fail,
      )!;
      const filter = ctx.input.Filter as { AccountId?: unknown } | undefined;
      const accountId = filter
        ? str(filter as Record<string, unknown>, 'AccountId', { pattern: ACCOUNT_ID }, fail)
        : undefined;
      const p = page(ctx)(
        s.assignments.filter(
          (a) =>
            a.principalType === principalType &&
            a.principalId === principalId &&
            (!accountId || a.accountId === accountId),
        ),
      );
      return {
        AccountAssignments: p.items.map((a) => ({
          AccountId: a.accountId,
          PermissionSetArn: a.permissionSetArn,
          PrincipalType: a.principalType,
          PrincipalId: a.principalId,
        })),
        NextToken: p.nextToken,
      };
    },

    TagResource(ctx: Ctx) {
      const { ic, s } = instanceFor(ctx);
      const tags = taggable(ctx, s, ic);
      const add = checkTags(ctx.input.Tags);
      if (Object.keys({ ...tags, ...add }).length > 50) throw quota('A resource can have at most 50 tags.');
      Object.assign(tags, add);
      return {};
    },

    UntagResource(ctx: Ctx) {
      const { ic, s } = instanceFor(ctx);
      const tags = taggable(ctx, s, ic);
      const keys = ctx.input.TagKeys;
      if (!Array.isArray(keys) || keys.length < 1)
        throw validation(
          "1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: Member must not be null",
        );
      for (const k of keys) delete tags[String(k)];
      return {};
    },

    ListTagsForResource(ctx: Ctx) {
      const { ic, s } = instanceFor(ctx);
      const tags = taggable(ctx, s, ic);
      const p = ctx.paginate(
        Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
        ctx.input.NextToken,
      );
      return { Tags: p.items, NextToken: p.nextToken };
    },
  },

  drift: {
    /**
     * `{permissionSet, principal, principalType?, account?}`: someone removed an assignment in
     * the console. permissionSet: name or ARN; principal: group/user name or ID; account: ID or
     * account name (default: the home account).
     */
    'delete-account-assignment'(d) {
      const s = ssoAdminStoreOf(d.world);
      if (!s) throw d.error('Identity Center is not enabled');
      const ps = findPermissionSet(s, String(d.params.permissionSet));
      if (!ps) throw d.error(`no permission set ${d.params.permissionSet}`);
      const accountId = resolveAccount(d.world, d.params.account, d.accountId);
      const who = String(d.params.principal);
      const type = d.params.principalType as 'USER' | 'GROUP' | undefined;
      const ids = new Set(
        [who, findGroupByName(d.world, who)?.GroupId, findUserByName(d.world, who)?.UserId].filter(Boolean),
      );
      const a = s.assignments.find(
        (x) =>
          x.accountId === accountId &&
          x.permissionSetArn === ps.arn &&
          ids.has(x.principalId) &&
          (!type || x.principalType === type),
      );
      if (!a) throw d.error(`no assignment of ${ps.name} to ${who} in ${accountId}`);
      removeAssignment(d.world, s, a);
      return { accountId, permissionSet: ps.name, principalType: a.principalType, principalId: a.principalId };
    },
    /** `{name, sessionDuration?, description?, relayState?}`: someone edited the permission set. */
    'update-permission-set'(d) {
      const s = ssoAdminStoreOf(d.world);
      const ps = s && findPermissionSet(s, String(d.params.name));
      if (!ps) throw d.error(`no permission set ${d.params.name}`);
      if (d.params.sessionDuration !== undefined) ps.sessionDuration = String(d.params.sessionDuration);
      if (d.params.description !== undefined) ps.description = String(d.params.description);
      if (d.params.relayState !== undefined) ps.relayState = String(d.params.relayState);
      bump(ps);
      return { permissionSet: ps.name, sessionDuration: ps.sessionDuration };
    },
    /** `{name, policy}` (policy: ARN or name, e.g. 'ReadOnlyAccess'): someone detached a managed policy. */
    'detach-managed-policy'(d) {
      const s = ssoAdminStoreOf(d.world);
      const ps = s && findPermissionSet(s, String(d.params.name));
      if (!ps) throw d.error(`no permission set ${d.params.name}`);
      const i = ps.managedPolicies.findIndex((p) => p.Arn === d.params.policy || p.Name === d.params.policy);
      if (i < 0) throw d.error(`${d.params.policy} is not attached to ${ps.name}`);
      const [gone] = ps.managedPolicies.splice(i, 1);
      bump(ps);
      return { permissionSet: ps.name, detached: gone.Arn };
    },
  },
};

function resolveAccount(world: World, param: unknown, fallback: string): string {
  if (param === undefined || param === null) return fallback;
  const p = String(param);
  if (ACCOUNT_ID.test(p)) return p;
  const byName = Object.values(world.accounts).find((a) => a.name === p);
  if (!byName) throw new Error(`no account named ${p}`);
  return byName.id;
}
