// Who is running this? The management account's ID ties the state file to one account,
// and the caller's kind (root user, IAM user, role) changes the advice we give.
// Covers: SSB ACCT.02 (warns when the root user has access keys), CIS 1.4.
import { StepError, type Step } from './contract.js';

export interface PreflightSeen {
  accountId?: string;
  arn?: string;
  principal: 'root' | 'iam-user' | 'assumed-role' | 'unknown';
  rootAccessKeys?: boolean;
}

export const preflight: Step<PreflightSeen> = {
  id: 'preflight',
  title: 'Check who is running this',
  outputs: ['management.accountId', 'caller.kind'],
  needs: [],
  controls: ['SSB ACCT.02', 'CIS 1.4'],
  severity: 'medium',
  why: 'Who runs secure-start decides what it can check and repair.',

  async observe(ctx) {
    const me = await ctx.aws.call('sts', 'GetCallerIdentity', {});
    const arn = me.Arn ?? '';
    const principal = /:root$/.test(arn)
      ? 'root'
      : /:user\//.test(arn)
        ? 'iam-user'
        : /:assumed-role\//.test(arn)
          ? 'assumed-role'
          : 'unknown';
    if (!me.Account) throw new StepError('AWS did not say which account these credentials belong to.');
    ctx.publish('management.accountId', me.Account);
    ctx.publish('caller.kind', principal);
    ctx.info(`Signed in to AWS account ${me.Account} as ${principal === 'root' ? 'the root user' : arn}.`);
    let rootAccessKeys: boolean | undefined;
    try {
      const summary = await ctx.aws.call('iam', 'GetAccountSummary', {});
      rootAccessKeys = (summary.SummaryMap?.AccountAccessKeysPresent ?? 0) > 0;
    } catch {
      // Not allowed to read it (a restricted role): the root-access step reports it later.
    }
    if (rootAccessKeys) {
      ctx.warn(
        'The root user of this account has access keys. Delete them (IAM console → Security credentials) once this run is done: root keys can do anything and cannot be limited (CIS 1.4).',
      );
    }
    if (principal === 'iam-user') {
      ctx.info(
        "You are using an IAM user. After this run, sign in through IAM Identity Center instead and delete the IAM user's access keys.",
      );
    }
    return { accountId: me.Account, arn, principal, rootAccessKeys };
  },

  fresh: () => ({ principal: 'unknown' }),

  // Nothing to create: preflight only observes and advises.
  plan: () => [],
};
