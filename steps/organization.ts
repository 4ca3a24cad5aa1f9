// The AWS Organization, with ALL features (SCPs, trusted access, delegated admins need it).
// Creates it, or adopts the one this account already manages. Refuses when this account is
// a member of someone else's organization, or when the organization has only consolidated
// billing (enabling all features needs every member to approve, in the console).
// Covers: SSB ACCT.01 (account structure), the base of ACCT.02/07/13.
import { StepError, mgmt, type Step } from './contract.js';
import { isAwsError } from '../aws/errors.js';

export interface OrganizationSeen {
  exists: boolean;
  id?: string;
  managementAccountId?: string;
  featureSet?: string;
  rootId?: string;
}

/** The caller's account is a member of an organization another account manages (the wizard checks this before its first question too). */
export function foreignOrganization(me: string, orgId: string | undefined, managedBy: string): StepError {
  return new StepError(
    `This account (${me}) is a member of another organization (${orgId}, managed by account ${managedBy}); nothing was changed.`,
    `secure-start must run in the management account of your own organization: use credentials for account ${managedBy} (--profile) if that organization is yours; otherwise sign in to a brand-new account, or leave that organization first.`,
  );
}

export const organization: Step<OrganizationSeen> = {
  id: 'organization',
  title: 'AWS Organization with all features',
  notes: (_want, planned) =>
    planned.has('organizations:CreateOrganization')
      ? {
          money: ['Organizations, SCPs and IAM Identity Center: free.'],
          permanent: [
            'This account becomes the management account of a new organization; leaving or deleting the organization means removing every member account first.',
          ],
        }
      : {},
  outputs: ['org.*'],
  needs: ['preflight'],
  controls: ['SSB ACCT.01'],
  severity: 'critical',
  why: 'Everything else (accounts, guardrails, the trail, sign-in) is built on the organization.',

  async observe(ctx) {
    let org;
    try {
      org = (await ctx.aws.call('organizations', 'DescribeOrganization', {})).Organization;
    } catch (e) {
      if (isAwsError(e, 'AWSOrganizationsNotInUseException')) return { exists: false };
      throw e;
    }
    const me = ctx.value('management.accountId');
    if (org?.MasterAccountId && me && org.MasterAccountId !== me)
      throw foreignOrganization(me, org.Id, org.MasterAccountId);
    if (org?.FeatureSet !== 'ALL') {
      throw new StepError(
        `Your organization ${org?.Id} has only consolidated billing, but the baseline needs all features (service control policies, trusted access).`,
        'Enable all features in the AWS Organizations console (Settings → Enable all features); every member account must approve. Then run again. https://console.aws.amazon.com/organizations/v2/home/settings',
      );
    }
    ctx.publish('org.id', org.Id!);
    ctx.publish('org.featureSet', org.FeatureSet);
    const roots = await ctx.aws.pages('organizations', 'ListRoots', {});
    const rootId = roots.flatMap((p) => p.Roots ?? [])[0]?.Id;
    if (rootId) ctx.publish('org.rootId', rootId);
    return { exists: true, id: org.Id, managementAccountId: org.MasterAccountId, featureSet: org.FeatureSet, rootId };
  },

  fresh: () => ({ exists: false }),

  plan(want, seen) {
    if (seen.exists) return [];
    return [
      {
        kind: 'call',
        symbol: '+',
        service: 'organizations',
        operation: 'CreateOrganization',
        input: { FeatureSet: 'ALL' },
        target: mgmt('us-east-1'),
        summary: '+ organizations:CreateOrganization (all features)',
        produces: ['org.id', 'org.rootId'],
        async run(ctx) {
          let org;
          try {
            org = (await ctx.aws.call('organizations', 'CreateOrganization', { FeatureSet: 'ALL' })).Organization;
          } catch (e) {
            // A crash after AWS created it but before we saw the answer: adopt it.
            if (!isAwsError(e, 'AlreadyInOrganizationException')) throw e;
            org = (await ctx.aws.call('organizations', 'DescribeOrganization', {})).Organization;
          }
          const roots = await ctx.aws.pages('organizations', 'ListRoots', {});
          const rootId = roots.flatMap((p) => p.Roots ?? [])[0]?.Id;
          if (!org?.Id || !rootId)
            throw new StepError(
              'AWS created the organization but did not return its ID or root.',
              'Run again in a minute.',
            );
          return { 'org.id': org.Id, 'org.rootId': rootId, 'org.featureSet': org.FeatureSet ?? 'ALL' };
        },
      },
    ];
  },
};
