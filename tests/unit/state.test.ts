import { describe, expect, it, vi } from 'vitest';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fork, spawnSync } from 'node:child_process';
import { buildSync } from 'esbuild';
import {
  StateError,
  StateStore,
  migrate,
  STATE_SCHEMA_VERSION,
  stateSchema,
  type Migration,
} from '../../state/store.js';
import * as atomic from '../../state/atomic-write.js';

// Counts the state file's asynchronous writes (the group-commit test) and otherwise writes as usual.
vi.mock('../../state/atomic-write.js', async (load) => {
  const real = await load<typeof import('../../state/atomic-write.js')>();
  return { ...real, atomicWrite: vi.fn(real.atomicWrite) };
});
const writes = () => vi.mocked(atomic.atomicWrite).mock.calls.length;

const tmp = () => mkdtempSync(join(tmpdir(), 'ss-state-'));

describe('state file', () => {
  it('starts empty in memory and is written only on save, with mode 0600', async () => {
    const dir = tmp();
    const path = join(dir, 'state.json');
    const s = StateStore.open(path, '1.0.0');
    expect(s.existed).toBe(false);
    expect(existsSync(path)).toBe(false);
    s.bindAccount('123456789012');
    s.data.outputs['prod.accountId'] = '210987654321';
    await s.save();
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const again = StateStore.open(path, '1.0.0');
    expect(again.data.outputs['prod.accountId']).toBe('210987654321');
    expect(stateSchema.safeParse(JSON.parse(readFileSync(path, 'utf8'))).success).toBe(true);
    expect(readdirSync(dir)).toEqual(['state.json']); // no temp files left behind
  });

  it('group commit: saves asked for while a write is under way share the next write, and each waits for a version with its change', async () => {
    const path = join(tmp(), 'state.json');
    const s = StateStore.open(path, '1');
    s.bindAccount('123456789012');
    const before = writes();
    const first = s.save();
    const later: Promise<void>[] = [];
    for (let i = 0; i < 20; i++) {
      s.data.outputs[`k${i}`] = String(i);
      later.push(
        s.save().then(() => {
          // Resolved only once the file on disk has this caller's change.
          expect(JSON.parse(readFileSync(path, 'utf8')).outputs[`k${i}`]).toBe(String(i));
        }),
      );
    }
    await Promise.all([first, ...later]);
    expect(writes() - before).toBe(1); // all asked for in the same turn: one write, not 21
    await Promise.all([
      s.save(),
      (async () => {
        await new Promise((r) => setTimeout(r, 0));
        s.data.outputs.b = 'b';
        return s.save();
      })(),
    ]);
    expect(JSON.parse(readFileSync(path, 'utf8')).outputs.b).toBe('b');
    expect(writes() - before).toBeGreaterThanOrEqual(2); // the change made later got a write of its own
    s.data.outputs.last = 'x';
    s.saveSync(); // on the way out: written at once, never overwritten by an older version
    await s.save();
    expect(JSON.parse(readFileSync(path, 'utf8')).outputs.last).toBe('x');
  });

  it('serialises concurrent saves so the file is always one whole version', async () => {
    const path = join(tmp(), 'state.json');
    const s = StateStore.open(path, '1');
    await Promise.all(
      Array.from({ length: 50 }, (_, i) => {
        s.data.outputs[`k${i}`] = String(i);
        return s.save();
      }),
    );
    expect(Object.keys(JSON.parse(readFileSync(path, 'utf8')).outputs)).toHaveLength(50);
  });

  it('survives a SIGKILL in the middle of writing: the file is always a complete, valid version', async () => {
    const dir = tmp();
    const path = join(dir, 'state.json');
    const child = join(dir, 'writer.mjs');
    buildSync({
      entryPoints: [join(__dirname, 'fixtures/state-writer.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: child,
      logLevel: 'silent',
    });
    for (let round = 0; round < 5; round++) {
      const p = fork(child, [path], { stdio: 'ignore' });
      await new Promise<void>((resolve) => p.once('message', () => resolve()));
      await new Promise((r) => setTimeout(r, 30 + round * 20));
      p.kill('SIGKILL');
      await new Promise((r) => p.once('exit', r));
      const text = readFileSync(path, 'utf8');
      const parsed = stateSchema.safeParse(JSON.parse(text));
      expect(parsed.success).toBe(true);
      expect(() => StateStore.open(path, 'test')).not.toThrow();
    }
  });

  it('refuses a corrupt file with a clear message and never overwrites it', () => {
    const path = join(tmp(), 'state.json');
    writeFileSync(path, '{"schemaVersion": 1, "toolVe');
    expect(() => StateStore.open(path, '1')).toThrow(StateError);
    expect(() => StateStore.open(path, '1')).toThrow(/damaged.*left untouched/s);
    expect(readFileSync(path, 'utf8')).toBe('{"schemaVersion": 1, "toolVe');
  });

  it('refuses an empty file, a JSON array, and a file missing fields', () => {
    const dir = tmp();
    for (const [name, text, msg] of [
      ['empty', '', /empty/],
      ['array', '[]', /not a secure-start state file/],
      ['fields', `{"schemaVersion":${STATE_SCHEMA_VERSION}}`, /damaged/],
    ] as const) {
      const p = join(dir, name);
      writeFileSync(p, text);
      expect(() => StateStore.open(p, '1'), name).toThrow(msg);
    }
  });

  it('refuses a file from a newer version, saying to upgrade', () => {
    const path = join(tmp(), 'state.json');
    writeFileSync(path, JSON.stringify({ schemaVersion: STATE_SCHEMA_VERSION + 1 }));
    expect(() => StateStore.open(path, '1')).toThrow(/newer secure-start.*npx secure-start@latest/s);
  });

  it('refuses a file that belongs to another management account', async () => {
    const path = join(tmp(), 'state.json');
    const s = StateStore.open(path, '1');
    s.bindAccount('111111111111');
    await s.save();
    const other = StateStore.open(path, '1');
    expect(() => other.bindAccount('222222222222')).toThrow(/belongs to AWS account 111111111111.*222222222222/s);
    expect(() => other.bindAccount('111111111111')).not.toThrow();
  });

  it('refuses an unreadable file with a clear error', () => {
    if (process.getuid?.() === 0) {
      // root reads anything; check the message path with a directory instead.
      const dir = tmp();
      expect(() => StateStore.open(dir, '1')).toThrow(/is a directory, not a file\. Pass a file path with --state/);
      return;
    }
    const path = join(tmp(), 'state.json');
    writeFileSync(path, '{}');
    chmodSync(path, 0o000);
    expect(() => StateStore.open(path, '1')).toThrow(/cannot be read/);
  });

  it('migrates step by step through the migration ladder', () => {
    const ladder: Migration[] = [
      {
        from: 1,
        to: 2,
        up: (d) => ({ ...d, outputs: Object.fromEntries((d.ids ?? []) as [string, string][]), ids: undefined }),
      },
      { from: 2, to: 3, up: (d) => ({ ...d, journal: [] }) },
    ];
    const out = migrate({ schemaVersion: 1, ids: [['prod.accountId', '1']] }, ladder, 3);
    expect(out).toMatchObject({ schemaVersion: 3, outputs: { 'prod.accountId': '1' }, journal: [] });
    expect(() => migrate({ schemaVersion: 0 }, ladder, 3)).toThrow(/cannot migrate/);
    expect(() => migrate({}, ladder, 3)).toThrow(/no schemaVersion/);
    expect(migrate({ schemaVersion: STATE_SCHEMA_VERSION, x: 1 })).toEqual({
      schemaVersion: STATE_SCHEMA_VERSION,
      x: 1,
    });
  });
});

describe('lock', () => {
  it('refuses a second run, naming the holder', () => {
    const path = join(tmp(), 'state.json');
    const a = StateStore.open(path, '1');
    a.lock('secure-start');
    const b = StateStore.open(path, '1');
    expect(() => b.lock('secure-start verify')).toThrow(new RegExp(`pid ${process.pid}.*command "secure-start"`, 's'));
    a.unlock();
    expect(() => b.lock('again')).not.toThrow();
    b.unlock();
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it('takes over a stale lock left by a process that died', () => {
    const path = join(tmp(), 'state.json');
    const dead = spawnSync(process.execPath, ['-e', 'process.pid']).pid!; // exited already
    writeFileSync(
      `${path}.lock`,
      JSON.stringify({ pid: dead, host: require('node:os').hostname(), startedAt: 'then', command: 'old' }),
    );
    const s = StateStore.open(path, '1');
    expect(() => s.lock('new')).not.toThrow();
    expect(JSON.parse(readFileSync(`${path}.lock`, 'utf8')).pid).toBe(process.pid);
    s.unlock();
  });
});
