// The trail's KMS key (CIS 3.5, 3.6): its policy, what a fresh account gets, how drift is
// repaired, and how a key made by a run that stopped before its alias is adopted, not doubled.
import { describe, expect, it } from 'vitest';
import { KEY_TAG, desiredKeyPolicy, trailKey, trailKeyAlias, type KeySeen } from '../../../steps/trail-key.js';
import { ACCOUNTS, MGMT, awsErr, basic, brief, fakeCtx, ops, runAction, KNOWN } from './fixtures.js';

const want = basic();
const LA = ACCOUNTS['log-archive']!;
const AUDIT = ACCOUNTS.audit!;
const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const KEY = `arn:aws:kms:eu-west-1:${LA}:key/${KEY_ID}`;
const ids = { account: LA, managementAccountId: MGMT, auditAccountId: AUDIT };
const policy = () => JSON.parse(JSON.stringify(desiredKeyPolicy(want, ids)));
const good = (): KeySeen => ({
  ...ids,
  key: { id: KEY_ID, arn: KEY, state: 'Enabled', aliased: true, policy: policy(), rotation: true },
});

describe("the key policy (AWS's CloudTrail key policy, scoped to our trail)", () => {
  it('lets CloudTrail generate data keys only for this trail, log-archive and audit decrypt, and the key account administer it', () => {
    const p = policy();
    const sid = (s: string) => p.Statement.find((x: any) => x.Sid === s);
    expect(sid('EnableIAMUserPermissions')).toMatchObject({
      Principal: { AWS: `arn:aws:iam::${LA}:root` },
      Action: 'kms:*',
    });
    expect(sid('AllowCloudTrailEncryptLogs')).toMatchObject({
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 'kms:GenerateDataKey*',
      Condition: {
        StringEquals: { 'aws:SourceArn': `arn:aws:cloudtrail:eu-west-1:${MGMT}:trail/acme-robotics-org-trail` },
        StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': `arn:aws:cloudtrail:*:${MGMT}:trail/*` },
      },
    });
    expect(sid('AllowCloudTrailDescribeKey')).toMatchObject({
      Action: 'kms:DescribeKey',
      Condition: { StringEquals: { 'aws:SourceArn': expect.stringContaining(':trail/acme-robotics-org-trail') } },
    });
    expect(sid('AllowLogReadersDecrypt')).toMatchObject({
      Action: ['kms:Decrypt', 'kms:ReEncryptFrom'],
      Condition: { StringEquals: { 'kms:CallerAccount': [LA, AUDIT] } },
    });
  });
});

describe('trail-key plan', () => {
  it('a fresh account: CreateKey (tagged, with the policy) in log-archive, then the alias and yearly rotation on the key it made', () => {
    const actions = trailKey.plan(want, { ...ids });
    expect(brief(actions)).toEqual([
      {
        symbol: '+',
        op: 'kms:CreateKey',
        input: {
          Description: 'secure-start: encrypts the organization CloudTrail logs (acme-robotics-org-trail)',
          KeyUsage: 'ENCRYPT_DECRYPT',
          KeySpec: 'SYMMETRIC_DEFAULT',
          Policy: JSON.stringify(desiredKeyPolicy(want, ids)),
          Tags: [KEY_TAG],
        },
      },
      {
        symbol: '+',
        op: 'kms:CreateAlias',
        input: { AliasName: 'alias/acme-robotics-org-trail', TargetKeyId: '<trail.keyArn>' },
      },
      { symbol: '+', op: 'kms:EnableKeyRotation', input: { KeyId: '<trail.keyArn>' } },
    ]);
    expect(actions.every((a) => a.target.account === LA && a.target.region === 'eu-west-1')).toBe(true);
    expect(actions[0]!.produces).toEqual(['trail.keyArn']);
    expect(actions[2]!.controls).toEqual(['CIS 3.6']);
  });

  it('nothing to do for a compliant key', () => {
    expect(trailKey.plan(want, good())).toEqual([]);
  });

  it('rotation off (CIS 3.6), a changed policy, a missing alias: one repair each', () => {
    const s = good();
    s.key!.rotation = false;
    expect(brief(trailKey.plan(want, s))).toEqual([
      { symbol: '~', op: 'kms:EnableKeyRotation', input: { KeyId: KEY } },
    ]);
    const p = good();
    (p.key!.policy as any).Statement.pop();
    const put = trailKey.plan(want, p);
    expect(ops(put)).toEqual(['kms:PutKeyPolicy']);
    expect(put[0]!.summary).toContain('the key policy was changed');
    const a = good();
    a.key!.aliased = false;
    expect(brief(trailKey.plan(want, a))).toEqual([
      { symbol: '+', op: 'kms:CreateAlias', input: { AliasName: 'alias/acme-robotics-org-trail', TargetKeyId: KEY } },
    ]);
  });

  it('a disabled key is enabled; one pending deletion is cancelled first (it comes back disabled; the next round enables it)', () => {
    const d = good();
    d.key!.state = 'Disabled';
    expect(ops(trailKey.plan(want, d))).toEqual(['kms:EnableKey']);
    const p = { ...good(), key: { id: KEY_ID, arn: KEY, state: 'PendingDeletion', aliased: true } };
    const actions = trailKey.plan(want, p);
    expect(ops(actions)).toEqual(['kms:CancelKeyDeletion']);
    expect(actions[0]!.summary).toContain('scheduled for deletion');
  });
});

describe('trail-key observe', () => {
  const meta = { KeyId: KEY_ID, Arn: KEY, KeyState: 'Enabled', KeyManager: 'CUSTOMER' };

  it('finds the key by its alias and reads its policy and rotation, publishing trail.keyArn', async () => {
    const { ctx, calls, published } = fakeCtx(
      want,
      (_s, op) =>
        (
          ({
            DescribeKey: { KeyMetadata: meta },
            GetKeyPolicy: { Policy: JSON.stringify(policy()) },
            GetKeyRotationStatus: { KeyRotationEnabled: true },
          }) as Record<string, unknown>
        )[op],
      KNOWN,
    );
    expect(await trailKey.observe(ctx)).toEqual(good());
    expect(calls.map((c) => [c.op, c.input.KeyId, c.target])).toEqual([
      ['DescribeKey', trailKeyAlias(want), { account: LA, region: 'eu-west-1' }],
      ['GetKeyPolicy', KEY_ID, { account: LA, region: 'eu-west-1' }],
      ['GetKeyRotationStatus', KEY_ID, { account: LA, region: 'eu-west-1' }],
    ]);
    expect(published['trail.keyArn']).toBe(KEY);
  });

  it('no alias (a run stopped after CreateKey): the key is found by its tag and adopted, skipping other keys', async () => {
    const other = {
      KeyId: 'other',
      Arn: `arn:aws:kms:eu-west-1:${LA}:key/other`,
      KeyState: 'Enabled',
      KeyManager: 'CUSTOMER',
    };
    const { ctx } = fakeCtx(
      want,
      (_s, op, input) => {
        if (op === 'DescribeKey')
          return input.KeyId === trailKeyAlias(want)
            ? awsErr('NotFoundException')
            : { KeyMetadata: input.KeyId === KEY_ID ? meta : other };
        if (op === 'ListKeys') return { Keys: [{ KeyId: 'other' }, { KeyId: KEY_ID }] };
        if (op === 'ListResourceTags')
          return { Tags: input.KeyId === KEY_ID ? [KEY_TAG] : [{ TagKey: 'team', TagValue: 'x' }] };
        if (op === 'GetKeyPolicy') return { Policy: JSON.stringify(policy()) };
        return { KeyRotationEnabled: false };
      },
      KNOWN,
    );
    const seen = await trailKey.observe(ctx);
    expect(seen.key).toMatchObject({ id: KEY_ID, aliased: false, rotation: false });
    expect(ops(trailKey.plan(want, seen))).toEqual(['kms:CreateAlias', 'kms:EnableKeyRotation']);
  });

  it('before the accounts exist: nothing read in plan mode, an error in apply', async () => {
    const plan = fakeCtx(
      want,
      () => {
        throw new Error('no AWS');
      },
      { 'management.accountId': MGMT },
      'plan',
    );
    const seen = await trailKey.observe(plan.ctx);
    expect(String(seen.account)).toBe('<log-archive.accountId>');
    expect(JSON.stringify(trailKey.plan(want, seen)[0]!.input)).toContain('arn:aws:iam::<log-archive.accountId>:root');
    const apply = fakeCtx(want, () => ({}), { 'management.accountId': MGMT }, 'apply');
    await expect(trailKey.observe(apply.ctx)).rejects.toMatchObject({ name: 'StepError' });
  });
});

describe('trail-key run', () => {
  it('CreateKey returns the key ARN as trail.keyArn; CreateAlias made meanwhile is not an error', async () => {
    const [create, alias] = trailKey.plan(want, { ...ids });
    const { ctx } = fakeCtx(
      want,
      (_s, op) => (op === 'CreateKey' ? { KeyMetadata: { Arn: KEY } } : awsErr('AlreadyExistsException')),
      KNOWN,
    );
    await expect(runAction(create!, ctx)).resolves.toEqual({ 'trail.keyArn': KEY });
    await expect(
      runAction({ ...alias!, input: { AliasName: 'alias/acme-robotics-org-trail', TargetKeyId: KEY } }, ctx),
    ).resolves.toBeUndefined();
  });
});
