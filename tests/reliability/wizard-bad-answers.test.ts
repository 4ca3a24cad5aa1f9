// Bad interactive answers: in the wizard (a real pseudo-terminal), every bad answer is refused
// as typed with the field's rule and asked again; nothing reaches AWS as a change. At the
// plan's confirmation the founder presses Ctrl-C: no mutating call was ever made.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startEmu, type Emulator } from '../helpers/harness.js';
import { KEY, PtySession } from '../helpers/pty.js';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmu({ scenario: 'fresh+iam-user' });
  emu.setRootMfa(true);
  emu.enableIdentityCenter('us-east-1');
});
afterAll(async () => {
  await emu.stop();
});

/** Question → bad answers with the message each must show → the good answer. */
export const BAD_ANSWERS: { question: RegExp; bad: [string, RegExp][]; good: string }[] = [
  {
    question: /What is your company called\?/,
    bad: [
      ['A'.repeat(41), /must be 1 to 40 characters/],
      ['Acme<script>', /use letters, digits, spaces/],
      ['Ac\u200dme', /use letters, digits, spaces/], // zero-width joiner
      ['Acme\u202eX', /use letters, digits, spaces/], // right-to-left override
    ],
    good: 'Acme Robotics',
  },
  {
    question: /Mailbox for the AWS account emails/,
    bad: [
      ['ops-at-acme', /needs an @ and a domain/],
      ['\u043eps@acme.example', /plain ASCII/], // Cyrillic "o"
      ['ops@acme', /needs a domain with a dot/],
      ['o@a.b', /must be 6 to 64 characters/],
    ],
    good: 'ops@acme.example',
  },
  {
    question: /Your first name/,
    bad: [
      ['x'.repeat(65), /must be 1 to 64 characters/],
      ['<b>', /control characters or < >/],
    ],
    good: 'Ada',
  },
  {
    question: /Your email/,
    bad: [
      ['ada@@acme.example', /exactly one @/],
      ['ada lovelace@acme.example', /must not contain spaces/],
    ],
    good: 'ada@acme.example',
  },
  {
    question: /Monthly budget in USD/,
    bad: [
      ['0', /more than 0/],
      ['-5', /positive amount in plain digits/],
      ['1e9', /positive amount in plain digits/], // AWS takes plain decimals only
      ['1,000', /positive amount in plain digits/],
      ['1234567890123456', /more than 15 significant digits/],
    ],
    good: '250',
  },
  {
    question: /unusual costs from how many USD\?/,
    bad: [
      ['twenty', /amount in plain digits/],
      ['-1', /amount in plain digits/],
    ],
    good: '25',
  },
  {
    question: /Your phone, with country code/,
    bad: [
      ['call me', /only digits/],
      ['+++', /must contain digits/],
    ],
    good: '+44 20 7946 0000',
  },
];

test('every bad answer is refused as typed with its rule, and nothing is changed in AWS', async () => {
  const p = new PtySession([], { emu });
  try {
    let refused = 0;
    const ask = async (q: (typeof BAD_ANSWERS)[number]) => {
      await p.expect(q.question);
      await new Promise((r) => setTimeout(r, 60));
      for (const [value, says] of q.bad) {
        await p.send(value + KEY.enter);
        await p.expect(says);
        refused++;
        await p.keys(...Array([...value].length).fill(KEY.backspace));
      }
      await p.send(q.good + KEY.enter);
    };
    const q = (re: RegExp) => BAD_ANSWERS.find((b) => b.question.source === re.source)!;
    await ask(q(/What is your company called\?/));
    await p.expect(/Home region/);
    await p.keys(KEY.enter);
    await p.expect(/Add optional accounts\?/);
    await p.keys(KEY.enter);
    await ask(q(/Mailbox for the AWS account emails/));
    await p.expect(/Use these addresses\?/);
    await p.send(KEY.enter);
    await ask(q(/Your first name/));
    await p.answer(/Your last name/, 'Lovelace');
    await ask(q(/Your email/));
    await ask(q(/Monthly budget in USD/));
    await p.answer(/Who gets cost alerts\?/, '');
    await ask(q(/unusual costs from how many USD\?/));
    await p.expect(/security contacts\?/);
    await p.keys(KEY.enter);
    await ask(q(/Your phone, with country code/));
    await p.expect(/Regions you will use/);
    await p.keys(KEY.enter);
    await p.expect(/Turn on the region guard/);
    await p.keys(KEY.enter);
    // The steps' own questions take their recommended answers.
    for (const q of [
      /Delete[\s│]+the[\s│]+unused[\s│]+default/,
      /Also[\s│]+delete[\s│]+the[\s│]+management/,
      /Turn on Security Hub/,
    ]) {
      await p.expect(q);
      await p.keys(KEY.enter);
    }
    await p.expect(/Apply these (\d+) changes/, 60);
    expect(refused).toBe(BAD_ANSWERS.reduce((n, b) => n + b.bad.length, 0));
    await p.keys(KEY.ctrlC);
    const end = await p.exit(60);
    expect(end.code).not.toBe(0);
    expect(emu.calls({ mutating: true })).toEqual([]);
  } finally {
    await p.close();
  }
}, 180_000);
