// Start-up and footprint: --help/--version against `node -e 0`, time to the wizard's first
// question in a pseudo-terminal, package size, runtime dependencies.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { medianMs, median, timeRun } from './lib.mjs';

const root = new URL('..', import.meta.url).pathname;
const cli = join(process.env.SS_BENCH_DIST ?? join(root, 'dist'), 'secure-start.js');
const node = process.execPath;

export async function startup({ runs = 15 } = {}) {
  const base = await medianMs(node, ['-e', '0'], runs);
  const help = await medianMs(node, [cli, '--help'], runs);
  const version = await medianMs(node, [cli, '--version'], runs);
  // Time to the first question: an empty folder, no config, no state, a real terminal.
  const firstQ = [];
  const cwd = mkdtempSync(join(tmpdir(), 'ss-bench-'));
  for (let i = 0; i < Math.max(5, Math.floor(runs / 2)); i++) {
    const r = await timeRun('python3', [join(root, 'bench/pty-first.py'), '\\?|◆|◇', '10', node, cli], { cwd, env: { ...process.env, CI: '', NO_COLOR: '1', AWS_EC2_METADATA_DISABLED: 'true' } });
    if (r.code === 0) firstQ.push(Number(r.stdout.trim()));
  }
  return {
    nodeBaseMs: base, helpMs: help, versionMs: version,
    helpRatio: help / base, versionRatio: version / base,
    firstQuestionMs: firstQ.length ? median(firstQ) : null,
  };
}

export function footprint() {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const p = JSON.parse(out)[0];
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  return { packBytes: p.size, unpackedBytes: p.unpackedSize, files: p.entryCount, runtimeDeps: Object.keys(pkg.dependencies ?? {}).length };
}
