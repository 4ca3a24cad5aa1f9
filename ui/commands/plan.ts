// `secure-start plan` (--dry-run): observe with reads only, print every call that would be
// made. Without credentials it plans for a brand-new account. It never writes the state file.
import type { GlobalOptions } from '../options.js';
import type { CommandEnv } from './index.js';
import { baseline, openSession, openState, rawInput } from '../session.js';
import { JsonLinesIoHost, LinesIoHost, problems } from '../render/lines.js';
import { formatPlan, formatPlanNotes, planJson } from '../plan-view.js';
import { widthOf, wrap } from '../render/wrap.js';
import { withRecommended, type Raw } from '../wizard/answers.js';
import { wantsColor } from '../style.js';

export async function plan(opts: GlobalOptions, env: CommandEnv): Promise<number> {
  const state = openState(opts, env.version);
  // Without a config file, the options the wizard asks are planned with its recommended
  // answers (what Enter takes), so the plan shows what a first run would build.
  const { raw, filled } = opts.config
    ? { raw: rawInput(opts, state), filled: [] }
    : withRecommended(rawInput(opts, state) as Raw);
  const want = baseline(raw, true, opts.config);
  // Under --json, stdout is one JSON document; failures (and retries with --verbose) go to
  // stderr as JSON lines, so a failed read is never silent.
  const io = opts.json
    ? new JsonLinesIoHost(env.stderr, problems(opts.verbose))
    : new LinesIoHost(env.stderr, { verbose: opts.verbose, color: wantsColor(env.stderr), quiet: true });
  const s = await openSession({ opts, mode: 'plan', want, state, io, run: env.run });
  try {
    const result = await s.engine.run({ mode: 'plan', aws: s.aws, readAws: s.aws.readOnlyView(), offline: s.offline });
    if (opts.json) env.stdout.write(`${JSON.stringify(planJson(result, s.accountId), null, 2)}\n`);
    else {
      const o = { color: wantsColor(env.stdout), width: widthOf(env.stdout) };
      const asked = filled.length
        ? `\n${wrap(`Planned with the wizard's recommended answers to its questions: ${filled.map((q) => `${q.path} ${q.initial ? 'on' : 'off'}`).join(', ')} (set them in a config file to plan otherwise).`, o.width)}\n`
        : '';
      env.stdout.write(formatPlan(result, o) + formatPlanNotes(result, { ...o, want }) + asked);
    }
    return result.exitCode;
  } finally {
    s.aws.destroy();
  }
}
