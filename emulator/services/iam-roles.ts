// IAM roles and users: what an attacker inside a member account would use (create a role,
// attach AdministratorAccess, change a trust policy, create a user with keys) and what the
// guardrail SCPs must stop. Merged into the `iam` module (iam.ts). Shapes and errors follow the
// IAM API reference (https://docs.aws.amazon.com/IAM/latest/APIReference/), e.g. CreateRole:
// EntityAlreadyExists 409, MalformedPolicyDocument 400; DeleteRole: DeleteConflict 409 while
// policies are attached; quotas from https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html.
// Trust policies are real documents: sts:AssumeRole evaluates them (roleTrusts).
import { AwsError } from '../errors.js';
import { PolicyError, asList, evaluate, statementsOf, type Requester } from '../policy.js';
import { requestContext } from '../scp.js';
import type { Caller, HandlerContext } from '../types.js';
import { bool, int, str, type Fail } from '../validate.js';
import type { RoleRecord, World } from '../world.js';
import { KNOWN_AWS_MANAGED_POLICIES } from './sso-admin.js';

type Ctx = HandlerContext<Record<string, any>>;

const fail: Fail = (_f, _p, message) => {
  throw new AwsError('ValidationError', message, { status: 400 });
};
const noSuchEntity = (message: string) => new AwsError('NoSuchEntity', message, { status: 404 });
const exists = (message: string) => new AwsError('EntityAlreadyExists', message, { status: 409 });
const limit = (message: string) => new AwsError('LimitExceeded', message, { status: 409 });
const malformed = (message = 'Syntax errors in policy.') =>
  new AwsError('MalformedPolicyDocument', message, { status: 400 });

const NAME = /^[\w+=,.@-]+$/;
const PATH = /^(\/|\/[\x21-\x7e]+\/)$/;
/** IAM quotas: 10 managed policies per role (default), 2 access keys per user. */
const MAX_MANAGED_PER_ROLE = 10;
const MAX_KEYS_PER_USER = 2;

/** Policy documents IAM accepts: JSON with a Statement of Effect/Action; trust policies need a Principal. */
function checkDocument(text: string, opts: { trust: boolean }): void {
  let statements;
  try {
    statements = statementsOf(text);
  } catch (e) {
    if (e instanceof PolicyError) throw malformed();
    throw e;
  }
  if (!statements.length) throw malformed('Syntax errors in policy.');
  for (const s of statements) {
    if (s.Action === undefined && s.NotAction === undefined) throw malformed('Policy statement must contain actions.');
    if (opts.trust && s.Principal === undefined && s.NotPrincipal === undefined)
      throw malformed('AssumeRolepolicy contained an invalid principal element.');
    if (!opts.trust && (s.Principal !== undefined || s.NotPrincipal !== undefined))
      throw malformed('Policy document should not specify a principal.');
  }
}

/** A trust policy's AWS principals must exist: IAM refuses a role or user ARN it cannot find. */
function checkPrincipals(world: World, text: string): void {
  for (const s of statementsOf(text)) {
    const p = s.Principal;
    if (!p || p === '*' || typeof p !== 'object') continue;
    for (const a of asList(p.AWS)) {
      const m = /^arn:aws:iam::(\d{12}):(role|user)\/(?:.*\/)?([\w+=,.@-]+)$/.exec(a);
      if (!m) continue;
      const acct = world.account(m[1]!);
      const found = m[2] === 'role' ? acct?.roles[m[3]!] : acct?.users[m[3]!];
      if (!found) throw malformed(`Invalid principal in policy: "AWS":"${a}"`);
    }
  }
}

/** The ARNs naming a caller, as a trust policy's Principal can list them. */
function requesterOf(world: World, caller: Caller): Requester {
  const p = caller.principal;
  const arns = [caller.arn];
  if (p.type === 'assumed-role')
    arns.push(world.account(p.accountId)?.roles[p.roleName]?.arn ?? `arn:aws:iam::${p.accountId}:role/${p.roleName}`);
  return { accountId: caller.accountId, arns };
}

/**
 * Whether a role's trust policy lets the caller assume it (sts:AssumeRole). Identity policies
 * of the caller are not evaluated (the emulator's rule: every identity may do what SCPs allow).
 */
export function roleTrusts(world: World, role: RoleRecord, caller: Caller, region: string): boolean {
  const d = evaluate(role.trustPolicy, {
    action: 'sts:AssumeRole',
    resource: role.arn,
    context: requestContext(world, caller, region),
    requester: requesterOf(world, caller),
  });
  return d.effect === 'Allow';
}

function roleOf(ctx: Ctx): RoleRecord {
  const name = str(ctx.input, 'RoleName', { required: true, min: 1, max: 64, pattern: NAME }, fail)!;
  const role = ctx.world.account(ctx.caller.accountId)!.roles[name];
  if (!role) throw noSuchEntity(`The role with name ${name} cannot be found.`);
  return role;
}

function roleOut(r: RoleRecord) {
  return {
    Path: r.path ?? (r.arn.split(':role')[1]!.replace(new RegExp(`${r.roleName}$`), '') || '/'),
    RoleName: r.roleName,
    RoleId: r.roleId,
    Arn: r.arn,
    CreateDate: r.createdAt,
    // IAM returns policy documents URL-encoded.
    AssumeRolePolicyDocument: encodeURIComponent(r.trustPolicy),
    Description: r.description,
    MaxSessionDuration: 3600,
    ...(r.permissionsBoundary
      ? { PermissionsBoundary: { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: r.permissionsBoundary } }
      : {}),
    Tags: Object.entries(r.tags ?? {}).map(([Key, Value]) => ({ Key, Value })),
  };
}

function tagsIn(ctx: Ctx): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of (ctx.input.Tags ?? []) as { Key?: string; Value?: string }[]) {
    if (!t?.Key) fail('Tags', 'required', 'Tag keys must not be empty');
    out[t.Key!] = String(t.Value ?? '');
  }
  if (Object.keys(out).length > 50) throw limit('Cannot exceed quota for TagsPerRole: 50');
  return out;
}

/** An attachable managed policy: an AWS managed policy IAM has, or a customer policy ARN of this account. */
function checkPolicyArn(ctx: Ctx, arn: string): void {
  const own = new RegExp(`^arn:aws:iam::${ctx.caller.accountId}:policy/`);
  if (!KNOWN_AWS_MANAGED_POLICIES.includes(arn) && !own.test(arn))
    throw noSuchEntity(`Policy ${arn} does not exist or is not attachable.`);
}

function policyName(ctx: Ctx): string {
  return str(ctx.input, 'PolicyName', { required: true, min: 1, max: 128, pattern: NAME }, fail)!;
}

function page<T>(ctx: Ctx, items: T[]) {
  const max = int(ctx.input, 'MaxItems', { min: 1, max: 1000 }, fail);
  const p = ctx.paginate(items, str(ctx.input, 'Marker', { min: 1, max: 320 }, fail), max);
  return { items: p.items, more: p.nextToken ? { IsTruncated: true, Marker: p.nextToken } : { IsTruncated: false } };
}

/**
 * Service-linked roles the emulator knows: service principal → role name and the AWS managed
 * policy IAM attaches (https://docs.aws.amazon.com/IAM/latest/UserGuide/using-service-linked-roles.html;
 * Config: https://docs.aws.amazon.com/config/latest/developerguide/using-service-linked-roles-config.html).
 */
export const SERVICE_LINKED_ROLES: Record<string, { roleName: string; policy: string }> = {
  'config.amazonaws.com': {
    roleName: 'AWSServiceRoleForConfig',
    policy: 'arn:aws:iam::aws:policy/aws-service-role/AWSConfigServiceRolePolicy',
  },
  'securityhub.amazonaws.com': {
    roleName: 'AWSServiceRoleForSecurityHub',
    policy: 'arn:aws:iam::aws:policy/aws-service-role/AWSSecurityHubServiceRolePolicy',
  },
};

/** The ARN of a service's service-linked role in an account (path /aws-service-role/<service>/). */
export const serviceLinkedRoleArn = (accountId: string, service: string): string =>
  `arn:aws:iam::${accountId}:role/aws-service-role/${service}/${SERVICE_LINKED_ROLES[service]!.roleName}`;

/** Creates a known service's service-linked role (callers check that it does not exist yet). */
export function addServiceLinkedRole(
  world: World,
  accountId: string,
  service: string,
  description?: string,
): RoleRecord {
  const slr = SERVICE_LINKED_ROLES[service]!;
  const role = world.addRole(accountId, slr.roleName, []);
  role.path = `/aws-service-role/${service}/`;
  role.arn = serviceLinkedRoleArn(accountId, service);
  role.trustPolicy = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }],
  });
  role.attachedPolicies = [slr.policy];
  role.inlinePolicies = {};
  if (description) role.description = description;
  return role;
}

export const ROLE_OPERATIONS: Record<string, (ctx: Ctx) => unknown> = {
  // https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateServiceLinkedRole.html: a role
  // that already exists is InvalidInput ("Service role name … has been taken in this account").
  CreateServiceLinkedRole(ctx) {
    const service = str(
      ctx.input,
      'AWSServiceName',
      { required: true, min: 1, max: 128, pattern: /^[\w+=,.@-]+$/ },
      fail,
    )!;
    const description = str(ctx.input, 'Description', { max: 1000 }, fail);
    if (ctx.input.CustomSuffix !== undefined)
      throw new AwsError('InvalidInput', `Custom suffix is not allowed for ${service}`, { status: 400 });
    const slr = SERVICE_LINKED_ROLES[service];
    if (!slr)
      throw new AwsError('InvalidInput', `Service ${service} does not support service-linked roles (not emulated)`, {
        status: 400,
      });
    const acct = ctx.world.account(ctx.caller.accountId)!;
    if (acct.roles[slr.roleName])
      throw new AwsError(
        'InvalidInput',
        `Service role name ${slr.roleName} has been taken in this account, please try a different suffix.`,
        { status: 400 },
      );
    return { Role: roleOut(addServiceLinkedRole(ctx.world, ctx.caller.accountId, service, description)) };
  },

  CreateRole(ctx) {
    const name = str(ctx.input, 'RoleName', { required: true, min: 1, max: 64, pattern: NAME }, fail)!;
    const path = str(ctx.input, 'Path', { min: 1, max: 512, pattern: PATH }, fail) ?? '/';
    const doc = str(ctx.input, 'AssumeRolePolicyDocument', { required: true, min: 1, max: 131072 }, fail)!;
    const description = str(ctx.input, 'Description', { max: 1000 }, fail);
    int(ctx.input, 'MaxSessionDuration', { min: 3600, max: 43200 }, fail);
    const boundary = str(ctx.input, 'PermissionsBoundary', { min: 20, max: 2048 }, fail);
    const tags = tagsIn(ctx);
    const acct = ctx.world.account(ctx.caller.accountId)!;
    // Role names are unique per account, case-insensitively.
    if (Object.keys(acct.roles).some((r) => r.toLowerCase() === name.toLowerCase()))
      throw exists(`Role with name ${name} already exists.`);
    checkDocument(doc, { trust: true });
    checkPrincipals(ctx.world, doc);
    if (boundary) checkPolicyArn(ctx, boundary);
    const role = ctx.world.addRole(ctx.caller.accountId, name, []);
    role.arn = `arn:aws:iam::${ctx.caller.accountId}:role${path}${name}`;
    role.path = path;
    role.trustPolicy = doc;
    role.inlinePolicies = {};
    if (description !== undefined) role.description = description;
    if (boundary) role.permissionsBoundary = boundary;
    if (Object.keys(tags).length) role.tags = tags;
    return { Role: roleOut(role) };
  },

  GetRole(ctx) {
    return { Role: roleOut(roleOf(ctx)) };
  },

  ListRoles(ctx) {
    const prefix = str(ctx.input, 'PathPrefix', { min: 1, max: 512 }, fail) ?? '/';
    const roles = Object.values(ctx.world.account(ctx.caller.accountId)!.roles)
      .filter((r) => (r.path ?? '/').startsWith(prefix) || r.arn.includes(`:role${prefix}`))
      .sort((a, b) => a.roleName.localeCompare(b.roleName));
    const p = page(ctx, roles.map(roleOut));
    return { Roles: p.items, ...p.more };
  },

  DeleteRole(ctx) {
    const role = roleOf(ctx);
    if (role.attachedPolicies?.length)
      throw new AwsError('DeleteConflict', 'Cannot delete entity, must detach all policies first.', { status: 409 });
    if (Object.keys(role.inlinePolicies ?? {}).length)
      throw new AwsError('DeleteConflict', 'Cannot delete entity, must delete policies first.', { status: 409 });
    delete ctx.world.account(ctx.caller.accountId)!.roles[role.roleName];
    return undefined;
  },

  UpdateAssumeRolePolicy(ctx) {
    const role = roleOf(ctx);
    const doc = str(ctx.input, 'PolicyDocument', { required: true, min: 1, max: 131072 }, fail)!;
    checkDocument(doc, { trust: true });
    checkPrincipals(ctx.world, doc);
    role.trustPolicy = doc;
    return undefined;
  },

  UpdateRole(ctx) {
    const role = roleOf(ctx);
    const description = str(ctx.input, 'Description', { max: 1000 }, fail);
    int(ctx.input, 'MaxSessionDuration', { min: 3600, max: 43200 }, fail);
    if (description !== undefined) role.description = description;
    return undefined;
  },

  AttachRolePolicy(ctx) {
    const role = roleOf(ctx);
    const arn = str(ctx.input, 'PolicyArn', { required: true, min: 20, max: 2048 }, fail)!;
    checkPolicyArn(ctx, arn);
    const list = (role.attachedPolicies ??= []);
    if (list.includes(arn)) return undefined; // attaching twice is a no-op in IAM
    if (list.length >= MAX_MANAGED_PER_ROLE)
      throw limit(`Cannot exceed quota for PoliciesPerRole: ${MAX_MANAGED_PER_ROLE}`);
    list.push(arn);
    return undefined;
  },

  DetachRolePolicy(ctx) {
    const role = roleOf(ctx);
    const arn = str(ctx.input, 'PolicyArn', { required: true, min: 20, max: 2048 }, fail)!;
    if (!role.attachedPolicies?.includes(arn)) throw noSuchEntity(`Policy ${arn} was not found.`);
    role.attachedPolicies = role.attachedPolicies.filter((p) => p !== arn);
    return undefined;
  },

  ListAttachedRolePolicies(ctx) {
    const role = roleOf(ctx);
    const p = page(
      ctx,
      (role.attachedPolicies ?? []).map((arn) => ({ PolicyArn: arn, PolicyName: arn.split('/').pop() })),
    );
    return { AttachedPolicies: p.items, ...p.more };
  },

  PutRolePolicy(ctx) {
    const role = roleOf(ctx);
    const name = policyName(ctx);
    const doc = str(ctx.input, 'PolicyDocument', { required: true, min: 1, max: 131072 }, fail)!;
    checkDocument(doc, { trust: false });
    // Inline role policies share a 10,240-character quota (whitespace not counted).
    const size = Object.entries({ ...role.inlinePolicies, [name]: doc }).reduce(
      (n, [, d]) => n + d.replace(/\s/g, '').length,
      0,
    );
    if (size > 10240) throw limit('Maximum policy size of 10240 bytes exceeded for role ' + role.roleName);
    (role.inlinePolicies ??= {})[name] = doc;
    return undefined;
  },

  GetRolePolicy(ctx) {
    const role = roleOf(ctx);
    const name = policyName(ctx);
    const doc = role.inlinePolicies?.[name];
    if (doc === undefined) throw noSuchEntity(`The role policy with name ${name} cannot be found.`);
    return { RoleName: role.roleName, PolicyName: name, PolicyDocument: encodeURIComponent(doc) };
  },

  DeleteRolePolicy(ctx) {
    const role = roleOf(ctx);
    const name = policyName(ctx);
    if (role.inlinePolicies?.[name] === undefined)
      throw noSuchEntity(`The role policy with name ${name} cannot be found.`);
    delete role.inlinePolicies[name];
    return undefined;
  },

  ListRolePolicies(ctx) {
    const role = roleOf(ctx);
    const p = page(ctx, Object.keys(role.inlinePolicies ?? {}).sort());
    return { PolicyNames: p.items, ...p.more };
  },

  PutRolePermissionsBoundary(ctx) {
    const role = roleOf(ctx);
    const arn = str(ctx.input, 'PermissionsBoundary', { required: true, min: 20, max: 2048 }, fail)!;
    checkPolicyArn(ctx, arn);
    role.permissionsBoundary = arn;
    return undefined;
  },

  DeleteRolePermissionsBoundary(ctx) {
    const role = roleOf(ctx);
    if (!role.permissionsBoundary)
      throw noSuchEntity(`The role with name ${role.roleName} has no permissions boundary.`);
    delete role.permissionsBoundary;
    return undefined;
  },

  TagRole(ctx) {
    const role = roleOf(ctx);
    role.tags = { ...role.tags, ...tagsIn(ctx) };
    return undefined;
  },

  UntagRole(ctx) {
    const role = roleOf(ctx);
    for (const k of (ctx.input.TagKeys ?? []) as string[]) delete role.tags?.[k];
    return undefined;
  },

  // ---- users and their long-term credentials ----------------------------------------

  CreateUser(ctx) {
    const name = str(ctx.input, 'UserName', { required: true, min: 1, max: 64, pattern: NAME }, fail)!;
    str(ctx.input, 'Path', { min: 1, max: 512, pattern: PATH }, fail);
    const acct = ctx.world.account(ctx.caller.accountId)!;
    if (Object.keys(acct.users).some((u) => u.toLowerCase() === name.toLowerCase()))
      throw exists(`User with name ${name} already exists.`);
    const u = ctx.world.addUser(ctx.caller.accountId, name);
    return { User: { Path: '/', UserName: u.userName, UserId: u.userId, Arn: u.arn, CreateDate: u.createdAt } };
  },

  GetUser(ctx) {
    const name = str(ctx.input, 'UserName', { min: 1, max: 128, pattern: NAME }, fail);
    const acct = ctx.world.account(ctx.caller.accountId)!;
    const p = ctx.caller.principal;
    const u = name !== undefined ? acct.users[name] : p.type === 'user' ? acct.users[p.userName] : undefined;
    if (!u) {
      if (name === undefined)
        throw new AwsError('ValidationError', 'Must specify userName when calling with non-User credentials', {
          status: 400,
        });
      throw noSuchEntity(`The user with name ${name} cannot be found.`);
    }
    return { User: { Path: '/', UserName: u.userName, UserId: u.userId, Arn: u.arn, CreateDate: u.createdAt } };
  },

  /** A working key: the emulator resolves it to the user, as AWS does. */
  CreateAccessKey(ctx) {
    const name = str(ctx.input, 'UserName', { min: 1, max: 128, pattern: NAME }, fail);
    const acct = ctx.world.account(ctx.caller.accountId)!;
    const p = ctx.caller.principal;
    const userName = name ?? (p.type === 'user' ? p.userName : undefined);
    if (userName === undefined)
      throw new AwsError('ValidationError', 'Must specify userName when calling with non-User credentials', {
        status: 400,
      });
    const u = acct.users[userName];
    if (!u) throw noSuchEntity(`The user with name ${userName} cannot be found.`);
    if (u.accessKeys.length >= MAX_KEYS_PER_USER)
      throw limit(`Cannot exceed quota for AccessKeysPerUser: ${MAX_KEYS_PER_USER}`);
    const accessKeyId = 'AKIA' + ctx.world.id('user-key', 16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567');
    const secret = ctx.world.id('user-secret', 40, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789');
    const createdAt = new Date();
    u.accessKeys.push({ accessKeyId, status: 'Active', createdAt });
    ctx.world.addCredentials({
      accessKeyId,
      secretAccessKey: secret,
      accountId: ctx.caller.accountId,
      principal: { type: 'user', accountId: ctx.caller.accountId, userName: u.userName, userId: u.userId },
    });
    return {
      AccessKey: {
        UserName: u.userName,
        AccessKeyId: accessKeyId,
        Status: 'Active',
        SecretAccessKey: secret,
        CreateDate: createdAt,
      },
    };
  },

  CreateLoginProfile(ctx) {
    const name = str(ctx.input, 'UserName', { min: 1, max: 64, pattern: NAME }, fail);
    const password = str(ctx.input, 'Password', { min: 1, max: 128 }, fail);
    bool(ctx.input, 'PasswordResetRequired', fail);
    const acct = ctx.world.account(ctx.caller.accountId)!;
    const p = ctx.caller.principal;
    // No UserName from a root session (IAMCreateRootUserPassword): the root user's password.
    const target =
      name !== undefined
        ? acct.users[name]
        : p.type === 'root' || p.type === 'root-session'
          ? acct.root
          : p.type === 'user'
            ? acct.users[p.userName]
            : undefined;
    if (!target) {
      if (name === undefined)
        throw new AwsError('ValidationError', 'Must specify userName when calling with non-User credentials', {
          status: 400,
        });
      throw noSuchEntity(`The user with name ${name} cannot be found.`);
    }
    if (target.passwordSetAt) throw exists(`Login Profile for user ${name ?? 'root'} already exists.`);
    if (password === undefined && name !== undefined)
      throw new AwsError('ValidationError', 'Password is required for an IAM user login profile', { status: 400 });
    target.passwordSetAt = new Date();
    return { LoginProfile: { UserName: name, CreateDate: target.passwordSetAt, PasswordResetRequired: false } };
  },
};
