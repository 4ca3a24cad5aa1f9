import { describe, expect, it } from 'vitest';
import {
  POLICY_NAME,
  costEstimate,
  desiredPolicyContent,
  fsbpArn,
  policyProblems,
  securityHub,
  securityHubNote,
  type SecurityHubSeen,
} from '../../../steps/security-hub.js';
import { basic, brief, fakeCtx, ops } from './fixtures.js';
import { STEPS, stepsFor } from '../../../steps/index.js';
import { wantedPrincipals } from '../../../steps/trusted-access.js';
import type { Action, RunContext, StepContext } from '../../../steps/contract.js';

/** runAction with a poll that really waits (a few ms), for chains longer than its 20 quick looks. */
function runSlow(a: Action, ctx: StepContext, recorded: string[]) {
  const run: RunContext = {
    ...ctx,
    input: a.input,
    target: { account: String(a.target.account), region: a.target.region },
    recordInflight: async (k) => {
      recorded.push(`+${k}`);
    },
    clearInflight: async (k) => {
      recorded.push(`-${k}`);
    },
    exclusive: (_k, fn) => fn(),
    sleep: async () => undefined,
    poll: async (_what, check) => {
      for (let i = 0; i < 500; i++) {
        const v = await check();
        if (v !== undefined) return v;
        await new Promise((r) => setTimeout(r, 2));
      }
      throw new Error('poll gave up');
    },
    pollTogether: () => {
      throw new Error('unused');
    },
  };
  return a.run ? a.run(run) : ctx.aws.call(a.service as never, a.operation as never, a.input as never, run.target);
}

const want = { ...basic(), securityHub: { enabled: true } };
const AUDIT = '111100000002';
const ROOT = 'r-abcd';
const AGG = 'arn:aws:securityhub:eu-west-1:111100000002:finding-aggregator/x';
const NAMES = ['management', 'log-archive', 'audit', 'prod', 'dev'];

const done = (): SecurityHubSeen => ({
  auditId: AUDIT,
  rootId: ROOT,
  admin: AUDIT,
  aggregator: { arn: AGG, region: 'eu-west-1', mode: 'SPECIFIED_REGIONS', regions: ['us-east-1'] },
  central: { type: 'CENTRAL', status: 'ENABLED' },
  policy: { id: 'pol-1', problems: [] },
  association: { policyId: 'pol-1', status: 'SUCCESS' },
  hubs: NAMES.flatMap((account) =>
    ['eu-west-1', 'us-east-1'].map((region) => ({ account, region, hub: true, fsbp: true })),
  ),
});

describe('security-hub config and notes', () => {
  it('is off in a config file, asked in the wizard (recommended) with the monthly cost and the pricing pages', () => {
    expect(basic().securityHub).toEqual({ enabled: false });
    expect(stepsFor(basic()).map((s) => s.id)).not.toContain('security-hub');
    expect(stepsFor(want).map((s) => s.id)).toEqual(expect.arrayContaining(['security-hub', 'config-recording']));
    const q = securityHub.questions![0]!;
    expect(q).toMatchObject({ path: 'securityHub.enabled', initial: true });
    const note = securityHubNote(want);
    expect(note).toContain(
      `about ${costEstimate(5, 2).low}–${costEstimate(5, 2).high} USD a month for 5 accounts in 2 regions`,
    );
    expect(note).toContain('https://aws.amazon.com/security-hub/cspm/pricing/');
    expect(note).toContain('https://aws.amazon.com/config/pricing/');
  });

  it('money notes only when planned', () => {
    const none = { has: () => false, count: () => 0 };
    expect(securityHub.notes!(want, none)).toEqual({});
    const all = { has: () => true, count: (op: string) => (op === 'config-service:PutConfigurationRecorder' ? 10 : 1) };
    const money = securityHub.notes!(want, all).money!;
    expect(money).toHaveLength(2);
    expect(money[1]).toContain('in 10 account-regions');
  });

  it('declares trusted access for securityhub.amazonaws.com (only in runs that have the step)', () => {
    expect(securityHub.trustedAccess).toEqual(['securityhub.amazonaws.com']);
    expect(wantedPrincipals(stepsFor(basic()))).not.toContain('securityhub.amazonaws.com');
    expect(wantedPrincipals(stepsFor(want))).toContain('securityhub.amazonaws.com');
    expect(wantedPrincipals(STEPS)).toContain('securityhub.amazonaws.com');
  });
});

describe('security-hub plan', () => {
  it('plans nothing when all is in place', () => {
    expect(securityHub.plan(want, done())).toEqual([]);
  });

  it('a fresh organization: designate audit, aggregator, central configuration, the FSBP policy, the root association', () => {
    const f = fakeCtx(want, () => undefined, {});
    const actions = securityHub.plan(want, securityHub.fresh(f.ctx));
    expect(brief(actions)).toEqual([
      { symbol: '+', op: 'securityhub:EnableOrganizationAdminAccount', input: { AdminAccountId: '<audit.accountId>' } },
      {
        symbol: '+',
        op: 'securityhub:CreateFindingAggregator',
        input: { RegionLinkingMode: 'SPECIFIED_REGIONS', Regions: ['us-east-1'] },
      },
      {
        symbol: '+',
        op: 'securityhub:UpdateOrganizationConfiguration',
        input: {
          AutoEnable: false,
          AutoEnableStandards: 'NONE',
          OrganizationConfiguration: { ConfigurationType: 'CENTRAL' },
        },
      },
      {
        symbol: '+',
        op: 'securityhub:CreateConfigurationPolicy',
        input: { Name: POLICY_NAME, Description: expect.any(String), ConfigurationPolicy: desiredPolicyContent(want) },
      },
      {
        symbol: '+',
        op: 'securityhub:StartConfigurationPolicyAssociation',
        input: { ConfigurationPolicyIdentifier: '<securityHub.policyId>', Target: { RootId: '<org.rootId>' } },
      },
    ]);
    expect(actions[0]!.target).toEqual({ account: 'management', region: 'eu-west-1' });
    expect(actions.slice(1).map((a) => `${String(a.target.account)}/${a.target.region}`)).toEqual(
      Array(4).fill('<audit.accountId>/eu-west-1'),
    );
    expect(desiredPolicyContent(want).SecurityHub.EnabledStandardIdentifiers).toEqual([fsbpArn('eu-west-1')]);
  });

  it('one region only: the aggregator links no other region', () => {
    const one = { ...want, allowedRegions: ['eu-west-1'] };
    const f = fakeCtx(one, () => undefined, {});
    expect(securityHub.plan(one, securityHub.fresh(f.ctx))[1]!.input).toEqual({ RegionLinkingMode: 'NO_REGIONS' });
  });

  it('partly done (crash after the aggregator, central still PENDING): waits for it without re-issuing, then the rest', () => {
    const seen: SecurityHubSeen = {
      ...done(),
      central: { type: 'CENTRAL', status: 'PENDING' },
      policy: undefined,
      association: undefined,
      hubs: [],
    };
    const actions = securityHub.plan(want, seen);
    expect(ops(actions)).toEqual([
      'securityhub:UpdateOrganizationConfiguration',
      'securityhub:CreateConfigurationPolicy',
      'securityhub:StartConfigurationPolicyAssociation',
    ]);
    expect(actions[0]!.summary).toContain('already being turned on; wait for it');
  });

  it('drift: policy disassociated, policy edited, aggregator regions changed, a hub off and a standard off', () => {
    const seen = done();
    seen.association = null;
    expect(securityHub.plan(want, seen).map((a) => a.summary)).toEqual([
      `+ securityhub:StartConfigurationPolicyAssociation ${POLICY_NAME} → the organization root (the root has no configuration policy)`,
    ]);

    const edited = done();
    edited.policy = {
      id: 'pol-1',
      problems: policyProblems(want, {
        SecurityHub: {
          ServiceEnabled: true,
          EnabledStandardIdentifiers: [fsbpArn('eu-west-1')],
          SecurityControlsConfiguration: { DisabledSecurityControlIdentifiers: ['IAM.1'] },
        },
      }),
    };
    const e = securityHub.plan(want, edited);
    expect(brief(e)).toEqual([
      {
        symbol: '~',
        op: 'securityhub:UpdateConfigurationPolicy',
        input: { Identifier: 'pol-1', ConfigurationPolicy: desiredPolicyContent(want) },
      },
    ]);
    expect(e[0]!.summary).toContain('not every control enabled');

    const agg = done();
    agg.aggregator = { ...agg.aggregator!, mode: 'ALL_REGIONS', regions: [] };
    expect(brief(securityHub.plan(want, agg))).toEqual([
      {
        symbol: '~',
        op: 'securityhub:UpdateFindingAggregator',
        input: { FindingAggregatorArn: AGG, RegionLinkingMode: 'SPECIFIED_REGIONS', Regions: ['us-east-1'] },
      },
    ]);

    const hubs = done();
    hubs.hubs.find((h) => h.account === 'prod' && h.region === 'us-east-1')!.hub = false;
    hubs.hubs.find((h) => h.account === 'dev' && h.region === 'eu-west-1')!.fsbp = false;
    const h = securityHub.plan(want, hubs);
    expect(brief(h)).toEqual([
      {
        symbol: '~',
        op: 'securityhub:StartConfigurationPolicyAssociation',
        input: { ConfigurationPolicyIdentifier: 'pol-1', Target: { RootId: ROOT } },
      },
    ]);
    expect(h[0]!.summary).toContain(
      'apply it again: prod us-east-1 has Security Hub off, dev eu-west-1 has the standard off',
    );
  });

  it('another account is the delegated administrator: a blocking manual step, nothing else', () => {
    const actions = securityHub.plan(want, { ...done(), admin: '999999999999' });
    expect(actions.map((a) => [a.kind, a.manual?.blocking])).toEqual([['manual', true]]);
    expect(actions[0]!.summary).toContain('999999999999');
  });

  it('policy problems name what differs', () => {
    expect(policyProblems(want, { SecurityHub: desiredPolicyContent(want).SecurityHub })).toEqual([]);
    expect(policyProblems(want, { SecurityHub: { ServiceEnabled: false } })).toEqual([
      'Security Hub off',
      'standards none',
    ]);
  });
});

describe('security-hub apply (fake AWS)', () => {
  it('runs the chain in order, records the waits, and the association waits for SUCCESS', async () => {
    const sent: string[] = [];
    let assoc = 0;
    const f = fakeCtx(
      want,
      (_s, op) => {
        sent.push(op);
        if (op === 'CreateConfigurationPolicy') return { Id: 'pol-new' };
        if (op === 'ListConfigurationPolicies') return { ConfigurationPolicySummaries: [] };
        if (op === 'DescribeOrganizationConfiguration')
          return { OrganizationConfiguration: { ConfigurationType: 'CENTRAL', Status: 'ENABLED' } };
        if (op === 'GetConfigurationPolicyAssociation')
          return { AssociationStatus: ++assoc < 2 ? 'PENDING' : 'SUCCESS' };
        return {};
      },
      { 'org.rootId': ROOT, 'audit.accountId': AUDIT, 'securityHub.policyId': 'stale-id' },
    );
    const actions = securityHub.plan(want, { auditId: AUDIT, rootId: ROOT, admin: null, hubs: [] });
    // All started at once, as the engine would: the gates keep AWS's order.
    const recorded: string[] = [];
    await Promise.all([...actions].reverse().map((a) => runSlow(a, f.ctx as StepContext, recorded)));
    expect(recorded).toEqual([
      '+securityhub:central-configuration',
      '-securityhub:central-configuration',
      `+securityhub:association:${ROOT}`,
      `-securityhub:association:${ROOT}`,
    ]);
    expect(sent.filter((o) => !o.startsWith('Get') && !o.startsWith('List') && !o.startsWith('Describe'))).toEqual([
      'EnableOrganizationAdminAccount',
      'CreateFindingAggregator',
      'UpdateOrganizationConfiguration',
      'CreateConfigurationPolicy',
      'StartConfigurationPolicyAssociation',
    ]);
    // The new policy's ID, not a stale one left in the state file.
    expect(f.calls.find((c) => c.op === 'StartConfigurationPolicyAssociation')!.input).toEqual({
      ConfigurationPolicyIdentifier: 'pol-new',
      Target: { RootId: ROOT },
    });
  });
});
