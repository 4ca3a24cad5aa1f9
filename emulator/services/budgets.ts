// AWS Budgets (awsJson1_1, `AWSBudgetServiceGateway.<Op>`, global in us-east-1).
// Budgets, their notifications and each notification's subscribers, per account. Every
// call names the AccountId, which must be the caller's own account. Limits and checks
// follow the API model: ≤ 10 notifications per budget, ≤ 10 e-mail subscribers (and 1 SNS)
// per notification, DuplicateRecordException / NotFoundException / InvalidParameterException.
import type { HandlerContext, ServiceModule } from '../types.js';

export interface NotificationRec {
  NotificationType: string;
  ComparisonOperator: string;
  Threshold: number;
  ThresholdType: string;
  NotificationState: string;
}
export interface SubscriberRec {
  SubscriptionType: string;
  Address: string;
}
export interface BudgetRec {
  BudgetName: string;
  BudgetLimit?: { Amount: string; Unit: string };
  TimeUnit: string;
  BudgetType: string;
  CostTypes?: Record<string, boolean>;
  TimePeriod: { Start: Date; End: Date };
  LastUpdatedTime: Date;
  notifications: { notification: NotificationRec; subscribers: SubscriberRec[] }[];
}
interface Store {
  budgets: Record<string, BudgetRec>;
}

const TIME_UNITS = ['DAILY', 'MONTHLY', 'QUARTERLY', 'ANNUALLY', 'CUSTOM'];
const BUDGET_TYPES = [
  'USAGE',
  'COST',
  'RI_UTILIZATION',
  'RI_COVERAGE',
  'SAVINGS_PLANS_UTILIZATION',
  'SAVINGS_PLANS_COVERAGE',
];
const NOTIFICATION_TYPES = ['ACTUAL', 'FORECASTED'];
const OPERATORS = ['GREATER_THAN', 'LESS_THAN', 'EQUAL_TO'];
const THRESHOLD_TYPES = ['PERCENTAGE', 'ABSOLUTE_VALUE'];
const SUBSCRIPTION_TYPES = ['SNS', 'EMAIL'];
const MAX_NOTIFICATIONS = 10;
const MAX_EMAIL_SUBSCRIBERS = 10;
const MAX_SNS_SUBSCRIBERS = 1;

const store = (ctx: HandlerContext): Store => ctx.store(() => ({ budgets: {} }));
const invalid = (ctx: HandlerContext, message: string) => ctx.error('InvalidParameterException', message);

function required<T>(ctx: HandlerContext, value: T | undefined | null, field: string): T {
  if (value === undefined || value === null || value === '')
    throw invalid(
      ctx,
      `1 validation error detected: Value null at '${field}' failed to satisfy constraint: Member must not be null`,
    );
  return value;
}

function oneOf(ctx: HandlerContext, value: unknown, allowed: string[], field: string): string {
  if (typeof value !== 'string' || !allowed.includes(value)) {
    throw invalid(
      ctx,
      `1 validation error detected: Value '${String(value)}' at '${field}' failed to satisfy constraint: Member must satisfy enum value set: [${allowed.join(', ')}]`,
    );
  }
  return value;
}

/** The AccountId of every request: 12 digits and the caller's own account. */
function account(ctx: HandlerContext): string {
  const id = required(ctx, ctx.input.AccountId as string, 'accountId');
  if (!/^\d{12}$/.test(String(id)))
    throw invalid(
      ctx,
      `1 validation error detected: Value '${id}' at 'accountId' failed to satisfy constraint: Member must satisfy regular expression pattern: \\d{12}`,
    );
  if (id !== ctx.caller.accountId)
    throw ctx.accessDenied(
      `User: ${ctx.caller.arn} is not authorized to perform: budgets:ViewBudget on resource: arn:aws:budgets::${id}:budget/*`,
    );
  return id;
}

function budgetNameOf(ctx: HandlerContext, name: unknown, field = 'budgetName'): string {
  const n = required(ctx, name as string, field);
  if (typeof n !== 'string' || n.length < 1 || n.length > 100)
    throw invalid(
      ctx,
      `1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must have length between 1 and 100`,
    );
  if (/[:\\]/.test(n) || n.includes('/action/'))
    throw invalid(
      ctx,
      `The budget name ${n} contains an invalid character: ':' and '\\' and '/action/' are not allowed.`,
    );
  return n;
}

function getBudget(ctx: HandlerContext, name: string): BudgetRec {
  const b = store(ctx).budgets[name];
  if (!b) throw ctx.error('NotFoundException', `Unable to get budget: ${name} - the budget doesn't exist.`);
  return b;
}

function checkBudget(
  ctx: HandlerContext,
  b: Record<string, any> | undefined,
  field: string,
): Omit<BudgetRec, 'notifications' | 'LastUpdatedTime' | 'TimePeriod'> {
  const budget = required(ctx, b, field);
  const BudgetName = budgetNameOf(ctx, budget.BudgetName, `${field}.budgetName`);
  const TimeUnit = oneOf(ctx, required(ctx, budget.TimeUnit, `${field}.timeUnit`), TIME_UNITS, `${field}.timeUnit`);
  const BudgetType = oneOf(
    ctx,
    required(ctx, budget.BudgetType, `${field}.budgetType`),
    BUDGET_TYPES,
    `${field}.budgetType`,
  );
  let BudgetLimit: BudgetRec['BudgetLimit'];
  if (budget.BudgetLimit !== undefined) {
    const amount = required(ctx, budget.BudgetLimit.Amount as string, `${field}.budgetLimit.amount`);
    const unit = required(ctx, budget.BudgetLimit.Unit as string, `${field}.budgetLimit.unit`);
    if (typeof amount !== 'string' || !/^([0-9]*\.)?[0-9]+$/.test(amount))
      throw invalid(
        ctx,
        `1 validation error detected: Value '${amount}' at '${field}.budgetLimit.amount' failed to satisfy constraint: Member must satisfy regular expression pattern: ([0-9]*\\.)?[0-9]+`,
      );
    if (!(Number(amount) > 0)) throw invalid(ctx, 'The amount of a budget must be greater than 0.');
    if (unit.length < 1 || unit.length > 2147483647) throw invalid(ctx, `Invalid unit ${unit}`);
    if (BudgetType === 'COST' && unit !== 'USD')
      throw invalid(ctx, `The unit of a cost budget must be USD, not ${unit}.`);
    BudgetLimit = { Amount: amount, Unit: unit };
  } else if (BudgetType === 'COST' || BudgetType === 'USAGE') {
    throw invalid(ctx, 'BudgetLimit is required for cost and usage budgets.');
  }
  return {
    BudgetName,
    BudgetLimit,
    TimeUnit,
    BudgetType,
    ...(budget.CostTypes ? { CostTypes: budget.CostTypes } : {}),
  };
}

function checkNotification(
  ctx: HandlerContext,
  n: Record<string, any> | undefined,
  field = 'notification',
): NotificationRec {
  const x = required(ctx, n, field);
  const threshold = required(ctx, x.Threshold as number, `${field}.threshold`);
  if (typeof threshold !== 'number' || !Number.isFinite(threshold) || threshold < 0 || threshold > 40_000_000_000) {
    throw invalid(
      ctx,
      `1 validation error detected: Value '${threshold}' at '${field}.threshold' failed to satisfy constraint: Member must have value between 0 and 40000000000`,
    );
  }
  return {
    NotificationType: oneOf(
      ctx,
      required(ctx, x.NotificationType, `${field}.notificationType`),
      NOTIFICATION_TYPES,
      `${field}.notificationType`,
    ),
    ComparisonOperator: oneOf(
      ctx,
      required(ctx, x.ComparisonOperator, `${field}.comparisonOperator`),
      OPERATORS,
      `${field}.comparisonOperator`,
    ),
    Threshold: threshold,
    ThresholdType:
      x.ThresholdType === undefined
        ? 'PERCENTAGE'
        : oneOf(ctx, x.ThresholdType, THRESHOLD_TYPES, `${field}.thresholdType`),
    NotificationState:
      x.NotificationState === undefined
        ? 'OK'
        : oneOf(ctx, x.NotificationState, ['OK', 'ALARM'], `${field}.notificationState`),
  };
}

function checkSubscriber(ctx: HandlerContext, s: Record<string, any> | undefined, field = 'subscriber'): SubscriberRec {
  const x = required(ctx, s, field);
  const SubscriptionType = oneOf(
    ctx,
    required(ctx, x.SubscriptionType, `${field}.subscriptionType`),
    SUBSCRIPTION_TYPES,
    `${field}.subscriptionType`,
  );
  const Address = required(ctx, x.Address as string, `${field}.address`);
  if (typeof Address !== 'string' || /[\r\n]/.test(Address))
    throw invalid(ctx, 'The subscriber address must not contain line breaks.');
  if (SubscriptionType === 'EMAIL' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(Address))
    throw invalid(ctx, `Invalid email address ${Address}`);
  if (SubscriptionType === 'SNS' && !/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:.+$/.test(Address))
    throw invalid(ctx, `Invalid SNS topic ARN ${Address}`);
  return { SubscriptionType, Address };
}

function checkSubscribers(ctx: HandlerContext, list: unknown, field: string): SubscriberRec[] {
  if (!Array.isArray(list) || list.length < 1)
    throw invalid(
      ctx,
      `1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must have length greater than or equal to 1`,
    );
  const subs = list.map((s, i) => checkSubscriber(ctx, s, `${field}.${i + 1}.member`));
  limitSubscribers(ctx, subs);
  const seen = new Set<string>();
  for (const s of subs) {
    const key = `${s.SubscriptionType}|${s.Address}`;
    if (seen.has(key))
      throw ctx.error('DuplicateRecordException', `Error creating subscriber: ${s.Address} already exists.`);
    seen.add(key);
  }
  return subs;
}

function limitSubscribers(ctx: HandlerContext, subs: SubscriberRec[]): void {
  if (subs.filter((s) => s.SubscriptionType === 'EMAIL').length > MAX_EMAIL_SUBSCRIBERS)
    throw ctx.error(
      'CreationLimitExceededException',
      `You can have at most ${MAX_EMAIL_SUBSCRIBERS} email subscribers per notification.`,
    );
  if (subs.filter((s) => s.SubscriptionType === 'SNS').length > MAX_SNS_SUBSCRIBERS)
    throw ctx.error('CreationLimitExceededException', 'You can have at most 1 SNS subscriber per notification.');
}

/** AWS identifies a notification by its type, operator, threshold and threshold type. */
const sameNotification = (a: NotificationRec, b: NotificationRec) =>
  a.NotificationType === b.NotificationType &&
  a.ComparisonOperator === b.ComparisonOperator &&
  a.Threshold === b.Threshold &&
  a.ThresholdType === b.ThresholdType;

function findNotification(ctx: HandlerContext, b: BudgetRec, n: NotificationRec) {
  const found = b.notifications.find((x) => sameNotification(x.notification, n));
  if (!found)
    throw ctx.error(
      'NotFoundException',
      `Unable to get notification ${n.NotificationType} ${n.ComparisonOperator} ${n.Threshold} ${n.ThresholdType} for budget: ${b.BudgetName} - the notification doesn't exist.`,
    );
  return found;
}

function period(timeUnit: string): { Start: Date; End: Date } {
  const now = new Date();
  const start = new Date(Date.UTC(now.getUTCFullYear(), timeUnit === 'ANNUALLY' ? 0 : now.getUTCMonth(), 1));
  return { Start: start, End: new Date(Date.UTC(2087, 5, 15)) };
}

const view = (b: BudgetRec) => ({
  BudgetName: b.BudgetName,
  ...(b.BudgetLimit ? { BudgetLimit: b.BudgetLimit } : {}),
  TimeUnit: b.TimeUnit,
  BudgetType: b.BudgetType,
  TimePeriod: b.TimePeriod,
  CostTypes: b.CostTypes ?? {
    IncludeTax: true,
    IncludeSubscription: true,
    UseBlended: false,
    IncludeRefund: false,
    IncludeCredit: false,
    IncludeUpfront: true,
    IncludeRecurring: true,
    IncludeOtherSubscription: true,
    IncludeSupport: true,
    IncludeDiscount: true,
    UseAmortized: false,
  },
  CalculatedSpend: { ActualSpend: { Amount: '0.0', Unit: b.BudgetLimit?.Unit ?? 'USD' } },
  LastUpdatedTime: b.LastUpdatedTime,
});

function maxResults(ctx: HandlerContext): number | undefined {
  const m = ctx.input.MaxResults;
  if (m === undefined) return undefined;
  if (typeof m !== 'number' || m < 1 || m > 100)
    throw invalid(
      ctx,
      `1 validation error detected: Value '${m}' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 100`,
    );
  return m;
}

export const budgets: ServiceModule = {
  name: 'budgets',
  signingName: 'budgets',
  protocol: 'json',
  targetPrefix: 'AWSBudgetServiceGateway',
  errors: {
    accessDenied: { code: 'AccessDeniedException', status: 400 },
    throttling: { code: 'ThrottlingException', status: 400 },
    internal: { code: 'InternalErrorException', status: 500 },
    validation: { code: 'InvalidParameterException', status: 400 },
    invalidToken: { code: 'InvalidNextTokenException', status: 400 },
  },
  operations: {
    CreateBudget(ctx) {
      account(ctx);
      const b = checkBudget(ctx, ctx.input.Budget, 'budget');
      const list = (ctx.input.NotificationsWithSubscribers ?? []) as Record<string, any>[];
      if (!Array.isArray(list)) throw invalid(ctx, 'NotificationsWithSubscribers must be a list.');
      if (list.length > MAX_NOTIFICATIONS)
        throw invalid(
          ctx,
          `1 validation error detected: Value at 'notificationsWithSubscribers' failed to satisfy constraint: Member must have length less than or equal to ${MAX_NOTIFICATIONS}`,
        );
      const notifications = list.map((x, i) => ({
        notification: checkNotification(
          ctx,
          x?.Notification,
          `notificationsWithSubscribers.${i + 1}.member.notification`,
        ),
        subscribers: checkSubscribers(ctx, x?.Subscribers, `notificationsWithSubscribers.${i + 1}.member.subscribers`),
      }));
      notifications.forEach((n, i) => {
        if (notifications.findIndex((m) => sameNotification(m.notification, n.notification)) !== i)
          throw ctx.error(
            'DuplicateRecordException',
            'Error creating notification: the budget has two identical notifications.',
          );
      });
      const s = store(ctx);
      if (s.budgets[b.BudgetName])
        throw ctx.error(
          'DuplicateRecordException',
          `Error creating budget: ${b.BudgetName} - the budget already exists.`,
        );
      s.budgets[b.BudgetName] = { ...b, TimePeriod: period(b.TimeUnit), LastUpdatedTime: new Date(), notifications };
      return {};
    },

    DescribeBudget(ctx) {
      account(ctx);
      return { Budget: view(getBudget(ctx, budgetNameOf(ctx, ctx.input.BudgetName))) };
    },

    DescribeBudgets(ctx) {
      account(ctx);
      const all = Object.values(store(ctx).budgets)
        .sort((a, b) => a.BudgetName.localeCompare(b.BudgetName))
        .map(view);
      const page = ctx.paginate(all, ctx.input.NextToken as string | undefined, maxResults(ctx));
      return { Budgets: page.items, ...(page.nextToken ? { NextToken: page.nextToken } : {}) };
    },

    UpdateBudget(ctx) {
      account(ctx);
      const nb = checkBudget(ctx, ctx.input.NewBudget, 'newBudget');
      const b = getBudget(ctx, nb.BudgetName);
      // UpdateBudget replaces everything but the name (omitted cost types reset to defaults).
      Object.assign(b, {
        BudgetLimit: nb.BudgetLimit,
        TimeUnit: nb.TimeUnit,
        BudgetType: nb.BudgetType,
        CostTypes: nb.CostTypes,
        LastUpdatedTime: new Date(),
      });
      if (!nb.BudgetLimit) delete b.BudgetLimit;
      return {};
    },

    DeleteBudget(ctx) {
      account(ctx);
      const name = budgetNameOf(ctx, ctx.input.BudgetName);
      getBudget(ctx, name);
      delete store(ctx).budgets[name];
      return {};
    },

    DescribeNotificationsForBudget(ctx) {
      account(ctx);
      const b = getBudget(ctx, budgetNameOf(ctx, ctx.input.BudgetName));
      const page = ctx.paginate(
        b.notifications.map((n) => n.notification),
        ctx.input.NextToken as string | undefined,
        maxResults(ctx),
      );
      return { Notifications: page.items, ...(page.nextToken ? { NextToken: page.nextToken } : {}) };
    },

    DescribeSubscribersForNotification(ctx) {
      account(ctx);
      const b = getBudget(ctx, budgetNameOf(ctx, ctx.input.BudgetName));
      const n = findNotification(ctx, b, checkNotification(ctx, ctx.input.Notification));
      const page = ctx.paginate(n.subscribers, ctx.input.NextToken as string | undefined, maxResults(ctx));
      return { Subscribers: page.items, ...(page.nextToken ? { NextToken: page.nextToken } : {}) };
    },

    CreateNotification(ctx) {
      account(ctx);
      const b = getBudget(ctx, budgetNameOf(ctx, ctx.input.BudgetName));
      const notification = checkNotification(ctx, ctx.input.Notification);
      const subscribers = checkSubscribers(ctx, ctx.input.Subscribers, 'subscribers');
      if (b.notifications.some((x) => sameNotification(x.notification, notification)))
        throw ctx.error(
          'DuplicateRecordException',
          `Error creating notification: the notification already exists for budget ${b.BudgetName}.`,
        );
      if (b.notifications.length >= MAX_NOTIFICATIONS)
        throw ctx.error(
          'CreationLimitExceededException',
          `You can have at most ${MAX_NOTIFICATIONS} notifications per budget.`,
        );
      b.notifications.push({ notification, subscribers });
      return {};
    },

    DeleteNotification(ctx) {
      account(ctx);
      const b = getBudget(ctx, budgetNameOf(ctx, ctx.input.BudgetName));
      const n = findNotification(ctx, b, checkNotification(ctx, ctx.input.Notification));
      b.notifications.splice(b.notifications.indexOf(n), 1);
      return {};
    },

    CreateSubscriber(ctx) {
      account(ctx);
      const b = getBudget(ctx, budgetNameOf(ctx, ctx.input.BudgetName));
      const n = findNotification(ctx, b, checkNotification(ctx, ctx.input.Notification));
      const sub = checkSubscriber(ctx, ctx.input.Subscriber);
      if (n.subscribers.some((s) => s.SubscriptionType === sub.SubscriptionType && s.Address === sub.Address))
        throw ctx.error('DuplicateRecordException', `Error creating subscriber: ${sub.Address} already exists.`);
      limitSubscribers(ctx, [...n.subscribers, sub]);
      n.subscribers.push(sub);
      return {};
    },

    DeleteSubscriber(ctx) {
      account(ctx);
      const b = getBudget(ctx, budgetNameOf(ctx, ctx.input.BudgetName));
      const n = findNotification(ctx, b, checkNotification(ctx, ctx.input.Notification));
      const sub = checkSubscriber(ctx, ctx.input.Subscriber);
      const i = n.subscribers.findIndex(
        (s) => s.SubscriptionType === sub.SubscriptionType && s.Address === sub.Address,
      );
      if (i < 0)
        throw ctx.error(
          'NotFoundException',
          `Unable to delete subscriber ${sub.Address}: the subscriber doesn't exist.`,
        );
      n.subscribers.splice(i, 1);
      return {};
    },
  },

  drift: {
    /** `{service:'budgets', kind:'budget-amount', name, amount}`: someone edited the budget's amount. */
    'budget-amount'(d) {
      const b = budgetsOf(d.world, d.accountId)[String(d.params.name)];
      if (!b?.BudgetLimit) throw d.error(`no budget named ${d.params.name} in ${d.accountId}`);
      b.BudgetLimit.Amount = String(d.params.amount ?? '1.0');
      return { budget: b.BudgetName, amount: b.BudgetLimit.Amount };
    },
    /** `{kind:'budget-subscriber-removed', name, address?}`: an e-mail taken off every alert (or the first subscriber of each). */
    'budget-subscriber-removed'(d) {
      const b = budgetsOf(d.world, d.accountId)[String(d.params.name)];
      if (!b) throw d.error(`no budget named ${d.params.name} in ${d.accountId}`);
      let removed = 0;
      for (const n of b.notifications) {
        const i = d.params.address ? n.subscribers.findIndex((s) => s.Address === d.params.address) : 0;
        if (i >= 0 && i < n.subscribers.length) {
          n.subscribers.splice(i, 1);
          removed++;
        }
      }
      if (!removed) throw d.error(`no subscriber to remove from ${b.BudgetName}`);
      return { budget: b.BudgetName, removed };
    },
    /** `{kind:'budget-deleted', name}`. */
    'budget-deleted'(d) {
      const all = budgetsOf(d.world, d.accountId);
      if (!all[String(d.params.name)]) throw d.error(`no budget named ${d.params.name} in ${d.accountId}`);
      delete all[String(d.params.name)];
      return { deleted: d.params.name };
    },
  },
};

function budgetsOf(world: import('../world.js').World, accountId: string): Record<string, BudgetRec> {
  return world.store<Store>(accountId, 'budgets', () => ({ budgets: {} })).budgets;
}
