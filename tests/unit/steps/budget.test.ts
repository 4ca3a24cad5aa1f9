import { describe, expect, it } from 'vitest';
import { budget, BUDGET_ALERTS, budgetName, type BudgetSeen } from '../../../steps/budget.js';
import { awsErr, basic, brief, fakeCtx } from './fixtures.js';

const want = basic();
const NAME = 'acme-robotics-monthly';
const BILLING = 'ops+aws-billing@acme.example';
const email = (Address: string) => ({ SubscriptionType: 'EMAIL', Address });
const complete = (): BudgetSeen => ({
  accountId: '123456789012',
  budget: { name: NAME, amount: '250.0', unit: 'USD', timeUnit: 'MONTHLY', budgetType: 'COST' },
  notifications: BUDGET_ALERTS.map((n) => ({ notification: { ...n }, subscribers: [email(BILLING)] })),
});

describe('budget plan', () => {
  it('names the budget after the org slug', () => {
    expect(budgetName(want)).toBe(NAME);
  });

  it('creates the budget with the four alerts to every billing email in one call', () => {
    const w = { ...want, budget: { ...want.budget, emails: [BILLING, 'cfo@acme.example'] } };
    const actions = budget.plan(w, { accountId: '123456789012', notifications: [] });
    expect(brief(actions)).toEqual([
      {
        symbol: '+',
        op: 'budgets:CreateBudget',
        input: {
          AccountId: '123456789012',
          Budget: {
            BudgetName: NAME,
            BudgetLimit: { Amount: '250', Unit: 'USD' },
            TimeUnit: 'MONTHLY',
            BudgetType: 'COST',
          },
          NotificationsWithSubscribers: [
            ['ACTUAL', 50],
            ['ACTUAL', 80],
            ['ACTUAL', 100],
            ['FORECASTED', 100],
          ].map(([t, th]) => ({
            Notification: {
              NotificationType: t,
              ComparisonOperator: 'GREATER_THAN',
              Threshold: th,
              ThresholdType: 'PERCENTAGE',
            },
            Subscribers: [email(BILLING), email('cfo@acme.example')],
          })),
        },
      },
    ]);
    expect(actions[0]!.summary).toMatch(/^\+ budgets:CreateBudget acme-robotics-monthly \(250 USD a month/);
    expect(actions[0]!.target).toEqual({ account: 'management', region: 'us-east-1' });
  });

  it('plans nothing when the budget matches ("250.0" is 250, emails case-insensitive)', () => {
    const seen = complete();
    seen.notifications[0]!.subscribers = [email(BILLING.toUpperCase())];
    expect(budget.plan(want, seen)).toEqual([]);
  });

  it('updates a changed amount in place, never a second CreateBudget', () => {
    const seen = complete();
    seen.budget!.amount = '900';
    expect(brief(budget.plan(want, seen))).toEqual([
      {
        symbol: '~',
        op: 'budgets:UpdateBudget',
        input: {
          AccountId: '123456789012',
          NewBudget: {
            BudgetName: NAME,
            BudgetLimit: { Amount: '250', Unit: 'USD' },
            TimeUnit: 'MONTHLY',
            BudgetType: 'COST',
          },
        },
      },
    ]);
  });

  it('corrects a same-named budget of another period', () => {
    const seen = complete();
    seen.budget!.timeUnit = 'QUARTERLY';
    expect(brief(budget.plan(want, seen)).map((a) => a.op)).toEqual(['budgets:UpdateBudget']);
  });

  it('adds a missing alert and removes a foreign one, precisely', () => {
    const seen = complete();
    seen.notifications.splice(1, 1); // 80 % actual is gone
    seen.notifications.push({
      notification: {
        NotificationType: 'ACTUAL',
        ComparisonOperator: 'GREATER_THAN',
        Threshold: 120,
        ThresholdType: 'PERCENTAGE',
      },
      subscribers: [email(BILLING)],
    });
    expect(brief(budget.plan(want, seen))).toEqual([
      {
        symbol: '-',
        op: 'budgets:DeleteNotification',
        input: {
          AccountId: '123456789012',
          BudgetName: NAME,
          Notification: {
            NotificationType: 'ACTUAL',
            ComparisonOperator: 'GREATER_THAN',
            Threshold: 120,
            ThresholdType: 'PERCENTAGE',
          },
        },
      },
      {
        symbol: '+',
        op: 'budgets:CreateNotification',
        input: {
          AccountId: '123456789012',
          BudgetName: NAME,
          Notification: BUDGET_ALERTS[1],
          Subscribers: [email(BILLING)],
        },
      },
    ]);
    // What verify shows: each finding says what is wrong.
    expect(budget.plan(want, seen).map((a) => a.summary)).toEqual([
      `- budgets:DeleteNotification ${NAME} (an alert at actual > 120 % is not in the baseline)`,
      `+ budgets:CreateNotification ${NAME} (the alert at actual > 80 % is missing; send it to ${BILLING})`,
    ]);
  });

  it('adds a removed subscriber and removes a foreign e-mail, keeping SNS subscribers', () => {
    const seen = complete();
    seen.notifications[3]!.subscribers = [];
    seen.notifications[0]!.subscribers = [
      email(BILLING),
      email('old@acme.example'),
      { SubscriptionType: 'SNS', Address: 'arn:aws:sns:us-east-1:123456789012:chat' },
    ];
    expect(brief(budget.plan(want, seen))).toEqual([
      {
        symbol: '-',
        op: 'budgets:DeleteSubscriber',
        input: {
          AccountId: '123456789012',
          BudgetName: NAME,
          Notification: BUDGET_ALERTS[0],
          Subscriber: email('old@acme.example'),
        },
      },
      {
        symbol: '+',
        op: 'budgets:CreateSubscriber',
        input: {
          AccountId: '123456789012',
          BudgetName: NAME,
          Notification: BUDGET_ALERTS[3],
          Subscriber: email(BILLING),
        },
      },
    ]);
    expect(budget.plan(want, seen).map((a) => a.summary)).toEqual([
      `- budgets:DeleteSubscriber ${NAME} (old@acme.example gets the alert at actual > 50 % but is not in budget.emails)`,
      `+ budgets:CreateSubscriber ${NAME} (${BILLING} does not get the alert at forecast > 100 %)`,
    ]);
  });

  it('fresh() plans a CreateBudget with the management account as a ref', () => {
    const { ctx } = fakeCtx(want, () => {
      throw new Error('no AWS in fresh');
    });
    const actions = budget.plan(want, budget.fresh(ctx));
    expect(brief(actions)[0]!.input.AccountId).toBe('<management.accountId>');
  });
});

describe('budget observe', () => {
  it("reads the budget, its notifications and each one's subscribers", async () => {
    const { ctx, calls } = fakeCtx(
      want,
      (_s, op, input) => {
        if (op === 'DescribeBudget')
          return {
            Budget: {
              BudgetName: NAME,
              BudgetLimit: { Amount: '250.0', Unit: 'USD' },
              TimeUnit: 'MONTHLY',
              BudgetType: 'COST',
            },
          };
        if (op === 'DescribeNotificationsForBudget')
          return { Notifications: [{ ...BUDGET_ALERTS[0], NotificationState: 'OK' }] };
        if (op === 'DescribeSubscribersForNotification') return { Subscribers: [email(BILLING)], echo: input };
        throw new Error(op);
      },
      { 'management.accountId': '123456789012' },
    );
    const seen = await budget.observe(ctx);
    expect(seen.budget).toEqual({ name: NAME, amount: '250.0', unit: 'USD', timeUnit: 'MONTHLY', budgetType: 'COST' });
    expect(seen.notifications).toEqual([{ notification: BUDGET_ALERTS[0], subscribers: [email(BILLING)] }]);
    expect(calls.map((c) => c.op)).toEqual([
      'DescribeBudget',
      'DescribeNotificationsForBudget',
      'DescribeSubscribersForNotification',
    ]);
    expect(calls[2]!.input.Notification).toMatchObject(BUDGET_ALERTS[0]!);
  });

  it('NotFoundException means no budget yet', async () => {
    const { ctx } = fakeCtx(want, () => awsErr('NotFoundException'), { 'management.accountId': '123456789012' });
    expect(await budget.observe(ctx)).toEqual({ accountId: '123456789012', notifications: [] });
  });

  it('access denied becomes an explained error', async () => {
    const { ctx } = fakeCtx(want, () => awsErr('AccessDeniedException'), { 'management.accountId': '123456789012' });
    await expect(budget.observe(ctx)).rejects.toMatchObject({
      name: 'StepError',
      hint: expect.stringMatching(/budgets:ViewBudget/),
    });
  });
});
