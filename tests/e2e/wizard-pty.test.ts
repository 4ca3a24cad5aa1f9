// The real interactive wizard, driven through a pseudo-terminal as a founder would: every
// question answered by typing and pressing keys, the plan confirmed, progress rendered by
// listr2, console steps confirmed with Enter, the answers saved as a config file.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { BASIC_CONFIG, explain, readState, runCli, startEmu, type Emulator } from '../helpers/harness.js';
import { KEY, PtySession } from '../helpers/pty.js';
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

/** Answers the questions after the first two, as the founder of Acme Robotics. */
async function answerRest(p: PtySession): Promise<void> {
  await p.expect(/Add any of these\?/);
  await p.keys(KEY.space, KEY.enter); // staging, the first option
  // A typo first: the same rule as the config schema rejects it as typed.
  await p.answer(/Mailbox for AWS account emails/, 'ops-at-acme');
  await p.expect(/must contain exactly one @/);
  await p.keys(...Array(11).fill(KEY.backspace));
  await p.send(`ops@acme.example${KEY.enter}`);
  const preview = await p.expect(/Use these\?/);
  expect(preview).toContain('ops+aws-staging@acme.example');
  expect(preview).toContain('ops+aws-log-archive@acme.example');
  await p.send(KEY.enter);
  await p.answer(/Your first name/, 'Ada');
  await p.answer(/Your last name/, 'Lovelace');
  await p.answer(/Your email/, 'ada@acme.example');
  await p.answer(/Monthly budget in USD/, '250');
  await p.answer(/Who gets budget and cost alerts\?/, ''); // the proposed ops+aws-billing@…
  await p.answer(/unusual cost reaches how many USD\?/, '25');
  await p.expect(/Who are they\?/);
  await p.keys(KEY.enter); // Ada, for all three
  await p.answer(/Your phone number/, '+44 20 7946 0000');
  await p.expect(/Regions you will use/);
  await p.keys(KEY.down, KEY.space, KEY.enter); // eu-west-1 is home; add the next one (eu-west-2)
}

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
    expect(summary).toContain('aws sso login --sso-session acme-robotics');
    expect(summary).toContain('acme-robotics-management-admin');
    await pty.keys(KEY.enter);
    const exit = await pty.exit();
    expect(exit.code, pty.seen.slice(-3000)).toBe(0);

    // The answers, exactly as given, in the state file and the config file.
    const state = readState(pty.dir);
    expect(stateSchema.safeParse(state).success).toBe(true);
    const config = JSON.parse(readFileSync(join(pty.dir, 'secure-start.config.json'), 'utf8'));
    expect(config).toEqual(state.answers);
    expect(config).toMatchObject({
      org: { name: 'Acme Robotics' },
      homeRegion: 'eu-west-1',
      allowedRegions: ['eu-west-1', 'eu-west-2'],
      mailbox: 'ops@acme.example',
      founder: { givenName: 'Ada', familyName: 'Lovelace', email: 'ada@acme.example' },
      budget: { amount: 250, emails: ['ops+aws-billing@acme.example'] },
      anomaly: { thresholdUsd: 25 },
      contacts: { security: { phone: '+44 20 7946 0000' } },
    });
    expect(config.accounts.map((a: { name: string }) => a.name)).toEqual(['log-archive', 'audit', 'prod', 'dev', 'staging']);
    const accounts = (emu.state() as any);
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
});

describe('Ctrl-C in the wizard', () => {
  test('mid-questions and mid-run: one line, exit 130, state valid; the next runs resume to the end', async () => {
    emu.setRootMfa(true);
    emu.enableIdentityCenter('us-east-1');
    pty = new PtySession([], { emu });
    const dir = pty.dir;
    await pty.answer(/What is your company called\?/, 'Acme Robotics');
    await pty.expect(/Home region/);
    await pty.keys(KEY.enter); // us-east-1
    await pty.expect(/Add any of these\?/);
    await pty.keys(KEY.ctrlC);
    const stopped = await pty.exit();
    expect(stopped.code, pty.seen).toBe(130);
    const lines = stopped.rest.split('\n').map((l) => l.trim()).filter((l) => /\w/.test(l));
    expect(lines.filter((l) => /^Stopped\./.test(l))).toHaveLength(1);
    expect(stopped.rest).toMatch(/Answers given so far are saved in .*secure-start\.state\.json/);
    expect(emu.calls()).toEqual([]); // not one AWS call
    let state = readState(dir);
    expect(stateSchema.safeParse(state).success).toBe(true);
    expect(state.answers).toEqual({ org: { name: 'Acme Robotics' }, homeRegion: 'us-east-1' });
    await pty.close();

    // Resume: the two answers are not asked again.
    pty = new PtySession([], { emu, dir });
    await answerRest(pty);
    expect(pty.seen).not.toContain('What is your company called');
    await pty.expect(/Apply these \d+ changes/, 30);
    // Hold the 5th change in the emulator so Ctrl-C lands while calls are in flight.
    emu.hold({ nth: 5, when: 'before' });
    await pty.keys(KEY.enter);
    await emu.waitForHold(30_000);
    await pty.send(KEY.ctrlC);
    await pty.expect(/Stopping after the calls already sent/, 10);
    emu.release();
    const mid = await pty.exit();
    expect(mid.code, pty.seen.slice(-3000)).toBe(130);
    expect(mid.rest).toMatch(/Stopped by Ctrl-C\. Nothing is lost/);
    expect(mid.rest).toContain('Run `npx secure-start` again to carry on');
    state = readState(dir);
    expect(stateSchema.safeParse(state).success).toBe(true);
    const before = emu.calls({ mutating: true }).length;
    expect(before).toBeGreaterThanOrEqual(5);
    await pty.close();

    // Resume to the end: no questions, the rest of the plan, done.
    pty = new PtySession([], { emu, dir });
    const plan = await pty.expect(/Apply these \d+ changes/, 30);
    expect(plan).not.toMatch(/What is your company|Mailbox for AWS/);
    expect(plan).not.toMatch(/CreateOrganization \(all features\)/); // made before the Ctrl-C
    await pty.keys(KEY.enter);
    await pty.expect(/Done: \d+ changes applied/, 60);
    await pty.expect(/Save your answers/, 20);
    await pty.keys(KEY.enter);
    const done = await pty.exit();
    expect(done.code, pty.seen.slice(-3000)).toBe(0);
    const last = await runCli(['--yes', '--config', 'secure-start.config.json'], { emu, dir });
    expect(last.mutatingCalls, explain(last)).toEqual([]);
  }, 150_000);
});
