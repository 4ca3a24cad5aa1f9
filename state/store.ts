// The state file: a journal of what secure-start asked for and did. AWS stays the source
// of truth; this file remembers answers, created IDs and asynchronous requests still in
// flight (so a crash resumes a wait instead of creating twice). It never holds a secret.
import {
  closeSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  utimesSync,
  writeSync,
  constants,
  statSync,
} from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { atomicWrite, atomicWriteSync } from './atomic-write.js';
import { UnreadableFileError, formatSize, readRegularFile } from './read-file.js';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';

export const STATE_SCHEMA_VERSION = 1;
/** A 200-account bootstrap writes about 1 MB; anything past this is not our file and is not read. */
export const STATE_MAX_BYTES = 32 * 1024 * 1024;

const journalEntry = z.object({
  time: z.string(),
  step: z.string(),
  service: z.string(),
  operation: z.string(),
  account: z.string(),
  region: z.string(),
  requestId: z.string().optional(),
  summary: z.string(),
  ok: z.boolean(),
  error: z.string().optional(),
});
export type JournalEntry = z.infer<typeof journalEntry>;

const inflightOp = z.object({
  step: z.string(),
  service: z.string(),
  operation: z.string(),
  /** What identifies the request to AWS (e.g. a CreateAccount request ID `car-…`). */
  requestId: z.string(),
  /** The natural key it was for (e.g. the account email), so observe can match it. */
  key: z.string(),
  startedAt: z.string(),
});
export type InflightOp = z.infer<typeof inflightOp>;

const stepRecord = z.object({
  status: z.enum(['done', 'failed', 'blocked', 'pending']),
  at: z.string(),
  error: z.string().optional(),
  actions: z.number().optional(),
});
export type StepRecord = z.infer<typeof stepRecord>;

export const stateSchema = z.object({
  schemaVersion: z.literal(STATE_SCHEMA_VERSION),
  toolVersion: z.string(),
  managementAccountId: z
    .string()
    .regex(/^\d{12}$/)
    .optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  answers: z.record(z.string(), z.unknown()),
  steps: z.record(z.string(), stepRecord),
  outputs: z.record(z.string(), z.string()),
  inflight: z.record(z.string(), inflightOp),
  journal: z.array(journalEntry),
});
export type StateData = z.infer<typeof stateSchema>;

/** Errors about the state file are the founder's to fix (exit code 2), and say how. */
export class StateError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'StateError';
  }
}

/** One step up the schema ladder. Add one per schema change; never edit an old one. */
export interface Migration {
  from: number;
  to: number;
  up(data: Record<string, unknown>): Record<string, unknown>;
}
export const MIGRATIONS: Migration[] = [];

export function migrate(
  data: Record<string, unknown>,
  migrations: Migration[] = MIGRATIONS,
  target = STATE_SCHEMA_VERSION,
): Record<string, unknown> {
  const found = data.schemaVersion;
  if (typeof found !== 'number' || !Number.isInteger(found)) throw new StateError('has no schemaVersion');
  let v: number = found;
  if (v > target)
    throw new StateError(
      `was written by a newer secure-start (state schema ${v}, this version reads up to ${target}); run the newer version: npx secure-start@latest`,
    );
  let out = data;
  while (v < target) {
    const m = migrations.find((x) => x.from === v);
    if (!m) throw new StateError(`uses state schema ${v}, which this version cannot migrate to ${target}`);
    out = { ...m.up(out), schemaVersion: m.to };
    v = m.to;
  }
  return out;
}

function emptyState(toolVersion: string): StateData {
  const now = new Date().toISOString();
  return {
    schemaVersion: STATE_SCHEMA_VERSION,
    toolVersion,
    createdAt: now,
    updatedAt: now,
    answers: {},
    steps: {},
    outputs: {},
    inflight: {},
    journal: [],
  };
}

export { atomicWriteSync } from './atomic-write.js';

interface LockInfo {
  pid: number;
  host: string;
  startedAt: string;
  command: string;
  token?: string;
}

/**
 * The holder of a lock touches it (its mtime) this often while it runs, whatever it is
 * doing (waiting on AWS, or on the founder at a prompt).
 */
export const LOCK_HEARTBEAT_MS = 5_000;
/**
 * A lock not touched for this long was left by a run that is gone, on whatever machine it
 * ran: containers and cloud shells get a new hostname on every start, so a pid cannot be
 * checked there. On this machine a dead pid is proof at once.
 */
export const LOCK_STALE_MS = 60_000;
/** A takeover claim older than this was left by a run that died in the middle of taking over. */
const TAKEOVER_STALE_MS = 10_000;

interface SeenLock {
  text: string;
  info: Partial<LockInfo>;
  mtimeMs: number;
}

const sleepSync = (ms: number): void => {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
};

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class StateStore {
  /** The write under way (or the last one). */
  private writing: Promise<void> = Promise.resolve();
  /** The next write, queued behind `writing`, that every save() asked for meanwhile shares. */
  private next?: Promise<void>;
  /** Versions: a write whose version is older than the one on disk is dropped. */
  private version = 0;
  private onDisk = 0;
  private locked = false;

  private constructor(
    readonly path: string,
    public data: StateData,
    readonly existed: boolean,
  ) {}

  get lockPath(): string {
    return `${this.path}.lock`;
  }

  /**
   * Opens the state file, or starts a new one in memory (written on the first save).
   * A file that exists but cannot be read, parsed or migrated is an error and is never
   * overwritten.
   */
  static open(path: string, toolVersion: string): StateStore {
    let text: string;
    try {
      text = readRegularFile(path, STATE_MAX_BYTES);
    } catch (e) {
      // Not a file at all (a device, a FIFO, a directory) or far too big: refused at once,
      // and never "move it aside" (one does not mv /dev/null).
      if (e instanceof UnreadableFileError) {
        throw new StateError(
          e.kind === 'too large'
            ? `The state file ${path} is ${formatSize(e.size ?? 0)}; a state file is a few hundred kilobytes, so this is not one. It was not read. Pass the right file with --state.`
            : `The state file ${path} is a ${e.kind}, not a file. Pass a file path with --state (the default is ./secure-start.state.json in the current folder).`,
        );
      }
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return new StateStore(path, emptyState(toolVersion), false);
      throw new StateError(
        `The state file ${path} exists but cannot be read (${code}). Fix its permissions (chmod 600 ${path}) or pass another file with --state.`,
      );
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      throw new StateError(
        `The state file ${path} is damaged (not valid JSON${text.length === 0 ? ': it is empty' : ''}). It was left untouched. Move it aside (mv ${path} ${path}.bad) and run again: secure-start reads what exists from AWS and carries on.`,
      );
    }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
      throw new StateError(
        `The state file ${path} is not a secure-start state file. It was left untouched; pass another file with --state.`,
      );
    let migrated: Record<string, unknown>;
    try {
      migrated = migrate(raw as Record<string, unknown>);
    } catch (e) {
      throw new StateError(`The state file ${path} ${(e as Error).message}. It was left untouched.`);
    }
    const parsed = stateSchema.safeParse(migrated);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      throw new StateError(
        `The state file ${path} is damaged (${first?.path.join('.') || 'top level'}: ${first?.message}). It was left untouched. Move it aside and run again: secure-start reads what exists from AWS and carries on.`,
      );
    }
    return new StateStore(path, parsed.data, true);
  }

  /** Ties the file to one management account; another account's file is refused. */
  bindAccount(accountId: string): void {
    const owner = this.data.managementAccountId;
    if (owner && owner !== accountId) {
      throw new StateError(
        `The state file ${this.path} belongs to AWS account ${owner}, but your credentials are for ${accountId}. Use the right profile (--profile), or pass a separate file for this account with --state.`,
      );
    }
    this.data.managementAccountId = accountId;
  }

  /**
   * Refuses a second concurrent run; takes over a lock left by a run that is gone: at once
   * when its pid is dead on this machine, else once it has not been touched for
   * LOCK_STALE_MS, whatever its hostname. Taking over is atomic: of several runs that find
   * the same stale lock at the same moment, exactly one gets it (see takeOver). While held,
   * the lock is touched every LOCK_HEARTBEAT_MS; `onLost` is called if another run ever takes
   * it over all the same (this run was stopped or asleep for longer than LOCK_STALE_MS).
   */
  lock(command: string, opts: { onLost?: () => void } = {}): void {
    const info: LockInfo = {
      pid: process.pid,
      host: hostname(),
      startedAt: new Date().toISOString(),
      command,
      token: randomBytes(8).toString('hex'),
    };
    const text = JSON.stringify(info);
    for (let attempt = 0; attempt < 100; attempt++) {
      if (this.createLock(text)) return this.held(info.token!, opts.onLost);
      const seen = this.readLock();
      if (!seen) continue; // released just now: try again
      if (!this.isStale(seen, info.host)) {
        const h = seen.info;
        const beat = Math.round((Date.now() - seen.mtimeMs) / 1000);
        throw new StateError(
          `Another secure-start run is using ${this.path} (pid ${h.pid ?? '?'} on ${h.host ?? '?'}, started ${h.startedAt ?? '?'}, command "${h.command ?? '?'}", last seen ${beat} s ago). Wait for it to finish; if it is gone, its lock is taken over ${Math.round(LOCK_STALE_MS / 1000)} s after it was last seen, or delete ${this.lockPath}.`,
        );
      }
      if (this.takeOver(seen, text)) return this.held(info.token!, opts.onLost);
      sleepSync(10 + Math.floor(Math.random() * 20)); // another run is taking it over right now
    }
    throw new StateError(`Could not take the lock ${this.lockPath}; another run is starting at the same time.`);
  }

  private heartbeat?: NodeJS.Timeout;
  private token?: string;

  private held(token: string, onLost?: () => void): void {
    this.locked = true;
    this.token = token;
    this.heartbeat = setInterval(() => {
      let now: SeenLock | undefined;
      try {
        now = this.readLock();
      } catch {
        return; /* unreadable for a moment: try next beat */
      }
      if (now?.info.token !== token) {
        clearInterval(this.heartbeat);
        this.locked = false;
        onLost?.();
        return;
      }
      try {
        utimesSync(this.lockPath, new Date(), new Date());
      } catch {
        /* gone: seen next beat */
      }
    }, LOCK_HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  /** O_EXCL: exactly one of several runs creates the file. */
  private createLock(text: string): boolean {
    try {
      const fd = openSync(this.lockPath, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
      try {
        writeSync(fd, text);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw new StateError(
        `Cannot create the lock file ${this.lockPath} (${(e as NodeJS.ErrnoException).code}). Check that the folder is writable.`,
      );
    }
  }

  private readLock(): SeenLock | undefined {
    try {
      const text = readFileSync(this.lockPath, 'utf8');
      const mtimeMs = statSync(this.lockPath).mtimeMs;
      let info: Partial<LockInfo> = {};
      try {
        info = JSON.parse(text) as LockInfo;
      } catch {
        /* half-written: judged by age */
      }
      return { text, info: info && typeof info === 'object' ? info : {}, mtimeMs };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new StateError(`Cannot read the lock file ${this.lockPath} (${(e as NodeJS.ErrnoException).code}).`);
    }
  }

  private isStale(seen: SeenLock, host: string): boolean {
    const { pid } = seen.info;
    if (typeof pid === 'number' && seen.info.host === host && !processAlive(pid)) return true;
    return Date.now() - seen.mtimeMs > LOCK_STALE_MS;
  }

  /**
   * Replaces the stale lock `seen` with ours, or returns false when another run got there
   * first. A claim file per stale lock (`<lock>.takeover-<id>-<n>`, created with O_EXCL) lets
   * exactly one run replace it; that run checks the lock is still the stale one, renames its
   * own lock over it (atomic) and removes the claims. A run that loses the claim looks again
   * and finds the winner's live lock. A claim left by a run that died while taking over (a
   * window of microseconds) is passed over after TAKEOVER_STALE_MS with the next n.
   */
  private takeOver(seen: SeenLock, text: string): boolean {
    const id = createHash('sha256')
      .update(seen.info.token ?? seen.text)
      .digest('hex')
      .slice(0, 16);
    const claim = (n: number) => `${this.lockPath}.takeover-${id}-${n}`;
    for (let n = 1; n <= 50; n++) {
      try {
        closeSync(openSync(claim(n), constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST')
          throw new StateError(
            `Cannot create ${claim(n)} (${(e as NodeJS.ErrnoException).code}). Check that the folder is writable.`,
          );
        let age: number;
        try {
          age = Date.now() - statSync(claim(n)).mtimeMs;
        } catch {
          return false;
        }
        if (age > TAKEOVER_STALE_MS) continue;
        return false;
      }
      const now = this.readLock();
      if (now?.text !== seen.text) {
        try {
          unlinkSync(claim(n));
        } catch {
          /* gone */
        }
        return false;
      }
      const tmp = `${this.lockPath}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
      const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
      try {
        writeSync(fd, text);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, this.lockPath);
      for (let k = 1; k <= n; k++)
        try {
          unlinkSync(claim(k));
        } catch {
          /* gone */
        }
      return true;
    }
    return false;
  }

  unlock(): void {
    clearInterval(this.heartbeat);
    if (!this.locked) return;
    this.locked = false;
    // Only our own lock: never one another run took over in the meantime.
    if (this.readLock()?.info.token !== this.token) return;
    try {
      unlinkSync(this.lockPath);
    } catch {
      /* already gone */
    }
  }

  /**
   * Resolves once a version of the file that includes every change made before the call is
   * on disk (group commit): writes never overlap, and all the callers that arrive while one
   * write is under way share the next one. Parallel actions recording their requests at the
   * same moment cost one write, not one each.
   */
  save(): Promise<void> {
    if (!this.next) {
      const next = this.writing.then(noop, noop).then(() => {
        this.next = undefined; // changes from now on need the write after this one
        return this.write();
      });
      this.next = next;
      this.writing = next;
    }
    return this.next;
  }

  private async write(): Promise<void> {
    const v = ++this.version;
    this.data.updatedAt = new Date().toISOString();
    await atomicWrite(this.path, JSON.stringify(this.data, null, 2) + '\n', 0o600, () => v > this.onDisk);
    if (v > this.onDisk) this.onDisk = v;
  }

  /** Writes now, synchronously (on the way out after a signal); newer than any write under way. */
  saveSync(): void {
    const v = ++this.version;
    this.data.updatedAt = new Date().toISOString();
    atomicWriteSync(this.path, JSON.stringify(this.data, null, 2) + '\n');
    this.onDisk = v;
  }
}

const noop = (): void => undefined;
