// `secure-start demo --yes`: the real wizard against the emulator started inside the CLI's
// own process, as the root user of a brand-new account, to the end, without touching the
// founder's AWS settings or files.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { explain, removeDir, runCli, scratchDir, spawnCli } from '../helpers/harness.js';
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
    // Root MFA first, as the interactive wizard asks for it: before the first change (the
    // organization, made before Identity Center can be enabled).
    expect(r.stderr.indexOf('demo: turned on MFA')).toBeLessThan(r.stderr.indexOf('organizations:CreateOrganization'));
    expect(r.stderr.indexOf('organizations:CreateOrganization')).toBeLessThan(
      r.stderr.indexOf('demo: enabled IAM Identity Center'),
    );
    // The same end as a real run: the summary with the sign-in URL and profiles.
    expect(r.stdout).toMatch(/Done: \d+ changes applied/);
    expect(r.stdout).toMatch(/Sign-in URL: https:\/\/d-\w+\.awsapps\.com\/start/);
    expect(r.stdout).toContain('demo-robotics-management-admin');
    expect(r.stdout).toMatch(/That was the demo: \d+ changes made to the emulated AWS, none to a real one\./);
    // The changes AWS made, not the calls it refused along the way (conflicts, throttling): the
    // run's own count less its one local change (the profiles, in the demo's folder).
    const applied = Number(/Done: (\d+) changes applied/.exec(r.stdout)![1]);
    expect(Number(/That was the demo: (\d+) changes/.exec(r.stdout)![1])).toBe(applied - 1);
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

  test('in a terminal (60 columns): the same wizard, proposals that follow the company name typed, root MFA first, console steps done after Enter, only its own folder written', async () => {
    const tmp = scratchDir('ss-demo-tmp-');
    const pty = new PtySession(['demo'], { cols: 60, env: { TMPDIR: tmp } });
    try {
      await pty.expect(/DEMO — nothing real is touched\./);
      // A company name of the founder's own: the emails proposed next follow it.
      await pty.answer(/What is your company called\?/, 'Zeta Labs');
      // Every other question proposes the demo company's answer: Enter takes it.
      for (const q of [
        /Home region/,
        /Add optional accounts\?/,
        /Mailbox for the AWS account emails[\s\S]*ops@zeta-labs\.example/,
        /Use these addresses\?/,
        /Your first name/,
        /Your last name/,
        /Your email[\s\S]*dana@zeta-labs\.example/,
        /Monthly budget in USD/,
        /Who gets cost alerts\?/,
        /unusual costs from/,
        /security contacts\?/,
        /Your phone, with country code/,
        /Regions you will use/,
        /Turn on the region guard/,
        /Delete[\s│]+the[\s│]+unused[\s│]+default/,
        /Also[\s│]+delete[\s│]+the[\s│]+management/,
        /Turn on Security Hub/,
      ]) {
        await pty.expect(q);
        await pty.keys(KEY.enter);
      }
      // Root MFA before the plan: the demo turns it on after Enter.
      await pty.expect(
        /Before any change, the most important control[\s\S]*Press Enter and the demo does this for you/,
        30,
      );
      expect(pty.seen).not.toContain('Apply these');
      await pty.keys(KEY.enter);
      await pty.expect(/In\s+the\s+demo\s+we\s+did\s+this\s+for\s+you:\s+turned\s+on\s+MFA\s+for\s+the\s+root\s+user/);
      await pty.expect(/Apply these \d+ changes to AWS account 123456789012\?/, 30);
      await pty.keys(KEY.enter);
      // The console steps of a root-user start, each a box; after Enter the demo does it.
      const from = pty.seen.length;
      for (let i = 0; i < 4; i++) {
        const next = await pty.expect(/Press Enter and the demo does this for you|Done: /, 90);
        if (/Done:/.test(next)) break;
        await pty.keys(KEY.enter);
        await pty.expect(/In the demo we did this for you:/);
      }
      // What the demo did (messages wrapped to the 60 columns), whole once the run checks again.
      if (!/Done: /.test(pty.seen.slice(from))) await pty.expect(/Checking…/);
      const done = pty.seen.slice(from).replace(/\s+/g, ' ');
      expect(done).toMatch(/In the demo we did this for you: enabled IAM Identity Center in us-east-1/);
      expect(done).toMatch(
        /In the demo we did this for you: signed in through IAM Identity Center as dana@zeta-labs\.example/,
      );
      expect(done).not.toMatch(/turned on MFA/); // asked first, not again at the end
      expect(pty.seen).toContain('Going on with the AWS profile zeta-labs-management-admin.');
      // The leave-root box does not send the founder to a command that would start a new demo.
      expect(pty.seen.replace(/[│\s]+/g, ' ')).toContain('The demo then goes on with that profile by itself.');
      // Long waits say what, in words, with an estimate; never step IDs.
      expect(pty.seen).toMatch(/creating account [\w-]+ \(usually 1-2 minutes\)… \d+s/);
      expect(pty.seen).toMatch(/waits for Member accounts, each in its OU/);
      expect(pty.seen.match(/waits for (?!you\b)[a-z]+(-[a-z]+)*(,|$)/gm) ?? []).toEqual([]);
      if (!/Done:/.test(pty.seen)) await pty.expect(/Done: /, 90);
      // The summary counts the changes of every round, not only the last one.
      expect(await pty.expect(/changes applied in \d+ steps\./)).toMatch(/^\d{2,} changes applied/);
      await pty.expect(/That was the demo/, 30);
      const exit = await pty.exit();
      expect(exit.code, pty.seen.slice(-3000)).toBe(0);
      // It wrote to its own folder, and says so: never to ~/.aws/config.
      expect(pty.seen).not.toContain('~/.aws');
      expect(pty.seen.replace(/[│\s]+/g, '')).toMatch(/Wrote6sectionsto.*secure-start-demo-\w+\/aws-config/);
      expect(pty.seen).not.toMatch(/State file: /);
      expect(readdirSync(tmp).filter((f) => f.startsWith('secure-start-demo-'))).toEqual([]);
    } finally {
      await pty.close();
      removeDir(tmp);
    }
  }, 180_000);

  test('SIGHUP at a question (the terminal closed): the demo way to start again, and its folder is gone', async () => {
    const tmp = scratchDir('ss-demo-tmp-');
    const pty = new PtySession(['demo'], { env: { TMPDIR: tmp } });
    try {
      await pty.expect(/What is your company called\?/);
      expect(readdirSync(tmp).filter((f) => f.startsWith('secure-start-demo-'))).toHaveLength(1);
      await pty.signal('HUP');
      const end = await pty.exit(30);
      expect(end.code, pty.seen).toBe(129);
      const rest = end.rest.replace(/\s+/g, ' ');
      expect(rest).toContain(
        'The demo stopped. Nothing real was touched, and its temporary folder is deleted. `npx secure-start demo` starts it again.',
      );
      expect(rest).not.toMatch(/run `npx secure-start` again/);
      expect(readdirSync(tmp).filter((f) => f.startsWith('secure-start-demo-'))).toEqual([]);
    } finally {
      await pty.close();
      removeDir(tmp);
    }
  });

  test('SIGTERM while it applies (--yes): it stops the demo way and removes its folder', async () => {
    const tmp = scratchDir('ss-demo-tmp-');
    try {
      const run = spawnCli(['demo', '--yes'], { env: { TMPDIR: tmp }, timeoutMs: 90_000 });
      await new Promise<void>((resolve) => {
        const onData = (d: Buffer) => {
          if (String(d).includes('organizations:CreateOrganizationalUnit')) {
            run.child.stderr!.off('data', onData);
            run.child.kill('SIGTERM');
            resolve();
          }
        };
        run.child.stderr!.on('data', onData);
      });
      const r = await run.done;
      expect(r.code, explain(r)).toBe(143);
      expect((r.stdout + r.stderr).replace(/\s+/g, ' ')).toContain('The demo stopped. Nothing real was touched');
      expect(r.stderr).not.toMatch(/did not settle/);
      expect(r.stdout + r.stderr).not.toMatch(/run `npx secure-start` again|Run `npx secure-start` again/);
      expect(readdirSync(tmp).filter((f) => f.startsWith('secure-start-demo-'))).toEqual([]);
    } finally {
      removeDir(tmp);
    }
  });
});
