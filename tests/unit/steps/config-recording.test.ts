import { describe, expect, it } from 'vitest';
import { configRecording, configSlrArn, type ConfigRecordingSeen } from '../../../steps/config-recording.js';
import { ACCOUNTS as IDS, KNOWN, MGMT, basic, brief, fakeCtx, ops, runAction } from './fixtures.js';
import { Ref, type StepContext } from '../../../steps/contract.js';

const want = { ...basic(), securityHub: { enabled: true } };
const BUCKET = `acme-robotics-org-trail-${IDS['log-archive']}`;
const NAMES = ['management', 'log-archive', 'audit', 'prod', 'dev'];
const idOf = (n: string) => (n === 'management' ? MGMT : IDS[n]!);
const targetOf = (n: string) => (n === 'management' ? 'management' : IDS[n]!);

const done = (): ConfigRecordingSeen => ({
  bucket: BUCKET,
  accounts: NAMES.map((n) => ({
    name: n,
    target: targetOf(n),
    accountId: idOf(n),
    slr: true,
    regions: ['eu-west-1', 'us-east-1'].map((region) => ({
      region,
      recorder: {
        name: 'default',
        roleARN: configSlrArn(idOf(n)),
        allSupported: true,
        includeGlobalResourceTypes: region === 'eu-west-1',
        recording: true,
      },
      channel: { name: 'default', bucket: BUCKET, prefix: 'config' },
    })),
  })),
});

describe('config-recording plan', () => {
  it('is on only with securityHub.enabled', () => {
    expect(configRecording.enabled!(basic())).toBe(false);
    expect(configRecording.enabled!(want)).toBe(true);
  });

  it('plans nothing when every account and region records into the log archive', () => {
    expect(configRecording.plan(want, done())).toEqual([]);
  });

  it('a fresh organization: the role per account, then recorder, channel and start per account and region', () => {
    const f = fakeCtx(want, () => undefined, {});
    const actions = configRecording.plan(want, configRecording.fresh(f.ctx));
    expect(actions).toHaveLength(5 + 10 * 3);
    const prod = actions.filter((a) => String(a.target.account) === '<prod.accountId>');
    expect(brief(prod)).toEqual([
      { symbol: '+', op: 'iam:CreateServiceLinkedRole', input: { AWSServiceName: 'config.amazonaws.com' } },
      {
        symbol: '+',
        op: 'config-service:PutConfigurationRecorder',
        input: {
          ConfigurationRecorder: {
            name: 'default',
            roleARN: '<config.roleArn.prod>',
            recordingGroup: { allSupported: true, includeGlobalResourceTypes: true },
          },
        },
      },
      {
        symbol: '+',
        op: 'config-service:PutDeliveryChannel',
        input: {
          DeliveryChannel: {
            name: 'default',
            s3BucketName: 'acme-robotics-org-trail-<log-archive.accountId>',
            s3KeyPrefix: 'config',
          },
        },
      },
      { symbol: '+', op: 'config-service:StartConfigurationRecorder', input: { ConfigurationRecorderName: 'default' } },
      {
        symbol: '+',
        op: 'config-service:PutConfigurationRecorder',
        input: {
          ConfigurationRecorder: {
            name: 'default',
            roleARN: '<config.roleArn.prod>',
            recordingGroup: { allSupported: true, includeGlobalResourceTypes: false },
          },
        },
      },
      {
        symbol: '+',
        op: 'config-service:PutDeliveryChannel',
        input: {
          DeliveryChannel: {
            name: 'default',
            s3BucketName: 'acme-robotics-org-trail-<log-archive.accountId>',
            s3KeyPrefix: 'config',
          },
        },
      },
      { symbol: '+', op: 'config-service:StartConfigurationRecorder', input: { ConfigurationRecorderName: 'default' } },
    ]);
    expect(prod.map((a) => a.target.region)).toEqual([
      'us-east-1',
      'eu-west-1',
      'eu-west-1',
      'eu-west-1',
      'us-east-1',
      'us-east-1',
      'us-east-1',
    ]);
    expect(prod[1]!.input).toMatchObject({ ConfigurationRecorder: { roleARN: expect.any(Ref) } });
  });

  it('partly done: the role exists, one region has a recorder only; the rest is planned with the known role ARN', () => {
    const seen = done();
    const dev = seen.accounts[4]!;
    dev.regions[1] = { region: 'us-east-1', recorder: null, channel: null };
    dev.regions[0] = {
      ...dev.regions[0]!,
      channel: null,
      recorder: { ...dev.regions[0]!.recorder!, recording: false },
    };
    const actions = configRecording.plan(want, seen);
    expect(ops(actions)).toEqual([
      'config-service:PutDeliveryChannel',
      'config-service:StartConfigurationRecorder',
      'config-service:PutConfigurationRecorder',
      'config-service:PutDeliveryChannel',
      'config-service:StartConfigurationRecorder',
    ]);
    expect((actions[2]!.input as any).ConfigurationRecorder.roleARN).toBe(configSlrArn(IDS.dev!));
    expect(actions[0]!.summary).toBe(
      `+ config-service:PutDeliveryChannel dev eu-west-1 (no delivery channel; deliver to ${BUCKET}/config/)`,
    );
    expect(actions[1]!.summary).toBe(
      '~ config-service:StartConfigurationRecorder dev eu-west-1 (recording is stopped)',
    );
  });

  it('drift: a stopped recorder, a channel to another bucket, global types outside the home region; names and roles kept', () => {
    const seen = done();
    seen.accounts[3]!.regions[1]!.recorder!.recording = false;
    seen.accounts[2]!.regions[0]!.channel = { name: 'theirs', bucket: 'someone-else', prefix: 'config' };
    seen.accounts[0]!.regions[1]!.recorder = {
      name: 'rec',
      roleARN: 'arn:aws:iam::123456789012:role/custom',
      allSupported: true,
      includeGlobalResourceTypes: true,
      recording: true,
    };
    const actions = configRecording.plan(want, seen);
    expect(brief(actions)).toEqual([
      {
        symbol: '~',
        op: 'config-service:PutConfigurationRecorder',
        input: {
          ConfigurationRecorder: {
            name: 'rec',
            roleARN: 'arn:aws:iam::123456789012:role/custom',
            recordingGroup: { allSupported: true, includeGlobalResourceTypes: false },
          },
        },
      },
      {
        symbol: '~',
        op: 'config-service:PutDeliveryChannel',
        input: { DeliveryChannel: { name: 'theirs', s3BucketName: BUCKET, s3KeyPrefix: 'config' } },
      },
      { symbol: '~', op: 'config-service:StartConfigurationRecorder', input: { ConfigurationRecorderName: 'default' } },
    ]);
    expect(actions[0]!.summary).toContain('global resource types recorded outside the home region');
    expect(actions[1]!.summary).toContain('delivers to someone-else');
    expect(actions.map((a) => a.target)).toEqual([
      { account: 'management', region: 'us-east-1' },
      { account: IDS.audit, region: 'eu-west-1' },
      { account: IDS.prod, region: 'us-east-1' },
    ]);
  });

  it('observe reads the role and each region; applying the plan sends the calls in order (role, recorder, channel, start)', async () => {
    const made: string[] = [];
    const f = fakeCtx(
      want,
      (_s, op, _i, t) => {
        if (op === 'GetRole') return Object.assign(new Error('x'), { name: 'NoSuchEntity' });
        if (op === 'DescribeConfigurationRecorders') return { ConfigurationRecorders: [] };
        if (op === 'DescribeConfigurationRecorderStatus') return { ConfigurationRecordersStatus: [] };
        if (op === 'DescribeDeliveryChannels') return { DeliveryChannels: [] };
        made.push(`${op}@${t.account}/${t.region}`);
        if (op === 'CreateServiceLinkedRole')
          return { Role: { Arn: configSlrArn(t.account === 'management' ? MGMT : t.account) } };
        return {};
      },
      KNOWN,
    );
    const seen = await configRecording.observe(f.ctx);
    expect(seen.bucket).toBe(BUCKET);
    expect(
      seen.accounts.every((a) => a.slr === false && a.regions.every((r) => r.recorder === null && r.channel === null)),
    ).toBe(true);
    const actions = configRecording.plan(want, seen).filter((a) => a.target.account === IDS.prod);
    // Started in reverse order on purpose: the gates keep the calls in AWS's order.
    await Promise.all([...actions].reverse().map((a) => runAction(a, f.ctx as StepContext)));
    expect(made.filter((m) => m.includes('/eu-west-1') || m.startsWith('CreateService'))).toEqual([
      `CreateServiceLinkedRole@${IDS.prod}/us-east-1`,
      `PutConfigurationRecorder@${IDS.prod}/eu-west-1`,
      `PutDeliveryChannel@${IDS.prod}/eu-west-1`,
      `StartConfigurationRecorder@${IDS.prod}/eu-west-1`,
    ]);
  });
});
