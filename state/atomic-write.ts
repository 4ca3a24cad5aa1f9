// Whole-file writes a reader (or a crash) never sees half done: write a temporary file in the
// same folder, fsync it, rename it over the target, fsync the folder. Used for the state
// file and for ~/.aws/config.
import { closeSync, fchmodSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync, constants } from 'node:fs';
import { open, unlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

const tmpName = (path: string) =>
  join(dirname(path), `.${basename(path)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);

/** Synchronous: for the last save on the way out (signal handlers) and tests. */
export function atomicWriteSync(path: string, text: string, mode = 0o600): void {
  const tmp = tmpName(path);
  const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode);
  try {
    writeSync(fd, text);
    // open()'s mode is filtered by the umask; set it exactly.
    fchmodSync(fd, mode);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(tmp, path);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      /* already gone */
    }
    throw e;
  }
  try {
    const dfd = openSync(dirname(path), 'r');
    try {
      fsyncSync(dfd);
    } finally {
      closeSync(dfd);
    }
  } catch {
    /* some filesystems refuse fsync on a directory; the rename is still atomic */
  }
}

/**
 * Asynchronous: the event loop keeps serving other requests while the disk syncs.
 * `beforeRename` may return false to drop this version (a newer one was already written).
 */
export async function atomicWrite(
  path: string,
  text: string,
  mode = 0o600,
  beforeRename: () => boolean = () => true,
): Promise<void> {
  const tmp = tmpName(path);
  let renamed = false;
  try {
    const fh = await open(tmp, 'wx', mode);
    try {
      await fh.writeFile(text, 'utf8');
      await fh.chmod(mode);
      await fh.sync();
    } finally {
      await fh.close();
    }
    // The check and the rename happen in one turn of the event loop, so a synchronous write
    // (after a signal) can never be overwritten by this older version.
    if (!beforeRename()) return;
    renameSync(tmp, path);
    renamed = true;
    try {
      const dh = await open(dirname(path), 'r');
      try {
        await dh.sync();
      } finally {
        await dh.close();
      }
    } catch {
      /* some filesystems refuse fsync on a directory; the rename is still atomic */
    }
  } finally {
    if (!renamed) await unlink(tmp).catch(() => undefined);
  }
}
