import { describe, expect, it } from 'vitest';
import { organizationalUnits } from '../../../steps/organizational-units.js';
import { awsErr, basic, brief, fakeCtx, fakeRun, ORG_VALUES, ROOT } from './fixtures.js';

const want = basic();

describe('organizational-units plan', () => {
  it('creates every OU on a fresh organization, children with their parent as a ref', () => {
    const f = fakeCtx(want, () => undefined);
    const actions = organizationalUnits.plan(want, organizationalUnits.fresh(f.ctx));
    expect(brief(actions)).toEqual([
      {
        symbol: '+',
        op: 'organizations:CreateOrganizationalUnit',
        input: { ParentId: '<org.rootId>', Name: 'Security' },
      },
      {
        symbol: '+',
        op: 'organizations:CreateOrganizationalUnit',
        input: { ParentId: '<org.rootId>', Name: 'Workloads' },
      },
      {
        symbol: '+',
        op: 'organizations:CreateOrganizationalUnit',
        input: { ParentId: '<ou.Workloads.id>', Name: 'Prod' },
      },
      {
        symbol: '+',
        op: 'organizations:CreateOrganizationalUnit',
        input: { ParentId: '<ou.Workloads.id>', Name: 'NonProd' },
      },
    ]);
    expect(actions.map((a) => a.produces)).toEqual([
      ['ou.Security.id'],
      ['ou.Workloads.id'],
      ['ou.Prod.id'],
      ['ou.NonProd.id'],
    ]);
  });

  it('creates only the missing child under the existing parent ID', () => {
    const actions = organizationalUnits.plan(want, {
      rootId: ROOT,
      found: { Security: 'ou-1', Workloads: 'ou-2', Prod: 'ou-3' },
    });
    expect(brief(actions)).toEqual([
      { symbol: '+', op: 'organizations:CreateOrganizationalUnit', input: { ParentId: 'ou-2', Name: 'NonProd' } },
    ]);
  });

  it('orders parents first even when the config lists a child first, and handles Sandbox', () => {
    const w = {
      ...want,
      organizationalUnits: [
        { name: 'Prod', parent: 'Workloads' },
        { name: 'Workloads', parent: 'Root' },
        { name: 'Sandbox', parent: 'Root' },
      ],
    };
    expect(
      brief(organizationalUnits.plan(w, { rootId: ROOT, found: {} })).map((a) => (a.input as { Name: string }).Name),
    ).toEqual(['Workloads', 'Sandbox', 'Prod']);
  });

  it('observe finds OUs by name under their parent (not elsewhere) and publishes them', async () => {
    const f = fakeCtx(
      want,
      (_s, _op, input) => ({
        OrganizationalUnits:
          input.ParentId === ROOT
            ? [
                { Id: 'ou-sec', Name: 'Security' },
                { Id: 'ou-wl', Name: 'workloads' },
                { Id: 'ou-stray', Name: 'Prod' },
              ]
            : input.ParentId === 'ou-wl'
              ? [{ Id: 'ou-prod', Name: 'Prod' }]
              : [],
      }),
      ORG_VALUES,
    );
    const seen = await organizationalUnits.observe(f.ctx);
    expect(seen.found).toEqual({ Security: 'ou-sec', Workloads: 'ou-wl', Prod: 'ou-prod' });
    expect(f.published).toEqual({ 'ou.Security.id': 'ou-sec', 'ou.Workloads.id': 'ou-wl', 'ou.Prod.id': 'ou-prod' });
    expect(brief(organizationalUnits.plan(want, seen))).toEqual([
      { symbol: '+', op: 'organizations:CreateOrganizationalUnit', input: { ParentId: 'ou-wl', Name: 'NonProd' } },
    ]);
  });

  it('run adopts an OU created meanwhile (DuplicateOrganizationalUnitException)', async () => {
    const a = organizationalUnits.plan(want, {
      rootId: ROOT,
      found: { Security: 'ou-1', Workloads: 'ou-2', Prod: 'ou-3' },
    })[0]!;
    const r = fakeRun(want, a, (_s, op) =>
      op === 'CreateOrganizationalUnit'
        ? awsErr('DuplicateOrganizationalUnitException')
        : { OrganizationalUnits: [{ Id: 'ou-np', Name: 'NonProd' }] },
    );
    expect(await a.run!(r.ctx)).toEqual({ 'ou.NonProd.id': 'ou-np' });
  });

  it('run resolves the parent ref and returns the new ID', async () => {
    const a = organizationalUnits.plan(want, { rootId: ROOT, found: { Security: 'ou-1' } })[1]!;
    const r = fakeRun(want, a, () => ({ OrganizationalUnit: { Id: 'ou-new' } }), { 'ou.Workloads.id': 'ou-2' });
    expect(await a.run!(r.ctx)).toEqual({ 'ou.Prod.id': 'ou-new' });
    expect(r.calls[0]!.input).toEqual({ ParentId: 'ou-2', Name: 'Prod' });
  });
});
