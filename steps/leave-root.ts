// The root user cannot call sts:AssumeRole, so it cannot reach the member accounts (log
// bucket, hardening, root access audit). Everything in the management account is done by
// now, including the founder's Identity Center user and assignments: when the caller is the
// root user, this step stops once and says to sign in through Identity Center and continue
// with the management admin profile (the interactive UI switches to it after Enter; a
// non-interactive run exits with code 3 and the exact command to re-run). Anyone else goes
// straight on at once, without waiting for Identity Center at all (`conditional`), so the
// member-account steps after it start as soon as the accounts exist; and writing ~/.aws/config
// (the sso-profiles step) never gates an AWS control. For the root user this step runs after
// the assignments and after sso-profiles (`waitsFor`, order only), because the root user, and
// only the root user, needs the profile it switches to: if that profile could not be written (a
// same-named section of the founder's, an unreadable file), this step fails with the fix
// instead of sending the founder to a profile that does not exist, or worse, to their own
// same-named one.
// Covers: SSB ACCT.02 (stop using the root user), ACCT.13.
import { StepError, mgmt, type Step } from './contract.js';
import { SSO_KEYS, managementAdminProfile } from './lib/sso-common.js';
import { loginCommand, profileProblem, type AwsCli } from './sso-profiles.js';

export interface LeaveRootSeen {
  /** preflight's caller kind: root, iam-user, assumed-role, unknown. */
  callerKind?: string;
  startUrl?: string;
  /** This run's arguments (RunEnv.argv), to print the command that continues it with another profile. */
  argv: string[];
  /** Root in apply mode only: why the profile to continue with is not usable in ~/.aws/config. */
  profileProblem?: { message: string; hint: string };
  /** Root only: the AWS CLI found here (the sign-in command depends on its version). */
  awsCli?: AwsCli;
}

const shellQuote = (a: string): string => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);

/** This run's own arguments with --profile replaced: what the founder types next (none for the demo, which is not resumed). */
export function rerunCommand(argv: string[], profile: string): string | undefined {
  const out: string[] = [];
  const takesValue = ['--profile', '--region', '--config', '--state'];
  if (argv.some((a, i) => a === 'demo' && !takesValue.includes(argv[i - 1] ?? ''))) return undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--profile') {
      i++;
      continue;
    }
    if (a.startsWith('--profile=')) continue;
    out.push(a);
  }
  return ['npx', 'secure-start', ...out, '--profile', profile].map(shellQuote).join(' ');
}

export const leaveRoot: Step<LeaveRootSeen> = {
  id: 'leave-root',
  title: 'Continue as your Identity Center admin, not the root user',
  needs: ['preflight'],
  conditional: {
    when: (value) => value('caller.kind') === 'root',
    needs: ['account-assignments'],
    waitsFor: ['sso-profiles'],
  },
  controls: ['SSB ACCT.02', 'SSB ACCT.13'],
  severity: 'high',
  why: 'The root user can do anything and cannot be limited; day-to-day work as root turns any mistake or stolen session into a disaster.',

  async observe(ctx) {
    const kind = ctx.value('caller.kind');
    const startUrl = ctx.value(SSO_KEYS.startUrl);
    // Only a root caller switches profiles, and only an apply has written them by now.
    const profile = kind === 'root' && ctx.mode === 'apply' ? managementAdminProfile(ctx.want) : undefined;
    const problem = profile ? await profileProblem(ctx, profile) : undefined;
    const cli = kind === 'root' ? await ctx.env.awsCli() : undefined;
    return {
      ...(kind ? { callerKind: kind } : {}),
      ...(startUrl ? { startUrl } : {}),
      argv: [...ctx.env.argv],
      ...(problem ? { profileProblem: problem } : {}),
      ...(cli ? { awsCli: cli } : {}),
    };
  },

  // Without credentials nobody is known to be the root user.
  fresh: (ctx) => ({ argv: [...ctx.env.argv] }),

  plan(want, seen) {
    if (seen.callerKind !== 'root') return [];
    const profile = managementAdminProfile(want);
    if (!profile) {
      throw new StepError(
        'You are signed in as the root user, and the founder has no Identity Center assignment on the management account to continue with.',
        'Add an assignment for one of identityCenter.founderGroups on "management" (e.g. Admins → AdministratorAccess → ["*"]) in the config, then run again.',
      );
    }
    if (seen.profileProblem) {
      throw new StepError(
        `You are signed in as the root user, which cannot enter the member accounts (log archive bucket, hardening, root access). To go on as your Identity Center admin you need the AWS CLI profile ${profile}, and ${seen.profileProblem.message}.`,
        `${seen.profileProblem.hint} The steps in the management account ran; the member-account steps (and the trail, which needs the log bucket) wait for this.`,
      );
    }
    const slug = want.org.slug;
    const cmd = rerunCommand(seen.argv, profile);
    return [
      {
        kind: 'manual',
        symbol: '!',
        service: 'console',
        operation: 'LeaveRoot',
        input: {},
        target: mgmt(want.homeRegion),
        summary: `! Stop using the root user: sign in through Identity Center and continue with the profile ${profile}`,
        manual: {
          instructions: [
            `Sign in as ${want.founder.userName} at ${seen.startUrl ?? 'your Identity Center start URL'} once (set your password first, see above), and set up MFA when asked.`,
            `Then ${loginCommand(seen.awsCli ?? {}, slug)}`,
            // The demo goes on by itself: it cannot be continued by another command.
            cmd ? `Then continue with: ${cmd}` : 'The demo then goes on with that profile by itself.',
            'The rest (the log archive bucket, account hardening, root access) works in the member accounts, which the root user cannot enter.',
          ],
          why: 'AWS does not let the root user assume roles into member accounts, and the root user should not be used day to day (SSB ACCT.02).',
          ...(seen.startUrl ? { link: seen.startUrl } : {}),
          blocking: true,
          switchProfile: profile,
        },
      },
    ];
  },
};
