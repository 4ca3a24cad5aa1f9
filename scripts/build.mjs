// Bundles the CLI and the emulator with every dependency inside, so the published
// package has no runtime dependencies. Code splitting keeps the entry file tiny: the
// Node version check runs before anything else is loaded, and the AWS SDK clients, ink
// and the emulator are separate chunks that are read only by the commands that use them.
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });

await build({
  entryPoints: {
    'secure-start': 'bin/secure-start.ts',
    ...(process.env.SS_NO_EMULATOR ? {} : { emulator: 'emulator/main.ts' }),
  },
  outdir: 'dist',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  // The SDK's ESM builds start about twice as fast as its CommonJS ones.
  mainFields: ['module', 'main'],
  // Bundled CommonJS code calls require(); ESM output needs one provided.
  banner: {
    js: "import { createRequire as __ssCreateRequire } from 'node:module'; const require = __ssCreateRequire(import.meta.url);",
  },
  // ink can talk to React devtools when present; never bundle or load that.
  external: ['react-devtools-core'],
  define: { __SECURE_START_VERSION__: JSON.stringify(pkg.version) },
  legalComments: 'none',
  // SS_NO_MINIFY=1 keeps names readable in a CPU profile (node --cpu-prof dist/secure-start.js …).
  minify: !process.env.SS_NO_MINIFY,
  logLevel: 'warning',
});
