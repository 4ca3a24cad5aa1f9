// The IAM Identity Center organization instance. No API can create it from the management
// account (CreateInstance only makes account instances), so when ListInstances shows none
// this is a blocking manual step with the exact clicks; once it exists its ARN, identity
// store, region and start URL become outputs for the other Identity Center steps.
// Identity Center is regional and ListInstances only sees its own region: we look in the
// region it was last seen in, the home region, the allowed regions, then every other one.
// Covers: SSB ACCT.03 (console access through Identity Center), ACCT.13.
import { type Step } from './contract.js';
import type { AwsApi } from '../aws/factory.js';
import type { Baseline } from '../config/schema.js';
import { AWS_REGIONS } from '../config/regions.js';
import { mapLimit } from './lib/map-limit.js';
import { SSO_KEYS, consoleLink, ssoTarget, startUrlFor } from './lib/sso-common.js';

export interface InstanceFound {
  arn: string;
  identityStoreId: string;
  region: string;
  status: string;
}

export interface InstanceSeen {
  instance?: InstanceFound;
}

type Listed = { InstanceArn?: string; IdentityStoreId?: string; Status?: string; OwnerAccountId?: string };

/**
 * Where the organization instance is: the region it was last seen in, the home region, the
 * allowed regions, then every other one. Reads only; undefined when there is none.
 */
export async function findInstance(
  aws: AwsApi,
  want: Baseline,
  known: { me?: string; lastRegion?: string },
): Promise<InstanceFound | undefined> {
  const home = want.homeRegion;
  const me = known.me;
  const list = async (region: string): Promise<InstanceFound | undefined> => {
    const pages = await aws.pages('sso-admin', 'ListInstances', {}, ssoTarget(region));
    const all = pages.flatMap((p) => (p.Instances ?? []) as Listed[]).filter((i) => i.InstanceArn && i.IdentityStoreId);
    // The organization instance belongs to the management account; prefer it over account instances.
    const i = all.find((x) => !me || !x.OwnerAccountId || x.OwnerAccountId === me) ?? all[0];
    return i
      ? { arn: i.InstanceArn!, identityStoreId: i.IdentityStoreId!, region, status: i.Status ?? 'ACTIVE' }
      : undefined;
  };

  const first = [...new Set([known.lastRegion, home].filter((r): r is string => !!r))];
  let found: InstanceFound | undefined;
  for (const r of first) {
    try {
      found = await list(r);
    } catch (e) {
      // The home region must answer; a remembered other region may since have been disabled.
      if (r === home) throw e;
    }
    if (found) break;
  }
  // Then the allowed regions, then every other region (most founders never get this far).
  const tried = new Set(first);
  for (const tier of [want.allowedRegions, [...AWS_REGIONS]]) {
    if (found) break;
    const regions = tier.filter((r) => !tried.has(r));
    regions.forEach((r) => tried.add(r));
    // Regions that are not enabled for this account refuse the call: skip them.
    const hits = await mapLimit(regions, 6, (r) => list(r).catch(() => undefined));
    found = hits.find((h) => h !== undefined);
  }
  return found;
}

/** What to tell the founder when the instance is not in the home region, or undefined. */
export function elsewhereNote(found: InstanceFound, home: string): string | undefined {
  if (found.region === home) return undefined;
  return `IAM Identity Center is enabled in ${found.region}, not in your home region ${home}; secure-start uses it there (an organization has one Identity Center instance, and moving it means deleting it).`;
}

export const identityCenterInstance: Step<InstanceSeen> = {
  id: 'identity-center-instance',
  title: 'IAM Identity Center organization instance',
  // Identity Center's organization instance needs it (Identity Center user guide, "Prerequisites").
  trustedAccess: ['sso.amazonaws.com'],
  outputs: ['sso.*'],
  needs: ['organization', 'trusted-access'],
  controls: ['SSB ACCT.03', 'SSB ACCT.13'],
  severity: 'high',
  why: 'Identity Center gives people short-lived sign-ins with MFA instead of IAM users and long-lived keys.',

  async observe(ctx) {
    const found = await findInstance(ctx.aws, ctx.want, {
      me: ctx.value('management.accountId'),
      lastRegion: ctx.value(SSO_KEYS.region),
    });
    if (!found) return {};
    if (found.status === 'ACTIVE') {
      ctx.publish(SSO_KEYS.instanceArn, found.arn);
      ctx.publish(SSO_KEYS.identityStoreId, found.identityStoreId);
      ctx.publish(SSO_KEYS.region, found.region);
      ctx.publish(SSO_KEYS.startUrl, startUrlFor(found.identityStoreId));
      const note = elsewhereNote(found, ctx.want.homeRegion);
      if (note) ctx.info(note);
    }
    return { instance: found };
  },

  fresh: () => ({}),

  plan(want, seen) {
    const i = seen.instance;
    if (i?.status === 'ACTIVE') return [];
    const region = i?.region ?? want.homeRegion;
    const link = consoleLink(region);
    if (i) {
      return [
        {
          kind: 'manual',
          symbol: '!',
          service: 'console',
          operation: 'WaitForIdentityCenter',
          input: {},
          target: ssoTarget(region),
          summary: `! IAM Identity Center in ${region} is ${i.status.toLowerCase().replace(/_/g, ' ')}: wait until it is enabled`,
          manual: {
            instructions: [
              `IAM Identity Center in ${region} is ${i.status} (instance ${i.arn}).`,
              i.status === 'DELETE_IN_PROGRESS'
                ? 'It is being deleted: wait until the deletion has finished, enable it again (IAM Identity Center console → "Enable" → "Enable with AWS Organizations"), then run again.'
                : 'Wait a minute until the console shows it as enabled, then run again.',
            ],
            why: 'Users, groups, permission sets and sign-in all live in the Identity Center instance.',
            link,
            blocking: true,
          },
        },
      ];
    }
    return [
      {
        kind: 'manual',
        symbol: '!',
        service: 'console',
        operation: 'EnableIdentityCenter',
        input: {},
        target: ssoTarget(region),
        summary: `! Enable IAM Identity Center in ${region} (console only; no API can do it)`,
        manual: {
          instructions: [
            `Open the IAM Identity Center console in ${region} (link below), signed in to this management account.`,
            'Click "Enable", then choose "Enable with AWS Organizations" (not an account instance).',
            'Wait until the dashboard shows "IAM Identity Center enabled" (about a minute), then run secure-start again.',
          ],
          why: 'The founder and the team sign in through Identity Center with short-lived credentials instead of the root user or IAM users; AWS allows enabling the organization instance only in the console.',
          link,
          blocking: true,
        },
      },
    ];
  },
};
