// Presents a plan like terraform plan / cdk diff: grouped by step, `+ ~ -` symbols, and a
// one-line summary. The JSON form is {schemaVersion, account, offline, counts, records}, each
// record {step, service, operation, input, account, region} (plus kind, symbol, summary,
// controls, details) — stable for scripts.
import type { RunResult } from '../engine/engine.js';
import type { Baseline } from '../config/schema.js';
import type { ActionView } from '../engine/io.js';
import type { PlannedCalls, Step } from '../steps/contract.js';
import { STEPS } from '../steps/index.js';
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
  /** Plain-words notes (what a guardrail blocks and breaks), when the step gives some. */
  details?: string[];
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
    step: a.step,
    kind: a.kind,
    symbol: a.symbol,
    service: a.service,
    operation: a.operation,
    input: a.input,
    account: a.account,
    region: a.region,
    summary: a.summary,
    controls: a.controls,
    ...(a.details ? { details: a.details } : {}),
  });
  return result.steps.flatMap((s) => [
    ...s.actions.map(rec),
    ...s.manual.map(rec),
    ...(s.status === 'failed'
      ? [
          {
            step: s.id,
            kind: 'error' as const,
            ...(s.error?.service ? { service: s.error.service, operation: s.error.operation } : {}),
            ...(s.error?.code ? { code: s.error.code } : {}),
            message: s.error?.message ?? 'failed',
          },
        ]
      : []),
  ]);
}

/** plan --json's shape; raise it when a field changes meaning or goes away. */
export const PLAN_SCHEMA_VERSION = 1;

/**
 * plan --json: the records with a schema version, the account planned for (none without
 * credentials: a brand-new account), and the counts of the one-line summary.
 */
export function planJson(result: RunResult, account?: string) {
  const c = planCounts(result);
  return {
    schemaVersion: PLAN_SCHEMA_VERSION,
    ...(account ? { account } : {}),
    offline: result.offline,
    counts: { add: c.add, change: c.change, destroy: c.remove, calls: c.calls, manual: c.manual },
    records: planRecords(result),
  };
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

/**
 * The same call in many regions of one account (EBS encryption by default is per region) is
 * one line: "+ ec2:EnableEbsEncryptionByDefault prod in 17 regions (ap-northeast-1, …)". Fewer
 * than three stay one line each. Only the text view collapses; `--json` lists every call.
 */
export function collapseRegions(actions: ActionView[]): { symbol: string; text: string; details?: string[] }[] {
  type Bucket = { symbol: string; template: string; texts: string[]; regions: string[] };
  const rows: ({ symbol: string; text: string; details?: string[] } | Bucket)[] = [];
  const buckets = new Map<string, Bucket>();
  for (const a of actions) {
    const template = a.summary.split(` ${a.region}`).join(' {region}');
    if (template === a.summary || a.details) {
      rows.push({ symbol: a.symbol, text: a.summary, ...(a.details ? { details: a.details } : {}) });
      continue;
    }
    const key = `${a.symbol}|${a.service}:${a.operation}|${template}`;
    let b = buckets.get(key);
    if (!b) {
      b = { symbol: a.symbol, template, texts: [], regions: [] };
      buckets.set(key, b);
      rows.push(b);
    }
    b.texts.push(a.summary);
    b.regions.push(a.region);
  }
  return rows.flatMap((r) => {
    if (!('template' in r)) return [r];
    if (r.regions.length < 3) return r.texts.map((text) => ({ symbol: r.symbol, text }));
    return [
      {
        symbol: r.symbol,
        text: r.template.replace(' {region}', ` in ${r.regions.length} regions (${r.regions.join(', ')})`),
      },
    ];
  });
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
  if (result.offline)
    lines.push(st.yellow(wrap('No AWS credentials: this is the plan for a brand-new account.', width)), '');
  for (const s of result.steps) {
    const head = st.bold(s.title);
    const ids = s.controls.join(', ');
    const n = s.actions.length;
    const count = n ? ` (${n} call${n === 1 ? '' : 's'})` : '';
    const titled = `${s.title}${count}`;
    lines.push(
      ids && titled.length + ids.length + 2 < width
        ? `${head}${st.dim(count)}${' '.repeat(width - titled.length - ids.length)}${st.dim(ids)}`
        : `${st.bold(wrap(titled, width, '  '))}${ids ? `\n${st.dim(wrap(`  ${ids}`, width, '  '))}` : ''}`,
    );
    if (s.status === 'failed') lines.push(st.red(wrap(`  ✗ could not plan: ${s.error?.message}`, width, '    ')));
    if (!s.actions.length && !s.manual.length && s.status !== 'failed') lines.push(st.dim('  nothing to change'));
    // Grouped by the account the calls go to, in the order they first appear; the region is
    // in the heading when all of them share it.
    const groups = new Map<string, ActionView[]>();
    for (const a of s.actions) {
      const key = accountLabel(a.account, o.accountNames);
      groups.set(key, [...(groups.get(key) ?? []), a]);
    }
    for (const [where, actions] of groups) {
      const regions = new Set(actions.map((a) => a.region));
      lines.push(st.dim(`  in ${where}${regions.size === 1 ? ` · ${actions[0]!.region}` : ''}`));
      const rows = collapseRegions(actions);
      // A row with notes (what a guardrail blocks) is always shown; the rest up to maxPerGroup.
      let room = o.maxPerGroup ?? Infinity;
      const shown = rows.filter((r) => r.details || room-- > 0);
      for (const r of shown) {
        const color = r.symbol === '+' ? st.green : r.symbol === '-' ? st.red : st.yellow;
        lines.push(color(wrap(`    ${r.text}`, width, '        ')));
        for (const d of r.details ?? []) lines.push(wrap(`        ${d}`, width, '          '));
      }
      if (shown.length < rows.length) lines.push(st.dim(`    … and ${rows.length - shown.length} more`));
    }
    for (const m of s.manual) {
      const text = m.summary.replace(/^!\s*/, '');
      lines.push(st.cyan(wrap(`  ! ${text}${m.manual?.blocking ? ' (a step for you)' : ' (advice)'}`, width, '    ')));
    }
  }
  const c = planCounts(result);
  lines.push('');
  lines.push(
    st.bold(
      wrap(
        `Plan: ${c.add} to add, ${c.change} to change, ${c.remove} to destroy (${c.calls} API call${c.calls === 1 ? '' : 's'})` +
          (c.manual ? `; ${c.manual} step${c.manual === 1 ? '' : 's'} for you in the console.` : '.'),
        width,
      ),
    ),
  );
  return lines.join('\n') + '\n';
}

/** What a plan costs and what is hard to undo: each step's notes on the calls the plan makes. */
export function planNotes(
  result: RunResult,
  want?: Baseline,
  steps: readonly Step<any, any>[] = STEPS,
): { money: string[]; permanent: string[] } {
  const calls = result.steps.flatMap((s) => s.actions).map((a) => `${a.service}:${a.operation}`);
  const planned: PlannedCalls = {
    has: (op) => calls.includes(op),
    count: (op) => calls.filter((c) => c === op).length,
  };
  const money = new Set<string>();
  const permanent = new Set<string>();
  for (const s of steps) {
    const n = s.notes?.(want, planned);
    n?.money?.forEach((m) => money.add(m));
    n?.permanent?.forEach((m) => permanent.add(m));
  }
  return { money: [...money], permanent: [...permanent] };
}

export { logProtectionNote } from '../steps/lib/log-protection.js';

/** The plan with its costs and what cannot be undone easily: what the wizard shows before asking. */
export function formatPlanNotes(result: RunResult, o: { color: boolean; width?: number; want?: Baseline }): string {
  const st = style(o.color);
  const width = o.width ?? 80;
  const { money, permanent } = planNotes(result, o.want);
  const lines: string[] = [];
  if (money.length) lines.push('', st.bold('What it costs'), ...money.map((m) => wrap(`  $ ${m}`, width, '    ')));
  if (permanent.length)
    lines.push('', st.bold('Not easy to undo'), ...permanent.map((m) => wrap(`  ! ${m}`, width, '    ')));
  return lines.length ? lines.join('\n') + '\n' : '';
}
