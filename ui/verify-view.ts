// The verify report, as a findings report: each thing that differs from the baseline (drift),
// waits for a person (manual) or could not be read (error) is a finding with its severity, the
// account and resource it is about, why it matters and how to fix it, grouped by severity.
// What passed is listed after; advice that is not a finding last. `--json` has the same fields.
import type { RunResult, StepResult } from '../engine/engine.js';
import type { ActionView } from '../engine/io.js';
import type { Baseline } from '../config/schema.js';
import type { Severity, Step } from '../steps/contract.js';
import { style } from './style.js';
import { wrap } from './render/wrap.js';
import { accountLabel } from './plan-view.js';

/** verify --json's shape; raise it when a field changes meaning or goes away. */
export const VERIFY_SCHEMA_VERSION = 2;

export const SEVERITIES: Severity[] = ['critical', 'high', 'medium', 'low'];

export interface Check {
  step: string;
  title: string;
  controls: string[];
  status: 'ok' | 'drift' | 'manual' | 'error';
  severity: Severity;
  /** What differs, one line per planned action. */
  findings: string[];
  /** One line: how to fix it. */
  fix?: string;
  /** Advice the step gives that is not drift (does not change the exit code), e.g. turn on MFA. */
  advice: string[];
}

export interface Finding {
  severity: Severity;
  status: 'drift' | 'manual' | 'error';
  /** The step (check) it belongs to, its title and its SSB / CIS IDs. */
  step: string;
  title: string;
  controls: string[];
  /** "management", "prod (111122223333)", or the account ID when its name is not known. */
  account: string;
  region?: string;
  /** What is affected, in the words of the plan ("secure-start-guardrails → the root"). */
  resource: string;
  /** The plan line that would repair it (drift), or the console step (manual). */
  action?: string;
  why: string;
  fix: string;
}

export interface VerifyReport {
  schemaVersion: number;
  account?: string;
  exitCode: number;
  counts: Record<Severity, number> & {
    findings: number;
    ok: number;
    drift: number;
    manual: number;
    error: number;
    advice: number;
  };
  findings: Finding[];
  checks: Check[];
  /** Every piece of advice: the checks' own, and that of steps that only advise (no control claimed). */
  advice: string[];
}

const REPAIR = 'run `npx secure-start`: it repairs this';

/** The resource a summary is about: the summary without its symbol and `service:Operation`. */
export function resourceOf(summary: string): string {
  return summary.replace(/^[-+~!]\s*/, '').replace(/^[\w-]+:[A-Za-z]+\s+/, '');
}

function accountOf(a: ActionView, names: Record<string, string>): string {
  if (a.account === 'management') return 'management';
  return accountLabel(a.account, names)
    .replace(/ account( \(|$)/, '$1')
    .replace(/^account /, '');
}

export function verifyReport(
  result: RunResult,
  steps: Pick<Step, 'id' | 'severity' | 'why'>[],
  o: { account?: string; accountNames?: Record<string, string> } = {},
): VerifyReport {
  const names = o.accountNames ?? {};
  const meta = new Map(steps.map((s) => [s.id, s]));
  const checks: Check[] = [];
  const findings: Finding[] = [];
  const adviceOnly: string[] = [];
  for (const s of result.steps) {
    const severity = meta.get(s.id)?.severity ?? 'medium';
    const why = meta.get(s.id)?.why ?? '';
    const blocking = s.manual.filter((m) => m.manual?.blocking);
    const status: Check['status'] =
      s.status === 'failed' || s.status === 'skipped'
        ? 'error'
        : s.actions.length
          ? 'drift'
          : blocking.length
            ? 'manual'
            : 'ok';
    const manualFix = (m: ActionView) =>
      `${m.manual?.instructions.join(' ') ?? ''}${m.manual?.link ? ` (${m.manual.link})` : ''}`.trim();
    const fix =
      status === 'drift'
        ? REPAIR
        : status === 'manual'
          ? manualFix(blocking[0]!)
          : status === 'error'
            ? s.error?.message
            : undefined;
    // A step that claims no control and only gives advice (Trusted Advisor) is not a check:
    // nothing was built or verified. Its advice is listed with the rest.
    if (!s.controls.length && status === 'ok' && !s.actions.length) {
      adviceOnly.push(...s.manual.filter((m) => !m.manual?.blocking).map((m) => m.summary.replace(/^!\s*/, '')));
      continue;
    }
    checks.push({
      step: s.id,
      title: s.title,
      controls: s.controls,
      status,
      severity,
      findings: [...s.actions.map((a) => a.summary), ...blocking.map((m) => m.summary)],
      ...(fix ? { fix } : {}),
      advice: s.manual.filter((m) => !m.manual?.blocking).map((m) => m.summary.replace(/^!\s*/, '')),
    });
    const base = { severity, step: s.id, title: s.title, controls: s.controls };
    for (const a of s.actions) {
      findings.push({
        ...base,
        status: 'drift',
        controls: a.controls.length ? a.controls : s.controls,
        account: accountOf(a, names),
        region: a.region,
        resource: resourceOf(a.summary),
        action: a.summary,
        why,
        fix: REPAIR,
      });
    }
    for (const m of blocking) {
      findings.push({
        ...base,
        status: 'manual',
        controls: m.controls.length ? m.controls : s.controls,
        account: accountOf(m, names),
        resource: resourceOf(m.summary),
        action: m.summary,
        why: m.manual?.why ?? why,
        fix: manualFix(m),
      });
    }
    if (status === 'error') {
      findings.push({
        ...base,
        status: 'error',
        account: 'management',
        resource: s.error?.operation
          ? `${s.error.service}:${s.error.operation} failed`
          : 'the reads of this check failed',
        why,
        fix: s.error?.message ?? 'run `npx secure-start verify --verbose` for details',
      });
    }
  }
  findings.sort((a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity));
  const n = (st: Check['status']) => checks.filter((c) => c.status === st).length;
  const bySeverity = Object.fromEntries(
    SEVERITIES.map((sv) => [sv, findings.filter((f) => f.severity === sv).length]),
  ) as Record<Severity, number>;
  return {
    schemaVersion: VERIFY_SCHEMA_VERSION,
    ...(o.account ? { account: o.account } : {}),
    exitCode: result.exitCode,
    counts: {
      ...bySeverity,
      findings: findings.length,
      ok: n('ok'),
      drift: n('drift'),
      manual: n('manual'),
      error: n('error'),
      advice: checks.reduce((k, c) => k + c.advice.length, 0) + adviceOnly.length,
    },
    findings,
    checks,
    advice: [...checks.flatMap((c) => c.advice), ...adviceOnly],
  };
}

/** Kept for callers that only need the per-step checks. */
export function verifyChecks(result: RunResult, steps: Pick<Step, 'id' | 'severity' | 'why'>[] = []): Check[] {
  return verifyReport(result, steps).checks;
}

/**
 * What an "ok" for the guardrails does not mean: SCPs never apply to the management account
 * (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html).
 * tests/security/ shows both halves.
 */
export function scpScopeNote(want: Baseline): string | undefined {
  if (!want.scps.guardrails && !want.scps.logProtection) return undefined;
  const logs =
    want.trail.objectLock.mode === 'compliance' ? '' : ' and, through OrganizationAccountAccessRole, delete log files';
  return `The guardrails (SCPs) bind everyone in the member accounts, never the management account: its administrators can stop the trail${logs}. See "What the guardrails stop" in the README.`;
}

const MARK: Record<Finding['status'], string> = { drift: '~', manual: '!', error: '✗' };
const WHAT: Record<Finding['status'], string> = {
  drift: 'differs from the baseline',
  manual: 'a step for you in the console',
  error: 'could not be checked',
};

/** The verify report as text: findings by severity (one block per check), then what passed, advice, and the counts. */
export function formatVerify(report: VerifyReport, o: { color: boolean; width?: number; note?: string }): string {
  const st = style(o.color);
  const width = o.width ?? 80;
  const sevColor: Record<Severity, (s: string) => string> = {
    critical: (s) => st.bold(st.red(s)),
    high: st.red,
    medium: st.yellow,
    low: st.cyan,
  };
  const lines: string[] = [];
  const c = report.counts;
  lines.push(
    st.bold(
      c.findings
        ? `Findings: ${c.findings} (${SEVERITIES.map((s) => `${c[s]} ${s}`).join(', ')})`
        : 'Findings: none. Every control matches the baseline.',
    ),
  );
  for (const sev of SEVERITIES) {
    const here = report.findings.filter((f) => f.severity === sev);
    if (!here.length) continue;
    lines.push('', sevColor[sev](`${sev.toUpperCase()} (${here.length})`));
    // One block per check: its heading once, a line per affected account and resource, why and fix once.
    const steps = [...new Set(here.map((f) => `${f.step}|${f.status}`))];
    for (const key of steps) {
      const group = here.filter((f) => `${f.step}|${f.status}` === key);
      const f0 = group[0]!;
      // The check's own IDs in its heading (each finding in --json has its action's, narrower).
      const controls = report.checks.find((x) => x.step === f0.step)?.controls ?? f0.controls;
      const ids = controls.length ? `  [${controls.join(', ')}]` : '';
      // Heading continuation at 4 columns, a resource at 6 (its continuation at 10), why/fix at 6.
      lines.push(wrap(`  ${MARK[f0.status]} ${f0.title} — ${WHAT[f0.status]}${st.dim(ids)}`, width, '    '));
      for (const f of group)
        lines.push(
          wrap(
            `      ${f.account}${f.region && f.status === 'drift' ? ` · ${f.region}` : ''}: ${f.action ?? f.resource}`,
            width,
            '          ',
          ),
        );
      if (f0.why) lines.push(st.dim(wrap(`      why: ${f0.why}`, width, '           ')));
      lines.push(wrap(`      fix: ${f0.fix}`, width, '           '));
    }
  }
  const passed = report.checks.filter((x) => x.status === 'ok');
  if (passed.length) {
    lines.push('', st.bold(`Passed (${passed.length})`));
    for (const x of passed) {
      const ids = x.controls.length ? `  [${x.controls.join(', ')}]` : '';
      lines.push(wrap(`  ${st.green('ok')}  ${x.title}${st.dim(ids)}`, width, '    '));
    }
  }
  const advice = report.advice;
  if (advice.length) {
    lines.push('', st.bold('Advice (not findings: the exit code does not count them)'));
    for (const a of advice) lines.push(st.cyan(wrap(`  - ${a}`, width, '    ')));
  }
  const exit =
    report.exitCode === 0
      ? 'exit 0: all ok'
      : report.exitCode === 4
        ? 'exit 4: drift; `npx secure-start` repairs it'
        : report.exitCode === 3
          ? 'exit 3: a step for you in the console is still open'
          : `exit ${report.exitCode}: a check could not be read`;
  lines.push(
    '',
    wrap(`${st.bold(`${c.ok} ok, ${c.drift} drift, ${c.manual} manual, ${c.error} error.`)} ${exit}.`, width),
  );
  if (o.note) lines.push(st.dim(wrap(o.note, width)));
  return lines.join('\n') + '\n';
}
