// Bundled by bench/floor.mjs with esbuild and run once: prints, as JSON, the step graph
// (steps/index.ts) with the actions each step plans for a brand-new account (each step's own
// fresh() + plan(), no AWS call) and the realistic latency profile (emulator/latency.ts), so
// the critical path is computed from the same data the CLI and the emulator use.
import { STEPS } from '../steps/index.js';
import { isRef, Ref, type Action, type StepContext } from '../steps/contract.js';
import { refsIn, topoOrder } from '../engine/engine.js';
import { readConfigFile, resolveBaseline } from '../config/load.js';
import { REALISTIC } from '../emulator/latency.js';
import { writerKey } from '../aws/writers.js';
import { isReadOperation } from '../aws/services.js';

const configPath = process.argv[2];
if (!configPath) throw new Error('usage: graph.js <config.json>');
const want = resolveBaseline(readConfigFile(configPath), { placeholders: false, source: configPath });
const known: Record<string, string> = { 'management.accountId': '123456789012' };
const noAws = () => {
  throw new Error('fresh() must not call AWS');
};
const ctxFor = (): StepContext => ({
  want,
  mode: 'plan',
  env: { argv: [], awsCli: async () => ({}), awsConfig: { force: false } },
  aws: { call: noAws, pages: noAws } as unknown as StepContext['aws'],
  value: (k) => known[k],
  ref: (k) => known[k] ?? new Ref(k),
  publish: () => undefined,
  inflight: () => undefined,
  warn: () => undefined,
  info: () => undefined,
  signal: new AbortController().signal,
});

const keyOf = (v: unknown) => (isRef(v) ? `<${v.key}>` : String(v));
/**
 * What AWS serialises that this action takes part in (the same rules the CLI follows):
 * `writer` for one call at a time per resource (aws/writers.ts: the organization, a bucket's
 * configuration), `holds` for a whole asynchronous operation (a permission set's Identity
 * Center work; one of the organization's 5 account-creation slots).
 */
function serialised(a: Action): { writer?: string; holds?: string } {
  const input = (a.input ?? {}) as Record<string, unknown>;
  const named = {
    ...input,
    ...(typeof input.Bucket === 'string' || isRef(input.Bucket) ? { Bucket: keyOf(input.Bucket) } : {}),
  };
  const writer =
    a.kind === 'call' && a.service !== 'local' && !isReadOperation(a.service, a.operation)
      ? writerKey(a.service, a.operation, named, keyOf(a.target.account))
      : undefined;
  if (a.service === 'organizations' && a.operation === 'CreateAccount') return { writer, holds: 'account-creation' };
  if (a.service === 'sso-admin' && ['CreateAccountAssignment', 'ProvisionPermissionSet'].includes(a.operation))
    return { holds: `permission-set:${keyOf(input.PermissionSetArn)}` };
  return writer ? { writer } : {};
}

const view = (a: Action) => ({
  kind: a.kind,
  service: a.service,
  operation: a.operation,
  summary: a.summary,
  // 'management', or the output key of the member account it goes to.
  account: isRef(a.target.account) ? a.target.account.key : a.target.account,
  needs: [...new Set([...refsIn(a.input), ...refsIn(a.target.account), ...(a.after ?? [])])],
  produces: a.produces ?? [],
  ...serialised(a),
});

const steps = topoOrder(STEPS).map((s) => {
  const ctx = ctxFor();
  let actions: ReturnType<typeof view>[] = [];
  let error: string | undefined;
  try {
    actions = s.plan(want, s.fresh(ctx)).map(view);
  } catch (e) {
    error = (e as Error).message;
  }
  // The benchmark's caller is an IAM user, not root: conditional needs for the root user do not apply.
  return { id: s.id, needs: [...s.needs, ...(s.waitsFor ?? [])], actions, ...(error ? { error } : {}) };
});
process.stdout.write(JSON.stringify({ steps, latency: REALISTIC }));
