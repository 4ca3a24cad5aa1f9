// The end of a run: what was built, what is waiting for the founder, how to resume.
import type { RunResult } from '../engine/engine.js';
import type { Baseline } from '../config/schema.js';
import { style } from './style.js';

export function formatSummary(result: RunResult, o: { statePath: string; color: boolean; want: Baseline; outputs: Record<string, string> }): string {
  const st = style(o.color);
  const lines: string[] = [''];
  const changed = result.steps.filter((s) => s.status === 'changed');
  const failed = result.steps.filter((s) => s.status === 'failed');
  const blocked = result.steps.filter((s) => s.status === 'blocked');
  const calls = result.steps.reduce((n, s) => n + s.actions.length, 0);

  if (result.interrupted) {
    lines.push(st.yellow('Stopped by Ctrl-C. Nothing is lost: progress is saved in ' + o.statePath + '.'));
    lines.push('Run `npx secure-start` again to carry on where it stopped.');
    return lines.join('\n') + '\n';
  }
  if (failed.length) {
    lines.push(st.red(`${failed.length} step${failed.length === 1 ? '' : 's'} failed:`));
    for (const f of failed) lines.push(`  ✗ ${f.title}: ${f.error?.message ?? 'failed'}`);
    lines.push('Fix what the message says, then run `npx secure-start` again: finished steps are not repeated.');
  }
  const manual = result.steps.flatMap((s) => s.manual.filter((m) => m.manual?.blocking));
  if (manual.length) {
    lines.push(st.cyan('Waiting for you (in the AWS console):'));
    for (const m of manual) {
      lines.push(`  ! ${m.summary}`);
      for (const i of m.manual?.instructions ?? []) lines.push(`      ${i}`);
      if (m.manual?.link) lines.push(`      ${m.manual.link}`);
    }
    lines.push(`Then run \`npx secure-start\` again (${blocked.length} step${blocked.length === 1 ? '' : 's'} wait${blocked.length === 1 ? 's' : ''} for this).`);
  }
  if (!failed.length && !manual.length) {
    lines.push(st.green(changed.length ? `Done: ${calls} change${calls === 1 ? '' : 's'} applied in ${changed.length} step${changed.length === 1 ? '' : 's'}.` : 'Done: everything already matches the baseline; nothing changed.'));
    if (o.outputs['sso.startUrl']) lines.push(`Sign-in URL: ${o.outputs['sso.startUrl']}`);
  }
  lines.push(st.dim(`State file: ${o.statePath}. Check for drift any time with \`npx secure-start verify\`.`));
  return lines.join('\n') + '\n';
}
