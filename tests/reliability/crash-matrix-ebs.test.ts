// The crash and Ctrl-C points of EBS encryption by default, with basic.json (EBS on). The main
// matrices (crash-matrix-1..4, crash-sigint) run RELIABILITY_CONFIG, which leaves EBS off: its
// 85 reads and 85 puts were a third of the requests of each of their ~400 runs. Here the same
// points those matrices took for it: its first and last put in each account (SAMPLE_OVER),
// SIGKILL before and after each, Ctrl-C at each (every sixth then resumed), in a bootstrap
// where every other step runs too.
import { afterAll, expect, test } from 'vitest';
import { BASIC_CONFIG, removeDir } from '../helpers/harness.js';
import { SecretScan, scanAndStopAfterAll } from '../helpers/scan.js';
import {
  cleanRun,
  crashKs,
  defineCrashCases,
  defineCtrlCCases,
  EmulatorPool,
  expectBaselineCounts,
  moreEmulators,
} from './crash-matrix.js';

const EBS = 'ec2:EnableEbsEncryptionByDefault';
const clean = await cleanRun((c) => `${c.service}:${c.operation}` === EBS, { config: BASIC_CONFIG });
const pool = new EmulatorPool([clean.emu, ...(await moreEmulators())]);
const secrets = new SecretScan();
scanAndStopAfterAll(secrets, () => pool.all);
secrets.run(clean.run, 'the clean bootstrap');

const ks = crashKs(clean.ops, clean.accounts).filter((k) => clean.ops[k - 1] === EBS);
const kills = ks.flatMap((k) => (['before', 'after'] as const).map((when) => ({ k, when })));
const interrupts = ks.map((k, i) => ({
  k,
  when: i % 2 ? ('after' as const) : ('before' as const),
  resume: i % 6 === 0,
}));
// Only the chosen points' copies are kept.
for (const [key, copy] of clean.copies)
  if (!kills.some((p) => `${p.k}:${p.when}` === key)) {
    removeDir(copy.dir);
    clean.copies.delete(key);
  }

afterAll(() => {
  for (const c of clean.copies.values()) removeDir(c.dir);
});

test(`EBS encryption by default: its first and last put in each of the 5 accounts (of ${clean.ops.filter((o) => o === EBS).length})`, () => {
  expectBaselineCounts(clean.counts);
  const accounts = new Set(ks.map((k) => clean.accounts[k - 1]));
  expect(accounts.size).toBe(5);
  for (const a of accounts) {
    const mine = clean.ops
      .map((o, i) => ({ o, k: i + 1, a: clean.accounts[i] }))
      .filter((x) => x.o === EBS && x.a === a);
    expect(ks.filter((k) => clean.accounts[k - 1] === a)).toEqual([mine[0]!.k, mine[mine.length - 1]!.k]);
  }
  for (const p of kills) expect(clean.copies.get(`${p.k}:${p.when}`)?.call, `k=${p.k} ${p.when}`).toBe(EBS);
});

defineCrashCases('SIGKILL at an EBS encryption put', clean, kills, pool, secrets);
defineCtrlCCases('Ctrl-C at an EBS encryption put', clean, interrupts, pool, secrets);
