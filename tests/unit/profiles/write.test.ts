import { chmod, lstat, mkdtemp, readdir, readFile, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AwsConfigConflictError,
  backupPathFor,
  defaultAwsConfigPath,
  writeAwsConfig,
} from '../../../profiles/write.js';
import { ACME_BLOCK, acmeSections, fixture, parseAndCheck, PROD } from './helpers.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'secure-start-profiles-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const modeOf = async (p: string) => (await stat(p)).mode & 0o777;

describe('writeAwsConfig', () => {
  it('creates a missing config and its directory privately, with nothing to back up', async () => {
    const path = join(dir, 'home', '.aws', 'config');
    const res = await writeAwsConfig(path, acmeSections());
    expect(res).toMatchObject({ changed: true, path, conflicts: [] });
    expect(res.backupPath).toBeUndefined();
    expect(await readFile(path, 'utf8')).toBe(ACME_BLOCK);
    expect(await modeOf(join(dir, 'home', '.aws'))).toBe(0o700);
    expect(await modeOf(path)).toBe(0o600);
    expect(await readdir(join(dir, 'home', '.aws'))).toEqual(['config']);
  });

  it('backs up the original before the first change, and never overwrites that backup', async () => {
    const path = join(dir, 'config');
    const original = fixture('many-profiles.ini');
    await writeFile(path, original);

    const first = await writeAwsConfig(path, acmeSections());
    expect(first.backupPath).toBe(backupPathFor(path));
    expect(await readFile(backupPathFor(path), 'utf8')).toBe(original);
    const written = await readFile(path, 'utf8');
    parseAndCheck(written);

    // A later change must not overwrite the user's original with our own output; the version it
    // replaces is kept too, under its own name.
    const second = await writeAwsConfig(path, acmeSections([{ ...PROD, region: 'us-east-1' }]));
    expect(second.updated).toEqual(['profile acme-prod-admin']);
    expect(second.backupPath).toMatch(/config\.secure-start\.\d{4}-\d\d-\d\dT[\d-]+Z\.bak$/);
    expect(await readFile(second.backupPath!, 'utf8')).toBe(written);
    expect(await readFile(backupPathFor(path), 'utf8')).toBe(original);
  });

  it('replaces the file atomically (new inode, no temp files left) and keeps its mode', async () => {
    const path = join(dir, 'config');
    await writeFile(path, fixture('legacy-sso.ini'));
    await chmod(path, 0o640);
    const before = await stat(path);

    await writeAwsConfig(path, acmeSections());
    const after = await stat(path);
    expect(after.ino).not.toBe(before.ino);
    expect(after.mode & 0o777).toBe(0o640);
    expect(await modeOf(backupPathFor(path))).toBe(0o640);
    expect((await readdir(dir)).sort()).toEqual(['config', 'config.secure-start.bak']);
    expect(await readFile(path, 'utf8')).toBe(`${fixture('legacy-sso.ini')}\n${ACME_BLOCK}`);
  });

  it('does not write at all when nothing changed', async () => {
    const path = join(dir, 'config');
    await writeAwsConfig(path, acmeSections());
    const before = await stat(path);
    const res = await writeAwsConfig(path, acmeSections());
    expect(res.changed).toBe(false);
    expect((await stat(path)).ino).toBe(before.ino);
    expect(await readdir(dir)).toEqual(['config']);
  });

  it('refuses a conflict without touching anything, and replaces it with force', async () => {
    const path = join(dir, 'config');
    const original = fixture('conflict.ini');
    await writeFile(path, original);

    const err = await writeAwsConfig(path, acmeSections()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AwsConfigConflictError);
    expect((err as AwsConfigConflictError).conflicts).toEqual(['profile acme-prod-admin']);
    expect((err as Error).message).toMatch(/\[profile acme-prod-admin\].*not written by secure-start.*--force/);
    expect(await readFile(path, 'utf8')).toBe(original);
    expect(await readdir(dir)).toEqual(['config']);

    const forced = await writeAwsConfig(path, acmeSections(), { force: true });
    expect(forced.updated).toEqual(['profile acme-prod-admin']);
    expect(await readFile(backupPathFor(path), 'utf8')).toBe(original);
    parseAndCheck(await readFile(path, 'utf8'));
  });

  it('writes through a symlinked config instead of replacing the link', async () => {
    const real = join(dir, 'dotfiles-aws-config');
    const link = join(dir, 'config');
    await writeFile(real, '[default]\nregion = eu-west-1\n');
    await symlink(real, link);
    await writeAwsConfig(link, acmeSections());
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect(await readlink(link)).toBe(real);
    parseAndCheck(await readFile(real, 'utf8'));
  });
});

describe('defaultAwsConfigPath', () => {
  it('uses AWS_CONFIG_FILE, expanding ~, else ~/.aws/config', () => {
    expect(defaultAwsConfigPath({ AWS_CONFIG_FILE: '/etc/aws/config' })).toBe('/etc/aws/config');
    expect(defaultAwsConfigPath({ AWS_CONFIG_FILE: '~/work/aws-config' })).toBe(join(homedir(), 'work', 'aws-config'));
    expect(defaultAwsConfigPath({ AWS_CONFIG_FILE: '' })).toBe(join(homedir(), '.aws', 'config'));
    expect(defaultAwsConfigPath({})).toBe(join(homedir(), '.aws', 'config'));
  });
});
