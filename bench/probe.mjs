// Preloaded into the CLI by the benchmarks (`node --import ./bench/probe.mjs dist/secure-start.js`);
// nothing here is part of the product.
//  - SS_BENCH_TIME_SCALE=0.01: the CLI's own timers run 100× faster, like the emulator's scaled
//    latency profile. Without it a bootstrap at 1/100 latency would mostly measure the CLI's
//    unscaled poll back-off (1 s, 1.5 s, … while CreateAccount now takes ~0.9 s).
//  - SS_BENCH_RSS_FILE=path: on exit, writes {"maxRss": bytes, "cpuMs": user+system} — the peak
//    resident set size is getrusage's ru_maxrss via process.resourceUsage(): the kernel's
//    high-water mark, so no sampling gap can miss the peak.
import { writeFileSync } from 'node:fs';

const scale = Number(process.env.SS_BENCH_TIME_SCALE ?? 1);
if (scale > 0 && scale !== 1) {
  for (const name of ['setTimeout', 'setInterval']) {
    const original = globalThis[name];
    const scaled = (fn, ms, ...args) => original(fn, typeof ms === 'number' && ms > 0 ? ms * scale : ms, ...args);
    for (const key of Reflect.ownKeys(original)) if (!(key in scaled)) scaled[key] = original[key]; // util.promisify.custom
    globalThis[name] = scaled;
  }
}

const rssFile = process.env.SS_BENCH_RSS_FILE;
if (rssFile) {
  process.on('exit', () => {
    const u = process.resourceUsage();
    writeFileSync(
      rssFile,
      JSON.stringify({ maxRss: u.maxRSS * 1024, cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000 }),
    );
  });
}
