// An explicit --region is never silently ignored: an invalid value is exit 2 whatever the
// config file or saved answers say; a value that conflicts with the config file's homeRegion
// is exit 2 naming both; otherwise the flag wins, over saved answers too.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BASIC_CONFIG, explain, removeDir, runCli, scratchDir, startEmu, type Emulator } from '../helpers/harness.js';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmu({ scenario: 'fresh+iam-user' });
});
afterAll(async () => {
  // Not one refused run reached AWS.
  expect(emu.calls()).toEqual([]);
  await emu.stop();
});

const BASIC = JSON.parse(readFileSync(BASIC_CONFIG, 'utf8'));
const FILE_REGION: string = BASIC.homeRegion; // eu-west-1

/** A state file whose saved answers are the basic config (home region eu-west-1). */
function savedAnswers(dir: string): void {
  writeFileSync(
    join(dir, 'secure-start.state.json'),
    JSON.stringify({
      schemaVersion: 1,
      toolVersion: 't',
      createdAt: 'c',
      updatedAt: 'u',
      answers: BASIC,
      steps: {},
      outputs: {},
      inflight: {},
      journal: [],
    }),
  );
}

async function refused(args: string[], says: (RegExp | string)[], o: { state?: boolean } = {}) {
  const dir = scratchDir('ss-region-');
  try {
    if (o.state) savedAnswers(dir);
    const r = await runCli(args, { emu, dir });
    expect(r.code, explain(r)).toBe(2);
    for (const s of says)
      typeof s === 'string' ? expect(r.stderr, explain(r)).toContain(s) : expect(r.stderr, explain(r)).toMatch(s);
    expect(r.calls).toEqual([]);
    if (!o.state) expect(existsSync(r.statePath), 'state file written').toBe(false);
    expect(existsSync(`${r.statePath}.lock`), 'lock left behind').toBe(false);
  } finally {
    removeDir(dir);
  }
}

// Values shaped like a region that secure-start does not support, or not regions at all.
const INVALID = ['eu-west-9', 'us-gov-west-1', 'cn-north-1', 'EU-WEST-1', 'eu-west-1a', 'mars-north-1'];

describe.concurrent('an invalid --region is exit 2 even when the config or saved answers set a home region', () => {
  for (const value of INVALID) {
    test(`--region ${value} with a config file that has homeRegion (run)`, () =>
      refused(['--yes', '--config', BASIC_CONFIG, '--region', value], ['--region', value]));
    test(`--region ${value} with saved answers (plan)`, () =>
      refused(['plan', '--region', value], ['--region', value], { state: true }));
  }
});

describe.concurrent("--region against a config file's other homeRegion is exit 2, naming both", () => {
  for (const [name, args] of [
    ['run', ['--yes', '--config', BASIC_CONFIG]],
    ['plan', ['plan', '--config', BASIC_CONFIG]],
    ['verify', ['verify', '--config', BASIC_CONFIG]],
    ['profiles', ['profiles', '--config', BASIC_CONFIG]],
  ] as const) {
    test(name, () =>
      refused(
        [...args, '--region', 'us-east-1'],
        ['--region us-east-1', `"homeRegion": "${FILE_REGION}"`, BASIC_CONFIG],
      ),
    );
  }
});

/** The regions of the calls in an offline plan. */
async function planRegions(args: string[], o: { state?: boolean } = {}): Promise<{ trail: string; sso: string }> {
  const dir = scratchDir('ss-region-');
  try {
    if (o.state) savedAnswers(dir);
    const r = await runCli(['plan', '--json', ...args], { dir });
    expect(r.code, explain(r)).toBe(0);
    const records = JSON.parse(r.stdout).records as { operation: string; region: string }[];
    return {
      trail: records.find((x) => x.operation === 'CreateTrail')!.region,
      sso: records.find((x) => x.operation === 'CreatePermissionSet')!.region,
    };
  } finally {
    removeDir(dir);
  }
}

describe.concurrent('otherwise the flag wins', () => {
  test("over saved answers: the plan is for the flag's region", async () => {
    expect(await planRegions(['--region', 'us-east-1'], { state: true })).toEqual({
      trail: 'us-east-1',
      sso: 'us-east-1',
    });
    expect(await planRegions([], { state: true })).toEqual({ trail: FILE_REGION, sso: FILE_REGION });
  });

  test('the same region as the config file is no conflict', async () => {
    expect(await planRegions(['--config', BASIC_CONFIG, '--region', FILE_REGION])).toEqual({
      trail: FILE_REGION,
      sso: FILE_REGION,
    });
  });

  test('a config file without homeRegion takes the flag', async () => {
    const dir = scratchDir('ss-region-');
    const { homeRegion: _, allowedRegions: __, ...rest } = BASIC;
    const file = join(dir, 'no-region.json');
    writeFileSync(file, JSON.stringify(rest));
    expect(await planRegions(['--config', file, '--region', 'ap-southeast-2'])).toEqual({
      trail: 'ap-southeast-2',
      sso: 'ap-southeast-2',
    });
    removeDir(dir);
  });
});
