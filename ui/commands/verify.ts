// `secure-start verify`: observe everything with reads only and report each step's controls
// as ok / drift / manual. Exit code 0 only when all is ok, 4 on drift.
import type { GlobalOptions } from '../options.js';
import type { CommandEnv } from './index.js';
import { openSession, openState, setUpBaseline } from '../session.js';
import { JsonLinesIoHost, LinesIoHost, problems } from '../render/lines.js';
import { formatVerify, scpScopeNote, verifyChecks } from '../verify-view.js';
import { wantsColor } from '../style.js';
import { widthOf } from '../render/wrap.js';

export async function verify(opts: GlobalOptions, env: CommandEnv): Promise<number> {
  const state = openState(opts, env.version);
  const want = setUpBaseline(opts, state);
  // Under --json, stdout is one JSON document; failures (and retries with --verbose) go to
  // stderr as JSON lines, so a failed read is never silent.
  const io = opts.json ? new JsonLinesIoHost(env.stderr, problems(opts.verbose)) : new LinesIoHost(env.stderr, { verbose: opts.verbose, color: wantsColor(env.stderr), quiet: true });
  const s = await openSession({ opts, mode: 'verify', want, state, io });
  try {
    const result = await s.engine.run({ mode: 'verify', aws: s.aws, readAws: s.aws.readOnlyView() });
    const checks = verifyChecks(result);
    if (opts.json) env.stdout.write(`${JSON.stringify({ schemaVersion: 1, account: s.accountId, exitCode: result.exitCode, checks }, null, 2)}\n`);
    else env.stdout.write(formatVerify(checks, { color: wantsColor(env.stdout), width: widthOf(env.stdout), note: scpScopeNote(want) }));
    return result.exitCode;
  } finally {
    s.aws.destroy();
  }
}
