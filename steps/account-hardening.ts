// Account hardening on every account, the management account included: account-level S3
// Block Public Access (all four flags), EBS encryption by default in EVERY region enabled for
// the account (AWS keeps it per account AND per region; CIS 2.2.1 asks for all regions, and
// the region guard is optional), and an IAM password policy (even though nobody should have
// IAM users, CIS asks for it). The enabled regions come from ec2:DescribeRegions in each
// account (a region enabled later is covered by the next run or flagged by verify); an
// allowed region the account has not enabled is an error the founder must fix. One action
// per account × setting (× region for EBS), so they run in parallel; the engine bounds how
// many at once.
// Covers: SSB ACCT.06 + CIS 1.8, 1.9 (password policy), SSB ACCT.08 + CIS 2.1.4 (S3 Block
// Public Access), SSB WKLD.08 + CIS 2.2.1 (EBS encryption).
import { StepError, type Action, type Step, type StepContext, type Val, stepConfig } from './contract.js';
import { z } from 'zod';
import { mapLimit } from './lib/map-limit.js';
import { passwordPolicyGaps, passwordPolicyInput, type PasswordPolicy } from './lib/hardening-policy.js';
import { DEFAULT_ENABLED_REGIONS } from './lib/default-regions.js';
import { isAwsError } from '../aws/errors.js';

const BPA_FLAGS = ['BlockPublicAcls', 'IgnorePublicAcls', 'BlockPublicPolicy', 'RestrictPublicBuckets'] as const;
type Bpa = Partial<Record<(typeof BPA_FLAGS)[number], boolean>>;

export interface HardenedAccount {
  /** 'management' or the account name from the config. */
  name: string;
  /** Where calls go: 'management' or the member's ID (a Ref before it exists). */
  target: Val;
  /** The 12-digit ID sent as S3 Control's AccountId (a Ref before it is known). */
  accountId: Val;
  /** null = not set; undefined = not read (account not created yet). */
  publicAccessBlock?: Bpa | null;
  /** region → EBS encryption by default (regions not read are absent). */
  ebs: Record<string, boolean>;
  /** Regions enabled for the account (ec2:DescribeRegions); undefined = not read (a new account has AWS's defaults). */
  regions?: string[];
  passwordPolicy?: PasswordPolicy | null;
}

export interface HardeningSeen {
  accounts: HardenedAccount[];
}

function accountsOf(ctx: StepContext): HardenedAccount[] {
  return [
    { name: 'management', target: 'management', accountId: ctx.ref('management.accountId'), ebs: {} },
    ...ctx.want.accounts.map((a) => {
      const id = ctx.ref(`${a.name}.accountId`);
      return { name: a.name, target: id, accountId: id, ebs: {} };
    }),
  ];
}

/** Every enabled region of the account (a new account: AWS's defaults, plus any allowed opt-in region). */
function regionsOf(a: HardenedAccount, want: { allowedRegions: string[] }): string[] {
  return a.regions ?? [...new Set([...DEFAULT_ENABLED_REGIONS, ...want.allowedRegions])].sort();
}

/** Account-level settings applied to every account. */
export const config = stepConfig({
  key: 'hardening',
  schema: () =>
    z.strictObject({
      s3BlockPublicAccess: z.boolean(),
      ebsEncryption: z.boolean(),
      passwordPolicy: z.strictObject({
        minimumLength: z.number().int().min(14, 'the minimum password length must be at least 14 (CIS 1.8)').max(128),
        reusePrevention: z.number().int().min(1).max(24, 'AWS allows remembering at most 24 passwords'),
      }),
    }),
  defaults: () => ({
    s3BlockPublicAccess: true,
    ebsEncryption: true,
    passwordPolicy: { minimumLength: 14, reusePrevention: 24 },
  }),
});

export const accountHardening: Step<HardeningSeen, typeof config> = {
  config,
  id: 'account-hardening',
  title: 'Account hardening: S3 Block Public Access, EBS encryption in every enabled region, password policy',
  needs: ['accounts', 'leave-root'],
  controls: ['SSB ACCT.06', 'SSB ACCT.08', 'SSB WKLD.08', 'CIS 1.8', 'CIS 1.9', 'CIS 2.1.4', 'CIS 2.2.1'],
  severity: 'high',
  why: 'A public S3 bucket, an unencrypted EBS volume or a weak password is how most data leaks of small companies start.',
  describe(want) {
    const h = want.hardening;
    return {
      title: `Account hardening: ${[h.s3BlockPublicAccess && 'S3 Block Public Access', h.ebsEncryption && 'EBS encryption in every enabled region', 'password policy'].filter(Boolean).join(', ')}`,
      controls: [
        'SSB ACCT.06',
        ...(h.s3BlockPublicAccess ? ['SSB ACCT.08'] : []),
        ...(h.ebsEncryption ? ['SSB WKLD.08'] : []),
        'CIS 1.8',
        'CIS 1.9',
        ...(h.s3BlockPublicAccess ? ['CIS 2.1.4'] : []),
        ...(h.ebsEncryption ? ['CIS 2.2.1'] : []),
      ],
    };
  },

  async observe(ctx) {
    const want = ctx.want;
    const accounts = accountsOf(ctx);
    // Accounts × settings, a few at a time: every member read goes through an assumed role.
    await mapLimit(accounts, 4, async (a) => {
      if (typeof a.target !== 'string' || typeof a.accountId !== 'string') {
        if (ctx.mode === 'apply')
          throw new StepError(
            `The ${a.name} account's ID is not known yet.`,
            'Run again: the accounts step creates the account first.',
          );
        return; // not created yet: everything is still to do
      }
      const target = { account: a.target, region: want.homeRegion };
      const reads: Promise<void>[] = [];
      if (want.hardening.s3BlockPublicAccess) {
        reads.push(
          ctx.aws.call('s3-control', 'GetPublicAccessBlock', { AccountId: a.accountId }, target).then(
            (r) => {
              a.publicAccessBlock = { ...r.PublicAccessBlockConfiguration } as Bpa;
            },
            (e) => {
              if (isAwsError(e, 'NoSuchPublicAccessBlockConfiguration')) a.publicAccessBlock = null;
              else throw e;
            },
          ),
        );
      }
      if (want.hardening.ebsEncryption) {
        reads.push(
          (async () => {
            // Regions enabled for this account (opt-in regions only once enabled).
            const r = await ctx.aws.call('ec2', 'DescribeRegions', {}, target);
            const enabled = (r.Regions ?? [])
              .map((x) => x.RegionName ?? '')
              .filter(Boolean)
              .sort();
            const missing = want.allowedRegions.find((x) => !enabled.includes(x));
            if (missing) {
              throw new StepError(
                `The region ${missing} is not enabled in the ${a.name} account (${a.accountId}), so EBS encryption cannot be turned on there.`,
                `Enable ${missing} for that account (AWS console → Account → AWS Regions, or the Account API EnableRegion), or remove it from "allowedRegions" in the config, then run again.`,
              );
            }
            a.regions = enabled;
            await Promise.all(
              enabled.map((region) =>
                ctx.aws.call('ec2', 'GetEbsEncryptionByDefault', {}, { account: target.account, region }).then((x) => {
                  a.ebs[region] = x.EbsEncryptionByDefault === true;
                }),
              ),
            );
          })(),
        );
      }
      reads.push(
        ctx.aws.call('iam', 'GetAccountPasswordPolicy', {}, target).then(
          (r) => {
            a.passwordPolicy = (r.PasswordPolicy ?? null) as PasswordPolicy | null;
          },
          (e) => {
            if (isAwsError(e, 'NoSuchEntityException', 'NoSuchEntity')) a.passwordPolicy = null;
            else throw e;
          },
        ),
      );
      await Promise.all(reads);
    });
    return { accounts };
  },

  fresh: (ctx) => ({ accounts: accountsOf(ctx) }),

  plan(want, seen) {
    const out: Action[] = [];
    for (const a of seen.accounts) {
      const home = { account: a.target, region: want.homeRegion };

      if (want.hardening.s3BlockPublicAccess) {
        const bpa = a.publicAccessBlock;
        const off = BPA_FLAGS.filter((f) => bpa?.[f] !== true);
        if (off.length) {
          const partly = !!bpa;
          out.push({
            kind: 'call',
            symbol: partly ? '~' : '+',
            service: 's3-control',
            operation: 'PutPublicAccessBlock',
            input: {
              AccountId: a.accountId,
              PublicAccessBlockConfiguration: Object.fromEntries(BPA_FLAGS.map((f) => [f, true])),
            },
            target: home,
            // bpa undefined: not read (account not created yet); null: read, and not set at all.
            summary: `${partly ? '~' : '+'} s3-control:PutPublicAccessBlock ${a.name} (${partly ? `account-level ${off.join(', ')} off; turn on all four flags` : bpa === null ? 'account-level Block Public Access is off; turn on all four flags' : 'account-level, all four flags'})`,
            controls: ['SSB ACCT.08', 'CIS 2.1.4'],
            confirmed: true,
          });
        }
      }

      if (want.hardening.ebsEncryption) {
        for (const region of regionsOf(a, want)) {
          if (a.ebs[region] === true) continue;
          const wasOff = a.ebs[region] === false;
          out.push({
            kind: 'call',
            symbol: wasOff ? '~' : '+',
            service: 'ec2',
            operation: 'EnableEbsEncryptionByDefault',
            input: {},
            target: { account: a.target, region },
            summary: `${wasOff ? '~' : '+'} ec2:EnableEbsEncryptionByDefault ${a.name} ${region}${wasOff ? ' (EBS encryption by default is off in this region)' : ''}`,
            controls: ['SSB WKLD.08', 'CIS 2.2.1'],
            confirmed: true,
          });
        }
      }

      const gaps =
        a.passwordPolicy === undefined ? [] : passwordPolicyGaps(want.hardening.passwordPolicy, a.passwordPolicy);
      if (a.passwordPolicy === undefined || gaps.length) {
        const input = passwordPolicyInput(want.hardening.passwordPolicy, a.passwordPolicy ?? null);
        const sym = a.passwordPolicy ? '~' : '+';
        out.push({
          kind: 'call',
          symbol: sym,
          service: 'iam',
          operation: 'UpdateAccountPasswordPolicy',
          input,
          target: { account: a.target, region: 'us-east-1' },
          summary: `${sym} iam:UpdateAccountPasswordPolicy ${a.name} (${gaps.length ? `${gaps.join(', ')}; set ` : ''}length ≥ ${input.MinimumPasswordLength}, reuse prevention ${input.PasswordReusePrevention}, symbols/numbers/upper/lower required)`,
          controls: ['SSB ACCT.06', 'CIS 1.8', 'CIS 1.9'],
          confirmed: true,
        });
      }
    }
    return out;
  },
};
