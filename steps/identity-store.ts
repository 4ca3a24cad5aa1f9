// Identity Center's identity store: the groups (Admins, Developers, Auditors, Billing by
// default), the founder's user and their group memberships. Each is looked up by its unique
// name (GetGroupId / GetUserId / GetGroupMembershipId) before it is created, and a
// ConflictException on create (made by a run that stopped before it saw the answer) adopts
// the existing one. Users created by API get no invitation email, and MFA has no API, so
// the founder is told how to get a password and to turn MFA on.
// Covers: SSB ACCT.03 (people sign in through Identity Center), ACCT.05 (MFA, guided).
import { ref, type Action, type RunContext, type Step, type Val } from './contract.js';
import { mapLimit } from './lib/map-limit.js';
import { SSO_KEYS, consoleLink, groupKey, ssoKnown, ssoRegion, ssoTarget, userKey } from './lib/sso-common.js';
import { findExisting } from './lib/eventual.js';
import { isAwsError } from '../aws/errors.js';

export interface IdentityStoreSeen {
  identityStoreId: Val;
  region: string;
  startUrl: Val;
  /** Group name → ID, for the groups that exist. */
  groups: Record<string, string>;
  /** The founder's user ID when the user exists. */
  userId?: string;
  /** Founder groups the founder is already a member of. */
  memberOf: string[];
}

const notFound = (e: unknown) => isAwsError(e, 'ResourceNotFoundException');

async function groupId(
  ctx: { aws: RunContext['aws'] },
  storeId: string,
  name: string,
  target: { account: string; region: string },
): Promise<string | undefined> {
  try {
    return (
      await ctx.aws.call(
        'identitystore',
        'GetGroupId',
        {
          IdentityStoreId: storeId,
          AlternateIdentifier: { UniqueAttribute: { AttributePath: 'displayName', AttributeValue: name } },
        },
        target,
      )
    ).GroupId;
  } catch (e) {
    if (notFound(e)) return undefined;
    throw e;
  }
}

async function userId(
  ctx: { aws: RunContext['aws'] },
  storeId: string,
  userName: string,
  target: { account: string; region: string },
): Promise<string | undefined> {
  try {
    return (
      await ctx.aws.call(
        'identitystore',
        'GetUserId',
        {
          IdentityStoreId: storeId,
          AlternateIdentifier: { UniqueAttribute: { AttributePath: 'userName', AttributeValue: userName } },
        },
        target,
      )
    ).UserId;
  } catch (e) {
    if (notFound(e)) return undefined;
    throw e;
  }
}

/** The ID the state file recorded, if AWS still has that group/user under the expected name. */
async function knownById(
  ctx: { aws: RunContext['aws'] },
  op: 'DescribeGroup' | 'DescribeUser',
  storeId: string,
  id: string | undefined,
  target: { account: string; region: string },
  same: (x: { DisplayName?: string; UserName?: string }) => boolean,
): Promise<string | undefined> {
  if (!id) return undefined;
  try {
    const x =
      op === 'DescribeGroup'
        ? await ctx.aws.call('identitystore', 'DescribeGroup', { IdentityStoreId: storeId, GroupId: id }, target)
        : await ctx.aws.call('identitystore', 'DescribeUser', { IdentityStoreId: storeId, UserId: id }, target);
    return same(x) ? id : undefined;
  } catch (e) {
    if (notFound(e)) return undefined;
    throw e;
  }
}

export const identityStore: Step<IdentityStoreSeen> = {
  id: 'identity-store',
  title: "Identity Center groups, the founder's user and memberships",
  outputs: ['group.*.id', 'user.*.id'],
  needs: ['identity-center-instance'],
  controls: ['SSB ACCT.03', 'SSB ACCT.05'],
  severity: 'medium',
  why: "The founder's user and the groups are who may sign in; without them nobody can use the accounts safely.",

  async observe(ctx) {
    if (!ssoKnown(ctx)) return identityStore.fresh(ctx);
    const storeId = ctx.value(SSO_KEYS.identityStoreId)!;
    const region = ssoRegion(ctx);
    const target = ssoTarget(region);
    const groups: Record<string, string> = {};
    await mapLimit(ctx.want.identityCenter.groups, 4, async (g) => {
      // A group made a moment ago may not be found by name yet: the ID this state file knows is read directly.
      const id =
        (await groupId(ctx, storeId, g.name, target)) ??
        (await knownById(
          ctx,
          'DescribeGroup',
          storeId,
          ctx.value(groupKey(g.name)),
          target,
          (x) => x.DisplayName === g.name,
        ));
      if (id) {
        groups[g.name] = id;
        ctx.publish(groupKey(g.name), id);
      }
    });
    const founder = ctx.want.founder.userName;
    const uid =
      (await userId(ctx, storeId, founder, target)) ??
      (await knownById(
        ctx,
        'DescribeUser',
        storeId,
        ctx.value(userKey(founder)),
        target,
        (x) => x.UserName === founder,
      ));
    const memberOf: string[] = [];
    if (uid) {
      ctx.publish(userKey(founder), uid);
      await mapLimit(
        ctx.want.identityCenter.founderGroups.filter((g) => groups[g]),
        4,
        async (g) => {
          try {
            await ctx.aws.call(
              'identitystore',
              'GetGroupMembershipId',
              { IdentityStoreId: storeId, GroupId: groups[g]!, MemberId: { UserId: uid } },
              target,
            );
            memberOf.push(g);
          } catch (e) {
            if (!notFound(e)) throw e;
          }
        },
      );
    }
    return {
      identityStoreId: storeId,
      region,
      startUrl: ctx.ref(SSO_KEYS.startUrl),
      groups,
      ...(uid ? { userId: uid } : {}),
      memberOf,
    };
  },

  fresh: (ctx) => ({
    identityStoreId: ctx.ref(SSO_KEYS.identityStoreId),
    region: ssoRegion(ctx),
    startUrl: ctx.ref(SSO_KEYS.startUrl),
    groups: {},
    memberOf: [],
  }),

  plan(want, seen) {
    const actions: Action[] = [];
    const target = ssoTarget(seen.region);
    for (const g of want.identityCenter.groups) {
      if (seen.groups[g.name]) continue;
      const key = groupKey(g.name);
      const input = {
        IdentityStoreId: seen.identityStoreId,
        DisplayName: g.name,
        ...(g.description ? { Description: g.description } : {}),
      };
      actions.push({
        kind: 'call',
        symbol: '+',
        service: 'identitystore',
        operation: 'CreateGroup',
        input,
        target,
        summary: `+ identitystore:CreateGroup ${g.name}`,
        produces: [key],
        async run(ctx) {
          const i = ctx.input as typeof input & { IdentityStoreId: string };
          try {
            return { [key]: (await ctx.aws.call('identitystore', 'CreateGroup', i, ctx.target)).GroupId! };
          } catch (e) {
            if (!isAwsError(e, 'ConflictException')) throw e;
            const id = await findExisting(ctx, `the group ${g.name}`, () =>
              groupId(ctx, i.IdentityStoreId, g.name, ctx.target),
            );
            if (!id) throw e;
            return { [key]: id };
          }
        },
      });
    }

    const f = want.founder;
    const uKey = userKey(f.userName);
    if (!seen.userId) {
      const input = {
        IdentityStoreId: seen.identityStoreId,
        UserName: f.userName,
        DisplayName: `${f.givenName} ${f.familyName}`,
        Name: { GivenName: f.givenName, FamilyName: f.familyName },
        Emails: [{ Value: f.email, Type: 'work', Primary: true }],
      };
      actions.push({
        kind: 'call',
        symbol: '+',
        service: 'identitystore',
        operation: 'CreateUser',
        input,
        target,
        summary: `+ identitystore:CreateUser ${f.userName} (${f.givenName} ${f.familyName}, ${f.email})`,
        produces: [uKey],
        async run(ctx) {
          const i = ctx.input as typeof input & { IdentityStoreId: string };
          try {
            return { [uKey]: (await ctx.aws.call('identitystore', 'CreateUser', i, ctx.target)).UserId! };
          } catch (e) {
            if (!isAwsError(e, 'ConflictException')) throw e;
            const id = await findExisting(ctx, `the user ${f.userName}`, () =>
              userId(ctx, i.IdentityStoreId, f.userName, ctx.target),
            );
            if (!id) throw e;
            return { [uKey]: id };
          }
        },
      });
      // Shown while the user is new: that is when the founder needs a password and MFA.
      const link = `${consoleLink(seen.region)}users`;
      actions.push({
        kind: 'manual',
        symbol: '!',
        service: 'console',
        operation: 'FounderPassword',
        input: {},
        target,
        summary: `! Give ${f.userName} a password: IAM Identity Center → Settings → turn on "Send email OTP", or Users → ${f.userName} → Reset password → one-time password`,
        manual: {
          instructions: [
            'Users created by API get no invitation email. Either:',
            `  - IAM Identity Center console → Settings → Authentication → Standard authentication → turn on "Send email OTP", and the first sign-in at the start URL (${String(seen.startUrl)}) emails ${f.email} a code; or`,
            `  - IAM Identity Center console → Users → ${f.userName} → "Reset password" → "Generate a one-time password", and use it at the start URL.`,
          ],
          why: 'The founder signs in through Identity Center from now on, with short-lived credentials instead of the root user.',
          link,
          blocking: false,
        },
      });
      actions.push({
        kind: 'manual',
        symbol: '!',
        service: 'console',
        operation: 'IdentityCenterMfa',
        input: {},
        target,
        summary:
          '! Require MFA at every Identity Center sign-in: IAM Identity Center → Settings → Authentication → Multi-factor authentication',
        manual: {
          instructions: [
            'IAM Identity Center console → Settings → Authentication → Multi-factor authentication → Configure:',
            'choose "Every time they sign in", allow authenticator apps and security keys, and "Require them to register an MFA device at sign in".',
          ],
          why: 'A stolen password alone must not open your AWS accounts (SSB ACCT.05); Identity Center has no API for this setting.',
          link: `${consoleLink(seen.region)}settings`,
          blocking: false,
        },
      });
    }

    for (const g of want.identityCenter.founderGroups) {
      if (seen.memberOf.includes(g)) continue;
      const gid: Val = seen.groups[g] ?? ref(groupKey(g));
      const uid: Val = seen.userId ?? ref(uKey);
      const input = { IdentityStoreId: seen.identityStoreId, GroupId: gid, MemberId: { UserId: uid } };
      actions.push({
        kind: 'call',
        symbol: '+',
        service: 'identitystore',
        operation: 'CreateGroupMembership',
        input,
        target,
        summary: `+ identitystore:CreateGroupMembership ${f.userName} → ${g}`,
        async run(ctx) {
          const i = ctx.input as { IdentityStoreId: string; GroupId: string; MemberId: { UserId: string } };
          try {
            await ctx.aws.call('identitystore', 'CreateGroupMembership', i, ctx.target);
          } catch (e) {
            // Already a member (a previous run got this far).
            if (!isAwsError(e, 'ConflictException')) throw e;
          }
        },
      });
    }
    return actions;
  },
};
