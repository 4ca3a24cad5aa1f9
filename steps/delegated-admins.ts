// Delegated administrators: the member account (normally audit) that runs an organization-wide
// security service for everyone, so nobody needs to work in the management account for it.
// Which services is not listed here: each step declares the ones it needs (`delegatedAdmins`),
// and this step registers those of the run's steps through Organizations. GuardDuty and
// Security Hub have their own API for it (EnableOrganizationAdminAccount), called in their
// steps: AWS asks to use it rather than Organizations' so that the service sets itself up
// (https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_organizations.html).
// Needs trusted access for each principal first (RegisterDelegatedAdministrator,
// https://docs.aws.amazon.com/organizations/latest/APIReference/API_RegisterDelegatedAdministrator.html).
// Covers: the prerequisites of SSB ACCT.11 (IAM Access Analyzer for the organization).
import { ref, type Action, type Step, type StepContext, type Val } from './contract.js';
import { ORG_TARGET, orgKnown } from './lib/org-common.js';
import { isAwsError } from '../aws/errors.js';

export interface DelegatedWanted {
  servicePrincipal: string;
  /** The account's name in the config. */
  account: string;
}

export interface DelegatedSeen {
  wanted: DelegatedWanted[];
  /** Service principal → the account IDs registered for it now. */
  registered: Record<string, string[]>;
  /** Account name → ID, where known (a Ref in a plan for accounts still to be created). */
  ids: Record<string, Val>;
}

/** Output key: the account registered as delegated administrator for a principal. */
export const delegatedKey = (principal: string): string => `delegatedAdmin.${principal}`;

/** The delegated administrators the run's steps declare, no duplicates. */
export function wantedAdmins(ctx: StepContext): DelegatedWanted[] {
  const out = new Map<string, DelegatedWanted>();
  for (const s of ctx.steps ?? []) {
    for (const d of s.delegatedAdmins ?? [])
      out.set(d.servicePrincipal, { servicePrincipal: d.servicePrincipal, account: d.account(ctx.want) });
  }
  return [...out.values()];
}

const idsOf = (ctx: StepContext, wanted: DelegatedWanted[]): Record<string, Val> =>
  Object.fromEntries(
    wanted.map((w) => [w.account, ctx.value(`${w.account}.accountId`) ?? ref(`${w.account}.accountId`)]),
  );

export const delegatedAdmins: Step<DelegatedSeen> = {
  id: 'delegated-admins',
  title: 'Delegated administrators for the organization-wide security services',
  needs: ['trusted-access', 'accounts'],
  controls: ['SSB ACCT.11'],
  severity: 'high',
  why: 'Without a delegated administrator, the organization-wide security services can only be run from the management account.',
  outputs: ['delegatedAdmin.*'],

  async observe(ctx) {
    const wanted = wantedAdmins(ctx);
    if (!orgKnown(ctx) || !wanted.length) return delegatedAdmins.fresh(ctx);
    const registered: Record<string, string[]> = {};
    for (const w of wanted) {
      const pages = await ctx.aws.pages('organizations', 'ListDelegatedAdministrators', {
        ServicePrincipal: w.servicePrincipal,
      });
      registered[w.servicePrincipal] = pages
        .flatMap((p) => p.DelegatedAdministrators ?? [])
        .map((a) => a.Id ?? '')
        .filter(Boolean);
    }
    const ids = idsOf(ctx, wanted);
    for (const w of wanted) {
      const id = ids[w.account];
      if (typeof id === 'string' && registered[w.servicePrincipal]!.includes(id))
        ctx.publish(delegatedKey(w.servicePrincipal), id);
    }
    return { wanted, registered, ids };
  },

  fresh: (ctx) => {
    const wanted = wantedAdmins(ctx);
    return { wanted, registered: {}, ids: idsOf(ctx, wanted) };
  },

  plan(_want, seen) {
    const actions: Action[] = [];
    let previous: string | undefined;
    for (const w of seen.wanted) {
      const id = seen.ids[w.account]!;
      if (typeof id === 'string' && (seen.registered[w.servicePrincipal] ?? []).includes(id)) continue;
      const input = { AccountId: id, ServicePrincipal: w.servicePrincipal };
      const key = delegatedKey(w.servicePrincipal);
      actions.push({
        kind: 'call',
        symbol: '+',
        service: 'organizations',
        operation: 'RegisterDelegatedAdministrator',
        input,
        target: ORG_TARGET,
        summary: `+ organizations:RegisterDelegatedAdministrator ${w.account} for ${w.servicePrincipal}`,
        produces: [key],
        // One Organizations write at a time (ConcurrentModificationException otherwise).
        ...(previous ? { after: [previous] } : {}),
        async run(ctx) {
          const { AccountId } = ctx.input as { AccountId: string };
          try {
            await ctx.aws.call('organizations', 'RegisterDelegatedAdministrator', {
              AccountId,
              ServicePrincipal: w.servicePrincipal,
            });
          } catch (e) {
            // Registered by a run that stopped before it saw the answer: nothing left to do.
            if (!isAwsError(e, 'AccountAlreadyRegisteredException')) throw e;
          }
          return { [key]: AccountId };
        },
      });
      previous = key;
    }
    return actions;
  },
};
