// `secure-start demo --yes`: the real wizard against the emulator started inside the CLI's
// own process, as the root user of a brand-new account, to the end, without touching the
// founder's AWS settings or files.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { explain, runCli } from '../helpers/harness.js';
import { KEY, PtySession } from '../helpers/pty.js';

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

  test('in a terminal: the same wizard, Enter takes the proposed answers, the demo does the console steps after Enter', async () => {
    const pty = new PtySession(['demo'], { cols: 100 });
    try {
      await pty.expect(/DEMO — nothing real is touched\./);
      // Every question proposes the demo company's answer: Enter takes it.
      for (const q of [/What is your company called\?/, /Home region/, /Add optional accounts\?/, /Mailbox for the AWS account emails/, /Use these addresses\?/,
        /Your first name/, /Your last name/, /Your email/, /Monthly budget in USD/, /Who gets cost alerts\?/,
        /unusual costs from/, /security contacts\?/, /Your phone, with country code/, /Regions you will use/, /Turn on the region guard/]) {
        await pty.expect(q);
        await pty.keys(KEY.enter);
      }
      await pty.expect(/Apply these \d+ changes to AWS account 123456789012\?/, 30);
      await pty.keys(KEY.enter);
      // The console steps of a root-user start, each a box; after Enter the demo does it.
      const done: string[] = [];
      for (let i = 0; i < 4; i++) {
        const next = await pty.expect(/Press Enter and the demo does this for you|Done: /, 90);
        if (/Done:/.test(next)) break;
        await pty.keys(KEY.enter);
        done.push(await pty.expect(/In the demo we did this for you: [^\n]+/));
      }
      expect(done.join('\n')).toMatch(/enabled IAM Identity Center in us-east-1/);
      expect(done.join('\n')).toMatch(/signed in through IAM Identity Center as dana@demo-robotics\.example/);
      expect(pty.seen).toContain('Going on with the AWS profile demo-robotics-management-admin.');
      // Long waits show their elapsed time (realistic, scaled-down latency in the demo).
      expect(pty.seen).toMatch(/creating account [\w-]+… \d+s/);
      if (!/Done:/.test(pty.seen)) await pty.expect(/Done: /, 90);
      // The summary counts the changes of every round, not only the last one.
      expect(await pty.expect(/changes applied in \d+ steps\./)).toMatch(/^\d{2,} changes applied/);
      await pty.expect(/That was the demo/, 30);
      const exit = await pty.exit();
      expect(exit.code, pty.seen.slice(-3000)).toBe(0);
    } finally {
      await pty.close();
    }
  }, 180_000);
});
