// GuardDuty: observe reads the organization's administrator, the audit account's detector and the
// organization configuration in each allowed region; plan turns the gaps into the exact calls.
import { describe, expect, it } from 'vitest';
import { guardDuty, wantedFeatures, type GuardDutyRegion, type GuardDutySeen } from '../../../steps/guardduty.js';
import { StepError } from '../../../steps/contract.js';
import { stepsFor } from '../../../steps/index.js';
import { ACCOUNTS, KNOWN, MGMT, awsErr, basic, brief, fakeCtx, fakeRun, type Answer } from './fixtures.js';

const want = basic(); // allowed regions eu-west-1 and us-east-1
const AUDIT = ACCOUNTS.audit!;
const FEATURES = wantedFeatures(want.guardDuty.protection);
const ORG_FEATURES = FEATURES.map((f) => ({ Name: f.Name, AutoEnable: f.Status === 'ENABLED' ? 'ALL' : 'NONE' }));

/** A region where everything is as the config wants it. */
const done = (region: string): GuardDutyRegion => ({
  region,
  admin: AUDIT,
  detectorId: `det-${region}`,
  frequency: 'FIFTEEN_MINUTES',
  features: Object.fromEntries(FEATURES.map((f) => [f.Name, f.Status])),
  autoEnable: 'ALL',
  orgFeatures: Object.fromEntries(ORG_FEATURES.map((f) => [f.Name, f.AutoEnable])),
  lapsed: [],
});
const seenDone = (): GuardDutySeen => ({ auditId: AUDIT, regions: want.allowedRegions.map(done) });

/** AWS as it answers once GuardDuty is set up in every allowed region (with `change` applied). */
const awsDone =
  (change: (op: string, out: any, region: string) => any = (_o, out) => out): Answer =>
  (_s, op, input, target) => {
    const region = target?.region ?? 'us-east-1';
    const out: Record<string, unknown> = {
      ListOrganizationAdminAccounts: { AdminAccounts: [{ AdminAccountId: AUDIT, AdminStatus: 'ENABLED' }] },
      ListDetectors: { DetectorIds: [`det-${region}`] },
      GetDetector: {
        FindingPublishingFrequency: 'FIFTEEN_MINUTES',
        Features: [...FEATURES, { Name: 'CLOUD_TRAIL', Status: 'ENABLED' }],
      },
      DescribeOrganizationConfiguration: { AutoEnableOrganizationMembers: 'ALL', Features: ORG_FEATURES },
      ListMembers: { Members: [{ AccountId: ACCOUNTS.prod, Email: 'p@x', RelationshipStatus: 'Enabled' }] },
    };
    if (!(op in out)) throw new Error(`unexpected call ${op} ${JSON.stringify(input)}`);
    return change(op, out[op], region);
  };

describe('guardduty: plan', () => {
  it('a fresh organization, per allowed region: the audit detector, then audit as administrator, then every account auto-enabled', () => {
    const actions = guardDuty.plan(want, guardDuty.fresh(fakeCtx(want, () => undefined).ctx));
    expect(brief(actions)).toEqual(
      want.allowedRegions.flatMap((region) => [
        {
          symbol: '+',
          op: 'guardduty:CreateDetector',
          input: { Enable: true, FindingPublishingFrequency: 'FIFTEEN_MINUTES', Features: FEATURES },
        },
        { symbol: '+', op: 'guardduty:EnableOrganizationAdminAccount', input: { AdminAccountId: '<audit.accountId>' } },
        {
          symbol: '+',
          op: 'guardduty:UpdateOrganizationConfiguration',
          input: {
            DetectorId: `<guardDuty.${region}.detectorId>`,
            AutoEnableOrganizationMembers: 'ALL',
            Features: ORG_FEATURES,
          },
        },
      ]),
    );
    // S3 protection on; the plans for workloads a startup may not run yet off.
    expect(FEATURES).toEqual([
      { Name: 'S3_DATA_EVENTS', Status: 'ENABLED' },
      { Name: 'EKS_AUDIT_LOGS', Status: 'DISABLED' },
      { Name: 'RUNTIME_MONITORING', Status: 'DISABLED' },
      { Name: 'EBS_MALWARE_PROTECTION', Status: 'DISABLED' },
      { Name: 'RDS_LOGIN_EVENTS', Status: 'DISABLED' },
      { Name: 'LAMBDA_NETWORK_LOGS', Status: 'DISABLED' },
    ]);
    // Where each goes, and the order the engine keeps: detector → administrator → configuration.
    expect(
      actions.slice(0, 3).map((a) => [String(a.target.account), a.target.region, a.after ?? [], a.produces ?? []]),
    ).toEqual([
      ['<audit.accountId>', 'eu-west-1', [], ['guardDuty.eu-west-1.detectorId']],
      ['management', 'eu-west-1', ['guardDuty.eu-west-1.detectorId'], ['guardDuty.eu-west-1.admin']],
      ['<audit.accountId>', 'eu-west-1', ['guardDuty.eu-west-1.admin'], []],
    ]);
  });

  it('all set up: nothing to do', () => {
    expect(guardDuty.plan(want, seenDone())).toEqual([]);
  });

  it('drift: the frequency and a protection plan changed, auto-enable off, a member whose detector went', () => {
    const s = seenDone();
    s.regions[0] = {
      ...s.regions[0]!,
      frequency: 'SIX_HOURS',
      features: { ...s.regions[0]!.features, S3_DATA_EVENTS: 'DISABLED' },
      autoEnable: 'NONE',
      lapsed: [{ accountId: ACCOUNTS.prod!, email: 'p@x', status: 'Removed' }],
    };
    const actions = guardDuty.plan(want, s);
    expect(brief(actions)).toEqual([
      {
        symbol: '~',
        op: 'guardduty:UpdateDetector',
        input: { DetectorId: 'det-eu-west-1', FindingPublishingFrequency: 'FIFTEEN_MINUTES', Features: FEATURES },
      },
      {
        symbol: '~',
        op: 'guardduty:UpdateOrganizationConfiguration',
        input: { DetectorId: 'det-eu-west-1', AutoEnableOrganizationMembers: 'ALL', Features: ORG_FEATURES },
      },
      {
        symbol: '~',
        op: 'guardduty:CreateMembers',
        input: { DetectorId: 'det-eu-west-1', AccountDetails: [{ AccountId: ACCOUNTS.prod, Email: 'p@x' }] },
      },
    ]);
    expect(actions[0]!.summary).toBe(
      '~ guardduty:UpdateDetector audit eu-west-1: findings every FIFTEEN_MINUTES (was SIX_HOURS), S3_DATA_EVENTS enabled',
    );
  });

  it('turned off in the config: the step is left out of the run', () => {
    expect(stepsFor(want).map((s) => s.id)).toContain('guardduty');
    expect(stepsFor({ ...want, guardDuty: { ...want.guardDuty, enabled: false } }).map((s) => s.id)).not.toContain(
      'guardduty',
    );
  });
});

describe('guardduty: observe', () => {
  it('reads each allowed region through the management and audit accounts, and publishes the detector and administrator', async () => {
    const f = fakeCtx(want, awsDone(), KNOWN);
    expect(await guardDuty.observe(f.ctx)).toEqual(seenDone());
    expect(f.published).toMatchObject({
      'guardDuty.eu-west-1.detectorId': 'det-eu-west-1',
      'guardDuty.us-east-1.admin': AUDIT,
    });
    expect(new Set(f.calls.map((c) => `${c.op}@${c.target?.account ?? 'management'}`))).toEqual(
      new Set([
        'ListOrganizationAdminAccounts@management',
        `ListDetectors@${AUDIT}`,
        `GetDetector@${AUDIT}`,
        `DescribeOrganizationConfiguration@${AUDIT}`,
        `ListMembers@${AUDIT}`,
      ]),
    );
  });

  it('a member whose detector was deleted shows as lapsed', async () => {
    const f = fakeCtx(
      want,
      awsDone((op, out) =>
        op === 'ListMembers'
          ? { Members: [{ AccountId: ACCOUNTS.dev, Email: 'd@x', RelationshipStatus: 'Removed' }] }
          : out,
      ),
      KNOWN,
    );
    const seen = await guardDuty.observe(f.ctx);
    expect(seen.regions[0]!.lapsed).toEqual([{ accountId: ACCOUNTS.dev, email: 'd@x', status: 'Removed' }]);
  });

  it('another account already administers GuardDuty: a StepError that says what to do, nothing replaced', async () => {
    const f = fakeCtx(
      want,
      awsDone((op, out) =>
        op === 'ListOrganizationAdminAccounts'
          ? { AdminAccounts: [{ AdminAccountId: '999999999999', AdminStatus: 'ENABLED' }] }
          : out,
      ),
      KNOWN,
    );
    const err = await guardDuty.observe(f.ctx).catch((e) => e);
    expect(err).toBeInstanceOf(StepError);
    expect(err.message).toContain('administered by account 999999999999');
    expect(err.hint).toContain('"guardDuty": { "enabled": false }');
  });

  it('before the audit account exists: the fresh plan, no AWS call', async () => {
    const f = fakeCtx(
      want,
      () => {
        throw new Error('no call expected');
      },
      { 'management.accountId': MGMT },
    );
    expect((await guardDuty.observe(f.ctx)).regions.map((r) => r.region)).toEqual(want.allowedRegions);
  });
});

describe('guardduty: run', () => {
  it('a detector made by a run that stopped before it saw the answer is adopted, not refused', async () => {
    const create = guardDuty.plan(want, guardDuty.fresh(fakeCtx(want, () => undefined).ctx))[0]!;
    const r = fakeRun(
      want,
      create,
      (_s, op) =>
        op === 'CreateDetector'
          ? awsErr(
              'BadRequestException',
              'The request is rejected because a detector already exists for the current account.',
            )
          : { DetectorIds: ['det-1'] },
      KNOWN,
    );
    expect(await create.run!(r.ctx)).toEqual({ 'guardDuty.eu-west-1.detectorId': 'det-1' });
    expect(r.calls.map((c) => c.op)).toEqual(['CreateDetector', 'ListDetectors']);
  });

  it('any other refusal is not taken for "already there"', async () => {
    const create = guardDuty.plan(want, guardDuty.fresh(fakeCtx(want, () => undefined).ctx))[0]!;
    const r = fakeRun(
      want,
      create,
      () =>
        awsErr('BadRequestException', 'The request is rejected because an invalid or out-of-range value is specified.'),
      KNOWN,
    );
    await expect(create.run!(r.ctx)).rejects.toThrow(/out-of-range/);
  });
});
