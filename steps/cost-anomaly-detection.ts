// Cost Anomaly Detection in the management account: a DIMENSIONAL monitor on SERVICE (AWS
// allows one per account and creates "Default-Services-Monitor" itself in newer accounts, so
// an existing one is reused, never duplicated) and an e-mail subscription that reports
// anomalies whose total impact reaches the threshold. The subscription is found by name
// and corrected in place (threshold, frequency, subscribers, monitor). Its name derives from
// the short name, which a founder may change after a run: the subscription's ARN is kept in
// the state file (anomaly.subscriptionArn), and one found by that ARN under its old name is
// renamed in place (UpdateAnomalySubscription takes a new SubscriptionName), never doubled.
// Covers: SSB ACCT.16.
import {
  StepError,
  mgmt,
  ref,
  type Action,
  type RunContext,
  type Step,
  type StepContext,
  type Val,
  stepConfig,
} from './contract.js';
import { z } from 'zod';
import { alertEmails, amountSchema } from '../config/schema.js';
import { plusAddress } from '../config/defaults.js';
import { plainDecimal, type Baseline } from '../config/schema.js';
import { emailDiff, sameAmount, shortList } from './lib/money-compare.js';
import { isAwsError } from '../aws/errors.js';

/** Output key: the ARN of this organization's anomaly subscription, once it exists. */
export const SUBSCRIPTION_ARN_KEY = 'anomaly.subscriptionArn';

export interface AnomalySeen {
  /** The account's DIMENSIONAL SERVICE monitor, whatever its name. */
  monitor?: { arn: string; name: string };
  subscription?: {
    arn: string;
    name: string;
    monitorArns: string[];
    frequency: string;
    subscribers: { Type: string; Address: string }[];
    /** The absolute impact threshold, when the expression is the simple form this step writes. */
    threshold?: string;
  };
}

export const monitorName = (want: Baseline): string => `${want.org.slug}-services`;
export const subscriptionName = (want: Baseline): string => `${want.org.slug}-anomaly-alerts`;

// Plain decimal digits (never "1e-7"): the value is compared as a number.
export const thresholdExpression = (usd: number) => ({
  Dimensions: {
    Key: 'ANOMALY_TOTAL_IMPACT_ABSOLUTE' as const,
    MatchOptions: ['GREATER_THAN_OR_EQUAL' as const],
    Values: [plainDecimal(usd)],
  },
});

type Monitor = { MonitorArn?: string; MonitorName?: string; MonitorType?: string; MonitorDimension?: string };
const isServiceMonitor = (m: Monitor) =>
  m.MonitorType === 'DIMENSIONAL' && m.MonitorDimension === 'SERVICE' && !!m.MonitorArn;

/** Cost Explorer refusals a founder can hit on a new account, with what to do. */
function explainCe(e: unknown): never {
  const err = e as Error;
  if (isAwsError(e, 'AccessDeniedException') && /not enabled for cost explorer/i.test(err.message ?? '')) {
    throw new StepError(
      'Cost Explorer is not turned on for this account yet, so anomaly detection cannot be set up.',
      'Open https://console.aws.amazon.com/cost-management/home#/cost-explorer once (signed in to the management account) to turn it on; AWS may take up to 24 hours to prepare it. Then run again.',
      { cause: e },
    );
  }
  if (isAwsError(e, 'AccessDeniedException')) {
    throw new StepError(
      'These credentials may not use Cost Anomaly Detection (ce:*AnomalyMonitor*, ce:*AnomalySubscription*).',
      'Run secure-start as an administrator of the management account.',
      { cause: e },
    );
  }
  throw e;
}

async function serviceMonitors(ctx: StepContext): Promise<Monitor[]> {
  const pages = await ctx.aws
    .pages('cost-explorer', 'GetAnomalyMonitors', {}, undefined, { input: 'NextPageToken', output: 'NextPageToken' })
    .catch(explainCe);
  return pages.flatMap((p) => p.AnomalyMonitors ?? []).filter(isServiceMonitor);
}

/**
 * The monitor ARN to use at apply time. A monitor ARN remembered in the state file may be
 * stale (monitor deleted behind our back) while the new one is being created next to this
 * action, so ask AWS which SERVICE monitor exists now, waiting briefly for it.
 */
async function liveMonitorArn(ctx: RunContext, planned: string | undefined): Promise<string> {
  return ctx.poll(
    'waiting for AWS to list the new cost anomaly monitor (usually seconds)',
    async () => {
      const monitors = await serviceMonitors(ctx);
      return (monitors.find((m) => m.MonitorArn === planned) ?? monitors[0])?.MonitorArn;
    },
    { timeoutMs: 120_000, firstDelayMs: 250, maxDelayMs: 5_000 },
  );
}

/** '20' from {Dimensions:{Key:'ANOMALY_TOTAL_IMPACT_ABSOLUTE', MatchOptions:['GREATER_THAN_OR_EQUAL'], Values:['20']}}. */
function simpleThreshold(
  expr:
    | {
        Dimensions?: { Key?: string; MatchOptions?: string[]; Values?: string[] };
        And?: unknown;
        Or?: unknown;
        Not?: unknown;
      }
    | undefined,
): string | undefined {
  const d = expr?.Dimensions;
  if (!d || expr?.And || expr?.Or || expr?.Not) return undefined;
  if (d.Key !== 'ANOMALY_TOTAL_IMPACT_ABSOLUTE' || d.Values?.length !== 1) return undefined;
  if (d.MatchOptions?.length !== 1 || d.MatchOptions[0] !== 'GREATER_THAN_OR_EQUAL') return undefined;
  return d.Values[0];
}

/** Cost anomaly alerts: from what impact, how often, to whom. */
export const config = stepConfig({
  key: 'anomaly',
  schema: (r) =>
    z.strictObject({
      thresholdUsd: amountSchema('the anomaly threshold', 'zero'),
      frequency: z.enum(['DAILY', 'WEEKLY'], { error: 'the frequency must be DAILY or WEEKLY (IMMEDIATE needs SNS)' }),
      emails: alertEmails(r),
    }),
  defaults: (d) => ({ thresholdUsd: 20, frequency: 'DAILY' as const, emails: [plusAddress(d.mailbox, 'aws-billing')] }),
});

export const costAnomalyDetection: Step<AnomalySeen, typeof config> = {
  config,
  id: 'cost-anomaly-detection',
  title: 'Cost anomaly detection with e-mail alerts',
  notes: (_want, planned) =>
    planned.has('cost-explorer:CreateAnomalyMonitor') || planned.has('cost-explorer:CreateAnomalySubscription')
      ? { money: ['Cost Anomaly Detection: free.'] }
      : {},
  outputs: ['anomaly.*'],
  needs: ['preflight', 'organization'], // not in someone else's organization (its step refuses first)
  controls: ['SSB ACCT.16'],
  severity: 'medium',
  why: 'Anomaly alerts catch unusual spend (often the first sign of a leaked key) within a day, not at the end of the month.',

  async observe(ctx) {
    const monitors = await serviceMonitors(ctx);
    const mine = monitors.find((m) => m.MonitorName === monitorName(ctx.want)) ?? monitors[0];
    const monitor = mine ? { arn: mine.MonitorArn!, name: mine.MonitorName ?? '' } : undefined;
    if (monitor) ctx.publish('anomaly.monitorArn', monitor.arn);

    const pages = await ctx.aws
      .pages('cost-explorer', 'GetAnomalySubscriptions', {}, undefined, {
        input: 'NextPageToken',
        output: 'NextPageToken',
      })
      .catch(explainCe);
    const name = subscriptionName(ctx.want);
    const all = pages.flatMap((p) => p.AnomalySubscriptions ?? []);
    // By its name, else the one this organization made before under another name (state file).
    const recorded = ctx.value(SUBSCRIPTION_ARN_KEY);
    const s =
      all.find((x) => x.SubscriptionName === name) ??
      (recorded ? all.find((x) => x.SubscriptionArn === recorded) : undefined);
    if (!s?.SubscriptionArn) return { monitor };
    ctx.publish(SUBSCRIPTION_ARN_KEY, s.SubscriptionArn);
    return {
      monitor,
      subscription: {
        arn: s.SubscriptionArn,
        name: s.SubscriptionName ?? name,
        monitorArns: s.MonitorArnList ?? [],
        frequency: s.Frequency ?? '',
        subscribers: (s.Subscribers ?? []).map((x) => ({ Type: x.Type ?? 'EMAIL', Address: x.Address ?? '' })),
        threshold: simpleThreshold(s.ThresholdExpression as Parameters<typeof simpleThreshold>[0]),
      },
    };
  },

  fresh: () => ({}),

  plan(want, seen) {
    const target = mgmt('us-east-1');
    const actions: Action[] = [];
    const emails = want.anomaly.emails;
    const threshold = want.anomaly.thresholdUsd;
    const frequency = want.anomaly.frequency;
    const subName = subscriptionName(want);

    if (!seen.monitor) {
      const input = {
        AnomalyMonitor: {
          MonitorName: monitorName(want),
          MonitorType: 'DIMENSIONAL' as const,
          MonitorDimension: 'SERVICE' as const,
        },
      };
      actions.push({
        kind: 'call',
        symbol: '+',
        service: 'cost-explorer',
        operation: 'CreateAnomalyMonitor',
        target,
        input,
        summary: `+ ce:CreateAnomalyMonitor ${monitorName(want)} (${seen.subscription ? 'no SERVICE monitor; ' : ''}spend per AWS service)`,
        produces: ['anomaly.monitorArn'],
        async run(ctx) {
          try {
            const out = await ctx.aws.call('cost-explorer', 'CreateAnomalyMonitor', input);
            return { 'anomaly.monitorArn': out.MonitorArn! };
          } catch (e) {
            // AWS allows one SERVICE monitor; one that appeared since observe is the one to use.
            if (!/Limit exceeded on dimensional/i.test((e as Error).message ?? '')) throw e;
            return { 'anomaly.monitorArn': await liveMonitorArn(ctx, undefined) };
          }
        },
      });
    }
    const monitorArn: Val = seen.monitor?.arn ?? ref('anomaly.monitorArn');
    const waitForMonitor = seen.monitor ? {} : { after: ['anomaly.monitorArn'] };

    const s = seen.subscription;
    if (!s) {
      const input = {
        AnomalySubscription: {
          SubscriptionName: subName,
          MonitorArnList: [monitorArn],
          Subscribers: emails.map((Address) => ({ Type: 'EMAIL' as const, Address })),
          Frequency: frequency,
          ThresholdExpression: thresholdExpression(threshold),
        },
      };
      actions.push({
        kind: 'call',
        symbol: '+',
        service: 'cost-explorer',
        operation: 'CreateAnomalySubscription',
        target,
        input,
        summary: `+ ce:CreateAnomalySubscription ${subName} (${frequency.toLowerCase()} e-mail when an anomaly costs ≥ ${plainDecimal(threshold)} USD → ${shortList(emails)})`,
        ...waitForMonitor,
        produces: [SUBSCRIPTION_ARN_KEY],
        async run(ctx) {
          const sent = ctx.input as typeof input & { AnomalySubscription: { MonitorArnList: string[] } };
          const arn = seen.monitor
            ? sent.AnomalySubscription.MonitorArnList[0]!
            : await liveMonitorArn(ctx, sent.AnomalySubscription.MonitorArnList[0]);
          const out = await ctx.aws.call('cost-explorer', 'CreateAnomalySubscription', {
            AnomalySubscription: { ...sent.AnomalySubscription, MonitorArnList: [arn] },
          });
          if (out.SubscriptionArn) return { [SUBSCRIPTION_ARN_KEY]: out.SubscriptionArn };
        },
      });
      return actions;
    }

    // One update with only the fields that differ (UpdateAnomalySubscription replaces each field given).
    const changes: string[] = [];
    const update: Record<string, unknown> = { SubscriptionArn: s.arn };
    if (s.name !== subName) {
      update.SubscriptionName = subName;
      changes.push(`rename ${s.name} → ${subName}`);
    }
    if (s.threshold === undefined || !sameAmount(s.threshold, threshold)) {
      update.ThresholdExpression = thresholdExpression(threshold);
      changes.push(`threshold ${s.threshold ?? 'custom'} → ${plainDecimal(threshold)} USD`);
    }
    if (s.frequency !== frequency) {
      update.Frequency = frequency;
      changes.push(`${s.frequency || '?'} → ${frequency}`);
    }
    const { missing, extra } = emailDiff(
      emails,
      s.subscribers.filter((x) => x.Type === 'EMAIL').map((x) => x.Address),
    );
    if (missing.length || extra.length) {
      // The list is replaced as a whole: keep SNS subscribers someone added (chat alerts).
      update.Subscribers = [
        ...emails.map((Address) => ({ Type: 'EMAIL', Address })),
        ...s.subscribers.filter((x) => x.Type !== 'EMAIL'),
      ];
      changes.push([...missing.map((e) => `+${e}`), ...extra.map((e) => `-${e}`)].join(' '));
    }
    const watchesMonitor = seen.monitor && s.monitorArns.includes(seen.monitor.arn);
    if (!watchesMonitor) {
      update.MonitorArnList = [monitorArn];
      changes.push(`watch ${seen.monitor?.name ?? monitorName(want)}`);
    }
    if (changes.length) {
      actions.push({
        kind: 'call',
        symbol: '~',
        service: 'cost-explorer',
        operation: 'UpdateAnomalySubscription',
        target,
        input: update,
        summary: `~ ce:UpdateAnomalySubscription ${subName} (${changes.join('; ')})`,
        ...waitForMonitor,
        async run(ctx) {
          const sent = { ...(ctx.input as Record<string, unknown>) };
          if (sent.MonitorArnList && !seen.monitor)
            sent.MonitorArnList = [await liveMonitorArn(ctx, (sent.MonitorArnList as string[])[0])];
          await ctx.aws.call('cost-explorer', 'UpdateAnomalySubscription', sent as never);
        },
      });
    }
    return actions;
  },
};
