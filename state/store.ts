// The state file: a journal of what secure-start asked for and did. AWS stays the source
// of truth; this file remembers answers, created IDs and asynchronous requests still in
// flight (so a crash resumes a wait instead of creating twice). It never holds a secret.
import { closeSync, fsyncSync, openSync, readFileSync, unlinkSync, writeSync, constants, statSync } from 'node:fs';
import { atomicWrite, atomicWriteSync } from './atomic-write.js';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';

export const STATE_SCHEMA_VERSION = 1;

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
  managementAccountId: z.string().regex(/^\d{12}$/).optional(),
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
export interface Migration { from: number; to: number; up(data: Record<string, unknown>): Record<string, unknown> }
export const MIGRATIONS: Migration[] = [];

export function migrate(data: Record<string, unknown>, migrations: Migration[] = MIGRATIONS, target = STATE_SCHEMA_VERSION): Record<string, unknown> {
  const found = data.schemaVersion;
  if (typeof found !== 'number' || !Number.isInteger(found)) throw new StateError('has no schemaVersion');
  let v: number = found;
  if (v > target) throw new StateError(`was written by a newer secure-start (state schema ${v}, this version reads up to ${target}); run the newer version: npx secure-start@latest`);
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
  return { schemaVersion: STATE_SCHEMA_VERSION, toolVersion, createdAt: now, updatedAt: now, answers: {}, steps: {}, outputs: {}, inflight: {}, journal: [] };
}

export { atomicWriteSync } from './atomic-write.js';

interface LockInfo { pid: number; host: string; startedAt: string; command: string }

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

  private constructor(readonly path: string, public data: StateData, readonly existed: boolean) {}

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
      text = readFileSync(path, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return new StateStore(path, emptyState(toolVersion), false);
      throw new StateError(`The state file ${path} exists but cannot be read (${code}). Fix its permissions (chmod 600 ${path}) or pass another file with --state.`);
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      throw new StateError(`The state file ${path} is damaged (not valid JSON${text.length === 0 ? ': it is empty' : ''}). It was left untouched. Move it aside (mv ${path} ${path}.bad) and run again: secure-start reads what exists from AWS and carries on.`);
    }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
      throw new StateError(`The state file ${path} is not a secure-start state file. It was left untouched; pass another file with --state.`);
    let migrated: Record<string, unknown>;
    try {
      migrated = migrate(raw as Record<string, unknown>);
    } catch (e) {
      throw new StateError(`The state file ${path} ${(e as Error).message}. It was left untouched.`);
    }
    const parsed = stateSchema.safeParse(migrated);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      throw new StateError(`The state file ${path} is damaged (${first?.path.join('.') || 'top level'}: ${first?.message}). It was left untouched. Move it aside and run again: secure-start reads what exists from AWS and carries on.`);
    }
    return new StateStore(path, parsed.data, true);
  }

  /** Ties the file to one management account; another account's file is refused. */
  bindAccount(accountId: string): void {
    const owner = this.data.managementAccountId;
    if (owner && owner !== accountId) {
      throw new StateError(`The state file ${this.path} belongs to AWS account ${owner}, but your credentials are for ${accountId}. Use the right profile (--profile), or pass a separate file for this account with --state.`);
    }
    this.data.managementAccountId = accountId;
  }

  /** Refuses a second concurrent run; takes over a lock left by a process that died. */
  lock(command: string): void {
    const info: LockInfo = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), command };
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(this.lockPath, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
        try { writeSync(fd, JSON.stringify(info)); fsyncSync(fd); } finally { closeSync(fd); }
        this.locked = true;
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new StateError(`Cannot create the lock file ${this.lockPath} (${(e as NodeJS.ErrnoException).code}). Check that the folder is writable.`);
      }
      let holder: Partial<LockInfo> = {};
      try { holder = JSON.parse(readFileSync(this.lockPath, 'utf8')) as LockInfo; } catch { /* half-written: treat by age */ }
      const stale = holder.pid !== undefined
        ? holder.host === info.host && !processAlive(holder.pid)
        : Date.now() - statSync(this.lockPath).mtimeMs > 60_000;
      if (!stale) {
        throw new StateError(`Another secure-start run is using ${this.path} (pid ${holder.pid ?? '?'} on ${holder.host ?? '?'}, started ${holder.startedAt ?? '?'}, command "${holder.command ?? '?'}"). Wait for it to finish; if it is gone, delete ${this.lockPath}.`);
      }
      try { unlinkSync(this.lockPath); } catch { /* someone else removed it first */ }
    }
    throw new StateError(`Could not take the lock ${this.lockPath}; another run is starting at the same time.`);
  }

  unlock(): void {
    if (!this.locked) return;
    this.locked = false;
    try { unlinkSync(this.lockPath); } catch { /* already gone */ }
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
