// `secure-start status`: what the state file says about each step, and what it knows
// (IDs, in-flight requests, the last changes). Reads only the local file.
import type { GlobalOptions } from '../options.js';
import type { CommandEnv } from './index.js';
import { openState } from '../session.js';
import { STEPS } from '../../steps/index.js';
import { topoOrder } from '../../engine/engine.js';

export async function status(opts: GlobalOptions, env: CommandEnv): Promise<number> {
  const state = openState(opts, env.version);
  const d = state.data;
  if (opts.json) {
    env.stdout.write(`${JSON.stringify({ schemaVersion: 1, stateFile: state.path, exists: state.existed, managementAccountId: d.managementAccountId ?? null, steps: d.steps, outputs: d.outputs, inflight: d.inflight, journalEntries: d.journal.length }, null, 2)}\n`);
    return 0;
  }
  if (!state.existed) {
    env.stdout.write(`No state file at ${state.path} yet: nothing has run here. Start with \`npx secure-start plan\`.\n`);
    return 0;
  }
  const lines = [`State file ${state.path} — management account ${d.managementAccountId ?? 'unknown'}, updated ${d.updatedAt}`, ''];
  for (const s of topoOrder(STEPS)) {
    const r = d.steps[s.id];
    lines.push(`${(r?.status ?? 'not run').padEnd(8)} ${s.title}${r?.error ? ` — ${r.error}` : ''}`);
  }
  const inflight = Object.values(d.inflight);
  if (inflight.length) {
    lines.push('', 'Waiting on AWS:');
    for (const op of inflight) lines.push(`  ${op.service}:${op.operation} ${op.key} (request ${op.requestId}, since ${op.startedAt})`);
  }
  lines.push('', `${d.journal.length} changes recorded; ${Object.keys(d.outputs).length} IDs known.`);
  env.stdout.write(lines.join('\n') + '\n');
  return 0;
}
