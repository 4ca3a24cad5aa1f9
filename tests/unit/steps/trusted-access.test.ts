import { describe, expect, it } from 'vitest';
import { trustedAccess, wantedPrincipals } from '../../../steps/trusted-access.js';
import { STEPS } from '../../../steps/index.js';
import { awsErr, basic, brief, fakeCtx, fakeRun, ORG_VALUES, ROOT } from './fixtures.js';

const want = basic();
// The principals come from the steps' own declarations (trustedAccess, delegatedAdmins).
const TRUSTED_SERVICES = wantedPrincipals(STEPS);

describe('trusted-access plan', () => {
  it('enables the services the steps declare one after another on a fresh organization, with a symbolic root', () => {
    const f = fakeCtx(want, () => undefined);
    const actions = trustedAccess.plan(want, trustedAccess.fresh({ ...f.ctx, steps: STEPS }));
    expect(brief(actions)).toEqual(
      TRUSTED_SERVICES.map((p) => ({
        symbol: '+',
        op: 'organizations:EnableAWSServiceAccess',
        input: { ServicePrincipal: p },
      })),
    );
    // One after another (Organizations refuses concurrent changes), Identity Center's first: it
    // is on the longest path of the graph.
    expect(TRUSTED_SERVICES.slice(0, 4)).toEqual([
      'sso.amazonaws.com',
      'cloudtrail.amazonaws.com',
      'account.amazonaws.com',
      'iam.amazonaws.com',
    ]);
    expect(actions.map((a) => a.after ?? [])).toEqual(
      TRUSTED_SERVICES.map((_, i) => (i ? [`trustedAccess.${TRUSTED_SERVICES[i - 1]}`] : [])),
    );
  });

  it('plans only what is missing, and EnablePolicyType when SCPs are off', () => {
    const actions = trustedAccess.plan(want, {
      wanted: TRUSTED_SERVICES,
      enabled: [
        'cloudtrail.amazonaws.com',
        'iam.amazonaws.com',
        'securityhub.amazonaws.com',
        'access-analyzer.amazonaws.com',
        'other.amazonaws.com',
      ],
      rootId: ROOT,
    });
    expect(brief(actions)).toEqual([
      { symbol: '+', op: 'organizations:EnableAWSServiceAccess', input: { ServicePrincipal: 'sso.amazonaws.com' } },
      { symbol: '+', op: 'organizations:EnableAWSServiceAccess', input: { ServicePrincipal: 'account.amazonaws.com' } },
      {
        symbol: '+',
        op: 'organizations:EnablePolicyType',
        input: { RootId: ROOT, PolicyType: 'SERVICE_CONTROL_POLICY' },
      },
    ]);
  });

  it('plans nothing when all is enabled', () => {
    expect(
      trustedAccess.plan(want, {
        wanted: TRUSTED_SERVICES,
        enabled: [...TRUSTED_SERVICES],
        rootId: ROOT,
        scpStatus: 'ENABLED',
      }),
    ).toEqual([]);
  });

  it('observe reads trusted services and the root policy types, publishing what is on', async () => {
    const f = fakeCtx(
      want,
      (_s, op) =>
        op === 'ListAWSServiceAccessForOrganization'
          ? { EnabledServicePrincipals: [{ ServicePrincipal: 'sso.amazonaws.com' }] }
          : { Roots: [{ Id: ROOT, PolicyTypes: [{ Type: 'SERVICE_CONTROL_POLICY', Status: 'PENDING_ENABLE' }] }] },
      ORG_VALUES,
    );
    const seen = await trustedAccess.observe(f.ctx);
    expect(seen).toEqual({ wanted: [], enabled: ['sso.amazonaws.com'], rootId: ROOT, scpStatus: 'PENDING_ENABLE' });
    // Published only for the principals the run's steps want (none in this bare context).
    expect(f.published).toEqual({});
    // PENDING_ENABLE: only wait, never enable twice.
    const a = trustedAccess.plan(want, seen).at(-1)!;
    expect(a.symbol).toBe('~');
    const r = fakeRun(want, a, (_s, op) => ({
      Roots: [{ Id: ROOT, PolicyTypes: [{ Type: 'SERVICE_CONTROL_POLICY', Status: 'ENABLED' }] }],
    }));
    await a.run!(r.ctx);
    expect(r.calls.map((c) => c.op)).toEqual(['ListRoots']);
  });

  it('observe without an organization plans as fresh (no AWS call)', async () => {
    const f = fakeCtx(want, () => {
      throw new Error('no call expected');
    });
    expect(await trustedAccess.observe(f.ctx)).toMatchObject({ enabled: [], scpStatus: 'ENABLED' });
  });

  it('EnablePolicyType tolerates "already enabled" and waits until ENABLED', async () => {
    const a = trustedAccess.plan(want, { wanted: TRUSTED_SERVICES, enabled: [...TRUSTED_SERVICES], rootId: ROOT })[0]!;
    let n = 0;
    const r = fakeRun(want, a, (_s, op) => {
      if (op === 'EnablePolicyType') return awsErr('PolicyTypeAlreadyEnabledException');
      n++;
      return {
        Roots: [
          { Id: ROOT, PolicyTypes: [{ Type: 'SERVICE_CONTROL_POLICY', Status: n < 3 ? 'PENDING_ENABLE' : 'ENABLED' }] },
        ],
      };
    });
    expect(await a.run!(r.ctx)).toEqual({ 'org.scpEnabled': 'true' });
    expect(r.calls.map((c) => c.op)).toEqual(['EnablePolicyType', 'ListRoots', 'ListRoots', 'ListRoots']);
  });
});
