// Budgets through the real SDK client against the emulator: success paths and AWS-shaped errors.
import { beforeEach, describe, expect, it } from 'vitest';
import {
  BudgetsClient,
  CreateBudgetCommand,
  CreateNotificationCommand,
  CreateSubscriberCommand,
  DeleteBudgetCommand,
  DeleteNotificationCommand,
  DeleteSubscriberCommand,
  DescribeBudgetCommand,
  DescribeBudgetsCommand,
  DescribeNotificationsForBudgetCommand,
  DescribeSubscribersForNotificationCommand,
  UpdateBudgetCommand,
  type Notification,
} from '@aws-sdk/client-budgets';
import { MANAGEMENT_ACCOUNT_ID as ME } from '../../emulator/world.js';
import { errorOf, useEmulator } from '../helpers/emulator-sdk.js';

const sdk = useEmulator();
const { emu } = sdk;
let client: BudgetsClient;
beforeEach(() => {
  client = sdk.client(BudgetsClient);
});

const alert = (NotificationType: 'ACTUAL' | 'FORECASTED', Threshold: number): Notification => ({
  NotificationType,
  ComparisonOperator: 'GREATER_THAN',
  Threshold,
  ThresholdType: 'PERCENTAGE',
});
const email = (Address: string) => ({ SubscriptionType: 'EMAIL' as const, Address });
const budget = (Amount = '100') => ({
  BudgetName: 'acme-monthly',
  BudgetLimit: { Amount, Unit: 'USD' },
  TimeUnit: 'MONTHLY' as const,
  BudgetType: 'COST' as const,
});
const create = (extra: object = {}) =>
  client.send(
    new CreateBudgetCommand({
      AccountId: ME,
      Budget: budget(),
      NotificationsWithSubscribers: [
        { Notification: alert('ACTUAL', 80), Subscribers: [email('billing@acme.example')] },
      ],
      ...extra,
    }),
  );

describe('budgets', () => {
  it('creates a budget with notifications and reads it back', async () => {
    await create();
    const b = (await client.send(new DescribeBudgetCommand({ AccountId: ME, BudgetName: 'acme-monthly' }))).Budget!;
    expect(b).toMatchObject({
      BudgetName: 'acme-monthly',
      BudgetLimit: { Amount: '100', Unit: 'USD' },
      TimeUnit: 'MONTHLY',
      BudgetType: 'COST',
    });
    expect(b.TimePeriod?.Start).toBeInstanceOf(Date);
    const n = (
      await client.send(new DescribeNotificationsForBudgetCommand({ AccountId: ME, BudgetName: 'acme-monthly' }))
    ).Notifications!;
    expect(n).toEqual([{ ...alert('ACTUAL', 80), NotificationState: 'OK' }]);
    const s = (
      await client.send(
        new DescribeSubscribersForNotificationCommand({
          AccountId: ME,
          BudgetName: 'acme-monthly',
          Notification: alert('ACTUAL', 80),
        }),
      )
    ).Subscribers;
    expect(s).toEqual([email('billing@acme.example')]);
    const all = await client.send(new DescribeBudgetsCommand({ AccountId: ME }));
    expect(all.Budgets?.map((x) => x.BudgetName)).toEqual(['acme-monthly']);
  });

  it('a second budget of the same name is DuplicateRecordException', async () => {
    await create();
    expect(await errorOf(create())).toMatchObject({ name: 'DuplicateRecordException', status: 400 });
  });

  it('an unknown budget is NotFoundException', async () => {
    expect(await errorOf(client.send(new DescribeBudgetCommand({ AccountId: ME, BudgetName: 'nope' })))).toMatchObject({
      name: 'NotFoundException',
    });
    expect(await errorOf(client.send(new DeleteBudgetCommand({ AccountId: ME, BudgetName: 'nope' })))).toMatchObject({
      name: 'NotFoundException',
    });
  });

  it('validates amounts, enums, limits and the account', async () => {
    const bad = async (extra: object) => (await errorOf(create(extra))).name;
    expect(await bad({ Budget: budget('-5') })).toBe('InvalidParameterException');
    expect(await bad({ Budget: budget('ten') })).toBe('InvalidParameterException');
    expect(await bad({ Budget: budget('0') })).toBe('InvalidParameterException');
    expect(await bad({ Budget: { ...budget(), TimeUnit: 'WEEKLY' } })).toBe('InvalidParameterException');
    expect(await bad({ Budget: { ...budget(), BudgetName: 'a:b' } })).toBe('InvalidParameterException');
    expect(
      await bad({
        NotificationsWithSubscribers: [
          { Notification: { ...alert('ACTUAL', 80), ComparisonOperator: 'ABOVE' }, Subscribers: [email('a@b.co')] },
        ],
      }),
    ).toBe('InvalidParameterException');
    expect(
      await bad({
        NotificationsWithSubscribers: Array.from({ length: 11 }, (_, i) => ({
          Notification: alert('ACTUAL', 10 + i),
          Subscribers: [email('a@b.co')],
        })),
      }),
    ).toBe('InvalidParameterException');
    expect(
      await bad({
        NotificationsWithSubscribers: [
          {
            Notification: alert('ACTUAL', 80),
            Subscribers: Array.from({ length: 11 }, (_, i) => email(`p${i}@acme.example`)),
          },
        ],
      }),
    ).toBe('CreationLimitExceededException');
    expect(
      await bad({
        NotificationsWithSubscribers: [{ Notification: alert('ACTUAL', 80), Subscribers: [email('not-an-email')] }],
      }),
    ).toBe('InvalidParameterException');
    expect(await bad({ AccountId: '999999999999' })).toBe('AccessDeniedException');
    // Nothing was created by the failed calls.
    expect((await client.send(new DescribeBudgetsCommand({ AccountId: ME }))).Budgets ?? []).toEqual([]);
  });

  it('updates the amount in place', async () => {
    await create();
    await client.send(new UpdateBudgetCommand({ AccountId: ME, NewBudget: budget('250') }));
    const b = (await client.send(new DescribeBudgetCommand({ AccountId: ME, BudgetName: 'acme-monthly' }))).Budget!;
    expect(b.BudgetLimit).toEqual({ Amount: '250', Unit: 'USD' });
    expect(
      await errorOf(
        client.send(new UpdateBudgetCommand({ AccountId: ME, NewBudget: { ...budget(), BudgetName: 'other' } })),
      ),
    ).toMatchObject({ name: 'NotFoundException' });
  });

  it('adds and removes notifications and subscribers precisely', async () => {
    await create();
    const base = { AccountId: ME, BudgetName: 'acme-monthly' };
    await client.send(
      new CreateNotificationCommand({
        ...base,
        Notification: alert('FORECASTED', 100),
        Subscribers: [email('a@acme.example')],
      }),
    );
    expect(
      await errorOf(
        client.send(
          new CreateNotificationCommand({
            ...base,
            Notification: alert('FORECASTED', 100),
            Subscribers: [email('a@acme.example')],
          }),
        ),
      ),
    ).toMatchObject({ name: 'DuplicateRecordException' });
    await client.send(
      new CreateSubscriberCommand({
        ...base,
        Notification: alert('FORECASTED', 100),
        Subscriber: email('b@acme.example'),
      }),
    );
    expect(
      await errorOf(
        client.send(
          new CreateSubscriberCommand({
            ...base,
            Notification: alert('FORECASTED', 100),
            Subscriber: email('b@acme.example'),
          }),
        ),
      ),
    ).toMatchObject({ name: 'DuplicateRecordException' });
    await client.send(
      new DeleteSubscriberCommand({
        ...base,
        Notification: alert('FORECASTED', 100),
        Subscriber: email('a@acme.example'),
      }),
    );
    const subs = await client.send(
      new DescribeSubscribersForNotificationCommand({ ...base, Notification: alert('FORECASTED', 100) }),
    );
    expect(subs.Subscribers).toEqual([email('b@acme.example')]);
    await client.send(new DeleteNotificationCommand({ ...base, Notification: alert('ACTUAL', 80) }));
    expect(
      await errorOf(client.send(new DeleteNotificationCommand({ ...base, Notification: alert('ACTUAL', 80) }))),
    ).toMatchObject({ name: 'NotFoundException' });
    const n = await client.send(new DescribeNotificationsForBudgetCommand(base));
    expect(n.Notifications?.map((x) => x.NotificationType)).toEqual(['FORECASTED']);
    expect(
      await errorOf(
        client.send(new DescribeSubscribersForNotificationCommand({ ...base, Notification: alert('ACTUAL', 80) })),
      ),
    ).toMatchObject({ name: 'NotFoundException' });
  });

  it('pages notifications (page size 3) with NextToken', async () => {
    await client.send(
      new CreateBudgetCommand({
        AccountId: ME,
        Budget: budget(),
        NotificationsWithSubscribers: [50, 80, 100, 120].map((t) => ({
          Notification: alert('ACTUAL', t),
          Subscribers: [email('a@acme.example')],
        })),
      }),
    );
    const p1 = await client.send(
      new DescribeNotificationsForBudgetCommand({ AccountId: ME, BudgetName: 'acme-monthly' }),
    );
    expect(p1.NextToken).toBeTruthy();
    const p2 = await client.send(
      new DescribeNotificationsForBudgetCommand({ AccountId: ME, BudgetName: 'acme-monthly', NextToken: p1.NextToken }),
    );
    expect([...p1.Notifications!, ...p2.Notifications!].map((n) => n.Threshold)).toEqual([50, 80, 100, 120]);
  });

  it("drift: amount changed and a subscriber removed behind the CLI's back", async () => {
    await create();
    emu.drift('budgets', 'budget-amount', { name: 'acme-monthly', amount: '999' });
    emu.drift('budgets', 'budget-subscriber-removed', { name: 'acme-monthly', address: 'billing@acme.example' });
    const b = (await client.send(new DescribeBudgetCommand({ AccountId: ME, BudgetName: 'acme-monthly' }))).Budget!;
    expect(b.BudgetLimit?.Amount).toBe('999');
    const s = await client.send(
      new DescribeSubscribersForNotificationCommand({
        AccountId: ME,
        BudgetName: 'acme-monthly',
        Notification: alert('ACTUAL', 80),
      }),
    );
    expect(s.Subscribers ?? []).toEqual([]);
    expect(() => emu.drift('budgets', 'budget-amount', { name: 'nope' })).toThrow(/no budget/);
  });
});

describe('budgets: faults', () => {
  it('throttling is ThrottlingException (400); an internal fault is InternalErrorException (500)', async () => {
    emu.setFaults({ rules: [{ service: 'budgets', sequence: ['throttle', 'internal'], kind: 'throttle' }] });
    expect(await errorOf(client.send(new DescribeBudgetsCommand({ AccountId: ME })))).toMatchObject({
      name: 'ThrottlingException',
      status: 400,
    });
    expect(await errorOf(client.send(new DescribeBudgetsCommand({ AccountId: ME })))).toMatchObject({
      name: 'InternalErrorException',
      status: 500,
    });
    expect((await client.send(new DescribeBudgetsCommand({ AccountId: ME }))).Budgets ?? []).toEqual([]);
  });
});
