// AWS KMS (awsJson1_1, target prefix TrentService): customer managed keys, aliases, key
// policies, rotation, enable/disable and scheduled deletion — what the CloudTrail key needs
// and what an attacker would try to break. Keys are regional. The key policy is evaluated on
// every call (a key whose policy does not let the account in locks everyone out, as in AWS:
// https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html), and CreateKey /
// PutKeyPolicy run the policy lockout safety check. Errors from the API reference
// (https://docs.aws.amazon.com/kms/latest/APIReference/): NotFoundException,
// AlreadyExistsException, KMSInvalidStateException, MalformedPolicyDocumentException.
import { PolicyError, evaluate, statementsOf, type Requester } from '../policy.js';
import { requestContext } from '../scp.js';
import type { Caller, HandlerContext, ServiceModule } from '../types.js';
import { bool, int, oneOf, str, type Fail } from '../validate.js';
import type { World } from '../world.js';
import { AwsError } from '../errors.js';

type Ctx = HandlerContext<Record<string, any>>;

export interface KmsKey {
  keyId: string;
  arn: string;
  accountId: string;
  region: string;
  createdAt: Date;
  description: string;
  state: 'Enabled' | 'Disabled' | 'PendingDeletion';
  deletionDate?: Date;
  pendingWindowInDays?: number;
  policy: string;
  rotation: boolean;
  rotationPeriodInDays: number;
  tags: Record<string, string>;
}

export interface KmsAlias {
  name: string;
  region: string;
  keyId: string;
  createdAt: Date;
}

interface KmsStore {
  keys: Record<string, KmsKey>;
  aliases: KmsAlias[];
}

const storeOf = (world: World, accountId: string): KmsStore =>
  world.store<KmsStore>(accountId, 'kms', () => ({ keys: {}, aliases: [] }));

const fail: Fail = (_f, _p, message) => {
  throw new AwsError('ValidationException', message, { status: 400 });
};
const notFound = (message: string) => new AwsError('NotFoundException', message, { status: 400 });
const invalidState = (message: string) => new AwsError('KMSInvalidStateException', message, { status: 400 });
const malformed = (message: string) => new AwsError('MalformedPolicyDocumentException', message, { status: 400 });

const ALIAS = /^alias\/[a-zA-Z0-9/_-]+$/;

/** The key policy KMS gives a key created without one: the account (and so IAM) in full control. */
export const defaultKeyPolicy = (accountId: string): string =>
  JSON.stringify({
    Version: '2012-10-17',
    Id: 'key-default-1',
    Statement: [
      {
        Sid: 'Enable IAM User Permissions',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${accountId}:root` },
        Action: 'kms:*',
        Resource: '*',
      },
    ],
  });

/**
 * A key by key ID, key ARN, alias name or alias ARN (aliases only where the API takes them).
 * Cross-account use needs the key ARN (or alias ARN), as in AWS.
 */
export function findKey(
  world: World,
  keyId: string,
  callerAccount: string,
  region: string,
  opts: { aliases: boolean },
): KmsKey | undefined {
  const arn = /^arn:aws:kms:([^:]+):(\d{12}):(key|alias)\/(.+)$/.exec(keyId);
  const acct = arn ? arn[2]! : callerAccount;
  const reg = arn ? arn[1]! : region;
  const s = world.stores[acct]?.['kms'] as KmsStore | undefined;
  if (!s) return undefined;
  const isAlias = arn ? arn[3] === 'alias' : keyId.startsWith('alias/');
  if (isAlias) {
    if (!opts.aliases) return undefined;
    const name = arn ? `alias/${arn[4]}` : keyId;
    const a = s.aliases.find((x) => x.name === name && x.region === reg);
    return a ? s.keys[a.keyId] : undefined;
  }
  const k = s.keys[arn ? arn[4]! : keyId];
  return k && k.region === reg ? k : undefined;
}

/** Who is calling, as a key policy's Principal element sees it. */
function requesterOf(world: World, caller: Caller): Requester {
  const p = caller.principal;
  const arns = [caller.arn];
  if (p.type === 'assumed-role')
    arns.push(world.account(p.accountId)?.roles[p.roleName]?.arn ?? `arn:aws:iam::${p.accountId}:role/${p.roleName}`);
  return { accountId: caller.accountId, arns };
}

/** Whether a key's policy lets a service principal (CloudTrail) do `action` in that context. */
export function keyAllowsService(
  key: KmsKey,
  service: string,
  action: string,
  context: Record<string, string>,
): boolean {
  return evaluate(key.policy, { action, resource: key.arn, context, requester: { service } }).effect === 'Allow';
}

function checkPolicyText(text: string): void {
  if (text.length > 32768) throw malformed('The key policy exceeds the maximum size of 32768 characters.');
  try {
    const statements = statementsOf(text);
    if (!statements.length) throw malformed('The key policy has no statements.');
    for (const s of statements)
      if (s.Principal === undefined && s.NotPrincipal === undefined)
        throw malformed('Policy contains a statement with no principal.');
  } catch (e) {
    if (e instanceof PolicyError) throw malformed('The key policy is not valid JSON.');
    throw e;
  }
}

/** KMS refuses a policy that would stop the caller from changing it later (unless bypassed). */
function lockoutCheck(ctx: Ctx, policy: string, keyArn: string): void {
  if (bool(ctx.input, 'BypassPolicyLockoutSafetyCheck', fail)) return;
  const d = evaluate(policy, {
    action: 'kms:PutKeyPolicy',
    resource: keyArn,
    context: kmsContext(ctx),
    requester: requesterOf(ctx.world, ctx.caller),
  });
  if (d.effect !== 'Allow')
    throw malformed('The new key policy will not allow you to update the key policy in the future.');
}

function kmsContext(ctx: Ctx): Record<string, string | string[] | undefined> {
  return { ...requestContext(ctx.world, ctx.caller, ctx.region), 'kms:CallerAccount': ctx.caller.accountId };
}

/** The key named by KeyId, after its key policy let the caller do `kms:<operation>`. */
function keyFor(ctx: Ctx, opts: { aliases?: boolean } = {}): KmsKey {
  const id = str(ctx.input, 'KeyId', { required: true, min: 1, max: 2048 }, fail)!;
  const key = findKey(ctx.world, id, ctx.caller.accountId, ctx.region, { aliases: opts.aliases ?? false });
  if (!key)
    throw notFound(
      `Key '${id.startsWith('arn:') || id.startsWith('alias/') ? id : `arn:aws:kms:${ctx.region}:${ctx.caller.accountId}:key/${id}`}' does not exist`,
    );
  const action = `kms:${ctx.operation}`;
  const d = evaluate(key.policy, {
    action,
    resource: key.arn,
    context: kmsContext(ctx),
    requester: requesterOf(ctx.world, ctx.caller),
  });
  if (d.effect !== 'Allow') {
    throw new AwsError(
      'AccessDeniedException',
      `User: ${ctx.caller.arn} is not authorized to perform: ${action} on resource: ${key.arn} because no resource-based policy allows the ${action} action`,
      { status: 400 },
    );
  }
  return key;
}

function usable(key: KmsKey, allowDisabled = false): void {
  if (key.state === 'PendingDeletion') throw invalidState(`${key.arn} is pending deletion.`);
  if (key.state === 'Disabled' && !allowDisabled) throw invalidState(`${key.arn} is disabled.`);
}

function metadata(k: KmsKey) {
  return {
    AWSAccountId: k.accountId,
    KeyId: k.keyId,
    Arn: k.arn,
    CreationDate: k.createdAt,
    Enabled: k.state === 'Enabled',
    Description: k.description,
    KeyUsage: 'ENCRYPT_DECRYPT',
    KeyState: k.state,
    ...(k.deletionDate ? { DeletionDate: k.deletionDate, PendingDeletionWindowInDays: k.pendingWindowInDays } : {}),
    Origin: 'AWS_KMS',
    KeyManager: 'CUSTOMER',
    CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
    KeySpec: 'SYMMETRIC_DEFAULT',
    EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
    MultiRegion: false,
  };
}

function aliasName(ctx: Ctx): string {
  const name = str(ctx.input, 'AliasName', { required: true, min: 1, max: 256 }, fail)!;
  if (!ALIAS.test(name))
    fail(
      'AliasName',
      'pattern',
      `1 validation error detected: Value '${name}' at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$`,
    );
  if (name.startsWith('alias/aws/'))
    throw new AwsError(
      'NotAuthorizedException',
      'Alias names that begin with alias/aws/ are reserved for AWS managed keys.',
      { status: 400 },
    );
  return name;
}

/** The key an alias may point to: a key ID or ARN in the caller's account and region (not an alias). */
function aliasTarget(ctx: Ctx): KmsKey {
  const target = str(ctx.input, 'TargetKeyId', { required: true, min: 1, max: 2048 }, fail)!;
  const key = findKey(ctx.world, target, ctx.caller.accountId, ctx.region, { aliases: false });
  if (!key || key.accountId !== ctx.caller.accountId) throw notFound(`Key '${target}' does not exist`);
  usable(key, true);
  return key;
}

function tagsIn(ctx: Ctx): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of (ctx.input.Tags ?? []) as { TagKey?: string; TagValue?: string }[]) {
    if (!t?.TagKey) fail('Tags', 'required', 'TagKey must not be empty');
    out[t.TagKey!] = String(t.TagValue ?? '');
  }
  return out;
}

export const kms: ServiceModule = {
  name: 'kms',
  signingName: 'kms',
  protocol: 'json',
  targetPrefix: 'TrentService',
  errors: { internal: { code: 'KMSInternalException', status: 500 } },
  operations: {
    CreateKey(ctx: Ctx) {
      const description = str(ctx.input, 'Description', { max: 8192 }, fail) ?? '';
      oneOf(ctx.input, 'KeyUsage', ['ENCRYPT_DECRYPT'] as const, {}, fail);
      oneOf(ctx.input, 'KeySpec', ['SYMMETRIC_DEFAULT'] as const, {}, fail);
      oneOf(ctx.input, 'Origin', ['AWS_KMS'] as const, {}, fail);
      if (bool(ctx.input, 'MultiRegion', fail))
        throw new AwsError('UnsupportedOperationException', 'The emulator makes single-Region keys only.', {
          status: 400,
        });
      const hex = ctx.world.id('kms-key', 32, '0123456789abcdef');
      const keyId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
      const arn = `arn:aws:kms:${ctx.region}:${ctx.caller.accountId}:key/${keyId}`;
      const given = str(ctx.input, 'Policy', { min: 1, max: 32768 }, fail);
      const policy = given ?? defaultKeyPolicy(ctx.caller.accountId);
      if (given !== undefined) {
        checkPolicyText(given);
        lockoutCheck(ctx, given, arn);
      }
      const key: KmsKey = {
        keyId,
        arn,
        accountId: ctx.caller.accountId,
        region: ctx.region,
        createdAt: new Date(),
        description,
        state: 'Enabled',
        policy,
        rotation: false,
        rotationPeriodInDays: 365,
        tags: tagsIn(ctx),
      };
      storeOf(ctx.world, ctx.caller.accountId).keys[keyId] = key;
      return { KeyMetadata: metadata(key) };
    },

    DescribeKey(ctx: Ctx) {
      return { KeyMetadata: metadata(keyFor(ctx, { aliases: true })) };
    },

    ListKeys(ctx: Ctx) {
      int(ctx.input, 'Limit', { min: 1, max: 1000 }, fail);
      const keys = Object.values(storeOf(ctx.world, ctx.caller.accountId).keys).filter((k) => k.region === ctx.region);
      const p = ctx.paginate(
        keys.map((k) => ({ KeyId: k.keyId, KeyArn: k.arn })),
        ctx.input.Marker,
        ctx.input.Limit,
      );
      return { Keys: p.items, Truncated: !!p.nextToken, ...(p.nextToken ? { NextMarker: p.nextToken } : {}) };
    },

    ListAliases(ctx: Ctx) {
      int(ctx.input, 'Limit', { min: 1, max: 100 }, fail);
      const s = storeOf(ctx.world, ctx.caller.accountId);
      let aliases = s.aliases.filter((a) => a.region === ctx.region);
      if (ctx.input.KeyId !== undefined) {
        const key = keyFor(ctx);
        aliases = aliases.filter((a) => a.keyId === key.keyId);
      }
      const p = ctx.paginate(
        aliases.map((a) => ({
          AliasName: a.name,
          AliasArn: `arn:aws:kms:${a.region}:${ctx.caller.accountId}:${a.name}`,
          TargetKeyId: a.keyId,
          CreationDate: a.createdAt,
        })),
        ctx.input.Marker,
        ctx.input.Limit,
      );
      return { Aliases: p.items, Truncated: !!p.nextToken, ...(p.nextToken ? { NextMarker: p.nextToken } : {}) };
    },

    CreateAlias(ctx: Ctx) {
      const name = aliasName(ctx);
      const key = aliasTarget(ctx);
      const s = storeOf(ctx.world, ctx.caller.accountId);
      if (s.aliases.some((a) => a.name === name && a.region === ctx.region)) {
        throw new AwsError(
          'AlreadyExistsException',
          `An alias with the name arn:aws:kms:${ctx.region}:${ctx.caller.accountId}:${name} already exists`,
          { status: 400 },
        );
      }
      s.aliases.push({ name, region: ctx.region, keyId: key.keyId, createdAt: new Date() });
      return {};
    },

    UpdateAlias(ctx: Ctx) {
      const name = aliasName(ctx);
      const key = aliasTarget(ctx);
      const a = storeOf(ctx.world, ctx.caller.accountId).aliases.find(
        (x) => x.name === name && x.region === ctx.region,
      );
      if (!a) throw notFound(`Alias arn:aws:kms:${ctx.region}:${ctx.caller.accountId}:${name} is not found.`);
      a.keyId = key.keyId;
      return {};
    },

    DeleteAlias(ctx: Ctx) {
      const name = aliasName(ctx);
      const s = storeOf(ctx.world, ctx.caller.accountId);
      const i = s.aliases.findIndex((x) => x.name === name && x.region === ctx.region);
      if (i < 0) throw notFound(`Alias arn:aws:kms:${ctx.region}:${ctx.caller.accountId}:${name} is not found.`);
      s.aliases.splice(i, 1);
      return {};
    },

    GetKeyPolicy(ctx: Ctx) {
      const key = keyFor(ctx);
      const name = str(ctx.input, 'PolicyName', { min: 1, max: 128 }, fail) ?? 'default';
      if (name !== 'default') throw notFound(`No such policy exists: ${name}`);
      return { Policy: key.policy, PolicyName: 'default' };
    },

    PutKeyPolicy(ctx: Ctx) {
      const key = keyFor(ctx);
      const name = str(ctx.input, 'PolicyName', { min: 1, max: 128 }, fail) ?? 'default';
      if (name !== 'default') throw notFound(`No such policy exists: ${name}`);
      const policy = str(ctx.input, 'Policy', { required: true, min: 1, max: 32768 }, fail)!;
      usable(key, true);
      checkPolicyText(policy);
      lockoutCheck(ctx, policy, key.arn);
      key.policy = policy;
      return {};
    },

    GetKeyRotationStatus(ctx: Ctx) {
      const key = keyFor(ctx);
      if (key.state === 'PendingDeletion') throw invalidState(`${key.arn} is pending deletion.`);
      return {
        KeyRotationEnabled: key.rotation,
        KeyId: key.arn,
        ...(key.rotation
          ? {
              RotationPeriodInDays: key.rotationPeriodInDays,
              NextRotationDate: new Date(key.createdAt.getTime() + key.rotationPeriodInDays * 86400_000),
            }
          : {}),
      };
    },

    // Automatic rotation: every 90 to 2,560 days, 365 by default.
    EnableKeyRotation(ctx: Ctx) {
      const key = keyFor(ctx);
      const period = int(ctx.input, 'RotationPeriodInDays', { min: 90, max: 2560 }, fail);
      usable(key);
      key.rotation = true;
      if (period !== undefined) key.rotationPeriodInDays = period;
      return {};
    },

    DisableKeyRotation(ctx: Ctx) {
      const key = keyFor(ctx);
      usable(key);
      key.rotation = false;
      return {};
    },

    EnableKey(ctx: Ctx) {
      const key = keyFor(ctx);
      if (key.state === 'PendingDeletion') throw invalidState(`${key.arn} is pending deletion.`);
      key.state = 'Enabled';
      return {};
    },

    DisableKey(ctx: Ctx) {
      const key = keyFor(ctx);
      if (key.state === 'PendingDeletion') throw invalidState(`${key.arn} is pending deletion.`);
      key.state = 'Disabled';
      return {};
    },

    // Deletion waits 7 to 30 days (default 30); until then CancelKeyDeletion brings the key back, disabled.
    ScheduleKeyDeletion(ctx: Ctx) {
      const key = keyFor(ctx);
      const days = int(ctx.input, 'PendingWindowInDays', { min: 7, max: 30 }, fail) ?? 30;
      if (key.state === 'PendingDeletion') throw invalidState(`${key.arn} is pending deletion.`);
      key.state = 'PendingDeletion';
      key.pendingWindowInDays = days;
      key.deletionDate = new Date(Date.now() + days * 86400_000);
      return { KeyId: key.arn, DeletionDate: key.deletionDate, KeyState: key.state, PendingWindowInDays: days };
    },

    CancelKeyDeletion(ctx: Ctx) {
      const key = keyFor(ctx);
      if (key.state !== 'PendingDeletion') throw invalidState(`${key.arn} is not pending deletion.`);
      key.state = 'Disabled';
      delete key.deletionDate;
      delete key.pendingWindowInDays;
      return { KeyId: key.arn };
    },

    TagResource(ctx: Ctx) {
      const key = keyFor(ctx);
      usable(key, true);
      Object.assign(key.tags, tagsIn(ctx));
      return {};
    },

    UntagResource(ctx: Ctx) {
      const key = keyFor(ctx);
      usable(key, true);
      for (const k of (ctx.input.TagKeys ?? []) as string[]) delete key.tags[k];
      return {};
    },

    ListResourceTags(ctx: Ctx) {
      const key = keyFor(ctx);
      return { Tags: Object.entries(key.tags).map(([TagKey, TagValue]) => ({ TagKey, TagValue })), Truncated: false };
    },
  },
  drift: {
    /** `{account?, key?, state}`: a key disabled or scheduled for deletion behind the tool's back ('Disabled' | 'PendingDeletion'). */
    'key-state'(d) {
      const s = storeOf(d.world, d.accountId);
      const keys = Object.values(s.keys);
      const key = d.params.key
        ? (keys.find((k) => k.keyId === d.params.key || k.arn === d.params.key) ??
          s.keys[s.aliases.find((a) => a.name === d.params.key)?.keyId ?? ''])
        : keys.length === 1
          ? keys[0]
          : undefined;
      if (!key) throw d.error(`no such key in account ${d.accountId} (name one with key: ID, ARN or alias)`);
      if (d.params.state !== 'Disabled' && d.params.state !== 'PendingDeletion')
        throw d.error('state must be Disabled or PendingDeletion');
      key.state = d.params.state;
      if (key.state === 'PendingDeletion') {
        key.pendingWindowInDays = 30;
        key.deletionDate = new Date(Date.now() + 30 * 86400_000);
      }
      return { key: key.arn, state: key.state };
    },
    /** `{account?, key?}`: automatic rotation turned off. */
    'rotation-off'(d) {
      const keys = Object.values(storeOf(d.world, d.accountId).keys);
      const key = d.params.key
        ? keys.find((k) => k.keyId === d.params.key || k.arn === d.params.key)
        : keys.length === 1
          ? keys[0]
          : undefined;
      if (!key) throw d.error(`no such key in account ${d.accountId}`);
      key.rotation = false;
      return { key: key.arn, rotation: false };
    },
  },
};
