// The customer managed KMS key that encrypts the organization trail's log files (CIS 3.5),
// in the log-archive account's home region, with automatic yearly rotation (CIS 3.6), the
// alias `alias/<slug>-org-trail` and the key policy CloudTrail needs (templates/kms-key-policy.ts).
// CreateKey has no idempotency token: the key is found by its alias first, then by the tag
// secure-start=org-trail-logs that CreateKey puts on it, so a run that stopped between
// CreateKey and CreateAlias (or lost CreateKey's answer) adopts that key instead of making a
// second one (each key costs money). CreateKey's result is recorded (trail.keyArn) before the
// alias, rotation and trail use it.
// A disabled key or one pending deletion stops log delivery: verify reports it and a run
// brings it back (CancelKeyDeletion, then EnableKey).
// Covers: CIS 3.5 (with the org-trail step), CIS 3.6.
import { StepError, ref, type Action, type Step, type StepContext, type Target, type Val } from './contract.js';
import type { Baseline } from '../config/schema.js';
import { trailKeyPolicy } from '../templates/kms-key-policy.js';
import { canonPolicy, shown } from './lib/logging-names.js';
import { isAwsError } from '../aws/errors.js';

export const KEY_TAG = { TagKey: 'secure-start', TagValue: 'org-trail-logs' } as const;
export const trailKeyAlias = (want: Baseline): string => `alias/${want.org.slug.toLowerCase()}-org-trail`;

export interface KeySeen {
  /** The log-archive account (ID, or a Ref before it exists). */
  account: Val;
  managementAccountId: Val;
  auditAccountId: Val;
  key?: {
    id: string;
    arn: string;
    state: string;
    /** Whether our alias points at it (false: adopted by its tag). */
    aliased: boolean;
    /** The key policy as read (parsed). */
    policy?: unknown;
    rotation?: boolean;
  };
}

function ids(ctx: StepContext) {
  const want = ctx.want;
  return {
    account: ctx.ref(`${want.logArchiveAccount}.accountId`),
    managementAccountId: ctx.ref('management.accountId'),
    auditAccountId: ctx.ref(`${want.auditAccount}.accountId`),
  };
}

/** The key policy we want; IDs not known yet appear as `<key>` (plans only). */
export function desiredKeyPolicy(
  want: Baseline,
  seen: Pick<KeySeen, 'account' | 'managementAccountId' | 'auditAccountId'>,
) {
  return trailKeyPolicy({
    keyAccountId: shown(seen.account),
    managementAccountId: shown(seen.managementAccountId),
    auditAccountId: shown(seen.auditAccountId),
    region: want.homeRegion,
    trailName: want.trail.name,
  });
}

export const trailKey: Step<KeySeen> = {
  id: 'trail-key',
  title: 'KMS key for the trail logs (rotated yearly)',
  // https://aws.amazon.com/kms/pricing/ (since April 2024 only the first two rotations add to the price).
  notes: (_want, planned) =>
    planned.has('kms:CreateKey')
      ? {
          money: [
            'KMS key for the trail logs: 1 USD a month, plus 1 USD a month after each of its first two yearly rotations (at most 3 USD a month); requests beyond the free 20,000 a month cost 0.03 USD per 10,000 (CloudTrail asks for a data key for each log file).',
          ],
        }
      : {},
  outputs: ['trail.keyArn'],
  needs: ['organization', 'accounts', 'leave-root'],
  controls: ['CIS 3.5', 'CIS 3.6'],
  severity: 'high',
  why: "The trail's KMS key encrypts the audit logs; if it is disabled or deleted, CloudTrail cannot write logs and old ones cannot be read.",

  async observe(ctx) {
    const want = ctx.want;
    const known = ids(ctx);
    if (
      typeof known.account !== 'string' ||
      typeof known.managementAccountId !== 'string' ||
      typeof known.auditAccountId !== 'string'
    ) {
      if (ctx.mode === 'apply')
        throw new StepError(
          `The ${want.logArchiveAccount} or ${want.auditAccount} account's ID is not known yet.`,
          'Run again: the accounts step creates the accounts first.',
        );
      return trailKey.fresh(ctx);
    }
    const t = { account: known.account, region: want.homeRegion };
    let meta: { KeyId?: string; Arn?: string; KeyState?: string } | undefined;
    let aliased = false;
    try {
      meta = (await ctx.aws.call('kms', 'DescribeKey', { KeyId: trailKeyAlias(want) }, t)).KeyMetadata;
      aliased = true;
    } catch (e) {
      if (!isAwsError(e, 'NotFoundException')) throw e;
    }
    if (!meta) meta = await findByTag(ctx, t);
    if (!meta?.KeyId || !meta.Arn) return { ...known };
    ctx.publish('trail.keyArn', meta.Arn);
    const key: NonNullable<KeySeen['key']> = {
      id: meta.KeyId,
      arn: meta.Arn,
      state: meta.KeyState ?? 'Enabled',
      aliased,
    };
    if (key.state !== 'PendingDeletion') {
      const [pol, rot] = await Promise.all([
        ctx.aws.call('kms', 'GetKeyPolicy', { KeyId: key.id, PolicyName: 'default' }, t),
        ctx.aws.call('kms', 'GetKeyRotationStatus', { KeyId: key.id }, t),
      ]);
      try {
        key.policy = pol.Policy ? JSON.parse(pol.Policy) : undefined;
      } catch {
        key.policy = pol.Policy; // unparsable: differs, so it is replaced
      }
      key.rotation = rot.KeyRotationEnabled === true;
    }
    return { ...known, key };
  },

  fresh: (ctx) => ids(ctx),

  plan(want, seen) {
    const out: Action[] = [];
    const t: Target = { account: seen.account, region: want.homeRegion };
    const alias = trailKeyAlias(want);
    const policy = JSON.stringify(desiredKeyPolicy(want, seen));
    const k = seen.key;

    if (!k) {
      const input = {
        Description: `secure-start: encrypts the organization CloudTrail logs (${want.trail.name})`,
        KeyUsage: 'ENCRYPT_DECRYPT' as const,
        KeySpec: 'SYMMETRIC_DEFAULT' as const,
        Policy: policy,
        Tags: [{ ...KEY_TAG }],
      };
      out.push({
        kind: 'call',
        symbol: '+',
        service: 'kms',
        operation: 'CreateKey',
        input,
        target: t,
        summary: `+ kms:CreateKey for the trail logs (${want.logArchiveAccount}, ${want.homeRegion}; CloudTrail may use it only for ${want.trail.name})`,
        produces: ['trail.keyArn'],
        controls: ['CIS 3.5'],
        async run(ctx) {
          const arn = (await ctx.aws.call('kms', 'CreateKey', ctx.input as typeof input, ctx.target)).KeyMetadata?.Arn;
          if (!arn)
            throw new StepError(
              'AWS created the KMS key but returned no ARN.',
              'Run again: the key is found by its tag.',
            );
          return { 'trail.keyArn': arn };
        },
      });
    }
    const keyId: Val = k ? k.arn : ref('trail.keyArn');
    if (!k || !k.aliased) {
      out.push({
        kind: 'call',
        symbol: '+',
        service: 'kms',
        operation: 'CreateAlias',
        input: { AliasName: alias, TargetKeyId: keyId },
        target: t,
        summary: `+ kms:CreateAlias ${alias}${k ? ' (the key exists; its alias is missing)' : ''}`,
        controls: ['CIS 3.5'],
        async run(ctx) {
          try {
            await ctx.aws.call(
              'kms',
              'CreateAlias',
              ctx.input as { AliasName: string; TargetKeyId: string },
              ctx.target,
            );
          } catch (e) {
            // Made by an earlier run whose answer was lost: DescribeKey sees it next round.
            if (!isAwsError(e, 'AlreadyExistsException')) throw e;
          }
        },
      });
    }
    if (k?.state === 'PendingDeletion') {
      out.push({
        kind: 'call',
        symbol: '~',
        service: 'kms',
        operation: 'CancelKeyDeletion',
        input: { KeyId: k.arn },
        target: t,
        controls: ['CIS 3.5'],
        summary: `~ kms:CancelKeyDeletion ${alias} (the key is scheduled for deletion: CloudTrail cannot encrypt logs with it)`,
      });
      return out; // the next round sees it Disabled and enables it
    }
    if (k?.state === 'Disabled') {
      out.push({
        kind: 'call',
        symbol: '~',
        service: 'kms',
        operation: 'EnableKey',
        input: { KeyId: k.arn },
        target: t,
        controls: ['CIS 3.5'],
        summary: `~ kms:EnableKey ${alias} (the key is disabled: CloudTrail cannot deliver logs)`,
      });
      return out; // rotation cannot be changed on a disabled key: the next round does the rest
    }
    if (k && (k.policy == null || canonPolicy(k.policy) !== canonPolicy(JSON.parse(policy)))) {
      out.push({
        kind: 'call',
        symbol: '~',
        service: 'kms',
        operation: 'PutKeyPolicy',
        input: { KeyId: k.arn, PolicyName: 'default', Policy: policy },
        target: t,
        controls: ['CIS 3.5'],
        summary: `~ kms:PutKeyPolicy ${alias} (the key policy was changed; put back CloudTrail for ${want.trail.name} only, decrypt for ${want.logArchiveAccount} and ${want.auditAccount})`,
      });
    }
    if (!k || k.rotation !== true) {
      out.push({
        kind: 'call',
        symbol: k ? '~' : '+',
        service: 'kms',
        operation: 'EnableKeyRotation',
        input: { KeyId: keyId },
        target: t,
        controls: ['CIS 3.6'],
        summary: `${k ? '~' : '+'} kms:EnableKeyRotation ${alias} (yearly${k ? '; rotation is off' : ''})`,
        ...(k ? {} : { after: ['trail.keyArn'] }),
      });
    }
    return out;
  },
};

/** Our key without its alias (a run stopped after CreateKey): found by its tag among the account's keys. */
async function findByTag(ctx: StepContext, t: { account: string; region: string }) {
  const pages = await ctx.aws.pages('kms', 'ListKeys', {}, t, { input: 'Marker', output: 'NextMarker' });
  for (const { KeyId } of pages.flatMap((p) => p.Keys ?? [])) {
    if (!KeyId) continue;
    const meta = (await ctx.aws.call('kms', 'DescribeKey', { KeyId }, t)).KeyMetadata;
    if (!meta || meta.KeyManager !== 'CUSTOMER' || meta.KeyState === 'PendingDeletion') continue;
    const tags = (await ctx.aws.call('kms', 'ListResourceTags', { KeyId }, t)).Tags ?? [];
    if (tags.some((x) => x.TagKey === KEY_TAG.TagKey && x.TagValue === KEY_TAG.TagValue)) return meta;
  }
  return undefined;
}
