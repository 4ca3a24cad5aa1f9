// Start-up and footprint: --help/--version against `node -e 0`, time to the wizard's first
// question in a pseudo-terminal, package size, runtime dependencies.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { startEmulator } from './emu.mjs';
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
  // Time to the first question: an empty folder, no config, no state, a real terminal. The
  // wizard checks the caller before its first question (sts:GetCallerIdentity,
  // organizations:DescribeOrganization), so the CLI gets credentials for the emulator
  // (instant latency: the figure is the CLI's own time).
  const firstQ = [];
  const cwd = mkdtempSync(join(tmpdir(), 'ss-bench-'));
  const emu = await startEmulator({ scenario: 'fresh+iam-user' });
  try {
    const env = {
      PATH: process.env.PATH,
      HOME: cwd,
      TERM: 'xterm',
      CI: '',
      NO_COLOR: '1',
      AWS_EC2_METADATA_DISABLED: 'true',
      ...emu.env,
    };
    for (let i = 0; i < Math.max(5, Math.floor(runs / 2)); i++) {
      const r = await timeRun('python3', [join(root, 'bench/pty-first.py'), '\\?|◆|◇', '10', node, cli], { cwd, env });
      if (r.code === 0) firstQ.push(Number(r.stdout.trim()));
    }
  } finally {
    await emu.stop();
    rmSync(cwd, { recursive: true, force: true });
  }
  return {
    nodeBaseMs: base,
    helpMs: help,
    versionMs: version,
    helpRatio: help / base,
    versionRatio: version / base,
    firstQuestionMs: firstQ.length ? median(firstQ) : null,
  };
}

export function footprint() {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json'], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const p = JSON.parse(out)[0];
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  return {
    packBytes: p.size,
    unpackedBytes: p.unpackedSize,
    files: p.entryCount,
    runtimeDeps: Object.keys(pkg.dependencies ?? {}).length,
  };
}
