import { describe, expect, it } from 'vitest';
import { accountHardening, type HardeningSeen } from '../../../steps/account-hardening.js';
import { passwordPolicyGaps, passwordPolicyInput } from '../../../steps/lib/hardening-policy.js';
import { ACCOUNTS, MGMT, awsErr, basic, brief, fakeCtx, ops, KNOWN } from './fixtures.js';
import { DEFAULT_ENABLED_REGIONS } from '../../../steps/lib/default-regions.js';

/** DescribeRegions answering the given regions. */
const regionsAnswer = (names: string[]) => ({
  Regions: names.map((RegionName) => ({ RegionName, OptInStatus: 'opt-in-not-required' })),
});

const want = basic();
const allOn = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };
const PW = {
  MinimumPasswordLength: 14,
  RequireSymbols: true,
  RequireNumbers: true,
  RequireUppercaseCharacters: true,
  RequireLowercaseCharacters: true,
  AllowUsersToChangePassword: true,
  PasswordReusePrevention: 24,
};
const NAMES = ['management', 'log-archive', 'audit', 'prod', 'dev'];
const idOf = (n: string) => (n === 'management' ? MGMT : ACCOUNTS[n]!);
const targetOf = (n: string) => (n === 'management' ? 'management' : ACCOUNTS[n]!);

const compliant = (): HardeningSeen => ({
  accounts: NAMES.map((n) => ({
    name: n,
    target: targetOf(n),
    accountId: idOf(n),
    publicAccessBlock: { ...allOn },
    regions: ['eu-west-1', 'us-east-1'],
    ebs: { 'eu-west-1': true, 'us-east-1': true },
    passwordPolicy: { ...PW },
  })),
});

describe('account-hardening plan', () => {
  it('plans nothing when every account is hardened', () => {
    expect(accountHardening.plan(want, compliant())).toEqual([]);
  });

  it('a fresh organization: per account, BPA + EBS in each region enabled for it + password policy', () => {
    const seen: HardeningSeen = {
      accounts: NAMES.map((n) => ({
        name: n,
        target: targetOf(n),
        accountId: idOf(n),
        publicAccessBlock: null,
        regions: ['eu-west-1', 'us-east-1'],
        ebs: { 'eu-west-1': false, 'us-east-1': false },
        passwordPolicy: null,
      })),
    };
    const actions = accountHardening.plan(want, seen);
    expect(actions).toHaveLength(NAMES.length * 4);
    const prod = actions.filter((a) => a.target.account === ACCOUNTS.prod);
    expect(brief(prod)).toEqual([
      {
        symbol: '+',
        op: 's3-control:PutPublicAccessBlock',
        input: { AccountId: ACCOUNTS.prod, PublicAccessBlockConfiguration: allOn },
      },
      { symbol: '~', op: 'ec2:EnableEbsEncryptionByDefault', input: {} },
      { symbol: '~', op: 'ec2:EnableEbsEncryptionByDefault', input: {} },
      { symbol: '+', op: 'iam:UpdateAccountPasswordPolicy', input: PW },
    ]);
    expect(prod.map((a) => a.target.region)).toEqual(['eu-west-1', 'eu-west-1', 'us-east-1', 'us-east-1']);
    const m = actions.filter((a) => a.target.account === 'management');
    expect((m[0]!.input as any).AccountId).toBe(MGMT);
  });

  it('BPA off in one member: one action for that account only (ACCT.08, CIS 2.1.4)', () => {
    const seen = compliant();
    seen.accounts[3]!.publicAccessBlock = null;
    const actions = accountHardening.plan(want, seen);
    expect(ops(actions)).toEqual(['s3-control:PutPublicAccessBlock']);
    expect(actions[0]!.target).toEqual({ account: ACCOUNTS.prod, region: 'eu-west-1' });
    expect(actions[0]!.controls).toEqual(['SSB ACCT.08', 'CIS 2.1.4']);
    expect(actions[0]!.summary).toBe(
      '+ s3-control:PutPublicAccessBlock prod (account-level Block Public Access is off; turn on all four flags)',
    );
  });

  it('one BPA flag off names the flag', () => {
    const seen = compliant();
    seen.accounts[2]!.publicAccessBlock!.BlockPublicPolicy = false;
    expect(accountHardening.plan(want, seen)[0]!.summary).toBe(
      '~ s3-control:PutPublicAccessBlock audit (account-level BlockPublicPolicy off; turn on all four flags)',
    );
  });

  it('EBS encryption off in one region of one account: that region only (WKLD.08, CIS 2.2.1)', () => {
    const seen = compliant();
    seen.accounts[4]!.ebs['us-east-1'] = false;
    const actions = accountHardening.plan(want, seen);
    expect(brief(actions)).toEqual([{ symbol: '~', op: 'ec2:EnableEbsEncryptionByDefault', input: {} }]);
    expect(actions[0]!.target).toEqual({ account: ACCOUNTS.dev, region: 'us-east-1' });
    expect(actions[0]!.controls).toEqual(['SSB WKLD.08', 'CIS 2.2.1']);
  });

  it('a weak password policy is replaced in full, keeping stricter and unmanaged fields', () => {
    const seen = compliant();
    seen.accounts[0]!.passwordPolicy = {
      MinimumPasswordLength: 20,
      RequireSymbols: false,
      RequireNumbers: true,
      RequireUppercaseCharacters: true,
      RequireLowercaseCharacters: true,
      AllowUsersToChangePassword: false,
      PasswordReusePrevention: 5,
      MaxPasswordAge: 90,
      HardExpiry: false,
    };
    const actions = accountHardening.plan(want, seen);
    expect(brief(actions)).toEqual([
      {
        symbol: '~',
        op: 'iam:UpdateAccountPasswordPolicy',
        input: {
          MinimumPasswordLength: 20,
          RequireSymbols: true,
          RequireNumbers: true,
          RequireUppercaseCharacters: true,
          RequireLowercaseCharacters: true,
          AllowUsersToChangePassword: false,
          PasswordReusePrevention: 24,
          MaxPasswordAge: 90,
          HardExpiry: false,
        },
      },
    ]);
    expect(actions[0]!.controls).toEqual(['SSB ACCT.06', 'CIS 1.8', 'CIS 1.9']);
    expect(actions[0]!.summary).toContain('reuse prevention 5 < 24, symbols not required');
  });

  it('a deleted password policy is put back in full, and the finding says there is none', () => {
    const seen = compliant();
    seen.accounts[2]!.passwordPolicy = null;
    const actions = accountHardening.plan(want, seen);
    expect(brief(actions)).toEqual([{ symbol: '+', op: 'iam:UpdateAccountPasswordPolicy', input: PW }]);
    expect(actions[0]!.target).toEqual({ account: ACCOUNTS.audit, region: 'us-east-1' });
    expect(actions[0]!.summary).toBe(
      '+ iam:UpdateAccountPasswordPolicy audit (no password policy; set length ≥ 14, reuse prevention 24, symbols/numbers/upper/lower required)',
    );
  });

  it('EBS off names the region in the finding', () => {
    const seen = compliant();
    seen.accounts[0]!.ebs['eu-west-1'] = false;
    expect(accountHardening.plan(want, seen)[0]!.summary).toBe(
      '~ ec2:EnableEbsEncryptionByDefault management eu-west-1 (EBS encryption by default is off in this region)',
    );
  });

  it('turned-off hardening options plan no BPA or EBS change', () => {
    const w = { ...want, hardening: { ...want.hardening, s3BlockPublicAccess: false, ebsEncryption: false } };
    const seen = compliant();
    seen.accounts.forEach((a) => {
      a.publicAccessBlock = null;
      a.ebs = {};
    });
    expect(accountHardening.plan(w, seen)).toEqual([]);
  });

  it('an account whose regions were not read (not created yet) gets EBS encryption in every region AWS enables by default (CIS 2.2.1: all regions)', () => {
    const { ctx } = fakeCtx(
      { ...want, allowedRegions: ['eu-west-1', 'af-south-1'] },
      () => ({}),
      { 'management.accountId': MGMT },
      'plan',
    );
    const w = { ...want, allowedRegions: ['eu-west-1', 'af-south-1'] };
    const prod = accountHardening
      .plan(w, accountHardening.fresh(ctx))
      .filter((a) => String(a.target.account) === '<prod.accountId>' && a.operation === 'EnableEbsEncryptionByDefault');
    expect(prod.map((a) => a.target.region)).toEqual([...DEFAULT_ENABLED_REGIONS, 'af-south-1'].sort());
    expect(prod.every((a) => JSON.stringify(a.controls) === JSON.stringify(['SSB WKLD.08', 'CIS 2.2.1']))).toBe(true);
  });

  it('a region the account enabled later (beyond the allowed ones) is covered too', () => {
    const seen = compliant();
    seen.accounts[3]!.regions = ['eu-west-1', 'us-east-1', 'me-central-1'];
    const actions = accountHardening.plan(want, seen);
    expect(actions.map((a) => [a.operation, a.target.account, a.target.region])).toEqual([
      ['EnableEbsEncryptionByDefault', ACCOUNTS.prod, 'me-central-1'],
    ]);
  });

  it('accounts not created yet are planned by Ref', () => {
    const { ctx } = fakeCtx(want, () => ({}), { 'management.accountId': MGMT }, 'plan');
    const actions = accountHardening.plan(want, accountHardening.fresh(ctx));
    expect(actions).toHaveLength(NAMES.length * (2 + DEFAULT_ENABLED_REGIONS.length));
    const prodBpa = actions.find(
      (a) => String(a.target.account) === '<prod.accountId>' && a.operation === 'PutPublicAccessBlock',
    )!;
    expect(JSON.parse(JSON.stringify(prodBpa.input)).AccountId).toBe('<prod.accountId>');
  });
});

describe('password policy rules', () => {
  it('CIS 1.8: at least 14 characters even if the config says less', () => {
    const p = { minimumLength: 14, reusePrevention: 24 };
    expect(passwordPolicyGaps(p, { ...PW, MinimumPasswordLength: 8 })).toEqual(['length 8 < 14']);
    expect(passwordPolicyInput({ minimumLength: 10 as number, reusePrevention: 24 }, null).MinimumPasswordLength).toBe(
      14,
    );
    expect(passwordPolicyGaps(p, null)).toEqual(['no password policy']);
    expect(passwordPolicyGaps(p, PW)).toEqual([]);
  });
});

describe('account-hardening observe', () => {
  it('reads each account: S3 Control BPA with its own ID, its enabled regions and EBS in each, the password policy', async () => {
    const { ctx, calls } = fakeCtx(
      want,
      (s, op, input, target) => {
        if (op === 'DescribeRegions') return regionsAnswer(['us-east-1', 'eu-west-1']);
        if (op === 'GetPublicAccessBlock')
          return target.account === ACCOUNTS.prod
            ? awsErr('NoSuchPublicAccessBlockConfiguration', 404)
            : { PublicAccessBlockConfiguration: allOn };
        if (op === 'GetEbsEncryptionByDefault')
          return { EbsEncryptionByDefault: !(target.account === ACCOUNTS.dev && target.region === 'us-east-1') };
        if (op === 'GetAccountPasswordPolicy')
          return target.account === 'management' ? awsErr('NoSuchEntityException', 404) : { PasswordPolicy: PW };
        throw new Error(`unexpected ${s}:${op}`);
      },
      KNOWN,
    );
    const seen = await accountHardening.observe(ctx);
    expect(calls).toHaveLength(NAMES.length * 5);
    expect(calls.filter((c) => c.op === 'DescribeRegions').map((c) => c.target)).toEqual(
      NAMES.map((n) => ({ account: targetOf(n), region: 'eu-west-1' })),
    );
    expect(
      calls.filter((c) => c.op === 'GetPublicAccessBlock').map((c) => [c.target.account, c.input.AccountId]),
    ).toEqual(NAMES.map((n) => [targetOf(n), idOf(n)]));
    expect(ops(accountHardening.plan(want, seen))).toEqual([
      'iam:UpdateAccountPasswordPolicy',
      's3-control:PutPublicAccessBlock',
      'ec2:EnableEbsEncryptionByDefault',
    ]);
  });

  it('an allowed opt-in region the account has not enabled is an explained error', async () => {
    const w = { ...want, allowedRegions: ['eu-west-1', 'af-south-1'] };
    const { ctx } = fakeCtx(
      w,
      (_s, op, _i, target) => {
        if (op === 'DescribeRegions')
          return regionsAnswer(
            target.account === ACCOUNTS.prod ? ['eu-west-1', 'us-east-1'] : ['eu-west-1', 'us-east-1', 'af-south-1'],
          );
        return op === 'GetPublicAccessBlock'
          ? { PublicAccessBlockConfiguration: allOn }
          : op === 'GetEbsEncryptionByDefault'
            ? { EbsEncryptionByDefault: true }
            : { PasswordPolicy: PW };
      },
      KNOWN,
    );
    await expect(accountHardening.observe(ctx)).rejects.toMatchObject({
      name: 'StepError',
      message: expect.stringContaining('af-south-1 is not enabled in the prod account'),
      hint: expect.stringContaining('allowedRegions'),
    });
  });

  it('a member ID not known yet: nothing read for it in plan mode, an error in apply', async () => {
    const values = { 'management.accountId': MGMT };
    const answer = (_s: string, op: string) =>
      op === 'DescribeRegions'
        ? regionsAnswer(['eu-west-1', 'us-east-1'])
        : op === 'GetPublicAccessBlock'
          ? { PublicAccessBlockConfiguration: allOn }
          : op === 'GetEbsEncryptionByDefault'
            ? { EbsEncryptionByDefault: true }
            : { PasswordPolicy: PW };
    const plan = fakeCtx(want, answer, values, 'plan');
    await accountHardening.observe(plan.ctx);
    expect(new Set(plan.calls.map((c) => c.target.account))).toEqual(new Set(['management']));
    const apply = fakeCtx(want, answer, values, 'apply');
    await expect(accountHardening.observe(apply.ctx)).rejects.toMatchObject({ name: 'StepError' });
  });

  it('reads accounts × regions in parallel, at most 4 accounts at a time', async () => {
    const regions = ['eu-west-1', 'us-east-1', 'eu-central-1', 'us-west-2'];
    const many = {
      ...want,
      allowedRegions: regions,
      accounts: Array.from({ length: 9 }, (_, i) => ({
        ...want.accounts[0]!,
        name: `acct${i}`,
        email: `ops+a${i}@acme.example`,
      })),
    };
    const values = {
      'management.accountId': MGMT,
      ...Object.fromEntries(many.accounts.map((a, i) => [`${a.name}.accountId`, String(222200000001 + i)])),
    };
    const { ctx } = fakeCtx(many, () => ({}), values);
    let inFlight = 0;
    let peak = 0;
    let peakAccounts = 0;
    const perAccount = new Map<string, number>();
    (ctx.aws as any).call = async (_s: string, op: string, _i: unknown, target: { account: string }) => {
      inFlight++;
      perAccount.set(target.account, (perAccount.get(target.account) ?? 0) + 1);
      peak = Math.max(peak, inFlight);
      peakAccounts = Math.max(peakAccounts, perAccount.size);
      await new Promise((r) => setTimeout(r, 2));
      inFlight--;
      const left = perAccount.get(target.account)! - 1;
      if (left) perAccount.set(target.account, left);
      else perAccount.delete(target.account);
      return op === 'DescribeRegions'
        ? regionsAnswer(regions)
        : op === 'GetPublicAccessBlock'
          ? { PublicAccessBlockConfiguration: allOn }
          : op === 'GetEbsEncryptionByDefault'
            ? { EbsEncryptionByDefault: true }
            : { PasswordPolicy: PW };
    };
    const seen = await accountHardening.observe(ctx);
    expect(seen.accounts).toHaveLength(10);
    expect(seen.accounts.every((a) => regions.every((r) => a.ebs[r] === true))).toBe(true);
    expect(accountHardening.plan(many, seen)).toEqual([]);
    // Bounded by account (each read goes through an assumed role); within one, all at once.
    expect(peakAccounts).toBe(4);
    expect(peak).toBeGreaterThan(4);
    expect(peak).toBeLessThanOrEqual(4 * (regions.length + 2));
  });
});
