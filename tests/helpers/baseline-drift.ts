// Shared by the baseline-services e2e files: one emulator with a fully built baseline, and a
// drift case runner (drift behind the tool's back → verify names it → a run repairs exactly
// that → verify is clean again).
import { expect } from 'vitest';
import { BASIC_CONFIG, explain, runCli, startEmu, type CallRecord, type CliResult, type Emulator } from './harness.js';

export const HOME = 'eu-west-1';
export const MGMT = '123456789012';
export const CONFIG = BASIC_CONFIG;

export interface Built {
  emu: Emulator;
  dir: string;
  first: CliResult;
  /** Member account IDs by config name. */
  ids: Record<string, string>;
}

/**
 * A management account with the whole baseline applied: IAM user caller (the root user cannot
 * assume roles into members), root MFA on, and the Identity Center instance enabled in the
 * console (the Identity Center steps need it to finish without a person).
 */
export async function buildBaseline(): Promise<Built> {
  const emu = await startEmu({ scenario: 'fresh+iam-user' });
  emu.setRootMfa(true);
  emu.enableIdentityCenter(HOME);
  const first = await runCli(['--yes', '--config', CONFIG], { emu });
  expect(first.code, explain(first)).toBe(0);
  const ids = Object.fromEntries(Object.values(world(emu).accounts as Record<string, { id: string; name: string }>)
    .filter((a) => a.id !== MGMT).map((a) => [a.name, a.id]));
  return { emu, dir: first.dir, first, ids };
}

/** The emulator's world (normalised dump): `accounts`, `orgs`, `stores[account][service]`. */
export const world = (emu: Emulator): any => emu.state();
export const store = (emu: Emulator, account: string, service: string): any => world(emu).stores[account]?.[service];

/** A mutating call as `service:Operation@account/region`, the unit a repair is asserted in. */
export const where = (c: CallRecord): string => `${c.service}:${c.operation}@${c.account}/${c.region}`;

export interface DriftCheck {
  /** The verify check's title (the step's title, or its start). */
  title: string;
  /** SSB/CIS IDs the check must show. */
  controls: string[];
  /** What the finding lines must say, one pattern per drift of this step. */
  findings: RegExp[];
}

export interface DriftBatch {
  /** What someone did behind the tool's back (one drift per step, or per setting). */
  drifts: (() => unknown)[];
  /** The checks verify must report as drift; every other check must stay ok. */
  checks: DriftCheck[];
  /** Exactly the mutating calls of the repair run, as `where()` strings (any order). */
  repair: string[];
}

export function verifyLine(stdout: string, title: string): string | undefined {
  return stdout.split('\n').find((l) => l.includes(title) && /^(ok|drift|manual|error)\b/.test(l));
}

/** The indented lines under a check: its findings and its fix. */
export function findingsOf(stdout: string, title: string): string[] {
  const lines = stdout.split('\n');
  const at = lines.indexOf(verifyLine(stdout, title) ?? '\u0000');
  if (at < 0) return [];
  const rest = lines.slice(at + 1);
  const end = rest.findIndex((l) => !/^\s/.test(l));
  return end < 0 ? rest : rest.slice(0, end);
}

/**
 * Drifts made behind the tool's back (independent ones share a round to keep the file fast)
 * → verify exits 4 and names each, with the step's SSB/CIS IDs → one run repairs exactly
 * those → verify exits 0.
 */
export async function driftRound(b: Built, c: DriftBatch): Promise<{ verify: CliResult; repair: CliResult }> {
  for (const d of c.drifts) await d();
  const verify = await runCli(['verify', '--config', CONFIG], { emu: b.emu, dir: b.dir });
  expect(verify.code, explain(verify)).toBe(4);
  expect(verify.mutatingCalls, explain(verify)).toEqual([]);
  for (const check of c.checks) {
    expect(verifyLine(verify.stdout, check.title), explain(verify)).toMatch(/^drift\b/);
    for (const id of check.controls) expect(verifyLine(verify.stdout, check.title)).toContain(id);
    const findings = findingsOf(verify.stdout, check.title);
    // One finding per drift plus the fix line: nothing else is reported for this step.
    expect(findings, explain(verify)).toHaveLength(check.findings.length + 1);
    for (const f of check.findings) expect(findings.some((l) => f.test(l)), `${f} in\n${findings.join('\n')}`).toBe(true);
    expect(findings.at(-1)).toMatch(/^\s+fix: /);
  }
  // Only these checks drifted: every other one is still ok.
  expect(verify.stdout, explain(verify)).toMatch(new RegExp(`\\b${c.checks.length} drift, 0 manual, 0 error\\.`));

  const repair = await runCli(['--yes', '--config', CONFIG], { emu: b.emu, dir: b.dir });
  expect(repair.code, explain(repair)).toBe(0);
  expect(repair.mutatingCalls.map(where).sort(), explain(repair)).toEqual([...c.repair].sort());

  const clean = await runCli(['verify', '--config', CONFIG], { emu: b.emu, dir: b.dir });
  expect(clean.code, explain(clean)).toBe(0);
  return { verify, repair };
}
