// Presents a plan like terraform plan / cdk diff: grouped by step, `+ ~ -` symbols, and a
// one-line summary. The JSON form is a list of {step, service, operation, input, account,
// region} records (plus kind, symbol, summary, controls) — stable for scripts.
import type { RunResult } from '../engine/engine.js';
import type { ActionView } from '../engine/io.js';
import { style } from './style.js';

export interface PlanRecord {
  step: string;
  kind: 'call' | 'manual';
  symbol: string;
  service: string;
  operation: string;
  input: unknown;
  account: string;
  region: string;
  summary: string;
  controls: string[];
}

export function planRecords(result: RunResult): PlanRecord[] {
  const rec = (a: ActionView): PlanRecord => ({
    step: a.step, kind: a.kind, symbol: a.symbol, service: a.service, operation: a.operation,
    input: a.input, account: a.account, region: a.region, summary: a.summary, controls: a.controls,
  });
  return result.steps.flatMap((s) => [...s.actions.map(rec), ...s.manual.map(rec)]);
}

export function planCounts(result: RunResult) {
  const calls = result.steps.flatMap((s) => s.actions);
  return {
    calls: calls.length,
    add: calls.filter((a) => a.symbol === '+').length,
    change: calls.filter((a) => a.symbol === '~').length,
    remove: calls.filter((a) => a.symbol === '-').length,
    manual: result.steps.flatMap((s) => s.manual).filter((m) => m.manual?.blocking).length,
  };
}

const ACCOUNT_LABEL = (a: string) => (a === 'management' ? 'management account' : `account ${a}`);

export function formatPlan(result: RunResult, o: { color: boolean; width?: number }): string {
  const st = style(o.color);
  const width = Math.max(40, Math.min(o.width ?? 80, 100));
  const lines: string[] = [];
  if (result.offline) lines.push(st.yellow('No AWS credentials: this is the plan for a brand-new account.'), '');
  for (const s of result.steps) {
    const head = st.bold(s.title);
    const ids = s.controls.join(', ');
    lines.push(ids && s.title.length + ids.length + 2 < width ? `${head}${' '.repeat(width - s.title.length - ids.length)}${st.dim(ids)}` : ids ? `${head}\n  ${st.dim(ids)}` : head);
    if (s.status === 'failed') lines.push(st.red(`  ✗ could not plan: ${s.error?.message}`));
    if (!s.actions.length && !s.manual.length && s.status !== 'failed') lines.push(st.dim('  nothing to change'));
    for (const a of s.actions) {
      const color = a.symbol === '+' ? st.green : a.symbol === '-' ? st.red : st.yellow;
      lines.push(`  ${color(a.summary)}`);
      lines.push(st.dim(`      ${ACCOUNT_LABEL(a.account)} · ${a.region}`));
    }
    for (const m of s.manual) {
      lines.push(st.cyan(`  ! ${m.summary}${m.manual?.blocking ? '' : ' (advice)'}`));
    }
  }
  const c = planCounts(result);
  lines.push('');
  lines.push(st.bold(`Plan: ${c.add} to add, ${c.change} to change, ${c.remove} to destroy (${c.calls} API call${c.calls === 1 ? '' : 's'})` + (c.manual ? `; ${c.manual} step${c.manual === 1 ? '' : 's'} for you in the console.` : '.')));
  return lines.join('\n') + '\n';
}
