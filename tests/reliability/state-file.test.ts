// State file cases through the built CLI: a damaged, foreign, newer or unreadable state file
// is refused with exit code 2 and a message saying what to do, and is left byte-for-byte
// untouched, by every command. After a real run the file is mode 0600, and nothing the CLI
// wrote or printed in this file's runs holds a credential the emulator issued.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  BASIC_CONFIG,
  explain,
  readState,
  runCli,
  scratchDir,
  startEmu,
  type CliResult,
  type Emulator,
} from '../helpers/harness.js';
import { SecretScan } from '../helpers/scan.js';
import { prepareWorld, SCENARIO } from '../helpers/crash.js';

let emu: Emulator;
let good: CliResult;
let goodText: string;
const secrets = new SecretScan();

beforeAll(async () => {
  emu = await startEmu({ scenario: SCENARIO });
  prepareWorld(emu);
  good = await runCli(['--yes', '--verbose', '--config', BASIC_CONFIG], { emu });
  expect(good.code, explain(good)).toBe(0);
  goodText = readFileSync(good.statePath, 'utf8');
  secrets.run(good);
});

afterAll(async () => {
  secrets.issued.collect(emu);
  const findings = secrets.scan();
  expect(findings).toEqual([]);
  // The scan really looked at something: state files, outputs and issued secrets.
  expect(secrets.files).toBeGreaterThan(5);
  expect(secrets.issued.values.size).toBeGreaterThan(4);
  await emu.stop();
});

test('a run leaves the state file at mode 0600, valid, bound to the account, and no lock behind', () => {
  expect(statSync(good.statePath).mode & 0o777).toBe(0o600);
  const s = readState(good.dir);
  expect(s.schemaVersion).toBe(1);
  expect(s.managementAccountId).toBe('123456789012');
  expect(Object.keys(s.inflight)).toEqual([]);
  expect(existsSync(`${good.statePath}.lock`)).toBe(false);
});

test('a state file made readable by others is tightened back to 0600 by the next run', async () => {
  const dir = scratchDir('ss-state-');
  writeFileSync(join(dir, 'secure-start.state.json'), goodText);
  chmodSync(join(dir, 'secure-start.state.json'), 0o644);
  const r = await runCli(['--yes', '--config', BASIC_CONFIG], { emu, dir });
  secrets.run(r);
  expect(r.code, explain(r)).toBe(0);
  expect(r.mutatingCalls).toEqual([]);
  expect(statSync(r.statePath).mode & 0o777).toBe(0o600);
});

interface BadState {
  id: string;
  content: (good: string) => string | 'directory';
  says: RegExp;
}
const BAD: BadState[] = [
  {
    id: 'truncated in the middle',
    content: (g) => g.slice(0, Math.floor(g.length / 2)),
    says: /is damaged \(not valid JSON\)[\s\S]*Move it aside/,
  },
  { id: 'empty', content: () => '', says: /not valid JSON: it is empty/ },
  { id: 'not JSON at all', content: () => 'hello, I am not a state file\n', says: /is damaged \(not valid JSON\)/ },
  { id: 'a JSON array', content: () => '[1,2,3]\n', says: /is not a secure-start state file/ },
  {
    id: 'from a newer schema version',
    content: (g) => g.replace('"schemaVersion": 1', '"schemaVersion": 99'),
    says: /newer secure-start \(state schema 99[\s\S]*npx secure-start@latest/,
  },
  {
    id: 'without a schema version',
    content: (g) => g.replace('"schemaVersion": 1,', ''),
    says: /has no schemaVersion/,
  },
  {
    id: 'with a wrongly shaped journal',
    content: (g) => JSON.stringify({ ...JSON.parse(g), journal: 'lost' }),
    says: /is damaged \(journal:/,
  },
  {
    id: "another management account's",
    content: (g) => g.replace('"managementAccountId": "123456789012"', '"managementAccountId": "210987654321"'),
    says: /belongs to AWS account 210987654321, but your credentials are for 123456789012[\s\S]*--state/,
  },
  // The tests run as root, for whom chmod 000 changes nothing: a directory in the file's place
  // is the unreadable state file every user gets.
  {
    id: 'unreadable (a directory in its place)',
    content: () => 'directory',
    says: /is a directory, not a file[\s\S]*--state/,
  },
];

// The foreign file needs the caller's identity (one read), so it runs apart from the others,
// which must not reach AWS at all (call windows of concurrent runs would overlap).
const isForeign = (b: BadState) => /another management/.test(b.id);
describe.concurrent('a bad state file is refused, exit 2, untouched', () =>
  badStateCases(BAD.filter((b) => !isForeign(b))),
);
describe('a state file of another management account is refused, exit 2, untouched', () =>
  badStateCases(BAD.filter(isForeign)));

function badStateCases(cases: BadState[]) {
  for (const b of cases) {
    for (const command of [['--yes', '--config', BASIC_CONFIG], ['plan'], ['verify'], ['status']]) {
      test(`${b.id}: ${command[0] === '--yes' ? 'run' : command[0]}`, async () => {
        const dir = scratchDir('ss-state-');
        const path = join(dir, 'secure-start.state.json');
        const content = b.content(goodText);
        if (content === 'directory') mkdirSync(path);
        else writeFileSync(path, content, { mode: 0o600 });
        const before = content === 'directory' ? null : readFileSync(path);
        const mtime = statSync(path).mtimeMs;
        const r = await runCli(command, { emu, dir });
        secrets.run(r);
        expect(r.code, explain(r)).toBe(2);
        expect(r.stderr, explain(r)).toMatch(b.says);
        expect(r.stderr).toContain(path);
        if (before) expect(readFileSync(path).equals(before), 'state file changed').toBe(true);
        expect(statSync(path).mtimeMs).toBe(mtime);
        expect(r.mutatingCalls, 'a refused run must not change AWS').toEqual([]);
        // Only the foreign-account case needs to know who is calling; the rest stop before any call.
        if (!isForeign(b)) expect(r.calls).toEqual([]);
        expect(existsSync(`${path}.lock`), 'lock left behind').toBe(false);
      });
    }
  }
}

test('a state file cut off at every 1/8 of its length is refused and kept, never overwritten', async () => {
  for (let i = 1; i < 8; i++) {
    const dir = scratchDir('ss-state-');
    const path = join(dir, 'secure-start.state.json');
    const cut = goodText.slice(0, Math.floor((goodText.length * i) / 8));
    writeFileSync(path, cut);
    const r = await runCli(['--yes', '--config', BASIC_CONFIG], { emu, dir });
    expect(r.code, explain(r)).toBe(2);
    expect(readFileSync(path, 'utf8')).toBe(cut);
    expect(r.calls).toEqual([]);
  }
});

test('the secret scan finds what it looks for (planted examples)', () => {
  const probe = new SecretScan();
  probe.issued.collect(emu);
  const session = Object.values(emu.world.credentials).find((c) => c.sessionToken)!;
  probe.output(
    'planted',
    `key ${session.accessKeyId}`,
    `token=${session.sessionToken}`,
    `{"SecretAccessKey": "${session.secretAccessKey}"}`,
    'AKIAABCDEFGHIJKLMNOP',
    'nothing here',
  );
  const found = probe.scan();
  expect(found.map((f) => f.excerpt.trim().slice(0, 3))).toHaveLength(7);
  expect(new Set(found.map((f) => f.where))).toEqual(new Set(['planted']));
});
