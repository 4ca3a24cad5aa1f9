// The real interactive wizard, driven through a pseudo-terminal as a founder would: every
// question answered by typing and pressing keys, the plan confirmed, progress rendered by
// listr2, console steps confirmed with Enter, the answers saved as a config file.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { BASIC_CONFIG, explain, readState, runCli, startEmu, type Emulator } from '../helpers/harness.js';
import { KEY, PtySession, answerRest } from '../helpers/pty.js';
import { ssoLogin } from '../helpers/sso.js';
import { stateSchema } from '../../state/store.js';

let emu: Emulator;
let pty: PtySession | undefined;
beforeEach(async () => {
  emu = await startEmu({ scenario: 'fresh+iam-user' });
});
afterEach(async () => {
  await pty?.close();
  pty = undefined;
  await emu.stop();
});

describe('the interactive wizard in a terminal', () => {
  test('a founder answers every question, confirms the plan, and gets the whole baseline', async () => {
    emu.setRootMfa(true);
    emu.enableIdentityCenter('eu-west-1');
    pty = new PtySession([], { emu });
    await pty.answer(/What is your company called\?/, 'Acme Robotics');
    await pty.expect(/Home region/);
    // The list starts at AWS_REGION (us-east-1); eu-west-1 is eight down.
    await pty.keys(...Array(8).fill(KEY.down), KEY.enter);
    await answerRest(pty);

    const plan = await pty.expect(/Apply these (\d+) changes to AWS account 123456789012\?/, 30);
    expect(plan).toContain('What it costs');
    expect(plan).toContain('Not easy to undo');
    expect(plan).toMatch(/5 new AWS accounts/);
    expect(plan).toMatch(/Member accounts, each in its OU \(10 calls\)/);
    expect(emu.calls({ mutating: true })).toEqual([]); // nothing changed before the confirmation
    await pty.keys(KEY.enter);

    const end = await pty.expect(/Done: \d+ changes applied/, 60);
    expect(end).toMatch(/Member accounts, each in its OU/);
    const summary = await pty.expect(/Save your answers to secure-start\.config\.json/, 20);
    expect(summary).toMatch(/Sign-in URL: https:\/\/d-\w+\.awsapps\.com\/start/);
    expect(summary.replace(/\s+/g, ' ')).toContain('aws sso login --sso-session acme-robotics');
    expect(summary).toContain('acme-robotics-management-admin');
    await pty.keys(KEY.enter);
    const exit = await pty.exit();
    expect(exit.code, pty.seen.slice(-3000)).toBe(0);
    // NO_COLOR=1 (the harness default): the terminal gets cursor movement, but not one colour or style code.
    const raw = await pty.transcript();
    expect(raw).toMatch(/\x1b\[\d*[ABCDGJK]/);
    expect(raw.match(/\x1b\[[\d;]*m/g) ?? []).toEqual([]);

    // The answers, exactly as given, in the state file and the config file.
    const state = readState(pty.dir);
    expect(stateSchema.safeParse(state).success).toBe(true);
    const config = JSON.parse(readFileSync(join(pty.dir, 'secure-start.config.json'), 'utf8'));
    expect(config).toEqual(state.answers);
    expect(config).toMatchObject({
      org: { name: 'Acme Robotics' },
      homeRegion: 'eu-west-1',
      allowedRegions: ['eu-west-1', 'eu-west-2'],
      scps: { regionGuard: true },
      securityHub: { enabled: false },
      mailbox: 'ops@acme.example',
      founder: { givenName: 'Ada', familyName: 'Lovelace', email: 'ada@acme.example' },
      budget: { amount: 250, emails: ['ops+aws-billing@acme.example'] },
      anomaly: { thresholdUsd: 25 },
      contacts: { security: { phone: '+44 20 7946 0000' } },
    });
    expect(config.accounts.map((a: { name: string }) => a.name)).toEqual([
      'log-archive',
      'audit',
      'prod',
      'dev',
      'staging',
    ]);
    // The questions as a founder sees them, then the plan, progress and the end, in that order.
    const order = [
      'What is your company called',
      'Home region',
      'Mailbox for the AWS account emails',
      'Your first name',
      'Monthly budget',
      'Regions you will use',
      'Turn on the region guard',
      'What it costs',
      'Apply these',
      'Member accounts, each in its OU (10 changes)',
      'Done:',
      'Next',
    ];
    const at = order.map((t) => pty!.seen.indexOf(t));
    expect(
      at.every((i) => i >= 0),
      JSON.stringify(Object.fromEntries(order.map((t, i) => [t, at[i]]))),
    ).toBe(true);
    expect([...at].sort((x, y) => x - y)).toEqual(at);
    const accounts = emu.state() as any;
    expect(JSON.stringify(accounts)).toContain('ops+aws-staging@acme.example');

    // The saved config re-runs without questions and finds nothing to do.
    const again = await runCli(['--yes', '--config', 'secure-start.config.json'], { emu, dir: pty.dir });
    expect(again.code, explain(again)).toBe(0);
    expect(again.mutatingCalls, explain(again)).toEqual([]);
  }, 120_000);

  test('a console step: the box, Enter, a check that still sees it, then Enter again goes on', async () => {
    emu.setRootMfa(true);
    // Identity Center is NOT enabled: the founder must do it in the console.
    pty = new PtySession(['--config', BASIC_CONFIG], { emu });
    await pty.expect(/Apply these \d+ changes/, 30);
    await pty.keys(KEY.enter);
    const box = await pty.expect(/Press Enter when done/, 60);
    expect(box).toContain('A step for you');
    expect(box).toMatch(/Enable IAM Identity Center in eu-west-1/);
    expect(box).toMatch(/Why: /);
    expect(box).toContain('https://eu-west-1.console.aws.amazon.com/singlesignon/home?region=eu-west-1');
    // Enter without doing it: secure-start checks by API and says it still sees it.
    await pty.keys(KEY.enter);
    const again = await pty.expect(/still sees this as not done[\s\S]*Press Enter when done/, 60);
    expect(again).toMatch(/Checking…/);
    emu.enableIdentityCenter('eu-west-1');
    await pty.keys(KEY.enter);
    await pty.expect(/Done: \d+ changes applied/, 60);
    await pty.expect(/Sign-in URL: https:\/\/d-\w+\.awsapps\.com\/start/);
    const exit = await pty.exit();
    expect(exit.code, pty.seen.slice(-3000)).toBe(0);
    // --config was given: no offer to write one.
    expect(pty.seen).not.toContain('Save your answers');
    expect(existsSync(join(pty.dir, 'secure-start.config.json'))).toBe(false);
  }, 120_000);

  test('the root user: leave-root, Enter before signing in says how, after `aws sso login` it goes on with the admin profile', async () => {
    await emu.stop();
    emu = await startEmu({ scenario: 'fresh' });
    emu.setRootMfa(true);
    emu.enableIdentityCenter('eu-west-1');
    pty = new PtySession(['--config', BASIC_CONFIG], { emu });
    await pty.expect(/Apply these \d+ changes/, 30);
    await pty.keys(KEY.enter);
    const box = await pty.expect(/Press Enter when done/, 90);
    expect(box).toContain('After Enter, secure-start goes on with the AWS profile');
    // Enter before signing in: no credentials for the profile yet; it says how and waits.
    await pty.keys(KEY.enter);
    const how = await pty.expect(/Press Enter when signed in/, 30);
    expect(how).toContain('The profile acme-robotics-management-admin has no credentials yet');
    expect(how.replace(/\s+/g, ' ')).toContain('aws sso login --sso-session acme-robotics');
    ssoLogin(emu, pty.dir, 'acme-robotics', 'ada@acme.example');
    await pty.keys(KEY.enter);
    await pty.expect(/Done: \d+ changes applied/, 90);
    const exit = await pty.exit();
    expect(exit.code, pty.seen.slice(-3000)).toBe(0);
    // Member accounts were entered by the Identity Center admin, never by the root user.
    const assume = emu.calls({ operation: 'AssumeRole' });
    expect(assume.length).toBeGreaterThan(0);
    expect(
      assume.every((c) => /AWSReservedSSO_AdministratorAccess/.test(String((c as { principal?: string }).principal))),
      JSON.stringify(assume.map((c) => (c as { principal?: string }).principal)),
    ).toBe(true);
  }, 150_000);
});
