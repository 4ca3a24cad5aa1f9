// What a founder gets from npm: one package, no runtime dependencies, a CLI that refuses
// old Node before loading anything else.
import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const root = join(__dirname, '../..');
const cli = join(root, 'dist/secure-start.js');

describe('package', () => {
  it('declares no runtime dependencies and ships only dist/ and docs', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    expect(pkg.dependencies ?? {}).toEqual({});
    expect(pkg.bin).toEqual({ 'secure-start': 'dist/secure-start.js' });
    expect(pkg.engines.node).toBe('>=22');
    const out = execFileSync('npm', ['pack', '--dry-run', '--json'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const files: string[] = JSON.parse(out)[0].files.map((f: { path: string }) => f.path);
    expect(files).toContain('dist/secure-start.js');
    expect(files.every((f) => f.startsWith('dist/') || ['README.md', 'package.json', 'LICENSE'].includes(f))).toBe(
      true,
    );
  });

  it('the entry starts with a shebang so npx can run it', () => {
    expect(readFileSync(cli, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
  });

  // The machines here ship Node 20 as the system node; skip where there is none.
  const oldNode = ['/usr/bin/node', '/bin/node'].find(
    (p) => existsSync(p) && /^v(1\d|2[01])\./.test(spawnSync(p, ['--version'], { encoding: 'utf8' }).stdout),
  );
  it.skipIf(!oldNode)(
    'on Node < 22 it says which version is needed, and one command that works there, and exits 2',
    () => {
      const r = spawnSync(oldNode!, [cli, '--help'], { encoding: 'utf8' });
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/needs Node\.js 22 or newer; this is Node\.js 2\d/);
      // From a clone: the clone's own way to a newer Node.
      expect(r.stderr).toContain('Without installing anything: source scripts/node-env.sh');
      expect(r.stdout).toBe('');
      // As installed from npm (no scripts/ beside dist/): the same command through the registry's
      // `node` package, with the founder's own arguments.
      const elsewhere = mkdtempSync(join(tmpdir(), 'ss-pkg-'));
      cpSync(join(root, 'dist'), join(elsewhere, 'dist'), { recursive: true });
      const p = spawnSync(
        oldNode!,
        [join(elsewhere, 'dist/secure-start.js'), 'plan', '--region', 'eu-west-1', '--config', 'my config.json'],
        { encoding: 'utf8' },
      );
      expect(p.status).toBe(2);
      expect(p.stderr).toContain(
        "Without installing anything: npx -p node@24 -p secure-start secure-start plan --region eu-west-1 --config 'my config.json'",
      );
      expect(p.stderr).toContain('or run it in AWS CloudShell');
    },
  );

  it.skipIf(!oldNode)(
    'on Node < 22 the tests refuse to start with the same message: `npm test`, and vitest itself',
    () => {
      const env = { ...process.env, PATH: `${dirname(oldNode!)}:${process.env.PATH}` };
      const npm = spawnSync('npm', ['test'], { cwd: root, env, encoding: 'utf8', timeout: 60_000 });
      expect(npm.status, npm.stderr).toBe(2);
      expect(npm.stderr).toMatch(
        /secure-start needs Node\.js 22 or newer; this is Node\.js 2\d[\s\S]*source scripts\/node-env\.sh/,
      );
      // `npx vitest run FILE` skips npm's script: the global setup says it (once, not per test).
      const vitest = spawnSync(
        oldNode!,
        [join(root, 'node_modules/vitest/vitest.mjs'), 'run', 'tests/unit/state.test.ts'],
        { cwd: root, env, encoding: 'utf8', timeout: 60_000 },
      );
      expect(vitest.status, vitest.stderr).toBe(2);
      expect(vitest.stdout + vitest.stderr).toMatch(
        /secure-start needs Node\.js 22 or newer[\s\S]*source scripts\/node-env\.sh/,
      );
    },
    90_000,
  );

  it("keeps V8's compiled code between runs (Node's compile cache in the temp folder), so a re-run starts sooner", () => {
    const tmp = mkdtempSync(join(tmpdir(), 'ss-cc-'));
    // Without the variables that would turn the cache off or move it.
    const env = Object.fromEntries(
      Object.entries({ ...process.env, TMPDIR: tmp }).filter(
        ([k]) => !['NODE_DISABLE_COMPILE_CACHE', 'NODE_COMPILE_CACHE'].includes(k),
      ),
    );
    const r = spawnSync(process.execPath, [cli, '--version'], { encoding: 'utf8', env });
    expect(r.status, r.stderr).toBe(0);
    const cache = join(tmp, 'node-compile-cache');
    expect(existsSync(cache) && readdirSync(cache, { recursive: true }).length > 0).toBe(true);
  });
});
