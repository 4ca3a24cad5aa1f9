/**
 * Writes merged sections into the AWS CLI config file safely: a backup of every version it
 * replaces, atomic replace, permissions kept. The only I/O in profiles/.
 */
import { constants } from 'node:fs';
import { chmod, copyFile, mkdir, readdir, realpath, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { atomicWrite } from '../state/atomic-write.js';
import { readRegularFile } from '../state/read-file.js';
import { mergeAwsConfig, type MergeOptions, type MergeResult } from './merge.js';
import type { Section } from './render.js';

export interface WriteResult extends MergeResult {
  /** The file that was (or would have been) written. */
  path: string;
  /** Set when this call backed up the version it replaced (not when that version was kept already). */
  backupPath?: string;
}

/** An AWS CLI config file is kilobytes; a bigger one is not read whole (nor a FIFO or a device). */
const MAX_BYTES = 10 * 1024 * 1024;

/** Same-named sections we did not write, without `force`. Nothing has been written. */
export class AwsConfigConflictError extends Error {
  override name = 'AwsConfigConflictError';
  constructor(
    readonly path: string,
    readonly conflicts: string[],
  ) {
    super(
      `${path} already has ${conflicts.map((h) => `[${h}]`).join(', ')}, not written by secure-start. ` +
        'Rename or remove ' +
        (conflicts.length === 1 ? 'that section' : 'those sections') +
        ', or re-run with --force to replace ' +
        (conflicts.length === 1 ? 'it' : 'them') +
        ` (the file is backed up next to it first, as ${basename(path)}.secure-start….bak).`,
    );
  }
}

/** Where the AWS CLI reads its config: `AWS_CONFIG_FILE` (with `~` expanded, as the CLI does) or `~/.aws/config`. */
export function defaultAwsConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.AWS_CONFIG_FILE;
  if (fromEnv) {
    if (fromEnv === '~') return homedir();
    if (fromEnv.startsWith('~/')) return join(homedir(), fromEnv.slice(2));
    return fromEnv;
  }
  return join(homedir(), '.aws', 'config');
}

/** The backup of the file as it was before secure-start first changed it. */
export function backupPathFor(path: string): string {
  return `${path}.secure-start.bak`;
}

/** The backup of a later version: `<path>.secure-start.<UTC time>.bak` (sorts by time). */
export function laterBackupPathFor(path: string, now = new Date(), n = 0): string {
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  return `${path}.secure-start.${stamp}${n ? `-${n}` : ''}.bak`;
}

/**
 * Backs up the version about to be replaced, unless a backup already holds exactly it (a file
 * secure-start wrote and nobody changed since). The first backup keeps the plain name.
 */
async function backUp(target: string, path: string, text: string, mode: number): Promise<string | undefined> {
  const dir = dirname(path);
  const prefix = `${basename(path)}.secure-start`;
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (!name.startsWith(prefix) || !name.endsWith('.bak')) continue;
    try {
      if (readRegularFile(join(dir, name), MAX_BYTES) === text) return undefined;
    } catch {
      /* not a backup we can read: ignore it */
    }
  }
  for (let n = 0; n < 100; n++) {
    const backup = n === 0 ? backupPathFor(path) : laterBackupPathFor(path, new Date(), n - 1);
    try {
      await copyFile(target, backup, constants.COPYFILE_EXCL);
      await chmod(backup, mode);
      return backup;
    } catch (err) {
      if (!isErrno(err, 'EEXIST')) throw err;
    }
  }
  throw new Error(`cannot find a free backup name next to ${path}`);
}

const isErrno = (err: unknown, code: string): boolean =>
  typeof err === 'object' && err !== null && (err as NodeJS.ErrnoException).code === code;

/**
 * Merges `sections` into the config at `path` and writes it if anything changed. Throws
 * AwsConfigConflictError (before touching any file) when sections we did not write stand in
 * the way and `opts.force` is not set.
 */
export async function writeAwsConfig(path: string, sections: Section[], opts: MergeOptions = {}): Promise<WriteResult> {
  // A symlinked config (dotfiles repo) must stay a symlink: write through to its target.
  let target = path;
  let existing = '';
  let mode: number | undefined;
  try {
    target = await realpath(path);
    existing = readRegularFile(target, MAX_BYTES);
    mode = (await stat(target)).mode & 0o7777;
  } catch (err) {
    if (!isErrno(err, 'ENOENT')) throw err;
  }

  const merged = mergeAwsConfig(existing, sections, opts);
  if (merged.conflicts.length > 0) throw new AwsConfigConflictError(path, merged.conflicts);
  const result: WriteResult = { ...merged, path };
  if (!merged.changed) return result;

  if (mode !== undefined) {
    // Every version replaced is kept (a founder's edit since the last run included); earlier
    // backups, the original first of all, are never overwritten.
    const backup = await backUp(target, path, existing, mode);
    if (backup) result.backupPath = backup;
  }

  const dir = dirname(target);
  // ~/.aws may hold credentials; the CLI itself creates it private.
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await atomicWrite(target, merged.text, mode ?? 0o600);
  return result;
}
