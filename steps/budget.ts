// A monthly COST budget in the management account (it sees the whole organization's spend)
// with e-mail alerts at 50 %, 80 % and 100 % of actual spend and 100 % of the forecast.
// Budgets have no idempotency token: the budget is found by its name, and an existing one
// is corrected in place (amount, alerts, subscribers), never created a second time. Its name
// derives from the short name (<slug>-monthly), which a founder may change after a run; the
// name the budget was made with is kept in the state file (budget.name), and a budget found
// under it is adopted and kept (AWS cannot rename a budget, and a new one would start
// without its history), so a new short name never leaves a second budget behind.
// Covers: SSB ACCT.10.
import { StepError, mgmt, type Action, type Step, type StepContext, type Val, stepConfig } from './contract.js';
import { z } from 'zod';
import { alertEmails, amountSchema } from '../config/schema.js';
import { plusAddress } from '../config/defaults.js';
import { plainDecimal, type Baseline } from '../config/schema.js';
import { emailDiff, sameAmount, shortList } from './lib/money-compare.js';
import { isAwsError } from '../aws/errors.js';

/** Output key: the name of the budget this organization uses, once it exists. */
export const BUDGET_NAME_KEY = 'budget.name';

export interface BudgetNotification {
  NotificationType: string;
  ComparisonOperator: string;
  Threshold: number;
  ThresholdType: string;
}

export interface BudgetSeen {
  accountId: Val;
  budget?: { name: string; amount?: string; unit?: string; timeUnit?: string; budgetType?: string };
  /** The budget's alerts, each with its subscribers. */
  notifications: { notification: BudgetNotification; subscribers: { SubscriptionType: string; Address: string }[] }[];
}

export const budgetName = (want: Baseline): string => `${want.org.slug}-monthly`;

/** The four alerts of the baseline, in the order they are shown. */
export const BUDGET_ALERTS: BudgetNotification[] = [
  { NotificationType: 'ACTUAL', ComparisonOperator: 'GREATER_THAN', Threshold: 50, ThresholdType: 'PERCENTAGE' },
  { NotificationType: 'ACTUAL', ComparisonOperator: 'GREATER_THAN', Threshold: 80, ThresholdType: 'PERCENTAGE' },
  { NotificationType: 'ACTUAL', ComparisonOperator: 'GREATER_THAN', Threshold: 100, ThresholdType: 'PERCENTAGE' },
  { NotificationType: 'FORECASTED', ComparisonOperator: 'GREATER_THAN', Threshold: 100, ThresholdType: 'PERCENTAGE' },
];

/** Same alert: AWS identifies a notification by these four fields (PERCENTAGE by default). */
const alertKey = (n: {
  NotificationType?: string;
  ComparisonOperator?: string;
  Threshold?: number;
  ThresholdType?: string;
}): string => `${n.NotificationType}|${n.ComparisonOperator}|${Number(n.Threshold)}|${n.ThresholdType ?? 'PERCENTAGE'}`;

const alertText = (n: BudgetNotification): string =>
  `${n.NotificationType === 'FORECASTED' ? 'forecast' : 'actual'} > ${n.Threshold}${n.ThresholdType === 'PERCENTAGE' ? ' %' : ' USD'}`;

const emailSubscribers = (emails: string[]) => emails.map((Address) => ({ SubscriptionType: 'EMAIL', Address }));

function desiredBudget(want: Baseline, name = budgetName(want)) {
  return {
    BudgetName: name,
    // Plain decimal digits, as AWS takes them (never "1e-7").
    BudgetLimit: { Amount: plainDecimal(want.budget.amount), Unit: want.budget.currency },
    TimeUnit: 'MONTHLY' as const,
    BudgetType: 'COST' as const,
  };
}

async function describeBudget(ctx: StepContext, accountId: string, name: string) {
  try {
    return (await ctx.aws.call('budgets', 'DescribeBudget', { AccountId: accountId, BudgetName: name })).Budget;
  } catch (e) {
    if (isAwsError(e, 'NotFoundException')) return undefined;
    if (isAwsError(e, 'AccessDeniedException')) {
      throw new StepError(
        `These credentials may not read budgets in account ${accountId}.`,
        'Run secure-start as the root user or an administrator of the management account (the budgets:ViewBudget and budgets:ModifyBudget permissions are needed).',
        { cause: e },
      );
    }
    throw e;
  }
}

/** The monthly budget: amount in USD and who gets its alerts. */
export const config = stepConfig({
  key: 'budget',
  schema: (r) =>
    z.strictObject({
      amount: amountSchema('the budget amount', 'positive'),
      currency: z.literal('USD', { error: 'budgets are set in USD' }),
      emails: alertEmails(r),
    }),
  defaults: (d) => ({ amount: 100, currency: 'USD' as const, emails: [plusAddress(d.mailbox, 'aws-billing')] }),
});

export const budget: Step<BudgetSeen, typeof config> = {
  config,
  id: 'budget',
  title: 'Monthly cost budget with e-mail alerts',
  notes: (_want, planned) =>
    planned.has('budgets:CreateBudget')
      ? { money: ['Budgets: free (the first two budgets of an account cost nothing).'] }
      : {},
  outputs: ['budget.*'],
  needs: ['preflight', 'organization'], // not in someone else's organization (its step refuses first)
  controls: ['SSB ACCT.10'],
  severity: 'medium',
  why: 'Without a budget alert, a leaked key or a forgotten resource is found on the monthly bill, weeks later.',

  async observe(ctx) {
    const accountId = ctx.value('management.accountId');
    if (!accountId)
      throw new StepError('The management account ID is not known yet.', 'Run again: the preflight step finds it.');
    const wanted = budgetName(ctx.want);
    // The name this organization's budget was made with, when it differs (a new short name).
    const recorded = ctx.value(BUDGET_NAME_KEY);
    let name = wanted;
    let b = await describeBudget(ctx, accountId, wanted);
    if (!b && recorded && recorded !== wanted) {
      b = await describeBudget(ctx, accountId, recorded);
      if (b) {
        name = recorded;
        ctx.info(
          `The budget keeps its name ${recorded} (AWS cannot rename a budget; a new one would lose its history).`,
        );
      }
    }
    if (!b) return { accountId, notifications: [] };
    ctx.publish(BUDGET_NAME_KEY, name);
    const pages = await ctx.aws.pages('budgets', 'DescribeNotificationsForBudget', {
      AccountId: accountId,
      BudgetName: name,
    });
    const notifications: BudgetSeen['notifications'] = [];
    for (const n of pages.flatMap((p) => p.Notifications ?? [])) {
      const subs = await ctx.aws.pages('budgets', 'DescribeSubscribersForNotification', {
        AccountId: accountId,
        BudgetName: name,
        Notification: n,
      });
      notifications.push({
        notification: {
          NotificationType: n.NotificationType ?? 'ACTUAL',
          ComparisonOperator: n.ComparisonOperator ?? 'GREATER_THAN',
          Threshold: Number(n.Threshold),
          ThresholdType: n.ThresholdType ?? 'PERCENTAGE',
        },
        subscribers: subs
          .flatMap((p) => p.Subscribers ?? [])
          .map((s) => ({ SubscriptionType: s.SubscriptionType ?? 'EMAIL', Address: s.Address ?? '' })),
      });
    }
    return {
      accountId,
      budget: {
        name,
        amount: b.BudgetLimit?.Amount,
        unit: b.BudgetLimit?.Unit,
        timeUnit: b.TimeUnit,
        budgetType: b.BudgetType,
      },
      notifications,
    };
  },

  fresh: (ctx) => ({ accountId: ctx.ref('management.accountId'), notifications: [] }),

  plan(want, seen) {
    const target = mgmt('us-east-1');
    // An adopted budget keeps the name it was made with.
    const name = seen.budget?.name ?? budgetName(want);
    const emails = want.budget.emails;
    const amount = `${plainDecimal(want.budget.amount)} ${want.budget.currency}`;
    const AccountId = seen.accountId;

    if (!seen.budget) {
      const input = {
        AccountId,
        Budget: desiredBudget(want),
        NotificationsWithSubscribers: BUDGET_ALERTS.map((Notification) => ({
          Notification,
          Subscribers: emailSubscribers(emails),
        })),
      };
      return [
        {
          kind: 'call',
          symbol: '+',
          service: 'budgets',
          operation: 'CreateBudget',
          target,
          input,
          summary: `+ budgets:CreateBudget ${name} (${amount} a month; alerts at 50/80/100 % actual and 100 % forecast → ${shortList(emails)})`,
          produces: [BUDGET_NAME_KEY],
          async run(ctx) {
            await ctx.aws.call('budgets', 'CreateBudget', ctx.input as never);
            return { [BUDGET_NAME_KEY]: name };
          },
        },
      ];
    }

    const actions: Action[] = [];
    const b = seen.budget;
    // UpdateBudget may change everything but the name, so a same-named budget of another
    // type or period is corrected too (the name is ours: <slug>-monthly).
    if (
      !sameAmount(b.amount, want.budget.amount) ||
      b.unit !== want.budget.currency ||
      b.timeUnit !== 'MONTHLY' ||
      b.budgetType !== 'COST'
    ) {
      actions.push({
        kind: 'call',
        symbol: '~',
        service: 'budgets',
        operation: 'UpdateBudget',
        target,
        input: { AccountId, NewBudget: desiredBudget(want, name) },
        summary: `~ budgets:UpdateBudget ${name} (${b.amount ?? '?'} ${b.unit ?? ''} ${b.budgetType ?? ''} ${(b.timeUnit ?? '').toLowerCase()} → ${amount} COST monthly)`,
      });
    }

    const wanted = new Map(BUDGET_ALERTS.map((n) => [alertKey(n), n]));
    const have = new Map(seen.notifications.map((n) => [alertKey(n.notification), n]));
    // Alerts that are not the baseline's would mail the billing list at other levels: remove them.
    for (const [key, n] of have) {
      if (wanted.has(key)) continue;
      actions.push({
        kind: 'call',
        symbol: '-',
        service: 'budgets',
        operation: 'DeleteNotification',
        target,
        input: { AccountId, BudgetName: name, Notification: n.notification },
        summary: `- budgets:DeleteNotification ${name} (an alert at ${alertText(n.notification)} is not in the baseline)`,
      });
    }
    for (const [key, n] of wanted) {
      const existing = have.get(key);
      if (!existing) {
        actions.push({
          kind: 'call',
          symbol: '+',
          service: 'budgets',
          operation: 'CreateNotification',
          target,
          input: { AccountId, BudgetName: name, Notification: n, Subscribers: emailSubscribers(emails) },
          summary: `+ budgets:CreateNotification ${name} (the alert at ${alertText(n)} is missing; send it to ${shortList(emails)})`,
        });
        continue;
      }
      // SNS subscribers (chat integrations someone added) are left alone; only e-mails are ours.
      const { missing, extra } = emailDiff(
        emails,
        existing.subscribers.filter((s) => s.SubscriptionType === 'EMAIL').map((s) => s.Address),
      );
      for (const Address of missing) {
        actions.push({
          kind: 'call',
          symbol: '+',
          service: 'budgets',
          operation: 'CreateSubscriber',
          target,
          input: {
            AccountId,
            BudgetName: name,
            Notification: existing.notification,
            Subscriber: { SubscriptionType: 'EMAIL', Address },
          },
          summary: `+ budgets:CreateSubscriber ${name} (${Address} does not get the alert at ${alertText(n)})`,
        });
      }
      for (const Address of extra) {
        actions.push({
          kind: 'call',
          symbol: '-',
          service: 'budgets',
          operation: 'DeleteSubscriber',
          target,
          input: {
            AccountId,
            BudgetName: name,
            Notification: existing.notification,
            Subscriber: { SubscriptionType: 'EMAIL', Address },
          },
          summary: `- budgets:DeleteSubscriber ${name} (${Address} gets the alert at ${alertText(n)} but is not in budget.emails)`,
        });
      }
    }
    return actions;
  },
};
