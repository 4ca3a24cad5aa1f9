// IAM Access Analyzer, and the delegated administrator it declares (registered by the
// delegated-admins step, which acts on what the run's steps declare).
import { describe, expect, it } from 'vitest';
import { accessAnalyzer, ACCESS_ANALYZER, ANALYZER_NAME } from '../../../steps/access-analyzer.js';
import { delegatedAdmins } from '../../../steps/delegated-admins.js';
import { wantedPrincipals } from '../../../steps/trusted-access.js';
import { STEPS, stepsFor } from '../../../steps/index.js';
import { ACCOUNTS, KNOWN, ORG_VALUES, awsErr, basic, brief, fakeCtx, fakeRun, type Answer } from './fixtures.js';

const want = basic();
const AUDIT = ACCOUNTS.audit!;
const arn = (region: string) => `arn:aws:access-analyzer:${region}:${AUDIT}:analyzer/${ANALYZER_NAME}`;

describe('access-analyzer', () => {
  it('fresh: one organization analyzer in the audit account per allowed region', () => {
    const actions = accessAnalyzer.plan(want, accessAnalyzer.fresh(fakeCtx(want, () => undefined).ctx));
    expect(brief(actions)).toEqual(
      want.allowedRegions.map((region) => ({
        symbol: '+',
        op: 'accessanalyzer:CreateAnalyzer',
        input: { analyzerName: ANALYZER_NAME, type: 'ORGANIZATION', clientToken: `${ANALYZER_NAME}-${region}` },
      })),
    );
    expect(actions.map((a) => [String(a.target.account), a.target.region])).toEqual(
      want.allowedRegions.map((r) => ['<audit.accountId>', r]),
    );
  });

  it('observe finds ours by name among the organization analyzers; nothing left to do', async () => {
    const answer: Answer = (_s, op, input, target) => {
      if (op !== 'ListAnalyzers' || input.type !== 'ORGANIZATION' || target.account !== AUDIT)
        throw new Error(`unexpected ${op}`);
      return {
        analyzers: [
          { name: 'someone-else', arn: 'x', status: 'ACTIVE' },
          { name: ANALYZER_NAME, arn: arn(target.region), status: 'ACTIVE' },
        ],
      };
    };
    const f = fakeCtx(want, answer, KNOWN);
    const seen = await accessAnalyzer.observe(f.ctx);
    expect(accessAnalyzer.plan(want, seen)).toEqual([]);
    expect(f.published).toEqual(
      Object.fromEntries(want.allowedRegions.map((r) => [`accessAnalyzer.${r}.arn`, arn(r)])),
    );
  });

  it('drift: ours deleted in one region → created again there only', async () => {
    const answer: Answer = (_s, _op, _i, target) => ({
      analyzers:
        target.region === 'us-east-1' ? [] : [{ name: ANALYZER_NAME, arn: arn(target.region), status: 'ACTIVE' }],
    });
    const actions = accessAnalyzer.plan(want, await accessAnalyzer.observe(fakeCtx(want, answer, KNOWN).ctx));
    expect(actions.map((a) => `${a.operation}@${a.target.region}`)).toEqual(['CreateAnalyzer@us-east-1']);
  });

  it('run: one made by a run that stopped before the answer is adopted (ConflictException)', async () => {
    const create = accessAnalyzer.plan(want, accessAnalyzer.fresh(fakeCtx(want, () => undefined).ctx))[0]!;
    const r = fakeRun(
      want,
      create,
      (_s, op) =>
        op === 'CreateAnalyzer' ? awsErr('ConflictException', 409) : { analyzer: { arn: arn('eu-west-1') } },
      KNOWN,
    );
    expect(await create.run!(r.ctx)).toEqual({ 'accessAnalyzer.eu-west-1.arn': arn('eu-west-1') });
    expect(r.calls.map((c) => c.op)).toEqual(['CreateAnalyzer', 'GetAnalyzer']);
  });

  it('turned off: left out of the run, and so is its delegated administrator and trusted access', () => {
    const off = { ...want, accessAnalyzer: { enabled: false } };
    expect(stepsFor(off).map((s) => s.id)).not.toContain('access-analyzer');
    expect(wantedPrincipals(stepsFor(off))).not.toContain(ACCESS_ANALYZER);
    expect(wantedPrincipals(stepsFor(want))).toContain(ACCESS_ANALYZER);
  });
});

describe("delegated-admins: registers what the run's steps declare", () => {
  const ctxWith = (answer: Answer, values = KNOWN) => ({
    ...fakeCtx(want, answer, { ...ORG_VALUES, ...values }).ctx,
    steps: STEPS,
  });

  it('fresh: the audit account for Access Analyzer, through Organizations', () => {
    const actions = delegatedAdmins.plan(
      want,
      delegatedAdmins.fresh({ ...fakeCtx(want, () => undefined).ctx, steps: STEPS }),
    );
    expect(brief(actions)).toEqual([
      {
        symbol: '+',
        op: 'organizations:RegisterDelegatedAdministrator',
        input: { AccountId: '<audit.accountId>', ServicePrincipal: ACCESS_ANALYZER },
      },
    ]);
  });

  it('already registered: nothing to do, and the administrator is published', async () => {
    const f = fakeCtx(want, () => ({ DelegatedAdministrators: [{ Id: AUDIT }] }), { ...ORG_VALUES, ...KNOWN });
    const seen = await delegatedAdmins.observe({ ...f.ctx, steps: STEPS });
    expect(delegatedAdmins.plan(want, seen)).toEqual([]);
    expect(f.published).toEqual({ [`delegatedAdmin.${ACCESS_ANALYZER}`]: AUDIT });
  });

  it('registered by a run that stopped before the answer: AccountAlreadyRegisteredException is success', async () => {
    const seen = await delegatedAdmins.observe(ctxWith(() => ({ DelegatedAdministrators: [] })));
    const [a] = delegatedAdmins.plan(want, seen);
    const r = fakeRun(want, a!, () => awsErr('AccountAlreadyRegisteredException'), KNOWN);
    expect(await a!.run!(r.ctx)).toEqual({ [`delegatedAdmin.${ACCESS_ANALYZER}`]: AUDIT });
  });
});
