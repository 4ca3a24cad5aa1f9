// Copy this file to test a new step. A step is tested in three parts, all without AWS:
//   observe(ctx) — a fakeCtx answers each AWS read from a function (fixtures.ts); assert what
//                  it returns (the "seen" state) and what it publishes for later steps;
//   fresh(ctx)   — what plan gets without credentials (a brand-new account);
//   plan(want, seen) — pure: given a seen state, assert the EXACT actions (brief() keeps the
//                  symbol, operation and input) or the StepError a person would read;
//   action.run(ctx) — fakeRun gives the action a RunContext over the same fake AWS; assert the
//                  calls it made and the outputs it returned.
import { describe, expect, it } from 'vitest';
import { organization, type OrganizationSeen } from '../../../steps/organization.js';
import { StepError } from '../../../steps/contract.js';
import { MGMT, ORG, ROOT, awsErr, basic, brief, fakeCtx, fakeRun, type Answer } from './fixtures.js';

const want = basic();

/** AWS answers for an account that manages an organization with this feature set. */
const orgExists =
  (featureSet: 'ALL' | 'CONSOLIDATED_BILLING', master = MGMT): Answer =>
  (_service, op) => {
    if (op === 'DescribeOrganization')
      return { Organization: { Id: ORG, MasterAccountId: master, FeatureSet: featureSet } };
    if (op === 'ListRoots') return { Roots: [{ Id: ROOT }] };
    throw new Error(`unexpected call ${op}`);
  };
/** AWS answers for an account in no organization. */
const noOrg: Answer = () =>
  awsErr('AWSOrganizationsNotInUseException', 'Your account is not a member of an organization.');

describe('organization: observe', () => {
  it('no organization: seen as not existing, nothing published', async () => {
    const f = fakeCtx(want, noOrg, { 'management.accountId': MGMT });
    expect(await organization.observe(f.ctx)).toEqual({ exists: false });
    expect(f.published).toEqual({});
  });

  it('an organization with all features: adopted, its ID and root published for the later steps', async () => {
    const f = fakeCtx(want, orgExists('ALL'), { 'management.accountId': MGMT });
    expect(await organization.observe(f.ctx)).toEqual({
      exists: true,
      id: ORG,
      managementAccountId: MGMT,
      featureSet: 'ALL',
      rootId: ROOT,
    });
    expect(f.published).toEqual({ 'org.id': ORG, 'org.featureSet': 'ALL', 'org.rootId': ROOT });
  });

  it('consolidated billing only: a StepError that says how to enable all features', async () => {
    const f = fakeCtx(want, orgExists('CONSOLIDATED_BILLING'), { 'management.accountId': MGMT });
    const err = await organization.observe(f.ctx).catch((e) => e);
    expect(err).toBeInstanceOf(StepError);
    expect(err.message).toMatch(/only consolidated billing/);
    expect(err.hint).toMatch(/Enable all features/);
  });

  it("a member of someone else's organization: a StepError naming the account that manages it", async () => {
    const f = fakeCtx(want, orgExists('ALL', '999999999999'), { 'management.accountId': MGMT });
    await expect(organization.observe(f.ctx)).rejects.toThrow(
      /member of another organization .*managed by account 999999999999/,
    );
  });
});

describe('organization: fresh and plan', () => {
  it('fresh (no credentials): planned as for a brand-new account', () => {
    expect(organization.fresh(fakeCtx(want, noOrg).ctx)).toEqual({ exists: false });
  });

  it('no organization: exactly one CreateOrganization with all features', () => {
    expect(brief(organization.plan(want, { exists: false }))).toEqual([
      { symbol: '+', op: 'organizations:CreateOrganization', input: { FeatureSet: 'ALL' } },
    ]);
  });

  it('an organization with all features: nothing to do', () => {
    const seen: OrganizationSeen = {
      exists: true,
      id: ORG,
      managementAccountId: MGMT,
      featureSet: 'ALL',
      rootId: ROOT,
    };
    expect(organization.plan(want, seen)).toEqual([]);
  });
});

describe('organization: run', () => {
  it('creates it and returns its ID and root', async () => {
    const [create] = organization.plan(want, { exists: false });
    const r = fakeRun(want, create!, (_s, op) =>
      op === 'CreateOrganization'
        ? { Organization: { Id: ORG, MasterAccountId: MGMT, FeatureSet: 'ALL' } }
        : { Roots: [{ Id: ROOT }] },
    );
    expect(await create!.run!(r.ctx)).toEqual({ 'org.id': ORG, 'org.rootId': ROOT, 'org.featureSet': 'ALL' });
    expect(r.calls.map((c) => c.op)).toEqual(['CreateOrganization', 'ListRoots']);
  });

  it('after a crash that lost the answer (AlreadyInOrganization): adopts the organization it made', async () => {
    const [create] = organization.plan(want, { exists: false });
    const r = fakeRun(want, create!, (s, op, i, t) =>
      op === 'CreateOrganization' ? awsErr('AlreadyInOrganizationException') : orgExists('ALL')(s, op, i, t),
    );
    expect(await create!.run!(r.ctx)).toEqual({ 'org.id': ORG, 'org.rootId': ROOT, 'org.featureSet': 'ALL' });
    expect(r.calls.map((c) => c.op)).toEqual(['CreateOrganization', 'DescribeOrganization', 'ListRoots']);
  });
});
