// `secure-start profiles`: (re)writes the founder's `aws configure sso` profiles from what AWS
// says now (reads only): the Identity Center instance, the founder's user and groups, and the
// accounts and permission sets those are assigned. `--print` prints the sections instead of
// writing them; `--force` replaces same-named sections secure-start did not write.
import type { GlobalOptions } from '../options.js';
import type { CommandEnv } from './index.js';
import { CliExit, openState, setUpBaseline } from '../session.js';
import { AwsFactory, type AwsApi } from '../../aws/factory.js';
import { Ref, StepError, type StepContext } from '../../steps/contract.js';
import type { Baseline } from '../../config/schema.js';
import { identityCenterInstance } from '../../steps/identity-center-instance.js';
import { mapLimit } from '../../steps/lib/map-limit.js';
import { SSO_KEYS, profileSections, sortAccess, type ProfileEntry } from '../../steps/lib/sso-common.js';
import { conflictError, configPath, loginAdvice, ssoProfilesOptions, tilde } from '../../steps/sso-profiles.js';
import { formatSections } from '../../profiles/merge.js';
import { AwsConfigConflictError, writeAwsConfig } from '../../profiles/write.js';
import { ProfileConfigError, profileName, type Section } from '../../profiles/render.js';
import { explainError } from '../../engine/explain.js';
import { isAwsError } from '../../aws/errors.js';

/** Reads, from AWS, every account and permission set the founder can sign in to. */
export async function founderProfilesFromAws(aws: AwsApi, want: Baseline, log: (m: string) => void): Promise<Section[]> {
  const outputs: Record<string, string> = {};
  const me = (await aws.call('sts', 'GetCallerIdentity', {})).Account!;
  outputs['management.accountId'] = me;
  const ctx: StepContext = {
    want, mode: 'plan', aws, signal: new AbortController().signal,
    value: (k) => outputs[k], ref: (k) => outputs[k] ?? new Ref(k), publish: (k, v) => { outputs[k] = v; },
    inflight: () => undefined, warn: log, info: log,
  };
  const seen = await identityCenterInstance.observe(ctx);
  if (seen.instance?.status !== 'ACTIVE') {
    throw new StepError('IAM Identity Center is not enabled in this organization yet, so there are no profiles to write.', 'Run `npx secure-start` first: it says how to enable it.');
  }
  const instanceArn = outputs[SSO_KEYS.instanceArn]!;
  const storeId = outputs[SSO_KEYS.identityStoreId]!;
  const region = outputs[SSO_KEYS.region]!;
  const target = { region };

  let userId: string | undefined;
  try {
    userId = (await aws.call('identitystore', 'GetUserId', { IdentityStoreId: storeId, AlternateIdentifier: { UniqueAttribute: { AttributePath: 'userName', AttributeValue: want.founder.userName } } }, target)).UserId;
  } catch (e) {
    if (!isAwsError(e, 'ResourceNotFoundException')) throw e;
  }
  if (!userId) {
    throw new StepError(`There is no Identity Center user ${want.founder.userName} yet.`, 'Run `npx secure-start` first: it creates the founder\'s user and assignments.');
  }
  const memberships = (await aws.pages('identitystore', 'ListGroupMembershipsForMember', { IdentityStoreId: storeId, MemberId: { UserId: userId } }, target))
    .flatMap((p) => p.GroupMemberships ?? []);
  const principals: { id: string; type: 'USER' | 'GROUP' }[] = [
    { id: userId, type: 'USER' },
    ...memberships.map((m) => ({ id: m.GroupId!, type: 'GROUP' as const })).filter((p) => p.id),
  ];
  const pairs = new Map<string, { accountId: string; setArn: string }>();
  await mapLimit(principals, 4, async (p) => {
    const pages = await aws.pages('sso-admin', 'ListAccountAssignmentsForPrincipal', { InstanceArn: instanceArn, PrincipalId: p.id, PrincipalType: p.type }, target);
    for (const a of pages.flatMap((x) => x.AccountAssignments ?? [])) {
      if (a.AccountId && a.PermissionSetArn) pairs.set(`${a.AccountId}|${a.PermissionSetArn}`, { accountId: a.AccountId, setArn: a.PermissionSetArn });
    }
  });

  // Account names: ours by their configured email, the management account as "management".
  const listed = (await aws.pages('organizations', 'ListAccounts', {})).flatMap((p) => p.Accounts ?? []);
  const nameOf = new Map<string, string>([[me, 'management']]);
  for (const acc of listed) {
    if (!acc.Id || nameOf.has(acc.Id)) continue;
    const ours = want.accounts.find((a) => a.email.toLowerCase() === acc.Email?.toLowerCase());
    nameOf.set(acc.Id, ours?.name ?? (acc.Name ?? acc.Id).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') ?? acc.Id);
  }
  const setNames = new Map<string, string>();
  await mapLimit([...new Set([...pairs.values()].map((p) => p.setArn))], 4, async (arn) => {
    const d = (await aws.call('sso-admin', 'DescribePermissionSet', { InstanceArn: instanceArn, PermissionSetArn: arn }, target)).PermissionSet;
    if (d?.Name) setNames.set(arn, d.Name);
  });
  const entries: ProfileEntry[] = [];
  for (const p of pairs.values()) {
    const account = nameOf.get(p.accountId);
    const permissionSet = setNames.get(p.setArn);
    // An account outside the organization (closed, or left) cannot be signed in to.
    if (!account || !permissionSet) continue;
    entries.push({ account, accountId: p.accountId, permissionSet });
  }
  if (!entries.length) {
    throw new StepError(`${want.founder.userName} has no account assignments yet.`, 'Run `npx secure-start` first: it assigns the founder\'s groups to the accounts.');
  }
  // Two accounts whose names slug alike would give one profile name: keep the first.
  const unique = new Map<string, ProfileEntry>();
  for (const e of sortAccess(want, entries)) {
    const n = profileName(want.org.slug, e.account, e.permissionSet);
    if (!unique.has(n)) unique.set(n, e);
  }
  return profileSections({ slug: want.org.slug, startUrl: outputs[SSO_KEYS.startUrl]!, ssoRegion: region, region: want.homeRegion, entries: [...unique.values()] });
}

export async function profiles(opts: GlobalOptions, env: CommandEnv): Promise<number> {
  const state = openState(opts, env.version);
  const want = setUpBaseline(opts, state);
  const aws = new AwsFactory({ profile: opts.profile, region: want.homeRegion, readOnly: true });
  try {
    let sections: Section[];
    try {
      sections = await founderProfilesFromAws(aws.readOnlyView(), want, (m) => env.stderr.write(`${m}\n`));
    } catch (e) {
      if (e instanceof StepError) throw new CliExit(`${e.message}${e.hint ? `\n${e.hint}` : ''}`, 1);
      if (e instanceof ProfileConfigError) throw new CliExit(`cannot build the profiles: ${e.message}`, 1);
      const ex = explainError(e);
      throw new CliExit(ex.message, isAwsError(e, 'CredentialsProviderError') ? 2 : 1);
    }
    if (opts.print) {
      env.stdout.write(formatSections(sections));
      return 0;
    }
    const path = configPath();
    let r;
    try {
      r = await writeAwsConfig(path, sections, { force: opts.force || ssoProfilesOptions.force });
    } catch (e) {
      if (e instanceof AwsConfigConflictError) {
        const err = conflictError(e);
        throw new CliExit(`${err.message}\n${err.hint}`, 1);
      }
      throw e;
    }
    const names = sections.slice(1).map((s) => s.header.replace(/^profile /, ''));
    if (r.backupPath) env.stdout.write(`Backed up ${tilde(path)} to ${tilde(r.backupPath)}.\n`);
    env.stdout.write(r.changed
      ? `Wrote ${r.added.length} new and ${r.updated.length} updated section${r.added.length + r.updated.length === 1 ? '' : 's'} to ${tilde(path)}.\n`
      : `${tilde(path)} already has these profiles; nothing changed.\n`);
    env.stdout.write(`Profiles: ${names.join(', ')}\n${await loginAdvice(want.org.slug)}\n`);
    return 0;
  } finally {
    aws.destroy();
  }
}
