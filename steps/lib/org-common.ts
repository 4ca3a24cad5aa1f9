// Small helpers shared by the organization-structure steps (trusted access, OUs, accounts,
// SCPs). Organizations is a global service: every call goes to the management account in
// us-east-1.
import { mgmt, type StepContext, type Target } from '../contract.js';

export const ORG_TARGET: Target = mgmt('us-east-1');

/**
 * Whether observe can look at the organization. In plan/verify against an account that has
 * no organization yet (the organization step would create it), every Organizations read
 * fails with AWSOrganizationsNotInUseException, so the steps plan as for a fresh account.
 */
export const orgKnown = (ctx: StepContext): boolean =>
  ctx.value('org.id') !== undefined && ctx.value('org.rootId') !== undefined;

/** OUs ordered so that a parent always comes before its children (config order kept otherwise). */
export function parentsFirst<T extends { name: string; parent: string }>(ous: T[]): T[] {
  const out: T[] = [];
  const placed = new Set<string>(['Root']);
  let rest = [...ous];
  while (rest.length) {
    const ready = rest.filter((o) => placed.has(o.parent));
    // A cycle or an unknown parent is rejected by the config schema; never loop forever.
    if (!ready.length) return [...out, ...rest];
    ready.forEach((o) => {
      out.push(o);
      placed.add(o.name);
    });
    rest = rest.filter((o) => !ready.includes(o));
  }
  return out;
}
