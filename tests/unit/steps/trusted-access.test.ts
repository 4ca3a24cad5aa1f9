import { describe, expect, it } from 'vitest';
import { trustedAccess, TRUSTED_SERVICES } from '../../../steps/trusted-access.js';
import { awsErr, basic, brief, fakeCtx, fakeRun, ORG_VALUES, ROOT } from './fixtures.js';

const want = basic();

describe('trusted-access plan', () => {
  it('enables the four services one after another on a fresh organization, with a symbolic root', () => {
    const f = fakeCtx(want, () => undefined);
    const actions = trustedAccess.plan(want, trustedAccess.fresh(f.ctx));
    expect(brief(actions)).toEqual(TRUSTED_SERVICES.map((p) => ({ symbol: '+', op: 'organizations:EnableAWSServiceAccess', input: { ServicePrincipal: p } })));
    expect(actions.map((a) => a.after ?? [])).toEqual([[], ['trustedAccess.cloudtrail.amazonaws.com'], ['trustedAccess.sso.amazonaws.com'], ['trustedAccess.account.amazonaws.com']]);
  });

  it('plans only what is missing, and EnablePolicyType when SCPs are off', () => {
    const actions = trustedAccess.plan(want, { enabled: ['cloudtrail.amazonaws.com', 'iam.amazonaws.com', 'other.amazonaws.com'], rootId: ROOT });
    expect(brief(actions)).toEqual([
      { symbol: '+', op: 'organizations:EnableAWSServiceAccess', input: { ServicePrincipal: 'sso.amazonaws.com' } },
      { symbol: '+', op: 'organizations:EnableAWSServiceAccess', input: { ServicePrincipal: 'account.amazonaws.com' } },
      { symbol: '+', op: 'organizations:EnablePolicyType', input: { RootId: ROOT, PolicyType: 'SERVICE_CONTROL_POLICY' } },
    ]);
  });

  it('plans nothing when all is enabled', () => {
    expect(trustedAccess.plan(want, { enabled: [...TRUSTED_SERVICES], rootId: ROOT, scpStatus: 'ENABLED' })).toEqual([]);
  });

  it('observe reads trusted services and the root policy types, publishing what is on', async () => {
    const f = fakeCtx(want, (_s, op) => op === 'ListAWSServiceAccessForOrganization'
      ? { EnabledServicePrincipals: [{ ServicePrincipal: 'sso.amazonaws.com' }] }
      : { Roots: [{ Id: ROOT, PolicyTypes: [{ Type: 'SERVICE_CONTROL_POLICY', Status: 'PENDING_ENABLE' }] }] }, ORG_VALUES);
    const seen = await trustedAccess.observe(f.ctx);
    expect(seen).toEqual({ enabled: ['sso.amazonaws.com'], rootId: ROOT, scpStatus: 'PENDING_ENABLE' });
    expect(f.published).toEqual({ 'trustedAccess.sso.amazonaws.com': 'enabled' });
    // PENDING_ENABLE: only wait, never enable twice.
    const a = trustedAccess.plan(want, seen).at(-1)!;
    expect(a.symbol).toBe('~');
    const r = fakeRun(want, a, (_s, op) => ({ Roots: [{ Id: ROOT, PolicyTypes: [{ Type: 'SERVICE_CONTROL_POLICY', Status: 'ENABLED' }] }] }));
    await a.run!(r.ctx);
    expect(r.calls.map((c) => c.op)).toEqual(['ListRoots']);
  });

  it('observe without an organization plans as fresh (no AWS call)', async () => {
    const f = fakeCtx(want, () => { throw new Error('no call expected'); });
    expect(await trustedAccess.observe(f.ctx)).toMatchObject({ enabled: [], scpStatus: 'ENABLED' });
  });

  it('EnablePolicyType tolerates "already enabled" and waits until ENABLED', async () => {
    const a = trustedAccess.plan(want, { enabled: [...TRUSTED_SERVICES], rootId: ROOT })[0]!;
    let n = 0;
    const r = fakeRun(want, a, (_s, op) => {
      if (op === 'EnablePolicyType') return awsErr('PolicyTypeAlreadyEnabledException');
      n++;
      return { Roots: [{ Id: ROOT, PolicyTypes: [{ Type: 'SERVICE_CONTROL_POLICY', Status: n < 3 ? 'PENDING_ENABLE' : 'ENABLED' }] }] };
    });
    expect(await a.run!(r.ctx)).toEqual({ 'org.scpEnabled': 'true' });
    expect(r.calls.map((c) => c.op)).toEqual(['EnablePolicyType', 'ListRoots', 'ListRoots', 'ListRoots']);
  });
});
