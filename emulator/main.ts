// Standalone emulator: node dist/emulator.js --port 4566 [--latency realistic --scale 0.01] [--scenario fresh]
import { parseArgs } from 'node:util';
import { parseScenario, startEmulator } from './index.js';
import { BEHAVIOUR_NAMES, BEHAVIOURS, isBehaviourName, type BehaviourName } from './behaviours.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '4566' },
    host: { type: 'string', default: '127.0.0.1' },
    latency: { type: 'string', default: 'instant' },
    scale: { type: 'string', default: '1' },
    scenario: { type: 'string', default: 'fresh' },
    'page-size': { type: 'string' },
    lenient: { type: 'string', multiple: true },
    help: { type: 'boolean', short: 'h' },
  },
});

if (values.help) {
  console.log(`Usage: node dist/emulator.js [--port 4566] [--host 127.0.0.1] [--latency instant|realistic] [--scale 0.01]
                               [--scenario fresh|org-exists|consolidated-billing|member-of-other-org[+iam-user|+role|+root-keys|+root-mfa|+identity-center]]
                               [--page-size 3] [--lenient BEHAVIOUR]...
A local AWS for secure-start. Nothing real is touched. Control API: <url>/_emulator/ (see emulator/README.md).

It behaves as AWS is documented to; each of these is on unless named with --lenient:
${BEHAVIOUR_NAMES.map((n) => `  ${n.padEnd(24)}${BEHAVIOURS[n].summary}`).join('\n')}`);
  process.exit(0);
}

const latency = values.latency === 'realistic' ? 'realistic' : values.latency === 'instant' ? 'instant' : undefined;
if (!latency) {
  console.error(`--latency must be instant or realistic, not ${values.latency}`);
  process.exit(2);
}

const port = Number(values.port);
if (!/^\d+$/.test(values.port) || port > 65535) {
  console.error(`--port must be a number from 0 to 65535 (0 = any free port), not ${values.port}`);
  process.exit(2);
}

const lenient: BehaviourName[] = [];
for (const name of values.lenient ?? []) {
  for (const n of name
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean)) {
    if (!isBehaviourName(n)) {
      console.error(`--lenient: unknown behaviour ${n} (known: ${BEHAVIOUR_NAMES.join(', ')})`);
      process.exit(2);
    }
    lenient.push(n);
  }
}

try {
  parseScenario(values.scenario);
} catch (e) {
  console.error(`--scenario: ${(e as Error).message}`);
  process.exit(2);
}

const emu = await startEmulator({
  port,
  host: values.host,
  latency,
  latencyScale: Number(values.scale),
  scenario: values.scenario,
  config: { ...(values['page-size'] ? { pageSize: Number(values['page-size']) } : {}), lenient },
}).catch((e: NodeJS.ErrnoException) => {
  // A taken port is the usual failure: say which, and how to pick another.
  console.error(
    e.code === 'EADDRINUSE'
      ? `port ${port} is already in use: pass --port <another> (or --port 0 for any free port)`
      : `could not start the emulator: ${e.message}`,
  );
  process.exit(1);
});

console.log(
  `# secure-start AWS emulator on ${emu.url} (scenario ${values.scenario}, latency ${latency} x${values.scale})`,
);
console.log('# Nothing real is touched. Paste these lines into another shell:');
for (const [k, v] of Object.entries(emu.env())) console.log(`export ${k}=${v}`);
console.log(
  `# AWS behaviours on: ${BEHAVIOUR_NAMES.filter((n) => !lenient.includes(n)).join(', ') || 'none'}${lenient.length ? ` (off: ${lenient.join(', ')})` : ''}`,
);
console.log(`# Control API: curl ${emu.url}/_emulator/state | calls | hold … (Ctrl-C to stop)`);

const shutdown = () => {
  void emu.stop().then(() => process.exit(0));
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
