// Secret scanner for the reliability tests: nothing the CLI writes or prints may contain an
// access key ID, a secret access key or a session token. It looks both for the exact secrets
// the emulator issued (collected from its credential table) and for AWS-shaped patterns.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect } from 'vitest';
import type { Emulator } from './harness.js';

export interface Finding {
  where: string;
  what: string;
  excerpt: string;
}

/** AWS-shaped secrets, whoever issued them. */
const PATTERNS: [string, RegExp][] = [
  ['access key ID', /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/],
  ['session token', /FwoGZXIvYXdzE[A-Za-z0-9/+=]{20,}/],
  ['secret key assignment', /aws_secret_access_key\s*[=:]\s*\S+/i],
  ['session token assignment', /aws_session_token\s*[=:]\s*\S+/i],
  ['secret access key field', /"?SecretAccessKey"?\s*[=:]\s*"?[A-Za-z0-9/+=]{20,}/],
];

/** Every secret the emulator has issued so far (base keys and every minted session). Collect
 *  before `reset()`, which forgets minted sessions. */
export class IssuedSecrets {
  readonly values = new Set<string>();
  collect(emu: Emulator): this {
    for (const c of Object.values(emu.world.credentials)) {
      this.values.add(c.accessKeyId);
      this.values.add(c.secretAccessKey);
      if (c.sessionToken) this.values.add(c.sessionToken);
    }
    return this;
  }
}

export function scanForSecrets(items: { where: string; text: string }[], issued?: IssuedSecrets): Finding[] {
  const out: Finding[] = [];
  for (const { where, text } of items) {
    for (const s of issued?.values ?? []) {
      const i = text.indexOf(s);
      if (i >= 0) out.push({ where, what: 'issued secret', excerpt: text.slice(Math.max(0, i - 40), i + 40) });
    }
    for (const [what, re] of PATTERNS) {
      const m = re.exec(text);
      if (m) out.push({ where, what, excerpt: text.slice(Math.max(0, m.index - 40), m.index + m[0].length + 20) });
    }
  }
  return out;
}

/** Every file under `dir` (state files, locks, ~/.aws/config, temp files), as scan items. */
export function filesUnder(dir: string): { where: string; text: string }[] {
  const out: { where: string; text: string }[] = [];
  const walk = (d: string) => {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const n of names) {
      const p = join(d, n);
      let st;
      try {
        st = statSync(p);
      } catch {
        continue;
      }
      if (st.isDirectory()) walk(p);
      else if (st.isFile() && st.size < 5_000_000) out.push({ where: p, text: readFileSync(p, 'utf8') });
    }
  };
  walk(dir);
  return out;
}

/**
 * A test-file-wide collector: tests add every output and scratch dir they produce; one
 * `scan()` at the end checks them all against the issued secrets.
 */
export class SecretScan {
  private items: { where: string; text: string }[] = [];
  readonly issued = new IssuedSecrets();
  files = 0;
  outputs = 0;

  output(where: string, ...texts: string[]): void {
    for (const t of texts) this.items.push({ where, text: t });
    this.outputs += texts.length;
  }

  dir(dir: string): void {
    const files = filesUnder(dir);
    this.files += files.length;
    this.items.push(...files);
  }

  run(r: { stdout: string; stderr: string; dir: string }, where = r.dir): void {
    this.output(`${where} stdout/stderr`, r.stdout, r.stderr);
    this.dir(r.dir);
  }

  scan(): Finding[] {
    return scanForSecrets(this.items, this.issued);
  }
}

/**
 * After a file's tests: collect the credentials its emulators issued, scan every output and
 * file the file recorded in `secrets` (none may hold a secret), then stop the emulators.
 * `emus` is read then, so emulators started in beforeAll count.
 */
export function scanAndStopAfterAll(secrets: SecretScan, emus: () => Emulator[]): void {
  afterAll(async () => {
    for (const emu of emus()) secrets.issued.collect(emu);
    expect(secrets.scan()).toEqual([]);
    for (const emu of emus()) await emu.stop();
  });
}
