// Which Node.js secure-start needs, and what to say on an older one. Plain JavaScript with no
// imports: the CLI's entry (bin/secure-start.ts) and `npm test` (scripts/check-node.mjs, the
// vitest global setup) run it on whatever Node the machine has, Node 20 included.

/** The oldest major version the CLI runs on (the AWS SDK for JavaScript v3 drops Node 20 in January 2027). */
export const NEED_MAJOR = 22;

/**
 * Undefined when `version` (process.versions.node) is new enough; else the message.
 * `run`: how to run the same thing with a newer Node without installing anything by hand;
 * `cloudShell`: also suggest AWS CloudShell (for the CLI, not for the test suite).
 */
export function oldNodeMessage(version, run, o = { cloudShell: true }) {
  const major = Number(String(version).split('.')[0]);
  if (major >= NEED_MAJOR) return undefined;
  return (
    `secure-start needs Node.js ${NEED_MAJOR} or newer; this is Node.js ${version}.\n` +
    `Without installing anything: ${run}\n` +
    `Or install a current Node.js (https://nodejs.org, or: nvm install 24)${o.cloudShell ? ', or run it in AWS CloudShell' : ''}.\n`
  );
}

/**
 * The same command through the npm registry's `node` package: npx puts its Node 24 first on
 * PATH, so the CLI's `#!/usr/bin/env node` starts with it.
 */
export function npxWithNode(args) {
  const quoted = args.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`));
  return ['npx', '-p', 'node@24', '-p', 'secure-start', 'secure-start', ...quoted].join(' ');
}
