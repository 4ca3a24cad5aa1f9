// Amazon GuardDuty for the whole organization, in every allowed region, run from the audit
// account as its delegated administrator: the audit account's detector first (so it starts
// with our settings), then the management account designates it
// (EnableOrganizationAdminAccount, per region: GuardDuty's own API, which also turns on trusted
// access and registers the delegated administrator in Organizations,
// https://docs.aws.amazon.com/guardduty/latest/APIReference/API_EnableOrganizationAdminAccount.html),
// then the organization configuration auto-enables GuardDuty for every account, existing and new
// (AutoEnableOrganizationMembers ALL,
// https://docs.aws.amazon.com/guardduty/latest/APIReference/API_UpdateOrganizationConfiguration.html)
// with the protection plans the config turns on. Members join in the background; a member whose
// detector was deleted (ListMembers shows it, not Enabled) is added back with CreateMembers.
// One detector per account and region (CreateDetector refuses a second): it is found first.
// Covers: SSB ACCT.14.
import { z } from 'zod';
import {
  StepError,
  ref,
  stepConfig,
  type Action,
  type Step,
  type StepContext,
  type Target,
  type Val,
} from './contract.js';
import { isAwsError } from '../aws/errors.js';

/** Protection plans in the config → GuardDuty feature names (DetectorFeatureConfiguration). */
export const PROTECTION = {
  s3: 'S3_DATA_EVENTS',
  eks: 'EKS_AUDIT_LOGS',
  runtime: 'RUNTIME_MONITORING',
  malware: 'EBS_MALWARE_PROTECTION',
  rds: 'RDS_LOGIN_EVENTS',
  lambda: 'LAMBDA_NETWORK_LOGS',
} as const;
type Plan = keyof typeof PROTECTION;
const MANAGED = new Set<string>(Object.values(PROTECTION));

export const config = stepConfig({
  key: 'guardDuty',
  schema: () =>
    z.strictObject({
      enabled: z.boolean(),
      // How often updates to existing findings are exported (new findings go out within
      // minutes either way); 15 minutes keeps alerts close to what the console shows.
      findingFrequency: z.enum(['FIFTEEN_MINUTES', 'ONE_HOUR', 'SIX_HOURS'], {
        error: 'the finding frequency must be FIFTEEN_MINUTES, ONE_HOUR or SIX_HOURS',
      }),
      protection: z.strictObject({
        s3: z.boolean(),
        eks: z.boolean(),
        runtime: z.boolean(),
        malware: z.boolean(),
        rds: z.boolean(),
        lambda: z.boolean(),
      }),
    }),
  // S3 protection on (a startup's data is in S3); the plans for workloads it may not run yet
  // (EKS, runtime agents, EC2 malware scans, RDS, Lambda) off until asked.
  defaults: () => ({
    enabled: true,
    findingFrequency: 'FIFTEEN_MINUTES' as const,
    protection: { s3: true, eks: false, runtime: false, malware: false, rds: false, lambda: false },
  }),
});

type Frequency = 'FIFTEEN_MINUTES' | 'ONE_HOUR' | 'SIX_HOURS';

export interface GuardDutyRegion {
  region: string;
  /** The organization's GuardDuty administrator in this region (undefined: none). */
  admin?: string;
  /** The audit account's detector, or a Ref to the one CreateDetector will make. */
  detectorId: Val;
  frequency?: string;
  /** Feature name → ENABLED / DISABLED on the audit account's detector. */
  features: Record<string, string>;
  /** The organization configuration, once audit is the administrator. */
  autoEnable?: string;
  orgFeatures: Record<string, string>;
  /** Members the administrator lists that are not Enabled (their detector was removed). */
  lapsed: { accountId: string; email: string; status: string }[];
}

export interface GuardDutySeen {
  auditId: Val;
  regions: GuardDutyRegion[];
}

const detectorKey = (region: string): string => `guardDuty.${region}.detectorId`;
const adminKey = (region: string): string => `guardDuty.${region}.admin`;

/** The features as GuardDuty takes them, from the config. */
export function wantedFeatures(
  p: Record<Plan, boolean>,
): { Name: (typeof PROTECTION)[Plan]; Status: 'ENABLED' | 'DISABLED' }[] {
  return (Object.keys(PROTECTION) as Plan[]).map((k) => ({
    Name: PROTECTION[k],
    Status: p[k] ? 'ENABLED' : 'DISABLED',
  }));
}

const auditTarget = (auditId: Val, region: string): Target => ({ account: auditId, region });

function freshRegion(ctx: StepContext, region: string): GuardDutyRegion {
  return { region, detectorId: ctx.ref(detectorKey(region)), features: {}, orgFeatures: {}, lapsed: [] };
}

export const guardDuty: Step<GuardDutySeen, typeof config> = {
  id: 'guardduty',
  title: 'GuardDuty in every account and allowed region, run from the audit account',
  // Member accounts are reached through OrganizationAccountAccessRole, which the root user cannot assume.
  needs: ['accounts', 'leave-root'],
  controls: ['SSB ACCT.14'],
  severity: 'high',
  why: 'Without GuardDuty nobody is told when credentials are misused, a bucket is probed or an instance talks to a known bad host.',
  config,
  outputs: ['guardDuty.*'],
  enabled: (want) => want.guardDuty.enabled,
  // https://aws.amazon.com/guardduty/pricing/
  notes: (_want, planned) =>
    planned.has('guardduty:EnableOrganizationAdminAccount')
      ? {
          money: [
            'GuardDuty: free for 30 days in each account and region, then priced by the events and logs it analyses: for a new company with little running, usually 1 to 5 USD a month per account and region (the console shows the estimate during the trial).',
          ],
        }
      : {},

  async observe(ctx) {
    const auditName = ctx.want.auditAccount;
    const auditId = ctx.value(`${auditName}.accountId`);
    if (!auditId || ctx.value('org.id') === undefined) return guardDuty.fresh(ctx);
    const regions: GuardDutyRegion[] = [];
    for (const region of ctx.want.allowedRegions) {
      const admins = (await ctx.aws.pages('guardduty', 'ListOrganizationAdminAccounts', {}, { region }))
        .flatMap((p) => p.AdminAccounts ?? [])
        .filter((a) => a.AdminStatus === 'ENABLED');
      const admin = admins[0]?.AdminAccountId;
      if (admin && admin !== auditId) {
        // One GuardDuty administrator per organization: replacing someone's choice is not ours to do.
        throw new StepError(
          `GuardDuty in ${region} is administered by account ${admin}, not by the ${auditName} account.`,
          'If that is intended, set "guardDuty": { "enabled": false } in the config; otherwise remove it in the GuardDuty console of the management account (Settings → Delegated administrator) and run again.',
        );
      }
      const target = { account: auditId, region };
      const ids = (await ctx.aws.pages('guardduty', 'ListDetectors', {}, target)).flatMap((p) => p.DetectorIds ?? []);
      // No detector yet: later actions refer to the one CreateDetector makes.
      // (a Ref, not ctx.ref: the state file may still hold the ID of a detector deleted since).
      const r: GuardDutyRegion = {
        region,
        ...(admin ? { admin } : {}),
        detectorId: ref(detectorKey(region)),
        features: {},
        orgFeatures: {},
        lapsed: [],
      };
      if (admin === auditId) ctx.publish(adminKey(region), auditId);
      const detectorId = ids[0];
      if (detectorId) {
        r.detectorId = detectorId;
        ctx.publish(detectorKey(region), detectorId);
        const d = await ctx.aws.call('guardduty', 'GetDetector', { DetectorId: detectorId }, target);
        r.frequency = d.FindingPublishingFrequency;
        // Only the plans the config manages (the foundational sources are always on).
        for (const f of d.Features ?? [])
          if (f.Name && MANAGED.has(f.Name)) r.features[f.Name] = f.Status ?? 'DISABLED';
        if (admin === auditId) {
          const c = await ctx.aws.call(
            'guardduty',
            'DescribeOrganizationConfiguration',
            { DetectorId: detectorId },
            target,
          );
          r.autoEnable = c.AutoEnableOrganizationMembers;
          for (const f of c.Features ?? []) if (f.Name) r.orgFeatures[f.Name] = f.AutoEnable ?? 'NONE';
          const members = (
            await ctx.aws.pages('guardduty', 'ListMembers', { DetectorId: detectorId, OnlyAssociated: 'false' }, target)
          ).flatMap((p) => p.Members ?? []);
          r.lapsed = members
            .filter((m) => m.RelationshipStatus !== 'Enabled' && m.AccountId)
            .map((m) => ({ accountId: m.AccountId!, email: m.Email ?? '', status: m.RelationshipStatus ?? 'unknown' }));
        }
      }
      regions.push(r);
    }
    return { auditId, regions };
  },

  fresh: (ctx) => ({
    auditId: ctx.ref(`${ctx.want.auditAccount}.accountId`),
    regions: ctx.want.allowedRegions.map((r) => freshRegion(ctx, r)),
  }),

  plan(want, seen) {
    const g = want.guardDuty;
    const features = wantedFeatures(g.protection);
    const auditName = want.auditAccount;
    const actions: Action[] = [];
    for (const r of seen.regions) {
      const target = auditTarget(seen.auditId, r.region);
      const detectorKnown = typeof r.detectorId === 'string';
      if (!detectorKnown) {
        const input = { Enable: true, FindingPublishingFrequency: g.findingFrequency as Frequency, Features: features };
        actions.push({
          kind: 'call',
          symbol: '+',
          service: 'guardduty',
          operation: 'CreateDetector',
          input,
          target,
          summary: `+ guardduty:CreateDetector ${auditName} ${r.region} (findings every ${g.findingFrequency.toLowerCase().replace('_', ' ')}; ${onOff(g.protection)})`,
          produces: [detectorKey(r.region)],
          async run(ctx) {
            try {
              return {
                [detectorKey(r.region)]: (await ctx.aws.call('guardduty', 'CreateDetector', input, ctx.target))
                  .DetectorId!,
              };
            } catch (e) {
              // One detector per account and region: one made by a run that stopped first is adopted.
              if (!isAwsError(e, 'BadRequestException') || !/already exists/i.test((e as Error).message)) throw e;
              const id = (await ctx.aws.pages('guardduty', 'ListDetectors', {}, ctx.target)).flatMap(
                (p) => p.DetectorIds ?? [],
              )[0];
              if (!id) throw e;
              return { [detectorKey(r.region)]: id };
            }
          },
        });
      } else {
        const wrong = features.filter((f) => (r.features[f.Name] ?? 'DISABLED') !== f.Status);
        if (r.frequency !== g.findingFrequency || wrong.length) {
          const input = {
            DetectorId: r.detectorId!,
            FindingPublishingFrequency: g.findingFrequency as Frequency,
            Features: features,
          };
          actions.push({
            kind: 'call',
            symbol: '~',
            service: 'guardduty',
            operation: 'UpdateDetector',
            input,
            target,
            confirmed: true,
            summary: `~ guardduty:UpdateDetector ${auditName} ${r.region}: ${[
              ...(r.frequency !== g.findingFrequency
                ? [`findings every ${g.findingFrequency} (was ${r.frequency ?? 'unset'})`]
                : []),
              ...wrong.map((f) => `${f.Name} ${f.Status.toLowerCase()}`),
            ].join(', ')}`,
          });
        }
      }
      if (!r.admin) {
        const input = { AdminAccountId: seen.auditId };
        actions.push({
          kind: 'call',
          symbol: '+',
          service: 'guardduty',
          operation: 'EnableOrganizationAdminAccount',
          input,
          target: { account: 'management', region: r.region },
          summary: `+ guardduty:EnableOrganizationAdminAccount ${auditName} in ${r.region} (the delegated administrator)`,
          produces: [adminKey(r.region)],
          after: [detectorKey(r.region)],
          async run(ctx) {
            const { AdminAccountId } = ctx.input as { AdminAccountId: string };
            await ctx.aws.call('guardduty', 'EnableOrganizationAdminAccount', { AdminAccountId }, ctx.target);
            return { [adminKey(r.region)]: AdminAccountId };
          },
        });
      }
      const orgFeatures = features.map((f) => ({
        Name: f.Name,
        AutoEnable: f.Status === 'ENABLED' ? ('ALL' as const) : ('NONE' as const),
      }));
      const orgWrong = orgFeatures.filter((f) => (r.orgFeatures[f.Name] ?? 'NONE') !== f.AutoEnable);
      if (!r.admin || r.autoEnable !== 'ALL' || orgWrong.length) {
        const input = {
          DetectorId: r.detectorId!,
          AutoEnableOrganizationMembers: 'ALL' as const,
          Features: orgFeatures,
        };
        actions.push({
          kind: 'call',
          symbol: r.admin ? '~' : '+',
          service: 'guardduty',
          operation: 'UpdateOrganizationConfiguration',
          input,
          target,
          confirmed: true,
          summary: `${r.admin ? '~' : '+'} guardduty:UpdateOrganizationConfiguration ${r.region}: every account, existing and new${r.admin && r.autoEnable !== 'ALL' ? ` (was ${r.autoEnable ?? 'unset'})` : ''}`,
          after: [adminKey(r.region)],
        });
      }
      if (r.lapsed.length) {
        const input = {
          DetectorId: r.detectorId!,
          AccountDetails: r.lapsed.map((m) => ({ AccountId: m.accountId, Email: m.email })),
        };
        actions.push({
          kind: 'call',
          symbol: '~',
          service: 'guardduty',
          operation: 'CreateMembers',
          input,
          target,
          confirmed: true,
          summary: `~ guardduty:CreateMembers ${r.region}: ${r.lapsed.map((m) => `${m.accountId} (${m.status})`).join(', ')} back under the ${auditName} account`,
        });
      }
    }
    return actions;
  },
};

/** "S3 protection on; EKS, runtime, … off" for a summary line. */
function onOff(p: Record<Plan, boolean>): string {
  const on = (Object.keys(PROTECTION) as Plan[]).filter((k) => p[k]);
  const off = (Object.keys(PROTECTION) as Plan[]).filter((k) => !p[k]);
  return [on.length ? `${on.join(', ')} protection on` : '', off.length ? `${off.join(', ')} off` : '']
    .filter(Boolean)
    .join('; ');
}
