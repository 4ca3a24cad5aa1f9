// The IAM Identity Center *portal* API (client-sso: restJson1, signing name `awsssoportal`)
// that the SDK's `fromSSO` credential provider calls, and the OIDC token refresh
// (client-sso-oidc: `CreateToken` with a refresh token) that `aws sso login` caches enable.
// Neither is SigV4-signed: the portal takes the access token in `x-amz-sso_bearer_token`,
// OIDC takes client credentials in the body. The emulator routes them by path
// (`unsigned.matches`) when a request carries no SigV4 credential scope.
//
// Tokens come from the console action `ssoLogin(world, userName)` (what a person's browser
// sign-in at the start URL yields). GetRoleCredentials hands out a role session in the
// account when the token's user is assigned (directly or through a group) to a permission set
// named `role_name` there and that set is provisioned in the account; the session is the
// assumed-role principal `AWSReservedSSO_<Name>_<hex>/<userName>`, so from the management
// account it can AssumeRole into members (OrganizationAccountAccessRole trusts it).
import { randomBytes } from 'node:crypto';
import { AwsError } from '../errors.js';
import type { Caller, HandlerContext, RawRequest, ServiceModule } from '../types.js';
import type { World } from '../world.js';
import { groupIdsOfUser, identityStoreOf, type IdsUser } from './identitystore.js';
import { durationSeconds, ssoAdminStoreOf, type SsoAdminStore } from './sso-admin.js';

/** An SSO access token as `aws sso login` caches it. */
export interface SsoLogin {
  accessToken: string;
  /** ISO-8601, seconds precision, `Z` (as the AWS CLI writes it). */
  expiresAt: string;
  startUrl: string;
  region: string;
  clientId: string;
  clientSecret: string;
  registrationExpiresAt: string;
  refreshToken: string;
}

interface TokenRecord {
  userId: string;
  region: string;
  expiresAtMs: number;
  clientId: string;
}
interface SsoSecrets {
  /** access token -> who it belongs to */
  tokens: Map<string, TokenRecord>;
  /** refresh token -> the access token it renews */
  refresh: Map<string, { userId: string; region: string; clientId: string; clientSecret: string }>;
}

/** Tokens are secrets: kept beside the world (not in it), so state dumps never show them. */
const secrets = new WeakMap<World, SsoSecrets>();
function secretsOf(world: World): SsoSecrets {
  let s = secrets.get(world);
  if (!s) secrets.set(world, (s = { tokens: new Map(), refresh: new Map() }));
  return s;
}

/** Identity Center's default session length for the access portal: 8 hours. */
export const PORTAL_SESSION_SECONDS = 8 * 3600;
const REGISTRATION_SECONDS = 90 * 86400;

const isoSeconds = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const token = (prefix: string) => prefix + randomBytes(48).toString('base64url');

export class SsoLoginError extends Error {}

/**
 * Sign a user in at the start URL (console action): returns what `aws sso login` caches.
 * The user must exist in the identity store; `region` must be the instance's region.
 */
export function ssoLogin(world: World, userName: string, region?: string): SsoLogin {
  const ic = world.identityCenter;
  if (!ic) throw new SsoLoginError('Identity Center is not enabled: there is no start URL to sign in at');
  if (region && region !== ic.region)
    throw new SsoLoginError(`the Identity Center instance is in ${ic.region}, not ${region}`);
  const store = identityStoreOf(world)!;
  const user = Object.values(store.users).find((u) => u.UserName.toLowerCase() === userName.toLowerCase());
  if (!user) throw new SsoLoginError(`no user ${userName} in the identity store ${store.identityStoreId}`);
  if (user.UserStatus !== 'ENABLED') throw new SsoLoginError(`user ${userName} is disabled`);
  const now = Date.now();
  const clientId = token('client-');
  const clientSecret = token('secret-');
  const accessToken = token('aoa');
  const refreshToken = token('aor');
  const s = secretsOf(world);
  s.tokens.set(accessToken, {
    userId: user.UserId,
    region: ic.region,
    expiresAtMs: now + PORTAL_SESSION_SECONDS * 1000,
    clientId,
  });
  s.refresh.set(refreshToken, { userId: user.UserId, region: ic.region, clientId, clientSecret });
  return {
    accessToken,
    expiresAt: isoSeconds(now + PORTAL_SESSION_SECONDS * 1000),
    startUrl: startUrlOf(world)!,
    region: ic.region,
    clientId,
    clientSecret,
    registrationExpiresAt: isoSeconds(now + REGISTRATION_SECONDS * 1000),
    refreshToken,
  };
}

/** Expire every portal token of the world now (tests: "the SSO session has expired"). */
export function expireSsoTokens(world: World): void {
  for (const t of secretsOf(world).tokens.values()) t.expiresAtMs = 0;
}

export function startUrlOf(world: World): string | undefined {
  const ic = world.identityCenter;
  return ic ? `https://${ic.identityStoreId}.awsapps.com/start` : undefined;
}

// ---- portal ---------------------------------------------------------------------------

type Ctx = HandlerContext<Record<string, any>>;

const unauthorized = () => new AwsError('UnauthorizedException', 'Session token not found or invalid', { status: 401 });
const forbidden = () => new AwsError('ForbiddenException', 'No access', { status: 403 });
const invalid = (message: string) => new AwsError('InvalidRequestException', message, { status: 400 });

function header(req: RawRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The user behind the bearer token (401 when missing, unknown, expired or the user is gone). */
function userOf(ctx: Ctx): IdsUser {
  const t = header(ctx.req, 'x-amz-sso_bearer_token');
  const rec = t ? secretsOf(ctx.world).tokens.get(t) : undefined;
  if (!rec || rec.expiresAtMs <= Date.now()) throw unauthorized();
  const user = identityStoreOf(ctx.world)?.users[rec.userId];
  if (!user || user.UserStatus !== 'ENABLED') throw unauthorized();
  return user;
}

/** Permission sets (by ARN) the user reaches in an account, directly or through its groups. */
function reachable(world: World, s: SsoAdminStore, user: IdsUser, accountId: string): string[] {
  const groups = new Set(groupIdsOfUser(world, user.UserId));
  const arns = s.assignments
    .filter(
      (a) =>
        a.accountId === accountId &&
        ((a.principalType === 'USER' && a.principalId === user.UserId) ||
          (a.principalType === 'GROUP' && groups.has(a.principalId))),
    )
    .map((a) => a.permissionSetArn)
    // Only a provisioned set has a role to sign in to.
    .filter((arn) => s.provisioned[accountId]?.[arn] && s.permissionSets[arn]);
  return [...new Set(arns)];
}

function paged(ctx: Ctx, items: unknown[]) {
  const max = ctx.input.max_result;
  if (max !== undefined && (!/^\d+$/.test(String(max)) || Number(max) < 1 || Number(max) > 100))
    throw invalid('max_result must be between 1 and 100');
  try {
    return ctx.paginate(items, ctx.input.next_token || undefined, max);
  } catch {
    throw invalid('Invalid next token');
  }
}

export const sso: ServiceModule = {
  name: 'sso',
  signingName: 'awsssoportal',
  protocol: 'restJson',
  errors: {
    throttling: { code: 'TooManyRequestsException', status: 429 },
    invalidToken: { code: 'InvalidRequestException', status: 400 },
    validation: { code: 'InvalidRequestException', status: 400 },
    unknownOperation: { code: 'ResourceNotFoundException', status: 404 },
  },
  unsigned: {
    matches: (req) =>
      !!header(req, 'x-amz-sso_bearer_token') ||
      (req.method === 'GET' && (req.path === '/federation/credentials' || req.path.startsWith('/assignment/'))) ||
      (req.method === 'POST' && req.path === '/logout'),
    authenticate: (req, world) => {
      // The portal knows its callers by token; the call log shows the user (or nobody).
      const t = header(req, 'x-amz-sso_bearer_token');
      const rec = t ? secretsOf(world).tokens.get(t) : undefined;
      const owner = world.identityCenter?.ownerAccountId ?? world.homeAccountId;
      const user = rec ? identityStoreOf(world)?.users[rec.userId] : undefined;
      return {
        region: rec?.region ?? world.identityCenter?.region ?? 'us-east-1',
        caller: anonymousCaller(owner, user),
      };
    },
  },
  route(req) {
    const q = Object.fromEntries(req.query);
    if (req.method === 'GET' && req.path === '/federation/credentials')
      return { operation: 'GetRoleCredentials', params: q };
    if (req.method === 'GET' && req.path === '/assignment/accounts') return { operation: 'ListAccounts', params: q };
    if (req.method === 'GET' && req.path === '/assignment/roles') return { operation: 'ListAccountRoles', params: q };
    if (req.method === 'POST' && req.path === '/logout') return { operation: 'Logout' };
    return undefined;
  },
  operations: {
    GetRoleCredentials: {
      // Hands out a session; changes no resource (like sts:AssumeRole).
      mutating: false,
      handler(ctx: Ctx) {
        const user = userOf(ctx);
        const accountId = String(ctx.input.account_id ?? '');
        const roleName = String(ctx.input.role_name ?? '');
        if (!accountId || !roleName) throw invalid('account_id and role_name are required');
        if (!/^\d{12}$/.test(accountId)) throw invalid(`Invalid account id: ${accountId}`);
        const s = ssoAdminStoreOf(ctx.world);
        if (!s) throw unauthorized();
        const arn = reachable(ctx.world, s, user, accountId).find((a) => s.permissionSets[a].name === roleName);
        if (!arn) throw forbidden();
        const provisioned = s.provisioned[accountId][arn];
        const role = ctx.world.account(accountId)?.roles[provisioned.roleName];
        if (!role) throw forbidden();
        const seconds = durationSeconds(provisioned.sessionDuration) ?? 3600;
        const creds = ctx.world.mintSession(
          { type: 'assumed-role', accountId, roleName: role.roleName, roleId: role.roleId, sessionName: user.UserName },
          seconds,
        );
        return {
          roleCredentials: {
            accessKeyId: creds.accessKeyId,
            secretAccessKey: creds.secretAccessKey,
            sessionToken: creds.sessionToken,
            expiration: creds.expiresAt,
          },
        };
      },
    },

    ListAccounts(ctx: Ctx) {
      const user = userOf(ctx);
      const s = ssoAdminStoreOf(ctx.world)!;
      const ids = [...new Set(s.assignments.map((a) => a.accountId))]
        .filter((id) => reachable(ctx.world, s, user, id).length > 0)
        .sort();
      const p = paged(ctx, ids);
      return {
        accountList: p.items.map((id) => ({
          accountId: id,
          accountName: ctx.world.account(id as string)?.name,
          emailAddress: ctx.world.account(id as string)?.email,
        })),
        nextToken: p.nextToken,
      };
    },

    ListAccountRoles(ctx: Ctx) {
      const user = userOf(ctx);
      const accountId = String(ctx.input.account_id ?? '');
      if (!/^\d{12}$/.test(accountId)) throw invalid(`Invalid account id: ${accountId}`);
      const s = ssoAdminStoreOf(ctx.world)!;
      const names = reachable(ctx.world, s, user, accountId)
        .map((arn) => s.permissionSets[arn].name)
        .sort();
      const p = paged(ctx, names);
      return { roleList: p.items.map((roleName) => ({ roleName, accountId })), nextToken: p.nextToken };
    },

    Logout(ctx: Ctx) {
      const t = header(ctx.req, 'x-amz-sso_bearer_token');
      if (!t || !secretsOf(ctx.world).tokens.delete(t)) throw unauthorized();
      return undefined;
    },
  },
};

function anonymousCaller(accountId: string, user: IdsUser | undefined): Caller {
  return {
    accountId,
    principal: {
      type: 'user',
      accountId,
      userName: user?.UserName ?? 'anonymous',
      userId: user?.UserId ?? 'anonymous',
    },
    arn: user ? `arn:aws:identitystore::${accountId}:user/${user.UserId}` : 'anonymous',
    accessKeyId: '',
  };
}

// ---- OIDC token refresh ---------------------------------------------------------------

const oidcError = (code: string, description: string, status = 400) =>
  new AwsError(code, description, {
    status,
    extra: {
      error: code
        .replace(/Exception$/, '')
        .replace(/^./, (c) => c.toLowerCase())
        .replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`),
      error_description: description,
    },
  });

/** client-sso-oidc `CreateToken` (POST /token), refresh_token grant only: what the SDK's token provider uses. */
export const ssoOidc: ServiceModule = {
  name: 'sso-oidc',
  signingName: 'sso-oauth',
  protocol: 'restJson',
  errors: { unknownOperation: { code: 'InvalidRequestException', status: 400 } },
  unsigned: {
    matches: (req) => req.method === 'POST' && req.path === '/token',
    authenticate: (_req, world) => ({
      region: world.identityCenter?.region ?? 'us-east-1',
      caller: anonymousCaller(world.identityCenter?.ownerAccountId ?? world.homeAccountId, undefined),
    }),
  },
  route(req) {
    return req.method === 'POST' && req.path === '/token' ? { operation: 'CreateToken' } : undefined;
  },
  operations: {
    CreateToken: {
      mutating: false,
      handler(ctx: Ctx) {
        const { clientId, clientSecret, grantType, refreshToken } = ctx.input as Record<string, string | undefined>;
        if (!clientId || !clientSecret || !grantType)
          throw oidcError('InvalidRequestException', 'clientId, clientSecret and grantType are required');
        if (grantType !== 'refresh_token')
          throw oidcError(
            'UnsupportedGrantTypeException',
            `The emulator only refreshes tokens (grantType ${grantType})`,
          );
        const s = secretsOf(ctx.world);
        const rec = refreshToken ? s.refresh.get(refreshToken) : undefined;
        if (!rec) throw oidcError('InvalidGrantException', 'Invalid refresh token provided');
        if (rec.clientId !== clientId || rec.clientSecret !== clientSecret)
          throw oidcError('InvalidClientException', 'Invalid client provided', 401);
        if (!identityStoreOf(ctx.world)?.users[rec.userId])
          throw oidcError('InvalidGrantException', 'The user no longer exists');
        s.refresh.delete(refreshToken!);
        const accessToken = token('aoa');
        const next = token('aor');
        s.tokens.set(accessToken, {
          userId: rec.userId,
          region: rec.region,
          expiresAtMs: Date.now() + PORTAL_SESSION_SECONDS * 1000,
          clientId,
        });
        s.refresh.set(next, rec);
        return { accessToken, tokenType: 'Bearer', expiresIn: PORTAL_SESSION_SECONDS, refreshToken: next };
      },
    },
  },
};
