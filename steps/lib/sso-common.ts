// Shared by the Identity Center steps (instance, permission sets, identity store,
// assignments, profiles, leave-root) and the `profiles` command: output keys, the region
// every sso-admin / identitystore call goes to, the assignment matrix, and profile names.
import { StepError, type RunContext, type StepContext } from '../contract.js';
import type { Baseline } from '../../config/schema.js';
import { profileName, renderProfiles, type ProfileInput, type Section } from '../../profiles/render.js';
import { isAwsError } from '../../aws/errors.js';

export const SSO_KEYS = {
  instanceArn: 'sso.instanceArn',
  identityStoreId: 'sso.identityStoreId',
  region: 'sso.region',
  startUrl: 'sso.startUrl',
} as const;

export const permissionSetKey = (name: string): string => `permissionSet.${name}.arn`;
export const groupKey = (name: string): string => `group.${name}.id`;
export const userKey = (userName: string): string => `user.${userName}.id`;
/** The account ID output of an assignment target: the management account or a member by name. */
export const accountIdKey = (account: string): string =>
  account === 'management' ? 'management.accountId' : `${account}.accountId`;

export const startUrlFor = (identityStoreId: string): string => `https://${identityStoreId}.awsapps.com/start`;
export const consoleLink = (region: string): string =>
  `https://${region}.console.aws.amazon.com/singlesignon/home?region=${region}#/`;

/** Identity Center lives in one region (its home); before it is known, plan with the baseline's home region. */
export const ssoRegion = (ctx: StepContext): string => ctx.value(SSO_KEYS.region) ?? ctx.want.homeRegion;
/** Both an action's Target and a CallTarget for reads. */
export const ssoTarget = (region: string): { account: string; region: string } => ({ account: 'management', region });

/** Whether the Identity Center instance is known (its observe found it). */
export const ssoKnown = (ctx: StepContext): boolean =>
  ctx.value(SSO_KEYS.instanceArn) !== undefined && ctx.value(SSO_KEYS.identityStoreId) !== undefined;

export interface AssignmentWant {
  group: string;
  permissionSet: string;
  /** 'management' or a member account name from the config. */
  account: string;
}

/** The matrix expanded: `*` is the management account then every member account, in config order; no duplicates. */
export function expandAssignments(want: Baseline): AssignmentWant[] {
  const all = ['management', ...want.accounts.map((a) => a.name)];
  const out: AssignmentWant[] = [];
  const seen = new Set<string>();
  for (const a of want.identityCenter.assignments) {
    const accounts = a.accounts.includes('*') ? all : all.filter((n) => a.accounts.includes(n));
    for (const account of accounts) {
      const key = assignmentId({ group: a.group, permissionSet: a.permissionSet, account });
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ group: a.group, permissionSet: a.permissionSet, account });
    }
  }
  return out;
}

export const assignmentId = (a: AssignmentWant): string => `${a.group}|${a.permissionSet}|${a.account}`;

/** The founder's (account, permission set) pairs through their groups, management first, no duplicates. */
export function founderAccess(want: Baseline): { account: string; permissionSet: string }[] {
  const groups = new Set(want.identityCenter.founderGroups);
  const out: { account: string; permissionSet: string }[] = [];
  const seen = new Set<string>();
  for (const a of expandAssignments(want)) {
    if (!groups.has(a.group)) continue;
    const k = `${a.account}|${a.permissionSet}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push({ account: a.account, permissionSet: a.permissionSet });
  }
  return sortAccess(want, out);
}

/** Management first, then members in config order, then permission sets in config order. */
export function sortAccess<T extends { account: string; permissionSet: string }>(want: Baseline, xs: T[]): T[] {
  const accountOrder = ['management', ...want.accounts.map((a) => a.name)];
  const setOrder = want.identityCenter.permissionSets.map((s) => s.name);
  const rank = (list: string[], v: string) => {
    const i = list.indexOf(v);
    return i < 0 ? list.length : i;
  };
  return [...xs].sort(
    (a, b) =>
      rank(accountOrder, a.account) - rank(accountOrder, b.account) ||
      (a.account < b.account ? -1 : a.account > b.account ? 1 : 0) ||
      rank(setOrder, a.permissionSet) - rank(setOrder, b.permissionSet) ||
      (a.permissionSet < b.permissionSet ? -1 : a.permissionSet > b.permissionSet ? 1 : 0),
  );
}

/**
 * The profile the founder continues with on the management account: an AdministratorAccess
 * assignment on it through their groups, else the first set they have there.
 */
export function managementAdminProfile(want: Baseline): string | undefined {
  const onMgmt = founderAccess(want).filter((a) => a.account === 'management');
  const pick = onMgmt.find((a) => a.permissionSet === 'AdministratorAccess') ?? onMgmt[0];
  return pick ? profileName(want.org.slug, 'management', pick.permissionSet) : undefined;
}

export interface ProfileEntry {
  account: string;
  accountId: string;
  permissionSet: string;
}

/** The `aws configure sso` sections for these (account, set) pairs. */
export function profileSections(p: {
  slug: string;
  startUrl: string;
  ssoRegion: string;
  region: string;
  entries: ProfileEntry[];
}): Section[] {
  const profiles: ProfileInput[] = p.entries.map((e) => ({
    name: profileName(p.slug, e.account, e.permissionSet),
    accountId: e.accountId,
    roleName: e.permissionSet,
    region: p.region,
  }));
  return renderProfiles({ session: p.slug, startUrl: p.startUrl, ssoRegion: p.ssoRegion, profiles });
}

/** `PT8H` → 8; `PT1H30M` → 1.5; anything else → undefined. */
export function durationHours(iso: string | undefined): number | undefined {
  const m = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?$/.exec(iso ?? '');
  if (!m || (!m[1] && !m[2] && !m[3])) return undefined;
  return Number(m[1] ?? 0) + Number(m[2] ?? 0) / 60 + Number(m[3] ?? 0) / 3600;
}
export const isoHours = (h: number): string => `PT${h}H`;

/**
 * Runs `fn` (a create/delete of an assignment or a provisioning, and the wait for it) while no
 * other such operation on the same permission set runs in this run: Identity Center refuses a
 * second one with ConflictException until the first finishes
 * (https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_CreateAccountAssignment.html#API_CreateAccountAssignment_Errors;
 * aws-samples/assignment-automation-4-aws-sso#8). Different permission sets go in parallel.
 */
export function onePerPermissionSet<T>(ctx: RunContext, permissionSetArn: string, fn: () => Promise<T>): Promise<T> {
  return ctx.exclusive(`sso-admin:permission-set:${permissionSetArn}`, fn);
}

/**
 * Polling an Identity Center request: usually seconds on AWS, sometimes less. Looking soon and
 * then doubling costs the same number of looks over ten seconds as starting later (about eight),
 * and sees a quick one at once.
 */
export const SSO_POLL = { firstDelayMs: 50, factor: 2, maxDelayMs: 5_000, timeoutMs: 15 * 60_000 };

/** ConflictException: another change to the same permission set is still being applied; try again shortly. */
export async function retryConflict<T>(
  ctx: RunContext,
  what: string,
  fn: () => Promise<T>,
  done?: () => Promise<boolean>,
): Promise<T | undefined> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (!isAwsError(e, 'ConflictException')) throw e;
      if (done && (await done())) return undefined;
      if (attempt >= 6)
        throw new StepError(
          `${what}: AWS kept answering that another Identity Center change is still in progress.`,
          'Wait a minute and run again.',
        );
      await ctx.sleep(500 * 2 ** attempt);
    }
  }
}
