// Trusted access: the AWS services that work across the organization must be allowed to, and
// service control policies must be enabled on the root before any SCP can be attached. Which
// services is not listed here: each step declares the ones it needs (`trustedAccess`, and the
// principals of its `delegatedAdmins`), and this step enables those of the run's steps.
// Covers: the prerequisites of SSB ACCT.02, ACCT.03, ACCT.07 and ACCT.13 (and of the
// services that follow).
import { StepError, type Action, type Step, type StepContext, type Val } from './contract.js';
import { ORG_TARGET, orgKnown } from './lib/org-common.js';
import { isAwsError } from '../aws/errors.js';

/** The service principals the run's steps need trusted access for, in step order, no duplicates. */
export function wantedPrincipals(steps: StepContext['steps']): string[] {
  const all = (steps ?? []).flatMap((s) => [
    ...(s.trustedAccess ?? []),
    ...(s.delegatedAdmins ?? []).map((d) => d.servicePrincipal),
  ]);
  return [...new Set(all)];
}

export const SCP_TYPE = 'SERVICE_CONTROL_POLICY' as const;

export interface TrustedAccessSeen {
  /** Service principals the run's steps need (see wantedPrincipals). */
  wanted: string[];
  /** Service principals with trusted access already enabled. */
  enabled: string[];
  rootId: Val;
  /** The SCP policy type's status on the root; undefined when it is not enabled at all. */
  scpStatus?: 'ENABLED' | 'PENDING_ENABLE' | 'PENDING_DISABLE' | string;
}

/** Output key made known once trusted access for a principal is on (orders the calls). */
export const trustedKey = (principal: string): string => `trustedAccess.${principal}`;

export const trustedAccess: Step<TrustedAccessSeen> = {
  id: 'trusted-access',
  title: 'Trusted access for the services the baseline uses; SCPs enabled',
  outputs: ['trustedAccess.*'],
  needs: ['organization'],
  controls: ['SSB ACCT.02', 'SSB ACCT.03', 'SSB ACCT.07', 'SSB ACCT.13'],
  severity: 'high',
  why: 'CloudTrail, Identity Center and centralized root access only work across the organization with trusted access on.',

  async observe(ctx) {
    if (!orgKnown(ctx)) return trustedAccess.fresh(ctx);
    const wanted = wantedPrincipals(ctx.steps);
    const pages = await ctx.aws.pages('organizations', 'ListAWSServiceAccessForOrganization', {});
    const enabled = pages
      .flatMap((p) => p.EnabledServicePrincipals ?? [])
      .map((s) => s.ServicePrincipal ?? '')
      .filter(Boolean);
    for (const p of enabled) if (wanted.includes(p)) ctx.publish(trustedKey(p), 'enabled');
    const roots = (await ctx.aws.pages('organizations', 'ListRoots', {})).flatMap((p) => p.Roots ?? []);
    const root = roots[0];
    const scpStatus = root?.PolicyTypes?.find((t) => t.Type === SCP_TYPE)?.Status;
    return { wanted, enabled, rootId: root?.Id ?? ctx.ref('org.rootId'), ...(scpStatus ? { scpStatus } : {}) };
  },

  // CreateOrganization with all features enables SCPs on the new root (AWS-FACTS.md); trusted
  // access starts empty.
  fresh: (ctx) => ({
    wanted: wantedPrincipals(ctx.steps),
    enabled: [],
    rootId: ctx.ref('org.rootId'),
    scpStatus: 'ENABLED',
  }),

  plan(_want, seen) {
    const actions: Action[] = [];
    let previous: string | undefined;
    for (const principal of seen.wanted) {
      if (seen.enabled.includes(principal)) continue;
      const input = { ServicePrincipal: principal };
      actions.push({
        kind: 'call',
        symbol: '+',
        service: 'organizations',
        operation: 'EnableAWSServiceAccess',
        input,
        target: ORG_TARGET,
        summary: `+ organizations:EnableAWSServiceAccess ${principal}`,
        produces: [trustedKey(principal)],
        // One at a time: Organizations answers concurrent changes with ConcurrentModificationException.
        ...(previous ? { after: [trustedKey(previous)] } : {}),
        async run(ctx) {
          await ctx.aws.call('organizations', 'EnableAWSServiceAccess', input);
          return { [trustedKey(principal)]: 'enabled' };
        },
      });
      previous = principal;
    }
    if (seen.scpStatus !== 'ENABLED') {
      const input = { RootId: seen.rootId, PolicyType: SCP_TYPE };
      actions.push({
        kind: 'call',
        symbol: seen.scpStatus ? '~' : '+',
        service: 'organizations',
        operation: 'EnablePolicyType',
        input,
        target: ORG_TARGET,
        summary:
          seen.scpStatus === 'PENDING_ENABLE'
            ? '~ organizations:EnablePolicyType SERVICE_CONTROL_POLICY on the root (already being enabled; wait for it)'
            : `+ organizations:EnablePolicyType SERVICE_CONTROL_POLICY on the root`,
        produces: ['org.scpEnabled'],
        ...(previous ? { after: [trustedKey(previous)] } : {}),
        async run(ctx) {
          const { RootId } = ctx.input as { RootId: string };
          if (seen.scpStatus !== 'PENDING_ENABLE') {
            try {
              await ctx.aws.call('organizations', 'EnablePolicyType', { RootId, PolicyType: SCP_TYPE });
            } catch (e) {
              // Already enabled (or being enabled by a previous run): only the wait is left.
              if (!isAwsError(e, 'PolicyTypeAlreadyEnabledException')) {
                if (isAwsError(e, 'PolicyTypeNotAvailableForOrganizationException'))
                  throw new StepError(
                    'Service control policies are not available in this organization.',
                    'SCPs need an organization with all features: enable all features in the AWS Organizations console (Settings), then run again.',
                  );
                throw e;
              }
            }
          }
          await ctx.poll(
            'enabling service control policies on the root (usually seconds)',
            async () => {
              const roots = (await ctx.aws.pages('organizations', 'ListRoots', {})).flatMap((p) => p.Roots ?? []);
              const status = roots.find((r) => r.Id === RootId)?.PolicyTypes?.find((t) => t.Type === SCP_TYPE)?.Status;
              return status === 'ENABLED' ? true : undefined;
            },
            { firstDelayMs: 500, timeoutMs: 5 * 60_000 },
          );
          return { 'org.scpEnabled': 'true' };
        },
      });
    }
    return actions;
  },
};
