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
  needs: [],
  controls: ['SSB ACCT.02', 'CIS 1.4'],

  async observe(ctx) {
    const me = await ctx.aws.call('sts', 'GetCallerIdentity', {});
    const arn = me.Arn ?? '';
    const principal = /:root$/.test(arn) ? 'root' : /:user\//.test(arn) ? 'iam-user' : /:assumed-role\//.test(arn) ? 'assumed-role' : 'unknown';
    if (!me.Account) throw new StepError('AWS did not say which account these credentials belong to.');
    // The wrong place is refused here, before any step writes (budget and anomaly detection
    // need only this step): an account that is a member of an organization, ours or someone
    // else's, is not where the baseline belongs.
    try {
      const org = (await ctx.aws.call('organizations', 'DescribeOrganization', {})).Organization;
      if (org?.MasterAccountId && org.MasterAccountId !== me.Account) {
        throw new StepError(
          `This account (${me.Account}) is a member of the organization ${org.Id}, managed by account ${org.MasterAccountId}; nothing was changed.`,
          `secure-start must run in the management account of your own organization: use credentials for account ${org.MasterAccountId} (--profile) if that organization is yours; otherwise sign in to a brand-new account, or leave that organization first.`,
        );
      }
    } catch (e) {
      if (e instanceof StepError) throw e;
      // No organization yet, or not allowed to read it: the organization step decides.
    }
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
      ctx.warn('The root user of this account has access keys. Delete them (IAM console → Security credentials) once this run is done: root keys can do anything and cannot be limited (CIS 1.4).');
    }
    if (principal === 'iam-user') {
      ctx.info('You are using an IAM user. After this run, sign in through IAM Identity Center instead and delete the IAM user\'s access keys.');
    }
    return { accountId: me.Account, arn, principal, rootAccessKeys };
  },

  fresh: () => ({ principal: 'unknown' }),

  // Nothing to create: preflight only observes and advises.
  plan: () => [],
};
