// `secure-start demo`: the real wizard (same code path as `secure-start`) against a local
// emulated AWS started in this process. Nothing real is touched: the AWS endpoint,
// credentials, AWS config file and state file all point at a temporary folder and the
// emulator for this process only. Console steps are done on the emulator by the demo.
import { createHash } from 'node:crypto';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GlobalOptions } from '../options.js';
import type { CommandEnv } from './index.js';
import { run } from './run.js';
import { CliExit } from '../input.js';
import { STOP_SIGNALS, stopExitCode } from '../stop.js';
import { style, wantsColor } from '../style.js';
import { widthOf, wrap } from '../render/wrap.js';
import type { ActionView } from '../../engine/io.js';
import type { Baseline } from '../../config/schema.js';

/** What the demo answers with --yes (and proposes interactively). */
export const DEMO_ANSWERS = {
  org: { name: 'Demo Robotics' },
  homeRegion: 'us-east-1',
  allowedRegions: ['us-east-1'],
  mailbox: 'ops@demo-robotics.example',
  founder: { givenName: 'Dana', familyName: 'Demo', email: 'dana@demo-robotics.example' },
  contacts: {
    billing: { phone: '+1 206 555 0100' },
    operations: { phone: '+1 206 555 0100' },
    security: { phone: '+1 206 555 0100' },
  },
};

export function demoBanner(color: boolean, width = 80): string {
  const st = style(color);
  return (
    [
      st.bold(st.yellow('DEMO — nothing real is touched.')),
      wrap(
        'secure-start runs against an AWS emulator inside this process, with throwaway credentials and a temporary folder that is deleted at the end. No AWS account, no email, no cost.',
        width,
      ),
      '',
    ].join('\n') + '\n'
  );
}

// Variables that could point the SDK at a real account; the demo removes them for itself.
const AWS_VARS = [
  'AWS_PROFILE',
  'AWS_DEFAULT_PROFILE',
  'AWS_SESSION_TOKEN',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_ROLE_ARN',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
];

export async function demo(opts: GlobalOptions, env: CommandEnv): Promise<number> {
  if (opts.profile) {
    env.stderr.write('secure-start: the demo uses its own emulated AWS; --profile is ignored.\n');
  }
  if (!env.interactive && !opts.yes) {
    throw new CliExit(
      'The demo asks its questions in a terminal. Without one (CI, a pipe), run `secure-start demo --yes`: it answers for a sample company.',
      2,
    );
  }
  env.stdout.write(demoBanner(wantsColor(env.stdout), widthOf(env.stdout)));
  const dir = mkdtempSync(join(tmpdir(), 'secure-start-demo-'));
  // Removed however the demo ends: normally (finally), or by process.exit after a signal (the
  // run's Stopper, or the handlers below outside the run). Only SIGKILL leaves it behind.
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  process.on('exit', cleanup);
  let inRun = false;
  const onSignal = (sig: 'SIGINT' | 'SIGTERM' | 'SIGHUP') => {
    // Inside the run, its own handler stops it and saves; here there is nothing to save.
    if (!inRun) process.exit(stopExitCode(sig));
  };
  const handlers = STOP_SIGNALS.map((sig) => [sig, () => onSignal(sig)] as const);
  for (const [sig, h] of handlers) process.on(sig, h);
  // HOME (where the SDK keeps its sign-in token cache) and the AWS config file are separate
  // folders inside the demo's, so every message names the demo's own paths, never ~/.aws.
  const home = join(dir, 'home');
  mkdirSync(join(home, '.aws'), { recursive: true });
  // Loaded only here: the emulator is its own chunk.
  const { startEmulator } = await import('../../emulator/index.js');
  const interactive = env.interactive && !opts.yes;
  // A brand-new account used as its root user, as most founders start: the run stops at
  // leave-root, and the demo signs in through the emulated Identity Center for them.
  const emu = await startEmulator({
    scenario: 'fresh',
    // Interactive: AWS-like waits, 50 times faster, so progress is visible; --yes: instant.
    ...(interactive ? { latency: 'realistic' as const, latencyScale: 0.02 } : { latency: 'instant' as const }),
  });
  const saved = { ...process.env };
  try {
    for (const k of AWS_VARS) delete process.env[k];
    Object.assign(process.env, emu.env(), {
      HOME: home,
      AWS_CONFIG_FILE: join(dir, 'aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'aws-credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
    });
    let config = opts.config;
    if (!interactive && !config) {
      config = join(dir, 'demo.config.json');
      writeFileSync(config, JSON.stringify(DEMO_ANSWERS, null, 2));
    }
    const doManual = async (a: ActionView, want: Baseline): Promise<string | undefined> => {
      if (a.operation === 'EnableRootMfa') {
        emu.setRootMfa(true);
        return 'turned on MFA for the root user (emulated console).';
      }
      if (a.manual?.switchProfile) {
        // What `aws sso login --sso-session <slug>` does after the browser step: a token in
        // ~/.aws/sso/cache (under the demo's HOME), which the written profile then uses.
        const login = emu.ssoLogin(want.founder.userName);
        const cache = join(home, '.aws', 'sso', 'cache');
        mkdirSync(cache, { recursive: true });
        const file = join(cache, `${createHash('sha1').update(want.org.slug).digest('hex')}.json`);
        writeFileSync(
          file,
          JSON.stringify({
            startUrl: login.startUrl,
            region: login.region,
            accessToken: login.accessToken,
            expiresAt: login.expiresAt,
            clientId: login.clientId,
            clientSecret: login.clientSecret,
            registrationExpiresAt: login.registrationExpiresAt,
            refreshToken: login.refreshToken,
          }),
          { mode: 0o600 },
        );
        // From now on the profile's Identity Center credentials, not the root user's keys.
        for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']) delete process.env[k];
        return `signed in through IAM Identity Center as ${want.founder.userName} (what \`aws sso login --sso-session ${want.org.slug}\` does).`;
      }
      if (a.step === 'identity-center-instance' || /IdentityCenter/i.test(a.operation)) {
        emu.enableIdentityCenter(want.homeRegion);
        return `enabled IAM Identity Center in ${want.homeRegion} (emulated console).`;
      }
      return undefined;
    };
    inRun = true;
    const code = await run({ ...opts, profile: undefined, config, state: join(dir, 'secure-start.state.json') }, env, {
      doManual,
      onStop: cleanup,
      offerConfig: false,
      demo: {
        orgName: DEMO_ANSWERS.org.name,
        givenName: DEMO_ANSWERS.founder.givenName,
        familyName: DEMO_ANSWERS.founder.familyName,
        phone: DEMO_ANSWERS.contacts.billing.phone,
      },
    });
    inRun = false;
    const width = widthOf(env.stdout);
    // Stopped (Ctrl-C, a signal): the run said so, the demo way, already.
    if (code < 128)
      env.stdout.write(
        `\n${wrap(`That was the demo: ${emu.calls({ mutating: true }).filter((c) => c.status !== null && c.status < 300).length} changes made to the emulated AWS, none to a real one. Its temporary folder (state file, profiles) is deleted now.`, width)}\n${wrap('Run `npx secure-start plan` in AWS CloudShell to see the plan for your real account.', width)}\n`,
      );
    return code;
  } finally {
    inRun = false;
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
    await emu.stop();
    cleanup();
    for (const [sig, h] of handlers) process.off(sig, h);
    process.off('exit', cleanup);
  }
}
