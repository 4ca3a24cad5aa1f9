#!/usr/bin/env node
// Entry point. It checks the Node version before loading anything else (the rest of the
// CLI is a separate chunk, imported only when the version is right).
import { existsSync } from 'node:fs';
import { npxWithNode, oldNodeMessage } from '../scripts/node-version.mjs';

const args = process.argv.slice(2);
// From a clone (scripts/ next to dist/), the clone's own way to get a newer Node; from the
// published package, the same command through npx and the registry's `node` package.
const fromClone = existsSync(new URL('../scripts/node-env.sh', import.meta.url));
const old = oldNodeMessage(
  process.versions.node,
  fromClone
    ? `source scripts/node-env.sh (it fetches Node 24 from the npm registry into .tools/), then run this again.`
    : npxWithNode(args),
);
if (old) {
  process.stderr.write(old);
  process.exit(2);
}
// Keep V8's compiled code of our chunks between runs (Node's own cache folder in the temp
// directory): a re-run, a verify or a resume starts about 250 ms sooner.
(await import('node:module')).enableCompileCache?.();
await import('./cli.js').then((m) => m.main(args));
