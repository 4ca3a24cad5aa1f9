import { describe, expect, it } from 'vitest';
import {
  alternateContacts as step,
  wantedContact,
  CONTACT_TYPES,
  type ContactsSeen,
} from '../../../steps/alternate-contacts.js';
import { awsErr, basic, brief, fakeCtx } from './fixtures.js';

const want = basic();
const names = want.accounts.map((a) => a.name);
const ids: Record<string, string> = Object.fromEntries(
  names.map((n, i) => [`${n}.accountId`, String(111100000001 + i)]),
);
const full = () => Object.fromEntries(CONTACT_TYPES.map((t) => [t, wantedContact(want, t)]));
const allSet = (): ContactsSeen => ({
  accounts: [
    { name: 'management', contacts: full() },
    ...names.map((n) => ({ name: n, accountId: ids[`${n}.accountId`], contacts: full() })),
  ],
});

describe('alternate contacts plan', () => {
  it('the config gives each type its own contact', () => {
    expect(wantedContact(want, 'SECURITY')).toEqual({
      Name: 'Ada Lovelace',
      Title: 'Security contact',
      EmailAddress: 'ops+aws-security@acme.example',
      PhoneNumber: '+44 20 7946 0000',
    });
  });

  it('fresh: three puts per account; management without AccountId, members with a ref', () => {
    const { ctx } = fakeCtx(want, () => {
      throw new Error('no AWS');
    });
    const actions = step.plan(want, step.fresh(ctx));
    expect(actions).toHaveLength(3 * (names.length + 1));
    const b = brief(actions);
    expect(b.slice(0, 3).map((a) => a.input)).toEqual(
      CONTACT_TYPES.map((t) => ({ AlternateContactType: t, ...wantedContact(want, t) })),
    );
    expect(b[3]).toEqual({
      symbol: '+',
      op: 'account:PutAlternateContact',
      input: {
        AlternateContactType: 'BILLING',
        ...wantedContact(want, 'BILLING'),
        AccountId: `<${names[0]}.accountId>`,
      },
    });
    expect(actions.every((a) => a.target.account === 'management' && a.target.region === 'us-east-1')).toBe(true);
    expect(
      actions.find((a) => (a.input as { AlternateContactType: string }).AlternateContactType === 'SECURITY')!.controls,
    ).toEqual(['SSB ACCT.01', 'CIS 1.2']);
  });

  it('nothing when every contact matches (e-mail case ignored)', () => {
    const seen = allSet();
    seen.accounts[1]!.contacts.BILLING!.EmailAddress = 'OPS+aws-billing@acme.example';
    expect(step.plan(want, seen)).toEqual([]);
  });

  it('only the removed or changed contacts are put, each its own action', () => {
    const seen = allSet();
    delete seen.accounts[2]!.contacts.SECURITY;
    seen.accounts[0]!.contacts.OPERATIONS = { ...seen.accounts[0]!.contacts.OPERATIONS!, PhoneNumber: '+1 555 0100' };
    const actions = step.plan(want, seen);
    expect(brief(actions)).toEqual([
      {
        symbol: '~',
        op: 'account:PutAlternateContact',
        input: { AlternateContactType: 'OPERATIONS', ...wantedContact(want, 'OPERATIONS') },
      },
      {
        symbol: '+',
        op: 'account:PutAlternateContact',
        input: {
          AlternateContactType: 'SECURITY',
          ...wantedContact(want, 'SECURITY'),
          AccountId: ids[`${names[1]}.accountId`],
        },
      },
    ]);
    expect(actions[1]!.summary).toBe(
      `+ account:PutAlternateContact ${names[1]} SECURITY (not set; set to Ada Lovelace, ops+aws-security@acme.example)`,
    );
    expect(actions[0]!.summary).toBe(
      '~ account:PutAlternateContact management OPERATIONS (phone differs; set to Ada Lovelace, ops+aws-ops@acme.example)',
    );
  });
});

describe('alternate contacts observe', () => {
  it('reads management without AccountId and members with it; unset is ResourceNotFound', async () => {
    const { ctx, calls } = fakeCtx(
      want,
      (_s, _op, input) => {
        if (input.AccountId === ids[`${names[0]}.accountId`] && input.AlternateContactType === 'BILLING')
          return awsErr('ResourceNotFoundException');
        const c = wantedContact(want, input.AlternateContactType);
        return { AlternateContact: { AlternateContactType: input.AlternateContactType, ...c } };
      },
      ids,
    );
    const seen = await step.observe(ctx);
    expect(calls).toHaveLength(3 * (names.length + 1));
    expect(calls.filter((c) => !('AccountId' in c.input))).toHaveLength(3);
    expect(seen.accounts[1]!.contacts.BILLING).toBeUndefined();
    expect(brief(step.plan(want, seen)).map((a) => a.input.AccountId)).toEqual([ids[`${names[0]}.accountId`]]);
  });

  it('members not created yet are not read', async () => {
    const { ctx, calls } = fakeCtx(want, () => awsErr('ResourceNotFoundException'));
    await step.observe(ctx);
    expect(calls).toHaveLength(3);
  });

  it('access denied on members: unknown in plan mode, an explained error in apply mode', async () => {
    const deny = (_s: string, _o: string, input: any) =>
      input.AccountId ? awsErr('AccessDeniedException') : awsErr('ResourceNotFoundException');
    const plan = fakeCtx(want, deny, ids, 'plan');
    expect((await step.observe(plan.ctx)).accounts.every((a) => Object.keys(a.contacts).length === 0)).toBe(true);
    const apply = fakeCtx(want, deny, ids, 'apply');
    await expect(step.observe(apply.ctx)).rejects.toMatchObject({
      name: 'StepError',
      hint: expect.stringMatching(/account\.amazonaws\.com/),
    });
  });
});
