// A founder's first run, through the built CLI (issue 15): credentials and the caller before
// the first question, root MFA before any change, region questions that filter and always keep
// the home region, answers that follow each other, messages that say what is missing, the
// plan saying what each guardrail blocks and breaks; a profile that does not exist; a folder
// where nothing was set up; verify as findings (manual is exit 3, not 4); status saying state
// file vs AWS; sign-in advice for the AWS CLI actually installed; config messages that say what
// was found, and one error for one bad mailbox.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  BASIC_CONFIG,
  awsCliPath,
  explain,
  removeDir,
  runCli,
  scratchDir,
  startEmu,
  type CliResult,
  type Emulator,
} from '../helpers/harness.js';
import { KEY, PtySession } from '../helpers/pty.js';

/** Lines wider than `cols` that wrapping could have avoided (URLs and one long word cannot wrap). */
function tooWide(text: string, cols: number): string[] {
  return text.split('\n').filter((l) => {
    if (l.length <= cols) return false;
    const indent = /^\s*/.exec(l)![0].length;
    const longest = Math.max(
      ...l
        .trim()
        .split(/\s+/)
        .map((w) => w.length),
    );
    // clack's own key hints ("↑/↓ to navigate • Tab: select • …") are not ours to wrap; a
    // prompt redrawn as it is typed (cursor moves removed) runs its frames together.
    return indent + longest <= cols && !/https?:\/\//.test(l) && !/[•█◇▲◆■]/.test(l);
  });
}

describe('the wizard in a 60-column terminal, as the root user of a brand-new account', () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmu({ scenario: 'fresh' });
  });
  afterAll(async () => {
    await emu.stop();
  });

  test('caller first, then questions that follow each other, root MFA before the plan, guardrails in plain words', async () => {
    const p = new PtySession([], { emu, cols: 60 });
    try {
      // Item 4: who is signed in, and where the answers go, before the first question.
      const before = await p.expect(/What is your company called\?/);
      expect(before).toMatch(/Signed in to AWS account 123456789012 as the root user/);
      expect(before.replace(/[│\s]+/g, ' ')).toMatch(/Your answers are saved as you go in .*secure-start\.state\.json/);
      await new Promise((r) => setTimeout(r, 60));
      await p.send(`Zeta Labs${KEY.enter}`);
      // Item 8: type to filter the home region by city.
      await p.expect(/Home region/);
      await new Promise((r) => setTimeout(r, 60));
      await p.send('frank');
      await p.expect(/eu-central-1 · Europe \(Frankfurt\)/);
      await p.keys(KEY.enter);
      await p.expect(/Add optional accounts\?/);
      await p.keys(KEY.enter);
      // Item 9: the mailbox proposed follows the company name just typed.
      await p.expect(/Mailbox for the AWS account emails[\s\S]*ops@zeta-labs\.com/);
      await new Promise((r) => setTimeout(r, 60));
      // Item 10: a too-short email says what is missing.
      await p.send(`ops${KEY.enter}`);
      await p.expect(/needs an @ and a domain/);
      await p.keys(...Array(3).fill(KEY.backspace));
      await p.send(`ops@zeta.io${KEY.enter}`);
      await p.expect(/Use these addresses\?/);
      await p.send(KEY.enter);
      await p.answer(/Your first name/, 'Ada');
      await p.answer(/Your last name/, 'Lovelace');
      // The founder's email follows the mailbox's domain and the first name.
      await p.answer(/Your email[\s\S]*ada@zeta\.io/, 'ada@zeta.io');
      await p.answer(/Monthly budget in USD/, '250');
      await p.answer(/Who gets cost alerts\?/, '');
      await p.answer(/unusual costs from how many USD\?/, '');
      await p.expect(/security contacts\?/);
      await p.keys(KEY.enter);
      // Item 9: a phone number needs its country code.
      await p.answer(/Your phone, with country code/, '206 555 0100');
      await p.expect(/needs the country code first, starting with \+/);
      await p.keys(...Array(12).fill(KEY.backspace));
      await p.send(`+1 206 555 0100${KEY.enter}`);
      // Item 8: an empty choice is refused; the home region stays in whatever is chosen.
      const regions = await p.expect(/Regions you will use/);
      expect(regions.replace(/[│●\s]+/g, ' ')).toMatch(
        /The region guard \(next question\) can refuse every other region/,
      );
      await new Promise((r) => setTimeout(r, 60));
      await p.keys('\t', KEY.enter); // Tab takes the home region out: nothing is left
      await p.expect(/Please select at least one item/);
      await p.send('lon');
      await p.expect(/eu-west-2 · Europe \(London\)/);
      await p.keys('\t', KEY.enter);
      const chosen = await p.expect(/stays in: it is your home region/);
      expect(chosen.replace(/[│●\s]+/g, ' ')).toContain('Regions you will use: eu-central-1, eu-west-2');
      await p.expect(/Turn on the region guard for eu-central-1, eu-west-2\?/);
      await p.keys(KEY.enter);
      // The steps' own questions: default VPCs (members yes, management no: Enter takes both),
      // then Security Hub with its cost (this founder says no: → then Enter).
      await p.expect(/Delete[\s│]+the[\s│]+unused[\s│]+default[\s│]+VPCs/);
      await p.keys(KEY.enter);
      await p.expect(/Also[\s│]+delete[\s│]+the[\s│]+management/);
      await p.keys(KEY.enter);
      await p.expect(/Turn on Security Hub/);
      await p.keys('\x1b[C', KEY.enter);

      // Item 5: root MFA, with the console link and a check, before the plan and any change.
      const mfa = await p.expect(/Press Enter when MFA is on/, 30);
      expect(mfa).toContain('Before any change, the most important control');
      expect(mfa).toContain('Turn on MFA for the root user of the management account');
      expect(mfa).toContain('https://console.aws.amazon.com/iam/home#/security_credentials');
      expect(p.seen).not.toContain('Apply these');
      await p.keys(KEY.enter);
      await p.expect(/still sees this as not done[\s\S]*Press Enter when MFA is on/, 30);
      emu.setRootMfa(true);
      await p.keys(KEY.enter);

      // Item 11: the plan says what each guardrail blocks and breaks, next to its name.
      const plan = (await p.expect(/Apply these \d+ changes to AWS account 123456789012\?/, 30)).replace(/\s+/g, ' ');
      expect(plan).toMatch(
        /CreatePolicy secure-start-guardrails \(\d+ characters\) blocks in every member account: .*IAM users, access keys/,
      );
      expect(plan).toMatch(
        /breaks anything that needs an IAM user or access key in a member account: SES SMTP credentials, a CI system/,
      );
      expect(plan).toMatch(
        /CreatePolicy secure-start-region-guard .* blocks in every member account: regional services .* outside eu-central-1, eu-west-2/,
      );
      expect(emu.calls({ mutating: true })).toEqual([]);
      await p.keys(KEY.ctrlC);
      const end = await p.exit();
      expect(end.code, p.seen.slice(-2000)).toBe(130);
      expect(emu.calls({ mutating: true })).toEqual([]);
      // Item 10: nothing of ours wraps mid-word or leaves its box at 60 columns.
      expect(tooWide(p.seen, 60)).toEqual([]);
    } finally {
      await p.close();
    }
  }, 90_000);

  test('no credentials: the guide at once, not after the questions (exit 2), fitted to 60 columns', async () => {
    const p = new PtySession([], { cols: 60 });
    try {
      const r = await p.exit(30);
      expect(r.code, p.seen).toBe(2);
      expect(p.seen).toContain('No AWS credentials found');
      expect(p.seen).toContain('aws configure sso');
      expect(p.seen).not.toContain('What is your company called');
      expect(tooWide(p.seen, 60)).toEqual([]);
    } finally {
      await p.close();
    }
  });

  test("a member of someone else's organization: said before any question (exit 1)", async () => {
    emu.reset('member-of-other-org+iam-user');
    const p = new PtySession([], { emu, cols: 80 });
    try {
      const r = await p.exit(30);
      expect(r.code, p.seen).toBe(1);
      expect(p.seen.replace(/\s+/g, ' ')).toMatch(
        /is a member of another organization \(.*managed by account 210987654321\); nothing was changed/,
      );
      expect(p.seen).not.toContain('What is your company called');
      expect(emu.calls({ mutating: true })).toEqual([]);
    } finally {
      await p.close();
    }
  });
});

describe('before any run', () => {
  test('a profile that does not exist (--profile or AWS_PROFILE) is an error that lists the ones that do', async () => {
    const emu = await startEmu({ scenario: 'fresh+iam-user' });
    const dir = scratchDir('ss-profile-');
    try {
      writeFileSync(
        join(dir, '.aws', 'config'),
        '[default]\nregion = eu-west-1\n\n[profile acme-dev]\nsso_session = acme\n\n[sso-session acme]\nsso_region = eu-west-1\n',
      );
      writeFileSync(
        join(dir, '.aws', 'credentials'),
        '[ci]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = x\n',
      );
      for (const [args, env, from] of [
        [['plan', '--profile', 'wrok'], {}, '--profile'],
        [['verify'], { AWS_PROFILE: 'wrok' }, 'AWS_PROFILE'],
        [['--yes', '--config', BASIC_CONFIG], { AWS_PROFILE: 'wrok' }, 'AWS_PROFILE'],
      ] as const) {
        const r = await runCli([...args], { emu, dir, env });
        expect(r.code, explain(r)).toBe(2);
        expect(r.stderr).toContain(
          `The AWS profile "wrok" (from ${from}) is not in ~/.aws/config or ~/.aws/credentials.`,
        );
        expect(r.stderr).toContain('Profiles there: default, acme-dev, ci.');
        expect(r.stdout).not.toContain('brand-new account');
        expect(r.calls, explain(r)).toEqual([]);
      }
      // An existing profile gets past the check (it has no credentials: a plan for a new account).
      const ok = await runCli(['plan', '--profile', 'acme-dev', '--config', BASIC_CONFIG], { dir });
      expect(ok.code, explain(ok)).toBe(0);
    } finally {
      await emu.stop();
      removeDir(dir);
    }
  });

  test('verify, status and profiles where nothing was set up: one sentence and the next command', async () => {
    const dir = scratchDir('ss-nothing-');
    try {
      for (const [cmd, code] of [
        ['verify', 2],
        ['status', 0],
        ['profiles', 2],
      ] as const) {
        const r = await runCli([cmd], { dir });
        expect(r.code, explain(r)).toBe(code);
        const out = (r.stdout + r.stderr).replace(/\s+/g, ' ');
        expect(out).toContain('Nothing has been set up from here yet');
        expect(out).toContain('`npx secure-start plan`');
        expect(out).not.toMatch(/is required/);
      }
      // A wizard stopped after its first answer: what is missing, and how to go on.
      writeFileSync(
        join(dir, 'secure-start.state.json'),
        JSON.stringify({
          schemaVersion: 1,
          toolVersion: 't',
          createdAt: 'c',
          updatedAt: 'u',
          answers: { org: { name: 'Acme' } },
          steps: {},
          outputs: {},
          inflight: {},
          journal: [],
        }),
      );
      const partial = await runCli(['verify'], { dir });
      expect(partial.code, explain(partial)).toBe(2);
      expect(partial.stderr.replace(/\s+/g, ' ')).toMatch(
        /The wizard has not finished here: it still needs mailbox, founder\.givenName, .* Run `npx secure-start` to answer the rest\./,
      );
      expect(partial.stderr.split('\n').length).toBeLessThan(4);
    } finally {
      removeDir(dir);
    }
  });

  test('config messages: a value of the wrong type says what was found; one bad mailbox is one error', async () => {
    const dir = scratchDir('ss-config-');
    try {
      writeFileSync(
        join(dir, 'c.json'),
        JSON.stringify({ mailbox: 'ops@acme', budget: { amount: 'lots' }, anomaly: { thresholdUsd: true } }),
      );
      const r = await runCli(['plan', '--config', 'c.json'], { dir });
      expect(r.code, explain(r)).toBe(2);
      expect(r.stderr).toContain('budget.amount: the budget amount must be a number, got the text "lots"');
      expect(r.stderr).toContain('anomaly.thresholdUsd: the anomaly threshold must be a number, got true');
      // The mailbox once; not again for every account, alert and contact email made from it.
      expect(r.stderr.match(/needs a domain with a dot/g)).toHaveLength(1);
      expect(r.stderr).toContain('mailbox: the mailbox needs a domain with a dot');
    } finally {
      removeDir(dir);
    }
  });
});

describe('after a run', () => {
  let emu: Emulator;
  let built: CliResult;
  const v1 = 'aws-cli/1.44.2 Python/3.9.18 Linux/6.1 botocore/1.36.2';
  const v2 = 'aws-cli/2.27.0 Python/3.13.3 Linux/6.1 exe/x86_64';
  beforeAll(async () => {
    emu = await startEmu({ scenario: 'fresh+iam-user' });
    emu.enableIdentityCenter('eu-west-1');
    // Root MFA stays off: the run does everything else and stops at that console step (exit 3).
    built = await runCli(['--yes', '--config', BASIC_CONFIG], { emu, env: { PATH: awsCliPath(v2) } });
  }, 90_000);
  afterAll(async () => {
    await emu.stop();
  });

  test('progress lines name steps by their titles, never their IDs; the summary marks a console step once', () => {
    expect(built.code, explain(built)).toBe(3);
    expect(built.stderr).toMatch(/^✓ Member accounts, each in its OU \(\d+ changes\)$/m);
    expect(built.stderr.split('\n').filter((l) => /^[✓✗~!⏸■-] [a-z]+(-[a-z]+)*( |$)/.test(l))).toEqual([]);
    // The step left for a person, once marked (never "! !").
    expect(built.stdout).toContain('  ! Turn on MFA for the root user of the management account');
    expect(built.stdout).not.toMatch(/! !/);
  });

  test('verify: a console step left is a finding with its severity, account, why and fix, and exit 3 (not 4)', async () => {
    const r = await runCli(['verify', '--config', BASIC_CONFIG], { emu, dir: built.dir });
    expect(r.code, explain(r)).toBe(3);
    const text = r.stdout.replace(/\s+/g, ' ');
    expect(text).toMatch(
      /Findings: 1 \(1 critical, 0 high, 0 medium, 0 low\) CRITICAL \(1\) ! Root users: MFA, no access keys, centralized root access — a step for you in the console/,
    );
    expect(text).toMatch(
      /management: ! Turn on MFA for the root user of the management account why: The root user can do anything .* fix: Sign in to the AWS console as the root user/,
    );
    expect(text).toContain('exit 3: a step for you in the console is still open.');
    const j = await runCli(['verify', '--json', '--config', BASIC_CONFIG], { emu, dir: built.dir });
    const report = JSON.parse(j.stdout);
    expect(report).toMatchObject({
      schemaVersion: 2,
      exitCode: 3,
      counts: { critical: 1, findings: 1, manual: 1, drift: 0 },
    });
    expect(report.findings).toEqual([
      expect.objectContaining({
        severity: 'critical',
        status: 'manual',
        step: 'root-access',
        account: 'management',
        resource: 'Turn on MFA for the root user of the management account',
        why: expect.stringMatching(/can do anything/),
        fix: expect.stringMatching(/security_credentials/),
      }),
    ]);
  });

  test('status: where each fact comes from; in a terminal, a step AWS contradicts is never ✓, and the view ends with a newline', async () => {
    const plain = await runCli(['status'], { dir: built.dir });
    expect(plain.code, explain(plain)).toBe(0);
    expect(plain.stdout).toContain('Everything below is what the state file remembers; AWS is not read here.');
    expect(plain.stdout).toMatch(/^state file: done +Account hardening/m);

    emu.drift('iam', 'delete-password-policy');
    const p = new PtySession(['status'], { emu, dir: built.dir, cols: 140 });
    try {
      const r = await p.exit(60);
      expect(r.code, p.seen).toBe(0);
      // The last frame, as left on the screen.
      const last = p.seen.slice(p.seen.lastIndexOf('secure-start status'));
      expect(last).toMatch(/~ Account hardening: .* state file: done · AWS: drift/);
      expect(last).not.toMatch(/✓ Account hardening/);
      expect(last).toMatch(/AWS: 1 difference .*iam:UpdateAccountPasswordPolicy management/);
      expect(last).toMatch(/✓ Monthly cost budget with e-mail alerts +state file: done · AWS: ok/);
      // Escape codes aside (ink shows the cursor again on exit), the last thing written is a newline.
      expect((await p.transcript()).replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').endsWith('\n')).toBe(true);
    } finally {
      await p.close();
    }
  });

  test('sign-in advice fits the AWS CLI installed: v1 is told to install v2, v2 gets the command', async () => {
    const old = await runCli(['profiles', '--config', BASIC_CONFIG], {
      emu,
      dir: built.dir,
      env: { PATH: awsCliPath(v1) },
    });
    expect(old.code, explain(old)).toBe(0);
    expect(old.stdout.replace(/\s+/g, ' ')).toContain(
      'The AWS CLI here is aws-cli/1.44.2: version 1 cannot sign in with IAM Identity Center (it has no `aws sso login`). Install the AWS CLI v2 (https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html)',
    );
    const current = await runCli(['profiles', '--config', BASIC_CONFIG], {
      emu,
      dir: built.dir,
      env: { PATH: awsCliPath(v2) },
    });
    expect(current.stdout).toContain(
      'Sign in with: aws sso login --sso-session acme-robotics   (aws-cli/2.27.0 found)',
    );
    const none = await runCli(['profiles', '--config', BASIC_CONFIG], {
      emu,
      dir: built.dir,
      env: { PATH: awsCliPath() },
    });
    expect(none.stdout).toMatch(
      /Install the AWS CLI v2 \(https:\/\/docs\.aws\.amazon\.com\/cli\/latest\/userguide\/getting-started-install\.html\), then sign in with: aws sso login --sso-session acme-robotics/,
    );
  });
});
