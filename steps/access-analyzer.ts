// IAM Access Analyzer for the whole organization: an analyzer of type ORGANIZATION in the audit
// account (the delegated administrator for access-analyzer.amazonaws.com, registered by the
// delegated-admins step from the declaration below) in every allowed region, since it analyses
// the resources of its own region (IAM roles and other global resources in every region's
// findings, buckets, keys, queues where they live). External access analysis is free
// (https://aws.amazon.com/iam/access-analyzer/pricing/); the unused-access analyzer is not
// and is left out. Found by name first (names are unique per account and region: a second
// CreateAnalyzer is ConflictException,
// https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_CreateAnalyzer.html).
// Covers: SSB ACCT.11.
import { z } from 'zod';
import { stepConfig, type Action, type Step, type Val } from './contract.js';
import { isAwsError } from '../aws/errors.js';

export const ANALYZER_NAME = 'secure-start-organization';
export const ACCESS_ANALYZER = 'access-analyzer.amazonaws.com';

export const config = stepConfig({
  key: 'accessAnalyzer',
  schema: () => z.strictObject({ enabled: z.boolean() }),
  defaults: () => ({ enabled: true }),
});

export interface AnalyzerRegion {
  region: string;
  /** Our analyzer's ARN when it exists. */
  arn?: string;
  status?: string;
  /** Why AWS disabled it (its prerequisites went: trusted access, the delegated administrator). */
  reason?: string;
}

export interface AccessAnalyzerSeen {
  auditId: Val;
  regions: AnalyzerRegion[];
}

const arnKey = (region: string): string => `accessAnalyzer.${region}.arn`;

export const accessAnalyzer: Step<AccessAnalyzerSeen, typeof config> = {
  id: 'access-analyzer',
  title: 'IAM Access Analyzer for the organization, in the audit account',
  // The audit account is reached through OrganizationAccountAccessRole, which the root user cannot assume.
  needs: ['delegated-admins', 'leave-root'],
  controls: ['SSB ACCT.11'],
  severity: 'medium',
  why: 'Without it, a bucket, key or role shared outside the organization goes unnoticed.',
  config,
  outputs: ['accessAnalyzer.*'],
  delegatedAdmins: [{ servicePrincipal: ACCESS_ANALYZER, account: (b) => b.auditAccount }],
  enabled: (want) => want.accessAnalyzer.enabled,
  notes: (_want, planned) =>
    planned.has('accessanalyzer:CreateAnalyzer') ? { money: ['IAM Access Analyzer (external access): free.'] } : {},

  async observe(ctx) {
    const auditId = ctx.value(`${ctx.want.auditAccount}.accountId`);
    if (!auditId || ctx.value('org.id') === undefined) return accessAnalyzer.fresh(ctx);
    const regions: AnalyzerRegion[] = [];
    for (const region of ctx.want.allowedRegions) {
      const found = (
        await ctx.aws.pages(
          'accessanalyzer',
          'ListAnalyzers',
          { type: 'ORGANIZATION' },
          { account: auditId, region },
          { input: 'nextToken', output: 'nextToken' },
        )
      )
        .flatMap((p) => p.analyzers ?? [])
        .find((a) => a.name === ANALYZER_NAME);
      if (found?.arn) ctx.publish(arnKey(region), found.arn);
      regions.push({
        region,
        ...(found?.arn
          ? {
              arn: found.arn,
              status: found.status,
              ...(found.statusReason?.code ? { reason: found.statusReason.code } : {}),
            }
          : {}),
      });
    }
    return { auditId, regions };
  },

  fresh: (ctx) => ({
    auditId: ctx.ref(`${ctx.want.auditAccount}.accountId`),
    regions: ctx.want.allowedRegions.map((region) => ({ region })),
  }),

  plan(want, seen) {
    const actions: Action[] = [];
    for (const r of seen.regions) {
      if (r.arn) {
        // DISABLED means a prerequisite went (trusted access or the delegated administrator);
        // the steps that own those repair it, and AWS turns the analyzer back on.
        continue;
      }
      // The same token for the same analyzer: a retry after a lost answer makes no second one.
      const input = {
        analyzerName: ANALYZER_NAME,
        type: 'ORGANIZATION' as const,
        clientToken: `${ANALYZER_NAME}-${r.region}`,
      };
      actions.push({
        kind: 'call',
        symbol: '+',
        service: 'accessanalyzer',
        operation: 'CreateAnalyzer',
        input,
        target: { account: seen.auditId, region: r.region },
        summary: `+ accessanalyzer:CreateAnalyzer ${ANALYZER_NAME} (organization) in ${want.auditAccount} ${r.region}`,
        produces: [arnKey(r.region)],
        async run(ctx) {
          try {
            return {
              [arnKey(r.region)]: (await ctx.aws.call('accessanalyzer', 'CreateAnalyzer', input, ctx.target)).arn!,
            };
          } catch (e) {
            if (!isAwsError(e, 'ConflictException')) throw e;
            // Made by a run that stopped before it saw the answer.
            const a = await ctx.aws.call('accessanalyzer', 'GetAnalyzer', { analyzerName: ANALYZER_NAME }, ctx.target);
            return { [arnKey(r.region)]: a.analyzer!.arn! };
          }
        },
      });
    }
    return actions;
  },
};
