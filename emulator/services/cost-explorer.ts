// Cost Explorer's anomaly detection (awsJson1_1, `AWSInsightsIndexService.<Op>`, us-east-1,
// signing name `ce`). Monitors and subscriptions per account. As in AWS: one DIMENSIONAL
// monitor per dimension per account (a second fails with ValidationException "Limit
// exceeded on dimensional spend monitor creation"), IMMEDIATE subscriptions need SNS
// subscribers, unknown ARNs raise UnknownMonitorException / UnknownSubscriptionException.
// `seedDefaultAnomalyMonitor` adds the "Default-Services-Monitor" that AWS creates by itself
// in newer accounts (the `default-anomaly-monitor` scenario).
import type { HandlerContext, ServiceModule } from '../types.js';
import type { World } from '../world.js';

export interface MonitorRec {
  MonitorArn: string;
  MonitorName: string;
  MonitorType: string;
  MonitorDimension?: string;
  MonitorSpecification?: unknown;
  CreationDate: string;
  LastUpdatedDate: string;
}
export interface SubscriptionRec {
  SubscriptionArn: string;
  SubscriptionName: string;
  AccountId: string;
  MonitorArnList: string[];
  Subscribers: { Type: string; Address: string; Status: string }[];
  Frequency: string;
  Threshold?: number;
  ThresholdExpression?: unknown;
}
interface Store {
  monitors: MonitorRec[];
  subscriptions: SubscriptionRec[];
}

export const DEFAULT_MONITOR_NAME = 'Default-Services-Monitor';
const MONITOR_TYPES = ['DIMENSIONAL', 'CUSTOM'];
const DIMENSIONS = ['SERVICE', 'LINKED_ACCOUNT', 'TAG', 'COST_CATEGORY'];
const FREQUENCIES = ['DAILY', 'IMMEDIATE', 'WEEKLY'];
const SUBSCRIBER_TYPES = ['EMAIL', 'SNS'];
const THRESHOLD_KEYS = ['ANOMALY_TOTAL_IMPACT_ABSOLUTE', 'ANOMALY_TOTAL_IMPACT_PERCENTAGE'];
const MAX_SUBSCRIBERS = 10;

const storeOf = (world: World, accountId: string): Store =>
  world.store<Store>(accountId, 'cost-explorer', () => ({ monitors: [], subscriptions: [] }));
const store = (ctx: HandlerContext): Store => storeOf(ctx.world, ctx.caller.accountId);
const validation = (ctx: HandlerContext, message: string) => ctx.error('ValidationException', message);
const day = (d = new Date()) => d.toISOString().slice(0, 10);

function uuid(world: World, kind: string): string {
  const h = world.id(kind, 32, '0123456789abcdef');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

function required<T>(ctx: HandlerContext, v: T | undefined | null, field: string): T {
  if (v === undefined || v === null || v === '')
    throw validation(
      ctx,
      `1 validation error detected: Value null at '${field}' failed to satisfy constraint: Member must not be null`,
    );
  return v;
}
function oneOf(ctx: HandlerContext, v: unknown, allowed: string[], field: string): string {
  if (typeof v !== 'string' || !allowed.includes(v))
    throw validation(
      ctx,
      `1 validation error detected: Value '${String(v)}' at '${field}' failed to satisfy constraint: Member must satisfy enum value set: [${allowed.join(', ')}]`,
    );
  return v;
}
function name(ctx: HandlerContext, v: unknown, field: string): string {
  const n = required(ctx, v as string, field);
  if (typeof n !== 'string' || n.length > 1024)
    throw validation(
      ctx,
      `1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must have length less than or equal to 1024`,
    );
  return n;
}

function monitor(ctx: HandlerContext, arn: unknown): MonitorRec {
  const m = store(ctx).monitors.find((x) => x.MonitorArn === arn);
  if (!m)
    throw ctx.error(
      'UnknownMonitorException',
      `Cost anomaly monitor does not exist for the account ${ctx.caller.accountId}: ${String(arn)}`,
    );
  return m;
}
function subscription(ctx: HandlerContext, arn: unknown): SubscriptionRec {
  const s = store(ctx).subscriptions.find((x) => x.SubscriptionArn === arn);
  if (!s)
    throw ctx.error(
      'UnknownSubscriptionException',
      `Cost anomaly subscription does not exist for the account ${ctx.caller.accountId}: ${String(arn)}`,
    );
  return s;
}

function checkMonitorArns(ctx: HandlerContext, list: unknown): string[] {
  if (!Array.isArray(list) || list.length < 1)
    throw validation(ctx, 'MonitorArnList must contain at least one monitor ARN.');
  for (const arn of list) monitor(ctx, arn);
  return [...new Set(list as string[])];
}

function checkSubscribers(ctx: HandlerContext, list: unknown, frequency: string): SubscriptionRec['Subscribers'] {
  if (!Array.isArray(list) || list.length < 1)
    throw validation(ctx, 'Subscribers must contain at least one subscriber.');
  if (list.length > MAX_SUBSCRIBERS)
    throw validation(ctx, `A subscription can have at most ${MAX_SUBSCRIBERS} subscribers.`);
  const subs = list.map((s: Record<string, any>, i) => {
    const Type = oneOf(
      ctx,
      required(ctx, s?.Type, `anomalySubscription.subscribers.${i + 1}.member.type`),
      SUBSCRIBER_TYPES,
      `anomalySubscription.subscribers.${i + 1}.member.type`,
    );
    const Address = required(ctx, s?.Address as string, `anomalySubscription.subscribers.${i + 1}.member.address`);
    if (typeof Address !== 'string' || Address.length < 6 || Address.length > 302)
      throw validation(ctx, `Invalid subscriber address ${String(Address)}`);
    if (Type === 'EMAIL' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(Address))
      throw validation(ctx, `Invalid email address ${Address}`);
    if (Type === 'SNS' && !/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:.+$/.test(Address))
      throw validation(ctx, `Invalid SNS topic ARN ${Address}`);
    return { Type, Address, Status: 'CONFIRMED' };
  });
  if (frequency === 'IMMEDIATE' && subs.some((s) => s.Type === 'EMAIL')) {
    throw validation(
      ctx,
      'Email subscribers are not supported for IMMEDIATE frequency. Use an SNS topic, or DAILY or WEEKLY frequency.',
    );
  }
  return subs;
}

/** A threshold expression: one ANOMALY_TOTAL_IMPACT_* dimension, or And/Or of them. */
function checkExpression(ctx: HandlerContext, e: Record<string, any>, depth = 0): void {
  if (!e || typeof e !== 'object' || depth > 2) throw validation(ctx, 'Invalid ThresholdExpression.');
  const parts = ['Dimensions', 'And', 'Or'].filter((k) => e[k] !== undefined);
  if (parts.length !== 1 || e.Not !== undefined || e.Tags !== undefined || e.CostCategories !== undefined)
    throw validation(ctx, 'ThresholdExpression must have exactly one of Dimensions, And or Or.');
  if (e.Dimensions) {
    const d = e.Dimensions;
    oneOf(ctx, d.Key, THRESHOLD_KEYS, 'anomalySubscription.thresholdExpression.dimensions.key');
    if (!Array.isArray(d.MatchOptions) || d.MatchOptions.length !== 1 || d.MatchOptions[0] !== 'GREATER_THAN_OR_EQUAL')
      throw validation(ctx, 'ThresholdExpression dimensions need MatchOptions [GREATER_THAN_OR_EQUAL].');
    if (
      !Array.isArray(d.Values) ||
      d.Values.length !== 1 ||
      !/^\d+(\.\d+)?$/.test(String(d.Values[0])) ||
      Number(d.Values[0]) < 0
    )
      throw validation(ctx, 'ThresholdExpression dimensions need exactly one non-negative numeric value.');
    return;
  }
  const list = e.And ?? e.Or;
  if (!Array.isArray(list) || list.length !== 2)
    throw validation(ctx, 'And / Or in a ThresholdExpression take two expressions.');
  list.forEach((x: Record<string, any>) => checkExpression(ctx, x, depth + 1));
}

function checkThreshold(
  ctx: HandlerContext,
  s: Record<string, any>,
  requireOne: boolean,
): Pick<SubscriptionRec, 'Threshold' | 'ThresholdExpression'> {
  const out: Pick<SubscriptionRec, 'Threshold' | 'ThresholdExpression'> = {};
  if (s.Threshold !== undefined) {
    if (typeof s.Threshold !== 'number' || s.Threshold < 0)
      throw validation(ctx, 'Threshold must be a non-negative number.');
    out.Threshold = s.Threshold;
  }
  if (s.ThresholdExpression !== undefined) {
    checkExpression(ctx, s.ThresholdExpression);
    out.ThresholdExpression = s.ThresholdExpression;
  }
  if (out.Threshold !== undefined && out.ThresholdExpression !== undefined)
    throw validation(ctx, 'Specify either Threshold or ThresholdExpression, not both.');
  if (requireOne && out.Threshold === undefined && out.ThresholdExpression === undefined)
    throw validation(ctx, 'A subscription needs a ThresholdExpression.');
  return out;
}

function page<T>(ctx: HandlerContext, items: T[]) {
  const max = ctx.input.MaxResults;
  if (max !== undefined && (typeof max !== 'number' || max < 1 || max > 100))
    throw validation(ctx, 'MaxResults must be between 1 and 100.');
  const p = ctx.paginate(items, ctx.input.NextPageToken as string | undefined, max as number | undefined);
  return { items: p.items, ...(p.nextToken ? { NextPageToken: p.nextToken } : {}) };
}

function addMonitor(
  world: World,
  accountId: string,
  m: Omit<MonitorRec, 'MonitorArn' | 'CreationDate' | 'LastUpdatedDate'>,
): MonitorRec {
  const rec: MonitorRec = {
    ...m,
    MonitorArn: `arn:aws:ce::${accountId}:anomalymonitor/${uuid(world, 'ce-monitor')}`,
    CreationDate: day(),
    LastUpdatedDate: day(),
  };
  storeOf(world, accountId).monitors.push(rec);
  return rec;
}

/** What AWS does by itself in accounts created since 2023: a services monitor already exists. */
export function seedDefaultAnomalyMonitor(world: World, accountId: string): MonitorRec {
  const existing = storeOf(world, accountId).monitors.find(
    (m) => m.MonitorType === 'DIMENSIONAL' && m.MonitorDimension === 'SERVICE',
  );
  return (
    existing ??
    addMonitor(world, accountId, {
      MonitorName: DEFAULT_MONITOR_NAME,
      MonitorType: 'DIMENSIONAL',
      MonitorDimension: 'SERVICE',
    })
  );
}

const monitorView = (m: MonitorRec) => ({
  ...m,
  DimensionalValueCount: m.MonitorType === 'DIMENSIONAL' ? 0 : undefined,
});

export const costExplorer: ServiceModule = {
  name: 'cost-explorer',
  signingName: 'ce',
  protocol: 'json',
  targetPrefix: 'AWSInsightsIndexService',
  errors: {
    throttling: { code: 'LimitExceededException', status: 400 },
    invalidToken: { code: 'InvalidNextTokenException', status: 400 },
  },
  operations: {
    GetAnomalyMonitors(ctx) {
      let list = store(ctx).monitors;
      if (Array.isArray(ctx.input.MonitorArnList) && ctx.input.MonitorArnList.length) {
        list = (ctx.input.MonitorArnList as string[]).map((arn) => monitor(ctx, arn));
      }
      const p = page(ctx, list.map(monitorView));
      return { AnomalyMonitors: p.items, ...(p.NextPageToken ? { NextPageToken: p.NextPageToken } : {}) };
    },

    CreateAnomalyMonitor(ctx) {
      const m = required(ctx, ctx.input.AnomalyMonitor as Record<string, any>, 'anomalyMonitor');
      const MonitorName = name(ctx, m.MonitorName, 'anomalyMonitor.monitorName');
      const MonitorType = oneOf(
        ctx,
        required(ctx, m.MonitorType, 'anomalyMonitor.monitorType'),
        MONITOR_TYPES,
        'anomalyMonitor.monitorType',
      );
      let MonitorDimension: string | undefined;
      if (MonitorType === 'DIMENSIONAL') {
        MonitorDimension = oneOf(
          ctx,
          required(ctx, m.MonitorDimension, 'anomalyMonitor.monitorDimension'),
          DIMENSIONS,
          'anomalyMonitor.monitorDimension',
        );
        if (m.MonitorSpecification !== undefined)
          throw validation(ctx, 'A DIMENSIONAL monitor takes no MonitorSpecification.');
        if (
          store(ctx).monitors.some((x) => x.MonitorType === 'DIMENSIONAL' && x.MonitorDimension === MonitorDimension)
        ) {
          throw validation(ctx, 'Limit exceeded on dimensional spend monitor creation');
        }
      } else {
        required(ctx, m.MonitorSpecification, 'anomalyMonitor.monitorSpecification');
        if (m.MonitorDimension !== undefined)
          throw validation(ctx, 'A CUSTOM monitor takes a MonitorSpecification, not a MonitorDimension.');
      }
      const rec = addMonitor(ctx.world, ctx.caller.accountId, {
        MonitorName,
        MonitorType,
        ...(MonitorDimension ? { MonitorDimension } : { MonitorSpecification: m.MonitorSpecification }),
      });
      return { MonitorArn: rec.MonitorArn };
    },

    UpdateAnomalyMonitor(ctx) {
      const m = monitor(ctx, required(ctx, ctx.input.MonitorArn, 'monitorArn'));
      if (ctx.input.MonitorName !== undefined) m.MonitorName = name(ctx, ctx.input.MonitorName, 'monitorName');
      m.LastUpdatedDate = day();
      return { MonitorArn: m.MonitorArn };
    },

    DeleteAnomalyMonitor(ctx) {
      const s = store(ctx);
      const m = monitor(ctx, required(ctx, ctx.input.MonitorArn, 'monitorArn'));
      s.monitors.splice(s.monitors.indexOf(m), 1);
      // Subscriptions stop watching it; one left with no monitor goes too.
      for (const sub of [...s.subscriptions]) {
        sub.MonitorArnList = sub.MonitorArnList.filter((a) => a !== m.MonitorArn);
        if (!sub.MonitorArnList.length) s.subscriptions.splice(s.subscriptions.indexOf(sub), 1);
      }
      return {};
    },

    GetAnomalySubscriptions(ctx) {
      let list = store(ctx).subscriptions;
      if (Array.isArray(ctx.input.SubscriptionArnList) && ctx.input.SubscriptionArnList.length) {
        list = (ctx.input.SubscriptionArnList as string[]).map((arn) => subscription(ctx, arn));
      }
      if (ctx.input.MonitorArn !== undefined)
        list = list.filter((s) => s.MonitorArnList.includes(ctx.input.MonitorArn as string));
      const p = page(ctx, list);
      return { AnomalySubscriptions: p.items, ...(p.NextPageToken ? { NextPageToken: p.NextPageToken } : {}) };
    },

    CreateAnomalySubscription(ctx) {
      const s = required(ctx, ctx.input.AnomalySubscription as Record<string, any>, 'anomalySubscription');
      const SubscriptionName = name(ctx, s.SubscriptionName, 'anomalySubscription.subscriptionName');
      const Frequency = oneOf(
        ctx,
        required(ctx, s.Frequency, 'anomalySubscription.frequency'),
        FREQUENCIES,
        'anomalySubscription.frequency',
      );
      const MonitorArnList = checkMonitorArns(
        ctx,
        required(ctx, s.MonitorArnList, 'anomalySubscription.monitorArnList'),
      );
      const Subscribers = checkSubscribers(
        ctx,
        required(ctx, s.Subscribers, 'anomalySubscription.subscribers'),
        Frequency,
      );
      const threshold = checkThreshold(ctx, s, true);
      const rec: SubscriptionRec = {
        SubscriptionArn: `arn:aws:ce::${ctx.caller.accountId}:anomalysubscription/${uuid(ctx.world, 'ce-subscription')}`,
        SubscriptionName,
        AccountId: ctx.caller.accountId,
        MonitorArnList,
        Subscribers,
        Frequency,
        ...threshold,
      };
      store(ctx).subscriptions.push(rec);
      return { SubscriptionArn: rec.SubscriptionArn };
    },

    UpdateAnomalySubscription(ctx) {
      const sub = subscription(ctx, required(ctx, ctx.input.SubscriptionArn, 'subscriptionArn'));
      const i = ctx.input as Record<string, any>;
      const Frequency = i.Frequency !== undefined ? oneOf(ctx, i.Frequency, FREQUENCIES, 'frequency') : sub.Frequency;
      const MonitorArnList =
        i.MonitorArnList !== undefined ? checkMonitorArns(ctx, i.MonitorArnList) : sub.MonitorArnList;
      // Checked against the resulting frequency: IMMEDIATE with the old e-mail subscribers fails too.
      const Subscribers = checkSubscribers(
        ctx,
        i.Subscribers !== undefined ? i.Subscribers : sub.Subscribers,
        Frequency,
      );
      const threshold = checkThreshold(ctx, i, false);
      const SubscriptionName =
        i.SubscriptionName !== undefined ? name(ctx, i.SubscriptionName, 'subscriptionName') : sub.SubscriptionName;
      Object.assign(sub, { Frequency, MonitorArnList, Subscribers, SubscriptionName });
      // A new expression replaces the legacy absolute Threshold, and the other way round.
      if (threshold.ThresholdExpression !== undefined) {
        sub.ThresholdExpression = threshold.ThresholdExpression;
        delete sub.Threshold;
      }
      if (threshold.Threshold !== undefined) {
        sub.Threshold = threshold.Threshold;
        delete sub.ThresholdExpression;
      }
      return { SubscriptionArn: sub.SubscriptionArn };
    },

    DeleteAnomalySubscription(ctx) {
      const s = store(ctx);
      const sub = subscription(ctx, required(ctx, ctx.input.SubscriptionArn, 'subscriptionArn'));
      s.subscriptions.splice(s.subscriptions.indexOf(sub), 1);
      return {};
    },
  },

  drift: {
    /** `{service:'cost-explorer', kind:'anomaly-subscription-deleted', name?}` (default: every subscription). */
    'anomaly-subscription-deleted'(d) {
      const s = storeOf(d.world, d.accountId);
      const gone = s.subscriptions.filter((x) => d.params.name === undefined || x.SubscriptionName === d.params.name);
      if (!gone.length)
        throw d.error(`no anomaly subscription${d.params.name ? ` named ${d.params.name}` : ''} in ${d.accountId}`);
      s.subscriptions = s.subscriptions.filter((x) => !gone.includes(x));
      return { deleted: gone.map((x) => x.SubscriptionName) };
    },
    /** `{kind:'anomaly-threshold', name?, value}`: the absolute impact threshold changed in the console. */
    'anomaly-threshold'(d) {
      const s = storeOf(d.world, d.accountId).subscriptions.filter(
        (x) => d.params.name === undefined || x.SubscriptionName === d.params.name,
      );
      if (!s.length)
        throw d.error(`no anomaly subscription${d.params.name ? ` named ${d.params.name}` : ''} in ${d.accountId}`);
      for (const x of s) {
        x.ThresholdExpression = {
          Dimensions: {
            Key: 'ANOMALY_TOTAL_IMPACT_ABSOLUTE',
            MatchOptions: ['GREATER_THAN_OR_EQUAL'],
            Values: [String(d.params.value ?? 1000)],
          },
        };
        delete x.Threshold;
      }
      return { changed: s.map((x) => x.SubscriptionName) };
    },
    /** `{kind:'anomaly-monitor-deleted'}`: the SERVICE monitor removed (its subscriptions lose it). */
    'anomaly-monitor-deleted'(d) {
      const s = storeOf(d.world, d.accountId);
      const m = s.monitors.find((x) => x.MonitorType === 'DIMENSIONAL' && x.MonitorDimension === 'SERVICE');
      if (!m) throw d.error(`no SERVICE monitor in ${d.accountId}`);
      s.monitors.splice(s.monitors.indexOf(m), 1);
      for (const sub of [...s.subscriptions]) {
        sub.MonitorArnList = sub.MonitorArnList.filter((a) => a !== m.MonitorArn);
        if (!sub.MonitorArnList.length) s.subscriptions.splice(s.subscriptions.indexOf(sub), 1);
      }
      return { deleted: m.MonitorName };
    },
  },
};
