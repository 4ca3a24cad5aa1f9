import { describe, expect, it } from 'vitest';
import {
  costAnomalyDetection as step,
  thresholdExpression,
  type AnomalySeen,
} from '../../../steps/cost-anomaly-detection.js';
import type { RunContext } from '../../../steps/contract.js';
import { awsErr, basic, brief, fakeCtx } from './fixtures.js';

const want = basic(); // threshold 20 USD, DAILY, ops+aws-billing@acme.example
const BILLING = 'ops+aws-billing@acme.example';
const MON = 'arn:aws:ce::123456789012:anomalymonitor/1111';
const SUB = 'arn:aws:ce::123456789012:anomalysubscription/2222';
const complete = (): AnomalySeen => ({
  monitor: { arn: MON, name: 'Default-Services-Monitor' },
  subscription: {
    arn: SUB,
    name: 'acme-robotics-anomaly-alerts',
    monitorArns: [MON],
    frequency: 'DAILY',
    subscribers: [{ Type: 'EMAIL', Address: BILLING }],
    threshold: '20',
  },
});

describe('cost anomaly detection plan', () => {
  it('fresh account: a SERVICE monitor, then a daily e-mail subscription that waits for its ARN', () => {
    const actions = step.plan(want, {});
    expect(brief(actions)).toEqual([
      {
        symbol: '+',
        op: 'cost-explorer:CreateAnomalyMonitor',
        input: {
          AnomalyMonitor: {
            MonitorName: 'acme-robotics-services',
            MonitorType: 'DIMENSIONAL',
            MonitorDimension: 'SERVICE',
          },
        },
      },
      {
        symbol: '+',
        op: 'cost-explorer:CreateAnomalySubscription',
        input: {
          AnomalySubscription: {
            SubscriptionName: 'acme-robotics-anomaly-alerts',
            MonitorArnList: ['<anomaly.monitorArn>'],
            Subscribers: [{ Type: 'EMAIL', Address: BILLING }],
            Frequency: 'DAILY',
            ThresholdExpression: {
              Dimensions: {
                Key: 'ANOMALY_TOTAL_IMPACT_ABSOLUTE',
                MatchOptions: ['GREATER_THAN_OR_EQUAL'],
                Values: ['20'],
              },
            },
          },
        },
      },
    ]);
    expect(actions[0]!.produces).toEqual(['anomaly.monitorArn']);
    expect(actions[1]!.after).toEqual(['anomaly.monitorArn']);
  });

  it("reuses an existing SERVICE monitor (AWS's default) instead of creating a second", () => {
    const actions = step.plan(want, { monitor: { arn: MON, name: 'Default-Services-Monitor' } });
    expect(brief(actions).map((a) => a.op)).toEqual(['cost-explorer:CreateAnomalySubscription']);
    expect(brief(actions)[0]!.input.AnomalySubscription.MonitorArnList).toEqual([MON]);
    expect(actions[0]!.after).toBeUndefined();
  });

  it('plans nothing when everything matches ("20.0" is 20)', () => {
    const seen = complete();
    seen.subscription!.threshold = '20.0';
    expect(step.plan(want, seen)).toEqual([]);
  });

  it('a changed threshold is one UpdateAnomalySubscription with only the threshold', () => {
    const seen = complete();
    seen.subscription!.threshold = '500';
    const actions = step.plan(want, seen);
    expect(brief(actions)).toEqual([
      {
        symbol: '~',
        op: 'cost-explorer:UpdateAnomalySubscription',
        input: { SubscriptionArn: SUB, ThresholdExpression: thresholdExpression(20) },
      },
    ]);
    expect(actions[0]!.summary).toContain('threshold 500 → 20 USD');
  });

  it('a custom expression, another frequency, changed subscribers and a missing monitor all go in one update', () => {
    const seen = complete();
    seen.subscription = {
      ...seen.subscription!,
      threshold: undefined,
      frequency: 'WEEKLY',
      monitorArns: [],
      subscribers: [
        { Type: 'EMAIL', Address: 'old@acme.example' },
        { Type: 'SNS', Address: 'arn:aws:sns:us-east-1:123456789012:chat' },
      ],
    };
    expect(brief(step.plan(want, seen))).toEqual([
      {
        symbol: '~',
        op: 'cost-explorer:UpdateAnomalySubscription',
        input: {
          SubscriptionArn: SUB,
          ThresholdExpression: thresholdExpression(20),
          Frequency: 'DAILY',
          Subscribers: [
            { Type: 'EMAIL', Address: BILLING },
            { Type: 'SNS', Address: 'arn:aws:sns:us-east-1:123456789012:chat' },
          ],
          MonitorArnList: [MON],
        },
      },
    ]);
  });

  it('uses want.anomaly.frequency', () => {
    const w = { ...want, anomaly: { ...want.anomaly, frequency: 'WEEKLY' as const } };
    expect(brief(step.plan(w, complete()))).toEqual([
      {
        symbol: '~',
        op: 'cost-explorer:UpdateAnomalySubscription',
        input: { SubscriptionArn: SUB, Frequency: 'WEEKLY' },
      },
    ]);
  });

  it('a deleted monitor: create it and point the subscription at the new one', () => {
    const seen = complete();
    delete seen.monitor;
    expect(brief(step.plan(want, seen))).toEqual([
      {
        symbol: '+',
        op: 'cost-explorer:CreateAnomalyMonitor',
        input: {
          AnomalyMonitor: {
            MonitorName: 'acme-robotics-services',
            MonitorType: 'DIMENSIONAL',
            MonitorDimension: 'SERVICE',
          },
        },
      },
      {
        symbol: '~',
        op: 'cost-explorer:UpdateAnomalySubscription',
        input: { SubscriptionArn: SUB, MonitorArnList: ['<anomaly.monitorArn>'] },
      },
    ]);
  });
});

describe('cost anomaly detection observe / run', () => {
  const monitors = [
    { MonitorArn: 'arn:aws:ce::123456789012:anomalymonitor/custom', MonitorName: 'team-tags', MonitorType: 'CUSTOM' },
    {
      MonitorArn: MON,
      MonitorName: 'Default-Services-Monitor',
      MonitorType: 'DIMENSIONAL',
      MonitorDimension: 'SERVICE',
    },
  ];
  it('finds the SERVICE monitor whatever its name and our subscription by name', async () => {
    const { ctx, published } = fakeCtx(want, (_s, op) => {
      if (op === 'GetAnomalyMonitors') return { AnomalyMonitors: monitors };
      if (op === 'GetAnomalySubscriptions')
        return {
          AnomalySubscriptions: [
            {
              SubscriptionArn: 'arn:other',
              SubscriptionName: 'someone-else',
              MonitorArnList: [MON],
              Frequency: 'DAILY',
              Subscribers: [],
            },
            {
              SubscriptionArn: SUB,
              SubscriptionName: 'acme-robotics-anomaly-alerts',
              MonitorArnList: [MON],
              Frequency: 'DAILY',
              Subscribers: [{ Type: 'EMAIL', Address: BILLING, Status: 'CONFIRMED' }],
              ThresholdExpression: thresholdExpression(20),
            },
          ],
        };
      throw new Error(op);
    });
    expect(await step.observe(ctx)).toEqual(complete());
    expect(published['anomaly.monitorArn']).toBe(MON);
  });

  it('Cost Explorer not turned on yet: an explained error with the console link', async () => {
    const { ctx } = fakeCtx(want, () => awsErr('AccessDeniedException', 'User not enabled for cost explorer access'));
    await expect(step.observe(ctx)).rejects.toMatchObject({
      name: 'StepError',
      message: expect.stringContaining('Cost Explorer is not turned on'),
      hint: expect.stringContaining('cost-explorer'),
    });
    const denied = fakeCtx(want, () => awsErr('AccessDeniedException', 'not authorized'));
    await expect(step.observe(denied.ctx)).rejects.toMatchObject({
      name: 'StepError',
      hint: expect.stringContaining('administrator'),
    });
  });

  it('the subscription uses the monitor that exists now, not a stale remembered ARN', async () => {
    const [, create] = step.plan(want, {});
    const { ctx, calls } = fakeCtx(want, (_s, op) =>
      op === 'GetAnomalyMonitors' ? { AnomalyMonitors: monitors } : { SubscriptionArn: SUB },
    );
    const run: RunContext = {
      ...ctx,
      target: { account: 'management', region: 'us-east-1' },
      input: JSON.parse(
        JSON.stringify(create!.input).replace(
          '"<anomaly.monitorArn>"',
          '"arn:aws:ce::123456789012:anomalymonitor/deleted"',
        ),
      ),
      recordInflight: async () => undefined,
      clearInflight: async () => undefined,
      sleep: async () => undefined,
      exclusive: (_k, fn) => fn(),
      poll: async (_w, check) => (await check())!,
      pollTogether: async (_g, id, _w, checkAll) => (await checkAll([id])).get(id)!,
    };
    await create!.run!(run);
    expect(calls.at(-1)!.op).toBe('CreateAnomalySubscription');
    expect(calls.at(-1)!.input.AnomalySubscription.MonitorArnList).toEqual([MON]);
  });
});
