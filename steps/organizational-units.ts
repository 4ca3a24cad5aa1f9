// Organizational units: Security, Workloads with Prod and NonProd under it, and the optional
// Sandbox (names and nesting from the config). Each OU is found by name under its parent
// before it is created, so a re-run or an OU made by hand is adopted, never duplicated.
// A child OU's CreateOrganizationalUnit takes its parent's ID as a ref, which orders the calls.
// Covers: SSB ACCT.01 (account structure).
import { StepError, ref, type Action, type Step, type StepContext, type Val } from './contract.js';
import { findExisting } from './lib/eventual.js';
import { ORG_TARGET, orgKnown, parentsFirst } from './lib/org-common.js';
import { isAwsError } from '../aws/errors.js';

export interface OuSeen {
  rootId: Val;
  /** OU name → ID, for the configured OUs found under their configured parent. */
  found: Record<string, string>;
}

export const ouKey = (name: string): string => `ou.${name}.id`;

const sameName = (a: string | undefined, b: string) => a !== undefined && a.toLowerCase() === b.toLowerCase();

/** The OU with this ID, if it is still named so under that parent. */
async function describeOu(ctx: StepContext, id: string, name: string, parentId: string): Promise<string | undefined> {
  try {
    const ou = (await ctx.aws.call('organizations', 'DescribeOrganizationalUnit', { OrganizationalUnitId: id }))
      .OrganizationalUnit;
    if (!sameName(ou?.Name, name)) return undefined;
    const parent = (await ctx.aws.pages('organizations', 'ListParents', { ChildId: id })).flatMap(
      (p) => p.Parents ?? [],
    )[0]?.Id;
    return parent === parentId ? id : undefined;
  } catch (e) {
    if (isAwsError(e, 'OrganizationalUnitNotFoundException')) return undefined;
    throw e;
  }
}

export const organizationalUnits: Step<OuSeen> = {
  id: 'organizational-units',
  title: 'Organizational units (Security, Workloads/Prod, Workloads/NonProd…)',
  outputs: ['ou.*.id'],
  needs: ['organization'],
  controls: ['SSB ACCT.01'],
  severity: 'medium',
  why: 'The OUs are where the guardrails attach; an account outside its OU misses the protections meant for it.',

  async observe(ctx) {
    if (!orgKnown(ctx)) return organizationalUnits.fresh(ctx);
    const rootId = ctx.value('org.rootId')!;
    const found: Record<string, string> = {};
    const children = new Map<string, { Id?: string; Name?: string }[]>();
    const under = async (parentId: string) => {
      let list = children.get(parentId);
      if (!list) {
        const pages = await ctx.aws.pages('organizations', 'ListOrganizationalUnitsForParent', { ParentId: parentId });
        list = pages.flatMap((p) => p.OrganizationalUnits ?? []);
        children.set(parentId, list);
      }
      return list;
    };
    for (const ou of parentsFirst(ctx.want.organizationalUnits)) {
      const parentId = ou.parent === 'Root' ? rootId : found[ou.parent];
      if (!parentId) continue; // the parent does not exist yet, so neither does the child
      const list = await under(parentId);
      // AWS compares OU names case-sensitively, but two OUs differing only in case would
      // confuse a person: prefer the exact name, else adopt the case-insensitive match.
      let id = (list.find((o) => o.Name === ou.name) ?? list.find((o) => sameName(o.Name, ou.name)))?.Id;
      // Made a moment ago, not listed yet (eventual consistency): the ID this state file knows
      // is read directly, and kept if it is still that OU under that parent.
      const known = ctx.value(ouKey(ou.name));
      if (!id && known) id = await describeOu(ctx, known, ou.name, parentId);
      if (id) {
        found[ou.name] = id;
        ctx.publish(ouKey(ou.name), id);
      }
    }
    return { rootId, found };
  },

  fresh: (ctx) => ({ rootId: ctx.ref('org.rootId'), found: {} }),

  plan(want, seen) {
    const actions: Action[] = [];
    for (const ou of parentsFirst(want.organizationalUnits)) {
      if (seen.found[ou.name]) continue;
      const ParentId: Val = ou.parent === 'Root' ? seen.rootId : (seen.found[ou.parent] ?? ref(ouKey(ou.parent)));
      const input = { ParentId, Name: ou.name };
      const key = ouKey(ou.name);
      actions.push({
        kind: 'call',
        symbol: '+',
        service: 'organizations',
        operation: 'CreateOrganizationalUnit',
        input,
        target: ORG_TARGET,
        summary: `+ organizations:CreateOrganizationalUnit ${ou.name} (under ${ou.parent === 'Root' ? 'the root' : `${ou.parent}`})`,
        produces: [key],
        async run(ctx) {
          const { ParentId: parentId } = ctx.input as { ParentId: string };
          try {
            const res = await ctx.aws.call('organizations', 'CreateOrganizationalUnit', {
              ParentId: parentId,
              Name: ou.name,
            });
            const id = res.OrganizationalUnit?.Id;
            if (!id)
              throw new StepError(
                `AWS created the OU ${ou.name} but did not return its ID.`,
                'Run again; it will be found by name.',
              );
            return { [key]: id };
          } catch (e) {
            // Made meanwhile (another run, or a person in the console): adopt it.
            if (isAwsError(e, 'DuplicateOrganizationalUnitException')) {
              const id = await findExisting(ctx, `the OU ${ou.name}`, async () => {
                const pages = await ctx.aws.pages('organizations', 'ListOrganizationalUnitsForParent', {
                  ParentId: parentId,
                });
                return pages.flatMap((p) => p.OrganizationalUnits ?? []).find((o) => sameName(o.Name, ou.name))?.Id;
              });
              if (id) return { [key]: id };
            }
            if (isAwsError(e, 'ConstraintViolationException'))
              throw new StepError(
                `AWS refused to create the OU ${ou.name}: ${(e as Error).message}`,
                'Organizations allows at most 5 levels of OUs and 1,000 OUs per organization; remove OUs you no longer use or change organizationalUnits in the config.',
              );
            throw e;
          }
        },
      });
    }
    return actions;
  },
};
