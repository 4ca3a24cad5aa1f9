// Reads a file the founder pointed us at (state file, config file, ~/.aws/config) without
// ever hanging or reading without bound: the path must be a regular file no larger than a
// limit. A FIFO would block a plain read forever, /dev/zero never ends, a device or a
// directory is not a file at all; each is refused at once, saying what the path is.
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';

export type NotAFileKind =
  'directory' | 'FIFO (named pipe)' | 'character device' | 'block device' | 'socket' | 'special file';

/** The path exists but is not something we read: not a regular file, or too large. */
export class UnreadableFileError extends Error {
  constructor(
    readonly path: string,
    readonly kind: NotAFileKind | 'too large',
    readonly size?: number,
  ) {
    super(kind === 'too large' ? `${path} is ${formatSize(size ?? 0)}` : `${path} is a ${kind}, not a file`);
    this.name = 'UnreadableFileError';
  }
}

export function formatSize(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1)} GB`;
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} bytes`;
}

function kindOf(st: Stats): NotAFileKind | undefined {
  if (st.isFile()) return undefined;
  if (st.isDirectory()) return 'directory';
  if (st.isFIFO()) return 'FIFO (named pipe)';
  if (st.isCharacterDevice()) return 'character device';
  if (st.isBlockDevice()) return 'block device';
  if (st.isSocket()) return 'socket';
  return 'special file';
}

/**
 * The file's text (UTF-8). Throws the fs error (ENOENT, EACCES…) when it cannot be opened,
 * UnreadableFileError when it is not a regular file or is larger than `maxBytes`.
 */
export function readRegularFile(path: string, maxBytes: number): string {
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer, forever.
  const fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  try {
    const st = fstatSync(fd);
    const kind = kindOf(st);
    if (kind) throw new UnreadableFileError(path, kind);
    if (st.size > maxBytes) throw new UnreadableFileError(path, 'too large', st.size);
    // Read at most one byte past the limit: a file growing while we read is still bounded.
    const buf = Buffer.alloc(Math.min(st.size, maxBytes) + 1);
    let got = 0;
    for (;;) {
      const n = readSync(fd, buf, got, buf.length - got, null);
      if (n === 0) break;
      got += n;
      if (got > maxBytes) throw new UnreadableFileError(path, 'too large', got);
      if (got === buf.length) break;
    }
    return buf.subarray(0, got).toString('utf8');
  } finally {
    closeSync(fd);
  }
}
