// Drives the built CLI through a real pseudo-terminal (tests/helpers/pty-driver.py), as a
// founder at a keyboard would: wait for a question, type, press keys.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { CLI, ROOT, cliEnv, scratchDir, type Emulator } from './harness.js';

export const KEY = { enter: '\r', ctrlC: '\x03', down: '\x1b[B', up: '\x1b[A', space: ' ', backspace: '\x7f' } as const;

export interface PtyOptions {
  emu?: Emulator;
  dir?: string;
  cols?: number;
  rows?: number;
  env?: Record<string, string | undefined>;
}

export class PtySession {
  private readonly child: ChildProcess;
  private readonly replies: ((line: string) => void)[] = [];
  private readonly lines: string[] = [];
  /** Everything matched so far (plain text), for failure messages. */
  seen = '';
  readonly dir: string;

  constructor(args: string[], o: PtyOptions = {}) {
    this.dir = o.dir ?? scratchDir('ss-pty-');
    // A terminal, not CI: the interactive wizard. TERM set as a terminal emulator would.
    const env = cliEnv({ emu: o.emu, dir: this.dir, env: { CI: undefined, TERM: 'xterm-256color', ...o.env } });
    // SS_CLI: drive another build of the CLI (default: dist/ as every e2e test).
    const cli = process.env.SS_CLI ?? CLI;
    this.child = spawn(
      'python3',
      [
        join(ROOT, 'tests/helpers/pty-driver.py'),
        String(o.cols ?? 100),
        String(o.rows ?? 40),
        process.execPath,
        cli,
        ...args,
      ],
      {
        cwd: this.dir,
        env,
        stdio: ['pipe', 'pipe', 'inherit'],
      },
    );
    createInterface({ input: this.child.stdout! }).on('line', (l) => {
      const r = this.replies.shift();
      if (r) r(l);
      else this.lines.push(l);
    });
  }

  private command<T = any>(c: Record<string, unknown>): Promise<T> {
    return new Promise((resolve) => {
      this.replies.push((l) => resolve(JSON.parse(l)));
      this.child.stdin!.write(`${JSON.stringify(c)}\n`);
    });
  }

  /** Waits until the output since the last match matches `re`; returns that output. */
  async expect(re: RegExp | string, timeoutS = 15): Promise<string> {
    const r = await this.command<{ ok: boolean; text?: string; error?: string; tail?: string }>({
      op: 'expect',
      re: typeof re === 'string' ? re : re.source,
      timeout: timeoutS,
    });
    if (!r.ok)
      throw new Error(
        `pty: ${r.error} waiting for ${re}\n--- seen so far\n${this.seen.slice(-1500)}\n--- since then\n${r.tail}`,
      );
    this.seen += r.text;
    return r.text!;
  }

  async send(data: string): Promise<void> {
    await this.command({ op: 'send', data });
  }

  /** Waits for the question, then types the answer and Enter. */
  async answer(question: RegExp | string, text: string): Promise<string> {
    const out = await this.expect(question);
    // clack reads keys as they come: a short pause lets the prompt attach to stdin first.
    await new Promise((r) => setTimeout(r, 60));
    await this.send(text + KEY.enter);
    return out;
  }

  async keys(...keys: string[]): Promise<void> {
    for (const k of keys) {
      await this.send(k);
      await new Promise((r) => setTimeout(r, 40));
    }
  }

  async exit(timeoutS = 60): Promise<{ code: number | null; signal: number | null; rest: string }> {
    const r = await this.command<{
      ok: boolean;
      code: number | null;
      signal: number | null;
      rest: string;
      tail?: string;
    }>({ op: 'wait', timeout: timeoutS });
    if (!r.ok) throw new Error(`pty: the CLI did not exit\n${r.tail}`);
    this.seen += r.rest;
    return r;
  }

  /** Sends a signal to the CLI (as closing the terminal sends SIGHUP). */
  async signal(sig: 'HUP' | 'TERM' | 'INT'): Promise<void> {
    await this.command({ op: 'signal', sig });
  }

  async transcript(): Promise<string> {
    return (await this.command<{ raw: string }>({ op: 'transcript' })).raw;
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    await this.command({ op: 'kill' }).catch(() => undefined);
    this.child.stdin!.end();
    await new Promise((r) => this.child.once('close', r));
  }
}

/** Answers the questions after the first two, as the founder of Acme Robotics. */
export async function answerRest(p: PtySession): Promise<void> {
  await p.expect(/Add optional accounts\?/);
  await p.keys(KEY.space, KEY.enter); // staging, the first option
  // A typo first: the same rule as the config schema rejects it as typed.
  await p.answer(/Mailbox for the AWS account emails/, 'ops-at-acme');
  await p.expect(/needs an @ and a domain/);
  await p.keys(...Array(11).fill(KEY.backspace));
  await p.send(`ops@acme.example${KEY.enter}`);
  const preview = await p.expect(/Use these addresses\?/);
  for (const e of ['ops+aws-staging@acme.example', 'ops+aws-log-archive@acme.example'])
    if (!preview.includes(e)) throw new Error(`the email preview lacks ${e}:\n${preview}`);
  await p.send(KEY.enter);
  await p.answer(/Your first name/, 'Ada');
  await p.answer(/Your last name/, 'Lovelace');
  await p.answer(/Your email/, 'ada@acme.example');
  await p.answer(/Monthly budget in USD/, '250');
  await p.answer(/Who gets cost alerts\?/, ''); // the proposed ops+aws-billing@…
  await p.answer(/unusual costs from how many USD\?/, '25');
  await p.expect(/security contacts\?/);
  await p.keys(KEY.enter); // Ada, for all three
  await p.answer(/Your phone, with country code/, '+44 20 7946 0000');
  await p.expect(/Regions you will use/);
  await p.keys(KEY.down, KEY.space, KEY.enter); // the list starts at the home region: add the one after it
  // The region guard is offered with what it blocks and how to change it; Enter takes "yes".
  const guard = (await p.expect(/Turn on the region guard/)).replace(/[│|\s]+/g, ' ');
  for (const t of [
    'refuses regional services',
    'Global services',
    'AWS never applies SCPs there',
    'Easy to change later',
  ])
    if (!guard.includes(t)) throw new Error(`the region guard note lacks "${t}":\n${guard}`);
  await p.keys(KEY.enter);
  // Default VPCs: the member accounts' (Enter takes "yes"), then the management account's
  // (Enter takes "no"), with what deleting them breaks and how to get one back.
  await p.expect(/Delete[\s│]+the[\s│]+unused[\s│]+default[\s│]+VPCs/);
  await p.keys(KEY.enter);
  const vpc = (await p.expect(/Also[\s│]+delete[\s│]+the[\s│]+management/)).replace(/[│|\s]+/g, ' ');
  for (const t of ['What breaks', 'CloudShell', 'CreateDefaultVpc'])
    if (!vpc.includes(t)) throw new Error(`the management default VPC note lacks "${t}":\n${vpc}`);
  await p.keys(KEY.enter);
  // Security Hub is offered with its monthly cost; this founder says no (←/→ toggles in clack's confirm).
  const hub = (await p.expect(/Turn on Security Hub/)).replace(/[│|\s]+/g, ' ');
  for (const t of ['What it costs', 'USD a month', 'https://aws.amazon.com/config/pricing/'])
    if (!hub.includes(t)) throw new Error(`the Security Hub note lacks "${t}":\n${hub}`);
  await p.keys('\x1b[C', KEY.enter);
}
