// `secure-start` (no command): the wizard. Asks what is missing, shows the plan (what it
// costs, what cannot be undone), asks once, applies with progress, stops at steps a person
// must do (asks them to press Enter, then checks), and ends with what was built and what to
// do next. Run again to resume. Without a terminal: --yes, plain lines, exit 3 at a manual step.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { GlobalOptions } from '../options.js';
import type { CommandEnv } from './index.js';
import { CliExit, baseline, openState, rawInput } from '../input.js';
import { LinesIoHost, JsonLinesIoHost, TeeIoHost, problems } from '../render/lines.js';
import { wantsColor } from '../style.js';
import { formatSummary } from '../summary.js';
import { formatPlan, formatPlanNotes, planCounts } from '../plan-view.js';
import { formatManualBox } from '../manual.js';
import { DEMO_STOPPED, Stopper, stopExitCode, stopLabel } from '../stop.js';
import { widthOf, wrap } from '../render/wrap.js';
import { questionsToAsk, configFileText, type Raw } from '../wizard/answers.js';
import { RecordingIoHost, type ActionView, type IoHost } from '../../engine/io.js';
import { loginAdvice, loginCommand } from '../../steps/sso-profiles.js';
import { EXIT, type RunResult } from '../../engine/engine.js';
import type { Baseline } from '../../config/schema.js';
import { StateError, type StateStore } from '../../state/store.js';
import { isRegion } from '../../config/regions.js';

/** What `secure-start demo` changes in the same code path. */
export interface RunHooks {
  /** Performs a console step on the emulated AWS; returns what it did, or undefined if it cannot. */
  doManual?(a: ActionView, want: Baseline): Promise<string | undefined>;
  /** The demo's sample answers, proposed by default (Enter takes them; emails follow the company name typed). */
  demo?: { orgName: string; givenName: string; familyName: string; phone: string };
  /** Called just before a signal ends the process outside a run (the demo removes its folder). */
  onStop?(): void;
  /** Offer to save the answers as a config file at the end (default: yes). */
  offerConfig?: boolean;
}

export const CONFIG_FILE_NAME = 'secure-start.config.json';

const INTERRUPTED_AT_QUESTION = (statePath: string) =>
  `Stopped. Answers given so far are saved in ${statePath}; run \`npx secure-start\` again to go on. Nothing was changed in AWS.`;

type Clack = typeof import('@clack/prompts');

export async function run(opts: GlobalOptions, env: CommandEnv, hooks: RunHooks = {}): Promise<number> {
  const state = openState(opts, env.version);
  // Ctrl-C, SIGTERM and SIGHUP alike, for the whole command (see ui/stop.ts).
  const stopper = new Stopper((cause, atOnce) => {
    if (process.stdin.isTTY) process.stdin.setRawMode?.(false);
    // At once (a second signal): the last progress on disk, newer than any write under way.
    if (atOnce)
      try {
        state.saveSync();
      } catch {
        /* the last saved version stays */
      }
    env.stderr.write('\n');
    tell(
      env,
      hooks.demo
        ? `Stopped by ${stopLabel(cause)}. ${DEMO_STOPPED}`
        : `Stopped by ${stopLabel(cause)}. Progress is saved in ${state.path}; run \`npx secure-start\` again to carry on where it stopped.`,
    );
    state.unlock();
    hooks.onStop?.();
    process.exit(stopExitCode(cause));
  });
  try {
    state.lock('secure-start', { onLost: () => stopper.stop('lock-lost') });
  } catch (e) {
    throw new CliExit((e as Error).message, 2);
  }
  stopper.install();
  try {
    return await wizard(opts, env, hooks, state, stopper);
  } finally {
    stopper.uninstall();
    state.unlock();
  }
}

/** What every phase of the wizard works with. */
interface Wizard {
  opts: GlobalOptions;
  env: CommandEnv;
  hooks: RunHooks;
  state: StateStore;
  stopper: Stopper;
  /** Questions and confirmations: a person at a terminal, without --yes or --json. */
  ask: boolean;
  color: boolean;
  width: number;
  clack: () => Promise<Clack>;
}

/** What the apply phase ends with. */
interface Applied {
  result: RunResult;
  rounds: RunResult[];
  /** The profile the run ended with, and the one a manual step asked to switch to. */
  profile?: string;
  switchTo?: string;
}

/** The wizard in its phases: answers, the last checks before a change, apply, the summary. */
async function wizard(
  opts: GlobalOptions,
  env: CommandEnv,
  hooks: RunHooks,
  state: StateStore,
  stopper: Stopper,
): Promise<number> {
  refuseUnaskable(opts, env);
  let p: Clack | undefined;
  const w: Wizard = {
    opts,
    env,
    hooks,
    state,
    stopper,
    ask: env.interactive && !opts.yes && !opts.json,
    color: wantsColor(env.stdout),
    width: widthOf(env.stdout),
    clack: async () => (p ??= await import('@clack/prompts')),
  };
  const answered = await gatherAnswers(w, rawInput(opts, state) as Raw);
  if (typeof answered === 'number') return answered;
  const { raw, want } = settleAnswers(w, answered);
  const stop = await beforeFirstChange(w, want);
  if (stop !== undefined) return stop;
  const applied = await applyUntilDone(w, want);
  if (typeof applied === 'number') return applied;
  return finish(w, raw, want, applied);
}

/** No terminal to ask in, or JSON output, without --yes: say how to run it instead of applying unasked. */
function refuseUnaskable(opts: GlobalOptions, env: CommandEnv): void {
  if (opts.json && !opts.yes) {
    throw new CliExit(
      '--json prints events for scripts and asks nothing, so it needs --yes (and every answer in --config or a previous run). To review first: `secure-start plan --json`.',
      2,
    );
  }
  if (!env.interactive && !opts.yes) {
    throw new CliExit(
      'No terminal to ask questions or confirm the plan in. Review it with `secure-start plan`, then run `secure-start --yes --config FILE` to apply without questions.',
      2,
    );
  }
}

/**
 * Phase 1, the answers: check the credentials and the caller first (answers are worth nothing
 * in an account secure-start cannot work in), then ask what is missing, saving each answer.
 * Returns the raw config, or an exit code when the founder stopped.
 */
async function gatherAnswers(w: Wizard, start: Raw): Promise<Raw | number> {
  const { opts, env, hooks, state } = w;
  let raw = start;
  if (!w.ask) return raw;
  const { checkCaller, callerLine } = await import('../first-checks.js');
  const caller = await checkCaller(
    { profile: opts.profile },
    typeof raw.homeRegion === 'string' ? raw.homeRegion : regionFromEnv(),
  );
  try {
    state.bindAccount(caller.account);
  } catch (e) {
    if (e instanceof StateError) throw new CliExit(e.message, 2);
    throw e;
  }
  const which = questionsToAsk(raw, { configFile: !!opts.config });
  const c = await w.clack();
  const { say } = await import('../wizard/questions.js');
  c.intro(
    which.length && state.existed ? 'secure-start: a few more questions' : 'secure-start: your AWS security foundation',
  );
  say(callerLine(caller));
  if (!which.length) return raw;
  const { askQuestions, Cancelled } = await import('../wizard/questions.js');
  if (!hooks.demo)
    say(
      `Your answers are saved as you go in ${state.path} (names, emails, amounts and regions; no secrets), so Ctrl-C loses nothing and the next run goes on from there.`,
    );
  try {
    raw = await askQuestions(raw, which, {
      ...(hooks.demo ? { demo: hooks.demo } : {}),
      save: async (r) => {
        state.data.answers = r;
        await state.save();
      },
    });
  } catch (e) {
    if (e instanceof Cancelled) {
      tell(env, `${hooks.demo ? DEMO_STOPPED : INTERRUPTED_AT_QUESTION(state.path)}\n`);
      return EXIT.interrupted;
    }
    throw e;
  }
  return raw;
}

/** The answers as the baseline, and kept in the state file for resume and verify (never secrets). */
function settleAnswers(w: Wizard, answered: Raw): { raw: Raw; want: Baseline } {
  let raw = answered;
  const want = baseline(raw, false, w.opts.config);
  // The short name derived from the org name is kept with the answers: names in AWS derive
  // from it (bucket, trail, budget, profiles), so renaming the company later (org.name in the
  // config) must not rename, and so duplicate, what exists. A short name set on purpose wins.
  if ((raw.org as Raw | undefined)?.slug === undefined)
    raw = { ...raw, org: { ...((raw.org as Raw | undefined) ?? {}), slug: want.org.slug } };
  w.state.data.answers = raw;
  return { raw, want };
}

/**
 * Phase 2, before the first change: root MFA (the most important control, before a single
 * change is made as root), then the plan to confirm. The demo without a terminal keeps the same
 * order. Returns an exit code to stop with, or undefined to go on.
 */
async function beforeFirstChange(w: Wizard, want: Baseline): Promise<number | undefined> {
  const { opts, env, hooks, state } = w;
  if (w.ask) {
    const mfa = await rootMfaFirst(opts, env, want, hooks, { color: w.color, width: w.width, clack: await w.clack() });
    if (mfa === 'cancel') {
      tell(
        env,
        `${hooks.demo ? DEMO_STOPPED : `Stopped. Nothing was changed in AWS; your answers are saved in ${state.path}. Turn on MFA for the root user (or ask whoever holds it), then run \`npx secure-start\` again.`}\n`,
      );
      return EXIT.interrupted;
    }
    const go = await confirmPlan(opts, env, want, state, {
      color: w.color,
      width: w.width,
      clack: w.clack,
      demo: !!hooks.demo,
    });
    if (go !== 'go') return go === 'cancel' ? EXIT.interrupted : EXIT.ok;
  } else if (hooks.doManual) {
    const { rootMfaMissing } = await import('../first-checks.js');
    const missing = await rootMfaMissing({ profile: opts.profile }, want.homeRegion);
    const did = missing && (await hooks.doManual(missing, want));
    if (did) env.stderr.write(`demo: ${did}\n`);
  }
  return undefined;
}

/**
 * Phase 3, apply: engine runs until nothing is left but what a person must do; between runs
 * the person does it (or the demo does), and the next run checks and goes on. Returns what the
 * runs did, or an exit code when the founder stopped at a console step.
 */
async function applyUntilDone(w: Wizard, want: Baseline): Promise<Applied | number> {
  const { opts, env, hooks, state, stopper, ask, width } = w;
  // The step graph and the AWS client load only now, after the questions.
  const { openSession } = await import('../session.js');
  let profile = opts.profile;
  let result: RunResult | undefined;
  const rounds: RunResult[] = [];
  let stillSeen = new Set<string>();
  let switchTo: string | undefined;
  for (let round = 0; round < 8; round++) {
    const io = progressHost(opts, env, state, want);
    let s: Awaited<ReturnType<typeof openSession>>;
    try {
      s = await openSession({ opts: { ...opts, profile }, mode: 'apply', want, state, io, run: env.run });
    } catch (e) {
      // Switched to the Identity Center profile but not signed in yet: say how, and wait.
      if (!(ask && profile && profile !== opts.profile && e instanceof CliExit)) throw e;
      const c = await w.clack();
      env.stdout.write(
        `\n${wrap(`The profile ${profile} has no credentials yet. ${await loginAdvice(env.run, want.org.slug)} (in another terminal), then come back here.`, width)}\n`,
      );
      const enter = await c.text({ message: 'Press Enter when signed in (Ctrl-C to stop here)', defaultValue: '' });
      if (c.isCancel(enter)) {
        tell(
          env,
          `Stopped. Progress is saved in ${state.path}; run \`npx secure-start --profile ${profile}\` after signing in.\n`,
        );
        return EXIT.interrupted;
      }
      continue;
    }
    // The closing sign-in line needs `aws --version`, a process start (0.1-0.7 s): begin it now,
    // once the first calls are out, so it runs beside them instead of after the last one (it is
    // looked up once per command).
    void env.run.awsCli();
    stopper.attach({
      interrupt: () => s.engine.interrupt(),
      // listr2 redraws the screen: a plain write would be drawn over, so it goes through the host.
      notice: (msg) => (io instanceof LazyListrHost ? io.notice(msg) : env.stderr.write(`\n${msg}\n`)),
    });
    // A prompt may leave the terminal in raw mode, where Ctrl-C is a key, not SIGINT.
    if (process.stdin.isTTY) process.stdin.setRawMode(false);
    try {
      await state.save();
      result = await s.engine.run({ mode: 'apply', aws: s.aws, readAws: s.aws.readOnlyView() });
      rounds.push(result);
    } finally {
      stopper.attach(undefined);
      await (io as { finish?: () => Promise<void> }).finish?.();
      s.aws.destroy();
    }
    if (result.interrupted || result.steps.some((x) => x.status === 'failed' || x.status === 'skipped')) break;
    const blocking = result.steps.flatMap((x) => x.manual.filter((m) => m.manual?.blocking));
    if (!blocking.length) break;
    switchTo = blocking.find((m) => m.manual?.switchProfile)?.manual?.switchProfile;

    if (!ask) {
      // The demo performs console steps itself, even without a terminal.
      if (!hooks.doManual) break;
      let all = true;
      for (const m of blocking) {
        const did = await hooks.doManual(m, want);
        if (did) env.stderr.write(`demo: ${did}\n`);
        else all = false;
        if (did && m.manual?.switchProfile) profile = m.manual.switchProfile;
      }
      if (!all) break;
      continue;
    }

    const c = await w.clack();
    const seenNow = new Set<string>();
    for (const m of blocking) {
      env.stdout.write(`\n${formatManualBox(m, { color: w.color, width, stillSeen: stillSeen.has(m.summary) })}`);
      seenNow.add(m.summary);
      const enter = await c.text({
        message: hooks.doManual
          ? 'Press Enter and the demo does this for you'
          : 'Press Enter when done (Ctrl-C to stop here; run again later)',
        defaultValue: '',
      });
      if (c.isCancel(enter)) {
        tell(
          env,
          `${hooks.demo ? DEMO_STOPPED : `Stopped. Progress is saved in ${state.path}; run \`npx secure-start${m.manual?.switchProfile ? ` --profile ${m.manual.switchProfile}` : profile ? ` --profile ${profile}` : ''}\` again once this is done.`}\n`,
        );
        return EXIT.interrupted;
      }
      if (hooks.doManual) {
        const did = await hooks.doManual(m, want);
        env.stdout.write(
          `${wrap(did ? `In the demo we did this for you: ${did}` : 'The demo cannot do this one; it stays open.', width)}\n`,
        );
      }
      if (m.manual?.switchProfile) {
        profile = m.manual.switchProfile;
        env.stdout.write(`${wrap(`Going on with the AWS profile ${profile}.`, width)}\n`);
      }
    }
    stillSeen = seenNow;
    env.stdout.write('Checking…\n');
  }
  if (!result) return EXIT.failure;
  return { result, rounds, ...(profile ? { profile } : {}), ...(switchTo ? { switchTo } : {}) };
}

/** Phase 4, the end: how it stopped, the summary with the sign-in and profiles, the config file offer. */
async function finish(w: Wizard, raw: Raw, want: Baseline, a: Applied): Promise<number> {
  const { opts, env, hooks, state, stopper } = w;
  const { result, rounds, profile, switchTo } = a;
  // Stopped by a signal (or a lost lock): 128 + the signal's number, as the shell reports it.
  const stopCode = result.interrupted ? stopper.exitCode : undefined;
  if (opts.json && result.interrupted) {
    tell(
      env,
      `Stopped by ${stopLabel(stopper.cause ?? 'SIGINT')}. ${hooks.demo ? DEMO_STOPPED : `Progress is saved in ${state.path}; run \`npx secure-start\` again to carry on where it stopped.`}\n`,
    );
  }

  if (!opts.json) {
    const done = !result.steps.some((x) => x.status !== 'ok' && x.status !== 'changed');
    const found = done ? writtenProfiles(want.org.slug) : undefined;
    env.stdout.write(
      formatSummary(mergeRounds(rounds), {
        statePath: state.path,
        color: w.color,
        width: w.width,
        want,
        outputs: state.data.outputs,
        verbose: opts.verbose,
        ...(found ? { profiles: found.names, profilesFile: found.file } : {}),
        ...(switchTo && profile !== switchTo ? { switchProfile: switchTo } : {}),
        ...(stopper.cause ? { stoppedBy: stopLabel(stopper.cause) } : {}),
        ...(hooks.demo ? { demo: true } : {}),
        ...(done ? { signIn: loginCommand(await env.run.awsCli(), want.org.slug) } : {}),
      }),
    );
    if (w.ask && done && hooks.offerConfig !== false && !opts.config) await offerConfigFile(env, raw, await w.clack());
  }
  return stopCode ?? result.exitCode;
}

/**
 * One result for the summary out of the engine runs between manual steps: the last run's
 * status for each step, with the changes every run made (the last run alone may have had
 * little left to do).
 */
export function mergeRounds(rounds: RunResult[]): RunResult {
  const last = rounds[rounds.length - 1]!;
  return {
    ...last,
    steps: last.steps.map((s) => {
      const actions = rounds.flatMap((r) => r.steps.find((x) => x.id === s.id)?.actions ?? []);
      return { ...s, actions, status: s.status === 'ok' && actions.length ? 'changed' : s.status };
    }),
  };
}

/** One message on stderr (a trailing newline is added), wrapped at word boundaries on a terminal; one line per paragraph for logs. */
function tell(env: CommandEnv, message: string): void {
  const text = message.replace(/\n$/, '');
  const w = widthOf(env.stderr);
  env.stderr.write(
    `${
      env.stderr.isTTY
        ? text
            .split('\n')
            .map((l) => wrap(l, w))
            .join('\n')
        : text
    }\n`,
  );
}

/** The home region a founder's shell points at, for the first calls before the question. */
function regionFromEnv(): string {
  const r = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  return r && isRegion(r) ? r : 'us-east-1';
}

/**
 * Root MFA before anything is applied: the box with the console link, Enter, a check by API;
 * again until it is on (or Ctrl-C). The demo does it on the emulated console after Enter.
 */
async function rootMfaFirst(
  opts: GlobalOptions,
  env: CommandEnv,
  want: Baseline,
  hooks: RunHooks,
  o: { color: boolean; width: number; clack: Clack },
): Promise<'ok' | 'cancel'> {
  const { rootMfaMissing } = await import('../first-checks.js');
  let missing = await rootMfaMissing({ profile: opts.profile }, want.homeRegion);
  let again = false;
  while (missing) {
    if (!again)
      env.stdout.write(
        `\n${wrap('Before any change, the most important control: MFA on the root user, the one sign-in that can do anything in every account. secure-start checks it now, before it changes anything, not at the end.', o.width)}\n`,
      );
    env.stdout.write(`\n${formatManualBox(missing, { color: o.color, width: o.width, stillSeen: again })}`);
    const enter = await o.clack.text({
      message: hooks.doManual
        ? 'Press Enter and the demo does this for you'
        : 'Press Enter when MFA is on (Ctrl-C to stop; nothing has been changed)',
      defaultValue: '',
    });
    if (o.clack.isCancel(enter)) return 'cancel';
    if (hooks.doManual) {
      const did = await hooks.doManual(missing, want);
      env.stdout.write(
        `${wrap(did ? `In the demo we did this for you: ${did}` : 'The demo cannot do this one.', o.width)}\n`,
      );
    }
    env.stdout.write('Checking…\n');
    missing = await rootMfaMissing({ profile: opts.profile }, want.homeRegion);
    again = true;
  }
  return 'ok';
}

/** Plans with reads only, shows it with costs and irreversible parts, asks once. */
async function confirmPlan(
  opts: GlobalOptions,
  env: CommandEnv,
  want: Baseline,
  state: StateStore,
  o: { color: boolean; width: number; clack: () => Promise<Clack>; demo: boolean },
): Promise<'go' | 'no' | 'cancel'> {
  const { openSession, credentialsGuide } = await import('../session.js');
  const s = await openSession({ opts, mode: 'plan', want, state, io: new RecordingIoHost(), run: env.run });
  let result: RunResult;
  try {
    if (s.offline) throw new CliExit(credentialsGuide(opts.profile), 2);
    result = await s.engine.run({ mode: 'plan', aws: s.aws, readAws: s.aws.readOnlyView() });
  } finally {
    s.aws.destroy();
  }
  const c = planCounts(result);
  if (!c.calls && !c.manual) return 'go';
  const accountNames = Object.fromEntries(
    want.accounts.map((a) => [state.data.outputs[`${a.name}.accountId`], a.name]).filter(([id]) => id),
  );
  env.stdout.write(
    `\n${formatPlan(result, { color: o.color, width: o.width, accountNames, maxPerGroup: 3 })}${formatPlanNotes(result, { color: o.color, width: o.width, want })}`,
  );
  env.stdout.write(`${wrap('Every call in full: `npx secure-start plan` (or `plan --json`).', o.width)}\n\n`);
  const p = await o.clack();
  const yes = await p.confirm({
    message: c.calls ? `Apply these ${c.calls} changes to AWS account ${s.accountId}?` : 'Go on?',
    initialValue: true,
  });
  if (p.isCancel(yes)) {
    tell(env, `${o.demo ? DEMO_STOPPED : INTERRUPTED_AT_QUESTION(state.path)}\n`);
    return 'cancel';
  }
  if (!yes) {
    env.stdout.write(
      o.demo
        ? `Nothing was changed. ${DEMO_STOPPED}\n`
        : 'Nothing was changed. Your answers are saved; run `npx secure-start` again when ready.\n',
    );
    return 'no';
  }
  return 'go';
}

/** listr2 on a terminal, plain lines elsewhere (CI, pipes), JSON lines with --json. */
function progressHost(opts: GlobalOptions, env: CommandEnv, state: StateStore, want: Baseline): IoHost {
  // Every event on stdout; failures (and retries with --verbose) on stderr too.
  if (opts.json)
    return new TeeIoHost(new JsonLinesIoHost(env.stdout), new JsonLinesIoHost(env.stderr, problems(opts.verbose)));
  const tty = Boolean(env.stdout.isTTY) && !process.env.CI && process.env.TERM !== 'dumb';
  if (tty) {
    const names = () => new Map(want.accounts.map((a) => [state.data.outputs[`${a.name}.accountId`], a.name] as const));
    return new LazyListrHost({
      verbose: opts.verbose,
      out: env.stdout,
      width: widthOf(env.stdout),
      accountName: (id) => (names().get(id) ? `${names().get(id)} (${id})` : id),
      knownAccounts: () =>
        want.accounts.map((a) => state.data.outputs[`${a.name}.accountId`]).filter((x): x is string => !!x),
    });
  }
  return new LinesIoHost(env.stderr, { verbose: opts.verbose, color: wantsColor(env.stderr) });
}

/** Loads listr2 only when a terminal run starts (it is a separate chunk). */
class LazyListrHost implements IoHost {
  private host?: import('../render/listr.js').ListrIoHost;
  private queue: Parameters<IoHost['notify']>[0][] = [];
  private loading: Promise<void>;
  constructor(o: import('../render/listr.js').ListrHostOptions) {
    this.loading = import('../render/listr.js').then((m) => {
      this.host = new m.ListrIoHost(o);
      for (const e of this.queue) this.host.notify(e);
      this.queue = [];
    });
  }
  notify(e: Parameters<IoHost['notify']>[0]): void {
    if (this.host) this.host.notify(e);
    else this.queue.push(e);
  }
  notice(message: string): void {
    this.host?.notice(message);
  }
  async finish(): Promise<void> {
    await this.loading;
    await this.host!.finish();
  }
}

/** The profiles secure-start wrote (sections named `<slug>-…`), read back from the AWS config file. */
function writtenProfiles(slug: string): { names: string[]; file: string } | undefined {
  const file = process.env.AWS_CONFIG_FILE ?? join(homedir(), '.aws', 'config');
  if (!existsSync(file)) return undefined;
  const names = [...readFileSync(file, 'utf8').matchAll(/^\[profile ([^\]\s]+)\]/gm)]
    .map((m) => m[1]!)
    .filter((n) => n.startsWith(`${slug}-`));
  return names.length ? { names, file } : undefined;
}

async function offerConfigFile(env: CommandEnv, raw: Raw, p: Clack): Promise<void> {
  const path = resolve(CONFIG_FILE_NAME);
  if (existsSync(path)) return;
  const yes = await p.confirm({
    message: `Save your answers to ${CONFIG_FILE_NAME} for a non-interactive re-run (npx secure-start --yes --config ${CONFIG_FILE_NAME})?`,
    initialValue: true,
  });
  if (p.isCancel(yes) || !yes) return;
  writeFileSync(path, configFileText(raw), { flag: 'wx' });
  env.stdout.write(`Saved ${path}. It holds no secrets: names, emails, amounts and regions.\n`);
}
