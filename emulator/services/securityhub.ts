// AWS Security Hub (CSPM) (restJson1, signing name `securityhub`): the hub per account AND per
// region, security standards, the organization's delegated administrator, local and central
// configuration, cross-Region aggregation and configuration policies with their associations.
// API reference: https://docs.aws.amazon.com/securityhub/1.0/APIReference/ (paths, shapes and
// error codes below follow it and the SDK's model; error statuses: InvalidAccessException 401,
// InvalidInputException 400, ResourceConflictException 409, ResourceNotFoundException 404,
// LimitExceededException 429, AccessDeniedException 403).
//
// Organization-wide state (administrator per region, organization configuration, central
// configuration, configuration policies and associations) is kept in the management account's
// store under `org`; hubs, enabled standards and the finding aggregator in each account's store.
//
// How a configuration policy is applied (a simplification of AWS's asynchronous rollout): an
// association starts PENDING and, after the latency profile's async duration for
// `securityhub:StartConfigurationPolicyAssociation` (the next request with `instant`), becomes
// SUCCESS and every account of the organization whose nearest association (the account itself,
// then its OUs upwards, then the root) names a policy gets that policy in the home Region and in
// every Region the finding aggregator links: ServiceEnabled true → hub enabled (no default
// standards) with exactly the policy's EnabledStandardIdentifiers; false → hub disabled. Accounts
// whose nearest association is SELF_MANAGED_SECURITY_HUB, or none, are left alone. Removing an
// association leaves accounts as they are, as AWS does.
import type { HandlerContext, ServiceModule } from '../types.js';
import type { Organization, World } from '../world.js';
import { DEFAULT_REGIONS, OPT_IN_REGIONS, enabledRegions } from './ec2.js';
import { SERVICE_LINKED_ROLES, addServiceLinkedRole } from './iam-roles.js';

const SP = 'securityhub.amazonaws.com';
const SELF_MANAGED = 'SELF_MANAGED_SECURITY_HUB';

// ---- standards ------------------------------------------------------------------------

interface StandardDef {
  path: string;
  name: string;
  arn: (region: string) => string;
  byDefault: boolean;
}

/**
 * Standards ARNs as the API gives them (DescribeStandards; https://docs.aws.amazon.com/securityhub/latest/userguide/standards-reference.html):
 * CIS v1.2.0 is the one global "ruleset" ARN, the others are regional "standards" ARNs. Enabled by
 * default by EnableSecurityHub: CIS v1.2.0 and AWS FSBP (API_EnableSecurityHub.html).
 */
export const STANDARDS: StandardDef[] = [
  {
    path: 'aws-foundational-security-best-practices/v/1.0.0',
    name: 'AWS Foundational Security Best Practices v1.0.0',
    arn: (r) => `arn:aws:securityhub:${r}::standards/aws-foundational-security-best-practices/v/1.0.0`,
    byDefault: true,
  },
  {
    path: 'cis-aws-foundations-benchmark/v/1.2.0',
    name: 'CIS AWS Foundations Benchmark v1.2.0',
    arn: () => 'arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0',
    byDefault: true,
  },
  {
    path: 'cis-aws-foundations-benchmark/v/1.4.0',
    name: 'CIS AWS Foundations Benchmark v1.4.0',
    arn: (r) => `arn:aws:securityhub:${r}::standards/cis-aws-foundations-benchmark/v/1.4.0`,
    byDefault: false,
  },
  {
    path: 'cis-aws-foundations-benchmark/v/3.0.0',
    name: 'CIS AWS Foundations Benchmark v3.0.0',
    arn: (r) => `arn:aws:securityhub:${r}::standards/cis-aws-foundations-benchmark/v/3.0.0`,
    byDefault: false,
  },
  {
    path: 'nist-800-53/v/5.0.0',
    name: 'NIST Special Publication 800-53 Revision 5',
    arn: (r) => `arn:aws:securityhub:${r}::standards/nist-800-53/v/5.0.0`,
    byDefault: false,
  },
  {
    path: 'pci-dss/v/3.2.1',
    name: 'PCI DSS v3.2.1',
    arn: (r) => `arn:aws:securityhub:${r}::standards/pci-dss/v/3.2.1`,
    byDefault: false,
  },
];

const standardByArn = (region: string, arn: string): StandardDef | undefined =>
  STANDARDS.find((s) => s.arn(region) === arn);
const subscriptionArn = (region: string, acct: string, s: StandardDef) =>
  `arn:aws:securityhub:${region}:${acct}:subscription/${s.path}`;

// ---- state ----------------------------------------------------------------------------

type StandardsStatus = 'PENDING' | 'READY' | 'DELETING';
interface SubscriptionRec {
  StandardsArn: string;
  StandardsSubscriptionArn: string;
  StandardsStatus: StandardsStatus;
}
export interface HubRec {
  HubArn: string;
  /** A Date in the world (the state dump normalises it); an RFC 3339 string on the wire. */
  SubscribedAt: Date;
  AutoEnableControls: boolean;
  ControlFindingGenerator: 'SECURITY_CONTROL' | 'STANDARD_CONTROL';
  Tags: Record<string, string>;
  /** StandardsArn → subscription. */
  standards: Record<string, SubscriptionRec>;
  /** The configuration policy that last configured this hub (central configuration). */
  policyId?: string;
}
interface AggregatorRec {
  FindingAggregatorArn: string;
  FindingAggregationRegion: string;
  RegionLinkingMode: string;
  Regions: string[];
}
interface PolicyRec {
  Id: string;
  Arn: string;
  Name: string;
  Description?: string;
  CreatedAt: Date;
  UpdatedAt: Date;
  ConfigurationPolicy: { SecurityHub: SecurityHubPolicy };
}
interface SecurityHubPolicy {
  ServiceEnabled: boolean;
  EnabledStandardIdentifiers?: string[];
  SecurityControlsConfiguration?: Record<string, unknown>;
}
type TargetType = 'ACCOUNT' | 'ORGANIZATIONAL_UNIT' | 'ROOT';
interface AssociationRec {
  ConfigurationPolicyId: string;
  TargetId: string;
  TargetType: TargetType;
  UpdatedAt: Date;
  AssociationStatus: 'PENDING' | 'SUCCESS' | 'FAILED';
  AssociationStatusMessage?: string;
}
interface OrgState {
  /** Region → the Security Hub administrator account there. */
  admins: Record<string, string>;
  /** Region → local organization configuration. */
  config: Record<string, { AutoEnable: boolean; AutoEnableStandards: 'DEFAULT' | 'NONE' }>;
  central?: { homeRegion: string; status: 'PENDING' | 'ENABLED' | 'FAILED'; statusMessage?: string };
  policies: Record<string, PolicyRec>;
  /** Target ID (account, OU or root) → association. */
  associations: Record<string, AssociationRec>;
}
interface ShStore {
  hubs: Record<string, HubRec>;
  aggregator?: AggregatorRec;
  org?: OrgState;
}

const storeOf = (world: World, acct: string): ShStore =>
  world.store<ShStore>(acct, 'securityhub', () => ({ hubs: {} }));
const orgState = (world: World, org: Organization): OrgState =>
  (storeOf(world, org.managementAccountId).org ??= { admins: {}, config: {}, policies: {}, associations: {} });

function uuid(world: World, kind: string): string {
  const h = world.id(kind, 32, '0123456789abcdef');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

// ---- errors ---------------------------------------------------------------------------

const invalidInput = (ctx: HandlerContext, message: string) =>
  ctx.error('InvalidInputException', message, 400, { Code: 'InvalidInputException' });
const invalidAccess = (ctx: HandlerContext, message: string) =>
  ctx.error('InvalidAccessException', message, 401, { Code: 'InvalidAccessException' });
const notFound = (ctx: HandlerContext, message: string) =>
  ctx.error('ResourceNotFoundException', message, 404, { Code: 'ResourceNotFoundException' });

function hubOf(ctx: HandlerContext, acct = ctx.caller.accountId, region = ctx.region): HubRec {
  const hub = storeOf(ctx.world, acct).hubs[region];
  // Every call but EnableSecurityHub needs a subscribed account (API_DescribeHub.html: InvalidAccessException).
  if (!hub) throw invalidAccess(ctx, `Account ${acct} is not subscribed to AWS Security Hub`);
  return hub;
}

function strField(ctx: HandlerContext, v: unknown, field: string, required = true): string | undefined {
  if (v === undefined || v === null) {
    if (required) throw invalidInput(ctx, `${field} is required`);
    return undefined;
  }
  if (typeof v !== 'string' || !/\S/.test(v)) throw invalidInput(ctx, `Invalid ${field}: must be a non-empty string`);
  return v;
}

function enumField<T extends string>(
  ctx: HandlerContext,
  v: unknown,
  field: string,
  values: readonly T[],
): T | undefined {
  if (v === undefined || v === null) return undefined;
  if (!values.includes(v as T))
    throw invalidInput(ctx, `Invalid ${field} ${String(v)}: must be one of ${values.join(', ')}`);
  return v as T;
}

function stringList(ctx: HandlerContext, v: unknown, field: string): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string'))
    throw invalidInput(ctx, `${field} must be a list of strings`);
  return v as string[];
}

// ---- hubs -----------------------------------------------------------------------------

export function enableHub(
  world: World,
  acct: string,
  region: string,
  opts: { defaultStandards: boolean; generator?: HubRec['ControlFindingGenerator']; tags?: Record<string, string> },
): HubRec {
  const hub: HubRec = {
    HubArn: `arn:aws:securityhub:${region}:${acct}:hub/default`,
    SubscribedAt: new Date(),
    AutoEnableControls: true,
    ControlFindingGenerator: opts.generator ?? 'SECURITY_CONTROL',
    Tags: opts.tags ?? {},
    standards: {},
  };
  if (opts.defaultStandards)
    for (const s of STANDARDS.filter((x) => x.byDefault)) subscribe(hub, acct, region, s, 'READY');
  storeOf(world, acct).hubs[region] = hub;
  // Security Hub creates its service-linked role when it is enabled
  // (https://docs.aws.amazon.com/securityhub/latest/userguide/using-service-linked-roles.html).
  const account = world.account(acct);
  if (account && !account.roles[SERVICE_LINKED_ROLES[SP]!.roleName]) addServiceLinkedRole(world, acct, SP);
  return hub;
}

function subscribe(
  hub: HubRec,
  acct: string,
  region: string,
  s: StandardDef,
  status: StandardsStatus,
): SubscriptionRec {
  const arn = s.arn(region);
  const existing = hub.standards[arn];
  if (existing && existing.StandardsStatus !== 'DELETING') return existing;
  return (hub.standards[arn] = {
    StandardsArn: arn,
    StandardsSubscriptionArn: subscriptionArn(region, acct, s),
    StandardsStatus: status,
  });
}

const subscriptionOut = (s: SubscriptionRec) => ({
  StandardsSubscriptionArn: s.StandardsSubscriptionArn,
  StandardsArn: s.StandardsArn,
  StandardsInput: {},
  StandardsStatus: s.StandardsStatus,
  StandardsControlsUpdatable: s.StandardsStatus === 'READY' ? 'READY_FOR_UPDATES' : 'NOT_READY_FOR_UPDATES',
});

// ---- organization ---------------------------------------------------------------------

/** The caller's organization, when the caller is its management account (else AccessDenied). */
function managementOrg(ctx: HandlerContext): Organization {
  const org = ctx.world.orgOf(ctx.caller.accountId);
  // "Can only be called by the organization management account" (API_EnableOrganizationAdminAccount.html).
  if (!org || org.managementAccountId !== ctx.caller.accountId)
    throw ctx.accessDenied(`Account ${ctx.caller.accountId} is not the management account of an organization`);
  return org;
}

/** Regions the aggregator links, home Region first (API_CreateFindingAggregator.html RegionLinkingMode). */
export function linkedRegions(world: World, acct: string, agg: AggregatorRec): string[] {
  const enabled = enabledRegions(world, acct);
  const others = (() => {
    switch (agg.RegionLinkingMode) {
      case 'ALL_REGIONS':
        return enabled;
      case 'ALL_REGIONS_EXCEPT_SPECIFIED':
        return enabled.filter((r) => !agg.Regions.includes(r));
      case 'SPECIFIED_REGIONS':
        return agg.Regions.filter((r) => enabled.includes(r));
      default:
        return [];
    }
  })();
  return [agg.FindingAggregationRegion, ...others.filter((r) => r !== agg.FindingAggregationRegion)];
}

/** The Security Hub administrator account of this Region of the caller's organization. */
function adminOrg(ctx: HandlerContext): { org: Organization; state: OrgState } {
  const org = ctx.world.orgOf(ctx.caller.accountId);
  const state = org && orgState(ctx.world, org);
  // Only the administrator account may read or change the organization configuration
  // (API_UpdateOrganizationConfiguration.html: "Only the Security Hub administrator account can invoke this operation").
  if (!org || !state || state.admins[ctx.region] !== ctx.caller.accountId)
    throw invalidAccess(
      ctx,
      `Account ${ctx.caller.accountId} is not an administrator for this organization in ${ctx.region}`,
    );
  hubOf(ctx);
  return { org, state };
}

/** Central configuration is on and the call is made in the home Region by the administrator. */
function centralAdmin(ctx: HandlerContext): { org: Organization; state: OrgState } {
  const r = adminOrg(ctx);
  const c = r.state.central;
  // Configuration policies exist only with central configuration, and are created and managed
  // only from the home Region (https://docs.aws.amazon.com/securityhub/latest/userguide/aggregation-central-configuration.html).
  if (!c || c.status !== 'ENABLED')
    throw invalidInput(
      ctx,
      'Central configuration is not enabled for this organization; call UpdateOrganizationConfiguration with ConfigurationType CENTRAL first',
    );
  if (c.homeRegion !== ctx.region)
    throw invalidInput(ctx, `Configuration policies can only be managed from the home Region ${c.homeRegion}`);
  return r;
}

function checkPolicy(ctx: HandlerContext, raw: unknown): { SecurityHub: SecurityHubPolicy } {
  const sh = (raw as { SecurityHub?: Record<string, unknown> } | undefined)?.SecurityHub;
  if (!raw || typeof raw !== 'object' || !sh || typeof sh !== 'object')
    throw invalidInput(ctx, 'ConfigurationPolicy.SecurityHub is required');
  if (typeof sh.ServiceEnabled !== 'boolean')
    throw invalidInput(ctx, 'ConfigurationPolicy.SecurityHub.ServiceEnabled is required');
  const standards = stringList(ctx, sh.EnabledStandardIdentifiers, 'EnabledStandardIdentifiers');
  const controls = sh.SecurityControlsConfiguration as Record<string, unknown> | undefined;
  if (!sh.ServiceEnabled) {
    if (standards?.length || controls)
      throw invalidInput(ctx, 'A policy that disables Security Hub cannot list standards or controls');
    return { SecurityHub: { ServiceEnabled: false } };
  }
  // With ServiceEnabled true the policy says which standards and which controls
  // (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-securityhub-configurationpolicy-securitycontrolsconfiguration.html:
  // "required only if ServiceEnabled is set to true"; API_SecurityControlsConfiguration.html:
  // an enabled list disables all others, a disabled list enables all others — one or the other).
  if (!standards) throw invalidInput(ctx, 'EnabledStandardIdentifiers is required when ServiceEnabled is true');
  for (const s of standards)
    if (!standardByArn(ctx.region, s)) throw invalidInput(ctx, `Invalid standard identifier ${s}`);
  if (!controls || typeof controls !== 'object')
    throw invalidInput(ctx, 'SecurityControlsConfiguration is required when ServiceEnabled is true');
  const en = stringList(ctx, controls.EnabledSecurityControlIdentifiers, 'EnabledSecurityControlIdentifiers');
  const dis = stringList(ctx, controls.DisabledSecurityControlIdentifiers, 'DisabledSecurityControlIdentifiers');
  if ((en === undefined) === (dis === undefined))
    throw invalidInput(
      ctx,
      'SecurityControlsConfiguration needs exactly one of EnabledSecurityControlIdentifiers and DisabledSecurityControlIdentifiers',
    );
  return {
    SecurityHub: {
      ServiceEnabled: true,
      EnabledStandardIdentifiers: [...standards],
      SecurityControlsConfiguration: structuredClone(controls),
    },
  };
}

function policyOf(ctx: HandlerContext, state: OrgState, identifier: unknown): PolicyRec {
  const id = strField(ctx, identifier, 'Identifier')!;
  const p = Object.values(state.policies).find((x) => x.Id === id || x.Arn === id);
  if (!p) throw notFound(ctx, `Configuration policy ${id} not found`);
  return p;
}

/** Security Hub's JSON timestamps are RFC 3339 strings, not epoch seconds (the SDK refuses numbers). */
const iso = (d: Date) => new Date(d).toISOString();

const policyOut = (p: PolicyRec) => ({
  Arn: p.Arn,
  Id: p.Id,
  Name: p.Name,
  Description: p.Description,
  UpdatedAt: iso(p.UpdatedAt),
  CreatedAt: iso(p.CreatedAt),
  ConfigurationPolicy: structuredClone(p.ConfigurationPolicy),
});

/** The target a Target object names, checked against the organization. */
function targetOf(ctx: HandlerContext, org: Organization, raw: unknown): { id: string; type: TargetType } {
  const t = (raw ?? {}) as Record<string, unknown>;
  const given = (['AccountId', 'OrganizationalUnitId', 'RootId'] as const).filter((k) => t[k] !== undefined);
  // Target is a union: exactly one member (API_Target.html).
  if (given.length !== 1)
    throw invalidInput(ctx, 'Target must have exactly one of AccountId, OrganizationalUnitId, RootId');
  const key = given[0]!;
  const id = strField(ctx, t[key], `Target.${key}`)!;
  if (key === 'AccountId') {
    if (!(id in org.accountParents)) throw invalidInput(ctx, `Account ${id} is not a member of the organization`);
    return { id, type: 'ACCOUNT' };
  }
  if (key === 'OrganizationalUnitId') {
    if (!org.ous[id]) throw invalidInput(ctx, `Organizational unit ${id} does not exist in the organization`);
    return { id, type: 'ORGANIZATIONAL_UNIT' };
  }
  if (id !== org.root.id) throw invalidInput(ctx, `Root ${id} is not the organization's root`);
  return { id, type: 'ROOT' };
}

/** The nearest association of a target: its own, else its parent's, up to the root. */
function effectiveAssociation(org: Organization, state: OrgState, targetId: string): AssociationRec | undefined {
  let id: string | undefined = targetId;
  for (let depth = 0; id && depth < 10; depth++) {
    const a: AssociationRec | undefined = state.associations[id];
    if (a) return a;
    if (id === org.root.id) return undefined;
    id = org.ous[id]?.parentId ?? org.accountParents[id];
  }
  return undefined;
}

function associationOut(org: Organization, state: OrgState, targetId: string, type: TargetType) {
  const a = effectiveAssociation(org, state, targetId);
  if (!a) return undefined;
  return {
    ConfigurationPolicyId: a.ConfigurationPolicyId,
    TargetId: targetId,
    TargetType: type,
    AssociationType: a.TargetId === targetId ? 'APPLIED' : 'INHERITED',
    UpdatedAt: iso(a.UpdatedAt),
    AssociationStatus: a.AssociationStatus,
    ...(a.AssociationStatusMessage ? { AssociationStatusMessage: a.AssociationStatusMessage } : {}),
  };
}

/** Apply every account's effective configuration policy (see the header comment). */
export function applyPolicies(world: World, org: Organization): void {
  const state = orgState(world, org);
  const central = state.central;
  const admin = central ? state.admins[central.homeRegion] : undefined;
  const agg = admin ? storeOf(world, admin).aggregator : undefined;
  if (!central || central.status !== 'ENABLED' || !admin || !agg) return;
  const regions = linkedRegions(world, admin, agg);
  for (const acct of Object.keys(org.accountParents)) {
    const a = effectiveAssociation(org, state, acct);
    if (!a || a.ConfigurationPolicyId === SELF_MANAGED || a.AssociationStatus !== 'SUCCESS') continue;
    const p = state.policies[a.ConfigurationPolicyId];
    if (!p) continue;
    const pol = p.ConfigurationPolicy.SecurityHub;
    for (const region of regions) {
      const hubs = storeOf(world, acct).hubs;
      if (!pol.ServiceEnabled) {
        // The administrator keeps its own hub (it runs the organization's Security Hub).
        if (acct !== admin) delete hubs[region];
        continue;
      }
      const hub = hubs[region] ?? enableHub(world, acct, region, { defaultStandards: false });
      hub.policyId = p.Id;
      const wanted = pol.EnabledStandardIdentifiers ?? [];
      for (const arn of Object.keys(hub.standards)) if (!wanted.includes(arn)) delete hub.standards[arn];
      for (const arn of wanted) {
        // The policy names the home Region's ARNs; each linked Region gets its own form of the standard.
        const s = standardByArn(arn.split(':')[3] ?? '', arn);
        if (s) subscribe(hub, acct, region, s, 'READY');
      }
    }
  }
}

// ---- routing --------------------------------------------------------------------------

const ROUTES: [string, RegExp, string][] = [
  ['POST', /^\/accounts$/, 'EnableSecurityHub'],
  ['GET', /^\/accounts$/, 'DescribeHub'],
  ['DELETE', /^\/accounts$/, 'DisableSecurityHub'],
  ['GET', /^\/standards$/, 'DescribeStandards'],
  ['POST', /^\/standards\/get$/, 'GetEnabledStandards'],
  ['POST', /^\/standards\/register$/, 'BatchEnableStandards'],
  ['POST', /^\/standards\/deregister$/, 'BatchDisableStandards'],
  ['POST', /^\/organization\/admin\/enable$/, 'EnableOrganizationAdminAccount'],
  ['POST', /^\/organization\/admin\/disable$/, 'DisableOrganizationAdminAccount'],
  ['GET', /^\/organization\/admin$/, 'ListOrganizationAdminAccounts'],
  ['GET', /^\/organization\/configuration$/, 'DescribeOrganizationConfiguration'],
  ['POST', /^\/organization\/configuration$/, 'UpdateOrganizationConfiguration'],
  ['POST', /^\/findingAggregator\/create$/, 'CreateFindingAggregator'],
  ['GET', /^\/findingAggregator\/list$/, 'ListFindingAggregators'],
  ['GET', /^\/findingAggregator\/get\/(?<FindingAggregatorArn>.+)$/, 'GetFindingAggregator'],
  ['PATCH', /^\/findingAggregator\/update$/, 'UpdateFindingAggregator'],
  ['DELETE', /^\/findingAggregator\/delete\/(?<FindingAggregatorArn>.+)$/, 'DeleteFindingAggregator'],
  ['POST', /^\/configurationPolicy\/create$/, 'CreateConfigurationPolicy'],
  ['GET', /^\/configurationPolicy\/list$/, 'ListConfigurationPolicies'],
  ['GET', /^\/configurationPolicy\/get\/(?<Identifier>.+)$/, 'GetConfigurationPolicy'],
  ['PATCH', /^\/configurationPolicy\/(?<Identifier>.+)$/, 'UpdateConfigurationPolicy'],
  ['DELETE', /^\/configurationPolicy\/(?<Identifier>.+)$/, 'DeleteConfigurationPolicy'],
  ['POST', /^\/configurationPolicyAssociation\/associate$/, 'StartConfigurationPolicyAssociation'],
  ['POST', /^\/configurationPolicyAssociation\/disassociate$/, 'StartConfigurationPolicyDisassociation'],
  ['POST', /^\/configurationPolicyAssociation\/list$/, 'ListConfigurationPolicyAssociations'],
  ['POST', /^\/configurationPolicyAssociation\/get$/, 'GetConfigurationPolicyAssociation'],
];

export const securityhub: ServiceModule = {
  name: 'securityhub',
  signingName: 'securityhub',
  protocol: 'restJson',
  errors: { throttling: { code: 'TooManyRequestsException', status: 429 } },
  route(req) {
    for (const [method, re, operation] of ROUTES) {
      const m = re.exec(req.path);
      if (m && req.method === method) {
        const params: Record<string, unknown> = { ...m.groups };
        for (const q of ['NextToken', 'MaxResults', 'HubArn', 'Feature'])
          if (req.query.has(q)) params[q] = req.query.get(q);
        return { operation, params };
      }
    }
    return undefined;
  },
  operations: {
    // https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_EnableSecurityHub.html
    EnableSecurityHub(ctx) {
      const generator = enumField(ctx, ctx.input.ControlFindingGenerator, 'ControlFindingGenerator', [
        'SECURITY_CONTROL',
        'STANDARD_CONTROL',
      ] as const);
      const eds = ctx.input.EnableDefaultStandards;
      if (eds !== undefined && typeof eds !== 'boolean')
        throw invalidInput(ctx, 'EnableDefaultStandards must be a boolean');
      if (storeOf(ctx.world, ctx.caller.accountId).hubs[ctx.region])
        throw ctx.error('ResourceConflictException', 'Account is already subscribed to Security Hub', 409, {
          Code: 'ResourceConflictException',
        });
      enableHub(ctx.world, ctx.caller.accountId, ctx.region, {
        defaultStandards: eds !== false,
        generator,
        tags: (ctx.input.Tags ?? {}) as Record<string, string>,
      });
      return {};
    },

    DescribeHub(ctx) {
      const hub = hubOf(ctx);
      if (ctx.input.HubArn !== undefined && ctx.input.HubArn !== hub.HubArn)
        throw invalidInput(ctx, `Invalid HubArn ${String(ctx.input.HubArn)}`);
      return {
        HubArn: hub.HubArn,
        SubscribedAt: iso(hub.SubscribedAt),
        AutoEnableControls: hub.AutoEnableControls,
        ControlFindingGenerator: hub.ControlFindingGenerator,
      };
    },

    DisableSecurityHub(ctx) {
      hubOf(ctx);
      // "You can't disable Security Hub in an account that is currently the Security Hub
      // administrator" (https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_DisableSecurityHub.html).
      const org = ctx.world.orgOf(ctx.caller.accountId);
      if (org && orgState(ctx.world, org).admins[ctx.region] === ctx.caller.accountId)
        throw invalidInput(
          ctx,
          'Cannot disable Security Hub in the Security Hub administrator account; remove it as administrator first',
        );
      delete storeOf(ctx.world, ctx.caller.accountId).hubs[ctx.region];
      return {};
    },

    DescribeStandards(ctx) {
      const all = STANDARDS.map((s) => ({
        StandardsArn: s.arn(ctx.region),
        Name: s.name,
        Description: s.name,
        EnabledByDefault: s.byDefault,
      }));
      const p = ctx.paginate(
        all,
        ctx.input.NextToken as string | undefined,
        ctx.input.MaxResults as string | undefined,
      );
      return { Standards: p.items, NextToken: p.nextToken };
    },

    GetEnabledStandards(ctx) {
      const hub = hubOf(ctx);
      const only = stringList(ctx, ctx.input.StandardsSubscriptionArns, 'StandardsSubscriptionArns');
      const subs = Object.values(hub.standards)
        .filter((s) => !only || only.includes(s.StandardsSubscriptionArn))
        .map(subscriptionOut);
      const p = ctx.paginate(
        subs,
        ctx.input.NextToken as string | undefined,
        ctx.input.MaxResults as number | undefined,
      );
      return { StandardsSubscriptions: p.items, NextToken: p.nextToken };
    },

    // Subscriptions start PENDING and become READY asynchronously (API_StandardsSubscription.html StandardsStatus).
    BatchEnableStandards(ctx) {
      const hub = hubOf(ctx);
      const reqs = ctx.input.StandardsSubscriptionRequests as { StandardsArn?: string }[] | undefined;
      if (!Array.isArray(reqs) || reqs.length < 1 || reqs.length > 25)
        throw invalidInput(ctx, 'StandardsSubscriptionRequests must have 1 to 25 items');
      const defs = reqs.map((r) => {
        const s = standardByArn(ctx.region, String(r?.StandardsArn));
        if (!s) throw invalidInput(ctx, `Invalid StandardsArn ${String(r?.StandardsArn)}`);
        return s;
      });
      const acct = ctx.caller.accountId;
      const region = ctx.region;
      const out = defs.map((s) => subscribe(hub, acct, region, s, 'PENDING'));
      ctx.later((w) => {
        const h = storeOf(w, acct).hubs[region];
        for (const s of defs) {
          const sub = h?.standards[s.arn(region)];
          if (sub?.StandardsStatus === 'PENDING') sub.StandardsStatus = 'READY';
        }
      });
      return { StandardsSubscriptions: out.map(subscriptionOut) };
    },

    BatchDisableStandards(ctx) {
      const hub = hubOf(ctx);
      const arns = stringList(ctx, ctx.input.StandardsSubscriptionArns, 'StandardsSubscriptionArns');
      if (!arns || arns.length < 1 || arns.length > 25)
        throw invalidInput(ctx, 'StandardsSubscriptionArns must have 1 to 25 items');
      const subs = arns.map((a) => {
        const s = Object.values(hub.standards).find((x) => x.StandardsSubscriptionArn === a);
        if (!s) throw invalidInput(ctx, `Invalid StandardsSubscriptionArn ${a}`);
        return s;
      });
      const acct = ctx.caller.accountId;
      const region = ctx.region;
      for (const s of subs) s.StandardsStatus = 'DELETING';
      ctx.later((w) => {
        const h = storeOf(w, acct).hubs[region];
        for (const s of subs)
          if (h?.standards[s.StandardsArn]?.StandardsStatus === 'DELETING') delete h.standards[s.StandardsArn];
      });
      return { StandardsSubscriptions: subs.map(subscriptionOut) };
    },

    // https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_EnableOrganizationAdminAccount.html;
    // what designating does: https://docs.aws.amazon.com/securityhub/latest/userguide/designate-orgs-admin-account.html
    // ("This enables Security Hub as a trusted service in Organizations. It also enables Security
    // Hub in the current AWS Region for the delegated administrator account").
    EnableOrganizationAdminAccount(ctx) {
      const org = managementOrg(ctx);
      const id = strField(ctx, ctx.input.AdminAccountId, 'AdminAccountId')!;
      const feature =
        enumField(ctx, ctx.input.Feature, 'Feature', ['SecurityHub', 'SecurityHubV2'] as const) ?? 'SecurityHub';
      if (feature !== 'SecurityHub') throw invalidInput(ctx, 'Feature SecurityHubV2 is not emulated');
      // Trusted access needs all features (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_integrate_services.html).
      if (org.featureSet !== 'ALL')
        throw invalidInput(
          ctx,
          'The organization must have all features enabled to designate a Security Hub administrator',
        );
      if (!/^\d{12}$/.test(id) || !(id in org.accountParents))
        throw invalidInput(ctx, `Account ${id} is not a member of the organization`);
      // "The organization management account cannot be set as the DA account"
      // (https://docs.aws.amazon.com/securityhub/latest/userguide/accounts-transition-to-orgs.html).
      if (id === org.managementAccountId)
        throw invalidInput(
          ctx,
          'The organization management account cannot be the Security Hub delegated administrator',
        );
      // One delegated administrator per organization: "To choose a different account, you must
      // remove the current Security Hub administrator account in all Regions" (designate-orgs-admin-account.html).
      const current = ctx.world.delegatedAdminsFor(org, SP).filter((a) => a !== id);
      if (current.length)
        throw invalidInput(
          ctx,
          `Account ${current[0]} is already the Security Hub delegated administrator of this organization`,
        );
      const state = orgState(ctx.world, org);
      if (state.admins[ctx.region] === id)
        throw invalidInput(ctx, `Account ${id} is already the Security Hub administrator in ${ctx.region}`);
      if (!org.serviceAccess[SP]) {
        org.serviceAccess[SP] = new Date();
        ctx.world.created(`trusted:${org.id}:${SP}`);
      }
      ctx.world.registerDelegatedAdmin(org, id, SP);
      state.admins[ctx.region] = id;
      if (!storeOf(ctx.world, id).hubs[ctx.region]) enableHub(ctx.world, id, ctx.region, { defaultStandards: true });
      return { AdminAccountId: id, Feature: feature };
    },

    DisableOrganizationAdminAccount(ctx) {
      const org = managementOrg(ctx);
      const id = strField(ctx, ctx.input.AdminAccountId, 'AdminAccountId')!;
      const state = orgState(ctx.world, org);
      if (state.admins[ctx.region] !== id)
        throw invalidInput(ctx, `Account ${id} is not the Security Hub administrator in ${ctx.region}`);
      // "When you use central configuration, you can't use the Security Hub console or Security
      // Hub APIs to change or remove the delegated administrator account"
      // (https://docs.aws.amazon.com/securityhub/latest/userguide/start-central-configuration.html).
      if (state.central)
        throw invalidInput(
          ctx,
          'The delegated administrator cannot be removed with Security Hub APIs while central configuration is on',
        );
      delete state.admins[ctx.region];
      if (!Object.values(state.admins).includes(id)) ctx.world.deregisterDelegatedAdmin(org, id, SP);
      return {};
    },

    ListOrganizationAdminAccounts(ctx) {
      const org = managementOrg(ctx);
      const admin = orgState(ctx.world, org).admins[ctx.region];
      const p = ctx.paginate(
        admin ? [{ AccountId: admin, Status: 'ENABLED' }] : [],
        ctx.input.NextToken as string | undefined,
        ctx.input.MaxResults as string | undefined,
      );
      return { AdminAccounts: p.items, NextToken: p.nextToken, Feature: ctx.input.Feature ?? 'SecurityHub' };
    },

    DescribeOrganizationConfiguration(ctx) {
      const { state } = adminOrg(ctx);
      const local = state.config[ctx.region] ?? { AutoEnable: false, AutoEnableStandards: 'DEFAULT' as const };
      const c = state.central;
      if (c) {
        return {
          AutoEnable: false,
          MemberAccountLimitReached: false,
          AutoEnableStandards: 'NONE',
          OrganizationConfiguration: {
            ConfigurationType: 'CENTRAL',
            Status: c.status,
            ...(c.statusMessage ? { StatusMessage: c.statusMessage } : {}),
          },
        };
      }
      return {
        ...local,
        MemberAccountLimitReached: false,
        OrganizationConfiguration: { ConfigurationType: 'LOCAL', Status: 'ENABLED' },
      };
    },

    // https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_UpdateOrganizationConfiguration.html
    // Central configuration prerequisites: https://docs.aws.amazon.com/securityhub/latest/userguide/start-central-configuration.html
    UpdateOrganizationConfiguration(ctx) {
      const { org, state } = adminOrg(ctx);
      const autoEnable = ctx.input.AutoEnable;
      if (typeof autoEnable !== 'boolean') throw invalidInput(ctx, 'AutoEnable is required');
      const standards = enumField(ctx, ctx.input.AutoEnableStandards, 'AutoEnableStandards', [
        'DEFAULT',
        'NONE',
      ] as const);
      const oc = (ctx.input.OrganizationConfiguration ?? {}) as Record<string, unknown>;
      const type = enumField(ctx, oc.ConfigurationType, 'OrganizationConfiguration.ConfigurationType', [
        'CENTRAL',
        'LOCAL',
      ] as const);
      const admin = ctx.caller.accountId;
      const region = ctx.region;
      if (type === 'CENTRAL' || (type === undefined && state.central)) {
        // "If the ConfigurationType of your organization is set to CENTRAL, then this field is set to
        // false and can't be changed" (AutoEnable), and AutoEnableStandards "is set to NONE".
        if (autoEnable)
          throw invalidInput(ctx, 'AutoEnable must be false when the organization uses central configuration');
        if (standards !== 'NONE')
          throw invalidInput(ctx, 'AutoEnableStandards must be NONE when the organization uses central configuration');
      }
      if (type === 'CENTRAL') {
        // Cross-Region aggregation is a prerequisite and the home Region is the aggregation Region
        // (https://docs.aws.amazon.com/securityhub/latest/userguide/aggregation-central-configuration.html).
        const agg = storeOf(ctx.world, admin).aggregator;
        if (!agg)
          throw invalidInput(
            ctx,
            'Central configuration requires a finding aggregator: call CreateFindingAggregator in the home Region first',
          );
        if (agg.FindingAggregationRegion !== region)
          throw invalidInput(
            ctx,
            `Central configuration can only be turned on in the home (aggregation) Region ${agg.FindingAggregationRegion}`,
          );
        if (state.central?.homeRegion && state.central.homeRegion !== region)
          throw invalidInput(ctx, `Central configuration is managed from ${state.central.homeRegion}`);
        if (!state.central) {
          state.central = { homeRegion: region, status: 'PENDING' };
          const orgId = org.id;
          // Status PENDING until the delegated administrator is set in every linked Region.
          ctx.later((w) => {
            const o = w.orgs[orgId];
            if (!o) return;
            const st = orgState(w, o);
            const a = storeOf(w, admin).aggregator;
            if (!st.central || st.central.status !== 'PENDING') return;
            if (!a) {
              st.central = { ...st.central, status: 'FAILED', statusMessage: 'The finding aggregator was deleted' };
              return;
            }
            for (const r of linkedRegions(w, admin, a)) {
              st.admins[r] = admin;
              if (!storeOf(w, admin).hubs[r]) enableHub(w, admin, r, { defaultStandards: false });
            }
            st.central.status = 'ENABLED';
            applyPolicies(w, o);
          });
        }
        return {};
      }
      if (type === 'LOCAL' && state.central) {
        if (state.central.homeRegion !== region)
          throw invalidInput(
            ctx,
            `Central configuration can only be turned off in the home Region ${state.central.homeRegion}`,
          );
        // Leaving central configuration deletes policies and associations; accounts keep their settings.
        delete state.central;
        state.policies = {};
        state.associations = {};
      }
      state.config[region] = { AutoEnable: autoEnable, AutoEnableStandards: standards ?? 'DEFAULT' };
      return {};
    },

    // https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_CreateFindingAggregator.html
    CreateFindingAggregator(ctx) {
      hubOf(ctx);
      const s = storeOf(ctx.world, ctx.caller.accountId);
      const mode = enumField(ctx, ctx.input.RegionLinkingMode, 'RegionLinkingMode', [
        'ALL_REGIONS',
        'ALL_REGIONS_EXCEPT_SPECIFIED',
        'SPECIFIED_REGIONS',
        'NO_REGIONS',
      ] as const);
      if (!mode) throw invalidInput(ctx, 'RegionLinkingMode is required');
      const regions = checkRegions(ctx, mode, ctx.input.Regions);
      // One aggregator per account (it defines the one aggregation Region); the error for a second
      // one is not documented: the emulator answers ResourceConflictException.
      if (s.aggregator)
        throw ctx.error(
          'ResourceConflictException',
          `A finding aggregator already exists in ${s.aggregator.FindingAggregationRegion}`,
          409,
          { Code: 'ResourceConflictException' },
        );
      s.aggregator = {
        FindingAggregatorArn: `arn:aws:securityhub:${ctx.region}:${ctx.caller.accountId}:finding-aggregator/${uuid(ctx.world, 'sh-aggregator')}`,
        FindingAggregationRegion: ctx.region,
        RegionLinkingMode: mode,
        Regions: regions,
      };
      return { ...s.aggregator };
    },

    ListFindingAggregators(ctx) {
      const agg = storeOf(ctx.world, ctx.caller.accountId).aggregator;
      return { FindingAggregators: agg ? [{ FindingAggregatorArn: agg.FindingAggregatorArn }] : [] };
    },

    GetFindingAggregator(ctx) {
      return { ...aggregatorOf(ctx) };
    },

    UpdateFindingAggregator(ctx) {
      const agg = aggregatorOf(ctx);
      // "This operation can be invoked from the home Region only" (API_UpdateFindingAggregator.html).
      if (agg.FindingAggregationRegion !== ctx.region)
        throw invalidInput(ctx, `The finding aggregator can only be updated from ${agg.FindingAggregationRegion}`);
      const mode = enumField(ctx, ctx.input.RegionLinkingMode, 'RegionLinkingMode', [
        'ALL_REGIONS',
        'ALL_REGIONS_EXCEPT_SPECIFIED',
        'SPECIFIED_REGIONS',
        'NO_REGIONS',
      ] as const);
      if (!mode) throw invalidInput(ctx, 'RegionLinkingMode is required');
      agg.Regions = checkRegions(ctx, mode, ctx.input.Regions);
      agg.RegionLinkingMode = mode;
      const org = ctx.world.orgOf(ctx.caller.accountId);
      if (org) applyPolicies(ctx.world, org);
      return { ...agg };
    },

    DeleteFindingAggregator(ctx) {
      const agg = aggregatorOf(ctx);
      if (agg.FindingAggregationRegion !== ctx.region)
        throw invalidInput(ctx, `The finding aggregator can only be deleted from ${agg.FindingAggregationRegion}`);
      delete storeOf(ctx.world, ctx.caller.accountId).aggregator;
      // Removing the home Region ends central configuration: policies and associations are deleted
      // (https://docs.aws.amazon.com/securityhub/latest/userguide/aggregation-central-configuration.html).
      const org = ctx.world.orgOf(ctx.caller.accountId);
      const state = org && orgState(ctx.world, org);
      if (state?.central && state.admins[state.central.homeRegion] === ctx.caller.accountId) {
        delete state.central;
        state.policies = {};
        state.associations = {};
      }
      return {};
    },

    CreateConfigurationPolicy(ctx) {
      const { state } = centralAdmin(ctx);
      const name = strField(ctx, ctx.input.Name, 'Name')!;
      if (name.length > 128) throw invalidInput(ctx, 'Name must be at most 128 characters');
      const description = strField(ctx, ctx.input.Description, 'Description', false);
      const policy = checkPolicy(ctx, ctx.input.ConfigurationPolicy);
      const id = uuid(ctx.world, 'sh-policy');
      const now = new Date();
      const rec: PolicyRec = {
        Id: id,
        Arn: `arn:aws:securityhub:${ctx.region}:${ctx.caller.accountId}:configuration-policy/${id}`,
        Name: name,
        Description: description,
        CreatedAt: now,
        UpdatedAt: now,
        ConfigurationPolicy: policy,
      };
      state.policies[id] = rec;
      return policyOut(rec);
    },

    ListConfigurationPolicies(ctx) {
      const { state } = centralAdmin(ctx);
      const all = Object.values(state.policies).map((p) => ({
        Arn: p.Arn,
        Id: p.Id,
        Name: p.Name,
        Description: p.Description,
        UpdatedAt: iso(p.UpdatedAt),
        ServiceEnabled: p.ConfigurationPolicy.SecurityHub.ServiceEnabled,
      }));
      const p = ctx.paginate(
        all,
        ctx.input.NextToken as string | undefined,
        ctx.input.MaxResults as string | undefined,
      );
      return { ConfigurationPolicySummaries: p.items, NextToken: p.nextToken };
    },

    GetConfigurationPolicy(ctx) {
      const { state } = centralAdmin(ctx);
      return policyOut(policyOf(ctx, state, ctx.input.Identifier));
    },

    UpdateConfigurationPolicy(ctx) {
      const { org, state } = centralAdmin(ctx);
      const p = policyOf(ctx, state, ctx.input.Identifier);
      const name = strField(ctx, ctx.input.Name, 'Name', false);
      const description = strField(ctx, ctx.input.Description, 'Description', false);
      const policy =
        ctx.input.ConfigurationPolicy !== undefined ? checkPolicy(ctx, ctx.input.ConfigurationPolicy) : undefined;
      if (name) p.Name = name;
      if (description !== undefined) p.Description = description;
      if (policy) p.ConfigurationPolicy = policy;
      p.UpdatedAt = new Date();
      applyPolicies(ctx.world, org);
      return policyOut(p);
    },

    DeleteConfigurationPolicy(ctx) {
      const { state } = centralAdmin(ctx);
      const p = policyOf(ctx, state, ctx.input.Identifier);
      // A policy still associated somewhere cannot be deleted (API_DeleteConfigurationPolicy.html: ResourceConflictException).
      if (Object.values(state.associations).some((a) => a.ConfigurationPolicyId === p.Id))
        throw ctx.error(
          'ResourceConflictException',
          `Configuration policy ${p.Id} is still associated with targets; disassociate it first`,
          409,
          { Code: 'ResourceConflictException' },
        );
      delete state.policies[p.Id];
      return {};
    },

    StartConfigurationPolicyAssociation(ctx) {
      const { org, state } = centralAdmin(ctx);
      const ident = strField(ctx, ctx.input.ConfigurationPolicyIdentifier, 'ConfigurationPolicyIdentifier')!;
      const policyId = ident === SELF_MANAGED ? SELF_MANAGED : policyOf(ctx, state, ident).Id;
      const target = targetOf(ctx, org, ctx.input.Target);
      const rec: AssociationRec = {
        ConfigurationPolicyId: policyId,
        TargetId: target.id,
        TargetType: target.type,
        UpdatedAt: new Date(),
        AssociationStatus: 'PENDING',
      };
      state.associations[target.id] = rec;
      const orgId = org.id;
      ctx.later((w) => {
        const o = w.orgs[orgId];
        const a = o && orgState(w, o).associations[target.id];
        if (!o || !a || a.AssociationStatus !== 'PENDING') return;
        a.AssociationStatus = 'SUCCESS';
        applyPolicies(w, o);
      });
      return associationOut(org, state, target.id, target.type);
    },

    StartConfigurationPolicyDisassociation(ctx) {
      const { org, state } = centralAdmin(ctx);
      const target = targetOf(ctx, org, ctx.input.Target);
      const a = state.associations[target.id];
      const ident = ctx.input.ConfigurationPolicyIdentifier;
      if (
        !a ||
        (ident !== undefined &&
          ident !== a.ConfigurationPolicyId &&
          state.policies[a.ConfigurationPolicyId]?.Arn !== ident)
      )
        throw notFound(ctx, `No configuration policy is applied to ${target.id}`);
      delete state.associations[target.id];
      return {};
    },

    ListConfigurationPolicyAssociations(ctx) {
      const { org, state } = centralAdmin(ctx);
      const f = (ctx.input.Filters ?? {}) as Record<string, unknown>;
      const targets: [string, TargetType][] = [
        [org.root.id, 'ROOT'],
        ...Object.keys(org.ous).map((id): [string, TargetType] => [id, 'ORGANIZATIONAL_UNIT']),
        ...Object.keys(org.accountParents).map((id): [string, TargetType] => [id, 'ACCOUNT']),
      ];
      const all = targets
        .map(([id, type]) => associationOut(org, state, id, type))
        .filter((a): a is NonNullable<typeof a> => !!a)
        .filter(
          (a) =>
            (f.ConfigurationPolicyId === undefined || a.ConfigurationPolicyId === f.ConfigurationPolicyId) &&
            (f.AssociationType === undefined || a.AssociationType === f.AssociationType) &&
            (f.AssociationStatus === undefined || a.AssociationStatus === f.AssociationStatus),
        );
      const p = ctx.paginate(
        all,
        ctx.input.NextToken as string | undefined,
        ctx.input.MaxResults as number | undefined,
      );
      return { ConfigurationPolicyAssociationSummaries: p.items, NextToken: p.nextToken };
    },

    GetConfigurationPolicyAssociation(ctx) {
      const { org, state } = centralAdmin(ctx);
      const target = targetOf(ctx, org, ctx.input.Target);
      const out = associationOut(org, state, target.id, target.type);
      if (!out) throw notFound(ctx, `No configuration policy association for ${target.id}`);
      return out;
    },
  },
  drift: {
    /** `{account?, region}`: Security Hub disabled in one account and region (someone turned it off). */
    'hub-disabled'(d) {
      const region = String(d.params.region ?? 'us-east-1');
      const s = storeOf(d.world, d.accountId);
      if (!s.hubs[region]) throw d.error(`Security Hub is not enabled in ${d.accountId} ${region}`);
      delete s.hubs[region];
      return { account: d.accountId, region };
    },
    /** `{account?, region, standard?}`: a standard disabled (default AWS FSBP); `standard` is its ARN or path (`pci-dss/v/3.2.1`). */
    'standard-disabled'(d) {
      const region = String(d.params.region ?? 'us-east-1');
      const hub = storeOf(d.world, d.accountId).hubs[region];
      if (!hub) throw d.error(`Security Hub is not enabled in ${d.accountId} ${region}`);
      const want = String(d.params.standard ?? 'aws-foundational-security-best-practices/v/1.0.0');
      const sub = Object.values(hub.standards).find(
        (s) => s.StandardsArn === want || s.StandardsArn.endsWith(`/${want}`),
      );
      if (!sub) throw d.error(`standard ${want} is not enabled in ${d.accountId} ${region}`);
      delete hub.standards[sub.StandardsArn];
      return { account: d.accountId, region, standardsArn: sub.StandardsArn };
    },
    /** `{target?}`: a configuration policy association removed (default: the root's); accounts keep their settings. */
    'policy-disassociated'(d) {
      const org = d.world.orgOf(d.accountId);
      if (!org) throw d.error(`account ${d.accountId} is in no organization`);
      const state = orgState(d.world, org);
      const target = String(d.params.target ?? org.root.id);
      if (!state.associations[target]) throw d.error(`no configuration policy is associated with ${target}`);
      delete state.associations[target];
      return { target };
    },
  },
};

function checkRegions(ctx: HandlerContext, mode: string, raw: unknown): string[] {
  const regions = stringList(ctx, raw, 'Regions') ?? [];
  // ALL_REGIONS / NO_REGIONS take no Regions; the other two need them (API_CreateFindingAggregator.html).
  if ((mode === 'ALL_REGIONS' || mode === 'NO_REGIONS') && regions.length)
    throw invalidInput(ctx, `Regions must be empty when RegionLinkingMode is ${mode}`);
  if ((mode === 'SPECIFIED_REGIONS' || mode === 'ALL_REGIONS_EXCEPT_SPECIFIED') && !regions.length)
    throw invalidInput(ctx, `Regions is required when RegionLinkingMode is ${mode}`);
  for (const r of regions)
    if (![...DEFAULT_REGIONS, ...OPT_IN_REGIONS].includes(r)) throw invalidInput(ctx, `Invalid Region ${r}`);
  return [...regions];
}

function aggregatorOf(ctx: HandlerContext): AggregatorRec {
  const arn = decodeURIComponent(String(ctx.input.FindingAggregatorArn ?? ''));
  const agg = storeOf(ctx.world, ctx.caller.accountId).aggregator;
  if (!arn) throw invalidInput(ctx, 'FindingAggregatorArn is required');
  if (!agg || agg.FindingAggregatorArn !== arn) throw notFound(ctx, `Finding aggregator ${arn} not found`);
  return agg;
}
