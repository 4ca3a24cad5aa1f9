// The emulator's control API over HTTP (what a harness in another process uses), checked
// against real SDK calls: reset/scenario, state, the call log and its filters, faults,
// latency, world config, holds (before/after, release, client disconnect), flush, console
// actions, drift, credentials; plus the framework's own AWS-shaped errors.
import { beforeEach, describe, expect, it } from 'vitest';
import {
  CreateOrganizationalUnitCommand,
  CreateOrganizationCommand,
  CreateAccountCommand,
  DescribeCreateAccountStatusCommand,
  DescribeOrganizationCommand,
  ListAccountsCommand,
  ListAWSServiceAccessForOrganizationCommand,
  ListOrganizationalUnitsForParentCommand,
  ListRootsCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import {
  GetAccountSummaryCommand,
  IAMClient,
  UpdateAccountPasswordPolicyCommand,
  GetAccountPasswordPolicyCommand,
} from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { MANAGEMENT_ACCOUNT_ID as ME } from '../../emulator/world.js';
import { errorOf, useEmulator } from '../helpers/emulator-sdk.js';

// The world is reset through the control API below, not by the helper.
// Lists right after creating, many calls in a row: this file tests what the calls do; eventual
// consistency and throttling have their own tests (tests/emulator/behaviours.test.ts).
const sdk = useEmulator({ reset: false, lenient: ['eventual-consistency', 'throttling'] });
const { emu } = sdk;
beforeEach(async () => {
  await ctl('POST', 'reset', { scenario: 'fresh' });
  await ctl('POST', 'latency', { profile: 'instant', scale: 1 });
  await ctl('POST', 'config', { pageSize: 3, emptyPages: false, finalizing: {} });
  emu.latency.overrides = {};
});

/** One control API call over HTTP; returns status and parsed JSON. */
async function ctl(method: string, route: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${emu.url}/_emulator/${route}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

/** SDK clients with the credentials the control API hands out (as a separate process would use them). */
async function envCreds(account = 'management') {
  const env = (await ctl('GET', `credentials?account=${account}`)).body as Record<string, string>;
  return {
    accessKeyId: env.AWS_ACCESS_KEY_ID,
    secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
    sessionToken: env.AWS_SESSION_TOKEN,
  };
}
async function orgs(opts: { maxAttempts?: number } = {}): Promise<OrganizationsClient> {
  return sdk.client(OrganizationsClient, { credentials: await envCreds(), maxAttempts: opts.maxAttempts });
}
async function iam(): Promise<IAMClient> {
  return sdk.client(IAMClient, { credentials: await envCreds() });
}

describe('reset, scenarios, state, credentials', () => {
  it('health answers; reset and scenario build the named world', async () => {
    expect(await ctl('GET', 'health')).toEqual({ status: 200, body: { ok: true, url: emu.url, scenario: 'fresh' } });
    expect((await ctl('POST', 'scenario', { name: 'org-exists+iam-user' })).body).toEqual({
      ok: true,
      scenario: 'org-exists+iam-user',
    });
    const o = await orgs();
    expect((await o.send(new DescribeOrganizationCommand({}))).Organization!.MasterAccountId).toBe(ME);
    const sts = sdk.client(STSClient, { credentials: await envCreds() });
    expect((await sts.send(new GetCallerIdentityCommand({}))).Arn).toBe(`arn:aws:iam::${ME}:user/admin`);
    expect((await ctl('POST', 'reset', { scenario: 'fresh' })).body.scenario).toBe('fresh');
    expect((await errorOf((await orgs()).send(new DescribeOrganizationCommand({})))).name).toBe(
      'AWSOrganizationsNotInUseException',
    );
    // A scenario in object form, with pre-existing members.
    await ctl('POST', 'scenario', {
      name: { base: 'org-exists', members: [{ name: 'prod', email: 'ops+prod@acme.example' }] },
    });
    expect((await (await orgs()).send(new ListAccountsCommand({}))).Accounts!.map((a) => a.Name)).toEqual([
      'Management',
      'prod',
    ]);
    expect((await ctl('POST', 'scenario', { name: 'fresh+nonsense' })).status).toBe(400);
  });

  it('state is a normalised dump: same world, same JSON; no secrets; raw keeps dates', async () => {
    await ctl('POST', 'reset', { scenario: 'org-exists' });
    const a = (await ctl('GET', 'state')).body;
    await ctl('POST', 'reset', { scenario: 'org-exists' });
    const b = (await ctl('GET', 'state')).body;
    expect(a).toEqual(b);
    expect(a.homeAccountId).toBe(ME);
    expect(Object.values(a.orgs as Record<string, any>)[0].featureSet).toBe('ALL');
    const text = JSON.stringify(a);
    expect(text).toContain('"<date>"');
    expect(text).not.toContain('emulator/secret/access/key');
    const raw = (await ctl('GET', 'state?raw=1')).body;
    expect(Object.values(raw.orgs as Record<string, any>)[0].createdAt).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('credentials for a member account are a role session in it; unknown accounts are a 400', async () => {
    await ctl('POST', 'scenario', {
      name: { base: 'org-exists', members: [{ name: 'prod', email: 'ops+prod@acme.example' }] },
    });
    const creds = await envCreds('111100000001');
    expect(creds.sessionToken).toBeTruthy();
    const sts = sdk.client(STSClient, { credentials: creds });
    expect((await sts.send(new GetCallerIdentityCommand({}))).Account).toBe('111100000001');
    expect((await ctl('GET', 'credentials?account=999999999999')).status).toBe(400);
  });

  it('unknown routes are 404, bad JSON is 400', async () => {
    expect((await ctl('GET', 'nope')).status).toBe(404);
    expect(await ctl('POST', 'faults', '{not json')).toEqual({ status: 400, body: { error: 'body must be JSON' } });
  });
});

describe('call log', () => {
  it('records service, operation, account, principal, region, mutating, status and error code; filters and clears', async () => {
    const o = await orgs();
    await errorOf(o.send(new DescribeOrganizationCommand({})));
    await o.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    await o.send(new ListRootsCommand({}));
    await (await iam()).send(new GetAccountSummaryCommand({}));
    const calls = (await ctl('GET', 'calls')).body as any[];
    expect(calls.map((c) => [c.service, c.operation, c.mutating, c.status, c.errorCode])).toEqual([
      ['organizations', 'DescribeOrganization', false, 400, 'AWSOrganizationsNotInUseException'],
      ['organizations', 'CreateOrganization', true, 200, null],
      ['organizations', 'ListRoots', false, 200, null],
      ['iam', 'GetAccountSummary', false, 200, null],
    ]);
    expect(calls[0]).toMatchObject({ seq: 1, account: ME, principal: `arn:aws:iam::${ME}:root`, region: 'us-east-1' });
    expect(calls[0].requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-/);
    expect(((await ctl('GET', 'calls?mutating=true')).body as any[]).map((c) => c.operation)).toEqual([
      'CreateOrganization',
    ]);
    expect(((await ctl('GET', 'calls?service=iam')).body as any[]).map((c) => c.operation)).toEqual([
      'GetAccountSummary',
    ]);
    expect((await ctl('GET', 'calls?operation=ListRoots&account=123456789012')).body as any[]).toHaveLength(1);
    expect((await ctl('GET', 'calls?account=999999999999')).body as any[]).toEqual([]);
    await ctl('DELETE', 'calls');
    expect((await ctl('GET', 'calls')).body).toEqual([]);
  });

  it('requests that are not AWS calls are logged with AWS-shaped errors', async () => {
    const unsigned = await fetch(`${emu.url}/`, { method: 'POST', body: '{}' });
    expect(unsigned.status).toBe(403);
    expect(await unsigned.json()).toMatchObject({ __type: 'MissingAuthenticationToken' });
    const unknown = await fetch(`${emu.url}/`, {
      method: 'POST',
      headers: {
        authorization:
          'AWS4-HMAC-SHA256 Credential=AKIAEMULATORROOT0001/20261123/us-east-1/lambda/aws4_request, SignedHeaders=host, Signature=x',
      },
      body: '{}',
    });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ __type: 'UnknownServiceException' });
    expect(((await ctl('GET', 'calls')).body as any[]).map((c) => [c.service, c.errorCode])).toEqual([
      ['?', 'MissingAuthenticationToken'],
      ['lambda', 'UnknownServiceException'],
    ]);
  });
});

describe('faults, latency, config', () => {
  it('sets, adds, lists (with counters) and clears fault rules; refuses bad rules', async () => {
    const o = await orgs();
    await o.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    expect(
      (await ctl('POST', 'faults', { seed: 3, rules: [{ operation: 'ListRoots', kind: 'throttle', times: 1 }] }))
        .status,
    ).toBe(200);
    await ctl('POST', 'faults/add', {
      operation: 'DescribeOrganization',
      kind: 'error',
      code: 'ConcurrentModificationException',
      status: 409,
      message: 'busy',
    });
    expect((await errorOf(o.send(new ListRootsCommand({})))).name).toBe('TooManyRequestsException');
    await o.send(new ListRootsCommand({}));
    expect(await errorOf(o.send(new DescribeOrganizationCommand({})))).toMatchObject({
      name: 'ConcurrentModificationException',
      status: 409,
      message: 'busy',
    });
    const rules = (await ctl('GET', 'faults')).body as any[];
    expect(rules.map((r) => [r.operation, r.seen, r.fired])).toEqual([
      ['ListRoots', 2, 1],
      ['DescribeOrganization', 1, 1],
    ]);
    await ctl('DELETE', 'faults');
    expect((await ctl('GET', 'faults')).body).toEqual([]);
    expect((await o.send(new DescribeOrganizationCommand({}))).Organization).toBeTruthy();
    expect((await ctl('POST', 'faults/add', { kind: 'meteor' })).status).toBe(400);
    expect((await ctl('POST', 'faults/add', { kind: 'error' })).status).toBe(400);
    expect((await ctl('POST', 'faults/add', { kind: 'throttle', rate: 2 })).status).toBe(400);
  });

  it('a seeded rate fires the same calls every time', async () => {
    const run = async () => {
      await ctl('POST', 'reset', { scenario: 'org-exists' });
      await ctl('POST', 'faults', { seed: 42, rules: [{ service: 'organizations', kind: 'internal', rate: 0.5 }] });
      const o = await orgs();
      const out: boolean[] = [];
      for (let i = 0; i < 12; i++)
        out.push(
          await o.send(new ListRootsCommand({})).then(
            () => true,
            () => false,
          ),
        );
      return out;
    };
    const first = await run();
    expect(first).toContain(true);
    expect(first).toContain(false);
    expect(await run()).toEqual(first);
  });

  it('latency: profile, scale and overrides round-trip; an async override keeps CreateAccount IN_PROGRESS until flushed', async () => {
    const set = await ctl('POST', 'latency', {
      profile: 'realistic',
      scale: 0.001,
      overrides: { 'organizations:CreateAccount': { async: { min: 600_000, max: 600_000 } } },
    });
    expect(set.body).toMatchObject({
      profile: 'realistic',
      scale: 0.001,
      overrides: { 'organizations:CreateAccount': { async: { min: 600_000, max: 600_000 } } },
    });
    expect((await ctl('GET', 'latency')).body.profile).toBe('realistic');
    expect((await ctl('POST', 'latency', { profile: 'glacial' })).status).toBe(400);
    const o = await orgs();
    await o.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    const id = (await o.send(new CreateAccountCommand({ AccountName: 'prod', Email: 'ops+prod@acme.example' })))
      .CreateAccountStatus!.Id!;
    const status = async () =>
      (await o.send(new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: id }))).CreateAccountStatus!.State;
    expect(await status()).toBe('IN_PROGRESS');
    expect((await ctl('GET', 'state')).body.pending).toEqual(['organizations:CreateAccount']);
    expect((await ctl('POST', 'flush')).body).toEqual({ ok: true });
    expect(await status()).toBe('SUCCEEDED');
  });

  it('a latency fault delays the answer but it still succeeds', async () => {
    await ctl('POST', 'reset', { scenario: 'org-exists' });
    await ctl('POST', 'faults', { rules: [{ operation: 'ListRoots', kind: 'latency', delayMs: 50, times: 1 }] });
    const o = await orgs();
    expect((await o.send(new ListRootsCommand({}))).Roots).toHaveLength(1);
    expect(((await ctl('GET', 'faults')).body as any[]).map((r) => [r.kind, r.fired])).toEqual([['latency', 1]]);
    expect(((await ctl('GET', 'calls')).body as any[]).map((c) => [c.status, c.fault ?? null])).toEqual([[200, null]]);
  });

  it('config changes page size, empty pages and the finalizing window of new organizations', async () => {
    await ctl('POST', 'scenario', {
      name: {
        base: 'org-exists',
        members: [
          { name: 'a', email: 'a@acme.example' },
          { name: 'b', email: 'b@acme.example' },
        ],
      },
    });
    expect((await ctl('POST', 'config', { pageSize: 1 })).body.pageSize).toBe(1);
    const o = await orgs();
    const first = await o.send(new ListAccountsCommand({}));
    expect(first.Accounts).toHaveLength(1);
    expect(first.NextToken).toBeTruthy();
    await ctl('POST', 'reset', { scenario: 'fresh' });
    await ctl('POST', 'config', { pageSize: 3, finalizing: { calls: 1 } });
    await o.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    expect((await errorOf(o.send(new CreateAccountCommand({ AccountName: 'a', Email: 'a@acme.example' })))).name).toBe(
      'FinalizingOrganizationException',
    );
    expect(
      (await o.send(new CreateAccountCommand({ AccountName: 'a', Email: 'a@acme.example' }))).CreateAccountStatus!
        .State,
    ).toBe('IN_PROGRESS');
  });
});

describe('holds', () => {
  async function withRoot(): Promise<{ o: OrganizationsClient; rootId: string }> {
    await ctl('POST', 'reset', { scenario: 'org-exists' });
    const o = await orgs();
    return { o, rootId: (await o.send(new ListRootsCommand({}))).Roots![0].Id! };
  }
  const ouNames = async (o: OrganizationsClient, rootId: string) =>
    (await o.send(new ListOrganizationalUnitsForParentCommand({ ParentId: rootId }))).OrganizationalUnits!.map(
      (u) => u.Name,
    );

  it('before: the call waits unapplied until released, then is applied and answered', async () => {
    const { o, rootId } = await withRoot();
    expect(
      (await ctl('POST', 'hold', { when: 'before', operation: 'CreateOrganizationalUnit' })).body.armed,
    ).toMatchObject({ when: 'before', remaining: 1 });
    const pending = o.send(new CreateOrganizationalUnitCommand({ ParentId: rootId, Name: 'Security' }));
    const held = (await ctl('GET', 'hold?wait=5000')).body;
    expect(held.held).toMatchObject({
      service: 'organizations',
      operation: 'CreateOrganizationalUnit',
      account: ME,
      when: 'before',
    });
    // Reads are never held, and the OU does not exist yet.
    expect(await ouNames(o, rootId)).toEqual([]);
    expect((await ctl('POST', 'release')).body).toEqual({ released: true });
    expect((await pending).OrganizationalUnit!.Name).toBe('Security');
    expect((await ctl('GET', 'hold')).body.last).toMatchObject({
      operation: 'CreateOrganizationalUnit',
      outcome: 'released',
    });
    expect((await ctl('POST', 'release')).body).toEqual({ released: false });
  });

  it('after: the change is made while the client still waits for its answer', async () => {
    const { o, rootId } = await withRoot();
    await ctl('POST', 'hold', { when: 'after', operation: 'CreateOrganizationalUnit' });
    const pending = o.send(new CreateOrganizationalUnitCommand({ ParentId: rootId, Name: 'Security' }));
    await ctl('GET', 'hold?wait=5000');
    expect(await ouNames(o, rootId)).toEqual(['Security']);
    await ctl('POST', 'release');
    expect((await pending).OrganizationalUnit!.Name).toBe('Security');
  });

  it('nth counts mutating calls from when the hold is armed', async () => {
    const { o, rootId } = await withRoot();
    await ctl('POST', 'hold', { when: 'before', nth: 2 });
    await o.send(new CreateOrganizationalUnitCommand({ ParentId: rootId, Name: 'One' }));
    await o.send(new ListRootsCommand({})); // reads do not count
    const second = o.send(new CreateOrganizationalUnitCommand({ ParentId: rootId, Name: 'Two' }));
    expect((await ctl('GET', 'hold?wait=5000')).body.held.operation).toBe('CreateOrganizationalUnit');
    await ctl('POST', 'release');
    await second;
    expect(await ouNames(o, rootId)).toEqual(['One', 'Two']);
  });

  it('before + client disconnect: the call is never applied', async () => {
    const { o, rootId } = await withRoot();
    await ctl('POST', 'hold', { when: 'before', operation: 'CreateOrganizationalUnit' });
    const abort = new AbortController();
    const pending = o.send(new CreateOrganizationalUnitCommand({ ParentId: rootId, Name: 'Security' }), {
      abortSignal: abort.signal,
    });
    await ctl('GET', 'hold?wait=5000');
    abort.abort();
    await expect(pending).rejects.toThrow();
    for (let i = 0; i < 500 && (await ctl('GET', 'hold')).body.held; i++) await new Promise((r) => setTimeout(r, 10));
    expect((await ctl('GET', 'hold')).body).toMatchObject({
      held: null,
      last: { outcome: 'client-disconnected', when: 'before' },
    });
    expect(await ouNames(o, rootId)).toEqual([]);
    const call = ((await ctl('GET', 'calls?operation=CreateOrganizationalUnit')).body as any[])[0];
    expect(call.note).toBe('client-disconnected');
  });

  it('after + client disconnect: the call was applied although the client never heard back', async () => {
    const { o, rootId } = await withRoot();
    await ctl('POST', 'hold', { when: 'after', operation: 'CreateOrganizationalUnit' });
    const abort = new AbortController();
    const pending = o.send(new CreateOrganizationalUnitCommand({ ParentId: rootId, Name: 'Security' }), {
      abortSignal: abort.signal,
    });
    await ctl('GET', 'hold?wait=5000');
    abort.abort();
    await expect(pending).rejects.toThrow();
    for (let i = 0; i < 500 && (await ctl('GET', 'hold')).body.held; i++) await new Promise((r) => setTimeout(r, 10));
    expect((await ctl('GET', 'hold')).body.last).toMatchObject({ outcome: 'client-disconnected', when: 'after' });
    expect(await ouNames(o, rootId)).toEqual(['Security']);
  });

  it('a hold can be disarmed; a bad hold is a 400; GET hold?wait returns when nothing is held', async () => {
    await ctl('POST', 'hold', { when: 'before' });
    expect((await ctl('DELETE', 'hold')).body.armed).toBeNull();
    expect((await ctl('POST', 'hold', { when: 'sometime' })).status).toBe(400);
    expect((await ctl('POST', 'hold', { when: 'before', nth: 0 })).status).toBe(400);
    expect((await ctl('GET', 'hold?wait=20')).body).toMatchObject({ armed: null, held: null });
  });
});

describe('console actions and drift', () => {
  it('enable Identity Center: creates an ALL-features organization if needed and trusted access for SSO', async () => {
    const ic = (await ctl('POST', 'console/enable-identity-center', { region: 'eu-west-1' })).body;
    expect(ic).toMatchObject({ ownerAccountId: ME, region: 'eu-west-1', status: 'ACTIVE' });
    expect(ic.instanceArn).toMatch(/^arn:aws:sso:::instance\/ssoins-[0-9a-f]{16}$/);
    expect(ic.identityStoreId).toMatch(/^d-\d{10}$/);
    const o = await orgs();
    expect((await o.send(new DescribeOrganizationCommand({}))).Organization!.FeatureSet).toBe('ALL');
    expect(
      (await o.send(new ListAWSServiceAccessForOrganizationCommand({}))).EnabledServicePrincipals!.map(
        (s) => s.ServicePrincipal,
      ),
    ).toEqual(['sso.amazonaws.com']);
    // Idempotent, and refused where the console refuses.
    expect((await ctl('POST', 'console/enable-identity-center', { region: 'us-east-1' })).body.instanceArn).toBe(
      ic.instanceArn,
    );
    await ctl('POST', 'reset', { scenario: 'consolidated-billing' });
    expect((await ctl('POST', 'console/enable-identity-center', {})).status).toBe(400);
    await ctl('POST', 'reset', { scenario: 'member-of-other-org' });
    expect((await ctl('POST', 'console/enable-identity-center', {})).body.error).toMatch(/only the management account/);
  });

  it('root MFA on and off', async () => {
    const summary = async () =>
      (await (await iam()).send(new GetAccountSummaryCommand({}))).SummaryMap!.AccountMFAEnabled;
    expect(await summary()).toBe(0);
    await ctl('POST', 'console/root-mfa', { enabled: true });
    expect(await summary()).toBe(1);
    await ctl('POST', 'console/root-mfa', { enabled: false });
    expect(await summary()).toBe(0);
    expect((await ctl('POST', 'console/root-mfa', { enabled: true, account: '999999999999' })).status).toBe(400);
  });

  it('lists drift kinds and applies one over HTTP; unknown kinds are a 400 naming the known ones', async () => {
    const kinds = (await ctl('GET', 'drift')).body as string[];
    for (const k of [
      'organizations:detach-policy',
      'iam:delete-password-policy',
      's3:bucket-policy-changed',
      's3-control:account-bpa-off',
      'ec2:ebs-encryption-off',
      'cloudtrail:trail-stopped',
    ]) {
      expect(kinds).toContain(k);
    }
    const i = await iam();
    await i.send(new UpdateAccountPasswordPolicyCommand({ MinimumPasswordLength: 14 }));
    expect(
      (
        await ctl('POST', 'drift', {
          service: 'iam',
          kind: 'set-password-policy',
          policy: { MinimumPasswordLength: 6 },
        })
      ).body.ok,
    ).toBe(true);
    expect((await i.send(new GetAccountPasswordPolicyCommand({}))).PasswordPolicy!.MinimumPasswordLength).toBe(6);
    const bad = await ctl('POST', 'drift', { service: 'iam', kind: 'nope' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/unknown drift iam:nope \(known: .*organizations:detach-policy/);
  });
});
