// `secure-start demo --yes`: the real wizard against the emulator started inside the CLI's
// own process, as the root user of a brand-new account, to the end, without touching the
// founder's AWS settings or files.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { explain, runCli } from '../helpers/harness.js';

describe('secure-start demo', () => {
  test('--yes runs to the end with the banner, doing the console steps itself', async () => {
    // Real-looking AWS settings in the environment must not be used (the endpoint would fail).
    const r = await runCli(['demo', '--yes'], {
      env: {
        AWS_ACCESS_KEY_ID: 'AKIAREALKEYNOTTOUSE01',
        AWS_SECRET_ACCESS_KEY: 'real/secret/not/to/use',
        AWS_PROFILE: 'production',
        AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
      },
      timeoutMs: 90_000,
    });
    expect(r.code, explain(r)).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('DEMO — nothing real is touched.');
    // The three console steps of a root-user start, done on the emulator.
    expect(r.stderr).toContain('demo: enabled IAM Identity Center in us-east-1 (emulated console).');
    expect(r.stderr).toMatch(/demo: signed in through IAM Identity Center as dana@demo-robotics\.example/);
    expect(r.stderr).toContain('demo: turned on MFA for the root user (emulated console).');
    // The same end as a real run: the summary with the sign-in URL and profiles.
    expect(r.stdout).toMatch(/Done: \d+ changes applied/);
    expect(r.stdout).toMatch(/Sign-in URL: https:\/\/d-\w+\.awsapps\.com\/start/);
    expect(r.stdout).toContain('demo-robotics-management-admin');
    expect(r.stdout).toMatch(/That was the demo: \d+ changes made to the emulated AWS, none to a real one\./);
    // Nothing written where the founder works or in their ~/.aws.
    expect(readdirSync(r.dir).filter((f) => f !== '.aws')).toEqual([]);
    expect(existsSync(join(r.dir, '.aws', 'config'))).toBe(false);
    expect(existsSync(join(r.dir, '.aws', 'sso'))).toBe(false);
  }, 120_000);

  test('without a terminal and without --yes it still needs --yes', async () => {
    const r = await runCli(['demo']);
    expect(r.code, explain(r)).toBe(2);
    expect(r.stderr).toContain('run `secure-start demo --yes`');
  });
});
