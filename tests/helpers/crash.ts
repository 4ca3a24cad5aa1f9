// Helpers for the crash, fault and wrong-place tests: the world every bootstrap starts from,
// a canonical form of the emulator's state dump that two equivalent worlds share, and explicit
// resource counts (so "no duplicates" is asserted, not only implied by equality).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BASIC_CONFIG, spawnCli, runCli, explain, type Emulator, type CliResult, type RunOptions } from './harness.js';

/**
 * The reliability bootstraps' config: basic.json (which leaves the default VPC deletion off: its
 * 408 identical deletes, 4 accounts × 17 regions, made every crash, Ctrl-C and storm case about
 * three times longer for no new recovery path; Security Hub is off, as it is asked) with EBS
 * encryption by default off too: its 85 reads and 85 identical puts (5 accounts × 17 regions)
 * were a third of every run's requests, repeated in each of the ~400 runs of the crash and
 * Ctrl-C matrices. Those calls are crashed and interrupted with basic.json in
 * crash-matrix-ebs.test.ts (the points those matrices took for them: first and last in each
 * account); the services shard and the fault storm's second seed run ALL_SERVICES_CONFIG,
 * which has all three on.
 */
export const RELIABILITY_CONFIG = join(BASIC_CONFIG, '../reliability.json');
export const ALL_SERVICES_CONFIG = join(BASIC_CONFIG, '../all-services.json');

/** Every reliability bootstrap: the founder's IAM admin user (root cannot AssumeRole). */
export const SCENARIO = 'fresh+iam-user';
export const HOME_REGION: string = JSON.parse(readFileSync(BASIC_CONFIG, 'utf8')).homeRegion;
export const APPLY = ['--yes', '--config', RELIABILITY_CONFIG];
/** APPLY with another config. */
export const applyWith = (config: string): string[] => ['--yes', '--config', config];

/**
 * The console actions a founder does by hand (no API exists): root MFA, and the Identity
 * Center organization instance in the home region. Done before a run so the bootstrap needs
 * no person and ends with exit 0.
 */
export function prepareWorld(emu: Emulator): void {
  emu.setRootMfa(true);
  emu.enableIdentityCenter(HOME_REGION);
}

/** A fresh world, prepared, with no faults, holds or latency overrides left over (every AWS behaviour on, at the instant profile's durations). */
export function resetWorld(emu: Emulator): void {
  emu.reset(SCENARIO);
  emu.clearFaults();
  emu.setLatency({ profile: 'instant', overrides: {} });
  emu.latency.behaviours = {};
  prepareWorld(emu);
}

type J = any;
const NAME_KEYS = [
  'name',
  'Name',
  'userName',
  'UserName',
  'roleName',
  'DisplayName',
  'GroupName',
  'BudgetName',
  'MonitorName',
  'SubscriptionName',
];
const ID_KEY = /^(id|Id|arn|Arn|ARN)$|(Id|Arn|ARN)$/;
// IDs that are the same whichever order things were created in.
// (IAM unique IDs such as AROA… may happen to have no digit: they are opaque all the same.)
const STABLE = (v: string) =>
  /^\d{12}$/.test(v) || ((!/\d/.test(v) || v.length < 8) && !/^A[A-Z]{3}[A-Z2-7]{12,}$/.test(v));

/**
 * Replaces every opaque generated ID (account IDs, OU/policy IDs, ARNs with random parts,
 * request IDs) by a label built from the resource's name, then sorts every list. Two worlds
 * built by the same requests in a different order (parallel creation, a crash, a retry)
 * compare equal; a duplicate or a missing resource still shows.
 */
export function canonicalState(input: J): J {
  const state = structuredClone(input);
  const labels = new Map<string, string>();
  const label = (id: unknown, l: string) => {
    if (typeof id === 'string' && id && !labels.has(id)) labels.set(id, `<${l}>`);
  };
  for (const [id, a] of Object.entries<J>(state.accounts ?? {})) label(id, `account:${a.name}`);
  for (const [orgId, org] of Object.entries<J>(state.orgs ?? {})) {
    label(orgId, 'org');
    label(org.root?.id, 'root');
    for (const [id, ou] of Object.entries<J>(org.ous ?? {})) label(id, `ou:${ou.name}`);
    for (const [id, p] of Object.entries<J>(org.policies ?? {})) label(id, `policy:${p.name}`);
    for (const s of org.createAccountStatuses ?? []) label(s.id, `create-account:${s.email}`);
  }
  // GuardDuty detectors: one per account and region, named by both.
  for (const [acct, st] of Object.entries<J>(state.stores ?? {})) {
    for (const [region, d] of Object.entries<J>(st.guardduty?.detectors ?? {}))
      label(d?.detectorId, `detector:${labels.get(acct) ?? acct}:${region}`);
  }
  // Anything else that has a name next to an opaque ID or ARN.
  const walk = (v: J) => {
    if (Array.isArray(v)) return v.forEach((x) => walk(x));
    if (!v || typeof v !== 'object') return;
    // Async request IDs (assignment, provisioning) depend only on call order.
    if (typeof v.RequestId === 'string') v.RequestId = '<request>';
    const nameKey = NAME_KEYS.find((k) => typeof v[k] === 'string');
    if (nameKey) {
      for (const [k, x] of Object.entries(v)) {
        if (typeof x === 'string' && ID_KEY.test(k) && !/^Account/.test(k) && !STABLE(x) && !labels.has(x))
          label(x, `${k}:${v[nameKey]}`);
      }
    }
    for (const x of Object.values(v)) walk(x);
  };
  walk(state);
  // Memberships are named by their group and user, once those have labels.
  const memberships = (v: J): void => {
    if (Array.isArray(v)) return v.forEach(memberships);
    if (!v || typeof v !== 'object') return;
    if (typeof v.MembershipId === 'string')
      label(v.MembershipId, `membership:${labels.get(v.GroupId) ?? v.GroupId}:${labels.get(v.UserId) ?? v.UserId}`);
    Object.values(v).forEach(memberships);
  };
  memberships(state);
  let text = JSON.stringify(state);
  // Longest first, so an ID inside a longer ARN is replaced as part of the ARN's label only
  // when the ARN itself has one.
  for (const [id, l] of [...labels].sort((a, b) => b[0].length - a[0].length)) text = text.split(id).join(l);
  // Identity Center's roles in each account end in a random suffix (AWSReservedSSO_<set>_<hex>).
  text = text.replace(/(AWSReservedSSO_[\w+=,.@-]+?)_[0-9a-f]{16}/g, '$1_<suffix>');
  return sortDeep(JSON.parse(text));
}

function sortDeep(v: J): J {
  if (Array.isArray(v))
    return v.map(sortDeep).sort((a, b) => (stable(a) < stable(b) ? -1 : stable(a) > stable(b) ? 1 : 0));
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sortDeep(v[k])]),
    );
  return v;
}
const stable = (v: J) => JSON.stringify(v);

/** Resource counts in a world, for explicit "exactly one of each" assertions. */
export function resourceCounts(state: J): Record<string, number> {
  const home = state.homeAccountId;
  const org: J = Object.values<J>(state.orgs ?? {}).find((o: J) => o.managementAccountId === home) ?? {};
  const stores = Object.values<J>(state.stores ?? {});
  const sum = (f: (s: J) => number) => stores.reduce((n, s) => n + f(s), 0);
  const size = (x: J) => (Array.isArray(x) ? x.length : x && typeof x === 'object' ? Object.keys(x).length : 0);
  const ic: J = state.identityCenter ?? {};
  const counts: Record<string, number> = {
    organizations: Object.values<J>(state.orgs ?? {}).filter((o: J) => o.managementAccountId === home).length,
    accounts: Object.keys(state.accounts ?? {}).length,
    ous: size(org.ous),
    policies: Object.values<J>(org.policies ?? {}).filter((p: J) => !p.awsManaged).length,
    attachments: Object.values<J>(org.attachments ?? {}).reduce((n: number, t: J) => n + t.length, 0),
    createAccountRequests: size(org.createAccountStatuses),
    budgets: sum((s) => size(s.budgets?.budgets)),
    monitors: sum((s) => size(s['cost-explorer']?.monitors)),
    subscriptions: sum((s) => size(s['cost-explorer']?.subscriptions)),
    buckets: sum((s) => size(s.s3?.buckets)),
    trails: sum((s) => size(s.cloudtrail?.trails)),
    kmsKeys: sum((s) => size(s.kms?.keys)),
    kmsAliases: sum((s) => size(s.kms?.aliases)),
    alternateContacts: sum((s) => size(s.account?.contacts)),
    iamUsers: Object.values<J>(state.accounts ?? {}).reduce((n: number, a: J) => n + size(a.users), 0),
    iamRoles: Object.values<J>(state.accounts ?? {}).reduce((n: number, a: J) => n + size(a.roles), 0),
    identityCenterInstances: state.identityCenter ? 1 : 0,
    // The security services: one detector per account and region, our analyzers, hubs,
    // Config recorders and channels, and the default VPCs still there.
    guardDutyDetectors: sum((s) => size(s.guardduty?.detectors)),
    analyzers: sum((s) =>
      Object.values<J>(s['access-analyzer']?.analyzers ?? {}).reduce((n: number, r: J) => n + size(r), 0),
    ),
    securityHubs: sum((s) => size(s.securityhub?.hubs)),
    findingAggregators: sum((s) => (s.securityhub?.aggregator ? 1 : 0)),
    configurationPolicies: sum((s) => size(s.securityhub?.org?.policies)),
    configRecorders: sum((s) => Object.values<J>(s.config?.regions ?? {}).filter((r: J) => r.recorder).length),
    deliveryChannels: sum((s) => Object.values<J>(s.config?.regions ?? {}).filter((r: J) => r.channel).length),
    vpcs: sum((s) => Object.values<J>(s.ec2?.network ?? {}).reduce((n: number, r: J) => n + size(r.vpcs), 0)),
  };
  // Identity Center (sso-admin and identitystore stores, when those services exist): count
  // every collection they hold, named by service and key.
  for (const s of stores) {
    for (const svc of ['sso-admin', 'identitystore']) {
      for (const [k, v] of Object.entries<J>(s[svc] ?? {})) {
        // Request logs (creationStatuses…) record requests, not resources: an assignment asked
        // for twice is still one assignment.
        if (/Statuses$/.test(k)) continue;
        if (Array.isArray(v) || (v && typeof v === 'object'))
          counts[`${svc}.${k}`] = (counts[`${svc}.${k}`] ?? 0) + size(v);
      }
    }
  }
  for (const [k, v] of Object.entries<J>(ic)) {
    if (Array.isArray(v) || (v && typeof v === 'object' && !(typeof v === 'string')))
      counts[`identityCenter.${k}`] = size(v);
  }
  return counts;
}

/** The emulator creates a service's empty store on the first read (identitystore's with its
 *  store ID in it); that is not a change. */
export function worldOf(emu: Emulator): unknown {
  const w: any = emu.state();
  for (const s of Object.values<any>(w.stores ?? {})) delete s.identitystore?.identityStoreId;
  return pruneEmpty(w);
}

function pruneEmpty(v: any): any {
  if (Array.isArray(v)) return v.map(pruneEmpty);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const p = pruneEmpty(x);
      if (p === null || (typeof p === 'object' && Object.keys(p).length === 0)) continue;
      out[k] = p;
    }
    return out;
  }
  return v;
}

/** A canonical world without Identity Center's request logs (for runs that re-sent an
 *  idempotent request, such as CreateAccountAssignment after a lost answer). */
export function withoutRequestLogs(world: J): J {
  return JSON.parse(JSON.stringify(world), (k, v) =>
    k === 'creationStatuses' || k === 'deletionStatuses' || k === 'provisioningStatuses' ? undefined : v,
  );
}

/** Canonical state of the emulator right now. */
export function snapshot(emu: Emulator): J {
  return canonicalState(emu.state());
}

export interface CrashPoint {
  k: number;
  when: 'before' | 'after';
}

/**
 * One crash case: arm a hold on the k-th mutating call, start the CLI, wait until the
 * emulator holds that call, SIGKILL (or SIGINT) the CLI, release, and return the dead run.
 * Returns `held: false` when the run finished before reaching k calls.
 */
export async function crashAt(
  emu: Emulator,
  p: CrashPoint,
  opts: RunOptions & { signal?: NodeJS.Signals; config?: string } = {},
): Promise<{ held: boolean; run: CliResult; call?: string }> {
  emu.hold({ nth: p.k, when: p.when });
  const cli = spawnCli(applyWith(opts.config ?? RELIABILITY_CONFIG), { emu, ...opts });
  const waiting = emu.waitForHold(60_000).then((c) => ({ held: true as const, call: `${c.service}:${c.operation}` }));
  waiting.catch(() => undefined); // the run may end first; then nobody waits for this
  const outcome = await Promise.race([waiting, cli.done.then(() => ({ held: false as const, call: undefined }))]);
  if (!outcome.held) {
    emu.holds.disarm(); // the run made fewer than k mutating calls
    return { held: false, run: await cli.done };
  }
  cli.child.kill(opts.signal ?? 'SIGKILL');
  if ((opts.signal ?? 'SIGKILL') === 'SIGKILL') {
    const run = await cli.done;
    emu.release();
    return { held: true, run, call: outcome.call };
  }
  // SIGINT: let the held call answer so the CLI can finish what it sent and stop.
  emu.release();
  const run = await cli.done;
  return { held: true, run, call: outcome.call };
}

/** Run to completion in the same folder (the resume). */
export function resume(
  emu: Emulator,
  dir: string,
  extra: string[] = [],
  config = RELIABILITY_CONFIG,
): Promise<CliResult> {
  return runCli([...applyWith(config), ...extra], { emu, dir, timeoutMs: 170_000 });
}

export { explain };
