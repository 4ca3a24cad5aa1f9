// The real-world files through a founder's whole life cycle: first write, a re-run,
// a changed account ID, a profile added later. After every step the file parses with an INI
// parser, and taking our managed blocks back out gives the original file byte for byte.
import ini from 'ini';
import { describe, expect, it } from 'vitest';
import { MANAGED_MARKER, mergeAwsConfig } from '../../../profiles/merge.js';
import { ACME_BLOCK, acmeSections, DEV, fixture, parseAndCheck, PROD } from './helpers.js';

const FILES: Record<string, string> = {
  'an empty file': '',
  'a file with many profiles and comments': fixture('many-profiles.ini'),
  'a file with an older legacy SSO profile': fixture('legacy-sso.ini'),
  'a file with Windows line endings': fixture('windows-crlf.ini'),
};

/** The file minus every `# managed by secure-start` block (marker through its last key line) and the separator we add. */
function withoutOurs(text: string, original: string): string {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const lines = text.split(eol);
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] === MANAGED_MARKER) {
      i++; // header
      while (i + 1 < lines.length && /^[a-z_]+ = /.test(lines[i + 1]!)) i++;
      continue;
    }
    out.push(lines[i]!);
  }
  // What we appended was separated by blank lines; what remains of it is blank lines only.
  let rest = out.join(eol);
  while (rest.length > original.length && rest.endsWith(eol)) rest = rest.slice(0, -eol.length);
  return rest;
}

describe('real-world config files through a life cycle', () => {
  for (const [what, original] of Object.entries(FILES)) {
    it(`${what}: write, re-run, change, add; parses every time; unrelated bytes untouched`, () => {
      const first = mergeAwsConfig(original, acmeSections([PROD]));
      expect(first.changed).toBe(true);
      expect(first.text.startsWith(original)).toBe(true);
      expect(ini.parse(first.text)['profile acme-prod-admin'].sso_account_id).toBe('111122223333');
      expect(withoutOurs(first.text, original)).toBe(original);

      const again = mergeAwsConfig(first.text, acmeSections([PROD]));
      expect(again).toMatchObject({ changed: false, added: [], updated: [], conflicts: [] });
      expect(again.text).toBe(first.text);

      const moved = mergeAwsConfig(first.text, acmeSections([{ ...PROD, accountId: '999988887777' }]));
      expect(moved.updated).toEqual(['profile acme-prod-admin']);
      expect(moved.text.length).toBe(first.text.length);
      expect(ini.parse(moved.text)['profile acme-prod-admin'].sso_account_id).toBe('999988887777');
      expect(withoutOurs(moved.text, original)).toBe(original);

      const grown = mergeAwsConfig(first.text, acmeSections([PROD, DEV]));
      expect(grown.added).toEqual(['profile acme-dev-power']);
      expect(grown.text.startsWith(first.text)).toBe(true);
      parseAndCheck(grown.text);
      expect(ini.parse(grown.text)['profile acme-dev-power'].sso_role_name).toBe('PowerUser');
      expect(withoutOurs(grown.text, original)).toBe(original);
      // One line ending style throughout what we wrote.
      if (original.includes('\r\n')) expect(grown.text.replace(/\r\n/g, '')).not.toContain('\n');
      else expect(grown.text).not.toContain('\r');
    });
  }

  it("a file with a conflicting section name: reported, the founder's section still reads as theirs, ours added around it", () => {
    const original = fixture('conflict.ini');
    const out = mergeAwsConfig(original, acmeSections());
    expect(out.conflicts).toEqual(['profile acme-prod-admin']);
    const parsed = ini.parse(out.text);
    // Not ours: their output = text and region us-east-1 stay.
    expect(parsed['profile acme-prod-admin']).toMatchObject({ region: 'us-east-1', output: 'text' });
    expect(parsed['sso-session acme'].sso_start_url).toBe('https://d-1234567890.awsapps.com/start');
    expect(parsed['profile other'].region).toBe('eu-west-1');
    expect(withoutOurs(out.text, original)).toBe(original);
  });

  it('the block we write for an empty file is exactly what `aws configure sso` users know', () => {
    expect(mergeAwsConfig('', acmeSections()).text).toBe(ACME_BLOCK);
  });
});
