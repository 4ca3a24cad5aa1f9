/**
 * Writes merged sections into the AWS CLI config file safely: one-time backup, atomic replace,
 * permissions kept. The only I/O in profiles/.
 */
import { constants } from 'node:fs';
import { chmod, copyFile, mkdir, readFile, realpath, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { atomicWrite } from '../state/atomic-write.js';
import { mergeAwsConfig, type MergeOptions, type MergeResult } from './merge.js';
import type { Section } from './render.js';

export interface WriteResult extends MergeResult {
  /** The file that was (or would have been) written. */
  path: string;
  /** Set when this call created the one-time backup of the original file. */
  backupPath?: string;
}

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
        ` (the original file is backed up to ${backupPathFor(path)} first).`,
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

export function backupPathFor(path: string): string {
  return `${path}.secure-start.bak`;
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
    existing = await readFile(target, 'utf8');
    mode = (await stat(target)).mode & 0o7777;
  } catch (err) {
    if (!isErrno(err, 'ENOENT')) throw err;
  }

  const merged = mergeAwsConfig(existing, sections, opts);
  if (merged.conflicts.length > 0) throw new AwsConfigConflictError(path, merged.conflicts);
  const result: WriteResult = { ...merged, path };
  if (!merged.changed) return result;

  if (mode !== undefined) {
    // Only the first change ever is backed up: later runs must not overwrite the user's original.
    const backup = backupPathFor(path);
    try {
      await copyFile(target, backup, constants.COPYFILE_EXCL);
      await chmod(backup, mode);
      result.backupPath = backup;
    } catch (err) {
      if (!isErrno(err, 'EEXIST')) throw err;
    }
  }

  const dir = dirname(target);
  // ~/.aws may hold credentials; the CLI itself creates it private.
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await atomicWrite(target, merged.text, mode ?? 0o600);
  return result;
}


