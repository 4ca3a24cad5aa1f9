// `secure-start verify`: observe everything with reads only and report, as findings grouped
// by severity, what differs from the baseline (drift), what waits for a person (manual) and
// what could not be read (error). Exit 0 when all is ok, 4 on drift, 3 when only console steps
// for a person are open, 1 when a check could not be read.
import type { GlobalOptions } from '../options.js';
import type { CommandEnv } from './index.js';
import { openSession, openState, setUpBaseline } from '../session.js';
import { JsonLinesIoHost, LinesIoHost, problems } from '../render/lines.js';
import { formatVerify, scpScopeNote, verifyReport } from '../verify-view.js';
import { wantsColor } from '../style.js';
import { widthOf } from '../render/wrap.js';
import { stepsFor } from '../../steps/index.js';

export async function verify(opts: GlobalOptions, env: CommandEnv): Promise<number> {
  const state = openState(opts, env.version);
  const want = setUpBaseline(opts, state);
  // Under --json, stdout is one JSON document; failures (and retries with --verbose) go to
  // stderr as JSON lines, so a failed read is never silent.
  const io = opts.json
    ? new JsonLinesIoHost(env.stderr, problems(opts.verbose))
    : new LinesIoHost(env.stderr, { verbose: opts.verbose, color: wantsColor(env.stderr), quiet: true });
  const s = await openSession({ opts, mode: 'verify', want, state, io, run: env.run });
  try {
    const result = await s.engine.run({ mode: 'verify', aws: s.aws, readAws: s.aws.readOnlyView() });
    const accountNames = Object.fromEntries(
      want.accounts.map((a) => [state.data.outputs[`${a.name}.accountId`], a.name]).filter(([id]) => id),
    );
    const report = verifyReport(result, stepsFor(want), { account: s.accountId, accountNames });
    if (opts.json) env.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else
      env.stdout.write(
        formatVerify(report, { color: wantsColor(env.stdout), width: widthOf(env.stdout), note: scpScopeNote(want) }),
      );
    return result.exitCode;
  } finally {
    s.aws.destroy();
  }
}
