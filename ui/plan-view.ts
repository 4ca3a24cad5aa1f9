// Presents a plan like terraform plan / cdk diff: grouped by step, `+ ~ -` symbols, and a
// one-line summary. The JSON form is a list of {step, service, operation, input, account,
// region} records (plus kind, symbol, summary, controls) — stable for scripts.
import type { RunResult } from '../engine/engine.js';
import type { ActionView } from '../engine/io.js';
import { style } from './style.js';
import { wrap } from './render/wrap.js';

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

/**
 * A step that could not be planned (a read failed): its calls are unknown, so a script must
 * not take the plan as complete. `service`/`operation` name the call that failed, when known.
 */
export interface PlanErrorRecord {
  step: string;
  kind: 'error';
  service?: string;
  operation?: string;
  code?: string;
  message: string;
}

export function planRecords(result: RunResult): (PlanRecord | PlanErrorRecord)[] {
  const rec = (a: ActionView): PlanRecord => ({
    step: a.step, kind: a.kind, symbol: a.symbol, service: a.service, operation: a.operation,
    input: a.input, account: a.account, region: a.region, summary: a.summary, controls: a.controls,
  });
  return result.steps.flatMap((s) => [
    ...s.actions.map(rec),
    ...s.manual.map(rec),
    ...(s.status === 'failed' ? [{
      step: s.id, kind: 'error' as const,
      ...(s.error?.service ? { service: s.error.service, operation: s.error.operation } : {}),
      ...(s.error?.code ? { code: s.error.code } : {}),
      message: s.error?.message ?? 'failed',
    }] : []),
  ]);
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

/** `management` → "management account"; `<prod.accountId>` or prod's ID → "prod account (ID)". */
export function accountLabel(account: string, names: Record<string, string> = {}): string {
  if (account === 'management') return 'management account';
  const ref = /^<(.+)\.accountId>$/.exec(account);
  if (ref) return `${ref[1]} account`;
  return names[account] ? `${names[account]} account (${account})` : `account ${account}`;
}

export interface PlanFormat {
  color: boolean;
  width?: number;
  /** Account ID → name, for readable account headings. */
  accountNames?: Record<string, string>;
  /** Show at most this many calls per account in a step ("… and 9 more"); default all. */
  maxPerGroup?: number;
}

export function formatPlan(result: RunResult, o: PlanFormat): string {
  const st = style(o.color);
  const width = Math.max(40, Math.min(o.width ?? 80, 100));
  const lines: string[] = [];
  if (result.offline) lines.push(st.yellow(wrap('No AWS credentials: this is the plan for a brand-new account.', width)), '');
  for (const s of result.steps) {
    const head = st.bold(s.title);
    const ids = s.controls.join(', ');
    const n = s.actions.length;
    const count = n ? ` (${n} call${n === 1 ? '' : 's'})` : '';
    const titled = `${s.title}${count}`;
    lines.push(ids && titled.length + ids.length + 2 < width ? `${head}${st.dim(count)}${' '.repeat(width - titled.length - ids.length)}${st.dim(ids)}`
      : `${st.bold(wrap(titled, width, '  '))}${ids ? `\n${st.dim(wrap(`  ${ids}`, width, '  '))}` : ''}`);
    if (s.status === 'failed') lines.push(st.red(wrap(`  ✗ could not plan: ${s.error?.message}`, width, '    ')));
    if (!s.actions.length && !s.manual.length && s.status !== 'failed') lines.push(st.dim('  nothing to change'));
    // Grouped by where the calls go, in the order they first appear.
    const groups = new Map<string, ActionView[]>();
    for (const a of s.actions) {
      const key = `${accountLabel(a.account, o.accountNames)} · ${a.region}`;
      groups.set(key, [...(groups.get(key) ?? []), a]);
    }
    for (const [where, actions] of groups) {
      lines.push(st.dim(`  in ${where}`));
      const shown = o.maxPerGroup ? actions.slice(0, o.maxPerGroup) : actions;
      for (const a of shown) {
        const color = a.symbol === '+' ? st.green : a.symbol === '-' ? st.red : st.yellow;
        lines.push(color(wrap(`    ${a.summary}`, width, '        ')));
      }
      if (shown.length < actions.length) lines.push(st.dim(`    … and ${actions.length - shown.length} more`));
    }
    for (const m of s.manual) {
      const text = m.summary.replace(/^!\s*/, '');
      lines.push(st.cyan(wrap(`  ! ${text}${m.manual?.blocking ? ' (a step for you)' : ' (advice)'}`, width, '    ')));
    }
  }
  const c = planCounts(result);
  lines.push('');
  lines.push(st.bold(wrap(`Plan: ${c.add} to add, ${c.change} to change, ${c.remove} to destroy (${c.calls} API call${c.calls === 1 ? '' : 's'})` + (c.manual ? `; ${c.manual} step${c.manual === 1 ? '' : 's'} for you in the console.` : '.'), width)));
  return lines.join('\n') + '\n';
}

/** What a plan costs and what is hard to undo, from the operations it contains. */
export function planNotes(result: RunResult): { money: string[]; permanent: string[] } {
  // By operation name: the service label differs between the SDK name and the summary (ce / cost-explorer).
  const ops = new Set(result.steps.flatMap((s) => s.actions).map((a) => `${a.service === 'cost-explorer' ? 'ce' : a.service}:${a.operation}`));
  const accounts = result.steps.flatMap((s) => s.actions).filter((a) => a.operation === 'CreateAccount').length;
  const money: string[] = [];
  const permanent: string[] = [];
  if (ops.has('cloudtrail:CreateTrail') || ops.has('s3:CreateBucket'))
    money.push('CloudTrail: the first copy of management events is free; you pay S3 storage for the logs (usually well under 1 USD a month for a new company).');
  if (ops.has('budgets:CreateBudget')) money.push('Budgets: free (the first two budgets of an account cost nothing).');
  if (ops.has('ce:CreateAnomalyMonitor') || ops.has('ce:CreateAnomalySubscription')) money.push('Cost Anomaly Detection: free.');
  if (accounts) money.push(`New accounts: free; you pay only for what runs in them.`);
  if (ops.has('organizations:CreateOrganization')) money.push('Organizations, SCPs and IAM Identity Center: free.');
  if (accounts)
    permanent.push(`${accounts} new AWS account${accounts === 1 ? '' : 's'}: an account cannot be deleted at once; closing one takes 90 days, and each email address stays tied to it.`);
  if (ops.has('organizations:CreateOrganization'))
    permanent.push('This account becomes the management account of a new organization; leaving or deleting the organization means removing every member account first.');
  if (ops.has('cloudtrail:CreateTrail') || ops.has('s3:CreateBucket'))
    permanent.push('Audit logs are protected by an SCP: even administrators cannot delete them or turn the trail off without removing that policy first.');
  return { money, permanent };
}

/** The plan with its costs and what cannot be undone easily: what the wizard shows before asking. */
export function formatPlanNotes(result: RunResult, o: { color: boolean; width?: number }): string {
  const st = style(o.color);
  const width = o.width ?? 80;
  const { money, permanent } = planNotes(result);
  const lines: string[] = [];
  if (money.length) lines.push('', st.bold('What it costs'), ...money.map((m) => wrap(`  $ ${m}`, width, '    ')));
  if (permanent.length) lines.push('', st.bold('Not easy to undo'), ...permanent.map((m) => wrap(`  ! ${m}`, width, '    ')));
  return lines.length ? lines.join('\n') + '\n' : '';
}
