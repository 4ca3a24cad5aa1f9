// Paths that are not files: a state file or config file path that is a device, a FIFO, a
// directory, a symlink to a device or a huge file is refused at once by every command with
// exit code 2 and a message saying what the path is: never a hang (a FIFO waits for a writer
// forever, /dev/zero never ends), never an unbounded read, never advice to move a device away.
// Nothing reaches AWS, nothing is written, no lock is left behind.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BASIC_CONFIG, explain, removeDir, runCli, scratchDir, startEmu, type Emulator } from '../helpers/harness.js';

let emu: Emulator;
let place: string;
beforeAll(async () => {
  emu = await startEmu({ scenario: 'fresh+iam-user' });
  place = scratchDir('ss-notafile-');
});
afterAll(async () => {
  // Not one of these runs reached AWS.
  expect(emu.calls()).toEqual([]);
  await emu.stop();
  removeDir(place);
});

interface Kind {
  id: string;
  /** Makes the path (in `dir`) and returns it. */
  make(dir: string): string;
  /** What the message calls it. */
  says: RegExp;
}

const KINDS: Kind[] = [
  { id: '/dev/null', make: () => '/dev/null', says: /is a character device, not a file/ },
  { id: '/dev/zero (never ends)', make: () => '/dev/zero', says: /is a character device, not a file/ },
  { id: '/dev/urandom', make: () => '/dev/urandom', says: /is a character device, not a file/ },
  {
    id: 'a symlink to /dev/zero',
    make: (dir) => {
      const p = join(dir, 'link.json');
      symlinkSync('/dev/zero', p);
      return p;
    },
    says: /is a character device, not a file/,
  },
  {
    id: 'a FIFO nobody writes to (a plain read waits forever)',
    make: (dir) => {
      const p = join(dir, 'fifo.json');
      execFileSync('mkfifo', [p]);
      return p;
    },
    says: /is a FIFO \(named pipe\), not a file/,
  },
  {
    id: 'a directory',
    make: (dir) => {
      const p = join(dir, 'folder.json');
      mkdirSync(p);
      return p;
    },
    says: /is a directory, not a file/,
  },
  {
    id: 'a 4 GB (sparse) file',
    make: (dir) => {
      const p = join(dir, 'huge.json');
      closeSync(openSync(p, 'w'));
      execFileSync('truncate', ['-s', '4G', p]);
      return p;
    },
    says: /4\.0 GB|larger than 1 MB/,
  },
];

// Each case must end quickly: a hang or a read of gigabytes is the failure.
const QUICK_MS = 20_000;

async function refused(kind: Kind, args: (path: string) => string[], what: 'state' | 'config') {
  const dir = scratchDir('ss-notafile-');
  try {
    const path = kind.make(dir);
    const before = readdirSync(dir).sort();
    const t0 = Date.now();
    const r = await runCli(args(path), { emu, dir, timeoutMs: QUICK_MS });
    expect(r.timedOut, `hung: ${explain(r)}`).toBe(false);
    expect(Date.now() - t0).toBeLessThan(QUICK_MS);
    expect(r.code, explain(r)).toBe(2);
    expect(r.stderr, explain(r)).toMatch(kind.says);
    expect(r.stderr).toContain(path);
    expect(r.stderr).toMatch(what === 'state' ? /--state/ : /--config|larger than 1 MB/);
    // Never "move it aside" for something that is not a file of ours.
    expect(r.stderr).not.toMatch(/\bmv\b|Move it aside/);
    expect(r.calls, 'AWS calls for a path that is not a file').toEqual([]);
    // Nothing written next to it: no state file, no lock, no temp file.
    expect(readdirSync(dir).sort()).toEqual(before);
  } finally {
    removeDir(dir);
  }
}

const COMMANDS: [string, (state: string) => string[]][] = [
  ['run', (p) => ['--yes', '--config', BASIC_CONFIG, '--state', p]],
  ['plan', (p) => ['plan', '--state', p]],
  ['verify', (p) => ['verify', '--config', BASIC_CONFIG, '--state', p]],
  ['status', (p) => ['status', '--state', p]],
  ['status --json', (p) => ['status', '--json', '--state', p]],
];

describe.concurrent('--state that is not a file: refused at once, exit 2', () => {
  for (const kind of KINDS) {
    for (const [name, args] of COMMANDS) test(`${kind.id}: ${name}`, () => refused(kind, args, 'state'));
  }
});

describe.concurrent('--config that is not a file: refused at once, exit 2', () => {
  for (const kind of KINDS) {
    test(`${kind.id}: plan`, () => refused(kind, (p) => ['plan', '--config', p], 'config'));
  }
  // The wizard reads the config after taking the lock: it must still leave none behind.
  for (const kind of KINDS.filter((k) => /FIFO|dev\/zero/.test(k.id))) {
    test(`${kind.id}: run --yes`, () => refused(kind, (p) => ['--yes', '--config', p], 'config'));
  }
});

test('a regular state file just under the limit is still read (the limit is on size, not on kind)', async () => {
  // A big but real state file: 2 MB of journal. It is read and used; AWS is not reached
  // because plan runs without credentials here.
  const dir = scratchDir('ss-notafile-');
  try {
    const path = join(dir, 'secure-start.state.json');
    const entry = {
      time: '2026-11-23T00:00:00.000Z',
      step: 'accounts',
      service: 'organizations',
      operation: 'CreateAccount',
      account: 'management',
      region: 'us-east-1',
      summary: 'x'.repeat(200),
      ok: true,
    };
    writeFileSync(
      path,
      JSON.stringify({
        schemaVersion: 1,
        toolVersion: 't',
        createdAt: 'c',
        updatedAt: 'u',
        answers: {},
        steps: {},
        outputs: {},
        inflight: {},
        journal: Array.from({ length: 8000 }, () => entry),
      }),
    );
    expect(statSync(path).size).toBeGreaterThan(2_000_000);
    const r = await runCli(['plan', '--json'], { dir });
    expect(r.code, explain(r)).toBe(0);
    expect(existsSync(`${path}.lock`)).toBe(false);
  } finally {
    removeDir(dir);
  }
});
