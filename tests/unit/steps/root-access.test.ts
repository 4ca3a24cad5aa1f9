import { describe, expect, it } from 'vitest';
import {
  rootAccess as step,
  rootAuditReport,
  SECURITY_CREDENTIALS_LINK,
  type RootSeen,
} from '../../../steps/root-access.js';
import { awsErr, basic, brief, fakeCtx } from './fixtures.js';

const want = basic();
const names = want.accounts.map((a) => a.name);
const ids: Record<string, string> = Object.fromEntries(
  names.map((n, i) => [`${n}.accountId`, String(111100000001 + i)]),
);
const good = (): RootSeen => ({
  mfaEnabled: true,
  accessKeysPresent: false,
  features: ['RootCredentialsManagement', 'RootSessions'],
  audit: [],
});

describe('root access plan', () => {
  it('nothing to do when MFA is on, no keys, both features on, members clean', () => {
    const seen = good();
    seen.audit = [{ name: 'prod', accountId: '111100000001', password: false, accessKeys: 0, mfaDevices: 0 }];
    expect(step.plan(want, seen)).toEqual([]);
  });

  it('root MFA off is a blocking manual action with the security-credentials link', () => {
    const actions = step.plan(want, { ...good(), mfaEnabled: false });
    expect(actions).toHaveLength(1);
    expect(actions[0]).toMatchObject({
      kind: 'manual',
      symbol: '!',
      controls: ['SSB ACCT.05', 'CIS 1.5', 'CIS 1.6'],
      manual: { blocking: true, link: SECURITY_CREDENTIALS_LINK },
    });
    expect(actions[0]!.manual!.instructions.join(' ')).toMatch(/Assign MFA device/);
  });

  it('root access keys: a non-blocking manual action', () => {
    const actions = step.plan(want, { ...good(), accessKeysPresent: true });
    expect(actions).toMatchObject([
      {
        kind: 'manual',
        operation: 'DeleteRootAccessKeys',
        controls: ['SSB ACCT.02', 'CIS 1.4'],
        manual: { blocking: false },
      },
    ]);
  });

  it('enables the missing centralized root access features', () => {
    expect(brief(step.plan(want, { ...good(), features: [] }))).toEqual([
      { symbol: '+', op: 'iam:EnableOrganizationsRootCredentialsManagement', input: {} },
      { symbol: '+', op: 'iam:EnableOrganizationsRootSessions', input: {} },
    ]);
    expect(brief(step.plan(want, { ...good(), features: ['RootCredentialsManagement'] })).map((a) => a.op)).toEqual([
      'iam:EnableOrganizationsRootSessions',
    ]);
  });

  it('centralize off: no central calls and no audit actions', () => {
    const w = { ...want, rootAccess: { centralize: false } };
    expect(step.plan(w, { mfaEnabled: true, accessKeysPresent: false, audit: [] })).toEqual([]);
    const { ctx } = fakeCtx(w, () => {
      throw new Error('no AWS');
    });
    expect(step.plan(w, step.fresh(ctx)).map((a) => a.operation)).toEqual(['EnableRootMfa']);
  });

  it('a member root user with credentials gets a non-blocking action naming the account', () => {
    const seen = good();
    seen.audit = [
      { name: 'prod', accountId: '111100000001', password: true, accessKeys: 2, mfaDevices: 0 },
      { name: 'dev', accountId: '111100000002', password: false, accessKeys: 0, mfaDevices: 0 },
    ];
    const actions = step.plan(want, seen);
    expect(actions).toHaveLength(1);
    expect(actions[0]).toMatchObject({
      kind: 'manual',
      manual: { blocking: false },
      input: { AccountId: '111100000001' },
    });
    expect(actions[0]!.summary).toBe(
      '! Delete the root credentials of prod (111100000001): a console password, 2 access keys',
    );
  });

  it('fresh: MFA manual plus both enable calls', () => {
    const { ctx } = fakeCtx(want, () => {
      throw new Error('no AWS');
    });
    expect(step.plan(want, step.fresh(ctx)).map((a) => a.operation)).toEqual([
      'EnableRootMfa',
      'EnableOrganizationsRootCredentialsManagement',
      'EnableOrganizationsRootSessions',
    ]);
  });
});

describe('root access observe', () => {
  const summary = (mfa: number, keys: number) => ({
    SummaryMap: { AccountMFAEnabled: mfa, AccountAccessKeysPresent: keys },
  });

  it('audits each created member through a root-audit session', async () => {
    const { ctx, calls, warnings } = fakeCtx(
      want,
      (_s, op, _i, target) => {
        if (op === 'GetAccountSummary') return summary(1, 1);
        if (op === 'ListOrganizationsFeatures')
          return { EnabledFeatures: ['RootCredentialsManagement', 'RootSessions'] };
        const prod = target?.account === ids[`${names[0]}.accountId`];
        if (op === 'GetLoginProfile')
          return prod ? { LoginProfile: { CreateDate: new Date() } } : awsErr('NoSuchEntityException');
        if (op === 'ListAccessKeys') return { AccessKeyMetadata: prod ? [{ AccessKeyId: 'AKIA1' }] : [] };
        if (op === 'ListMFADevices') return { MFADevices: [] };
        throw new Error(op);
      },
      ids,
    );
    const seen = await step.observe(ctx);
    expect(seen.mfaEnabled).toBe(true);
    expect(seen.accessKeysPresent).toBe(true);
    expect(warnings.join('\n')).toMatch(/root user of the management account has access keys/);
    expect(seen.audit).toHaveLength(names.length);
    expect(seen.audit[0]).toEqual({
      name: names[0],
      accountId: ids[`${names[0]}.accountId`],
      password: true,
      accessKeys: 1,
      mfaDevices: 0,
    });
    expect(seen.audit.slice(1).every((a) => !a.password && !a.accessKeys && !a.mfaDevices)).toBe(true);
    expect(calls.filter((c) => c.target?.session === 'root-audit')).toHaveLength(3 * names.length);
  });

  it('reports that no member has root credentials when the audit is clean', async () => {
    const { ctx, infos } = fakeCtx(
      want,
      (_s, op) => {
        if (op === 'GetAccountSummary') return summary(1, 0);
        if (op === 'ListOrganizationsFeatures')
          return { EnabledFeatures: ['RootCredentialsManagement', 'RootSessions'] };
        if (op === 'GetLoginProfile') return awsErr('NoSuchEntity');
        return op === 'ListAccessKeys' ? { AccessKeyMetadata: [] } : { MFADevices: [] };
      },
      ids,
    );
    const seen = await step.observe(ctx);
    expect(step.plan(want, seen)).toEqual([]);
    expect(infos).toEqual([
      `Root user audit: none of the ${names.length} member accounts checked has a root password, access key or MFA device (centralized root access).`,
    ]);
  });

  it('no audit before RootSessions is on; trusted access off reads as nothing enabled', async () => {
    const { ctx, calls } = fakeCtx(
      want,
      (_s, op) => (op === 'GetAccountSummary' ? summary(0, 0) : awsErr('ServiceAccessNotEnabledException')),
      ids,
      'plan',
    );
    const seen = await step.observe(ctx);
    expect(seen).toEqual({ mfaEnabled: false, accessKeysPresent: false, features: [], audit: [] });
    expect(calls.map((c) => c.op)).toEqual(['GetAccountSummary', 'ListOrganizationsFeatures']);
  });

  it('a plan before the organization exists reads as nothing enabled (OrganizationNotFoundException)', async () => {
    const { ctx } = fakeCtx(
      want,
      (_s, op) => (op === 'GetAccountSummary' ? summary(1, 0) : awsErr('OrganizationNotFoundException')),
      {},
      'plan',
    );
    const seen = await step.observe(ctx);
    expect(seen).toEqual({ mfaEnabled: true, accessKeysPresent: false, features: [], audit: [] });
    expect(step.plan(want, seen).map((a) => a.operation)).toEqual([
      'EnableOrganizationsRootCredentialsManagement',
      'EnableOrganizationsRootSessions',
    ]);
  });

  it('a member that cannot be audited is a warning, the others are still audited', async () => {
    const { ctx, warnings, infos } = fakeCtx(
      want,
      (_s, op, _i, target) => {
        if (op === 'GetAccountSummary') return summary(1, 0);
        if (op === 'ListOrganizationsFeatures')
          return { EnabledFeatures: ['RootCredentialsManagement', 'RootSessions'] };
        if (target?.account === ids[`${names[0]}.accountId`]) return awsErr('AccessDenied', 'AssumeRoot refused');
        if (op === 'GetLoginProfile') return awsErr('NoSuchEntity');
        return op === 'ListAccessKeys' ? { AccessKeyMetadata: [] } : { MFADevices: [] };
      },
      ids,
    );
    const seen = await step.observe(ctx);
    expect(seen.audit.map((a) => a.name)).toEqual(names.slice(1));
    expect(warnings).toEqual([expect.stringContaining(`Could not audit the root user of ${names[0]}`)]);
    expect(infos[0]).toMatch(/none of the \d+ member accounts checked .* 1 member account was not checked yet/);
  });

  it('centralize off: only the account summary is read', async () => {
    const w = { ...want, rootAccess: { centralize: false } };
    const { ctx, calls } = fakeCtx(w, () => summary(1, 0), ids);
    expect(await step.observe(ctx)).toEqual({ mfaEnabled: true, accessKeysPresent: false, audit: [] });
    expect(calls).toHaveLength(1);
  });
});

describe('root audit report', () => {
  const clean = (name: string, accountId: string) => ({
    name,
    accountId,
    password: false,
    accessKeys: 0,
    mfaDevices: 0,
  });
  it('names the members that still have root credentials', () => {
    expect(rootAuditReport(3, [clean('a', '1'), { ...clean('b', '2'), accessKeys: 1 }, clean('c', '3')])).toBe(
      'Root user audit: 1 of 3 member accounts still has root credentials (b); see the manual steps below.',
    );
  });
  it('says which were not checked', () => {
    expect(rootAuditReport(2, [clean('a', '1')])).toBe(
      'Root user audit: none of the 1 member account checked has a root password, access key or MFA device (centralized root access). 1 member account was not checked yet (next run).',
    );
  });
});
