// The end of a run: what was built, what is waiting for the founder, where things are, and
// the next three things to do.
import type { RunResult } from '../engine/engine.js';
import type { Baseline } from '../config/schema.js';
import { style } from './style.js';
import { wrap } from './render/wrap.js';
import { DEMO_STOPPED } from './stop.js';

export interface SummaryInput {
  statePath: string;
  color: boolean;
  want: Baseline;
  outputs: Record<string, string>;
  width?: number;
  /** Profiles secure-start wrote to the AWS config file (names), when known. */
  profiles?: string[];
  /** Where the profiles were written. */
  profilesFile?: string;
  /** --verbose: AWS error codes and request IDs. */
  verbose?: boolean;
  /** The profile to re-run with, when a step asked to switch (non-interactive). */
  switchProfile?: string;
  /** What stopped an interrupted run ('Ctrl-C', 'SIGTERM', …); default Ctrl-C. */
  stoppedBy?: string;
  /** The demo: its folder is deleted at the end, so nothing here can be resumed or verified. */
  demo?: boolean;
  /** How to sign in with the AWS CLI found on this machine (steps/sso-profiles.ts loginCommand). */
  signIn?: string;
}

export function formatSummary(result: RunResult, o: SummaryInput): string {
  const st = style(o.color);
  const width = o.width ?? 80;
  const w = (s: string, indent = '    ') => wrap(s, width, indent);
  const lines: string[] = [''];
  const changed = result.steps.filter((s) => s.status === 'changed');
  const failed = result.steps.filter((s) => s.status === 'failed');
  const blocked = result.steps.filter((s) => s.status === 'blocked');
  const calls = result.steps.reduce((n, s) => n + s.actions.length, 0);

  if (result.interrupted) {
    if (o.demo) {
      lines.push(st.yellow(w(`Stopped by ${o.stoppedBy ?? 'Ctrl-C'}. ${DEMO_STOPPED}`, '')));
      return lines.join('\n') + '\n';
    }
    lines.push(
      st.yellow(w(`Stopped by ${o.stoppedBy ?? 'Ctrl-C'}. Nothing is lost: progress is saved in ${o.statePath}.`, '')),
    );
    lines.push('Run `npx secure-start` again to carry on where it stopped.');
    return lines.join('\n') + '\n';
  }
  if (failed.length) {
    lines.push(st.red(`${failed.length} step${failed.length === 1 ? '' : 's'} failed:`));
    for (const f of failed) {
      lines.push(w(`  ✗ ${f.title}: ${f.error?.message ?? 'failed'}`));
      // The AWS error code and request ID are for support tickets: only under --verbose.
      if (o.verbose && f.error?.code)
        lines.push(
          st.dim(
            `      AWS error ${f.error.code}${f.error.requestId ? `, request ID ${f.error.requestId}` : ''}${f.error.service ? ` (${f.error.service}:${f.error.operation})` : ''}`,
          ),
        );
    }
    lines.push(w('Fix what the message says, then run `npx secure-start` again: finished steps are not repeated.', ''));
  }
  const manual = result.steps.flatMap((s) => s.manual.filter((m) => m.manual?.blocking));
  if (manual.length) {
    lines.push(st.cyan('Waiting for you:'));
    for (const m of manual) {
      lines.push(w(`  ! ${m.summary.replace(/^!\s*/, '')}`));
      for (const i of m.manual?.instructions ?? []) lines.push(w(`      ${i}`, '      '));
      if (m.manual?.link) lines.push(`      ${m.manual.link}`);
    }
    const again = o.switchProfile ? `npx secure-start --profile ${o.switchProfile}` : 'npx secure-start';
    lines.push(
      w(
        `Then run \`${again}\` (${blocked.length} step${blocked.length === 1 ? '' : 's'} wait${blocked.length === 1 ? 's' : ''} for this).`,
        '',
      ),
    );
  }
  if (!failed.length && !manual.length) {
    lines.push(
      st.green(
        changed.length
          ? `Done: ${calls} change${calls === 1 ? '' : 's'} applied in ${changed.length} step${changed.length === 1 ? '' : 's'}.`
          : 'Done: everything already matches the baseline; nothing changed.',
      ),
    );
    lines.push('', st.bold('What you have now'));
    for (const s of result.steps) {
      if (s.status !== 'ok' && s.status !== 'changed') continue;
      lines.push(w(`  ✓ ${s.title}${s.controls.length ? st.dim(` (${s.controls.join(', ')})`) : ''}`));
    }
    const startUrl = o.outputs['sso.startUrl'];
    if (startUrl) lines.push('', `Sign-in URL: ${startUrl}`);
    if (o.profiles?.length) {
      lines.push(`AWS CLI profiles${o.profilesFile ? ` in ${o.profilesFile}` : ''}:`);
      for (const p of o.profiles) lines.push(`  ${p}`);
    }
    const slug = o.want.org.slug;
    lines.push('', st.bold('Next'));
    lines.push(
      w(
        `  1. Set your password and MFA: open ${startUrl ?? 'the Identity Center sign-in URL'} and sign in as ${o.want.founder.userName} (one-time password from the invitation email or the console).`,
        '     ',
      ),
    );
    lines.push(
      w(
        `  2. Use the AWS CLI without long-lived keys. To sign in, ${o.signIn ?? `run: aws sso login --sso-session ${slug}`}; then add \`--profile ${o.profiles?.[0] ?? `${slug}-management-admin`}\` to commands.`,
        '     ',
      ),
    );
    lines.push(
      w(
        '  3. Invite teammates: add them as users in IAM Identity Center and put them in the Developers, Auditors or Billing group.',
        '     ',
      ),
    );
  }
  if (!o.demo)
    lines.push(
      '',
      st.dim(
        w(
          `State file: ${o.statePath}. Check for drift any time with \`npx secure-start verify\`; run \`npx secure-start\` again to repair it.`,
          '',
        ),
      ),
    );
  return lines.join('\n') + '\n';
}
