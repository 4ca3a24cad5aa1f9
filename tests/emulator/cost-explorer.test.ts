// Cost anomaly detection through the real SDK client against the emulator.
import { beforeEach, describe, expect, it } from 'vitest';
import {
  CostExplorerClient,
  CreateAnomalyMonitorCommand,
  CreateAnomalySubscriptionCommand,
  DeleteAnomalyMonitorCommand,
  DeleteAnomalySubscriptionCommand,
  GetAnomalyMonitorsCommand,
  GetAnomalySubscriptionsCommand,
  UpdateAnomalySubscriptionCommand,
} from '@aws-sdk/client-cost-explorer';
import { seedDefaultAnomalyMonitor, DEFAULT_MONITOR_NAME } from '../../emulator/services/cost-explorer.js';
import { useEmulator } from '../helpers/emulator-sdk.js';

const sdk = useEmulator();
const { emu } = sdk;
let client: CostExplorerClient;
beforeEach(() => {
  client = sdk.client(CostExplorerClient);
});

const errorOf = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected an error');
    },
    (e: Error) => ({ name: e.name, message: e.message }),
  );
const serviceMonitor = (MonitorName = 'acme-services') =>
  new CreateAnomalyMonitorCommand({
    AnomalyMonitor: { MonitorName, MonitorType: 'DIMENSIONAL', MonitorDimension: 'SERVICE' },
  });
const threshold = (v: string) => ({
  Dimensions: {
    Key: 'ANOMALY_TOTAL_IMPACT_ABSOLUTE' as const,
    MatchOptions: ['GREATER_THAN_OR_EQUAL' as const],
    Values: [v],
  },
});
const subscription = (MonitorArn: string, extra: object = {}) =>
  new CreateAnomalySubscriptionCommand({
    AnomalySubscription: {
      SubscriptionName: 'acme-alerts',
      MonitorArnList: [MonitorArn],
      Frequency: 'DAILY',
      Subscribers: [{ Type: 'EMAIL', Address: 'billing@acme.example' }],
      ThresholdExpression: threshold('20'),
      ...extra,
    },
  });

describe('cost explorer anomaly detection', () => {
  it('creates a SERVICE monitor and a daily e-mail subscription, and reads them back', async () => {
    const { MonitorArn } = await client.send(serviceMonitor());
    expect(MonitorArn).toMatch(/^arn:aws:ce::123456789012:anomalymonitor\/[0-9a-f-]{36}$/);
    const monitors = (await client.send(new GetAnomalyMonitorsCommand({}))).AnomalyMonitors!;
    expect(monitors).toMatchObject([
      { MonitorArn, MonitorName: 'acme-services', MonitorType: 'DIMENSIONAL', MonitorDimension: 'SERVICE' },
    ]);
    const { SubscriptionArn } = await client.send(subscription(MonitorArn!));
    const subs = (await client.send(new GetAnomalySubscriptionsCommand({}))).AnomalySubscriptions!;
    expect(subs).toMatchObject([
      {
        SubscriptionArn,
        SubscriptionName: 'acme-alerts',
        MonitorArnList: [MonitorArn],
        Frequency: 'DAILY',
        ThresholdExpression: threshold('20'),
      },
    ]);
    expect(subs[0]!.Subscribers).toMatchObject([{ Type: 'EMAIL', Address: 'billing@acme.example' }]);
  });

  it('a second SERVICE monitor is refused as AWS does', async () => {
    await client.send(serviceMonitor());
    expect(await errorOf(client.send(serviceMonitor('again')))).toEqual({
      name: 'ValidationException',
      message: 'Limit exceeded on dimensional spend monitor creation',
    });
    // Another dimension is fine.
    await client.send(
      new CreateAnomalyMonitorCommand({
        AnomalyMonitor: { MonitorName: 'accounts', MonitorType: 'DIMENSIONAL', MonitorDimension: 'LINKED_ACCOUNT' },
      }),
    );
  });

  it('the default monitor AWS made counts: reuse it, a new one is refused', async () => {
    seedDefaultAnomalyMonitor(emu.world, '123456789012');
    const monitors = (await client.send(new GetAnomalyMonitorsCommand({}))).AnomalyMonitors!;
    expect(monitors.map((m) => m.MonitorName)).toEqual([DEFAULT_MONITOR_NAME]);
    expect((await errorOf(client.send(serviceMonitor()))).name).toBe('ValidationException');
  });

  it('IMMEDIATE with e-mail subscribers is a ValidationException; unknown monitors are UnknownMonitorException', async () => {
    const { MonitorArn } = await client.send(serviceMonitor());
    expect((await errorOf(client.send(subscription(MonitorArn!, { Frequency: 'IMMEDIATE' })))).name).toBe(
      'ValidationException',
    );
    expect((await errorOf(client.send(subscription('arn:aws:ce::123456789012:anomalymonitor/nope')))).name).toBe(
      'UnknownMonitorException',
    );
    expect((await errorOf(client.send(subscription(MonitorArn!, { Frequency: 'HOURLY' })))).name).toBe(
      'ValidationException',
    );
    expect(
      (
        await errorOf(
          client.send(
            subscription(MonitorArn!, {
              ThresholdExpression: { Dimensions: { Key: 'SERVICE', MatchOptions: ['EQUALS'], Values: ['x'] } },
            }),
          ),
        )
      ).name,
    ).toBe('ValidationException');
    expect((await errorOf(client.send(subscription(MonitorArn!, { ThresholdExpression: undefined })))).name).toBe(
      'ValidationException',
    );
    expect((await client.send(new GetAnomalySubscriptionsCommand({}))).AnomalySubscriptions).toEqual([]);
  });

  it('updates threshold, frequency and subscribers; unknown ARNs are UnknownSubscriptionException', async () => {
    const { MonitorArn } = await client.send(serviceMonitor());
    const { SubscriptionArn } = await client.send(subscription(MonitorArn!));
    await client.send(
      new UpdateAnomalySubscriptionCommand({
        SubscriptionArn,
        ThresholdExpression: threshold('75'),
        Frequency: 'WEEKLY',
        Subscribers: [{ Type: 'EMAIL', Address: 'cfo@acme.example' }],
      }),
    );
    const s = (await client.send(new GetAnomalySubscriptionsCommand({ SubscriptionArnList: [SubscriptionArn!] })))
      .AnomalySubscriptions![0]!;
    expect(s).toMatchObject({
      Frequency: 'WEEKLY',
      ThresholdExpression: threshold('75'),
      Subscribers: [{ Type: 'EMAIL', Address: 'cfo@acme.example' }],
    });
    // Switching to IMMEDIATE while e-mail subscribers remain is refused.
    expect(
      (await errorOf(client.send(new UpdateAnomalySubscriptionCommand({ SubscriptionArn, Frequency: 'IMMEDIATE' }))))
        .name,
    ).toBe('ValidationException');
    expect(
      (
        await errorOf(
          client.send(
            new UpdateAnomalySubscriptionCommand({ SubscriptionArn: `${SubscriptionArn}x`, Frequency: 'DAILY' }),
          ),
        )
      ).name,
    ).toBe('UnknownSubscriptionException');
  });

  it('deletes subscriptions and monitors', async () => {
    const { MonitorArn } = await client.send(serviceMonitor());
    const { SubscriptionArn } = await client.send(subscription(MonitorArn!));
    await client.send(new DeleteAnomalySubscriptionCommand({ SubscriptionArn }));
    expect((await errorOf(client.send(new DeleteAnomalySubscriptionCommand({ SubscriptionArn })))).name).toBe(
      'UnknownSubscriptionException',
    );
    await client.send(new DeleteAnomalyMonitorCommand({ MonitorArn }));
    expect((await errorOf(client.send(new DeleteAnomalyMonitorCommand({ MonitorArn })))).name).toBe(
      'UnknownMonitorException',
    );
    // Once deleted, a SERVICE monitor can be created again.
    await client.send(serviceMonitor());
  });

  it('drift: subscription threshold changed, subscription deleted', async () => {
    const { MonitorArn } = await client.send(serviceMonitor());
    await client.send(subscription(MonitorArn!));
    emu.drift('cost-explorer', 'anomaly-threshold', { value: 500 });
    expect(
      (await client.send(new GetAnomalySubscriptionsCommand({}))).AnomalySubscriptions![0]!.ThresholdExpression,
    ).toEqual(threshold('500'));
    emu.drift('cost-explorer', 'anomaly-subscription-deleted', { name: 'acme-alerts' });
    expect((await client.send(new GetAnomalySubscriptionsCommand({}))).AnomalySubscriptions).toEqual([]);
  });
});

describe('cost explorer: paging and faults', () => {
  it('pages subscriptions with NextPageToken; a bad token is InvalidNextTokenException', async () => {
    const { MonitorArn } = await client.send(serviceMonitor());
    for (const n of ['a', 'b', 'c', 'd']) {
      await client.send(
        new CreateAnomalySubscriptionCommand({
          AnomalySubscription: {
            SubscriptionName: `alerts-${n}`,
            MonitorArnList: [MonitorArn!],
            Frequency: 'DAILY',
            Subscribers: [{ Type: 'EMAIL', Address: `${n}@acme.example` }],
            ThresholdExpression: threshold('20'),
          },
        }),
      );
    }
    const names: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const r = await client.send(new GetAnomalySubscriptionsCommand({ NextPageToken: token }));
      names.push(...r.AnomalySubscriptions!.map((x) => x.SubscriptionName!));
      token = r.NextPageToken;
      pages++;
    } while (token && pages < 10);
    expect(pages).toBe(2);
    expect(names).toEqual(['alerts-a', 'alerts-b', 'alerts-c', 'alerts-d']);
    expect(
      (await client.send(new GetAnomalySubscriptionsCommand({ MaxResults: 1 }))).AnomalySubscriptions,
    ).toHaveLength(1);
    expect((await errorOf(client.send(new GetAnomalyMonitorsCommand({ NextPageToken: 'garbage' })))).name).toBe(
      'InvalidNextTokenException',
    );
  });

  it('throttling is LimitExceededException, as Cost Explorer names it', async () => {
    emu.setFaults({
      rules: [{ service: 'cost-explorer', operation: 'GetAnomalyMonitors', kind: 'throttle', times: 1 }],
    });
    const e = await client.send(new GetAnomalyMonitorsCommand({})).then(
      () => undefined,
      (x: Error & { $metadata?: { httpStatusCode?: number } }) => x,
    );
    expect(e).toMatchObject({ name: 'LimitExceededException', $metadata: { httpStatusCode: 400 } });
    expect((await client.send(new GetAnomalyMonitorsCommand({}))).AnomalyMonitors).toEqual([]);
  });
});
