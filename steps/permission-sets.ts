// Identity Center permission sets (AdministratorAccess, PowerUser, ReadOnly, Billing by
// default): found by name (CreatePermissionSet has no idempotency token), created with their
// session duration and AWS managed policies. Drift in the duration, description or policies
// is corrected in place; accounts that then run an outdated copy (AWS lists them as
// LATEST_PERMISSION_SET_NOT_PROVISIONED) get it re-provisioned, and that wait is recorded in
// the state file before polling, so a crash resumes it.
// Covers: SSB ACCT.04 (least-privilege permission sets), ACCT.13 (short sessions).
import { StepError, ref, type Action, type RunContext, type Step, type Val, stepConfig } from './contract.js';
import { z } from 'zod';
import { PERMISSION_SET_NAME, dupes, groupNameRule, isPlaceholder } from '../config/schema.js';
import { MANAGED, defaultAssignments } from '../config/defaults.js';
import { ProfileConfigError, profileName } from '../profiles/render.js';
import type { Baseline } from '../config/schema.js';
import { mapLimit } from './lib/map-limit.js';
import { findExisting } from './lib/eventual.js';
import {
  SSO_KEYS,
  SSO_POLL,
  durationHours,
  isoHours,
  onePerPermissionSet,
  permissionSetKey,
  retryConflict,
  ssoKnown,
  ssoRegion,
  ssoTarget,
} from './lib/sso-common.js';
import { isAwsError } from '../aws/errors.js';

export interface SetFound {
  arn: string;
  sessionDuration?: string;
  description?: string;
  /** AWS managed policy ARNs attached. */
  policies: string[];
  /** Accounts where an older version of the set is provisioned. */
  outdated: string[];
  /** A ProvisionPermissionSet request still IN_PROGRESS. */
  provisioning?: string;
}

export interface PermissionSetsSeen {
  instanceArn: Val;
  region: string;
  found: Record<string, SetFound>;
}

type Want = Baseline['identityCenter']['permissionSets'][number];

export const provisionKey = (name: string): string => `provision:${name}`;

async function findByName(ctx: RunContext, instanceArn: string, name: string): Promise<string | undefined> {
  const arns = (
    await ctx.aws.pages('sso-admin', 'ListPermissionSets', { InstanceArn: instanceArn }, ctx.target)
  ).flatMap((p) => p.PermissionSets ?? []);
  for (const arn of arns) {
    const d = (
      await ctx.aws.call(
        'sso-admin',
        'DescribePermissionSet',
        { InstanceArn: instanceArn, PermissionSetArn: arn },
        ctx.target,
      )
    ).PermissionSet;
    if (d?.Name === name) return arn;
  }
  return undefined;
}

async function waitProvisioned(ctx: RunContext, instanceArn: string, name: string, requestId: string): Promise<void> {
  const status = await ctx.poll(
    `provisioning permission set ${name} in the accounts it is assigned to (usually 5-20 seconds)`,
    async () => {
      const s = (
        await ctx.aws.call(
          'sso-admin',
          'DescribePermissionSetProvisioningStatus',
          { InstanceArn: instanceArn, ProvisionPermissionSetRequestId: requestId },
          ctx.target,
        )
      ).PermissionSetProvisioningStatus;
      return s && s.Status !== 'IN_PROGRESS' ? s : undefined;
    },
    SSO_POLL,
  );
  await ctx.clearInflight(provisionKey(name));
  if (status.Status !== 'SUCCEEDED') {
    throw new StepError(
      `Re-provisioning the permission set ${name} failed${status.FailureReason ? `: ${status.FailureReason}` : ''}.`,
      'Check the permission set in the IAM Identity Center console (Permission sets → ' +
        name +
        ' → Accounts), then run again.',
    );
  }
}

function createActions(want: Baseline, s: Want, seen: PermissionSetsSeen): Action[] {
  const target = ssoTarget(seen.region);
  const key = permissionSetKey(s.name);
  const input = {
    InstanceArn: seen.instanceArn,
    Name: s.name,
    ...(s.description ? { Description: s.description } : {}),
    SessionDuration: isoHours(s.sessionHours),
  };
  const create: Action = {
    kind: 'call',
    symbol: '+',
    service: 'sso-admin',
    operation: 'CreatePermissionSet',
    input,
    target,
    summary: `+ sso-admin:CreatePermissionSet ${s.name} (${s.sessionHours} h sessions)`,
    produces: [key],
    async run(ctx) {
      const i = ctx.input as typeof input & { InstanceArn: string };
      try {
        const arn = (await ctx.aws.call('sso-admin', 'CreatePermissionSet', i, ctx.target)).PermissionSet
          ?.PermissionSetArn;
        if (!arn)
          throw new StepError(
            `AWS created the permission set ${s.name} but did not return its ARN.`,
            'Run again: it will be found by its name.',
          );
        return { [key]: arn };
      } catch (e) {
        // Made by a run that stopped before it saw the answer: adopt it.
        if (!isAwsError(e, 'ConflictException')) throw limitError(e, want) ?? e;
        const arn = await findExisting(ctx, `the permission set ${s.name}`, () =>
          findByName(ctx, i.InstanceArn, s.name),
        );
        if (!arn) throw e;
        return { [key]: arn };
      }
    },
  };
  return [create, ...s.managedPolicies.map((p) => attachAction(s.name, seen, ref(key), p, '+'))];
}

function limitError(e: unknown, want: Baseline): StepError | undefined {
  if (!isAwsError(e, 'ServiceQuotaExceededException')) return undefined;
  return new StepError(
    `Identity Center refused another permission set: the instance is at its quota (${(e as Error).message}).`,
    `Delete permission sets you no longer use in the IAM Identity Center console, or ask for a higher quota; this baseline needs ${want.identityCenter.permissionSets.length}.`,
  );
}

function attachAction(name: string, seen: PermissionSetsSeen, arn: Val, policy: string, symbol: '+' | '~'): Action {
  const input = { InstanceArn: seen.instanceArn, PermissionSetArn: arn, ManagedPolicyArn: policy };
  return {
    kind: 'call',
    symbol,
    service: 'sso-admin',
    operation: 'AttachManagedPolicyToPermissionSet',
    input,
    target: ssoTarget(seen.region),
    summary: `${symbol} sso-admin:AttachManagedPolicyToPermissionSet ${name} ← ${policy.replace('arn:aws:iam::aws:policy/', '')}`,
    async run(ctx) {
      const i = ctx.input as { InstanceArn: string; PermissionSetArn: string; ManagedPolicyArn: string };
      await retryConflict(
        ctx,
        `attaching ${policy} to ${name}`,
        () => ctx.aws.call('sso-admin', 'AttachManagedPolicyToPermissionSet', i, ctx.target),
        async () => {
          // "Already attached" is also a ConflictException.
          const pages = await ctx.aws.pages(
            'sso-admin',
            'ListManagedPoliciesInPermissionSet',
            { InstanceArn: i.InstanceArn, PermissionSetArn: i.PermissionSetArn },
            ctx.target,
          );
          return pages.flatMap((p) => p.AttachedManagedPolicies ?? []).some((m) => m.Arn === policy);
        },
      );
    },
  };
}

function detachAction(name: string, seen: PermissionSetsSeen, arn: string, policy: string): Action {
  const input = { InstanceArn: seen.instanceArn, PermissionSetArn: arn, ManagedPolicyArn: policy };
  return {
    kind: 'call',
    symbol: '-',
    service: 'sso-admin',
    operation: 'DetachManagedPolicyFromPermissionSet',
    input,
    target: ssoTarget(seen.region),
    summary: `- sso-admin:DetachManagedPolicyFromPermissionSet ${name} → ${policy.replace('arn:aws:iam::aws:policy/', '')} (not in the baseline)`,
    async run(ctx) {
      const i = ctx.input as { InstanceArn: string; PermissionSetArn: string; ManagedPolicyArn: string };
      try {
        await retryConflict(ctx, `detaching ${policy} from ${name}`, () =>
          ctx.aws.call('sso-admin', 'DetachManagedPolicyFromPermissionSet', i, ctx.target),
        );
      } catch (e) {
        if (!isAwsError(e, 'ResourceNotFoundException')) throw e; // already gone
      }
    },
  };
}

function updateAction(s: Want, seen: PermissionSetsSeen, f: SetFound): Action {
  const input = {
    InstanceArn: seen.instanceArn,
    PermissionSetArn: f.arn,
    SessionDuration: isoHours(s.sessionHours),
    ...(s.description ? { Description: s.description } : {}),
  };
  const what: string[] = [];
  const hours = durationHours(f.sessionDuration);
  if (hours !== s.sessionHours)
    what.push(`session ${hours === undefined ? (f.sessionDuration ?? 'unset') : `${hours} h`} → ${s.sessionHours} h`);
  if (s.description && s.description !== (f.description ?? '')) what.push('description');
  return {
    kind: 'call',
    symbol: '~',
    service: 'sso-admin',
    operation: 'UpdatePermissionSet',
    input,
    target: ssoTarget(seen.region),
    summary: `~ sso-admin:UpdatePermissionSet ${s.name} (${what.join(', ')})`,
    async run(ctx) {
      const i = ctx.input as typeof input & { InstanceArn: string };
      await retryConflict(ctx, `updating ${s.name}`, () =>
        ctx.aws.call('sso-admin', 'UpdatePermissionSet', i, ctx.target),
      );
    },
  };
}

function provisionAction(name: string, seen: PermissionSetsSeen, f: SetFound): Action {
  const input = {
    InstanceArn: seen.instanceArn,
    PermissionSetArn: f.arn,
    TargetType: 'ALL_PROVISIONED_ACCOUNTS' as const,
  };
  const resume = f.provisioning;
  return {
    kind: 'call',
    symbol: '~',
    service: 'sso-admin',
    operation: resume ? 'DescribePermissionSetProvisioningStatus' : 'ProvisionPermissionSet',
    input: resume ? { InstanceArn: seen.instanceArn, ProvisionPermissionSetRequestId: resume } : input,
    target: ssoTarget(seen.region),
    summary: resume
      ? `~ sso-admin:ProvisionPermissionSet ${name}: already requested (${resume}), wait for it`
      : `~ sso-admin:ProvisionPermissionSet ${name} to ${f.outdated.length} account${f.outdated.length === 1 ? '' : 's'} running an older copy (${f.outdated.join(', ')})`,
    async run(ctx) {
      await onePerPermissionSet(ctx, f.arn, () => provision(ctx));
    },
  };

  async function provision(ctx: RunContext): Promise<void> {
    const instanceArn = (ctx.input as { InstanceArn: string }).InstanceArn;
    let requestId = resume;
    if (!requestId) {
      const out = await retryConflict(ctx, `provisioning ${name}`, () =>
        ctx.aws.call('sso-admin', 'ProvisionPermissionSet', { ...input, InstanceArn: instanceArn }, ctx.target),
      );
      requestId = out?.PermissionSetProvisioningStatus?.RequestId;
      if (!requestId)
        throw new StepError(
          `AWS accepted re-provisioning ${name} but returned no request ID.`,
          'Run again in a minute.',
        );
      if (out?.PermissionSetProvisioningStatus?.Status === 'FAILED') {
        throw new StepError(
          `Re-provisioning the permission set ${name} failed: ${out.PermissionSetProvisioningStatus.FailureReason ?? 'no reason given'}.`,
          'Run again; if it fails again, check the set in the IAM Identity Center console.',
        );
      }
    }
    // Saved before waiting: after a crash the next run resumes this wait.
    if (!ctx.inflight(provisionKey(name)))
      await ctx.recordInflight(provisionKey(name), {
        service: 'sso-admin',
        operation: 'ProvisionPermissionSet',
        requestId,
      });
    await waitProvisioned(ctx, instanceArn, name, requestId);
  }
}

/** Identity Center in the config: permission sets, groups, which group gets which set where. */
export const config = stepConfig({
  key: 'identityCenter',
  schema: ({ ruled }) =>
    z.strictObject({
      permissionSets: z
        .array(
          z.strictObject({
            name: z
              .string()
              .regex(PERMISSION_SET_NAME, 'a permission set name must be 1 to 32 letters, digits or + = , . @ _ -'),
            description: z.string().max(700).optional(),
            managedPolicies: z
              .array(
                z
                  .string()
                  .regex(
                    /^arn:aws:iam::aws:policy\/[\w+=,.@/-]+$/,
                    'a managed policy must be an AWS managed policy ARN such as arn:aws:iam::aws:policy/ReadOnlyAccess',
                  ),
              )
              .max(10, 'at most 10 managed policies per permission set (the IAM Identity Center quota)'),
            sessionHours: z
              .number({ error: 'the session duration must be a number of hours' })
              .int('the session duration must be whole hours')
              .min(1, 'the session duration must be at least 1 hour')
              .max(12, 'the session duration must be at most 12 hours'),
          }),
        )
        .min(1),
      groups: z.array(
        z.strictObject({ name: ruled(groupNameRule, 'the group name'), description: z.string().max(1024).optional() }),
      ),
      /** accounts: account names, 'management', or '*' for every account including management. */
      assignments: z.array(
        z.strictObject({
          group: z.string(),
          permissionSet: z.string(),
          accounts: z.array(z.string()).min(1),
        }),
      ),
      founderGroups: z.array(z.string()),
    }),
  defaults: (d) => ({
    permissionSets: [
      { name: 'AdministratorAccess', description: 'Full access', managedPolicies: [MANAGED.admin], sessionHours: 8 },
      {
        name: 'PowerUser',
        description: 'Everything except IAM and Organizations',
        managedPolicies: [MANAGED.power],
        sessionHours: 8,
      },
      { name: 'ReadOnly', description: 'Read-only access', managedPolicies: [MANAGED.readOnly], sessionHours: 8 },
      {
        name: 'Billing',
        description: 'Billing and cost management',
        managedPolicies: [MANAGED.billing],
        sessionHours: 8,
      },
    ],
    groups: [
      { name: 'Admins', description: 'Administrators of every account' },
      { name: 'Developers', description: 'Build in dev, read prod' },
      { name: 'Auditors', description: 'Read-only view of every account' },
      { name: 'Billing', description: 'Billing and cost management' },
    ],
    assignments: defaultAssignments(d.accountNames, d.logArchiveAccount, d.auditAccount),
    founderGroups: ['Admins'],
  }),
  check(b, issue): void {
    const names = b.accounts.map((a) => a.name);
    const ic = b.identityCenter;
    const sets = new Set(ic.permissionSets.map((s) => s.name));
    const groups = new Set(ic.groups.map((g) => g.name));
    dupes(ic.permissionSets.map((s) => s.name)).forEach((n) =>
      issue(['identityCenter', 'permissionSets'], `lists "${n}" twice`),
    );
    dupes(ic.groups.map((g) => g.name)).forEach((n) => issue(['identityCenter', 'groups'], `lists "${n}" twice`));
    ic.assignments.forEach((a, i) => {
      if (!groups.has(a.group))
        issue(['identityCenter', 'assignments', i, 'group'], `"${a.group}" is not one of the groups`);
      if (!sets.has(a.permissionSet))
        issue(
          ['identityCenter', 'assignments', i, 'permissionSet'],
          `"${a.permissionSet}" is not one of the permission sets`,
        );
      a.accounts.forEach((acc) => {
        if (acc !== '*' && acc !== 'management' && !names.includes(acc))
          issue(
            ['identityCenter', 'assignments', i, 'accounts'],
            `"${acc}" is not an account (use '*', 'management' or one of ${names.join(', ')})`,
          );
      });
    });
    ic.founderGroups.forEach((g, i) => {
      if (!groups.has(g)) issue(['identityCenter', 'founderGroups', i], `"${g}" is not one of the groups`);
    });
    if (isPlaceholder(b.org.slug)) return;
    // Each of the founder's (account, permission set) pairs becomes one AWS CLI profile.
    const byName = new Map<string, string[]>();
    for (const a of founderPairs(b)) {
      let name: string;
      try {
        name = profileName(b.org.slug, a.account, a.permissionSet);
      } catch (e) {
        if (!(e instanceof ProfileConfigError)) throw e;
        issue(
          ['identityCenter', 'assignments'],
          `cannot name an AWS CLI profile for ${a.account} × ${a.permissionSet}: ${e.message}`,
        );
        continue;
      }
      byName.set(name, [...(byName.get(name) ?? []), `${a.account} × ${a.permissionSet}`]);
    }
    for (const [name, pairs] of byName) {
      if (pairs.length > 1)
        issue(
          ['identityCenter', 'assignments'],
          `${pairs.join(' and ')} would both be the AWS CLI profile "${name}" (profiles are named <short name>-<account>-<permission set>); rename an account or a permission set`,
        );
    }
  },
});

/**
 * The founder's (account, permission set) pairs through their groups, no duplicates: the same
 * expansion as steps/lib/sso-common.ts founderAccess ('*' is management and every account).
 */
function founderPairs(b: Baseline): { account: string; permissionSet: string }[] {
  const all = ['management', ...b.accounts.map((a) => a.name)];
  const groups = new Set(b.identityCenter.founderGroups);
  const seen = new Set<string>();
  const out: { account: string; permissionSet: string }[] = [];
  for (const a of b.identityCenter.assignments) {
    if (!groups.has(a.group)) continue;
    for (const account of a.accounts.includes('*') ? all : all.filter((n) => a.accounts.includes(n))) {
      const k = `${account}|${a.permissionSet}`;
      if (seen.has(k)) continue;
      seen.add(k);
      out.push({ account, permissionSet: a.permissionSet });
    }
  }
  return out;
}

export const permissionSets: Step<PermissionSetsSeen, typeof config> = {
  config,
  id: 'permission-sets',
  title: 'Identity Center permission sets',
  outputs: ['permissionSet.*.arn'],
  needs: ['identity-center-instance'],
  controls: ['SSB ACCT.04', 'SSB ACCT.13'],
  severity: 'medium',
  why: 'The permission sets decide what each group may do; a changed one can give more power than intended.',

  async observe(ctx) {
    if (!ssoKnown(ctx)) return permissionSets.fresh(ctx);
    const instanceArn = ctx.value(SSO_KEYS.instanceArn)!;
    const region = ssoRegion(ctx);
    const target = ssoTarget(region);
    const wanted = new Set(ctx.want.identityCenter.permissionSets.map((s) => s.name));
    const arns = (await ctx.aws.pages('sso-admin', 'ListPermissionSets', { InstanceArn: instanceArn }, target)).flatMap(
      (p) => p.PermissionSets ?? [],
    );
    const described = await mapLimit(
      arns,
      5,
      async (arn) =>
        (
          await ctx.aws.call(
            'sso-admin',
            'DescribePermissionSet',
            { InstanceArn: instanceArn, PermissionSetArn: arn },
            target,
          )
        ).PermissionSet,
    );
    const found: Record<string, SetFound> = {};
    await mapLimit(
      described.filter((d) => d?.Name && d.PermissionSetArn && wanted.has(d.Name) && !found[d.Name]),
      4,
      async (d) => {
        const arn = d!.PermissionSetArn!;
        const name = d!.Name!;
        const f: SetFound = {
          arn,
          policies: [],
          outdated: [],
          ...(d!.SessionDuration ? { sessionDuration: d!.SessionDuration } : {}),
          ...(d!.Description !== undefined ? { description: d!.Description } : {}),
        };
        found[name] = f;
        ctx.publish(permissionSetKey(name), arn);
        const [policies, outdated] = await Promise.all([
          ctx.aws.pages(
            'sso-admin',
            'ListManagedPoliciesInPermissionSet',
            { InstanceArn: instanceArn, PermissionSetArn: arn },
            target,
          ),
          ctx.aws.pages(
            'sso-admin',
            'ListAccountsForProvisionedPermissionSet',
            {
              InstanceArn: instanceArn,
              PermissionSetArn: arn,
              ProvisioningStatus: 'LATEST_PERMISSION_SET_NOT_PROVISIONED',
            },
            target,
          ),
        ]);
        f.policies = policies
          .flatMap((p) => p.AttachedManagedPolicies ?? [])
          .map((m) => m.Arn ?? '')
          .filter(Boolean);
        f.outdated = outdated.flatMap((p) => p.AccountIds ?? []);
        const rec = ctx.inflight(provisionKey(name));
        if (rec) {
          try {
            const s = (
              await ctx.aws.call(
                'sso-admin',
                'DescribePermissionSetProvisioningStatus',
                { InstanceArn: instanceArn, ProvisionPermissionSetRequestId: rec.requestId },
                target,
              )
            ).PermissionSetProvisioningStatus;
            if (s?.Status === 'IN_PROGRESS') f.provisioning = rec.requestId;
          } catch (e) {
            if (!isAwsError(e, 'ResourceNotFoundException')) throw e;
          }
        }
      },
    );
    return { instanceArn, region, found };
  },

  fresh: (ctx) => ({ instanceArn: ctx.ref(SSO_KEYS.instanceArn), region: ssoRegion(ctx), found: {} }),

  plan(want, seen) {
    const actions: Action[] = [];
    for (const s of want.identityCenter.permissionSets) {
      const f = seen.found[s.name];
      if (!f) {
        actions.push(...createActions(want, s, seen));
        continue;
      }
      const changes: Action[] = [];
      const descDiffers = s.description !== undefined && s.description !== (f.description ?? '');
      if (durationHours(f.sessionDuration) !== s.sessionHours || descDiffers) changes.push(updateAction(s, seen, f));
      for (const p of s.managedPolicies)
        if (!f.policies.includes(p)) changes.push(attachAction(s.name, seen, f.arn, p, '~'));
      for (const p of f.policies)
        if (!s.managedPolicies.includes(p)) changes.push(detachAction(s.name, seen, f.arn, p));
      actions.push(...changes);
      // Re-provision once the set itself matches (the next round observes the outdated accounts).
      if (!changes.length && (f.outdated.length || f.provisioning)) actions.push(provisionAction(s.name, seen, f));
    }
    return actions;
  },
};
