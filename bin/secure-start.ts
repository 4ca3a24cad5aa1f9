#!/usr/bin/env node
// Entry point. It checks the Node version before loading anything else (the rest of the
// CLI is a separate chunk, imported only when the version is right).
const need = 22;
const major = Number(process.versions.node.split('.')[0]);
if (major < need) {
  process.stderr.write(
    `secure-start needs Node.js ${need} or newer; this is Node.js ${process.versions.node}.\n` +
      `Install a current Node.js (https://nodejs.org, or: nvm install 24), or run it in AWS CloudShell.\n`,
  );
  process.exit(2);
}
// Keep V8's compiled code of our chunks between runs (Node's own cache folder in the temp
// directory): a re-run, a verify or a resume starts about 250 ms sooner.
(await import('node:module')).enableCompileCache?.();
await import('./cli.js').then((m) => m.main(process.argv.slice(2)));
