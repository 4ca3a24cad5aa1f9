// The founder's AWS CLI profiles, in the format `aws configure sso` writes: one
// `[sso-session <org>]` and one `[profile <org>-<account>-<set>]` for every account and
// permission set the founder's groups are assigned. A local step: it merges them into
// ~/.aws/config (or AWS_CONFIG_FILE) through profiles/write.ts, which keeps every other
// byte, updates our sections in place and backs the file up before the first change. A
// same-named section we did not write is refused unless --force. In plan mode it only
// compares; verify reports a difference as advice (the profiles live on one machine, and
// verify may run elsewhere, e.g. in CI).
// Covers: SSB ACCT.13 (short-lived credentials on the founder's machine).
import { homedir } from 'node:os';
import {
  StepError,
  mgmt,
  type Action,
  type AwsCli,
  type Mode,
  type RunEnv,
  type StepContext,
  type Step,
} from './contract.js';
import { mergeAwsConfig } from '../profiles/merge.js';
import { AwsConfigConflictError, backupPathFor, defaultAwsConfigPath, writeAwsConfig } from '../profiles/write.js';
import { ProfileConfigError, profileName, type Section } from '../profiles/render.js';
import {
  SSO_KEYS,
  accountIdKey,
  founderAccess,
  profileSections,
  sortAccess,
  startUrlFor,
  type ProfileEntry,
} from './lib/sso-common.js';
import { elsewhereNote, findInstance } from './identity-center-instance.js';
import { mapLimit } from './lib/map-limit.js';
import { isAwsError } from '../aws/errors.js';
import type { AwsApi } from '../aws/factory.js';
import type { Baseline } from '../config/schema.js';
import { UnreadableFileError, formatSize, readRegularFile } from '../state/read-file.js';

/** An AWS CLI config file is kilobytes; anything past this is not one (and is never read whole). */
export const AWS_CONFIG_MAX_BYTES = 10 * 1024 * 1024;

/** The AWS CLI config file the profiles go to: the run's override, else AWS_CONFIG_FILE or ~/.aws/config. */
export const configPath = (env?: Pick<RunEnv, 'awsConfig'>): string => env?.awsConfig.path ?? defaultAwsConfigPath();
/** `~/.aws/config` rather than the full home path, for messages. */
export const tilde = (p: string): string => (p.startsWith(homedir() + '/') ? `~${p.slice(homedir().length)}` : p);

export interface SsoProfilesSeen {
  mode: Mode;
  path: string;
  /** Profile names we want, in file order. */
  names: string[];
  /** Undefined while the start URL or an account ID is not known yet (created in this run). */
  diff?: { changed: boolean; added: string[]; updated: string[] };
}

/** The sections from what is known now, or undefined while something is missing. */
export function sectionsFrom(ctx: Pick<StepContext, 'want' | 'value'>): Section[] | undefined {
  const want = ctx.want;
  const startUrl = ctx.value(SSO_KEYS.startUrl);
  const ssoRegion = ctx.value(SSO_KEYS.region);
  if (!startUrl || !ssoRegion) return undefined;
  const entries = [];
  for (const a of founderAccess(want)) {
    const accountId = ctx.value(accountIdKey(a.account));
    if (!accountId) return undefined;
    entries.push({ account: a.account, accountId, permissionSet: a.permissionSet });
  }
  return profileSections({ slug: want.org.slug, startUrl, ssoRegion, region: want.homeRegion, entries });
}

/** The AWS CLI config file's text ('' when there is none yet); never a hang on a FIFO or a device. */
export async function readText(path: string): Promise<string> {
  try {
    return readRegularFile(path, AWS_CONFIG_MAX_BYTES);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return '';
    if (e instanceof UnreadableFileError) {
      throw new StepError(
        `Cannot use ${tilde(path)} for the AWS CLI profiles: ${e.kind === 'too large' ? `it is ${formatSize(e.size ?? 0)}, not an AWS CLI config file` : `it is a ${e.kind}, not a file`}.`,
        'Point AWS_CONFIG_FILE at your AWS CLI config file (a regular file), or fix ~/.aws/config, then run again (or write the profiles later with `npx secure-start profiles`).',
      );
    }
    throw new StepError(
      `Cannot read ${tilde(path)}: ${(e as Error).message}.`,
      "Check the file's permissions (or point AWS_CONFIG_FILE at another file), then run again.",
    );
  }
}

/**
 * Why the profile `name` (and its sso-session) is not ready to use in the AWS CLI config
 * file, or undefined when it is there, ours and up to date. For leave-root: the root user
 * switches to this profile, so it must be the one secure-start wrote, not a same-named one.
 */
export async function profileProblem(
  ctx: Pick<StepContext, 'want' | 'value' | 'env'>,
  name: string,
): Promise<{ message: string; hint: string } | undefined> {
  const path = configPath(ctx.env);
  let sections: Section[] | undefined;
  try {
    sections = sectionsFrom(ctx);
  } catch (e) {
    if (e instanceof ProfileConfigError)
      return {
        message: `it cannot be built: ${e.message}`,
        hint: 'Fix the name in the config (org.slug, account names, permission set names), then run again.',
      };
    throw e;
  }
  if (!sections)
    return {
      message: 'the Identity Center start URL or an account ID is not known yet',
      hint: 'Run again once the Identity Center steps have finished.',
    };
  const mine = sections.filter(
    (x) => x.header === `sso-session ${ctx.want.org.slug}` || x.header === `profile ${name}`,
  );
  let text: string;
  try {
    text = await readText(path);
  } catch (e) {
    if (e instanceof StepError)
      return { message: `it could not be written: ${e.message.replace(/\.$/, '')}`, hint: e.hint ?? '' };
    throw e;
  }
  const merged = mergeAwsConfig(text, mine);
  if (merged.conflicts.length) {
    return {
      message: `${tilde(path)} already has ${merged.conflicts.map((h) => `[${h}]`).join(', ')}, which secure-start did not write (so the profile could not be written)`,
      hint: 'Rename or remove that section, or run again with --force to replace it (your file is backed up first).',
    };
  }
  if (merged.changed)
    return {
      message: `${tilde(path)} lacks it or has other settings in it (the sso-profiles step could not write it; see its message)`,
      hint: 'Fix what the sso-profiles step says, then run again.',
    };
  return undefined;
}

export function conflictError(e: AwsConfigConflictError): StepError {
  return new StepError(
    e.message,
    `Your own sections are never overwritten silently. With --force, secure-start replaces them (after backing the file up next to it, as ${tilde(backupPathFor(e.path)).replace(/\.bak$/, '…bak')}).`,
  );
}

/**
 * The `profiles` command's entry point: reads, from AWS (reads only, no state file), every
 * account and permission set the founder can sign in to, and returns their profile sections.
 */
export async function founderProfilesFromAws(
  aws: AwsApi,
  want: Baseline,
  log: (m: string) => void,
): Promise<Section[]> {
  const me = (await aws.call('sts', 'GetCallerIdentity', {})).Account!;
  const instance = await findInstance(aws, want, { me });
  if (instance?.status !== 'ACTIVE') {
    throw new StepError(
      'IAM Identity Center is not enabled in this organization yet, so there are no profiles to write.',
      'Run `npx secure-start` first: it says how to enable it.',
    );
  }
  const note = elsewhereNote(instance, want.homeRegion);
  if (note) log(note);
  const instanceArn = instance.arn;
  const storeId = instance.identityStoreId;
  const region = instance.region;
  const target = { region };

  let userId: string | undefined;
  try {
    userId = (
      await aws.call(
        'identitystore',
        'GetUserId',
        {
          IdentityStoreId: storeId,
          AlternateIdentifier: {
            UniqueAttribute: { AttributePath: 'userName', AttributeValue: want.founder.userName },
          },
        },
        target,
      )
    ).UserId;
  } catch (e) {
    if (!isAwsError(e, 'ResourceNotFoundException')) throw e;
  }
  if (!userId) {
    throw new StepError(
      `There is no Identity Center user ${want.founder.userName} yet.`,
      "Run `npx secure-start` first: it creates the founder's user and assignments.",
    );
  }
  const memberships = (
    await aws.pages(
      'identitystore',
      'ListGroupMembershipsForMember',
      { IdentityStoreId: storeId, MemberId: { UserId: userId } },
      target,
    )
  ).flatMap((p) => p.GroupMemberships ?? []);
  const principals: { id: string; type: 'USER' | 'GROUP' }[] = [
    { id: userId, type: 'USER' },
    ...memberships.map((m) => ({ id: m.GroupId!, type: 'GROUP' as const })).filter((p) => p.id),
  ];
  const pairs = new Map<string, { accountId: string; setArn: string }>();
  await mapLimit(principals, 4, async (p) => {
    const pages = await aws.pages(
      'sso-admin',
      'ListAccountAssignmentsForPrincipal',
      { InstanceArn: instanceArn, PrincipalId: p.id, PrincipalType: p.type },
      target,
    );
    for (const a of pages.flatMap((x) => x.AccountAssignments ?? [])) {
      if (a.AccountId && a.PermissionSetArn)
        pairs.set(`${a.AccountId}|${a.PermissionSetArn}`, { accountId: a.AccountId, setArn: a.PermissionSetArn });
    }
  });

  // Account names: ours by their configured email, the management account as "management".
  const listed = (await aws.pages('organizations', 'ListAccounts', {})).flatMap((p) => p.Accounts ?? []);
  const nameOf = new Map<string, string>([[me, 'management']]);
  for (const acc of listed) {
    if (!acc.Id || nameOf.has(acc.Id)) continue;
    const ours = want.accounts.find((a) => a.email.toLowerCase() === acc.Email?.toLowerCase());
    nameOf.set(
      acc.Id,
      ours?.name ??
        (acc.Name ?? acc.Id)
          .toLowerCase()
          .replace(/[^a-z0-9]+/g, '-')
          .replace(/^-+|-+$/g, '') ??
        acc.Id,
    );
  }
  const setNames = new Map<string, string>();
  await mapLimit([...new Set([...pairs.values()].map((p) => p.setArn))], 4, async (arn) => {
    const d = (
      await aws.call('sso-admin', 'DescribePermissionSet', { InstanceArn: instanceArn, PermissionSetArn: arn }, target)
    ).PermissionSet;
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
    throw new StepError(
      `${want.founder.userName} has no account assignments yet.`,
      "Run `npx secure-start` first: it assigns the founder's groups to the accounts.",
    );
  }
  // Two accounts whose names slug alike would give one profile name: keep the first.
  const unique = new Map<string, ProfileEntry>();
  for (const e of sortAccess(want, entries)) {
    const n = profileName(want.org.slug, e.account, e.permissionSet);
    if (!unique.has(n)) unique.set(n, e);
  }
  return profileSections({
    slug: want.org.slug,
    startUrl: startUrlFor(storeId),
    ssoRegion: region,
    region: want.homeRegion,
    entries: [...unique.values()],
  });
}

export type { AwsCli } from './contract.js';

export const AWS_CLI_INSTALL = 'https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html';

/** Runs `aws --version` (a process start): "aws-cli/1.44.2 Python/3.9 …" → v1; {} when there is no AWS CLI. */
export async function findAwsCli(): Promise<AwsCli> {
  try {
    const { execa } = await import('execa');
    const r = await execa('aws', ['--version'], { timeout: 10_000, reject: false });
    // AWS CLI v1 printed its version on stderr, v2 prints it on stdout.
    const m = /aws-cli\/(\d+)\.[\w.]+/.exec(`${r.stdout} ${r.stderr}`);
    if (r.exitCode === 0 && m) return { version: m[0], major: Number(m[1]) };
  } catch {
    // Not on PATH.
  }
  return {};
}

/** A per-run cache for RunEnv.awsCli: `find` runs at most once, on first use. */
export function awsCliOnce(find: () => Promise<AwsCli> = findAwsCli): () => Promise<AwsCli> {
  let found: Promise<AwsCli> | undefined;
  return () => (found ??= find());
}

/**
 * The command that signs in to the Identity Center session, as the founder can run it here.
 * Only AWS CLI v2 has `aws sso login` (v1 answers "Invalid choice", https://github.com/aws/aws-cli/issues/5970;
 * SSO sessions need v2: https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-sso.html).
 */
export function loginCommand(cli: AwsCli, slug: string): string {
  const login = `run: aws sso login --sso-session ${slug}`;
  if (cli.major !== undefined && cli.major >= 2) return login;
  if (cli.major !== undefined)
    return `install the AWS CLI v2 (${AWS_CLI_INSTALL}; the ${cli.version} here cannot sign in to Identity Center) and ${login}`;
  return `install the AWS CLI v2 (${AWS_CLI_INSTALL}) and ${login}`;
}

/** Whether the AWS CLI is installed (and which major version), and what to tell the founder. */
export function loginAdviceFor(cli: AwsCli, slug: string): string {
  const login = `aws sso login --sso-session ${slug}`;
  if (cli.major !== undefined && cli.major >= 2) return `Sign in with: ${login}   (${cli.version} found)`;
  if (cli.major !== undefined) {
    return `The AWS CLI here is ${cli.version}: version 1 cannot sign in with IAM Identity Center (it has no \`aws sso login\`). Install the AWS CLI v2 (${AWS_CLI_INSTALL}), then sign in with: ${login}`;
  }
  return `Install the AWS CLI v2 (${AWS_CLI_INSTALL}), then sign in with: ${login}`;
}

export async function loginAdvice(env: Pick<RunEnv, 'awsCli'>, slug: string): Promise<string> {
  return loginAdviceFor(await env.awsCli(), slug);
}

async function write(ctx: StepContext, sections: Section[]): Promise<void> {
  const path = configPath(ctx.env);
  try {
    const r = await writeAwsConfig(path, sections, { force: ctx.env.awsConfig.force });
    if (r.backupPath) ctx.info(`Backed up your AWS CLI config to ${tilde(r.backupPath)} before changing it.`);
    if (r.changed)
      ctx.info(
        `Wrote ${r.added.length + r.updated.length} section${r.added.length + r.updated.length === 1 ? '' : 's'} to ${tilde(path)}: ${[...r.added, ...r.updated].map((h) => `[${h}]`).join(', ')}.`,
      );
  } catch (e) {
    if (e instanceof AwsConfigConflictError) throw conflictError(e);
    if (e instanceof ProfileConfigError)
      throw new StepError(
        `Cannot write the AWS CLI profiles: ${e.message}.`,
        'Fix the name in the config (org.slug, account names, permission set names), then run again.',
      );
    throw e;
  }
}

export const ssoProfiles: Step<SsoProfilesSeen> = {
  id: 'sso-profiles',
  title: 'AWS CLI profiles for the founder (aws configure sso format)',
  needs: ['account-assignments'],
  controls: ['SSB ACCT.13'],
  severity: 'low',
  why: 'The profiles let the founder use the AWS CLI with short-lived Identity Center credentials instead of long-lived keys.',

  async observe(ctx) {
    const seen = ssoProfiles.fresh(ctx);
    let sections: Section[] | undefined;
    try {
      sections = sectionsFrom(ctx);
    } catch (e) {
      if (e instanceof ProfileConfigError)
        throw new StepError(
          `Cannot build the AWS CLI profiles: ${e.message}.`,
          'Fix the name in the config (org.slug, account names, permission set names), then run again.',
        );
      throw e;
    }
    if (!sections) return seen;
    const merged = mergeAwsConfig(await readText(seen.path), sections, { force: ctx.env.awsConfig.force });
    if (merged.conflicts.length) throw conflictError(new AwsConfigConflictError(seen.path, merged.conflicts));
    return { ...seen, diff: { changed: merged.changed, added: merged.added, updated: merged.updated } };
  },

  fresh: (ctx) => ({
    mode: ctx.mode,
    path: configPath(ctx.env),
    names: founderAccess(ctx.want).map((a) => safeName(ctx.want.org.slug, a.account, a.permissionSet)),
  }),

  plan(want, seen) {
    if (seen.diff && !seen.diff.changed) return [];
    const where = tilde(seen.path);
    const what = seen.diff
      ? [...seen.diff.added.map((h) => `+[${h}]`), ...seen.diff.updated.map((h) => `~[${h}]`)].join(' ')
      : `[sso-session ${want.org.slug}] ${seen.names.map((n) => `[profile ${n}]`).join(' ')}`;
    if (seen.mode === 'verify') {
      return [
        {
          kind: 'manual',
          symbol: '!',
          service: 'local',
          operation: 'WriteAwsConfig',
          input: { path: seen.path },
          target: mgmt(want.homeRegion),
          summary: `! ${where} on this machine lacks or differs in the founder's profiles: ${what}`,
          manual: {
            instructions: [
              `Run \`npx secure-start profiles\` on the machine you work from to (re)write them (\`--print\` shows them instead).`,
            ],
            why: 'The profiles give short-lived Identity Center credentials instead of long-lived keys.',
            blocking: false,
          },
        },
      ];
    }
    const symbol = seen.diff && !seen.diff.added.length ? '~' : '+';
    return [
      {
        kind: 'call',
        symbol,
        service: 'local',
        operation: 'WriteAwsConfig',
        input: { path: seen.path },
        target: mgmt(want.homeRegion),
        summary: `${symbol} local:WriteAwsConfig ${where} ${what}`,
        async run(ctx) {
          const sections = sectionsFrom(ctx);
          if (!sections)
            throw new StepError(
              'The Identity Center start URL or an account ID is still unknown, so the profiles cannot be written yet.',
              'Run again once the steps before this one have finished.',
            );
          await write(ctx, sections);
          // Right after writing them: how to use them (probing `aws` costs a process start, so only here).
          ctx.info(await loginAdvice(ctx.env, want.org.slug));
        },
      },
    ];
  },
};

function safeName(slug: string, account: string, set: string): string {
  try {
    return profileName(slug, account, set);
  } catch {
    return `${slug}-${account}-${set}`;
  }
}
