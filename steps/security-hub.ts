// AWS Security Hub (CSPM) for the whole organization with central configuration, run from the
// audit account (https://docs.aws.amazon.com/securityhub/latest/userguide/start-central-configuration.html):
// 1. the management account designates audit as the delegated administrator
//    (securityhub:EnableOrganizationAdminAccount in the home region; API_EnableOrganizationAdminAccount.html);
// 2. audit creates the finding aggregator in the home region linking the other allowed regions
//    (central configuration needs it, and the home region is the aggregation region:
//    https://docs.aws.amazon.com/securityhub/latest/userguide/aggregation-central-configuration.html);
// 3. audit turns on CENTRAL organization configuration (AutoEnable false, AutoEnableStandards
//    NONE, as API_UpdateOrganizationConfiguration.html requires) and waits for ENABLED;
// 4. audit creates the configuration policy `secure-start-security-hub`: Security Hub on, AWS
//    Foundational Security Best Practices v1.0.0 only, every control (no disabled control, so
//    new controls come on too: API_SecurityControlsConfiguration.html);
// 5. audit associates it with the organization root and waits for SUCCESS: every account,
//    management included, in every linked region, gets Security Hub with that standard.
// Everything is found first (the administrator, the aggregator, the policy by name, the root's
// association). The two waits are recorded in the state file before they start, and a status
// still PENDING is waited on again, never re-issued. Drift: a hub turned off or the standard
// disabled in an account and region is repaired by associating the policy with the root again
// (central configuration applies it again; centrally managed accounts are the administrator's
// to configure); a changed policy is updated in place; a removed association is made again.
// The AWS Config recording the controls need is the config-recording step.
// Covers: SSB ACCT.15.
import { z } from 'zod';
import {
  StepError,
  mgmt,
  ref,
  stepConfig,
  type Action,
  type RunContext,
  type Step,
  type StepContext,
  type Val,
} from './contract.js';
import type { Baseline } from '../config/schema.js';
import { orgKnown } from './lib/org-common.js';
import { mapLimit } from './lib/map-limit.js';
import { Gates } from './lib/gates.js';
import { recordingAccounts } from './lib/config-recording-names.js';

export const SH_PRINCIPAL = 'securityhub.amazonaws.com';
export const POLICY_NAME = 'secure-start-security-hub';
export const POLICY_KEY = 'securityHub.policyId';
/** The FSBP standard's ARN in a region (https://docs.aws.amazon.com/securityhub/latest/userguide/fsbp-standard.html). */
export const fsbpArn = (region: string): string =>
  `arn:aws:securityhub:${region}::standards/aws-foundational-security-best-practices/v/1.0.0`;
const CENTRAL_WAIT = 'securityhub:central-configuration';
const assocWait = (rootId: string): string => `securityhub:association:${rootId}`;

const PRICING_SH = 'https://aws.amazon.com/security-hub/cspm/pricing/';
const PRICING_CONFIG = 'https://aws.amazon.com/config/pricing/';

/**
 * A small startup's monthly estimate, per account and region: Security Hub CSPM charges
 * 0.001 USD per security check for the first 100,000 (a quiet account runs one to three
 * thousand FSBP checks a month), after a 30-day free trial (PRICING_SH); AWS Config charges
 * 0.003 USD per configuration item recorded (a quiet account records a few hundred a month;
 * every change of a resource is one) (PRICING_CONFIG).
 */
export function costEstimate(accounts: number, regions: number): { low: number; high: number } {
  const n = accounts * regions;
  return { low: Math.round(n * (1 + 0.3)), high: Math.round(n * (3 + 1.5)) };
}

export function securityHubNote(b: Baseline): string {
  const accounts = b.accounts.length + 1;
  const regions = b.allowedRegions.length;
  const { low, high } = costEstimate(accounts, regions);
  return [
    `Security Hub runs the AWS Foundational Security Best Practices checks in every account and region, and AWS Config records the resources those checks read. Findings from all ${accounts} accounts and ${regions} region${regions === 1 ? '' : 's'} are gathered in the ${b.auditAccount} account.`,
    `What it costs: about ${low}–${high} USD a month for ${accounts} accounts in ${regions} region${regions === 1 ? '' : 's'} while little runs there (Security Hub: 0.001 USD per check, the first 30 days free; AWS Config: 0.003 USD per resource change recorded). It grows with what you run. Prices: ${PRICING_SH} and ${PRICING_CONFIG}`,
  ].join('\n');
}

/** Security Hub with central configuration and AWS Config recording (asked in the wizard; costs money). */
export const config = stepConfig({
  key: 'securityHub',
  schema: () => z.strictObject({ enabled: z.boolean() }),
  // Off in a config file: it costs money, so a file must say so; the wizard recommends it.
  defaults: () => ({ enabled: false }),
});

export interface HubState {
  account: string;
  region: string;
  hub: boolean;
  fsbp: boolean;
}

export interface SecurityHubSeen {
  auditId: Val;
  rootId: Val;
  /** The Security Hub administrator in the home region; null = none; undefined = not read. */
  admin?: string | null;
  aggregator?: { arn: string; region: string; mode: string; regions: string[] } | null;
  /** The organization configuration as audit reads it; undefined = not read (audit is not the administrator). */
  central?: { type: string; status: string } | null;
  policy?: { id: string; problems: string[] } | null;
  association?: { policyId: string; status: string; message?: string } | null;
  /** Accounts × allowed regions read (only once the root association is ours and SUCCESS). */
  hubs: HubState[];
}

/** The configuration policy the baseline wants (home region ARNs; each region gets its own). */
export const desiredPolicyContent = (want: Baseline) => ({
  SecurityHub: {
    ServiceEnabled: true,
    EnabledStandardIdentifiers: [fsbpArn(want.homeRegion)],
    SecurityControlsConfiguration: { DisabledSecurityControlIdentifiers: [] as string[] },
  },
});

/** What differs between a read policy and the wanted one, in words. */
export function policyProblems(
  want: Baseline,
  p:
    | {
        SecurityHub?: {
          ServiceEnabled?: boolean;
          EnabledStandardIdentifiers?: string[];
          SecurityControlsConfiguration?: {
            EnabledSecurityControlIdentifiers?: string[];
            DisabledSecurityControlIdentifiers?: string[];
          };
        };
      }
    | undefined,
): string[] {
  const sh = p?.SecurityHub;
  const out: string[] = [];
  if (sh?.ServiceEnabled !== true) out.push('Security Hub off');
  const stds = sh?.EnabledStandardIdentifiers ?? [];
  if (stds.length !== 1 || stds[0] !== fsbpArn(want.homeRegion))
    out.push(`standards ${stds.length ? stds.map((s) => s.split('/').slice(-3).join('/')).join(', ') : 'none'}`);
  const c = sh?.SecurityControlsConfiguration;
  if (c?.EnabledSecurityControlIdentifiers || (c?.DisabledSecurityControlIdentifiers ?? []).length)
    out.push('not every control enabled');
  return out;
}

/** Regions the aggregator links besides the home region. */
const linked = (want: Baseline): string[] => want.allowedRegions.filter((r) => r !== want.homeRegion);
const wantedLinking = (want: Baseline) => {
  const regions = linked(want);
  return regions.length
    ? { RegionLinkingMode: 'SPECIFIED_REGIONS' as const, Regions: regions }
    : { RegionLinkingMode: 'NO_REGIONS' as const };
};
const sameRegions = (a: string[], b: string[]) =>
  a.length === b.length && [...a].sort().join() === [...b].sort().join();

const errName = (e: unknown): string => (e as Error)?.name ?? '';

function fresh(ctx: StepContext): SecurityHubSeen {
  return { auditId: ctx.ref(`${ctx.want.auditAccount}.accountId`), rootId: ctx.ref('org.rootId'), hubs: [] };
}

export const securityHub: Step<SecurityHubSeen, typeof config> = {
  config,
  id: 'security-hub',
  title:
    'Security Hub for the organization: central configuration from the audit account, AWS Foundational Security Best Practices',
  enabled: (want) => want.securityHub.enabled,
  trustedAccess: [SH_PRINCIPAL],
  outputs: [POLICY_KEY],
  questions: [
    {
      path: 'securityHub.enabled',
      title: 'Security Hub and AWS Config (cost money)',
      note: securityHubNote,
      message: 'Turn on Security Hub and AWS Config recording in every account? (recommended)',
      // SSB ACCT.15 asks for it and the first 30 days of Security Hub are free; the note says what it costs after.
      initial: true,
    },
  ],
  notes: (_want, planned) => {
    const money: string[] = [];
    if (
      planned.has('securityhub:EnableOrganizationAdminAccount') ||
      planned.has('securityhub:StartConfigurationPolicyAssociation')
    )
      money.push(
        `Security Hub: 0.001 USD per security check (about 1–3 USD a month per account and region while little runs there; the first 30 days free): ${PRICING_SH}`,
      );
    const recorders = planned.count('config-service:PutConfigurationRecorder');
    if (recorders)
      money.push(
        `AWS Config: 0.003 USD per resource change recorded, in ${recorders} account-region${recorders === 1 ? '' : 's'} (well under 1–2 USD a month each while little runs there): ${PRICING_CONFIG}`,
      );
    return money.length ? { money } : {};
  },
  // Trusted access for Security Hub first; the accounts must exist and be reachable (leave-root).
  // Not config-recording: turning Security Hub on does not need Config; its checks start
  // reading what Config records as soon as both are on, so the two steps run side by side.
  needs: ['accounts', 'trusted-access', 'leave-root'],
  controls: ['SSB ACCT.15'],
  severity: 'high',
  why: "Security Hub checks every account against AWS's best practices and gathers the findings in one place; without it, a public bucket or an open security group goes unnoticed.",

  async observe(ctx) {
    const want = ctx.want;
    const seen = fresh(ctx);
    const auditId = seen.auditId;
    if (!orgKnown(ctx) || typeof auditId !== 'string') {
      if (ctx.mode === 'apply')
        throw new StepError(
          `The ${want.auditAccount} account's ID is not known yet.`,
          'Run again: the accounts step creates the account first.',
        );
      return seen;
    }
    const rootId = seen.rootId as string;
    const home = want.homeRegion;
    const audit = { account: auditId, region: home };
    const admins = (
      await ctx.aws.pages('securityhub', 'ListOrganizationAdminAccounts', {}, { account: 'management', region: home })
    ).flatMap((p) => p.AdminAccounts ?? []);
    seen.admin = admins.find((a) => a.AccountId)?.AccountId ?? null;
    if (seen.admin !== auditId) return seen;

    // Audit is the administrator: its hub in the home region exists (designating enables it).
    const aggs = (await ctx.aws.pages('securityhub', 'ListFindingAggregators', {}, audit)).flatMap(
      (p) => p.FindingAggregators ?? [],
    );
    const aggArn = aggs[0]?.FindingAggregatorArn;
    if (aggArn) {
      const g = await ctx.aws.call('securityhub', 'GetFindingAggregator', { FindingAggregatorArn: aggArn }, audit);
      seen.aggregator = {
        arn: aggArn,
        region: g.FindingAggregationRegion ?? home,
        mode: g.RegionLinkingMode ?? '',
        regions: g.Regions ?? [],
      };
    } else seen.aggregator = null;

    const oc = await ctx.aws.call('securityhub', 'DescribeOrganizationConfiguration', {}, audit);
    seen.central = {
      type: oc.OrganizationConfiguration?.ConfigurationType ?? 'LOCAL',
      status: oc.OrganizationConfiguration?.Status ?? 'ENABLED',
    };
    if (seen.central.type !== 'CENTRAL' || seen.central.status !== 'ENABLED') return seen;

    const policies = (await ctx.aws.pages('securityhub', 'ListConfigurationPolicies', {}, audit)).flatMap(
      (p) => p.ConfigurationPolicySummaries ?? [],
    );
    const mine = policies.find((p) => p.Name === POLICY_NAME && p.Id);
    if (mine) {
      const p = await ctx.aws.call('securityhub', 'GetConfigurationPolicy', { Identifier: mine.Id! }, audit);
      seen.policy = { id: mine.Id!, problems: policyProblems(want, p.ConfigurationPolicy as never) };
      ctx.publish(POLICY_KEY, mine.Id!);
    } else seen.policy = null;

    try {
      const a = await ctx.aws.call(
        'securityhub',
        'GetConfigurationPolicyAssociation',
        { Target: { RootId: rootId } },
        audit,
      );
      seen.association = {
        policyId: a.ConfigurationPolicyId ?? '',
        status: a.AssociationStatus ?? '',
        ...(a.AssociationStatusMessage ? { message: a.AssociationStatusMessage } : {}),
      };
    } catch (e) {
      if (errName(e) !== 'ResourceNotFoundException') throw e;
      seen.association = null;
    }

    // Ours and applied: every account and region must have the hub with the standard.
    if (seen.policy && seen.association?.policyId === seen.policy.id && seen.association.status === 'SUCCESS') {
      const accounts = recordingAccounts(ctx, want).filter(
        (a): a is typeof a & { target: string } => typeof a.target === 'string',
      );
      const pairs = accounts.flatMap((a) => want.allowedRegions.map((region) => ({ a, region })));
      seen.hubs = await mapLimit(pairs, 6, async ({ a, region }) => {
        const t = { account: a.target, region };
        try {
          await ctx.aws.call('securityhub', 'DescribeHub', {}, t);
        } catch (e) {
          // Not subscribed: InvalidAccessException (API_DescribeHub.html).
          if (errName(e) === 'InvalidAccessException') return { account: a.name, region, hub: false, fsbp: false };
          throw e;
        }
        const subs = (await ctx.aws.pages('securityhub', 'GetEnabledStandards', {}, t)).flatMap(
          (p) => p.StandardsSubscriptions ?? [],
        );
        const fsbp = subs.some(
          (s) =>
            s.StandardsArn === fsbpArn(region) && (s.StandardsStatus === 'READY' || s.StandardsStatus === 'PENDING'),
        );
        return { account: a.name, region, hub: true, fsbp };
      });
    }
    return seen;
  },

  fresh,

  plan(want, seen) {
    const out: Action[] = [];
    const gates = new Gates();
    const home = want.homeRegion;
    const auditTarget = { account: seen.auditId, region: home };
    const auditName = want.auditAccount;

    // 1. The delegated administrator.
    if (seen.admin && seen.admin !== seen.auditId) {
      return [
        {
          kind: 'manual',
          symbol: '!',
          service: 'console',
          operation: 'SecurityHubAdministrator',
          input: {},
          target: mgmt(home),
          summary: `! Security Hub's delegated administrator is account ${seen.admin}, not ${auditName}`,
          manual: {
            instructions: [
              `Security Hub allows one delegated administrator per organization; it is ${seen.admin}.`,
              `If that account should stay, set "auditAccount" to it in the config; otherwise remove it as Security Hub administrator in every region (Security Hub console → Settings, from the management account), then run again.`,
            ],
            why: 'secure-start configures Security Hub from the audit account, which must be the delegated administrator.',
            link: `https://console.aws.amazon.com/securityhub/home?region=${home}#/settings`,
            blocking: true,
          },
        },
      ];
    }
    if (seen.admin !== seen.auditId) {
      const input = { AdminAccountId: seen.auditId };
      out.push({
        kind: 'call',
        symbol: '+',
        service: 'securityhub',
        operation: 'EnableOrganizationAdminAccount',
        input,
        target: mgmt(home),
        summary: `+ securityhub:EnableOrganizationAdminAccount ${auditName} (the delegated administrator, ${home})`,
        run: gates.opens('admin', async (ctx) => {
          try {
            await ctx.aws.call('securityhub', 'EnableOrganizationAdminAccount', ctx.input as never, ctx.target);
          } catch (e) {
            // Designated by a run that stopped before it saw the answer.
            if (!(errName(e) === 'InvalidInputException' && /already/i.test((e as Error).message))) throw e;
          }
          return {};
        }),
      });
    }

    // 2. The finding aggregator in the home region.
    const linking = wantedLinking(want);
    const agg = seen.aggregator;
    if (agg && agg.region !== home) {
      out.push({
        kind: 'manual',
        symbol: '!',
        service: 'console',
        operation: 'FindingAggregatorRegion',
        input: {},
        target: auditTarget,
        summary: `! The Security Hub finding aggregator of ${auditName} is in ${agg.region}, not the home region ${home}`,
        manual: {
          instructions: [
            `Delete the finding aggregator in ${agg.region} (Security Hub console in ${auditName} → Settings → Regions), then run again: secure-start makes it in ${home}.`,
          ],
          why: 'Central configuration is managed from the aggregation region, which must be the home region.',
          link: `https://console.aws.amazon.com/securityhub/home?region=${agg.region}#/settings`,
          blocking: true,
        },
      });
      return out;
    }
    if (!agg) {
      out.push({
        kind: 'call',
        symbol: '+',
        service: 'securityhub',
        operation: 'CreateFindingAggregator',
        input: linking,
        target: auditTarget,
        summary: `+ securityhub:CreateFindingAggregator ${auditName} ${home} (${linking.RegionLinkingMode === 'NO_REGIONS' ? 'the home region only' : `linking ${linked(want).join(', ')}`})`,
        run: gates.opens('aggregator', async (ctx) => {
          await gates.wait(ctx, 'admin', `waiting for ${auditName} to be Security Hub's administrator`);
          try {
            await ctx.aws.call('securityhub', 'CreateFindingAggregator', ctx.input as never, ctx.target);
          } catch (e) {
            // Made by a run that stopped before it saw the answer (one aggregator per account).
            if (errName(e) !== 'ResourceConflictException') throw e;
          }
          return {};
        }),
      });
    } else if (
      agg.mode !== linking.RegionLinkingMode ||
      !sameRegions(agg.regions, linking.RegionLinkingMode === 'NO_REGIONS' ? [] : linking.Regions)
    ) {
      const input = { FindingAggregatorArn: agg.arn, ...linking };
      out.push({
        kind: 'call',
        symbol: '~',
        service: 'securityhub',
        operation: 'UpdateFindingAggregator',
        input,
        target: auditTarget,
        summary: `~ securityhub:UpdateFindingAggregator ${auditName} ${home} (links ${agg.regions.join(', ') || agg.mode}; link ${linked(want).join(', ') || 'no other region'})`,
        run: gates.opens('aggregator', async (ctx) => {
          await ctx.aws.call('securityhub', 'UpdateFindingAggregator', ctx.input as never, ctx.target);
          return {};
        }),
      });
    }

    // 3. Central configuration (a wait recorded before it starts; PENDING is waited on, not re-issued).
    const c = seen.central;
    const centralOn = c?.type === 'CENTRAL' && c.status === 'ENABLED';
    if (!centralOn) {
      const pending = c?.type === 'CENTRAL' && c.status === 'PENDING';
      const input = {
        AutoEnable: false,
        AutoEnableStandards: 'NONE' as const,
        OrganizationConfiguration: { ConfigurationType: 'CENTRAL' as const },
      };
      out.push({
        kind: 'call',
        symbol: c ? '~' : '+',
        service: 'securityhub',
        operation: 'UpdateOrganizationConfiguration',
        input,
        target: auditTarget,
        summary: pending
          ? `~ securityhub:UpdateOrganizationConfiguration CENTRAL (already being turned on; wait for it)`
          : `${c ? '~' : '+'} securityhub:UpdateOrganizationConfiguration CENTRAL (${c ? `${c.type} ${c.status}; ` : ''}central configuration from ${auditName}, ${home})`,
        run: gates.opens('central', async (ctx) => {
          await gates.wait(ctx, 'aggregator', 'waiting for the finding aggregator');
          if (!pending) {
            await ctx.aws.call('securityhub', 'UpdateOrganizationConfiguration', input, ctx.target);
            await ctx.recordInflight(CENTRAL_WAIT, {
              service: 'securityhub',
              operation: 'UpdateOrganizationConfiguration',
              requestId: 'CENTRAL',
            });
          }
          await waitCentral(ctx);
          await ctx.clearInflight(CENTRAL_WAIT);
          return {};
        }),
      });
    }

    // 4. The configuration policy, found by name.
    const policy = seen.policy;
    let policyId: Val;
    if (!policy) {
      const input = {
        Name: POLICY_NAME,
        Description:
          'secure-start: Security Hub on, AWS Foundational Security Best Practices v1.0.0 with every control',
        ConfigurationPolicy: desiredPolicyContent(want),
      };
      out.push({
        kind: 'call',
        symbol: '+',
        service: 'securityhub',
        operation: 'CreateConfigurationPolicy',
        input,
        target: auditTarget,
        summary: `+ securityhub:CreateConfigurationPolicy ${POLICY_NAME} (Security Hub on; AWS Foundational Security Best Practices v1.0.0, every control)`,
        produces: [POLICY_KEY],
        run: gates.opens('policy', async (ctx) => {
          await gates.wait(ctx, 'central', 'waiting for central configuration');
          // Found again first: made by a run that stopped before it saw the answer.
          const all = (await ctx.aws.pages('securityhub', 'ListConfigurationPolicies', {}, ctx.target)).flatMap(
            (p) => p.ConfigurationPolicySummaries ?? [],
          );
          const id =
            all.find((p) => p.Name === POLICY_NAME)?.Id ??
            (await ctx.aws.call('securityhub', 'CreateConfigurationPolicy', ctx.input as never, ctx.target)).Id;
          if (!id) throw new StepError("Security Hub did not return the new configuration policy's ID.", 'Run again.');
          return { value: id, out: { [POLICY_KEY]: id } };
        }),
      });
      policyId = ref(POLICY_KEY);
    } else {
      policyId = policy.id;
      if (policy.problems.length) {
        const input = { Identifier: policy.id, ConfigurationPolicy: desiredPolicyContent(want) };
        out.push({
          kind: 'call',
          symbol: '~',
          service: 'securityhub',
          operation: 'UpdateConfigurationPolicy',
          input,
          target: auditTarget,
          summary: `~ securityhub:UpdateConfigurationPolicy ${POLICY_NAME} (${policy.problems.join('; ')}; Security Hub on, AWS Foundational Security Best Practices v1.0.0, every control)`,
        });
      }
    }

    // 5. The root's association, applied (SUCCESS), and every account and region as it says.
    const a = seen.association;
    const ours = !!policy && a?.policyId === policy.id;
    const off = seen.hubs.filter((h) => !h.hub || !h.fsbp);
    const pendingAssoc = ours && a?.status === 'PENDING';
    if (!ours || a?.status !== 'SUCCESS' || off.length) {
      const why = !a
        ? 'the root has no configuration policy'
        : !ours
          ? `the root has ${a.policyId === 'SELF_MANAGED_SECURITY_HUB' ? 'self-managed Security Hub' : `another policy (${a.policyId})`}`
          : a.status === 'FAILED'
            ? `the last association failed${a.message ? `: ${a.message}` : ''}`
            : a.status === 'PENDING'
              ? 'already being applied; wait for it'
              : `apply it again: ${off.map((h) => `${h.account} ${h.region} ${!h.hub ? 'has Security Hub off' : 'has the standard off'}`).join(', ')}`;
      const input = { ConfigurationPolicyIdentifier: policyId, Target: { RootId: seen.rootId } };
      out.push({
        kind: 'call',
        symbol: a ? '~' : '+',
        service: 'securityhub',
        operation: 'StartConfigurationPolicyAssociation',
        input,
        target: auditTarget,
        summary: `${a ? '~' : '+'} securityhub:StartConfigurationPolicyAssociation ${POLICY_NAME} → the organization root (${why})`,
        async run(ctx) {
          const id =
            (await gates.wait(ctx, 'policy', 'waiting for the configuration policy')) ??
            (ctx.input as { ConfigurationPolicyIdentifier: string }).ConfigurationPolicyIdentifier;
          const RootId = (ctx.input as { Target: { RootId: string } }).Target.RootId;
          if (!pendingAssoc) {
            await ctx.aws.call(
              'securityhub',
              'StartConfigurationPolicyAssociation',
              { ConfigurationPolicyIdentifier: id, Target: { RootId } },
              ctx.target,
            );
            await ctx.recordInflight(assocWait(RootId), {
              service: 'securityhub',
              operation: 'StartConfigurationPolicyAssociation',
              requestId: id,
            });
          }
          await ctx.poll(
            'applying the Security Hub policy to every account and region (usually a minute or two)',
            async () => {
              const r = await ctx.aws.call(
                'securityhub',
                'GetConfigurationPolicyAssociation',
                { Target: { RootId } },
                ctx.target,
              );
              if (r.AssociationStatus === 'FAILED') {
                throw new StepError(
                  `Security Hub could not apply ${POLICY_NAME} to the organization${r.AssociationStatusMessage ? `: ${r.AssociationStatusMessage}` : ''}.`,
                  'Fix what the message names, then run again.',
                );
              }
              return r.AssociationStatus === 'SUCCESS' ? true : undefined;
            },
            { firstDelayMs: 2000, timeoutMs: 15 * 60_000 },
          );
          await ctx.clearInflight(assocWait(RootId));
        },
      });
    }
    return out;
  },
};

/** Waits for central configuration to be ENABLED (FAILED says why). */
async function waitCentral(ctx: RunContext): Promise<void> {
  await ctx.poll(
    'turning on Security Hub central configuration (usually under a minute)',
    async () => {
      const r = await ctx.aws.call('securityhub', 'DescribeOrganizationConfiguration', {}, ctx.target);
      const oc = r.OrganizationConfiguration;
      if (oc?.Status === 'FAILED') {
        throw new StepError(
          `Security Hub could not turn on central configuration${oc.StatusMessage ? `: ${oc.StatusMessage}` : ''}.`,
          'Fix what the message names (the finding aggregator must stay in the home region), then run again.',
        );
      }
      return oc?.ConfigurationType === 'CENTRAL' && oc.Status === 'ENABLED' ? true : undefined;
    },
    { firstDelayMs: 2000, timeoutMs: 10 * 60_000 },
  );
}
