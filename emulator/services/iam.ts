// AWS IAM (awsQuery, Version 2010-05-08): account summary, password policy, centralised
// root access features, and the member-root audit under an sts:AssumeRoot session.
// Wire codes drop the `Exception` suffix where the model says so (NoSuchEntity,
// ValidationError); the root-access errors keep it (their shapes have no awsQueryError code).
import { AwsError } from '../errors.js';
import type { HandlerContext, ServiceModule } from '../types.js';
import { bool, int, str, type Fail } from '../validate.js';
import { XmlMap } from '../xml.js';
import { ROLE_OPERATIONS } from './iam-roles.js';
import type { AccessKeyRecord, Organization, World } from '../world.js';

type Ctx = HandlerContext<Record<string, any>>;

export interface PasswordPolicy {
  MinimumPasswordLength: number;
  RequireSymbols: boolean;
  RequireNumbers: boolean;
  RequireUppercaseCharacters: boolean;
  RequireLowercaseCharacters: boolean;
  AllowUsersToChangePassword: boolean;
  MaxPasswordAge?: number;
  PasswordReusePrevention?: number;
  HardExpiry?: boolean;
}

interface IamStore {
  passwordPolicy: PasswordPolicy | null;
}

const ROOT_FEATURES = ['RootCredentialsManagement', 'RootSessions'] as const;

const fail: Fail = (_f, _p, message) => {
  throw new AwsError('ValidationError', message, { status: 400 });
};
const noSuchEntity = (message: string) => new AwsError('NoSuchEntity', message, { status: 404 });

function iamStore(world: World, accountId: string): IamStore {
  return world.store<IamStore>(accountId, 'iam', () => ({ passwordPolicy: null }));
}

/** Read/delete operations a root session may run, by task policy. */
const ROOT_TASKS: Record<string, string[]> = {
  IAMAuditRootUserCredentials: [
    'GetLoginProfile',
    'ListAccessKeys',
    'ListMFADevices',
    'ListSigningCertificates',
    'GetAccessKeyLastUsed',
    'GetUser',
  ],
  IAMDeleteRootUserCredentials: [
    'GetLoginProfile',
    'ListAccessKeys',
    'ListMFADevices',
    'ListSigningCertificates',
    'GetAccessKeyLastUsed',
    'GetUser',
    'DeleteLoginProfile',
    'DeleteAccessKey',
    'DeactivateMFADevice',
    'DeleteVirtualMFADevice',
    'DeleteSigningCertificate',
  ],
  IAMCreateRootUserPassword: ['GetLoginProfile', 'CreateLoginProfile'],
};

/** Root sessions (sts:AssumeRoot) may only do what their task policy allows. */
function checkRootSession(ctx: Ctx): void {
  const p = ctx.caller.principal;
  if (p.type !== 'root-session') return;
  const task = p.taskPolicyArn.split('/').pop()!;
  if (!ROOT_TASKS[task]?.includes(ctx.operation)) throw ctx.accessDenied();
}

/**
 * Whose credentials an op with an optional UserName targets: the named IAM user, or
 * (no UserName) the caller — the root user when called as root or in a root session.
 */
function subject(ctx: Ctx): { kind: 'root' } | { kind: 'user'; name: string } {
  checkRootSession(ctx);
  const name = str(ctx.input, 'UserName', { min: 1, max: 128, pattern: /^[\w+=,.@-]+$/ }, fail);
  const acct = ctx.world.account(ctx.caller.accountId)!;
  if (name !== undefined) {
    if (!acct.users[name]) throw noSuchEntity(`The user with name ${name} cannot be found.`);
    return { kind: 'user', name };
  }
  const p = ctx.caller.principal;
  if (p.type === 'root' || p.type === 'root-session') return { kind: 'root' };
  if (p.type === 'user') return { kind: 'user', name: p.userName };
  throw new AwsError('ValidationError', 'Must specify userName when calling with non-User credentials', {
    status: 400,
  });
}

/** Every operation checks the root-session task policy first (not only those with a subject). */
function rootSessionsLimited(ops: Record<string, (ctx: Ctx) => unknown>): Record<string, (ctx: Ctx) => unknown> {
  return Object.fromEntries(
    Object.entries(ops).map(([name, handler]) => [
      name,
      (ctx: Ctx) => {
        checkRootSession(ctx);
        return handler(ctx);
      },
    ]),
  );
}

function credsOf(ctx: Ctx, s: ReturnType<typeof subject>) {
  const acct = ctx.world.account(ctx.caller.accountId)!;
  return s.kind === 'root' ? acct.root : acct.users[s.name];
}

/** The org for the root-access feature calls, with IAM's own error codes. */
function featureOrg(ctx: Ctx, opts: { enabling: boolean }): Organization {
  const org = ctx.world.orgOf(ctx.caller.accountId);
  if (!org)
    throw new AwsError(
      'OrganizationNotFoundException',
      'The request failed because AWS Organizations is not enabled for this account.',
      { status: 400 },
    );
  if (org.featureSet !== 'ALL') {
    throw new AwsError(
      'OrganizationNotInAllFeaturesModeException',
      'The request failed because your organization does not have all features enabled.',
      { status: 400 },
    );
  }
  if (org.managementAccountId !== ctx.caller.accountId) {
    throw opts.enabling
      ? new AwsError(
          'CallerIsNotManagementAccountException',
          'The request was rejected because the account making the request is not the management account for the organization.',
          { status: 400 },
        )
      : new AwsError(
          'AccountNotManagementOrDelegatedAdministratorException',
          'The request was rejected because the account making the request is not the management account or a delegated administrator account for centralized root access.',
          { status: 400 },
        );
  }
  if (!('iam.amazonaws.com' in org.serviceAccess)) {
    throw new AwsError(
      'ServiceAccessNotEnabledException',
      'The request failed because trusted access is not enabled for IAM in AWS Organizations.',
      { status: 400 },
    );
  }
  return org;
}

function featuresOut(org: Organization) {
  return { OrganizationId: org.id, EnabledFeatures: ROOT_FEATURES.filter((f) => org.iamFeatures.includes(f)) };
}

function enableFeature(feature: (typeof ROOT_FEATURES)[number]) {
  return (ctx: Ctx) => {
    const org = featureOrg(ctx, { enabling: true });
    if (!org.iamFeatures.includes(feature)) {
      org.iamFeatures.push(feature);
      ctx.world.created(`iam-feature:${org.id}:${feature}`);
    }
    return featuresOut(org);
  };
}

function disableFeature(feature: (typeof ROOT_FEATURES)[number]) {
  return (ctx: Ctx) => {
    const org = featureOrg(ctx, { enabling: true });
    org.iamFeatures = org.iamFeatures.filter((f) => f !== feature);
    return featuresOut(org);
  };
}

/** IAM pages with Marker/MaxItems and says IsTruncated (not NextToken). */
function markerPage<T>(ctx: Ctx, items: T[]): { items: T[]; more: { IsTruncated: boolean; Marker?: string } } {
  const max = int(ctx.input, 'MaxItems', { min: 1, max: 1000 }, fail);
  const p = ctx.paginate(items, str(ctx.input, 'Marker', { min: 1, max: 320 }, fail), max);
  return { items: p.items, more: p.nextToken ? { IsTruncated: true, Marker: p.nextToken } : { IsTruncated: false } };
}

function policyOut(p: PasswordPolicy) {
  return {
    MinimumPasswordLength: p.MinimumPasswordLength,
    RequireSymbols: p.RequireSymbols,
    RequireNumbers: p.RequireNumbers,
    RequireUppercaseCharacters: p.RequireUppercaseCharacters,
    RequireLowercaseCharacters: p.RequireLowercaseCharacters,
    AllowUsersToChangePassword: p.AllowUsersToChangePassword,
    ExpirePasswords: (p.MaxPasswordAge ?? 0) > 0,
    MaxPasswordAge: p.MaxPasswordAge,
    PasswordReusePrevention: p.PasswordReusePrevention,
    HardExpiry: p.HardExpiry,
  };
}

function keyOut(k: AccessKeyRecord, userName?: string) {
  return { UserName: userName, AccessKeyId: k.accessKeyId, Status: k.status, CreateDate: k.createdAt };
}

export const iam: ServiceModule = {
  name: 'iam',
  signingName: 'iam',
  protocol: 'query',
  xmlNamespace: 'https://iam.amazonaws.com/doc/2010-05-08/',
  errors: { internal: { code: 'ServiceFailure', status: 500 } },
  operations: rootSessionsLimited({
    GetAccountSummary(ctx: Ctx) {
      const acct = ctx.world.account(ctx.caller.accountId)!;
      const users = Object.values(acct.users);
      const mfa = acct.root.mfaSerials.length + users.reduce((n, u) => n + u.mfaSerials.length, 0);
      return {
        SummaryMap: new XmlMap({
          AccessKeysPerUserQuota: 2,
          AccountAccessKeysPresent: acct.root.accessKeys.length > 0 ? 1 : 0,
          AccountMFAEnabled: acct.root.mfaSerials.length > 0 ? 1 : 0,
          AccountPasswordPresent: acct.root.passwordSetAt ? 1 : 0,
          AccountSigningCertificatesPresent: 0,
          AttachedPoliciesPerGroupQuota: 10,
          AttachedPoliciesPerRoleQuota: 10,
          AttachedPoliciesPerUserQuota: 10,
          GlobalEndpointTokenVersion: 1,
          GroupPolicySizeQuota: 5120,
          Groups: 0,
          GroupsPerUserQuota: 10,
          GroupsQuota: 300,
          MFADevices: mfa,
          MFADevicesInUse: mfa,
          Policies: 0,
          PoliciesQuota: 1500,
          PolicySizeQuota: 6144,
          PolicyVersionsInUse: 0,
          PolicyVersionsInUseQuota: 10000,
          Providers: 0,
          RolePolicySizeQuota: 10240,
          Roles: Object.keys(acct.roles).length,
          RolesQuota: 1000,
          ServerCertificates: 0,
          ServerCertificatesQuota: 20,
          SigningCertificatesPerUserQuota: 2,
          UserPolicySizeQuota: 2048,
          Users: users.length,
          UsersQuota: 5000,
          VersionsPerPolicyQuota: 5,
        }),
      };
    },

    GetAccountPasswordPolicy(ctx: Ctx) {
      const p = iamStore(ctx.world, ctx.caller.accountId).passwordPolicy;
      if (!p) throw noSuchEntity(`The Password Policy with domain name ${ctx.caller.accountId} cannot be found.`);
      return { PasswordPolicy: policyOut(p) };
    },

    // Replaces the whole policy: omitted fields go back to their defaults.
    UpdateAccountPasswordPolicy(ctx: Ctx) {
      const i = ctx.input;
      const policy: PasswordPolicy = {
        MinimumPasswordLength: int(i, 'MinimumPasswordLength', { min: 6, max: 128 }, fail) ?? 6,
        RequireSymbols: bool(i, 'RequireSymbols', fail) ?? false,
        RequireNumbers: bool(i, 'RequireNumbers', fail) ?? false,
        RequireUppercaseCharacters: bool(i, 'RequireUppercaseCharacters', fail) ?? false,
        RequireLowercaseCharacters: bool(i, 'RequireLowercaseCharacters', fail) ?? false,
        AllowUsersToChangePassword: bool(i, 'AllowUsersToChangePassword', fail) ?? false,
        MaxPasswordAge: int(i, 'MaxPasswordAge', { min: 1, max: 1095 }, fail),
        PasswordReusePrevention: int(i, 'PasswordReusePrevention', { min: 1, max: 24 }, fail),
        HardExpiry: bool(i, 'HardExpiry', fail),
      };
      iamStore(ctx.world, ctx.caller.accountId).passwordPolicy = policy;
      return undefined;
    },

    DeleteAccountPasswordPolicy(ctx: Ctx) {
      const store = iamStore(ctx.world, ctx.caller.accountId);
      if (!store.passwordPolicy) throw noSuchEntity(`The account policy with name PasswordPolicy cannot be found.`);
      store.passwordPolicy = null;
      return undefined;
    },

    ListOrganizationsFeatures(ctx: Ctx) {
      const org = featureOrg(ctx, { enabling: false });
      // IAM is eventually consistent (behaviours.ts): a feature enabled a moment ago may not show yet.
      const out = featuresOut(org);
      return {
        ...out,
        EnabledFeatures: out.EnabledFeatures.filter((f) => ctx.world.listed(`iam-feature:${org.id}:${f}`)),
      };
    },
    EnableOrganizationsRootCredentialsManagement: enableFeature('RootCredentialsManagement'),
    EnableOrganizationsRootSessions: enableFeature('RootSessions'),
    DisableOrganizationsRootCredentialsManagement: disableFeature('RootCredentialsManagement'),
    DisableOrganizationsRootSessions: disableFeature('RootSessions'),

    GetLoginProfile(ctx: Ctx) {
      const s = subject(ctx);
      const c = credsOf(ctx, s);
      const who = s.kind === 'root' ? 'root' : s.name;
      if (!c.passwordSetAt) throw noSuchEntity(`Login Profile for User ${who} cannot be found.`);
      return {
        LoginProfile: {
          UserName: s.kind === 'user' ? s.name : undefined,
          CreateDate: c.passwordSetAt,
          PasswordResetRequired: false,
        },
      };
    },

    DeleteLoginProfile(ctx: Ctx) {
      const s = subject(ctx);
      const c = credsOf(ctx, s);
      if (!c.passwordSetAt)
        throw noSuchEntity(`Login Profile for User ${s.kind === 'root' ? 'root' : s.name} cannot be found.`);
      c.passwordSetAt = null;
      return undefined;
    },

    ListAccessKeys(ctx: Ctx) {
      const s = subject(ctx);
      const keys = credsOf(ctx, s).accessKeys.map((k) => keyOut(k, s.kind === 'user' ? s.name : undefined));
      const p = markerPage(ctx, keys);
      return { AccessKeyMetadata: p.items, ...p.more };
    },

    DeleteAccessKey(ctx: Ctx) {
      const id = str(ctx.input, 'AccessKeyId', { required: true, min: 16, max: 128 }, fail)!;
      const s = subject(ctx);
      const c = credsOf(ctx, s);
      if (!c.accessKeys.some((k) => k.accessKeyId === id))
        throw noSuchEntity(`The Access Key with id ${id} cannot be found.`);
      c.accessKeys = c.accessKeys.filter((k) => k.accessKeyId !== id);
      delete ctx.world.credentials[id];
      return undefined;
    },

    ListMFADevices(ctx: Ctx) {
      const s = subject(ctx);
      const devices = credsOf(ctx, s).mfaSerials.map((d) => ({
        UserName: s.kind === 'user' ? s.name : undefined,
        SerialNumber: d.serial,
        EnableDate: d.enabledAt,
      }));
      const p = markerPage(ctx, devices);
      return { MFADevices: p.items, ...p.more };
    },

    DeactivateMFADevice(ctx: Ctx) {
      const serial = str(ctx.input, 'SerialNumber', { required: true, min: 9, max: 256 }, fail)!;
      const s = subject(ctx);
      const c = credsOf(ctx, s);
      if (!c.mfaSerials.some((d) => d.serial === serial))
        throw noSuchEntity(`MFA Device with serial number ${serial} does not exist.`);
      c.mfaSerials = c.mfaSerials.filter((d) => d.serial !== serial);
      return undefined;
    },
    // Roles and users (iam-roles.ts): what a member account's administrator could use.
    ...ROLE_OPERATIONS,
  }),

  drift: {
    /** Remove the account's password policy. {account?} */
    'delete-password-policy'({ world, accountId }) {
      iamStore(world, accountId).passwordPolicy = null;
    },
    /** Replace the password policy. {account?, policy: Partial<PasswordPolicy>} */
    'set-password-policy'({ world, accountId, params }) {
      iamStore(world, accountId).passwordPolicy = {
        MinimumPasswordLength: 6,
        RequireSymbols: false,
        RequireNumbers: false,
        RequireUppercaseCharacters: false,
        RequireLowercaseCharacters: false,
        AllowUsersToChangePassword: false,
        ...(params.policy ?? {}),
      };
    },
    /** Give (true) or take (false) the root user a password / access key / MFA. {account?, password?, accessKey?, mfa?} */
    'root-credentials'({ world, accountId, params, error }) {
      const acct = world.account(accountId);
      if (!acct) throw error(`no account ${accountId}`);
      if (params.password !== undefined) acct.root.passwordSetAt = params.password ? new Date() : null;
      if (params.accessKey === true && acct.root.accessKeys.length === 0) {
        acct.root.accessKeys.push({
          accessKeyId: 'AKIA' + world.id('root-key', 16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'),
          status: 'Active',
          createdAt: new Date(),
        });
      }
      if (params.accessKey === false) acct.root.accessKeys = [];
      if (params.mfa !== undefined) {
        acct.root.mfaSerials = params.mfa
          ? [{ serial: `arn:aws:iam::${accountId}:mfa/root-account-mfa-device`, enabledAt: new Date() }]
          : [];
      }
    },
  },
};
