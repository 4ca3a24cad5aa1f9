// Amazon GuardDuty (restJson1, signing name `guardduty`, `POST /detector`, `GET /admin` …).
// Regional: each account has at most one detector per Region. Organizations: the management
// account designates a delegated administrator per Region (EnableOrganizationAdminAccount,
// which also turns on trusted access and registers the account in Organizations); the
// administrator's UpdateOrganizationConfiguration decides which organization accounts are
// enabled as its members (NONE / NEW / ALL).
//
// Where things live: detectors in each account's `guardduty` store (by Region); the delegated
// administrator of each Region in the management account's store; the organization
// configuration and the member list in the administrator's store (by Region).
//
// Auto-enable (AutoEnableOrganizationMembers NEW or ALL): accounts that join the organization
// after it was set become members the next time anyone in the organization calls GuardDuty
// (lazily, see syncOrganization); with ALL, the accounts already in the organization become
// members after the async duration of `guardduty:UpdateOrganizationConfiguration` (ctx.later).
import type { HandlerContext, ServiceModule } from '../types.js';
import type { Fail } from '../validate.js';
import { oneOf, str, int } from '../validate.js';
import { AwsError } from '../errors.js';
import type { Organization, World } from '../world.js';

export const GUARDDUTY = 'guardduty.amazonaws.com';

/**
 * The configurable features (DetectorFeature). CLOUD_TRAIL, DNS_LOGS and FLOW_LOGS are the
 * foundational sources, always on and only reported. AI_PROTECTION / AI_ANALYST are not emulated.
 * https://docs.aws.amazon.com/guardduty/latest/APIReference/API_DetectorFeatureConfiguration.html
 */
export const FEATURES = [
  'S3_DATA_EVENTS',
  'EKS_AUDIT_LOGS',
  'EBS_MALWARE_PROTECTION',
  'RDS_LOGIN_EVENTS',
  'EKS_RUNTIME_MONITORING',
  'LAMBDA_NETWORK_LOGS',
  'RUNTIME_MONITORING',
] as const;
const FOUNDATIONAL = ['CLOUD_TRAIL', 'DNS_LOGS', 'FLOW_LOGS'] as const;
const FREQUENCIES = ['FIFTEEN_MINUTES', 'ONE_HOUR', 'SIX_HOURS'] as const;
const AUTO_ENABLE = ['NEW', 'ALL', 'NONE'] as const;
type AutoEnable = (typeof AUTO_ENABLE)[number];
type FeatureStatus = 'ENABLED' | 'DISABLED';

export interface DetectorRec {
  detectorId: string;
  status: FeatureStatus;
  findingPublishingFrequency: string;
  createdAt: Date;
  updatedAt: Date;
  features: Record<string, { status: FeatureStatus; updatedAt: Date }>;
  tags: Record<string, string>;
}

export interface MemberRec {
  accountId: string;
  email: string;
  /** Created (added, not invited), Enabled (organization member), Removed (its detector is gone). */
  relationshipStatus: 'Created' | 'Enabled' | 'Removed';
  invitedAt?: Date;
  updatedAt: Date;
}

export interface OrgConfigRec {
  autoEnableOrganizationMembers: AutoEnable;
  /** The organization's accounts when NEW/ALL was set: any other account that joins is "new". */
  existing?: string[];
  features: Record<string, AutoEnable>;
}

export interface GuardDutyStore {
  /** Region → this account's detector. */
  detectors: Record<string, DetectorRec>;
  /** Management account only: Region → the delegated administrator there. */
  orgAdmins: Record<string, string>;
  /** Delegated administrator only: Region → organization configuration. */
  orgConfig: Record<string, OrgConfigRec>;
  /** Administrator only: Region → member account → membership. */
  members: Record<string, Record<string, MemberRec>>;
  /** Member only: Region → its administrator. */
  administrator: Record<string, { accountId: string; invitedAt: Date }>;
}

export const guardDutyStoreOf = (world: World, accountId: string): GuardDutyStore =>
  world.store<GuardDutyStore>(accountId, 'guardduty', () => ({
    detectors: {},
    orgAdmins: {},
    orgConfig: {},
    members: {},
    administrator: {},
  }));

// ---- errors ------------------------------------------------------------------------------

type Ctx = HandlerContext<Record<string, any>>;

/** GuardDuty answers (almost) every refusal with BadRequestException 400 (API_*.html "Errors"). */
function badRequest(message: string): AwsError {
  return new AwsError('BadRequestException', message, { status: 400, extra: { Type: 'InvalidInputException' } });
}

const fail: Fail = (_field, _problem, message) => {
  throw badRequest(message);
};

// ---- detectors ---------------------------------------------------------------------------

/**
 * A new detector's features. CreateDetector: "When you don't specify any features, with an
 * exception to RUNTIME_MONITORING, all the optional features are enabled by default. When you
 * specify some of the features, any feature that is not specified in the API call gets enabled by
 * default, with an exception to RUNTIME_MONITORING."
 * https://docs.aws.amazon.com/guardduty/latest/APIReference/API_CreateDetector.html
 */
function defaultFeatures(now: Date): DetectorRec['features'] {
  return Object.fromEntries(
    FEATURES.map((f) => [f, { status: f === 'RUNTIME_MONITORING' ? 'DISABLED' : 'ENABLED', updatedAt: now }]),
  );
}

function newDetector(
  world: World,
  accountId: string,
  region: string,
  features: DetectorRec['features'],
  frequency = 'SIX_HOURS',
): DetectorRec {
  const now = new Date();
  const d: DetectorRec = {
    // Numbered per account and Region, so concurrent creations elsewhere never change an ID.
    detectorId: world.id(`guardduty-detector:${accountId}:${region}`, 32, '0123456789abcdef'),
    status: 'ENABLED',
    findingPublishingFrequency: frequency,
    createdAt: now,
    updatedAt: now,
    features,
    tags: {},
  };
  guardDutyStoreOf(world, accountId).detectors[region] = d;
  return d;
}

/**
 * Validated `features` of a request: known names, ENABLED/DISABLED, and never both
 * EKS_RUNTIME_MONITORING and RUNTIME_MONITORING ("Specifying both … will cause an error",
 * API_CreateDetector.html, API_UpdateDetector.html).
 */
function featureInput(
  ctx: Ctx,
  field = 'features',
  statusField = 'status',
  values: readonly string[] = ['ENABLED', 'DISABLED'],
): Record<string, string> {
  const raw = ctx.input[field];
  if (raw === undefined || raw === null) return {};
  if (!Array.isArray(raw)) throw badRequest(`${field} must be a list.`);
  const out: Record<string, string> = {};
  for (const f of raw as Record<string, unknown>[]) {
    const name = oneOf(f ?? {}, 'name', FEATURES, { required: true }, fail)!;
    const status = f[statusField];
    if (status !== undefined && (typeof status !== 'string' || !values.includes(status))) {
      throw badRequest(
        `The request is rejected because an invalid or out-of-range value is specified as an input parameter: ${statusField} must be one of ${values.join(', ')}.`,
      );
    }
    if (name in out)
      throw badRequest(`The request is rejected because the feature ${name} is specified more than once.`);
    out[name] = (status as string | undefined) ?? values[0]!;
  }
  if ('EKS_RUNTIME_MONITORING' in out && 'RUNTIME_MONITORING' in out) {
    throw badRequest(
      'The request is rejected because both EKS_RUNTIME_MONITORING and RUNTIME_MONITORING are specified. You can add only one of these two features.',
    );
  }
  return out;
}

/** The caller's detector in this Region with this ID, or BadRequestException as GuardDuty answers. */
function ownDetector(ctx: Ctx): DetectorRec {
  const id = str(ctx.input, 'detectorId', { required: true, min: 1, max: 300 }, fail)!;
  const d = guardDutyStoreOf(ctx.world, ctx.caller.accountId).detectors[ctx.region];
  if (!d || d.detectorId !== id)
    throw badRequest('The request is rejected because the input detectorId is not owned by the current account.');
  return d;
}

function detectorOut(d: DetectorRec, accountId: string) {
  return {
    createdAt: d.createdAt.toISOString(),
    updatedAt: d.updatedAt.toISOString(),
    findingPublishingFrequency: d.findingPublishingFrequency,
    serviceRole: `arn:aws:iam::${accountId}:role/aws-service-role/guardduty.amazonaws.com/AWSServiceRoleForAmazonGuardDuty`,
    status: d.status,
    tags: d.tags,
    features: [
      ...FOUNDATIONAL.map((name) => ({ name, status: 'ENABLED', updatedAt: d.createdAt })),
      ...FEATURES.map((name) => ({
        name,
        status: d.features[name]?.status ?? 'DISABLED',
        updatedAt: d.features[name]?.updatedAt ?? d.createdAt,
      })),
    ],
  };
}

// ---- organizations -----------------------------------------------------------------------

function managementStore(world: World, org: Organization): GuardDutyStore {
  return guardDutyStoreOf(world, org.managementAccountId);
}

/** The delegated administrator of the organization's GuardDuty in a Region. */
export function guardDutyAdminOf(world: World, org: Organization, region: string): string | undefined {
  return managementStore(world, org).orgAdmins[region];
}

/** Make `accountId` a GuardDuty member of `adminId` in `region` (enabling GuardDuty there if needed). */
function enableMember(world: World, adminId: string, accountId: string, region: string, config: OrgConfigRec): void {
  const now = new Date();
  const store = guardDutyStoreOf(world, accountId);
  if (!store.detectors[region]) {
    // An auto-enabled member gets the features the organization configuration auto-enables.
    const features = Object.fromEntries(
      FEATURES.map((f) => [
        f,
        { status: (config.features[f] ?? 'NONE') === 'NONE' ? 'DISABLED' : 'ENABLED', updatedAt: now },
      ]),
    ) as DetectorRec['features'];
    newDetector(world, accountId, region, features);
  }
  store.administrator[region] = { accountId: adminId, invitedAt: now };
  const members = (guardDutyStoreOf(world, adminId).members[region] ??= {});
  members[accountId] = {
    accountId,
    email: world.account(accountId)?.email ?? '',
    relationshipStatus: 'Enabled',
    invitedAt: now,
    updatedAt: now,
  };
}

/**
 * Auto-enable for accounts that joined the organization after NEW/ALL was set (lazily: run at the
 * start of every GuardDuty call from an account of the organization).
 * "NEW: Indicates that when a new account joins the organization, they will have GuardDuty
 * enabled automatically. ALL: … all accounts (existing and new) in the organization"
 * (https://docs.aws.amazon.com/guardduty/latest/APIReference/API_UpdateOrganizationConfiguration.html).
 */
function syncOrganization(world: World, callerId: string): void {
  const org = world.orgOf(callerId);
  if (!org) return;
  for (const [region, adminId] of Object.entries(managementStore(world, org).orgAdmins)) {
    const config = guardDutyStoreOf(world, adminId).orgConfig[region];
    if (!config || config.autoEnableOrganizationMembers === 'NONE' || !config.existing) continue;
    const members = guardDutyStoreOf(world, adminId).members[region] ?? {};
    for (const id of Object.keys(org.accountParents)) {
      if (id !== adminId && !members[id] && !config.existing.includes(id))
        enableMember(world, adminId, id, region, config);
    }
  }
}

/** Every operation first runs the organization's auto-enable (see syncOrganization). */
function op(handler: (ctx: Ctx) => unknown) {
  return (ctx: Ctx) => {
    syncOrganization(ctx.world, ctx.caller.accountId);
    return handler(ctx);
  };
}

/** The caller must be the management account of an organization with all features. */
function managementOrg(ctx: Ctx): Organization {
  const org = ctx.world.orgOf(ctx.caller.accountId);
  if (!org || org.managementAccountId !== ctx.caller.accountId) {
    throw badRequest(
      'The request is rejected because the current account is not the management account of an AWS organization.',
    );
  }
  if (org.featureSet !== 'ALL')
    throw badRequest('The request is rejected because the organization does not have all features enabled.');
  return org;
}

/** The caller must be the GuardDuty delegated administrator in this Region, with its detector. */
function adminContext(ctx: Ctx): { org: Organization; detector: DetectorRec; config: OrgConfigRec } {
  const detector = ownDetector(ctx);
  const org = ctx.world.orgOf(ctx.caller.accountId);
  if (!org || guardDutyAdminOf(ctx.world, org, ctx.region) !== ctx.caller.accountId) {
    throw badRequest(
      'The request is rejected because the current account is not the delegated administrator of the organization for GuardDuty in this Region.',
    );
  }
  const config = (guardDutyStoreOf(ctx.world, ctx.caller.accountId).orgConfig[ctx.region] ??= {
    autoEnableOrganizationMembers: 'NONE',
    features: {},
  });
  return { org, detector, config };
}

function page(ctx: Ctx) {
  int(ctx.input, 'maxResults', { min: 1, max: 50 }, fail);
  return <T>(items: T[]) => ctx.paginate(items, ctx.input.nextToken, ctx.input.maxResults);
}

// ---- module ------------------------------------------------------------------------------

const ID = '([^/]+)';
const ROUTES: [string, RegExp, string][] = [
  ['POST', /^\/detector\/?$/, 'CreateDetector'],
  ['GET', /^\/detector\/?$/, 'ListDetectors'],
  ['GET', new RegExp(`^/detector/${ID}/?$`), 'GetDetector'],
  ['POST', new RegExp(`^/detector/${ID}/?$`), 'UpdateDetector'],
  ['DELETE', new RegExp(`^/detector/${ID}/?$`), 'DeleteDetector'],
  ['GET', new RegExp(`^/detector/${ID}/admin$`), 'DescribeOrganizationConfiguration'],
  ['POST', new RegExp(`^/detector/${ID}/admin$`), 'UpdateOrganizationConfiguration'],
  ['POST', new RegExp(`^/detector/${ID}/member$`), 'CreateMembers'],
  ['GET', new RegExp(`^/detector/${ID}/member$`), 'ListMembers'],
  ['GET', new RegExp(`^/detector/${ID}/master$`), 'GetMasterAccount'],
  ['GET', new RegExp(`^/detector/${ID}/administrator$`), 'GetAdministratorAccount'],
  ['POST', /^\/admin\/enable$/, 'EnableOrganizationAdminAccount'],
  ['POST', /^\/admin\/disable$/, 'DisableOrganizationAdminAccount'],
  ['GET', /^\/admin\/?$/, 'ListOrganizationAdminAccounts'],
];

function administratorOut(ctx: Ctx) {
  const a = guardDutyStoreOf(ctx.world, ctx.caller.accountId).administrator[ctx.region];
  if (!a) return undefined;
  return { accountId: a.accountId, relationshipStatus: 'Enabled', invitedAt: a.invitedAt.toISOString() };
}

export const guardduty: ServiceModule = {
  name: 'guardduty',
  signingName: 'guardduty',
  protocol: 'restJson',
  errors: {
    internal: { code: 'InternalServerErrorException', status: 500 },
    validation: { code: 'BadRequestException', status: 400 },
    invalidToken: {
      code: 'BadRequestException',
      status: 400,
      message:
        'The request is rejected because an invalid or out-of-range value is specified as an input parameter: nextToken.',
    },
  },
  route(req) {
    for (const [method, re, operation] of ROUTES) {
      const m = req.method === method ? re.exec(req.path) : null;
      if (m) return { operation, params: { ...Object.fromEntries(req.query), ...(m[1] ? { detectorId: m[1] } : {}) } };
    }
    return undefined;
  },
  operations: {
    // https://docs.aws.amazon.com/guardduty/latest/APIReference/API_CreateDetector.html:
    // "You can have only one detector per account per Region."
    CreateDetector: op((ctx) => {
      if (typeof ctx.input.enable !== 'boolean')
        throw badRequest('The request is rejected because the enable parameter is required.');
      const frequency = oneOf(ctx.input, 'findingPublishingFrequency', FREQUENCIES, {}, fail) ?? 'SIX_HOURS';
      const requested = featureInput(ctx);
      const store = guardDutyStoreOf(ctx.world, ctx.caller.accountId);
      if (store.detectors[ctx.region])
        throw badRequest('The request is rejected because a detector already exists for the current account.');
      const features = defaultFeatures(new Date());
      for (const [name, status] of Object.entries(requested))
        features[name] = { status: status as FeatureStatus, updatedAt: new Date() };
      const d = newDetector(ctx.world, ctx.caller.accountId, ctx.region, features, frequency);
      d.status = ctx.input.enable ? 'ENABLED' : 'DISABLED';
      d.tags = { ...((ctx.input.tags ?? {}) as Record<string, string>) };
      return { detectorId: d.detectorId };
    }),

    // https://docs.aws.amazon.com/guardduty/latest/APIReference/API_ListDetectors.html
    ListDetectors: op((ctx) => {
      const d = guardDutyStoreOf(ctx.world, ctx.caller.accountId).detectors[ctx.region];
      const p = page(ctx)(d ? [d.detectorId] : []);
      return { detectorIds: p.items, nextToken: p.nextToken };
    }),

    // https://docs.aws.amazon.com/guardduty/latest/APIReference/API_GetDetector.html
    GetDetector: op((ctx) => {
      return detectorOut(ownDetector(ctx), ctx.caller.accountId);
    }),

    // https://docs.aws.amazon.com/guardduty/latest/APIReference/API_UpdateDetector.html
    UpdateDetector: op((ctx) => {
      const d = ownDetector(ctx);
      const frequency = oneOf(ctx.input, 'findingPublishingFrequency', FREQUENCIES, {}, fail);
      const features = featureInput(ctx);
      if (ctx.input.enable !== undefined && typeof ctx.input.enable !== 'boolean')
        throw badRequest('enable must be a boolean.');
      const now = new Date();
      if (typeof ctx.input.enable === 'boolean') d.status = ctx.input.enable ? 'ENABLED' : 'DISABLED';
      if (frequency) d.findingPublishingFrequency = frequency;
      for (const [name, status] of Object.entries(features))
        d.features[name] = { status: status as FeatureStatus, updatedAt: now };
      d.updatedAt = now;
      return {};
    }),

    // https://docs.aws.amazon.com/guardduty/latest/APIReference/API_DeleteDetector.html
    DeleteDetector: op((ctx) => {
      ownDetector(ctx);
      const store = guardDutyStoreOf(ctx.world, ctx.caller.accountId);
      delete store.detectors[ctx.region];
      delete store.administrator[ctx.region];
      return {};
    }),

    // https://docs.aws.amazon.com/guardduty/latest/APIReference/API_EnableOrganizationAdminAccount.html:
    // "Only the organization's management account can run this API operation." Designating the
    // administrator "enables GuardDuty as a trusted service in AWS Organizations. It also enables
    // GuardDuty for the delegated GuardDuty administrator account … in the current Region"
    // (https://docs.aws.amazon.com/guardduty/latest/ug/organizations_permissions.html). One
    // delegated administrator per organization
    // (https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_organizations.html).
    EnableOrganizationAdminAccount: op((ctx) => {
      const org = managementOrg(ctx);
      const adminId = str(ctx.input, 'adminAccountId', { required: true, pattern: /^\d{12}$/ }, fail)!;
      if (!(adminId in org.accountParents))
        throw badRequest(`The request is rejected because the account ${adminId} is not a member of the organization.`);
      const admins = managementStore(ctx.world, org).orgAdmins;
      const current = admins[ctx.region];
      if (current === adminId) return {};
      if (current)
        throw badRequest(
          `The request is rejected because the organization already has a delegated administrator (${current}) for GuardDuty in this Region.`,
        );
      const elsewhere = [...Object.values(admins), ...ctx.world.delegatedAdminsFor(org, GUARDDUTY)].find(
        (a) => a !== adminId,
      );
      if (elsewhere)
        throw badRequest(
          `The request is rejected because account ${elsewhere} is already the GuardDuty delegated administrator of the organization; an organization has only one.`,
        );
      org.serviceAccess[GUARDDUTY] ??= new Date();
      // Organizations never registers its management account (CANNOT_REGISTER_MASTER_…); GuardDuty
      // allows it as its own administrator (not recommended) and keeps that on its side only.
      if (adminId !== org.managementAccountId) ctx.world.registerDelegatedAdmin(org, adminId, GUARDDUTY);
      admins[ctx.region] = adminId;
      const adminStore = guardDutyStoreOf(ctx.world, adminId);
      if (!adminStore.detectors[ctx.region]) newDetector(ctx.world, adminId, ctx.region, defaultFeatures(new Date()));
      adminStore.orgConfig[ctx.region] ??= { autoEnableOrganizationMembers: 'NONE', features: {} };
      return {};
    }),

    // https://docs.aws.amazon.com/guardduty/latest/APIReference/API_DisableOrganizationAdminAccount.html:
    // management account only; the members of the administrator in this Region are disassociated.
    // Organizations' registration goes once no Region has it as administrator.
    DisableOrganizationAdminAccount: op((ctx) => {
      const org = managementOrg(ctx);
      const adminId = str(ctx.input, 'adminAccountId', { required: true, pattern: /^\d{12}$/ }, fail)!;
      const admins = managementStore(ctx.world, org).orgAdmins;
      if (admins[ctx.region] !== adminId)
        throw badRequest(
          `The request is rejected because the account ${adminId} is not the GuardDuty delegated administrator in this Region.`,
        );
      delete admins[ctx.region];
      const adminStore = guardDutyStoreOf(ctx.world, adminId);
      for (const id of Object.keys(adminStore.members[ctx.region] ?? {}))
        delete guardDutyStoreOf(ctx.world, id).administrator[ctx.region];
      delete adminStore.members[ctx.region];
      delete adminStore.orgConfig[ctx.region];
      if (!Object.values(admins).includes(adminId)) ctx.world.deregisterDelegatedAdmin(org, adminId, GUARDDUTY);
      return {};
    }),

    // https://docs.aws.amazon.com/guardduty/latest/APIReference/API_ListOrganizationAdminAccounts.html
    ListOrganizationAdminAccounts: op((ctx) => {
      const org = managementOrg(ctx);
      const admin = managementStore(ctx.world, org).orgAdmins[ctx.region];
      const p = page(ctx)(admin ? [{ adminAccountId: admin, adminStatus: 'ENABLED' }] : []);
      return { adminAccounts: p.items, nextToken: p.nextToken };
    }),

    // https://docs.aws.amazon.com/guardduty/latest/APIReference/API_DescribeOrganizationConfiguration.html
    // ("Returns information about the account selected as the delegated administrator for GuardDuty").
    DescribeOrganizationConfiguration: op((ctx) => {
      const { config } = adminContext(ctx);
      return {
        autoEnable: config.autoEnableOrganizationMembers !== 'NONE',
        autoEnableOrganizationMembers: config.autoEnableOrganizationMembers,
        memberAccountLimitReached: false,
        features: FEATURES.map((name) => ({ name, autoEnable: config.features[name] ?? 'NONE' })),
      };
    }),

    // https://docs.aws.amazon.com/guardduty/latest/APIReference/API_UpdateOrganizationConfiguration.html:
    // only the delegated administrator (with its detector); "You must provide a value for either
    // autoEnableOrganizationMembers or autoEnable, but not both"; never both runtime features.
    UpdateOrganizationConfiguration: op((ctx) => {
      const { org, config } = adminContext(ctx);
      const members = oneOf(ctx.input, 'autoEnableOrganizationMembers', AUTO_ENABLE, {}, fail);
      const legacy = ctx.input.autoEnable;
      if (legacy !== undefined && typeof legacy !== 'boolean') throw badRequest('autoEnable must be a boolean.');
      if ((members === undefined) === (legacy === undefined)) {
        throw badRequest(
          'The request is rejected because you must provide a value for either autoEnableOrganizationMembers or autoEnable, but not both.',
        );
      }
      const features = featureInput(ctx, 'features', 'autoEnable', AUTO_ENABLE);
      // autoEnable (legacy) "applies to only new member accounts, not the existing member accounts".
      const mode: AutoEnable = members ?? (legacy ? 'NEW' : 'NONE');
      if (mode === 'NONE') delete config.existing;
      else if (config.autoEnableOrganizationMembers === 'NONE' || !config.existing)
        config.existing = Object.keys(org.accountParents);
      config.autoEnableOrganizationMembers = mode;
      Object.assign(config, { features: { ...config.features, ...features } });
      const adminId = ctx.caller.accountId;
      const region = ctx.region;
      if (mode === 'ALL' || Object.values(features).includes('ALL')) {
        // Existing accounts are enabled by GuardDuty in the background, not by this call.
        ctx.later((world) => applyToExisting(world, adminId, region));
      }
      return {};
    }),

    // https://docs.aws.amazon.com/guardduty/latest/APIReference/API_CreateMembers.html: "As a
    // delegated administrator, using CreateMembers will enable GuardDuty in the added member
    // accounts, with the exception of the organization delegated administrator account."
    CreateMembers: op((ctx) => {
      ownDetector(ctx);
      const details = ctx.input.accountDetails;
      if (!Array.isArray(details) || details.length < 1 || details.length > 50)
        throw badRequest('The request is rejected because accountDetails must have 1 to 50 items.');
      const me = ctx.caller.accountId;
      const org = ctx.world.orgOf(me);
      const isAdmin = !!org && guardDutyAdminOf(ctx.world, org, ctx.region) === me;
      const members = (guardDutyStoreOf(ctx.world, me).members[ctx.region] ??= {});
      const unprocessedAccounts: { accountId: string; result: string }[] = [];
      for (const d of details as { accountId?: string; email?: string }[]) {
        const id = String(d?.accountId ?? '');
        if (!/^\d{12}$/.test(id)) {
          unprocessedAccounts.push({
            accountId: id,
            result: 'The request is rejected because the accountId is invalid.',
          });
          continue;
        }
        if (id === me) {
          unprocessedAccounts.push({
            accountId: id,
            result: 'The request is rejected because the current account cannot be added as a member.',
          });
          continue;
        }
        if (members[id]?.relationshipStatus === 'Enabled') {
          unprocessedAccounts.push({
            accountId: id,
            result: 'The request is rejected because the account is already a member.',
          });
          continue;
        }
        if (isAdmin && org!.accountParents[id] !== undefined) {
          enableMember(
            ctx.world,
            me,
            id,
            ctx.region,
            guardDutyStoreOf(ctx.world, me).orgConfig[ctx.region] ?? {
              autoEnableOrganizationMembers: 'NONE',
              features: {},
            },
          );
        } else {
          // Outside the organization: added, to be invited (invitations are not emulated).
          members[id] = {
            accountId: id,
            email: String(d.email ?? ''),
            relationshipStatus: 'Created',
            updatedAt: new Date(),
          };
        }
      }
      return { unprocessedAccounts };
    }),

    // https://docs.aws.amazon.com/guardduty/latest/APIReference/API_ListMembers.html: onlyAssociated
    // (default true) lists only the associated (Enabled) members.
    ListMembers: op((ctx) => {
      ownDetector(ctx);
      const only = ctx.input.onlyAssociated === undefined ? true : String(ctx.input.onlyAssociated) !== 'false';
      const me = ctx.caller.accountId;
      const all = Object.values(guardDutyStoreOf(ctx.world, me).members[ctx.region] ?? {})
        .filter((m) => !only || m.relationshipStatus === 'Enabled')
        .map((m) => ({
          accountId: m.accountId,
          detectorId: guardDutyStoreOf(ctx.world, m.accountId).detectors[ctx.region]?.detectorId,
          masterId: me,
          administratorId: me,
          email: m.email,
          relationshipStatus: m.relationshipStatus,
          invitedAt: m.invitedAt?.toISOString(),
          updatedAt: m.updatedAt.toISOString(),
        }));
      const p = page(ctx)(all);
      return { members: p.items, nextToken: p.nextToken };
    }),

    // https://docs.aws.amazon.com/guardduty/latest/APIReference/API_GetAdministratorAccount.html
    GetAdministratorAccount: op((ctx) => {
      ownDetector(ctx);
      const a = administratorOut(ctx);
      return a ? { administrator: a } : {};
    }),

    // https://docs.aws.amazon.com/guardduty/latest/APIReference/API_GetMasterAccount.html (deprecated form)
    GetMasterAccount: op((ctx) => {
      ownDetector(ctx);
      const a = administratorOut(ctx);
      return a ? { master: a } : {};
    }),
  },

  drift: {
    /** `{service:'guardduty', kind:'detector-deleted', account?, region?}`: someone deleted the detector. */
    'detector-deleted'(d) {
      const region = String(d.params.region ?? 'us-east-1');
      const store = guardDutyStoreOf(d.world, d.accountId);
      if (!store.detectors[region]) throw d.error(`account ${d.accountId} has no GuardDuty detector in ${region}`);
      delete store.detectors[region];
      const admin = store.administrator[region];
      if (admin) {
        const m = guardDutyStoreOf(d.world, admin.accountId).members[region]?.[d.accountId];
        if (m) Object.assign(m, { relationshipStatus: 'Removed', updatedAt: new Date() });
        delete store.administrator[region];
      }
      return { account: d.accountId, region };
    },
    /** `{kind:'org-auto-enable-off', account?, region?}`: the administrator's auto-enable set to NONE (account: any account of the org). */
    'org-auto-enable-off'(d) {
      const region = String(d.params.region ?? 'us-east-1');
      const org = d.world.orgOf(d.accountId);
      const admin = org && guardDutyAdminOf(d.world, org, region);
      const config = admin ? guardDutyStoreOf(d.world, admin).orgConfig[region] : undefined;
      if (!admin || !config)
        throw d.error(`no GuardDuty delegated administrator in ${region} for ${d.accountId}'s organization`);
      config.autoEnableOrganizationMembers = 'NONE';
      delete config.existing;
      return { admin, region };
    },
    /** `{kind:'feature-disabled', account?, region?, feature?}`: one detector feature turned off. */
    'feature-disabled'(d) {
      const region = String(d.params.region ?? 'us-east-1');
      const feature = String(d.params.feature ?? 'S3_DATA_EVENTS');
      if (!(FEATURES as readonly string[]).includes(feature)) throw d.error(`unknown GuardDuty feature ${feature}`);
      const det = guardDutyStoreOf(d.world, d.accountId).detectors[region];
      if (!det) throw d.error(`account ${d.accountId} has no GuardDuty detector in ${region}`);
      det.features[feature] = { status: 'DISABLED', updatedAt: new Date() };
      return { account: d.accountId, region, feature };
    },
  },
};

/** ALL (members or a feature): the organization's existing accounts, after the async duration. */
function applyToExisting(world: World, adminId: string, region: string): void {
  const org = world.orgOf(adminId);
  if (!org || guardDutyAdminOf(world, org, region) !== adminId) return;
  const config = guardDutyStoreOf(world, adminId).orgConfig[region];
  if (!config) return;
  if (config.autoEnableOrganizationMembers === 'ALL') {
    const members = guardDutyStoreOf(world, adminId).members[region] ?? {};
    for (const id of Object.keys(org.accountParents)) {
      if (id !== adminId && members[id]?.relationshipStatus !== 'Enabled')
        enableMember(world, adminId, id, region, config);
    }
  }
  const now = new Date();
  for (const m of Object.values(guardDutyStoreOf(world, adminId).members[region] ?? {})) {
    if (m.relationshipStatus !== 'Enabled') continue;
    const det = guardDutyStoreOf(world, m.accountId).detectors[region];
    if (!det) continue;
    for (const [f, auto] of Object.entries(config.features))
      if (auto === 'ALL') det.features[f] = { status: 'ENABLED', updatedAt: now };
  }
}
