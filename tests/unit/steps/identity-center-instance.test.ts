import { describe, expect, it } from 'vitest';
import { identityCenterInstance } from '../../../steps/identity-center-instance.js';
import { awsErr, fakeCtx, INSTANCE, MGMT, STORE, START_URL, want as basicWant } from './fixtures.js';

const want = basicWant();
const listing = (region: string, status = 'ACTIVE') => ({
  InstanceArn: INSTANCE,
  IdentityStoreId: STORE,
  Status: status,
  OwnerAccountId: MGMT,
  region,
});

/** ListInstances answers with the instance only in `region`; `refuse` regions throw. */
const answer =
  (inst?: ReturnType<typeof listing>, refuse: string[] = []) =>
  (_s: string, op: string, _i: unknown, target: any) => {
    if (op !== 'ListInstances') throw new Error(`unexpected ${op}`);
    if (refuse.includes(target.region)) return awsErr('UnrecognizedClientException');
    return { Instances: inst && inst.region === target.region ? [inst] : [] };
  };

describe('identity-center-instance plan', () => {
  it('no instance: one blocking manual action with the console link for the home region and the exact clicks', () => {
    const actions = identityCenterInstance.plan(want, {});
    expect(actions).toHaveLength(1);
    const a = actions[0]!;
    expect(a).toMatchObject({
      kind: 'manual',
      service: 'console',
      target: { account: 'management', region: 'eu-west-1' },
    });
    expect(a.manual!.blocking).toBe(true);
    expect(a.manual!.link).toBe('https://eu-west-1.console.aws.amazon.com/singlesignon/home?region=eu-west-1#/');
    expect(a.manual!.instructions.join('\n')).toContain('Click "Enable", then choose "Enable with AWS Organizations"');
  });

  it('an active instance: nothing to do', () => {
    expect(
      identityCenterInstance.plan(want, {
        instance: { arn: INSTANCE, identityStoreId: STORE, region: 'eu-west-1', status: 'ACTIVE' },
      }),
    ).toEqual([]);
  });

  it('an instance still being created: a blocking wait in its own region', () => {
    const [a] = identityCenterInstance.plan(want, {
      instance: { arn: INSTANCE, identityStoreId: STORE, region: 'us-east-1', status: 'CREATE_IN_PROGRESS' },
    });
    expect(a).toMatchObject({
      kind: 'manual',
      operation: 'WaitForIdentityCenter',
      manual: { blocking: true, link: 'https://us-east-1.console.aws.amazon.com/singlesignon/home?region=us-east-1#/' },
    });
  });

  it('fresh: plans the manual step', () => {
    const f = fakeCtx(want, () => undefined);
    expect(identityCenterInstance.plan(want, identityCenterInstance.fresh(f.ctx))[0]!.kind).toBe('manual');
  });
});

describe('identity-center-instance observe', () => {
  it('finds it in the home region and publishes ARN, identity store, region and start URL', async () => {
    const f = fakeCtx(want, answer(listing('eu-west-1')), { 'management.accountId': MGMT });
    const seen = await identityCenterInstance.observe(f.ctx);
    expect(seen.instance).toEqual({ arn: INSTANCE, identityStoreId: STORE, region: 'eu-west-1', status: 'ACTIVE' });
    expect(f.published).toEqual({
      'sso.instanceArn': INSTANCE,
      'sso.identityStoreId': STORE,
      'sso.region': 'eu-west-1',
      'sso.startUrl': START_URL,
    });
    // Found at once: no other region was asked.
    expect(f.calls.map((c) => c.target.region)).toEqual(['eu-west-1']);
  });

  it('an instance in another region is used there, and the founder is told', async () => {
    const infos: string[] = [];
    const f = fakeCtx(want, answer(listing('ap-southeast-2'), ['me-south-1']), { 'management.accountId': MGMT });
    f.ctx.info = (m) => infos.push(m);
    const seen = await identityCenterInstance.observe(f.ctx);
    expect(seen.instance?.region).toBe('ap-southeast-2');
    expect(f.published['sso.region']).toBe('ap-southeast-2');
    expect(infos.join(' ')).toMatch(/enabled in ap-southeast-2, not in your home region eu-west-1/);
    // Home region first, then the other allowed region, then the rest.
    expect(f.calls.slice(0, 2).map((c) => c.target.region)).toEqual(['eu-west-1', 'us-east-1']);
  });

  it('found in an allowed region: the remaining regions are not asked', async () => {
    const f = fakeCtx(want, answer(listing('us-east-1')), { 'management.accountId': MGMT });
    expect((await identityCenterInstance.observe(f.ctx)).instance?.region).toBe('us-east-1');
    expect(f.calls.map((c) => c.target.region)).toEqual(['eu-west-1', 'us-east-1']);
  });

  it('looks first where it was seen last time', async () => {
    const f = fakeCtx(want, answer(listing('us-west-2')), { 'management.accountId': MGMT, 'sso.region': 'us-west-2' });
    const seen = await identityCenterInstance.observe(f.ctx);
    expect(seen.instance?.region).toBe('us-west-2');
    expect(f.calls.map((c) => c.target.region)).toEqual(['us-west-2']);
  });

  it('none anywhere: nothing published, every region asked once, refusing regions skipped', async () => {
    const f = fakeCtx(want, answer(undefined, ['af-south-1']), { 'management.accountId': MGMT });
    expect(await identityCenterInstance.observe(f.ctx)).toEqual({});
    expect(f.published).toEqual({});
    const regions = f.calls.map((c) => c.target.region);
    expect(new Set(regions).size).toBe(regions.length);
    expect(regions.length).toBeGreaterThan(20);
  });

  it('an error in the home region is not swallowed', async () => {
    const f = fakeCtx(want, () => awsErr('AccessDeniedException'), { 'management.accountId': MGMT });
    await expect(identityCenterInstance.observe(f.ctx)).rejects.toThrow('AccessDeniedException');
  });

  it('an instance being created is seen but not published', async () => {
    const f = fakeCtx(want, answer(listing('eu-west-1', 'CREATE_IN_PROGRESS')), { 'management.accountId': MGMT });
    const seen = await identityCenterInstance.observe(f.ctx);
    expect(seen.instance?.status).toBe('CREATE_IN_PROGRESS');
    expect(f.published).toEqual({});
  });
});
