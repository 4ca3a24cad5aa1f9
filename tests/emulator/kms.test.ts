// AWS KMS through the real SDK client: customer managed keys, aliases, key policies (evaluated,
// with the lockout safety check), rotation, disable and scheduled deletion, AWS-shaped errors.
import { describe, expect, it } from 'vitest';
import {
  CancelKeyDeletionCommand,
  CreateAliasCommand,
  CreateKeyCommand,
  DeleteAliasCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  DisableKeyRotationCommand,
  EnableKeyCommand,
  EnableKeyRotationCommand,
  GetKeyPolicyCommand,
  GetKeyRotationStatusCommand,
  KMSClient,
  ListAliasesCommand,
  ListKeysCommand,
  ListResourceTagsCommand,
  PutKeyPolicyCommand,
  ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import { errorOf, useEmulator, type Creds } from '../helpers/emulator-sdk.js';

const sdk = useEmulator({ reset: 'fresh+iam-user' });
const { emu } = sdk;
const ME = '123456789012';
const kms = (region = 'eu-west-1', credentials?: Creds) => sdk.client(KMSClient, { region, credentials });
const rootOnly = (acct: string) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Sid: 'root', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${acct}:root` }, Action: 'kms:*', Resource: '*' },
    ],
  });

describe('keys and aliases', () => {
  it('CreateKey (default policy: the account), DescribeKey by ID, ARN, alias and alias ARN; keys and aliases are regional', async () => {
    const c = kms();
    const meta = (
      await c.send(
        new CreateKeyCommand({ Description: 'trail logs', Tags: [{ TagKey: 'purpose', TagValue: 'org-trail' }] }),
      )
    ).KeyMetadata!;
    expect(meta).toMatchObject({
      AWSAccountId: ME,
      KeyState: 'Enabled',
      Enabled: true,
      KeyManager: 'CUSTOMER',
      KeySpec: 'SYMMETRIC_DEFAULT',
      Description: 'trail logs',
    });
    expect(meta.Arn).toBe(`arn:aws:kms:eu-west-1:${ME}:key/${meta.KeyId}`);
    expect(meta.KeyId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(
      JSON.parse((await c.send(new GetKeyPolicyCommand({ KeyId: meta.KeyId! }))).Policy!).Statement[0].Principal,
    ).toEqual({ AWS: `arn:aws:iam::${ME}:root` });
    await c.send(new CreateAliasCommand({ AliasName: 'alias/acme-org-trail', TargetKeyId: meta.KeyId! }));
    expect(
      await errorOf(c.send(new CreateAliasCommand({ AliasName: 'alias/acme-org-trail', TargetKeyId: meta.KeyId! }))),
    ).toMatchObject({ name: 'AlreadyExistsException', status: 400 });
    expect(
      await errorOf(c.send(new CreateAliasCommand({ AliasName: 'alias/aws/mine', TargetKeyId: meta.KeyId! }))),
    ).toMatchObject({ name: 'NotAuthorizedException' });
    for (const id of [
      meta.KeyId!,
      meta.Arn!,
      'alias/acme-org-trail',
      `arn:aws:kms:eu-west-1:${ME}:alias/acme-org-trail`,
    ]) {
      expect((await c.send(new DescribeKeyCommand({ KeyId: id }))).KeyMetadata!.KeyId, id).toBe(meta.KeyId);
    }
    expect(
      (await c.send(new ListAliasesCommand({ KeyId: meta.KeyId! }))).Aliases!.map((a) => [a.AliasName, a.TargetKeyId]),
    ).toEqual([['alias/acme-org-trail', meta.KeyId]]);
    expect((await c.send(new ListKeysCommand({}))).Keys!.map((k) => k.KeyArn)).toEqual([meta.Arn]);
    expect((await c.send(new ListResourceTagsCommand({ KeyId: meta.KeyId! }))).Tags).toEqual([
      { TagKey: 'purpose', TagValue: 'org-trail' },
    ]);
    // Another region has neither.
    expect(
      await errorOf(kms('us-east-1').send(new DescribeKeyCommand({ KeyId: 'alias/acme-org-trail' }))),
    ).toMatchObject({ name: 'NotFoundException', status: 400 });
    expect((await kms('us-east-1').send(new ListKeysCommand({}))).Keys).toEqual([]);
    await c.send(new DeleteAliasCommand({ AliasName: 'alias/acme-org-trail' }));
    expect((await errorOf(c.send(new DeleteAliasCommand({ AliasName: 'alias/acme-org-trail' })))).name).toBe(
      'NotFoundException',
    );
  });

  it('the lockout safety check refuses a policy that would stop the caller from managing the key; a policy without the account locks the account out', async () => {
    const c = kms();
    const other = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'kms:*', Resource: '*' },
      ],
    });
    expect(await errorOf(c.send(new CreateKeyCommand({ Policy: other })))).toMatchObject({
      name: 'MalformedPolicyDocumentException',
      status: 400,
    });
    expect((await errorOf(c.send(new CreateKeyCommand({ Policy: '{"Statement":' })))).name).toBe(
      'MalformedPolicyDocumentException',
    );
    const id = (await c.send(new CreateKeyCommand({ Policy: other, BypassPolicyLockoutSafetyCheck: true })))
      .KeyMetadata!.KeyId!;
    const e = await errorOf(c.send(new DescribeKeyCommand({ KeyId: id })));
    expect(e).toMatchObject({ name: 'AccessDeniedException' });
    expect(e.message).toMatch(/no resource-based policy allows the kms:DescribeKey action/);
    const mine = (await c.send(new CreateKeyCommand({ Policy: rootOnly(ME) }))).KeyMetadata!.KeyId!;
    expect(await errorOf(c.send(new PutKeyPolicyCommand({ KeyId: mine, Policy: other })))).toMatchObject({
      name: 'MalformedPolicyDocumentException',
    });
  });

  it('rotation (90 to 2,560 days), disable/enable, scheduled deletion (7 to 30 days) and its cancellation', async () => {
    const c = kms();
    const id = (await c.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    expect((await c.send(new GetKeyRotationStatusCommand({ KeyId: id }))).KeyRotationEnabled).toBe(false);
    expect((await errorOf(c.send(new EnableKeyRotationCommand({ KeyId: id, RotationPeriodInDays: 30 })))).name).toBe(
      'ValidationException',
    );
    await c.send(new EnableKeyRotationCommand({ KeyId: id }));
    expect(await c.send(new GetKeyRotationStatusCommand({ KeyId: id }))).toMatchObject({
      KeyRotationEnabled: true,
      RotationPeriodInDays: 365,
    });
    await c.send(new DisableKeyCommand({ KeyId: id }));
    expect((await c.send(new DescribeKeyCommand({ KeyId: id }))).KeyMetadata).toMatchObject({
      KeyState: 'Disabled',
      Enabled: false,
    });
    expect(await errorOf(c.send(new DisableKeyRotationCommand({ KeyId: id })))).toMatchObject({
      name: 'KMSInvalidStateException',
    });
    await c.send(new EnableKeyCommand({ KeyId: id }));
    expect((await errorOf(c.send(new ScheduleKeyDeletionCommand({ KeyId: id, PendingWindowInDays: 3 })))).name).toBe(
      'ValidationException',
    );
    const del = await c.send(new ScheduleKeyDeletionCommand({ KeyId: id, PendingWindowInDays: 7 }));
    expect(del).toMatchObject({ KeyState: 'PendingDeletion', PendingWindowInDays: 7 });
    expect(await errorOf(c.send(new EnableKeyCommand({ KeyId: id })))).toMatchObject({
      name: 'KMSInvalidStateException',
    });
    await c.send(new CancelKeyDeletionCommand({ KeyId: id }));
    expect((await c.send(new DescribeKeyCommand({ KeyId: id }))).KeyMetadata!.KeyState).toBe('Disabled');
    // Drift kinds: someone disables the key or turns rotation off behind the tool's back.
    await c.send(new EnableKeyCommand({ KeyId: id }));
    emu.drift('kms', 'rotation-off', { key: id });
    expect((await c.send(new GetKeyRotationStatusCommand({ KeyId: id }))).KeyRotationEnabled).toBe(false);
    emu.drift('kms', 'key-state', { key: id, state: 'PendingDeletion' });
    expect((await c.send(new DescribeKeyCommand({ KeyId: id }))).KeyMetadata!.KeyState).toBe('PendingDeletion');
  });

  it("a key in another account: its ARN and a policy naming the caller's account are needed", async () => {
    const { member } = await sdk.orgWithMember();
    const m = kms('eu-west-1', emu.credentials(member));
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${member}:root` }, Action: 'kms:*', Resource: '*' },
        { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ME}:root` }, Action: 'kms:DescribeKey', Resource: '*' },
      ],
    });
    const arn = (await m.send(new CreateKeyCommand({ Policy: policy }))).KeyMetadata!.Arn!;
    expect((await kms().send(new DescribeKeyCommand({ KeyId: arn }))).KeyMetadata!.Arn).toBe(arn);
    expect((await errorOf(kms().send(new GetKeyPolicyCommand({ KeyId: arn })))).name).toBe('AccessDeniedException');
    expect((await errorOf(kms().send(new DescribeKeyCommand({ KeyId: arn.split('/')[1]! })))).name).toBe(
      'NotFoundException',
    );
  });
});
