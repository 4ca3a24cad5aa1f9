// Service control policies: secure-start-guardrails on the root, secure-start-log-protection
// on the log-archive account's OU (Security), and the opt-in secure-start-region-guard on the
// root. Policies are found by name (CreatePolicy has no idempotency token), corrected in place
// with UpdatePolicy when someone edited them, and attached where they are missing. AWS allows
// at most five SCPs per target: when there is no room, the founder is told which ones are
// there. Every deny exempts OrganizationAccountAccessRole, so secure-start (which works in
// member accounts through that role) can still repair them after the policies are on.
// SCPs never apply to the management account.
// Covers: SSB ACCT.02, ACCT.07, ACCT.08, ACCT.13, ACCT.17 (opt-in).
import { StepError, ref, type Action, type Step, type Val, stepConfig } from './contract.js';
import { z } from 'zod';
import type { Baseline } from '../config/schema.js';
import { ORG_TARGET, orgKnown } from './lib/org-common.js';
import { SCPS, samePolicy, scpContent, type ScpDef } from './lib/org-scp-policies.js';
import { ouKey } from './organizational-units.js';
import { SCP_TYPE } from './trusted-access.js';
import { findExisting } from './lib/eventual.js';
import { isAwsError } from '../aws/errors.js';

export const MAX_SCPS_PER_TARGET = 5;
export const scpKey = (name: string): string => `scp.${name}.id`;

export interface ScpSeen {
  rootId: Val;
  /** The OU of the log-archive account (Security by default). */
  logOuId: Val;
  /** Our policies that exist, by name. */
  policies: Record<string, { id: string; content?: string }>;
  /** Policy name → IDs of the targets it is attached to. */
  attached: Record<string, string[]>;
  /** Target ID → names of every SCP attached to it (FullAWSAccess and the founder's own included). */
  perTarget: Record<string, string[]>;
}

const logOuName = (want: Baseline): string =>
  want.accounts.find((a) => a.name === want.logArchiveAccount)?.ou ?? 'Security';

const targetOf = (def: ScpDef, seen: ScpSeen): Val => (def.target === 'root' ? seen.rootId : seen.logOuId);
const targetText = (def: ScpDef, want: Baseline): string =>
  def.target === 'root' ? 'the root' : `the ${logOuName(want)} OU`;

const LIMIT_HINT = (where: string, names: string[]) =>
  `AWS allows at most ${MAX_SCPS_PER_TARGET} service control policies on one target, and ${where} already has ${names.length}: ${names.join(', ')}. Detach one you do not need (AWS Organizations → Policies → Service control policies), or merge two of yours into one, then run again.`;

/** What the plan says next to a policy's name: what it blocks and what that breaks. */
export function scpDetails(def: ScpDef, want: Baseline): string[] {
  return [`blocks ${def.blocks(want)}`, `breaks ${def.breaks(want)}`];
}

/** Which guardrail SCPs to attach (the region guard is asked in the wizard; off by default). */
export const config = stepConfig({
  key: 'scps',
  schema: () => z.strictObject({ guardrails: z.boolean(), logProtection: z.boolean(), regionGuard: z.boolean() }),
  defaults: () => ({ guardrails: true, logProtection: true, regionGuard: false }),
});

export const serviceControlPolicies: Step<ScpSeen, typeof config> = {
  config,
  id: 'service-control-policies',
  title: 'Service control policies (guardrails, log protection, region guard)',
  outputs: ['scp.*.id'],
  questions: [
    {
      path: 'scps.regionGuard',
      title: 'Region guard (a service control policy)',
      note: (b) => regionGuardNote(b.allowedRegions),
      message: (b) => `Turn on the region guard for ${b.allowedRegions.join(', ')}? (recommended)`,
      initial: true,
    },
  ],
  needs: ['organizational-units', 'trusted-access'],
  controls: ['SSB ACCT.02', 'SSB ACCT.07', 'SSB ACCT.08', 'SSB ACCT.13', 'SSB ACCT.17'],
  severity: 'high',
  why: 'The guardrails stop anyone in the member accounts from turning off logging, leaving the organization or creating long-lived keys.',
  // Only the policies this config turns on are named, with only their controls (the region
  // guard is opt-in: nothing may claim SSB ACCT.17 without it).
  describe(want) {
    const on = SCPS.filter((d) => d.enabled(want));
    const label: Record<string, string> = {
      'secure-start-guardrails': 'guardrails',
      'secure-start-log-protection': 'log protection',
      'secure-start-region-guard': 'region guard',
    };
    return {
      title: `Service control policies (${on.length ? on.map((d) => label[d.name] ?? d.name).join(', ') : 'all turned off in the config'})`,
      controls: [...new Set(on.flatMap((d) => d.controls))].sort(),
    };
  },

  async observe(ctx) {
    if (!orgKnown(ctx)) return serviceControlPolicies.fresh(ctx);
    const rootId = ctx.value('org.rootId')!;
    const logOuId = ctx.ref(ouKey(logOuName(ctx.want)));
    const summaries = (await ctx.aws.pages('organizations', 'ListPolicies', { Filter: SCP_TYPE })).flatMap(
      (p) => p.Policies ?? [],
    );
    const policies: ScpSeen['policies'] = {};
    const attached: ScpSeen['attached'] = {};
    for (const def of SCPS) {
      const listed = summaries.find((x) => x.Name === def.name && x.Id)?.Id;
      // Made a moment ago, not listed yet (eventual consistency): read the ID this state file knows.
      const id = listed ?? ctx.value(scpKey(def.name));
      if (!id) continue;
      let p;
      try {
        p = (await ctx.aws.call('organizations', 'DescribePolicy', { PolicyId: id })).Policy;
      } catch (e) {
        if (!listed && isAwsError(e, 'PolicyNotFoundException')) continue;
        throw e;
      }
      if (!listed && p?.PolicySummary?.Name !== def.name) continue;
      policies[def.name] = { id, content: p?.Content };
      ctx.publish(scpKey(def.name), id);
      const targets = (await ctx.aws.pages('organizations', 'ListTargetsForPolicy', { PolicyId: id })).flatMap(
        (x) => x.Targets ?? [],
      );
      attached[def.name] = targets.map((t) => t.TargetId ?? '').filter(Boolean);
    }
    const perTarget: ScpSeen['perTarget'] = {};
    for (const target of [rootId, logOuId]) {
      if (typeof target !== 'string' || perTarget[target]) continue;
      const on = (
        await ctx.aws.pages('organizations', 'ListPoliciesForTarget', { TargetId: target, Filter: SCP_TYPE })
      ).flatMap((p) => p.Policies ?? []);
      perTarget[target] = on.map((p) => p.Name ?? p.Id ?? '?');
    }
    return { rootId, logOuId, policies, attached, perTarget };
  },

  // A new organization's root, and every new OU, carries AWS's FullAWSAccess policy.
  fresh: (ctx) => {
    const rootId = ctx.ref('org.rootId');
    const logOuId = ctx.ref(ouKey(logOuName(ctx.want)));
    return {
      rootId,
      logOuId,
      policies: {},
      attached: {},
      perTarget: { [String(rootId)]: ['FullAWSAccess'], [String(logOuId)]: ['FullAWSAccess'] },
    };
  },

  plan(want, seen) {
    const actions: Action[] = [];
    // Counts attachments per target as the plan adds them, so the limit covers ours too.
    const onTarget = new Map<string, string[]>(Object.entries(seen.perTarget).map(([k, v]) => [k, [...v]]));
    const countOn = (t: Val) => onTarget.get(String(t)) ?? (typeof t === 'string' ? [] : ['FullAWSAccess']);

    for (const def of SCPS) {
      const existing = seen.policies[def.name];
      const target = targetOf(def, seen);
      const isAttached =
        existing !== undefined && typeof target === 'string' && (seen.attached[def.name] ?? []).includes(target);

      if (!def.enabled(want)) {
        // Turned off in the config: detach it (the policy itself stays, unattached).
        if (existing && isAttached) {
          actions.push({
            kind: 'call',
            symbol: '-',
            service: 'organizations',
            operation: 'DetachPolicy',
            target: ORG_TARGET,
            input: { PolicyId: existing.id, TargetId: target },
            controls: def.controls,
            summary: `- organizations:DetachPolicy ${def.name} from ${targetText(def, want)} (turned off in the config)`,
          });
        }
        continue;
      }

      const Content = scpContent(def, want);
      const key = scpKey(def.name);
      let PolicyId: Val;
      if (!existing) {
        const input = { Name: def.name, Description: def.description, Type: SCP_TYPE, Content };
        actions.push({
          kind: 'call',
          symbol: '+',
          service: 'organizations',
          operation: 'CreatePolicy',
          target: ORG_TARGET,
          input,
          summary: `+ organizations:CreatePolicy ${def.name} (${Content.length} characters)`,
          details: scpDetails(def, want),
          produces: [key],
          controls: def.controls,
          async run(ctx) {
            try {
              const p = (await ctx.aws.call('organizations', 'CreatePolicy', input)).Policy;
              const id = p?.PolicySummary?.Id;
              if (!id)
                throw new StepError(
                  `AWS created the policy ${def.name} but returned no ID.`,
                  'Run again; it will be found by name.',
                );
              return { [key]: id };
            } catch (e) {
              // Made meanwhile: adopt it; the next round compares its content.
              if (isAwsError(e, 'DuplicatePolicyException')) {
                const id = await findExisting(
                  ctx,
                  `the policy ${def.name}`,
                  async () =>
                    (await ctx.aws.pages('organizations', 'ListPolicies', { Filter: SCP_TYPE }))
                      .flatMap((p) => p.Policies ?? [])
                      .find((p) => p.Name === def.name)?.Id,
                );
                if (id) return { [key]: id };
              }
              if (isAwsError(e, 'PolicyTypeNotEnabledException'))
                throw new StepError(
                  'Service control policies are not enabled on the root yet.',
                  'Run again: the trusted-access step enables them first.',
                );
              if (isAwsError(e, 'ConstraintViolationException'))
                throw new StepError(
                  `AWS refused the policy ${def.name}: ${(e as Error).message}`,
                  'Organizations allows 1,000 SCPs of at most 5,120 characters each; delete policies you no longer use, then run again.',
                );
              throw e;
            }
          },
        });
        PolicyId = ref(key);
      } else {
        PolicyId = existing.id;
        if (!samePolicy(existing.content, Content)) {
          actions.push({
            kind: 'call',
            symbol: '~',
            service: 'organizations',
            operation: 'UpdatePolicy',
            target: ORG_TARGET,
            input: { PolicyId, Content },
            controls: def.controls,
            summary: `~ organizations:UpdatePolicy ${def.name} (its content was changed outside secure-start; restoring it)`,
          });
        }
      }

      if (isAttached) continue;
      const there = countOn(target);
      const where = targetText(def, want);
      if (there.length >= MAX_SCPS_PER_TARGET) {
        actions.push({
          kind: 'manual',
          symbol: '!',
          service: 'console',
          operation: 'DetachPolicy',
          target: ORG_TARGET,
          input: {},
          controls: def.controls,
          summary: `! ${def.name} cannot be attached to ${where}: it already has ${there.length} SCPs (AWS's limit is ${MAX_SCPS_PER_TARGET})`,
          manual: {
            instructions: [LIMIT_HINT(where, there), `secure-start then attaches ${def.name}.`],
            why: `${def.name} is part of the baseline (${def.controls.join(', ')}).`,
            link: 'https://console.aws.amazon.com/organizations/v2/home/policies/service-control-policy',
            blocking: true,
          },
        });
        continue;
      }
      onTarget.set(String(target), [...there, def.name]);
      const input = { PolicyId, TargetId: target };
      actions.push({
        kind: 'call',
        symbol: '+',
        service: 'organizations',
        operation: 'AttachPolicy',
        target: ORG_TARGET,
        input,
        controls: def.controls,
        summary: `+ organizations:AttachPolicy ${def.name} → ${where}`,
        // What it blocks is said once, with the policy's creation; an existing policy attached again says it here.
        ...(existing ? { details: scpDetails(def, want) } : {}),
        async run(ctx) {
          const i = ctx.input as { PolicyId: string; TargetId: string };
          try {
            await ctx.aws.call('organizations', 'AttachPolicy', i);
          } catch (e) {
            if (isAwsError(e, 'DuplicatePolicyAttachmentException')) return;
            if (isAwsError(e, 'ConstraintViolationException')) {
              const names = (
                await ctx.aws.pages('organizations', 'ListPoliciesForTarget', {
                  TargetId: i.TargetId,
                  Filter: SCP_TYPE,
                })
              )
                .flatMap((p) => p.Policies ?? [])
                .map((p) => p.Name ?? p.Id ?? '?');
              throw new StepError(
                `AWS refused to attach ${def.name} to ${where}: ${(e as Error).message}`,
                LIMIT_HINT(where, names),
              );
            }
            if (isAwsError(e, 'PolicyTypeNotEnabledException'))
              throw new StepError(
                'Service control policies are not enabled on the root yet.',
                'Run again: the trusted-access step enables them first.',
              );
            throw e;
          }
        },
      });
    }
    return actions;
  },
};

/** What the region guard blocks and what it leaves alone, before the founder decides. */
export function regionGuardNote(regions: string[]): string {
  return [
    `It refuses regional services (EC2, S3 buckets, Lambda, databases, …) in every region but ${regions.join(', ')}, for everyone in the member accounts, so nothing can run unseen where you do not look (SSB ACCT.17).`,
    'Global services (IAM, Organizations, billing, CloudFront, Route 53, …) keep working everywhere.',
    'It cannot restrict the management account: AWS never applies SCPs there.',
    'Easy to change later: set "scps": { "regionGuard": false } (or true) in a config file and run again.',
  ].join('\n');
}
