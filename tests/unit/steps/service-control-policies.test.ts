import { describe, expect, it } from 'vitest';
import { serviceControlPolicies, MAX_SCPS_PER_TARGET, type ScpSeen } from '../../../steps/service-control-policies.js';
import { SCPS, scpContent } from '../../../steps/lib/org-scp-policies.js';
import { StepError } from '../../../steps/contract.js';
import type { Baseline } from '../../../config/schema.js';
import { awsErr, basic, brief, fakeCtx, fakeRun, ORG_VALUES, ROOT } from './fixtures.js';

const SEC = 'ou-ab12-security1';
const IDS = { guardrails: 'p-guardrails1', log: 'p-logprotect1', region: 'p-regionguard' };
const NAMES = {
  guardrails: 'secure-start-guardrails',
  log: 'secure-start-log-protection',
  region: 'secure-start-region-guard',
};
const def = (name: string) => SCPS.find((d) => d.name === name)!;
const content = (want: Baseline, name: string) => scpContent(def(name), want);

const withGuard = (on = true): Baseline => {
  const w = basic();
  w.scps = { ...w.scps, regionGuard: on };
  return w;
};

/** Everything in place, as a second run sees it. */
function inPlace(want: Baseline, over: Partial<ScpSeen> = {}): ScpSeen {
  const policies: ScpSeen['policies'] = {
    [NAMES.guardrails]: { id: IDS.guardrails, content: content(want, NAMES.guardrails) },
    [NAMES.log]: { id: IDS.log, content: content(want, NAMES.log) },
  };
  const attached: ScpSeen['attached'] = { [NAMES.guardrails]: [ROOT], [NAMES.log]: [SEC] };
  const perTarget: ScpSeen['perTarget'] = {
    [ROOT]: ['FullAWSAccess', NAMES.guardrails],
    [SEC]: ['FullAWSAccess', NAMES.log],
  };
  if (want.scps.regionGuard) {
    policies[NAMES.region] = { id: IDS.region, content: content(want, NAMES.region) };
    attached[NAMES.region] = [ROOT];
    perTarget[ROOT]!.push(NAMES.region);
  }
  return { rootId: ROOT, logOuId: SEC, policies, attached, perTarget, ...over };
}

describe('service-control-policies plan', () => {
  it('on a fresh organization: create each policy (rendered, minified) and attach it, with symbolic IDs', () => {
    const want = basic();
    const f = fakeCtx(want, () => undefined);
    const actions = serviceControlPolicies.plan(want, serviceControlPolicies.fresh(f.ctx));
    expect(brief(actions)).toEqual([
      {
        symbol: '+',
        op: 'organizations:CreatePolicy',
        input: {
          Name: NAMES.guardrails,
          Description: def(NAMES.guardrails).description,
          Type: 'SERVICE_CONTROL_POLICY',
          Content: content(want, NAMES.guardrails),
        },
      },
      {
        symbol: '+',
        op: 'organizations:AttachPolicy',
        input: { PolicyId: `<scp.${NAMES.guardrails}.id>`, TargetId: '<org.rootId>' },
      },
      {
        symbol: '+',
        op: 'organizations:CreatePolicy',
        input: {
          Name: NAMES.log,
          Description: def(NAMES.log).description,
          Type: 'SERVICE_CONTROL_POLICY',
          Content: content(want, NAMES.log),
        },
      },
      {
        symbol: '+',
        op: 'organizations:AttachPolicy',
        input: { PolicyId: `<scp.${NAMES.log}.id>`, TargetId: '<ou.Security.id>' },
      },
    ]);
    expect(actions.map((a) => a.produces ?? [])).toEqual([
      [`scp.${NAMES.guardrails}.id`],
      [],
      [`scp.${NAMES.log}.id`],
      [],
    ]);
    expect(actions.map((a) => a.summary)).toEqual([
      `+ organizations:CreatePolicy ${NAMES.guardrails} (${content(want, NAMES.guardrails).length} characters)`,
      `+ organizations:AttachPolicy ${NAMES.guardrails} → the root`,
      `+ organizations:CreatePolicy ${NAMES.log} (${content(want, NAMES.log).length} characters)`,
      `+ organizations:AttachPolicy ${NAMES.log} → the Security OU`,
    ]);
  });

  it('plans nothing when every policy is there, unchanged and attached', () => {
    expect(serviceControlPolicies.plan(basic(), inPlace(basic()))).toEqual([]);
    expect(serviceControlPolicies.plan(withGuard(), inPlace(withGuard()))).toEqual([]);
  });

  it('content edited outside secure-start → UpdatePolicy in place with the rendered content', () => {
    const want = basic();
    const seen = inPlace(want);
    const edited = JSON.parse(seen.policies[NAMES.guardrails]!.content!);
    edited.Statement = edited.Statement.filter((s: { Sid: string }) => s.Sid !== 'ProtectCloudTrail');
    seen.policies[NAMES.guardrails]!.content = JSON.stringify(edited);
    const actions = serviceControlPolicies.plan(want, seen);
    expect(brief(actions)).toEqual([
      {
        symbol: '~',
        op: 'organizations:UpdatePolicy',
        input: { PolicyId: IDS.guardrails, Content: content(want, NAMES.guardrails) },
      },
    ]);
    expect(actions[0]!.summary).toMatch(/secure-start-guardrails.*changed outside secure-start/);
  });

  it('the same policy with other whitespace or key order is not drift; text that is not JSON is', () => {
    const want = basic();
    const seen = inPlace(want);
    const doc = JSON.parse(seen.policies[NAMES.log]!.content!);
    seen.policies[NAMES.log]!.content = JSON.stringify({ Statement: doc.Statement, Version: doc.Version }, null, 2);
    expect(serviceControlPolicies.plan(want, seen)).toEqual([]);
    seen.policies[NAMES.log]!.content = 'not json';
    expect(brief(serviceControlPolicies.plan(want, seen)).map((a) => a.op)).toEqual(['organizations:UpdatePolicy']);
  });

  it('detached by someone → AttachPolicy again, to the right target', () => {
    const want = basic();
    const seen = inPlace(want, {
      attached: { [NAMES.guardrails]: [], [NAMES.log]: [SEC] },
      perTarget: { [ROOT]: ['FullAWSAccess'], [SEC]: ['FullAWSAccess', NAMES.log] },
    });
    expect(brief(serviceControlPolicies.plan(want, seen))).toEqual([
      { symbol: '+', op: 'organizations:AttachPolicy', input: { PolicyId: IDS.guardrails, TargetId: ROOT } },
    ]);
  });

  it('attached elsewhere only (e.g. to an OU by hand) still gets attached to its own target', () => {
    const want = basic();
    const seen = inPlace(want, { attached: { [NAMES.guardrails]: ['ou-ab12-other0001'], [NAMES.log]: [SEC] } });
    seen.perTarget[ROOT] = ['FullAWSAccess'];
    expect(brief(serviceControlPolicies.plan(want, seen)).map((a) => `${a.op} ${JSON.stringify(a.input)}`)).toEqual([
      `organizations:AttachPolicy {"PolicyId":"${IDS.guardrails}","TargetId":"${ROOT}"}`,
    ]);
  });

  it(`the founder already has ${MAX_SCPS_PER_TARGET} SCPs on the root: a blocking manual step that names them, no AttachPolicy`, () => {
    const want = basic();
    const theirs = ['FullAWSAccess', 'DenyS3Delete', 'DenyRegions', 'TeamGuard', 'Legacy'];
    const seen = inPlace(want, { attached: { [NAMES.guardrails]: [], [NAMES.log]: [SEC] } });
    seen.perTarget[ROOT] = theirs;
    const actions = serviceControlPolicies.plan(want, seen);
    expect(actions.filter((a) => a.operation === 'AttachPolicy' && a.kind === 'call')).toEqual([]);
    expect(actions).toHaveLength(1);
    const m = actions[0]!;
    expect(m).toMatchObject({ kind: 'manual', symbol: '!', manual: { blocking: true } });
    expect(m.summary).toBe(
      `! ${NAMES.guardrails} cannot be attached to the root: it already has 5 SCPs (AWS's limit is 5)`,
    );
    expect(m.manual!.instructions.join(' ')).toContain(
      `the root already has 5: ${theirs.join(', ')}. Detach one you do not need`,
    );
  });

  it('counts its own attachments: with four on the root, guardrails fits and the region guard is the one that does not', () => {
    const want = withGuard();
    const f = fakeCtx(want, () => undefined, ORG_VALUES);
    const seen = {
      ...serviceControlPolicies.fresh(f.ctx),
      logOuId: SEC,
      perTarget: { [ROOT]: ['FullAWSAccess', 'A', 'B', 'C'], [SEC]: ['FullAWSAccess'] },
    };
    const actions = serviceControlPolicies.plan(want, seen);
    expect(actions.map((a) => `${a.kind} ${a.operation}`)).toEqual([
      'call CreatePolicy',
      'call AttachPolicy', // guardrails → 5th on the root
      'call CreatePolicy',
      'call AttachPolicy', // log protection → Security OU
      'call CreatePolicy',
      'manual DetachPolicy', // region guard: no room left
    ]);
    expect(actions[5]!.manual!.instructions[0]).toContain(`FullAWSAccess, A, B, C, ${NAMES.guardrails}`);
  });

  it('region guard is opt-in: off plans nothing for it, on creates and attaches it to the root, off again detaches it', () => {
    const off = basic();
    expect(
      serviceControlPolicies.plan(off, inPlace(off)).some((a) => JSON.stringify(a.input).includes('region-guard')),
    ).toBe(false);

    const on = withGuard();
    const actions = serviceControlPolicies.plan(on, inPlace(basic()));
    expect(brief(actions)).toEqual([
      {
        symbol: '+',
        op: 'organizations:CreatePolicy',
        input: {
          Name: NAMES.region,
          Description: def(NAMES.region).description,
          Type: 'SERVICE_CONTROL_POLICY',
          Content: content(on, NAMES.region),
        },
      },
      {
        symbol: '+',
        op: 'organizations:AttachPolicy',
        input: { PolicyId: `<scp.${NAMES.region}.id>`, TargetId: ROOT },
      },
    ]);
    expect(JSON.parse(content(on, NAMES.region)).Statement[0].Condition.StringNotEquals['aws:RequestedRegion']).toEqual(
      on.allowedRegions,
    );

    // Turned off again: detach it (the policy stays, unattached, for the founder to delete).
    expect(brief(serviceControlPolicies.plan(off, inPlace(on)))).toEqual([
      { symbol: '-', op: 'organizations:DetachPolicy', input: { PolicyId: IDS.region, TargetId: ROOT } },
    ]);
  });

  it('a region added to the config updates the region guard in place', () => {
    const before = withGuard();
    const after = withGuard();
    after.allowedRegions = [...after.allowedRegions, 'eu-central-1'];
    expect(brief(serviceControlPolicies.plan(after, inPlace(before)))).toEqual([
      {
        symbol: '~',
        op: 'organizations:UpdatePolicy',
        input: { PolicyId: IDS.region, Content: content(after, NAMES.region) },
      },
    ]);
  });

  it('log protection goes on the OU of the configured log-archive account', () => {
    const want = basic();
    want.organizationalUnits = [...want.organizationalUnits, { name: 'Logs', parent: 'Security' }];
    want.accounts = want.accounts.map((a) => (a.name === 'log-archive' ? { ...a, ou: 'Logs' } : a));
    const f = fakeCtx(want, () => undefined);
    const attach = serviceControlPolicies
      .plan(want, serviceControlPolicies.fresh(f.ctx))
      .filter((a) => a.operation === 'AttachPolicy');
    expect(brief(attach).map((a) => a.input.TargetId)).toEqual(['<org.rootId>', '<ou.Logs.id>']);
    expect(attach[1]!.summary).toContain('the Logs OU');
  });
});

describe('service-control-policies observe', () => {
  const want = basic();
  const answer = (drifted: boolean) => (_s: string, op: string, input: any) => {
    switch (op) {
      case 'ListPolicies':
        return {
          Policies: [
            { Id: 'p-FullAWSAccess', Name: 'FullAWSAccess' },
            { Id: IDS.guardrails, Name: NAMES.guardrails },
            { Id: IDS.log, Name: NAMES.log },
            { Id: 'p-theirs00001', Name: 'TeamGuard' },
          ],
        };
      case 'DescribePolicy':
        return {
          Policy: {
            Content:
              input.PolicyId === IDS.guardrails && drifted
                ? '{"Version":"2012-10-17","Statement":[]}'
                : content(want, input.PolicyId === IDS.guardrails ? NAMES.guardrails : NAMES.log),
          },
        };
      case 'ListTargetsForPolicy':
        return { Targets: input.PolicyId === IDS.guardrails ? [{ TargetId: ROOT }] : [] };
      case 'ListPoliciesForTarget':
        return {
          Policies:
            input.TargetId === ROOT
              ? [{ Name: 'FullAWSAccess' }, { Name: NAMES.guardrails }, { Name: 'TeamGuard' }]
              : [{ Name: 'FullAWSAccess' }],
        };
      default:
        throw new Error(`unexpected ${op}`);
    }
  };

  it('reads our policies by name (never others), their content and targets, publishes their IDs', async () => {
    const f = fakeCtx(want, answer(true), { ...ORG_VALUES, 'ou.Security.id': SEC });
    const seen = await serviceControlPolicies.observe(f.ctx);
    expect(seen).toEqual({
      rootId: ROOT,
      logOuId: SEC,
      policies: {
        [NAMES.guardrails]: { id: IDS.guardrails, content: '{"Version":"2012-10-17","Statement":[]}' },
        [NAMES.log]: { id: IDS.log, content: content(want, NAMES.log) },
      },
      attached: { [NAMES.guardrails]: [ROOT], [NAMES.log]: [] },
      perTarget: { [ROOT]: ['FullAWSAccess', NAMES.guardrails, 'TeamGuard'], [SEC]: ['FullAWSAccess'] },
    });
    expect(f.published).toEqual({ [`scp.${NAMES.guardrails}.id`]: IDS.guardrails, [`scp.${NAMES.log}.id`]: IDS.log });
    expect(f.calls.filter((c) => c.op === 'DescribePolicy').map((c) => c.input.PolicyId)).toEqual([
      IDS.guardrails,
      IDS.log,
    ]);
    expect(f.calls.find((c) => c.op === 'ListPolicies')!.input).toEqual({ Filter: 'SERVICE_CONTROL_POLICY' });
    expect(brief(serviceControlPolicies.plan(want, seen))).toEqual([
      {
        symbol: '~',
        op: 'organizations:UpdatePolicy',
        input: { PolicyId: IDS.guardrails, Content: content(want, NAMES.guardrails) },
      },
      { symbol: '+', op: 'organizations:AttachPolicy', input: { PolicyId: IDS.log, TargetId: SEC } },
    ]);
  });

  it('without an organization: fresh, no AWS call', async () => {
    const f = fakeCtx(want, () => {
      throw new Error('no call expected');
    });
    expect(await serviceControlPolicies.observe(f.ctx)).toEqual(serviceControlPolicies.fresh(f.ctx));
  });
});

describe('service-control-policies run', () => {
  const want = basic();
  const fresh = () =>
    serviceControlPolicies.plan(want, {
      ...serviceControlPolicies.fresh(fakeCtx(want, () => undefined, ORG_VALUES).ctx),
      logOuId: SEC,
      perTarget: { [ROOT]: ['FullAWSAccess'], [SEC]: ['FullAWSAccess'] },
    });

  it('CreatePolicy returns the new ID', async () => {
    const a = fresh()[0]!;
    const r = fakeRun(want, a, () => ({ Policy: { PolicySummary: { Id: 'p-new0000001' } } }));
    expect(await a.run!(r.ctx)).toEqual({ [`scp.${NAMES.guardrails}.id`]: 'p-new0000001' });
    expect(r.calls[0]!.input).toMatchObject({
      Name: NAMES.guardrails,
      Type: 'SERVICE_CONTROL_POLICY',
      Content: content(want, NAMES.guardrails),
    });
  });

  it('a policy made meanwhile (DuplicatePolicyException) is adopted by name, not created twice', async () => {
    const a = fresh()[0]!;
    const r = fakeRun(want, a, (_s, op) =>
      op === 'CreatePolicy'
        ? awsErr('DuplicatePolicyException')
        : {
            Policies: [
              { Id: 'p-other000001', Name: 'Other' },
              { Id: 'p-made0000001', Name: NAMES.guardrails },
            ],
          },
    );
    expect(await a.run!(r.ctx)).toEqual({ [`scp.${NAMES.guardrails}.id`]: 'p-made0000001' });
    expect(r.calls.map((c) => c.op)).toEqual(['CreatePolicy', 'ListPolicies']);
  });

  it('AttachPolicy: already attached is fine; over the limit says which policies are there', async () => {
    const a = fresh()[1]!;
    const values = { [`scp.${NAMES.guardrails}.id`]: 'p-new0000001' };
    const dup = fakeRun(want, a, () => awsErr('DuplicatePolicyAttachmentException'), values);
    await expect(a.run!(dup.ctx)).resolves.toBeUndefined();
    expect(dup.calls[0]!.input).toEqual({ PolicyId: 'p-new0000001', TargetId: ROOT });

    const full = fakeRun(
      want,
      a,
      (_s, op) =>
        op === 'AttachPolicy'
          ? Object.assign(
              awsErr(
                'ConstraintViolationException',
                'You attempted to attach more policies of this type to an entity than allowed (5).',
              ),
              { Reason: 'POLICY_NUMBER_LIMIT_EXCEEDED' },
            )
          : { Policies: ['FullAWSAccess', 'A', 'B', 'C', 'D'].map((Name) => ({ Name })) },
      values,
    );
    const err = await a.run!(full.ctx).then(
      () => undefined,
      (e) => e,
    );
    expect(err).toBeInstanceOf(StepError);
    expect(err.hint).toContain('the root already has 5: FullAWSAccess, A, B, C, D. Detach one you do not need');
  });

  it('SCPs not enabled yet: says that trusted-access enables them', async () => {
    const a = fresh()[0]!;
    const r = fakeRun(want, a, () => awsErr('PolicyTypeNotEnabledException'));
    const err = await a.run!(r.ctx).then(
      () => undefined,
      (e) => e,
    );
    expect(err).toBeInstanceOf(StepError);
    expect(`${err.message} ${err.hint}`).toMatch(/not enabled on the root yet.*trusted-access/);
  });
});
