// `secure-start` (no command): the wizard. Collects what is missing, shows the plan, asks
// once, applies, and stops cleanly at steps a person must do. Run again to resume.
import type { GlobalOptions } from '../options.js';
import type { CommandEnv } from './index.js';
import { CliExit, baseline, openSession, openState, rawInput } from '../session.js';
import { LinesIoHost, JsonLinesIoHost } from '../render/lines.js';
import { wantsColor } from '../style.js';
import { formatSummary } from '../summary.js';
import type { IoHost } from '../../engine/io.js';
import { EXIT } from '../../engine/engine.js';

export async function run(opts: GlobalOptions, env: CommandEnv): Promise<number> {
  const state = openState(opts, env.version);
  try {
    state.lock('secure-start');
  } catch (e) {
    throw new CliExit((e as Error).message, 2);
  }
  try {
    const raw = rawInput(opts, state);
    if (!env.interactive && !opts.yes) {
      throw new CliExit('No terminal to confirm the plan in. Review it with `secure-start plan`, then run `secure-start --yes` to apply without questions.', 2);
    }
    const want = baseline(raw, false, opts.config);
    // Remember the answers for resume and verify (never secrets: names, emails, amounts).
    state.data.answers = raw;
    const io: IoHost = opts.json ? new JsonLinesIoHost(env.stdout) : new LinesIoHost(env.stderr, { verbose: opts.verbose, color: wantsColor(env.stderr) });
    const s = await openSession({ opts, mode: 'apply', want, state, io });
    let interrupts = 0;
    const onSigint = () => {
      interrupts++;
      if (interrupts > 1) process.exit(EXIT.interrupted);
      env.stderr.write('\nStopping after the calls already sent… (Ctrl-C again to quit at once)\n');
      s.engine.interrupt();
    };
    process.on('SIGINT', onSigint);
    try {
      await state.save();
      const result = await s.engine.run({ mode: 'apply', aws: s.aws, readAws: s.aws.readOnlyView() });
      if (!opts.json) env.stdout.write(formatSummary(result, { statePath: state.path, color: wantsColor(env.stdout), want, outputs: state.data.outputs }));
      return result.exitCode;
    } finally {
      process.off('SIGINT', onSigint);
      s.aws.destroy();
    }
  } finally {
    state.unlock();
  }
}
