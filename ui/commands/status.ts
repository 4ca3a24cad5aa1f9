// `secure-start status`: the step graph, what the state file says about each step and what
// it knows (IDs, in-flight requests, the last changes). On a terminal an ink view also reads
// AWS (read-only) and shows each step's live state; elsewhere plain text from the file only.
import type { GlobalOptions } from '../options.js';
import type { CommandEnv } from './index.js';
import { CliExit, baseline, openSession, openState } from '../session.js';
import { nothingSetUpMessage } from '../input.js';
import { StateError } from '../../state/store.js';
import { STEPS, stepsFor } from '../../steps/index.js';
import { resolveBaseline } from '../../config/load.js';
import { topoOrder } from '../../engine/engine.js';
import type { IoEvent } from '../../engine/io.js';
import type { StateStore } from '../../state/store.js';
import type { Step } from '../../steps/contract.js';
import type { StatusModel, LiveCheck } from '../status-view.js';

/** Which step made an output key known: the first whose `outputs` pattern matches (`*`: any text). */
export function stepOfOutput(key: string, steps: readonly Step<any, any>[] = STEPS): string | undefined {
  const matches = (pattern: string) =>
    new RegExp(
      `^${pattern
        .split('*')
        .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('.+')}$`,
    ).test(key);
  return steps.find((s) => s.outputs?.some(matches))?.id;
}

export function statusModel(state: StateStore, steps: readonly Step<any, any>[] = STEPS): StatusModel {
  const d = state.data;
  const order = topoOrder(steps);
  const depth = new Map<string, number>();
  for (const s of order) depth.set(s.id, Math.max(0, ...s.needs.map((n) => (depth.get(n) ?? 0) + 1)));
  const ids = new Set(order.map((s) => s.id));
  const resources = new Map<string, [string, string][]>();
  for (const [k, v] of Object.entries(d.outputs)) {
    const step = stepOfOutput(k, steps);
    if (step && ids.has(step)) resources.set(step, [...(resources.get(step) ?? []), [k, v]]);
  }
  return {
    stateFile: state.path,
    account: d.managementAccountId,
    updated: d.updatedAt,
    journal: d.journal.length,
    inflight: Object.values(d.inflight).map(
      (op) => `${op.service}:${op.operation} ${op.key} (request ${op.requestId}, since ${op.startedAt})`,
    ),
    steps: order.map((s) => ({
      id: s.id,
      title: s.title,
      needs: s.needs,
      depth: depth.get(s.id) ?? 0,
      ...(d.steps[s.id] ? { saved: d.steps[s.id]!.status } : {}),
      ...(d.steps[s.id]?.error ? { error: d.steps[s.id]!.error } : {}),
      resources: resources.get(s.id) ?? [],
    })),
  };
}

/**
 * Who the credentials belong to (one read-only call), or undefined when there are none or AWS
 * cannot be reached: the file is then shown as it is, like a plan without credentials.
 */
async function callerAccount(opts: GlobalOptions, region: string): Promise<string | undefined> {
  const { AwsFactory } = await import('../../aws/factory.js');
  const aws = new AwsFactory({ profile: opts.profile, region, readOnly: true, maxAttempts: 2 });
  try {
    return (await aws.call('sts', 'GetCallerIdentity', {})).Account;
  } catch {
    return undefined;
  } finally {
    aws.destroy();
  }
}

export async function status(opts: GlobalOptions, env: CommandEnv): Promise<number> {
  const state = openState(opts, env.version);
  const d = state.data;
  // Another account's state file is refused here as by every other command (exit 2), not shown
  // as if it described the account these credentials reach.
  if (d.managementAccountId) {
    const home = typeof d.answers.homeRegion === 'string' ? d.answers.homeRegion : 'us-east-1';
    const caller = await callerAccount(opts, opts.region ?? home);
    if (caller) {
      try {
        state.bindAccount(caller);
      } catch (e) {
        if (e instanceof StateError) throw new CliExit(e.message, 2);
        throw e;
      }
    }
  }
  if (opts.json) {
    // Every fact here is what the state file remembers (`source`); `verify --json` reads AWS.
    env.stdout.write(
      `${JSON.stringify({ schemaVersion: 1, source: 'state file', stateFile: state.path, exists: state.existed, managementAccountId: d.managementAccountId ?? null, steps: d.steps, outputs: d.outputs, inflight: d.inflight, journalEntries: d.journal.length }, null, 2)}\n`,
    );
    return 0;
  }
  if (!state.existed) {
    env.stdout.write(`${nothingSetUpMessage(state.path)}\n`);
    return 0;
  }
  const model = statusModel(state, stepsOfAnswers(d.answers));
  const tty = Boolean(env.stdout.isTTY) && !process.env.CI && process.env.TERM !== 'dumb';
  if (tty) {
    const { showStatus } = await import('../status-view.js');
    await showStatus(model, Object.keys(d.answers).length ? liveCheck(opts, state) : undefined);
    return 0;
  }
  const lines = [
    `State file ${state.path} — management account ${d.managementAccountId ?? 'unknown'}, updated ${d.updatedAt}`,
    'Everything below is what the state file remembers; AWS is not read here. `npx secure-start verify` checks AWS (and `status` in a terminal reads it too).',
    '',
  ];
  for (const s of model.steps) {
    lines.push(`state file: ${(s.saved ?? 'not run').padEnd(8)} ${s.title}${s.error ? ` — ${s.error}` : ''}`);
    for (const [k, v] of s.resources) lines.push(`             ${k} = ${v}`);
  }
  if (model.inflight.length) lines.push('', 'Waiting on AWS:', ...model.inflight.map((l) => `  ${l}`));
  lines.push('', `${d.journal.length} changes recorded; ${Object.keys(d.outputs).length} IDs known.`);
  env.stdout.write(lines.join('\n') + '\n');
  return 0;
}

/** The steps as the saved answers build them (titles say only what is on); all of them when the answers do not resolve. */
function stepsOfAnswers(answers: unknown): readonly Step<any, any>[] {
  try {
    return stepsFor(resolveBaseline(answers, { placeholders: true }));
  } catch {
    return STEPS;
  }
}

/** A verify run (reads only) whose step results feed the live view. */
function liveCheck(opts: GlobalOptions, state: StateStore): LiveCheck {
  return async (report) => {
    const want = baseline(state.data.answers, false);
    const io = {
      notify(e: IoEvent) {
        if (e.type !== 'step-done') return;
        const live =
          e.status === 'ok' ? 'ok' : e.status === 'drift' ? 'drift' : e.status === 'manual' ? 'manual' : 'error';
        report(
          e.step,
          live,
          e.status === 'drift'
            ? `${e.actions.length} difference${e.actions.length === 1 ? '' : 's'} (\`npx secure-start\` repairs): ${e.actions
                .slice(0, 3)
                .map((a) => a.summary)
                .join('; ')}${e.actions.length > 3 ? '; …' : ''}`
            : e.error?.message,
        );
      },
    };
    const s = await openSession({ opts, mode: 'verify', want, state, io });
    try {
      const r = await s.engine.run({ mode: 'verify', aws: s.aws, readAws: s.aws.readOnlyView() });
      const drift = r.steps.filter((x) => x.status === 'drift').length;
      return drift
        ? `AWS: ${drift} step${drift === 1 ? '' : 's'} drifted. \`npx secure-start verify\` lists them; \`npx secure-start\` repairs.`
        : 'AWS matches the baseline.';
    } finally {
      s.aws.destroy();
    }
  };
}
