// End-to-end harness: start the emulator in-process and run the BUILT CLI (dist/) as a real
// subprocess pointed at it only through the SDK's own AWS_ENDPOINT_URL / credential variables.
// No test hooks exist in the product; everything observable goes through the emulator.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { startEmulator, type Emulator, type EmulatorOptions, type CallRecord } from '../../emulator/index.js';

export const ROOT = resolve(__dirname, '../..');
export const CLI = join(ROOT, 'dist/secure-start.js');
export const BASIC_CONFIG = join(ROOT, 'tests/fixtures/config/basic.json');

export type { Emulator, CallRecord };

/** Start an emulator on a random port (instant latency unless told otherwise). */
export function startEmu(opts: EmulatorOptions = {}): Promise<Emulator> {
  return startEmulator({ latency: 'instant', ...opts });
}

/** A scratch folder that plays the founder's working directory and HOME (~/.aws lives here). */
export function scratchDir(prefix = 'ss-e2e-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  mkdirSync(join(dir, '.aws'), { recursive: true });
  return dir;
}

export interface RunOptions {
  /** Emulator to talk to; without it the CLI gets no endpoint and no credentials. */
  emu?: Emulator;
  /** Working directory and HOME (default: a fresh scratch dir). Reuse it to resume a run. */
  dir?: string;
  /** Which credentials: 'management' (the scenario's caller) or a member account ID. */
  account?: string;
  /** Extra environment (wins over everything else). `undefined` values remove a variable. */
  env?: Record<string, string | undefined>;
  /** Text written to stdin, then closed (default: stdin closed at once, like CI). */
  input?: string;
  /** Kill with SIGKILL after this many ms (default 60 s) and report `timedOut`. */
  timeoutMs?: number;
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Every call the emulator received during this run. */
  calls: CallRecord[];
  mutatingCalls: CallRecord[];
  dir: string;
  statePath: string;
  timedOut: boolean;
}

/** Environment for the CLI: a clean slate (no real AWS settings leak in), then the emulator's. */
export function cliEnv(opts: RunOptions & { dir: string }): Record<string, string> {
  const base: Record<string, string> = {};
  for (const k of ['LANG', 'TMPDIR', 'SYSTEMROOT']) if (process.env[k]) base[k] = process.env[k]!;
  // The machine's own AWS CLI stays out of the tests (a test that cares sets PATH itself): what
  // the CLI says about signing in must not depend on it, and this machine's (v1 through a pyenv
  // shim) costs 0.65 s of CPU per `aws --version`, a quarter of a crash case.
  base.PATH = `${defaultAwsCli()}${delimiter}${process.env.PATH ?? ''}`;
  Object.assign(base, {
    HOME: opts.dir,
    USERPROFILE: opts.dir,
    AWS_CONFIG_FILE: join(opts.dir, '.aws/config'),
    AWS_SHARED_CREDENTIALS_FILE: join(opts.dir, '.aws/credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    NO_COLOR: '1',
    CI: 'true',
  });
  if (opts.emu) Object.assign(base, opts.emu.env(opts.account ?? 'management'));
  for (const [k, v] of Object.entries(opts.env ?? {})) {
    if (v === undefined) delete base[k];
    else base[k] = v;
  }
  return base;
}

export interface SpawnedCli {
  child: ChildProcess;
  dir: string;
  /** Resolves when the process exits (whatever the reason). */
  done: Promise<CliResult>;
}

/** Start the CLI and return at once (crash tests kill it at a chosen moment). */
export function spawnCli(args: string[], opts: RunOptions = {}): SpawnedCli {
  const dir = opts.dir ?? scratchDir();
  const env = cliEnv({ ...opts, dir });
  const firstSeq = lastSeq(opts.emu);
  const child = spawn(process.execPath, [CLI, ...args], { cwd: dir, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d) => (stderr += d));
  if (opts.input !== undefined) child.stdin!.end(opts.input);
  else child.stdin!.end();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, opts.timeoutMs ?? 60_000);
  const done = new Promise<CliResult>((resolveDone, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const calls = opts.emu ? opts.emu.calls().filter((c) => c.seq > firstSeq) : [];
      resolveDone({
        code,
        signal,
        stdout,
        stderr,
        calls,
        mutatingCalls: calls.filter((c) => c.mutating),
        dir,
        statePath: join(dir, 'secure-start.state.json'),
        timedOut,
      });
    });
  });
  return { child, dir, done };
}

/** Run the CLI to the end. */
export function runCli(args: string[], opts: RunOptions = {}): Promise<CliResult> {
  return spawnCli(args, opts).done;
}

function lastSeq(emu?: Emulator): number {
  if (!emu) return 0;
  const all = emu.calls();
  return all.length ? all[all.length - 1]!.seq : 0;
}

/** The state file a run left behind (parsed), or undefined. */
export function readState(dir: string, file = 'secure-start.state.json'): any {
  const p = join(dir, file);
  return existsSync(p) ? JSON.parse(readFileSync(p, 'utf8')) : undefined;
}

/** `operation` names of calls, e.g. for `expect(ops(r.mutatingCalls)).toEqual([...])`. */
export function ops(calls: CallRecord[]): string[] {
  return calls.map((c) => `${c.service}:${c.operation}`);
}

/** A short, readable dump for failing assertions. */
export function explain(r: CliResult): string {
  return `exit ${r.code}${r.signal ? ` (${r.signal})` : ''}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

let sharedAwsCli: string | undefined;
/** One AWS CLI v2 stand-in per test worker, first on every CLI run's PATH unless a test sets PATH. */
function defaultAwsCli(): string {
  return (sharedAwsCli ??= awsCliPath('aws-cli/2.27.0 Python/3.13.3 Linux/6.1 exe/x86_64'));
}

/**
 * A PATH whose `aws` prints `versionLine` the way that AWS CLI does (v1 on stderr, v2 on
 * stdout), ahead of nothing else: what the CLI says about signing in then depends on the test,
 * not on the machine's own AWS CLI. `versionLine` undefined: no `aws` at all.
 */
export function awsCliPath(versionLine?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'ss-awscli-'));
  if (versionLine) {
    const toStderr = /^aws-cli\/1\./.test(versionLine);
    writeFileSync(
      join(dir, 'aws'),
      `#!/bin/sh\n[ "$1" = "--version" ] && echo '${versionLine}'${toStderr ? ' 1>&2' : ''} && exit 0\nexit 2\n`,
      { mode: 0o755 },
    );
  }
  return dir;
}
