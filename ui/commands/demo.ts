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

export function demoBanner(color: boolean): string {
  const st = style(color);
  return [
    st.bold(st.yellow('DEMO — nothing real is touched.')),
    'secure-start runs against an AWS emulator inside this process, with throwaway',
    'credentials and a temporary folder. No AWS account, no email, no cost.',
    '',
  ].join('\n') + '\n';
}

// Variables that could point the SDK at a real account; the demo removes them for itself.
const AWS_VARS = ['AWS_PROFILE', 'AWS_DEFAULT_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_ROLE_ARN', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI'];

export async function demo(opts: GlobalOptions, env: CommandEnv): Promise<number> {
  if (opts.profile) {
    env.stderr.write('secure-start: the demo uses its own emulated AWS; --profile is ignored.\n');
  }
  if (!env.interactive && !opts.yes) {
    throw new CliExit('The demo asks its questions in a terminal. Without one (CI, a pipe), run `secure-start demo --yes`: it answers for a sample company.', 2);
  }
  env.stdout.write(demoBanner(wantsColor(env.stdout)));
  const dir = mkdtempSync(join(tmpdir(), 'secure-start-demo-'));
  mkdirSync(join(dir, '.aws'), { recursive: true });
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
      // The SSO token cache lives under HOME: keep it in the demo folder too.
      HOME: dir,
      AWS_CONFIG_FILE: join(dir, '.aws', 'config'),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, '.aws', 'credentials'),
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
        // ~/.aws/sso/cache, which the written profile then uses.
        const login = emu.ssoLogin(want.founder.userName);
        const cache = join(dir, '.aws', 'sso', 'cache');
        mkdirSync(cache, { recursive: true });
        const file = join(cache, `${createHash('sha1').update(want.org.slug).digest('hex')}.json`);
        writeFileSync(file, JSON.stringify({
          startUrl: login.startUrl, region: login.region, accessToken: login.accessToken, expiresAt: login.expiresAt,
          clientId: login.clientId, clientSecret: login.clientSecret, registrationExpiresAt: login.registrationExpiresAt, refreshToken: login.refreshToken,
        }), { mode: 0o600 });
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
    const code = await run(
      { ...opts, profile: undefined, config, state: join(dir, 'secure-start.state.json') },
      env,
      {
        doManual,
        offerConfig: false,
        suggest: {
          orgName: DEMO_ANSWERS.org.name, mailbox: DEMO_ANSWERS.mailbox, givenName: DEMO_ANSWERS.founder.givenName,
          familyName: DEMO_ANSWERS.founder.familyName, founderEmail: DEMO_ANSWERS.founder.email, phone: DEMO_ANSWERS.contacts.billing.phone,
        },
      },
    );
    env.stdout.write(`\n${wrap(`That was the demo: ${emu.calls({ mutating: true }).length} changes made to the emulated AWS, none to a real one. Its temporary folder (state file, profiles) is deleted now.`, widthOf(env.stdout))}\n${wrap('Run `npx secure-start plan` in AWS CloudShell to see the plan for your real account.', widthOf(env.stdout))}\n`);
    return code;
  } finally {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
    await emu.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
