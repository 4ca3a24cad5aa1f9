// AWS Identity Store (awsJson1_1, `AWSIdentityStore.<Op>`, signing name `identitystore`).
// The directory behind the Identity Center organization instance: users, groups and group
// memberships. It exists only once the instance is enabled (console step) and lives in the
// instance's home region, in the owner (management) account; every request names its
// IdentityStoreId. As on AWS: user names and group display names are unique
// (case-insensitively) → ConflictException (Reason UNIQUENESS_CONSTRAINT_VIOLATION); unknown
// IDs → ResourceNotFoundException with ResourceType/ResourceId; multi-valued attributes
// (emails, addresses, phone numbers) take at most one value.
import type { HandlerContext, ServiceModule } from '../types.js';
import { int, str, type Fail } from '../validate.js';
import { AwsError } from '../errors.js';
import { hashChars } from '../rng.js';
import type { IdentityCenterInstance, World } from '../world.js';

export interface IdsUser {
  UserId: string;
  UserName: string;
  DisplayName: string;
  Name: Record<string, string>;
  Emails?: { Value?: string; Type?: string; Primary?: boolean }[];
  /** Other optional attributes (NickName, Title, Locale, PhoneNumbers…), stored as given. */
  attributes: Record<string, unknown>;
  UserStatus: 'ENABLED' | 'DISABLED';
  CreatedAt: Date;
  UpdatedAt: Date;
}
export interface IdsGroup {
  GroupId: string;
  DisplayName: string;
  Description?: string;
  CreatedAt: Date;
  UpdatedAt: Date;
}
export interface IdsMembership {
  MembershipId: string;
  GroupId: string;
  UserId: string;
  CreatedAt: Date;
}
export interface IdentityStoreData {
  identityStoreId: string;
  users: Record<string, IdsUser>;
  groups: Record<string, IdsGroup>;
  memberships: Record<string, IdsMembership>;
}

const STORE_ID = /^d-[0-9a-f]{10}$|^[0-9a-f]{8}\b-[0-9a-f]{4}\b-[0-9a-f]{4}\b-[0-9a-f]{4}\b-[0-9a-f]{12}$/;
const RESOURCE_ID = /^([0-9a-f]{10}-|)[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}$/;
/** UserName: letters, marks, symbols, numbers, punctuation; no whitespace. */
const USER_NAME = /^[\p{L}\p{M}\p{S}\p{N}\p{P}]+$/u;
const TEXT = /^[\p{L}\p{M}\p{S}\p{N}\p{P}\t\n\r  　]+$/u;
/** Optional user attributes accepted by CreateUser besides the ones modelled above. */
const OTHER_USER_ATTRIBUTES = [
  'NickName',
  'ProfileUrl',
  'Addresses',
  'PhoneNumbers',
  'UserType',
  'Title',
  'PreferredLanguage',
  'Locale',
  'Timezone',
  'Photos',
  'Website',
  'Birthdate',
  'Roles',
];
const MULTI_VALUED = ['Emails', 'Addresses', 'PhoneNumbers'];
/**
 * Names AWS reserves for itself: "Administrator and AWSAdministrators are reserved names and
 * can't be used for users or groups" (CreateUser UserName, CreateGroup DisplayName:
 * https://docs.aws.amazon.com/singlesignon/latest/IdentityStoreAPIReference/API_CreateGroup.html).
 */
const RESERVED_USER_NAMES = ['administrator', 'awsadministrators'];
const reservedGroupName = (name: string): void => {
  if (RESERVED_USER_NAMES.includes(name.trim().toLowerCase())) throw validation(`The group name ${name} is reserved.`);
};

type Ctx = HandlerContext<Record<string, any>>;

const validation = (message: string) => new AwsError('ValidationException', message, { status: 400 });
const fail: Fail = (_f, _p, message) => {
  throw validation(message);
};
const notFound = (type: string, id: string, message?: string) =>
  new AwsError(
    'ResourceNotFoundException',
    message ??
      `${type === 'IDENTITY_STORE' ? 'Identity store' : type[0] + type.slice(1).toLowerCase().replace('_', ' ')} ${id} not found.`,
    {
      status: 400,
      extra: { ResourceType: type, ResourceId: id },
    },
  );
const conflict = (message: string, reason = 'UNIQUENESS_CONSTRAINT_VIOLATION') =>
  new AwsError('ConflictException', message, { status: 400, extra: { Reason: reason } });

// ---- shared helpers (sso-admin and the SSO portal read the directory too) -------------

/** The identity store of the Identity Center instance, or undefined while none is enabled. */
export function identityStoreOf(world: World): IdentityStoreData | undefined {
  const ic = world.identityCenter;
  if (!ic) return undefined;
  return world.store<IdentityStoreData>(ic.ownerAccountId, 'identitystore', () => ({
    identityStoreId: ic.identityStoreId,
    users: {},
    groups: {},
    memberships: {},
  }));
}

export function findUserByName(world: World, userName: string): IdsUser | undefined {
  const s = identityStoreOf(world);
  const key = userName.toLowerCase();
  return s && Object.values(s.users).find((u) => u.UserName.toLowerCase() === key);
}

export function findGroupByName(world: World, displayName: string): IdsGroup | undefined {
  const s = identityStoreOf(world);
  const key = displayName.toLowerCase();
  return s && Object.values(s.groups).find((g) => g.DisplayName.toLowerCase() === key);
}

/** Group IDs the user is a direct member of. */
export function groupIdsOfUser(world: World, userId: string): string[] {
  const s = identityStoreOf(world);
  return s
    ? Object.values(s.memberships)
        .filter((m) => m.UserId === userId)
        .map((m) => m.GroupId)
    : [];
}

export function principalExists(world: World, type: 'USER' | 'GROUP', id: string): boolean {
  const s = identityStoreOf(world);
  return !!s && (type === 'USER' ? id in s.users : id in s.groups);
}

function resourceId(world: World, s: IdentityStoreData, kind: string): string {
  // AWS IDs in an identity store: 10 hex characters tied to the store, then a UUID.
  const prefix = hashChars(`store:${s.identityStoreId}`, 10, '0123456789abcdef');
  const h = world.id(`identitystore-${kind}`, 32, '0123456789abcdef');
  return `${prefix}-${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

// ---- guards ---------------------------------------------------------------------------

/** The store named by the request's IdentityStoreId, reachable by this caller in this region. */
function storeFor(ctx: Ctx): { s: IdentityStoreData; ic: IdentityCenterInstance } {
  const id = str(ctx.input, 'IdentityStoreId', { required: true, min: 1, max: 36, pattern: STORE_ID }, fail)!;
  const ic = ctx.world.identityCenter;
  const s = identityStoreOf(ctx.world);
  if (!ic || !s || s.identityStoreId !== id || ic.region !== ctx.region) throw notFound('IDENTITY_STORE', id);
  if (ctx.caller.accountId !== ic.ownerAccountId) {
    throw ctx.accessDenied(
      `User: ${ctx.caller.arn} is not authorized to perform: identitystore:${ctx.operation} on resource: arn:aws:identitystore::${ic.ownerAccountId}:identitystore/${id}`,
    );
  }
  return { s, ic };
}

function idField(ctx: Ctx, field: string, value?: unknown): string {
  const input = value === undefined ? ctx.input : { [field]: value };
  return str(input, field, { required: true, min: 1, max: 47, pattern: RESOURCE_ID }, fail)!;
}

function requireUser(s: IdentityStoreData, id: string): IdsUser {
  const u = s.users[id];
  if (!u) throw notFound('USER', id);
  return u;
}

function requireGroup(s: IdentityStoreData, id: string): IdsGroup {
  const g = s.groups[id];
  if (!g) throw notFound('GROUP', id);
  return g;
}

function memberUserId(ctx: Ctx, v: unknown = ctx.input.MemberId): string {
  if (!v || typeof v !== 'object')
    fail(
      'MemberId',
      'required',
      "1 validation error detected: Value null at 'memberId' failed to satisfy constraint: Member must not be null",
    );
  return idField(ctx, 'UserId', (v as Record<string, unknown>).UserId);
}

function page(ctx: Ctx) {
  int(ctx.input, 'MaxResults', { min: 1, max: 100 }, fail);
  return <T>(items: T[]) => ctx.paginate(items, ctx.input.NextToken, ctx.input.MaxResults);
}

/** ListUsers/ListGroups Filters: at most one, on the unique attribute. */
function filterValue(ctx: Ctx, path: string): string | undefined {
  const filters = ctx.input.Filters as { AttributePath?: string; AttributeValue?: string }[] | undefined;
  if (filters === undefined) return undefined;
  if (!Array.isArray(filters) || filters.length > 1) throw validation('Filters supports at most one filter.');
  if (filters.length === 0) return undefined;
  const f = filters[0];
  if (f.AttributePath !== path)
    throw validation(`Filtering on the attribute ${String(f.AttributePath)} is not supported. Supported: ${path}.`);
  if (typeof f.AttributeValue !== 'string' || f.AttributeValue.length === 0)
    throw validation('AttributeValue must not be empty.');
  return f.AttributeValue;
}

// ---- attribute validation -------------------------------------------------------------

function text(value: unknown, field: string, max = 1024): string {
  return str({ [field]: value }, field, { required: true, min: 1, max, pattern: TEXT }, fail)!;
}

function checkUserName(value: unknown): string {
  const name = str({ UserName: value }, 'UserName', { required: true, min: 1, max: 128, pattern: USER_NAME }, fail)!;
  if (RESERVED_USER_NAMES.includes(name.toLowerCase())) throw validation(`The user name ${name} is reserved.`);
  return name;
}

function checkName(value: unknown): Record<string, string> {
  if (!value || typeof value !== 'object')
    throw validation('Missing required attribute: name.givenName, name.familyName');
  const n = value as Record<string, unknown>;
  const out: Record<string, string> = {};
  for (const k of ['Formatted', 'FamilyName', 'GivenName', 'MiddleName', 'HonorificPrefix', 'HonorificSuffix']) {
    if (n[k] !== undefined && n[k] !== null) out[k] = text(n[k], `Name.${k}`);
  }
  const missing = ['GivenName', 'FamilyName'].filter((k) => !out[k]);
  if (missing.length)
    throw validation(
      `Missing required attribute: ${missing.map((k) => `name.${k[0].toLowerCase()}${k.slice(1)}`).join(', ')}`,
    );
  return out;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function checkEmails(value: unknown): IdsUser['Emails'] {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw validation('Emails must be a list.');
  if (value.length > 1) throw validation('Only one value is supported for the multi-valued attribute emails.');
  return value.map((e: Record<string, unknown>) => {
    const v = text(e?.Value, 'Emails.Value');
    if (!EMAIL.test(v)) throw validation(`The email address ${v} is not valid.`);
    return {
      Value: v,
      ...(e.Type !== undefined ? { Type: text(e.Type, 'Emails.Type') } : {}),
      ...(e.Primary !== undefined ? { Primary: e.Primary === true } : {}),
    };
  });
}

function userOut(s: IdentityStoreData, u: IdsUser) {
  return {
    IdentityStoreId: s.identityStoreId,
    UserId: u.UserId,
    UserName: u.UserName,
    DisplayName: u.DisplayName,
    Name: u.Name,
    Emails: u.Emails,
    ...u.attributes,
    UserStatus: u.UserStatus,
    CreatedAt: u.CreatedAt,
    UpdatedAt: u.UpdatedAt,
  };
}

function groupOut(s: IdentityStoreData, g: IdsGroup) {
  return {
    IdentityStoreId: s.identityStoreId,
    GroupId: g.GroupId,
    DisplayName: g.DisplayName,
    Description: g.Description,
    CreatedAt: g.CreatedAt,
    UpdatedAt: g.UpdatedAt,
  };
}

function membershipOut(s: IdentityStoreData, m: IdsMembership) {
  return {
    IdentityStoreId: s.identityStoreId,
    MembershipId: m.MembershipId,
    GroupId: m.GroupId,
    MemberId: { UserId: m.UserId },
    CreatedAt: m.CreatedAt,
    UpdatedAt: m.CreatedAt,
  };
}

/** `name.givenName` → ['Name', 'GivenName'] (attribute paths are lowerCamel on the wire). */
function pathParts(path: unknown): string[] {
  if (typeof path !== 'string' || !/^[A-Za-z]+(\.[A-Za-z]+)?$/.test(path))
    throw validation(`The attribute path ${String(path)} is not valid.`);
  return path.split('.').map((p) => p[0].toUpperCase() + p.slice(1));
}

/** Document values use lowerCamel keys (`{value, type, primary}`); the model uses UpperCamel. */
function upperKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(upperKeys);
  if (v && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k[0].toUpperCase() + k.slice(1), upperKeys(x)]));
  return v;
}

function userByName(s: IdentityStoreData, userName: string): IdsUser | undefined {
  const key = userName.toLowerCase();
  return Object.values(s.users).find((u) => u.UserName.toLowerCase() === key);
}

function groupByName(s: IdentityStoreData, name: string): IdsGroup | undefined {
  const key = name.toLowerCase();
  return Object.values(s.groups).find((g) => g.DisplayName.toLowerCase() === key);
}

function unique(ctx: Ctx, kind: 'USER' | 'GROUP'): string {
  const alt = ctx.input.AlternateIdentifier as Record<string, any> | undefined;
  if (!alt || typeof alt !== 'object')
    fail(
      'AlternateIdentifier',
      'required',
      "1 validation error detected: Value null at 'alternateIdentifier' failed to satisfy constraint: Member must not be null",
    );
  if (alt!.ExternalId)
    throw notFound(kind, String(alt!.ExternalId.Id ?? ''), `${kind === 'USER' ? 'User' : 'Group'} not found.`);
  const ua = alt!.UniqueAttribute as { AttributePath?: string; AttributeValue?: unknown } | undefined;
  if (!ua) throw validation('AlternateIdentifier must have exactly one of ExternalId, UniqueAttribute.');
  const allowed = kind === 'USER' ? ['userName', 'emails.value'] : ['displayName'];
  if (!allowed.includes(String(ua.AttributePath)))
    throw validation(
      `The attribute ${String(ua.AttributePath)} is not a unique attribute. Supported: ${allowed.join(', ')}.`,
    );
  if (typeof ua.AttributeValue !== 'string' || ua.AttributeValue.length === 0)
    throw validation('AttributeValue must be a non-empty string.');
  return ua.AttributeValue;
}

function removeMemberships(s: IdentityStoreData, pred: (m: IdsMembership) => boolean): number {
  let n = 0;
  for (const [id, m] of Object.entries(s.memberships)) if (pred(m)) (delete s.memberships[id], n++);
  return n;
}

// ---- the module -----------------------------------------------------------------------

export const identitystore: ServiceModule = {
  name: 'identitystore',
  signingName: 'identitystore',
  protocol: 'json',
  targetPrefix: 'AWSIdentityStore',
  errors: { internal: { code: 'InternalServerException', status: 500 } },
  operations: {
    CreateUser(ctx: Ctx) {
      const { s } = storeFor(ctx);
      const i = ctx.input;
      const userName = checkUserName(i.UserName);
      const displayName =
        i.DisplayName === undefined || i.DisplayName === null ? undefined : text(i.DisplayName, 'DisplayName');
      if (!displayName) throw validation('Missing required attribute: displayName');
      const name = checkName(i.Name);
      const emails = checkEmails(i.Emails);
      const attributes: Record<string, unknown> = {};
      for (const k of OTHER_USER_ATTRIBUTES) {
        if (i[k] === undefined || i[k] === null) continue;
        if (MULTI_VALUED.includes(k) && (!Array.isArray(i[k]) || i[k].length > 1))
          throw validation(
            `Only one value is supported for the multi-valued attribute ${k[0].toLowerCase() + k.slice(1)}.`,
          );
        attributes[k] = i[k];
      }
      if (userByName(s, userName)) throw conflict(`Duplicate UserName: a user named ${userName} already exists.`);
      const now = new Date();
      const u: IdsUser = {
        UserId: resourceId(ctx.world, s, 'user'),
        UserName: userName,
        DisplayName: displayName,
        Name: name,
        Emails: emails,
        attributes,
        UserStatus: 'ENABLED',
        CreatedAt: now,
        UpdatedAt: now,
      };
      s.users[u.UserId] = u;
      ctx.world.created(`ids:${u.UserId}`);
      return { IdentityStoreId: s.identityStoreId, UserId: u.UserId };
    },

    DescribeUser(ctx: Ctx) {
      const { s } = storeFor(ctx);
      return userOut(s, requireUser(s, idField(ctx, 'UserId')));
    },

    ListUsers(ctx: Ctx) {
      const { s } = storeFor(ctx);
      const paged = page(ctx);
      const name = filterValue(ctx, 'UserName');
      const users = Object.values(s.users).filter(
        (u) =>
          (name === undefined || u.UserName.toLowerCase() === name.toLowerCase()) &&
          ctx.world.listed(`ids:${u.UserId}`),
      );
      const p = paged(users);
      return { Users: p.items.map((u) => userOut(s, u)), NextToken: p.nextToken };
    },

    GetUserId(ctx: Ctx) {
      const { s } = storeFor(ctx);
      const path = (ctx.input.AlternateIdentifier as any)?.UniqueAttribute?.AttributePath;
      const value = unique(ctx, 'USER');
      const u =
        path === 'emails.value'
          ? Object.values(s.users).find((x) => x.Emails?.some((e) => e.Value?.toLowerCase() === value.toLowerCase()))
          : userByName(s, value);
      // A lookup by attribute is an index, eventually consistent like a list (behaviours.ts).
      if (!u || !ctx.world.listed(`ids:${u.UserId}`)) throw notFound('USER', value, 'USER not found.');
      return { IdentityStoreId: s.identityStoreId, UserId: u.UserId };
    },

    UpdateUser(ctx: Ctx) {
      const { s } = storeFor(ctx);
      const u = requireUser(s, idField(ctx, 'UserId'));
      const ops = ctx.input.Operations as { AttributePath?: string; AttributeValue?: unknown }[] | undefined;
      if (!Array.isArray(ops) || ops.length < 1 || ops.length > 100)
        throw validation(
          "1 validation error detected: Value at 'operations' failed to satisfy constraint: Member must have length between 1 and 100",
        );
      // Validate on a copy, then commit: a failed update changes nothing.
      const next: IdsUser = structuredClone(u);
      for (const op of ops) {
        const [top, sub] = pathParts(op.AttributePath);
        const value = upperKeys(op.AttributeValue);
        const remove = value === undefined || value === null;
        if (top === 'UserName') {
          if (remove) throw validation('userName cannot be removed.');
          next.UserName = checkUserName(value);
          const other = userByName(s, next.UserName);
          if (other && other.UserId !== u.UserId)
            throw conflict(`Duplicate UserName: a user named ${next.UserName} already exists.`);
        } else if (top === 'DisplayName') {
          if (remove) throw validation('displayName cannot be removed.');
          next.DisplayName = text(value, 'DisplayName');
        } else if (top === 'Name') {
          const name: Record<string, unknown> = sub
            ? { ...next.Name, [sub]: remove ? undefined : value }
            : (value as Record<string, unknown>);
          next.Name = checkName(name);
        } else if (top === 'Emails') {
          next.Emails = remove ? undefined : checkEmails(value);
        } else if (OTHER_USER_ATTRIBUTES.includes(top)) {
          if (remove) delete next.attributes[top];
          else next.attributes[top] = value;
        } else {
          throw validation(`The attribute path ${String(op.AttributePath)} is not valid.`);
        }
      }
      next.UpdatedAt = new Date();
      s.users[u.UserId] = next;
      return {};
    },

    DeleteUser(ctx: Ctx) {
      const { s } = storeFor(ctx);
      const u = requireUser(s, idField(ctx, 'UserId'));
      delete s.users[u.UserId];
      removeMemberships(s, (m) => m.UserId === u.UserId);
      return {};
    },

    CreateGroup(ctx: Ctx) {
      const { s } = storeFor(ctx);
      if (ctx.input.DisplayName === undefined || ctx.input.DisplayName === null)
        throw validation('Missing required attribute: displayName');
      const displayName = text(ctx.input.DisplayName, 'DisplayName');
      reservedGroupName(displayName);
      const description = ctx.input.Description === undefined ? undefined : text(ctx.input.Description, 'Description');
      if (groupByName(s, displayName))
        throw conflict(`Duplicate GroupDisplayName: a group named ${displayName} already exists.`);
      const now = new Date();
      const g: IdsGroup = {
        GroupId: resourceId(ctx.world, s, 'group'),
        DisplayName: displayName,
        Description: description,
        CreatedAt: now,
        UpdatedAt: now,
      };
      s.groups[g.GroupId] = g;
      ctx.world.created(`ids:${g.GroupId}`);
      return { IdentityStoreId: s.identityStoreId, GroupId: g.GroupId };
    },

    DescribeGroup(ctx: Ctx) {
      const { s } = storeFor(ctx);
      return groupOut(s, requireGroup(s, idField(ctx, 'GroupId')));
    },

    ListGroups(ctx: Ctx) {
      const { s } = storeFor(ctx);
      const paged = page(ctx);
      const name = filterValue(ctx, 'DisplayName');
      const groups = Object.values(s.groups).filter(
        (g) =>
          (name === undefined || g.DisplayName.toLowerCase() === name.toLowerCase()) &&
          ctx.world.listed(`ids:${g.GroupId}`),
      );
      const p = paged(groups);
      return { Groups: p.items.map((g) => groupOut(s, g)), NextToken: p.nextToken };
    },

    GetGroupId(ctx: Ctx) {
      const { s } = storeFor(ctx);
      const value = unique(ctx, 'GROUP');
      const g = groupByName(s, value);
      if (!g || !ctx.world.listed(`ids:${g.GroupId}`)) throw notFound('GROUP', value, 'GROUP not found.');
      return { IdentityStoreId: s.identityStoreId, GroupId: g.GroupId };
    },

    UpdateGroup(ctx: Ctx) {
      const { s } = storeFor(ctx);
      const g = requireGroup(s, idField(ctx, 'GroupId'));
      const ops = ctx.input.Operations as { AttributePath?: string; AttributeValue?: unknown }[] | undefined;
      if (!Array.isArray(ops) || ops.length < 1 || ops.length > 100)
        throw validation(
          "1 validation error detected: Value at 'operations' failed to satisfy constraint: Member must have length between 1 and 100",
        );
      const next = { ...g };
      for (const op of ops) {
        const [top] = pathParts(op.AttributePath);
        const remove = op.AttributeValue === undefined || op.AttributeValue === null;
        if (top === 'DisplayName') {
          if (remove) throw validation('displayName cannot be removed.');
          next.DisplayName = text(op.AttributeValue, 'DisplayName');
          reservedGroupName(next.DisplayName);
          const other = groupByName(s, next.DisplayName);
          if (other && other.GroupId !== g.GroupId)
            throw conflict(`Duplicate GroupDisplayName: a group named ${next.DisplayName} already exists.`);
        } else if (top === 'Description') {
          next.Description = remove ? undefined : text(op.AttributeValue, 'Description');
        } else {
          throw validation(`The attribute path ${String(op.AttributePath)} is not valid.`);
        }
      }
      next.UpdatedAt = new Date();
      s.groups[g.GroupId] = next;
      return {};
    },

    DeleteGroup(ctx: Ctx) {
      const { s } = storeFor(ctx);
      const g = requireGroup(s, idField(ctx, 'GroupId'));
      delete s.groups[g.GroupId];
      removeMemberships(s, (m) => m.GroupId === g.GroupId);
      return {};
    },

    CreateGroupMembership(ctx: Ctx) {
      const { s } = storeFor(ctx);
      const g = requireGroup(s, idField(ctx, 'GroupId'));
      const userId = memberUserId(ctx);
      requireUser(s, userId);
      if (Object.values(s.memberships).some((m) => m.GroupId === g.GroupId && m.UserId === userId)) {
        throw conflict(`Member ${userId} is already in group ${g.GroupId}.`);
      }
      const m: IdsMembership = {
        MembershipId: resourceId(ctx.world, s, 'membership'),
        GroupId: g.GroupId,
        UserId: userId,
        CreatedAt: new Date(),
      };
      s.memberships[m.MembershipId] = m;
      ctx.world.created(`ids:${m.MembershipId}`);
      return { IdentityStoreId: s.identityStoreId, MembershipId: m.MembershipId };
    },

    DescribeGroupMembership(ctx: Ctx) {
      const { s } = storeFor(ctx);
      const id = idField(ctx, 'MembershipId');
      const m = s.memberships[id];
      if (!m) throw notFound('GROUP_MEMBERSHIP', id);
      return membershipOut(s, m);
    },

    ListGroupMemberships(ctx: Ctx) {
      const { s } = storeFor(ctx);
      const paged = page(ctx);
      const g = requireGroup(s, idField(ctx, 'GroupId'));
      const p = paged(
        Object.values(s.memberships).filter(
          (m) => m.GroupId === g.GroupId && ctx.world.listed(`ids:${m.MembershipId}`),
        ),
      );
      return { GroupMemberships: p.items.map((m) => membershipOut(s, m)), NextToken: p.nextToken };
    },

    ListGroupMembershipsForMember(ctx: Ctx) {
      const { s } = storeFor(ctx);
      const paged = page(ctx);
      const userId = memberUserId(ctx);
      requireUser(s, userId);
      const p = paged(
        Object.values(s.memberships).filter((m) => m.UserId === userId && ctx.world.listed(`ids:${m.MembershipId}`)),
      );
      return { GroupMemberships: p.items.map((m) => membershipOut(s, m)), NextToken: p.nextToken };
    },

    GetGroupMembershipId(ctx: Ctx) {
      const { s } = storeFor(ctx);
      const groupId = idField(ctx, 'GroupId');
      const userId = memberUserId(ctx);
      const m = Object.values(s.memberships).find((x) => x.GroupId === groupId && x.UserId === userId);
      if (!m || !ctx.world.listed(`ids:${m.MembershipId}`))
        throw notFound('GROUP_MEMBERSHIP', `${groupId}/${userId}`, 'GROUP_MEMBERSHIP not found.');
      return { IdentityStoreId: s.identityStoreId, MembershipId: m.MembershipId };
    },

    IsMemberInGroups: {
      mutating: false,
      handler(ctx: Ctx) {
        const { s } = storeFor(ctx);
        const userId = memberUserId(ctx);
        const ids = ctx.input.GroupIds as unknown[];
        if (!Array.isArray(ids) || ids.length < 1 || ids.length > 100)
          throw validation(
            "1 validation error detected: Value at 'groupIds' failed to satisfy constraint: Member must have length between 1 and 100",
          );
        requireUser(s, userId);
        return {
          Results: ids.map((gid) => {
            const id = idField(ctx, 'GroupId', gid);
            return {
              GroupId: id,
              MemberId: { UserId: userId },
              MembershipExists: Object.values(s.memberships).some((m) => m.GroupId === id && m.UserId === userId),
            };
          }),
        };
      },
    },

    DeleteGroupMembership(ctx: Ctx) {
      const { s } = storeFor(ctx);
      const id = idField(ctx, 'MembershipId');
      if (!s.memberships[id]) throw notFound('GROUP_MEMBERSHIP', id);
      delete s.memberships[id];
      return {};
    },
  },

  drift: {
    /** `{user, group}` (names or IDs): someone took the user out of the group in the console. */
    'delete-group-membership'(d) {
      const s = identityStoreOf(d.world);
      if (!s) throw d.error('Identity Center is not enabled');
      const u = s.users[d.params.user] ?? findUserByName(d.world, String(d.params.user));
      const g = s.groups[d.params.group] ?? findGroupByName(d.world, String(d.params.group));
      if (!u || !g) throw d.error(`no user ${d.params.user} or group ${d.params.group} in the identity store`);
      const n = removeMemberships(s, (m) => m.UserId === u.UserId && m.GroupId === g.GroupId);
      if (n === 0) throw d.error(`${u.UserName} is not a member of ${g.DisplayName}`);
      return { user: u.UserName, group: g.DisplayName };
    },
    /** `{user}` (name or ID): someone deleted the user (and so its memberships). */
    'delete-user'(d) {
      const s = identityStoreOf(d.world);
      if (!s) throw d.error('Identity Center is not enabled');
      const u = s.users[d.params.user] ?? findUserByName(d.world, String(d.params.user));
      if (!u) throw d.error(`no user ${d.params.user} in the identity store`);
      delete s.users[u.UserId];
      removeMemberships(s, (m) => m.UserId === u.UserId);
      return { userId: u.UserId };
    },
    /** `{group}` (name or ID): someone deleted the group (and its memberships). */
    'delete-group'(d) {
      const s = identityStoreOf(d.world);
      if (!s) throw d.error('Identity Center is not enabled');
      const g = s.groups[d.params.group] ?? findGroupByName(d.world, String(d.params.group));
      if (!g) throw d.error(`no group ${d.params.group} in the identity store`);
      delete s.groups[g.GroupId];
      removeMemberships(s, (m) => m.GroupId === g.GroupId);
      return { groupId: g.GroupId };
    },
  },
};
