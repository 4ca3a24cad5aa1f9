import { describe, expect, it } from 'vitest';
import { accounts, type AccountsSeen } from '../../../steps/accounts.js';
import { awsErr, basic, brief, fakeCtx, fakeRun, ORG_VALUES, ROOT } from './fixtures.js';
import { PollTimeout, StepError } from '../../../steps/contract.js';
import { CreateAccountFailureReason } from '@aws-sdk/client-organizations';
import { ACCOUNT_QUOTA_LINK, accountFailure, createAccountCallError } from '../../../steps/lib/org-account-errors.js';

const want = basic();
/** The reads that tell whether a new account is ready (steps/lib/account-readiness.ts). */
const READY_OPS = ['GetCallerIdentity', 'GetEbsEncryptionByDefault', 'ListBuckets'];
const PROBES = ['GetCallerIdentity', 'GetEbsEncryptionByDefault', 'ListBuckets'];
const OUS = { Security: 'ou-sec', Workloads: 'ou-wl', Prod: 'ou-prod', NonProd: 'ou-np' };
const seen = (over: Partial<AccountsSeen> = {}): AccountsSeen => ({
  rootId: ROOT,
  found: {},
  inflight: {},
  ouIds: OUS,
  othersInProgress: 0,
  ...over,
});
const all = (): AccountsSeen['found'] => ({
  'log-archive': { id: '200000000001', parentId: 'ou-sec', status: 'ACTIVE' },
  audit: { id: '200000000002', parentId: 'ou-sec', status: 'ACTIVE' },
  prod: { id: '200000000003', parentId: 'ou-prod', status: 'ACTIVE' },
  dev: { id: '200000000004', parentId: 'ou-np', status: 'ACTIVE' },
});

describe('accounts plan', () => {
  it('on a fresh organization: create then move each account, with symbolic IDs', () => {
    const f = fakeCtx(want, () => undefined);
    const actions = accounts.plan(want, accounts.fresh(f.ctx));
    expect(brief(actions)).toEqual(
      [
        ['log-archive', 'Security'],
        ['audit', 'Security'],
        ['prod', 'Prod'],
        ['dev', 'NonProd'],
      ].flatMap(([name, ou]) => [
        {
          symbol: '+',
          op: 'organizations:CreateAccount',
          input: { Email: `ops+aws-${name}@acme.example`, AccountName: name },
        },
        {
          symbol: '+',
          op: 'organizations:MoveAccount',
          input: {
            AccountId: `<${name}.accountId>`,
            SourceParentId: '<org.rootId>',
            DestinationParentId: `<ou.${ou}.id>`,
          },
        },
      ]),
    );
    expect(actions[0]!.produces).toEqual(['log-archive.accountId']);
    expect(actions[0]!.summary).toBe('+ organizations:CreateAccount log-archive (ops+aws-log-archive@acme.example)');
  });

  it('plans nothing when every account is in its OU', () => {
    expect(accounts.plan(want, seen({ found: all() }))).toEqual([]);
  });

  it('moves an existing account that is in another OU, never recreating it', () => {
    const found = all();
    found.prod!.parentId = ROOT;
    expect(brief(accounts.plan(want, seen({ found })))).toEqual([
      {
        symbol: '~',
        op: 'organizations:MoveAccount',
        input: { AccountId: '200000000003', SourceParentId: ROOT, DestinationParentId: 'ou-prod' },
      },
    ]);
  });

  it('waits for a creation already in progress instead of creating again', () => {
    const found = all();
    delete found.dev;
    const actions = accounts.plan(want, seen({ found, inflight: { dev: 'car-123' } }));
    expect(brief(actions)).toEqual([
      { symbol: '+', op: 'organizations:DescribeCreateAccountStatus', input: { CreateAccountRequestId: 'car-123' } },
      {
        symbol: '+',
        op: 'organizations:MoveAccount',
        input: { AccountId: '<dev.accountId>', SourceParentId: ROOT, DestinationParentId: 'ou-np' },
      },
    ]);
    expect(actions.some((a) => a.operation === 'CreateAccount')).toBe(false);
  });

  it('an account still PENDING_ACTIVATION (just made) is adopted like an active one', () => {
    const found = all();
    found.audit!.status = 'PENDING_ACTIVATION';
    expect(accounts.plan(want, seen({ found }))).toEqual([]);
  });

  it('a closed account under the email is a blocking manual step, not a CreateAccount', () => {
    const found = all();
    found.audit!.status = 'SUSPENDED';
    const actions = accounts.plan(want, seen({ found }));
    expect(actions).toHaveLength(1);
    expect(actions[0]).toMatchObject({ kind: 'manual', manual: { blocking: true } });
  });
});

describe('accounts observe', () => {
  const listed = [
    { Id: '200000000001', Email: 'OPS+AWS-LOG-ARCHIVE@acme.example', Status: 'ACTIVE' },
    { Id: '200000000003', Email: 'ops+aws-prod@acme.example', Status: 'ACTIVE' },
    { Id: '999999999999', Email: 'someone@else.example', Status: 'ACTIVE' },
  ];
  const answer =
    (extra: (op: string, input: any) => unknown = () => undefined) =>
    (_s: string, op: string, input: any) => {
      const x = extra(op, input);
      if (x !== undefined) return x;
      if (READY_OPS.includes(op)) return {};
      if (op === 'ListAccounts') return { Accounts: listed };
      if (op === 'ListParents')
        return { Parents: [{ Id: input.ChildId === '200000000003' ? ROOT : 'ou-sec', Type: 'ORGANIZATIONAL_UNIT' }] };
      if (op === 'ListCreateAccountStatus')
        return { CreateAccountStatuses: [{ Id: 'car-audit', AccountName: 'audit', State: 'IN_PROGRESS' }] };
      throw new Error(`unexpected ${op}`);
    };

  it('finds accounts by email (any case), in-flight creations by name, publishes IDs, moves the misplaced one', async () => {
    const f = fakeCtx(want, answer(), { ...ORG_VALUES, 'ou.Security.id': 'ou-sec', 'ou.Prod.id': 'ou-prod' });
    const s = await accounts.observe(f.ctx);
    expect(s.found).toEqual({
      'log-archive': { id: '200000000001', parentId: 'ou-sec', status: 'ACTIVE' },
      prod: { id: '200000000003', parentId: ROOT, status: 'ACTIVE' },
    });
    expect(s.inflight).toEqual({ audit: 'car-audit' });
    // Never seen ready by this state file: looked at once, then remembered as ready.
    expect(f.published).toEqual({
      'log-archive.accountId': '200000000001',
      'log-archive.ready': 'true',
      'prod.accountId': '200000000003',
      'prod.ready': 'true',
    });
    expect(f.calls.find((c) => c.op === 'ListCreateAccountStatus')!.input).toEqual({
      States: ['IN_PROGRESS', 'SUCCEEDED'],
    });
    expect(brief(accounts.plan(want, s)).map((a) => `${a.op} ${JSON.stringify(a.input)}`)).toEqual([
      'organizations:DescribeCreateAccountStatus {"CreateAccountRequestId":"car-audit"}',
      'organizations:MoveAccount {"AccountId":"<audit.accountId>","SourceParentId":"r-abcd","DestinationParentId":"ou-sec"}',
      'organizations:MoveAccount {"AccountId":"200000000003","SourceParentId":"r-abcd","DestinationParentId":"ou-prod"}',
      'organizations:CreateAccount {"Email":"ops+aws-dev@acme.example","AccountName":"dev"}',
      'organizations:MoveAccount {"AccountId":"<dev.accountId>","SourceParentId":"r-abcd","DestinationParentId":"<ou.NonProd.id>"}',
    ]);
  });

  it("uses the state file's in-flight request: still running → wait; succeeded → adopt", async () => {
    const f = fakeCtx(
      want,
      answer((op, input) => {
        if (op === 'ListCreateAccountStatus') return { CreateAccountStatuses: [] };
        if (op === 'DescribeCreateAccountStatus')
          return {
            CreateAccountStatus:
              input.CreateAccountRequestId === 'car-dev'
                ? { State: 'IN_PROGRESS' }
                : { State: 'SUCCEEDED', AccountId: '200000000002' },
          };
        return undefined;
      }),
      ORG_VALUES,
    );
    const recs: Record<string, string> = {
      'account:ops+aws-dev@acme.example': 'car-dev',
      'account:ops+aws-audit@acme.example': 'car-audit',
    };
    f.ctx.inflight = (k) =>
      recs[k]
        ? {
            key: k,
            requestId: recs[k]!,
            service: 'organizations',
            operation: 'CreateAccount',
            step: 'accounts',
            startedAt: '',
          }
        : undefined;
    const s = await accounts.observe(f.ctx);
    expect(s.inflight).toEqual({ dev: 'car-dev' });
    expect(s.found.audit).toEqual({ id: '200000000002', parentId: 'ou-sec' });
  });

  it('without an organization (plan on an account that has none): fresh, no AWS call', async () => {
    const f = fakeCtx(want, () => {
      throw new Error('no call expected');
    });
    expect(await accounts.observe(f.ctx)).toEqual(accounts.fresh(f.ctx));
  });
});

describe('accounts run', () => {
  const create = () => accounts.plan(want, seen())[0]!;

  it('records the request ID BEFORE polling, then returns the account ID and clears it', async () => {
    const a = create();
    let polls = 0;
    const r = fakeRun(want, a, (_s, op) => {
      if (op === 'CreateAccount') return { CreateAccountStatus: { Id: 'car-1', State: 'IN_PROGRESS' } };
      if (READY_OPS.includes(op)) return {};
      polls++;
      if (polls === 1) return awsErr('CreateAccountStatusNotFoundException');
      return {
        CreateAccountStatus: { Id: 'car-1', State: polls < 3 ? 'IN_PROGRESS' : 'SUCCEEDED', AccountId: '200000000001' },
      };
    });
    r.ctx.recordInflight = async (k, op) => {
      r.events.push(`record ${k} ${op.requestId} after ${r.calls.length} calls`);
    };
    expect(await a.run!(r.ctx)).toEqual({ 'log-archive.accountId': '200000000001', 'log-archive.ready': 'true' });
    expect(r.events[0]).toBe('record account:ops+aws-log-archive@acme.example car-1 after 1 calls');
    expect(r.calls.map((c) => c.op)).toEqual([
      'CreateAccount',
      'DescribeCreateAccountStatus',
      'DescribeCreateAccountStatus',
      'DescribeCreateAccountStatus',
      ...PROBES,
    ]);
    // The probes run in the new account, in the home region.
    expect(r.calls.slice(-3).map((c) => c.target)).toEqual(
      PROBES.map(() => ({ account: '200000000001', region: want.homeRegion })),
    );
  });

  const failing: [string, RegExp][] = [
    ['EMAIL_ALREADY_EXISTS', /already belongs to another AWS account.*Pick another address/s],
    ['ACCOUNT_LIMIT_EXCEEDED', /quota.*servicequotas/s],
    ['INVALID_EMAIL', /not a valid email/],
    ['CONCURRENT_ACCOUNT_MODIFICATION', /Run secure-start again/],
    ['MISSING_PAYMENT_INSTRUMENT', /Add a credit or debit card in the Billing console/],
  ];
  for (const [reason, msg] of failing) {
    it(`FAILED ${reason} becomes a StepError saying what to do`, async () => {
      const a = create();
      const r = fakeRun(want, a, (_s, op) =>
        op === 'CreateAccount'
          ? { CreateAccountStatus: { Id: 'car-1', State: 'IN_PROGRESS' } }
          : { CreateAccountStatus: { Id: 'car-1', State: 'FAILED', FailureReason: reason } },
      );
      const err = await a.run!(r.ctx).then(
        () => undefined,
        (e) => e,
      );
      expect(err).toBeInstanceOf(StepError);
      expect(`${err.message} ${err.hint}`).toMatch(msg);
      expect(r.events).toEqual([
        'record account:ops+aws-log-archive@acme.example car-1',
        'clear account:ops+aws-log-archive@acme.example',
      ]);
    });
  }

  it('EMAIL_ALREADY_EXISTS because our own earlier attempt made it (a retried CreateAccount): adopt that account', async () => {
    const a = create();
    const r = fakeRun(want, a, (_s, op) => {
      if (op === 'CreateAccount') return { CreateAccountStatus: { Id: 'car-2', State: 'IN_PROGRESS' } };
      if (op === 'ListAccounts')
        return {
          Accounts: [
            { Id: '111111111111', Email: 'ops@acme.example' },
            { Id: '200000000001', Email: 'OPS+aws-log-archive@acme.example' },
          ],
        };
      if (READY_OPS.includes(op)) return {};
      return { CreateAccountStatus: { Id: 'car-2', State: 'FAILED', FailureReason: 'EMAIL_ALREADY_EXISTS' } };
    });
    expect(await a.run!(r.ctx)).toEqual({ 'log-archive.accountId': '200000000001', 'log-archive.ready': 'true' });
    expect(r.calls.map((c) => c.op)).toEqual([
      'CreateAccount',
      'DescribeCreateAccountStatus',
      'ListAccounts',
      ...PROBES,
    ]);
  });

  it('EMAIL_ALREADY_EXISTS and the email is not in the organization (or only on the management account): the error', async () => {
    const a = create();
    const r = fakeRun(want, a, (_s, op) => {
      if (op === 'CreateAccount') return { CreateAccountStatus: { Id: 'car-2', State: 'IN_PROGRESS' } };
      if (op === 'ListAccounts')
        return { Accounts: [{ Id: '111111111111', Email: 'ops+aws-log-archive@acme.example' }] };
      return { CreateAccountStatus: { Id: 'car-2', State: 'FAILED', FailureReason: 'EMAIL_ALREADY_EXISTS' } };
    });
    const err = await a.run!(r.ctx).then(
      () => undefined,
      (e) => e,
    );
    expect(err).toBeInstanceOf(StepError);
    expect(err.message).toContain('already belongs to another AWS account');
  });

  it('call errors: FinalizingOrganizationException and the account-number limit', async () => {
    const a = create();
    for (const [e, msg] of [
      [awsErr('FinalizingOrganizationException'), /still preparing the new organization.*run secure-start again/s],
      [
        Object.assign(awsErr('ConstraintViolationException', 'You have exceeded the allowed number of AWS accounts.'), {
          Reason: 'ACCOUNT_NUMBER_LIMIT_EXCEEDED',
        }),
        /quota.*servicequotas/s,
      ],
    ] as const) {
      const r = fakeRun(want, a, () => e);
      const err = await a.run!(r.ctx).then(
        () => undefined,
        (x) => x,
      );
      expect(err).toBeInstanceOf(StepError);
      expect(`${err.message} ${err.hint}`).toMatch(msg);
      expect(r.events).toEqual([]);
    }
  });

  it('resume waits on the known request without calling CreateAccount', async () => {
    const found = all();
    delete found.dev;
    const a = accounts.plan(want, seen({ found, inflight: { dev: 'car-9' } }))[0]!;
    const r = fakeRun(want, a, () => ({ CreateAccountStatus: { State: 'SUCCEEDED', AccountId: '200000000004' } }));
    expect(await a.run!(r.ctx)).toEqual({ 'dev.accountId': '200000000004', 'dev.ready': 'true' });
    expect(r.calls.map((c) => c.op)).toEqual(['DescribeCreateAccountStatus', ...PROBES]);
    expect(r.events).toEqual([
      'record account:ops+aws-dev@acme.example car-9',
      'clear account:ops+aws-dev@acme.example',
    ]);
  });

  it('a move that already happened (DuplicateAccountException) is fine', async () => {
    const a = accounts.plan(want, seen())[1]!;
    const r = fakeRun(want, a, () => awsErr('DuplicateAccountException'), {
      'log-archive.accountId': '200000000001',
      'ou.Security.id': 'ou-sec',
    });
    await expect(a.run!(r.ctx)).resolves.toBeUndefined();
    expect(r.calls[0]!.input).toEqual({
      AccountId: '200000000001',
      SourceParentId: ROOT,
      DestinationParentId: 'ou-sec',
    });
  });

  it('a move whose source is stale: already in the destination is fine; elsewhere, it is moved from where it is', async () => {
    const a = accounts.plan(want, seen())[1]!;
    const values = { 'log-archive.accountId': '200000000001', 'ou.Security.id': 'ou-sec' };
    const done = fakeRun(
      want,
      a,
      (_s, op) => (op === 'MoveAccount' ? awsErr('SourceParentNotFoundException') : { Parents: [{ Id: 'ou-sec' }] }),
      values,
    );
    await expect(a.run!(done.ctx)).resolves.toBeUndefined();
    expect(done.calls.map((c) => c.op)).toEqual(['MoveAccount', 'ListParents']);

    let moves = 0;
    const elsewhere = fakeRun(
      want,
      a,
      (_s, op) =>
        op === 'MoveAccount'
          ? moves++ === 0
            ? awsErr('SourceParentNotFoundException')
            : {}
          : { Parents: [{ Id: 'ou-other' }] },
      values,
    );
    await expect(a.run!(elsewhere.ctx)).resolves.toBeUndefined();
    expect(elsewhere.calls.map((c) => `${c.op} ${c.input.SourceParentId ?? ''}`)).toEqual([
      `MoveAccount ${ROOT}`,
      'ListParents ',
      'MoveAccount ou-other',
    ]);
  });
});

describe('accounts: every failure says what to do', () => {
  const who = { name: 'prod', email: 'ops+aws-prod@acme.example' };
  // The SDK's own list of reasons: each gets a specific message, never the generic fallback.
  const reasons = Object.values(CreateAccountFailureReason);

  it(`each of the SDK's ${reasons.length} FailureReasons has its own message and next step`, () => {
    const generic = accountFailure('SOMETHING_NEW', who);
    expect(generic.message).toContain('(SOMETHING_NEW)');
    for (const reason of reasons) {
      const e = accountFailure(reason, who);
      expect(e.message, reason).toMatch(/^AWS could not create the account prod \(ops\+aws-prod@acme\.example\): /);
      expect(e.hint, reason).not.toBe(generic.hint);
      expect(e.hint!.length, reason).toBeGreaterThan(20);
    }
    expect(accountFailure('ACCOUNT_LIMIT_EXCEEDED', who).hint).toContain(ACCOUNT_QUOTA_LINK);
  });

  it('CreateAccount call errors: rate limit, payment, contact info; unknown errors are left to the engine', () => {
    const cv = (Reason: string) => Object.assign(awsErr('ConstraintViolationException', 'x'), { Reason });
    expect(createAccountCallError(cv('ACCOUNT_CREATION_RATE_LIMIT_EXCEEDED'), who)!.hint).toMatch(/Wait a day/);
    expect(createAccountCallError(cv('MASTER_ACCOUNT_PAYMENT_INSTRUMENT_REQUIRED'), who)!.hint).toMatch(
      /credit or debit card/,
    );
    expect(createAccountCallError(cv('MASTER_ACCOUNT_MISSING_CONTACT_INFO'), who)!.hint).toMatch(/contact information/);
    // The reason only in the message (older SDKs): still recognised.
    expect(
      createAccountCallError(awsErr('ConstraintViolationException', 'ACCOUNT_NUMBER_LIMIT_EXCEEDED: too many'), who)!
        .hint,
    ).toContain(ACCOUNT_QUOTA_LINK);
    expect(createAccountCallError(awsErr('AccessDeniedException'), who)).toBeUndefined();
  });

  it("an email that is the management account's own is a blocking manual step, never adopted or moved", async () => {
    const f = fakeCtx(
      want,
      (_s, op) => {
        if (op === 'ListAccounts')
          return { Accounts: [{ Id: '111111111111', Email: 'ops+aws-prod@acme.example', Status: 'ACTIVE' }] };
        if (op === 'ListCreateAccountStatus') return { CreateAccountStatuses: [] };
        if (op === 'ListParents') return { Parents: [{ Id: ROOT }] };
        throw new Error(`unexpected ${op}`);
      },
      { ...ORG_VALUES, 'ou.Prod.id': 'ou-prod' },
    );
    const s = await accounts.observe(f.ctx);
    expect(f.published['prod.accountId']).toBeUndefined();
    const forProd = accounts.plan(want, s).filter((a) => a.summary.includes(' prod'));
    expect(forProd).toHaveLength(1);
    expect(forProd[0]).toMatchObject({ kind: 'manual', manual: { blocking: true } });
    expect(forProd[0]!.manual!.instructions.join(' ')).toMatch(
      /email of the management account.*Choose another email for prod/s,
    );
  });
});

describe('accounts: the email changed in the config after the account was made', () => {
  const answer = (listed: { Id: string; Email: string; State?: string }[]) => (_s: string, op: string) => {
    if (op === 'ListAccounts') return { Accounts: listed };
    if (READY_OPS.includes(op)) return {};
    if (op === 'ListCreateAccountStatus') return { CreateAccountStatuses: [] };
    if (op === 'ListParents') return { Parents: [{ Id: 'ou-np' }] };
    // Asked by ID when the list does not show a known account: really gone here.
    if (op === 'DescribeAccount') return awsErr('AccountNotFoundException');
    throw new Error(`unexpected ${op}`);
  };
  const others = [
    { Id: '200000000001', Email: 'ops+aws-log-archive@acme.example', State: 'ACTIVE' },
    { Id: '200000000002', Email: 'ops+aws-audit@acme.example', State: 'ACTIVE' },
    { Id: '200000000003', Email: 'ops+aws-prod@acme.example', State: 'ACTIVE' },
  ];

  it('keeps the account the state file knows (no second CreateAccount) and advises, without blocking', async () => {
    const f = fakeCtx(
      want,
      answer([...others, { Id: '200000000004', Email: 'old-dev@acme.example', State: 'ACTIVE' }]),
      {
        ...ORG_VALUES,
        'dev.accountId': '200000000004',
        'ou.NonProd.id': 'ou-np',
        'ou.Security.id': 'ou-sec',
        'ou.Prod.id': 'ou-np',
      },
    );
    const s = await accounts.observe(f.ctx);
    expect(s.found.dev).toEqual({
      id: '200000000004',
      status: 'ACTIVE',
      emailWas: 'old-dev@acme.example',
      parentId: 'ou-np',
    });
    const forDev = accounts.plan(want, s).filter((a) => a.summary.includes('dev'));
    expect(forDev.map((a) => a.kind)).toEqual(['manual']);
    expect(forDev[0]).toMatchObject({ manual: { blocking: false } });
    expect(forDev[0]!.summary).toBe(
      '! account dev (200000000004) still has the email old-dev@acme.example; the config says ops+aws-dev@acme.example',
    );
  });

  it("an ID whose account now carries another configured account's email is not taken over; gone from the organization → created", async () => {
    // dev's recorded ID now holds prod's email (someone swapped them): do not claim it for dev.
    const f = fakeCtx(
      want,
      answer([...others.slice(0, 2), { Id: '200000000004', Email: 'ops+aws-prod@acme.example' }]),
      { ...ORG_VALUES, 'dev.accountId': '200000000004' },
    );
    const s = await accounts.observe(f.ctx);
    expect(s.found.dev).toBeUndefined();
    const g = fakeCtx(want, answer(others), { ...ORG_VALUES, 'dev.accountId': '200000000009' });
    const t = await accounts.observe(g.ctx);
    expect(t.found.dev).toBeUndefined();
    expect(
      accounts
        .plan(want, t)
        .some((a) => a.operation === 'CreateAccount' && (a.input as { AccountName: string }).AccountName === 'dev'),
    ).toBe(true);
  });
});

describe('accounts: AWS as it really behaves (issue 13)', () => {
  const notReady = (cause: string) =>
    Object.assign(new Error('Could not get into member account'), {
      name: 'StepError',
      code: 'MemberAccessDenied',
      cause: new Error(cause),
    });
  const NO_REASON =
    'User: arn:aws:iam::111111111111:user/admin is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::200000000001:role/OrganizationAccountAccessRole';

  it('a new account is waited for until AssumeRole, EC2 and S3 all work in it (denied, then OptInRequired, then ready)', async () => {
    const a = accounts.plan(want, seen())[0]!;
    const answers: unknown[] = [
      notReady(NO_REASON),
      notReady(NO_REASON),
      awsErr('OptInRequired'),
      awsErr('NotSignedUp'),
    ];
    let probes = 0;
    const r = fakeRun(want, a, (_s, op) => {
      if (op === 'CreateAccount') return { CreateAccountStatus: { Id: 'car-1', State: 'IN_PROGRESS' } };
      if (op === 'DescribeCreateAccountStatus')
        return { CreateAccountStatus: { Id: 'car-1', State: 'SUCCEEDED', AccountId: '200000000001' } };
      if (op === 'GetCallerIdentity') return probes++ < 2 ? answers[probes - 1] : {};
      if (op === 'GetEbsEncryptionByDefault') return probes === 3 ? answers[2] : {};
      if (op === 'ListBuckets') return probes === 4 ? answers[3] : {};
      throw new Error(`unexpected ${op}`);
    });
    expect(await a.run!(r.ctx)).toEqual({ 'log-archive.accountId': '200000000001', 'log-archive.ready': 'true' });
    // Known before the wait, so the move into its OU can go on meanwhile.
    expect(r.published['log-archive.accountId']).toBe('200000000001');
    expect(r.calls.filter((c) => c.op === 'GetCallerIdentity')).toHaveLength(5);
  });

  it('an AssumeRole denial that names a policy never passes with time: it fails at once, not after a wait', async () => {
    const a = accounts.plan(want, seen())[0]!;
    const r = fakeRun(want, a, (_s, op) => {
      if (op === 'CreateAccount') return { CreateAccountStatus: { Id: 'car-1', State: 'IN_PROGRESS' } };
      if (op === 'DescribeCreateAccountStatus')
        return { CreateAccountStatus: { Id: 'car-1', State: 'SUCCEEDED', AccountId: '200000000001' } };
      return notReady(`${NO_REASON} because no identity-based policy allows the sts:AssumeRole action`);
    });
    await expect(a.run!(r.ctx)).rejects.toMatchObject({ code: 'MemberAccessDenied' });
    expect(r.calls.filter((c) => c.op === 'GetCallerIdentity')).toHaveLength(1);
  });

  it('a new account that never gets ready: the wait ends with what to do, not a raw error', async () => {
    const a = accounts.plan(want, seen())[0]!;
    const r = fakeRun(want, a, (_s, op) =>
      op === 'CreateAccount'
        ? { CreateAccountStatus: { Id: 'car-1', State: 'IN_PROGRESS' } }
        : op === 'DescribeCreateAccountStatus'
          ? { CreateAccountStatus: { Id: 'car-1', State: 'SUCCEEDED', AccountId: '200000000001' } }
          : notReady(NO_REASON),
    );
    const poll = r.ctx.poll;
    r.ctx.poll = async (what, check, o) => {
      if (!/new account/.test(what)) return poll(what, check, o);
      expect(await check()).toBeUndefined();
      expect(o).toMatchObject({ timeoutMs: 15 * 60_000 });
      throw new PollTimeout(`gave up waiting: ${what} after 900 s. Run again to keep waiting.`);
    };
    const err = await a.run!(r.ctx).then(
      () => undefined,
      (e) => e,
    );
    expect(err).toBeInstanceOf(StepError);
    expect(err.message).toBe(
      'AWS has not finished setting up the new account log-archive (200000000001) after 15 minutes: secure-start cannot sign in to it yet.',
    );
    expect(err.hint).toMatch(/Run secure-start again later; it carries on where it stopped/);
  });

  it('observe: an account that exists but is not ready yet (a crash after SUCCEEDED) gets a wait, not a second CreateAccount', async () => {
    const f = fakeCtx(
      want,
      (_s, op) => {
        if (op === 'ListAccounts')
          return {
            Accounts: [
              {
                Id: '200000000001',
                Email: 'ops+aws-log-archive@acme.example',
                State: 'ACTIVE',
                JoinedTimestamp: new Date(),
              },
            ],
          };
        if (op === 'ListCreateAccountStatus') return { CreateAccountStatuses: [] };
        if (op === 'ListParents') return { Parents: [{ Id: 'ou-sec' }] };
        if (op === 'GetCallerIdentity') return notReady(NO_REASON);
        throw new Error(`unexpected ${op}`);
      },
      { ...ORG_VALUES, 'ou.Security.id': 'ou-sec' },
    );
    const s = await accounts.observe(f.ctx);
    expect(s.found['log-archive']).toMatchObject({ id: '200000000001', notReady: true });
    expect(f.published['log-archive.ready']).toBeUndefined();
    const mine = accounts.plan(want, s).filter((x) => x.summary.includes('log-archive'));
    expect(brief(mine)).toEqual([
      {
        symbol: '~',
        op: 'sts:AssumeRole',
        input: {
          RoleArn: 'arn:aws:iam::200000000001:role/OrganizationAccountAccessRole',
          RoleSessionName: 'secure-start',
        },
      },
    ]);
    expect(mine[0]!.produces).toEqual(['log-archive.ready']);
  });

  it('observe: an account the state file has seen ready, or one older than a day, is not probed again', async () => {
    const calls: string[] = [];
    const f = fakeCtx(
      want,
      (_s, op) => {
        calls.push(op);
        if (op === 'ListAccounts')
          return {
            Accounts: [
              {
                Id: '200000000001',
                Email: 'ops+aws-log-archive@acme.example',
                State: 'ACTIVE',
                JoinedTimestamp: new Date(),
              },
              {
                Id: '200000000002',
                Email: 'ops+aws-audit@acme.example',
                State: 'ACTIVE',
                JoinedTimestamp: new Date(Date.now() - 3 * 24 * 3600_000),
              },
            ],
          };
        if (op === 'ListCreateAccountStatus') return { CreateAccountStatuses: [] };
        if (op === 'ListParents') return { Parents: [{ Id: 'ou-sec' }] };
        throw new Error(`unexpected ${op}`);
      },
      { ...ORG_VALUES, 'log-archive.ready': 'true' },
    );
    await accounts.observe(f.ctx);
    expect(calls.filter((c) => READY_OPS.includes(c))).toEqual([]);
  });

  it('observe: an account made a moment ago that ListAccounts does not show yet is read by ID, never created again', async () => {
    const f = fakeCtx(
      want,
      (_s, op, input: any) => {
        if (op === 'ListAccounts') return { Accounts: [] };
        if (op === 'ListCreateAccountStatus') return { CreateAccountStatuses: [] };
        if (op === 'DescribeAccount')
          return input.AccountId === '200000000004'
            ? { Account: { Id: '200000000004', Email: 'ops+aws-dev@acme.example', State: 'ACTIVE' } }
            : awsErr('AccountNotFoundException');
        if (op === 'ListParents') return { Parents: [{ Id: 'ou-np' }] };
        if (READY_OPS.includes(op)) return {};
        throw new Error(`unexpected ${op}`);
      },
      { ...ORG_VALUES, 'dev.accountId': '200000000004', 'ou.NonProd.id': 'ou-np' },
    );
    const s = await accounts.observe(f.ctx);
    expect(s.found.dev).toMatchObject({ id: '200000000004', parentId: 'ou-np' });
    expect(s.found.dev!.emailWas).toBeUndefined();
    expect(accounts.plan(want, s).filter((x) => x.summary.includes(' dev'))).toEqual([]);
  });

  it('observe: made by a run that never saw the answer, not listed yet: its SUCCEEDED creation is adopted after a read by ID', async () => {
    const f = fakeCtx(
      want,
      (_s, op, input: any) => {
        if (op === 'ListAccounts') return { Accounts: [] };
        if (op === 'ListCreateAccountStatus')
          return {
            CreateAccountStatuses: [
              { Id: 'car-old', AccountName: 'dev', State: 'SUCCEEDED', AccountId: '200000000009' }, // an older "dev", another email
              { Id: 'car-new', AccountName: 'dev', State: 'SUCCEEDED', AccountId: '200000000004' },
            ],
          };
        if (op === 'DescribeAccount')
          return {
            Account: {
              Id: input.AccountId,
              Email: input.AccountId === '200000000004' ? 'ops+aws-dev@acme.example' : 'someone@else.example',
              State: 'ACTIVE',
            },
          };
        if (op === 'ListParents') return { Parents: [{ Id: 'ou-np' }] };
        if (READY_OPS.includes(op)) return {};
        throw new Error(`unexpected ${op}`);
      },
      { ...ORG_VALUES, 'ou.NonProd.id': 'ou-np' },
    );
    const s = await accounts.observe(f.ctx);
    expect(s.found.dev).toMatchObject({ id: '200000000004', parentId: 'ou-np' });
    expect(s.found.prod).toBeUndefined(); // no creation of that name: still to create
    const plan = accounts.plan(want, s);
    expect(plan.filter((x) => x.summary.includes(' dev'))).toEqual([]);
    expect(
      plan.filter((x) => x.operation === 'CreateAccount').map((x) => (x.input as { AccountName: string }).AccountName),
    ).toEqual(['log-archive', 'audit', 'prod']);
  });

  it('more creations than AWS lets run at once: each create holds one of 5 slots (fewer when others are in progress)', async () => {
    const five = accounts.plan(want, seen())[0]!;
    const three = accounts.plan(want, seen({ othersInProgress: 2 }))[0]!;
    for (const [a, want5] of [
      [five, 5],
      [three, 3],
    ] as const) {
      const slots: [string, number | undefined][] = [];
      const r = fakeRun(want, a, (_s, op) =>
        op === 'CreateAccount'
          ? { CreateAccountStatus: { Id: 'car-1', State: 'IN_PROGRESS' } }
          : READY_OPS.includes(op)
            ? {}
            : { CreateAccountStatus: { Id: 'car-1', State: 'SUCCEEDED', AccountId: '200000000001' } },
      );
      r.ctx.exclusive = (k, fn, capacity) => {
        slots.push([k, capacity]);
        return fn();
      };
      await a.run!(r.ctx);
      expect(slots).toEqual([['organizations:account-creation', want5]]);
    }
  });

  for (const code of ['TooManyRequestsException', 'ConcurrentModificationException']) {
    it(`CreateAccount answered ${code} (too many creations in progress): wait for a free slot, then create once`, async () => {
      const a = accounts.plan(want, seen())[0]!;
      let creates = 0;
      let lists = 0;
      const r = fakeRun(want, a, (_s, op) => {
        if (op === 'CreateAccount')
          return creates++ === 0 ? awsErr(code) : { CreateAccountStatus: { Id: 'car-1', State: 'IN_PROGRESS' } };
        if (op === 'ListCreateAccountStatus')
          return {
            CreateAccountStatuses: Array.from({ length: lists++ === 0 ? 5 : 4 }, (_, i) => ({
              Id: `car-x${i}`,
              State: 'IN_PROGRESS',
            })),
          };
        if (READY_OPS.includes(op)) return {};
        return { CreateAccountStatus: { Id: 'car-1', State: 'SUCCEEDED', AccountId: '200000000001' } };
      });
      expect(await a.run!(r.ctx)).toEqual({ 'log-archive.accountId': '200000000001', 'log-archive.ready': 'true' });
      expect(r.calls.map((c) => c.op).slice(0, 4)).toEqual([
        'CreateAccount',
        'ListCreateAccountStatus',
        'ListCreateAccountStatus',
        'CreateAccount',
      ]);
    });
  }

  it('FAILED CONCURRENT_ACCOUNT_MODIFICATION ("you already submitted a request with the same information"): wait on that other request', async () => {
    const a = accounts.plan(want, seen())[0]!;
    const r = fakeRun(want, a, (_s, op, input: any) => {
      if (op === 'CreateAccount') return { CreateAccountStatus: { Id: 'car-1', State: 'IN_PROGRESS' } };
      if (op === 'ListCreateAccountStatus')
        return { CreateAccountStatuses: [{ Id: 'car-0', AccountName: 'log-archive', State: 'IN_PROGRESS' }] };
      if (op === 'DescribeCreateAccountStatus')
        return input.CreateAccountRequestId === 'car-1'
          ? { CreateAccountStatus: { Id: 'car-1', State: 'FAILED', FailureReason: 'CONCURRENT_ACCOUNT_MODIFICATION' } }
          : { CreateAccountStatus: { Id: 'car-0', State: 'SUCCEEDED', AccountId: '200000000001' } };
      if (READY_OPS.includes(op)) return {};
      throw new Error(`unexpected ${op}`);
    });
    expect(await a.run!(r.ctx)).toEqual({ 'log-archive.accountId': '200000000001', 'log-archive.ready': 'true' });
    expect(r.calls.filter((c) => c.op === 'CreateAccount')).toHaveLength(1);
  });
});
