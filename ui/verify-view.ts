// The verify report: one check per step, with its SSB/CIS IDs, a status and a one-line fix.
import type { RunResult } from '../engine/engine.js';
import type { Baseline } from '../config/schema.js';
import { style } from './style.js';
import { wrap } from './render/wrap.js';

export interface Check {
  step: string;
  title: string;
  controls: string[];
  status: 'ok' | 'drift' | 'manual' | 'error';
  /** What differs, one line per planned action. */
  findings: string[];
  /** One line: how to fix it. */
  fix?: string;
  /** Advice the step gives that is not drift (does not change the exit code), e.g. turn on MFA. */
  advice: string[];
}

export function verifyChecks(result: RunResult): Check[] {
  return result.steps.map((s) => {
    const blocking = s.manual.filter((m) => m.manual?.blocking);
    const status: Check['status'] = s.status === 'failed' || s.status === 'skipped' ? 'error' : s.actions.length ? 'drift' : blocking.length ? 'manual' : 'ok';
    const findings = [...s.actions.map((a) => a.summary), ...blocking.map((m) => m.summary)];
    const fix = status === 'drift' ? 'run `npx secure-start` to repair it'
      : status === 'manual' ? blocking[0]?.manual?.instructions.join(' ') + (blocking[0]?.manual?.link ? ` (${blocking[0]!.manual!.link})` : '')
      : status === 'error' ? s.error?.message : undefined;
    const advice = s.manual.filter((m) => !m.manual?.blocking).map((m) => m.summary.replace(/^!\s*/, ''));
    return { step: s.id, title: s.title, controls: s.controls, status, findings, ...(fix ? { fix } : {}), advice };
  });
}

/**
 * What an "ok" for the guardrails does not mean: SCPs never apply to the management account
 * (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html).
 * tests/security/ shows both halves.
 */
export function scpScopeNote(want: Baseline): string | undefined {
  if (!want.scps.guardrails && !want.scps.logProtection) return undefined;
  const logs = want.trail.objectLock.mode === 'compliance' ? '' : ' and, through OrganizationAccountAccessRole, delete log files';
  return `The guardrails (SCPs) bind everyone in the member accounts, never the management account: its administrators can stop the trail${logs}. See "What the guardrails stop" in the README.`;
}

export function formatVerify(checks: Check[], o: { color: boolean; width?: number; note?: string }): string {
  const st = style(o.color);
  const mark = { ok: st.green('ok    '), drift: st.yellow('drift '), manual: st.cyan('manual'), error: st.red('error ') };
  const width = o.width ?? 80;
  const pad = '          ';
  const lines: string[] = [];
  for (const c of checks) {
    const ids = c.controls.length ? `  [${c.controls.join(', ')}]` : '';
    // Title and IDs on one line when they fit; else the IDs go on their own line.
    if (10 + c.title.length + ids.length <= width) lines.push(`${mark[c.status]}  ${c.title}${st.dim(ids)}`);
    else {
      lines.push(`${mark[c.status]}  ${wrap(c.title, width - 10, pad).trimStart()}`);
      if (ids) lines.push(st.dim(wrap(`${pad}${ids.trim()}`, width, pad)));
    }
    for (const f of c.findings) lines.push(st.dim(wrap(`${pad}${f}`, width, `${pad}    `)));
    if (c.fix) lines.push(wrap(`${pad}fix: ${c.fix}`, width, `${pad}     `));
    for (const a of c.advice) lines.push(st.cyan(wrap(`${pad}advice: ${a}`, width, `${pad}        `)));
  }
  const n = (s: Check['status']) => checks.filter((c) => c.status === s).length;
  const advice = checks.reduce((k, c) => k + c.advice.length, 0);
  lines.push('', st.bold(`${n('ok')} ok, ${n('drift')} drift, ${n('manual')} manual, ${n('error')} error.`) + (advice ? ` ${advice} piece${advice === 1 ? '' : 's'} of advice (not drift).` : ''));
  if (o.note) lines.push(st.dim(wrap(o.note, width)));
  return lines.join('\n') + '\n';
}
