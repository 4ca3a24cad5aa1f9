// Amazon S3 Control (account-level Block Public Access) through the real SDK v3 client.
// S3 Control puts the account ID in front of the host name ({id}.s3-control…), which does
// not resolve for http://127.0.0.1:port, so the client is given the same endpoint fix as
// aws/factory.ts: an endpointProvider that returns the emulator's URL as it is.
import { beforeEach, describe, expect, it } from 'vitest';
import {
  DeletePublicAccessBlockCommand,
  GetPublicAccessBlockCommand,
  PutPublicAccessBlockCommand,
  S3ControlClient,
} from '@aws-sdk/client-s3-control';
import { MANAGEMENT_ACCOUNT_ID as ME } from '../../emulator/world.js';
import { errorOf, useEmulator, type Creds } from '../helpers/emulator-sdk.js';

const sdk = useEmulator();
const { emu } = sdk;
let control: S3ControlClient;
beforeEach(() => {
  control = client();
});

function client(credentials?: Creds, maxAttempts = 1): S3ControlClient {
  const url = new URL(emu.url);
  return sdk.client(S3ControlClient, { endpointProvider: () => ({ url }), credentials, maxAttempts });
}

const ALL_ON = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };

const member = async (): Promise<string> => (await sdk.orgWithMember()).member;

describe('account-level Block Public Access', () => {
  it('is absent on a new account (NoSuchPublicAccessBlockConfiguration, 404), then put, read and deleted', async () => {
    expect(await errorOf(control.send(new GetPublicAccessBlockCommand({ AccountId: ME })))).toMatchObject({
      name: 'NoSuchPublicAccessBlockConfiguration',
      status: 404,
    });
    await control.send(new PutPublicAccessBlockCommand({ AccountId: ME, PublicAccessBlockConfiguration: ALL_ON }));
    expect(
      (await control.send(new GetPublicAccessBlockCommand({ AccountId: ME }))).PublicAccessBlockConfiguration,
    ).toEqual(ALL_ON);
    // Put replaces the whole configuration: an omitted flag is off.
    await control.send(
      new PutPublicAccessBlockCommand({ AccountId: ME, PublicAccessBlockConfiguration: { BlockPublicAcls: true } }),
    );
    expect(
      (await control.send(new GetPublicAccessBlockCommand({ AccountId: ME }))).PublicAccessBlockConfiguration,
    ).toEqual({
      BlockPublicAcls: true,
      IgnorePublicAcls: false,
      BlockPublicPolicy: false,
      RestrictPublicBuckets: false,
    });
    await control.send(new DeletePublicAccessBlockCommand({ AccountId: ME }));
    expect((await errorOf(control.send(new GetPublicAccessBlockCommand({ AccountId: ME })))).name).toBe(
      'NoSuchPublicAccessBlockConfiguration',
    );
  });

  it("is per account: a member sets its own, and may not touch another account's (AccessDenied, 403)", async () => {
    const id = await member();
    const asMember = client(emu.credentials(id));
    await asMember.send(new PutPublicAccessBlockCommand({ AccountId: id, PublicAccessBlockConfiguration: ALL_ON }));
    expect(
      (await asMember.send(new GetPublicAccessBlockCommand({ AccountId: id }))).PublicAccessBlockConfiguration,
    ).toEqual(ALL_ON);
    expect((await errorOf(control.send(new GetPublicAccessBlockCommand({ AccountId: ME })))).name).toBe(
      'NoSuchPublicAccessBlockConfiguration',
    );
    expect(await errorOf(control.send(new GetPublicAccessBlockCommand({ AccountId: id })))).toMatchObject({
      name: 'AccessDenied',
      status: 403,
    });
    expect(
      await errorOf(
        asMember.send(new PutPublicAccessBlockCommand({ AccountId: ME, PublicAccessBlockConfiguration: ALL_ON })),
      ),
    ).toMatchObject({ name: 'AccessDenied', status: 403 });
    // The log shows which account each call came from.
    expect(emu.calls({ service: 's3-control', account: id }).map((c) => c.operation)).toEqual([
      'PutPublicAccessBlock',
      'GetPublicAccessBlock',
      'PutPublicAccessBlock',
    ]);
  });

  it('throttling is SlowDown (503), wrapped in <ErrorResponse> as S3 Control does', async () => {
    emu.setFaults({ rules: [{ service: 's3-control', kind: 'throttle', times: 1 }] });
    expect(await errorOf(control.send(new GetPublicAccessBlockCommand({ AccountId: ME })))).toMatchObject({
      name: 'SlowDown',
      status: 503,
    });
    expect((await errorOf(control.send(new GetPublicAccessBlockCommand({ AccountId: ME })))).name).toBe(
      'NoSuchPublicAccessBlockConfiguration',
    );
    emu.setFaults({
      rules: [{ service: 's3-control', operation: 'PutPublicAccessBlock', kind: 'internal', times: 1 }],
    });
    expect(
      await errorOf(
        control.send(new PutPublicAccessBlockCommand({ AccountId: ME, PublicAccessBlockConfiguration: ALL_ON })),
      ),
    ).toMatchObject({ name: 'InternalError', status: 500 });
  });

  it('drift: the whole block removed, or one flag turned off', async () => {
    await control.send(new PutPublicAccessBlockCommand({ AccountId: ME, PublicAccessBlockConfiguration: ALL_ON }));
    emu.drift('s3-control', 'account-bpa-off', { flag: 'RestrictPublicBuckets' });
    expect(
      (await control.send(new GetPublicAccessBlockCommand({ AccountId: ME }))).PublicAccessBlockConfiguration,
    ).toEqual({ ...ALL_ON, RestrictPublicBuckets: false });
    emu.drift('s3-control', 'account-bpa-off', {});
    expect((await errorOf(control.send(new GetPublicAccessBlockCommand({ AccountId: ME })))).name).toBe(
      'NoSuchPublicAccessBlockConfiguration',
    );
    expect(() => emu.drift('s3-control', 'account-bpa-off', { flag: 'BlockPublicAcls' })).toThrow(/no BlockPublicAcls/);
  });

  it('S3 and S3 Control share a signing name but not paths: bucket calls never reach S3 Control', async () => {
    await control.send(new PutPublicAccessBlockCommand({ AccountId: ME, PublicAccessBlockConfiguration: ALL_ON }));
    expect(emu.calls().map((c) => `${c.service}:${c.operation}`)).toEqual(['s3-control:PutPublicAccessBlock']);
  });
});
