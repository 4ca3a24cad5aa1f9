// Ctrl-C in the real interactive wizard (through a 60-column pseudo-terminal): at a question, and
// while changes are being made; each time one clear line, exit 130, a valid state file, and
// the next run resumes where it stopped, to the end.
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { explain, readState, runCli, startEmu, type Emulator } from '../helpers/harness.js';
import { KEY, PtySession, answerRest } from '../helpers/pty.js';
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

describe('Ctrl-C in the wizard', () => {
  test('mid-questions and mid-run: one line, exit 130, state valid; the next runs resume to the end', async () => {
    emu.setRootMfa(true);
    emu.enableIdentityCenter('us-east-1');
    pty = new PtySession([], { emu, cols: 60 });
    const dir = pty.dir;
    await pty.answer(/What is your company called\?/, 'Acme Robotics');
    await pty.expect(/Home region/);
    await pty.keys(KEY.enter); // us-east-1
    await pty.expect(/Add optional accounts\?/);
    await pty.keys(KEY.ctrlC);
    const stopped = await pty.exit();
    expect(stopped.code, pty.seen).toBe(130);
    const lines = stopped.rest
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => /\w/.test(l));
    expect(lines.filter((l) => /^Stopped\./.test(l))).toHaveLength(1);
    expect(stopped.rest.replace(/\s+/g, ' ')).toMatch(/Answers given so far are saved in .*secure-start\.state\.json/);
    // Not one change; the only calls are the two reads that check the caller before the first question.
    expect(emu.calls().map((c) => `${c.service}:${c.operation}`)).toEqual([
      'sts:GetCallerIdentity',
      'organizations:DescribeOrganization',
    ]);
    let state = readState(dir);
    expect(stateSchema.safeParse(state).success).toBe(true);
    expect(state.answers).toEqual({ org: { name: 'Acme Robotics' }, homeRegion: 'us-east-1' });
    await pty.close();

    // Resume: the two answers are not asked again.
    pty = new PtySession([], { emu, dir, cols: 60 });
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
    pty = new PtySession([], { emu, dir, cols: 60 });
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
