// A founder's edits never disappear. Keys a founder adds inside a profile section
// secure-start manages (a pager, a nested s3 block, a comment) survive every later rewrite
// (by `secure-start profiles` and by a run), only the keys secure-start writes are set back,
// and every version of ~/.aws/config that secure-start replaces is kept as a backup.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ini from 'ini';
import { explain, removeDir, runCli, startEmu, type Emulator } from '../helpers/harness.js';
import { APPLY, prepareWorld, SCENARIO } from '../helpers/crash.js';

const SLUG = 'acme-robotics';
const PROD = `profile ${SLUG}-prod-admin`;
const MGMT = `profile ${SLUG}-management-admin`;
const DEV = `profile ${SLUG}-dev-admin`;

let emu: Emulator;
let dir: string;
let config: string;
beforeAll(async () => {
  emu = await startEmu({ scenario: SCENARIO });
  prepareWorld(emu);
  const r = await runCli(APPLY, { emu });
  expect(r.code, explain(r)).toBe(0);
  dir = r.dir;
  config = join(dir, '.aws/config');
});
afterAll(async () => {
  await emu.stop();
  removeDir(dir);
});

const backups = () =>
  readdirSync(join(dir, '.aws'))
    .filter((f) => f.startsWith('config.secure-start'))
    .sort();
const backupTexts = () => backups().map((b) => readFileSync(join(dir, '.aws', b), 'utf8'));

/** Inserts lines right after a section's header. */
function addToSection(text: string, header: string, lines: string): string {
  const at = text.indexOf(`[${header}]\n`);
  expect(at, `no [${header}] in ${text}`).toBeGreaterThanOrEqual(0);
  const end = at + header.length + 3;
  return text.slice(0, end) + lines + text.slice(end);
}

test('keys a founder added to managed sections survive `profiles` and a run; only our keys are set back; every replaced version is backed up', async () => {
  const written = readFileSync(config, 'utf8');
  expect(ini.parse(written)[PROD]).toBeDefined();

  // The founder's own keys inside our sections, and one of our keys changed by hand.
  let edited = addToSection(
    written,
    PROD,
    '# my pager for prod\ncli_pager = less -R\ns3 =\n  addressing_style = path\n  max_concurrent_requests = 4\n',
  );
  edited = addToSection(edited, MGMT, 'cli_binary_format = raw-in-base64-out\n');
  edited = edited.replace(new RegExp(`(\\[${DEV}\\][\\s\\S]*?)output = json`), '$1output = table');
  expect(edited).toContain('output = table');
  writeFileSync(config, edited);

  const p = await runCli(['profiles', '--config', join(process.cwd(), 'tests/fixtures/config/basic.json')], {
    emu,
    dir,
  });
  expect(p.code, explain(p)).toBe(0);
  const after = readFileSync(config, 'utf8');
  const parsed = ini.parse(after);
  // Ours is set back; theirs stays, with its comment and its nested block, where it was.
  expect(parsed[DEV].output).toBe('json');
  expect(parsed[PROD]).toMatchObject({
    cli_pager: 'less -R',
    addressing_style: 'path',
    max_concurrent_requests: '4',
    sso_role_name: 'AdministratorAccess',
  });
  expect(after).toContain(
    '# my pager for prod\ncli_pager = less -R\ns3 =\n  addressing_style = path\n  max_concurrent_requests = 4\n',
  );
  expect(parsed[MGMT].cli_binary_format).toBe('raw-in-base64-out');
  expect(after).toBe(edited.replace(new RegExp(`(\\[${DEV}\\][\\s\\S]*?)output = table`), '$1output = json'));
  // The version it replaced (with the founder's edits) is kept, and so is the original.
  expect(backupTexts()).toContain(edited);

  // A second hand edit, then a full run: the founder's keys are still there, and the version
  // this run replaced is kept too, without touching the earlier backups.
  const before = backupTexts();
  const edited2 = after.replace(new RegExp(`(\\[${PROD}\\][\\s\\S]*?)region = eu-west-1`), '$1region = us-west-2');
  writeFileSync(config, edited2);
  const r = await runCli(APPLY, { emu, dir });
  expect(r.code, explain(r)).toBe(0);
  expect(r.mutatingCalls).toEqual([]);
  const final = readFileSync(config, 'utf8');
  expect(ini.parse(final)[PROD]).toMatchObject({ region: 'eu-west-1', cli_pager: 'less -R', addressing_style: 'path' });
  expect(ini.parse(final)[MGMT].cli_binary_format).toBe('raw-in-base64-out');
  expect(final).toBe(after);
  const now = backupTexts();
  expect(now).toContain(edited2);
  for (const b of before) expect(now).toContain(b);
  expect(now.length).toBe(before.length + 1);

  // Nothing to change: no new backup.
  const again = await runCli(['profiles', '--config', join(process.cwd(), 'tests/fixtures/config/basic.json')], {
    emu,
    dir,
  });
  expect(again.code, explain(again)).toBe(0);
  expect(again.stdout).toMatch(/already has these profiles; nothing changed/);
  expect(backupTexts()).toEqual(now);
});
