// Alternate contacts through the real SDK client against the emulator: the management
// account without AccountId, members with it once trusted access is on.
import { beforeEach, describe, expect, it } from 'vitest';
import {
  AccountClient,
  DeleteAlternateContactCommand,
  GetAlternateContactCommand,
  PutAlternateContactCommand,
} from '@aws-sdk/client-account';
import { EnableAWSServiceAccessCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { errorOf, useEmulator } from '../helpers/emulator-sdk.js';

const sdk = useEmulator();
const { emu } = sdk;
let account: AccountClient;
let orgs: OrganizationsClient;
beforeEach(() => {
  account = sdk.client(AccountClient);
  orgs = sdk.client(OrganizationsClient);
});

const security = {
  AlternateContactType: 'SECURITY' as const,
  Name: 'Ada Lovelace',
  Title: 'Security contact',
  EmailAddress: 'sec@acme.example',
  PhoneNumber: '+44 20 7946 0000',
};

/** An organization with one member; trusted access for the Account service only when asked. */
const orgWithMember = async (trusted: boolean): Promise<string> =>
  (await sdk.orgWithMember({ trust: trusted ? 'account.amazonaws.com' : undefined })).member;

describe('account alternate contacts', () => {
  it("puts, gets and deletes the caller's own contact; unset is ResourceNotFoundException (404)", async () => {
    expect(
      await errorOf(account.send(new GetAlternateContactCommand({ AlternateContactType: 'SECURITY' }))),
    ).toMatchObject({ name: 'ResourceNotFoundException', status: 404 });
    await account.send(new PutAlternateContactCommand(security));
    expect(
      (await account.send(new GetAlternateContactCommand({ AlternateContactType: 'SECURITY' }))).AlternateContact,
    ).toEqual(security);
    // Put is idempotent and replaces.
    await account.send(new PutAlternateContactCommand({ ...security, Title: 'CISO' }));
    expect(
      (await account.send(new GetAlternateContactCommand({ AlternateContactType: 'SECURITY' }))).AlternateContact
        ?.Title,
    ).toBe('CISO');
    await account.send(new DeleteAlternateContactCommand({ AlternateContactType: 'SECURITY' }));
    expect(
      (await errorOf(account.send(new DeleteAlternateContactCommand({ AlternateContactType: 'SECURITY' })))).name,
    ).toBe('ResourceNotFoundException');
  });

  it('validates name, title, phone and type', async () => {
    const bad = async (c: object) =>
      await errorOf(account.send(new PutAlternateContactCommand({ ...security, ...c } as never)));
    expect(await bad({ Name: 'x'.repeat(65) })).toMatchObject({ name: 'ValidationException', status: 400 });
    expect((await bad({ Title: 'x'.repeat(51) })).name).toBe('ValidationException');
    expect((await bad({ PhoneNumber: 'call me' })).name).toBe('ValidationException');
    expect((await bad({ EmailAddress: 'nobody' })).name).toBe('ValidationException');
    expect((await bad({ AlternateContactType: 'LEGAL' })).name).toBe('ValidationException');
    expect(
      (await errorOf(account.send(new GetAlternateContactCommand({ AlternateContactType: 'SECURITY' })))).name,
    ).toBe('ResourceNotFoundException');
  });

  it('members need trusted access for account.amazonaws.com', async () => {
    const member = await orgWithMember(false);
    expect(
      await errorOf(account.send(new PutAlternateContactCommand({ ...security, AccountId: member }))),
    ).toMatchObject({ name: 'AccessDeniedException', status: 403 });
    await orgs.send(new EnableAWSServiceAccessCommand({ ServicePrincipal: 'account.amazonaws.com' }));
    await account.send(new PutAlternateContactCommand({ ...security, AccountId: member }));
    expect(
      (await account.send(new GetAlternateContactCommand({ AlternateContactType: 'SECURITY', AccountId: member })))
        .AlternateContact,
    ).toEqual(security);
    // The member's contact is its own, not the management account's.
    expect(
      (await errorOf(account.send(new GetAlternateContactCommand({ AlternateContactType: 'SECURITY' })))).name,
    ).toBe('ResourceNotFoundException');
  });

  it('refuses AccountId for the management account itself, for strangers, and from members', async () => {
    const member = await orgWithMember(true);
    expect(
      (await errorOf(account.send(new PutAlternateContactCommand({ ...security, AccountId: '123456789012' })))).name,
    ).toBe('ValidationException');
    expect(
      (await errorOf(account.send(new PutAlternateContactCommand({ ...security, AccountId: '999999999999' })))).name,
    ).toBe('AccessDeniedException');
    const asMember = sdk.client(AccountClient, { credentials: emu.credentials(member) });
    expect(
      (await errorOf(asMember.send(new PutAlternateContactCommand({ ...security, AccountId: member })))).name,
    ).toBe('AccessDeniedException');
    // Without AccountId a member sets its own.
    await asMember.send(new PutAlternateContactCommand(security));
    expect(
      (await account.send(new GetAlternateContactCommand({ AlternateContactType: 'SECURITY', AccountId: member })))
        .AlternateContact?.Name,
    ).toBe('Ada Lovelace');
  });

  it('without an organization, AccountId is refused', async () => {
    expect(
      (await errorOf(account.send(new PutAlternateContactCommand({ ...security, AccountId: '111100000001' })))).name,
    ).toBe('AccessDeniedException');
  });

  it('drift: a contact removed in a member', async () => {
    const member = await orgWithMember(true);
    await account.send(new PutAlternateContactCommand({ ...security, AccountId: member }));
    emu.drift('account', 'contact-removed', { account: member, type: 'SECURITY' });
    expect(
      (
        await errorOf(
          account.send(new GetAlternateContactCommand({ AlternateContactType: 'SECURITY', AccountId: member })),
        )
      ).name,
    ).toBe('ResourceNotFoundException');
    expect(() => emu.drift('account', 'contact-removed', { account: member, type: 'SECURITY' })).toThrow(
      /no SECURITY contact/,
    );
  });
});

describe('account: faults', () => {
  it('throttling is TooManyRequestsException (429), as the Account API names it', async () => {
    emu.setFaults({ rules: [{ service: 'account', kind: 'throttle', times: 1 }] });
    expect(
      await errorOf(account.send(new GetAlternateContactCommand({ AlternateContactType: 'SECURITY' }))),
    ).toMatchObject({ name: 'TooManyRequestsException', status: 429 });
    expect(
      (await errorOf(account.send(new GetAlternateContactCommand({ AlternateContactType: 'SECURITY' })))).name,
    ).toBe('ResourceNotFoundException');
  });
});
