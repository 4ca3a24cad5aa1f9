// `npm run bench`: every figure is the median of several runs on this machine, printed as
// one markdown table with the target beside it. Not part of `npm test`.
import { startup, footprint } from './startup.mjs';
import { fmt } from './lib.mjs';

const rows = [];
const add = (figure, value, target, ok) => rows.push({ figure, value, target, ok });

const s = await startup();
add('`node -e 0` (baseline)', `${fmt(s.nodeBaseMs, 1)} ms`, '—', null);
add('`secure-start --help`', `${fmt(s.helpMs, 1)} ms (${fmt(s.helpRatio, 2)}×)`, '≤ 1.6×', s.helpRatio <= 1.6);
add(
  '`secure-start --version`',
  `${fmt(s.versionMs, 1)} ms (${fmt(s.versionRatio, 2)}×)`,
  '≤ 1.6×',
  s.versionRatio <= 1.6,
);
add(
  'start → first wizard question',
  s.firstQuestionMs === null ? 'not measured' : `${fmt(s.firstQuestionMs, 0)} ms`,
  '≤ 250 ms',
  s.firstQuestionMs !== null && s.firstQuestionMs <= 250,
);

const f = footprint();
add('npm pack size', `${fmt(f.packBytes / 1024, 0)} KiB (${f.files} files)`, '—', null);
add('unpacked size', `${fmt(f.unpackedBytes / 1024 / 1024, 2)} MB`, '≤ 4 MB', f.unpackedBytes <= 4 * 1024 * 1024);
add('runtime dependencies', String(f.runtimeDeps), '0', f.runtimeDeps === 0);

for (const extra of process.env.SS_BENCH_ONLY_STARTUP ? [] : ['./bootstrap.mjs']) {
  try {
    const mod = await import(extra);
    for (const r of await mod.default()) add(r.figure, r.value, r.target, r.ok);
  } catch (e) {
    if (e.code !== 'ERR_MODULE_NOT_FOUND') throw e;
  }
}

const mark = (ok) => (ok === null ? '' : ok ? 'met' : '**missed**');
console.log(
  `Benchmarks, ${new Date().toISOString().slice(0, 10)}, Node ${process.versions.node}, ${process.platform}/${process.arch}\n`,
);
console.log('| figure | median | target | |');
console.log('|---|---|---|---|');
for (const r of rows) console.log(`| ${r.figure} | ${r.value} | ${r.target} | ${mark(r.ok)} |`);
