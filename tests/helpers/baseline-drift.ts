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
  /** The config file every run of this file uses (default: the basic fixture). */
  config: string;
}

/**
 * A management account with the whole baseline applied: IAM user caller (the root user cannot
 * assume roles into members), root MFA on, and the Identity Center instance enabled in the
 * console (the Identity Center steps need it to finish without a person).
 */
export async function buildBaseline(config: string = CONFIG): Promise<Built> {
  const emu = await startEmu({ scenario: 'fresh+iam-user' });
  emu.setRootMfa(true);
  emu.enableIdentityCenter(HOME);
  const first = await runCli(['--yes', '--config', config], { emu });
  expect(first.code, explain(first)).toBe(0);
  const ids = Object.fromEntries(
    Object.values(world(emu).accounts as Record<string, { id: string; name: string }>)
      .filter((a) => a.id !== MGMT)
      .map((a) => [a.name, a.id]),
  );
  return { emu, dir: first.dir, first, ids, config };
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

export interface CheckBlock {
  status: string;
  /** The heading (title and IDs), whitespace collapsed. */
  heading: string;
  /** One entry per finding, wrapped lines joined. */
  findings: string[];
  fix?: string;
}

/**
 * The block of the human verify report (a findings report) for the check whose title starts
 * with `title`: under its severity, `~ title — what  [IDs]` (`~` drift, `!` manual, `✗` error),
 * then a line per affected account and resource, `why:` and `fix:`; a passed check is
 * `ok title [IDs]` under "Passed". Wrapped lines (deeper indent) are joined, so the
 * assertions do not depend on the terminal width.
 */
export function checkBlock(stdout: string, title: string): CheckBlock | undefined {
  const lines = stdout.split('\n');
  const t = title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const start = lines.findIndex((l) => new RegExp(`^  ([~!✗]|ok) ${t}`).test(l));
  if (start < 0) return undefined;
  const mark = lines[start]!.trim().split(/\s/)[0]!;
  const status = mark === 'ok' ? 'ok' : mark === '~' ? 'drift' : mark === '!' ? 'manual' : 'error';
  const squash = (x: string) => x.replace(/\s+/g, ' ').trim();
  const items: string[] = [];
  let heading = lines[start]!;
  for (const l of lines.slice(start + 1)) {
    const indent = l.match(/^\s*/)![0].length;
    if (!l.trim() || indent < 4) break;
    const text = l.trim();
    if (indent === 4 && !items.length)
      heading += ` ${text}`; // the title or IDs wrapped
    else if (indent === 6) items.push(text);
    else if (items.length) items[items.length - 1] += ` ${text}`;
  }
  const fix = items.find((i) => i.startsWith('fix: '));
  return {
    status,
    heading: squash(heading),
    findings: items.filter((i) => !i.startsWith('fix: ') && !i.startsWith('why: ')).map(squash),
    ...(fix ? { fix: squash(fix.slice(5)) } : {}),
  };
}

/** `verify --json`'s checks (the stable machine form). */
export async function verifyJson(b: Built): Promise<{
  code: number | null;
  checks: { step: string; title: string; controls: string[]; status: string; findings: string[]; fix?: string }[];
  run: CliResult;
}> {
  const run = await runCli(['verify', '--json', '--config', b.config], { emu: b.emu, dir: b.dir });
  let checks;
  try {
    checks = JSON.parse(run.stdout).checks;
  } catch {
    throw new Error(`verify --json did not print JSON:\n${explain(run)}`);
  }
  return { code: run.code, checks, run };
}

/**
 * Drifts made behind the tool's back (independent ones share a round to keep the file fast)
 * → verify exits 4 and names each, with the step's SSB/CIS IDs → one run repairs exactly
 * those → verify exits 0.
 */
export async function driftRound(b: Built, c: DriftBatch): Promise<{ verify: CliResult; repair: CliResult }> {
  for (const d of c.drifts) await d();
  const verify = await runCli(['verify', '--config', b.config], { emu: b.emu, dir: b.dir });
  expect(verify.code, explain(verify)).toBe(4);
  expect(verify.mutatingCalls, explain(verify)).toEqual([]);
  for (const check of c.checks) {
    const block = checkBlock(verify.stdout, check.title);
    expect(block?.status, explain(verify)).toBe('drift');
    for (const id of check.controls) expect(block!.heading).toContain(id);
    // One finding per drift: nothing else is reported for this step.
    expect(block!.findings, explain(verify)).toHaveLength(check.findings.length);
    for (const f of check.findings)
      expect(
        block!.findings.some((l) => f.test(l)),
        `${f} in\n${block!.findings.join('\n')}`,
      ).toBe(true);
    expect(block!.fix, 'each check says how to fix it').toBeTruthy();
  }
  // Only these checks drifted: every other one is still ok.
  expect(verify.stdout, explain(verify)).toMatch(new RegExp(`\\b${c.checks.length} drift, 0 manual, 0 error\\.`));

  const repair = await runCli(['--yes', '--config', b.config], { emu: b.emu, dir: b.dir });
  expect(repair.code, explain(repair)).toBe(0);
  expect(repair.mutatingCalls.map(where).sort(), explain(repair)).toEqual([...c.repair].sort());

  // Clean again, read through --json (the machine form a CI would use).
  const clean = await verifyJson(b);
  expect(clean.code, explain(clean.run)).toBe(0);
  expect(
    clean.checks.filter((x) => x.status !== 'ok'),
    explain(clean.run),
  ).toEqual([]);
  expect(clean.run.mutatingCalls).toEqual([]);
  return { verify, repair };
}
