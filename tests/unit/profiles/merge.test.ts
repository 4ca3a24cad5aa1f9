import ini from 'ini';
import { describe, expect, it } from 'vitest';
import { formatSections, MANAGED_MARKER, mergeAwsConfig, normaliseHeader } from '../../../profiles/merge.js';
import { ProfileConfigError } from '../../../profiles/render.js';
import { ACME_BLOCK, acmeSections, count, DEV, fixture, parseAndCheck, PROD } from './helpers.js';

const crlf = (s: string) => s.replace(/\n/g, '\r\n');

describe('mergeAwsConfig: new sections', () => {
  it('writes into an empty file without a leading blank line', () => {
    const out = mergeAwsConfig('', acmeSections());
    expect(out.text).toBe(ACME_BLOCK);
    expect(out.changed).toBe(true);
    expect(out.added).toEqual(['sso-session acme', 'profile acme-prod-admin', 'profile acme-dev-power']);
    expect(out.updated).toEqual([]);
    expect(out.conflicts).toEqual([]);
    parseAndCheck(out.text);
    expect(formatSections(acmeSections())).toBe(ACME_BLOCK);
  });

  it('appends to a file with many profiles and comments, leaving every existing byte alone', () => {
    const input = fixture('many-profiles.ini');
    const out = mergeAwsConfig(input, acmeSections());
    expect(out.text).toBe(`${input}\n${ACME_BLOCK}`);
    const parsed = parseAndCheck(out.text);
    // The user's own sections still read back as before.
    expect(parsed.default).toMatchObject({ region: 'us-east-1', output: 'json' });
    // `ini` cuts values at an inline `#` (the AWS CLI does not); the bytes are checked above.
    expect(parsed['sso-session othercorp'].sso_start_url).toMatch(/^https:\/\/d-9999999999\.awsapps\.com\/start/);
    expect(parsed['profile client-dev'].role_arn).toBe('arn:aws:iam::444455556666:role/Developer');
    expect(parsed['profile  spaced-out'].credential_process).toBe(
      '/usr/local/bin/cred-helper --profile=spaced --format=json',
    );
    expect(parsed['services local-stack']).toBeDefined();
  });

  it('leaves an older legacy SSO profile untouched', () => {
    const input = fixture('legacy-sso.ini');
    const out = mergeAwsConfig(input, acmeSections());
    expect(out.text).toBe(`${input}\n${ACME_BLOCK}`);
    const parsed = parseAndCheck(out.text);
    expect(parsed['profile acme-legacy-admin']).toEqual({
      sso_start_url: 'https://d-1234567890.awsapps.com/start',
      sso_region: 'eu-west-1',
      sso_account_id: '111122223333',
      sso_role_name: 'AdministratorAccess',
      region: 'eu-west-1',
      output: 'json',
    });
  });

  it('keeps Windows line endings', () => {
    const input = fixture('windows-crlf.ini');
    expect(input).toContain('\r\n');
    const out = mergeAwsConfig(input, acmeSections());
    expect(out.text).toBe(`${input}\r\n${crlf(ACME_BLOCK)}`);
    expect(out.text.replace(/\r\n/g, '')).not.toContain('\n');
    const parsed = parseAndCheck(out.text);
    expect(parsed['profile work'].region).toBe('us-east-1');
  });

  it('uses the majority line ending in a mixed file', () => {
    const input = '[a]\r\nx = 1\r\ny = 2\n[b]\r\nz = 3\r\n';
    const out = mergeAwsConfig(input, acmeSections([PROD]));
    expect(out.text.startsWith(input)).toBe(true);
    expect(out.text.slice(input.length)).not.toMatch(/[^\r]\n/);
  });

  it('adds the missing final newline before appending', () => {
    const input = '[default]\nregion = eu-west-1';
    const out = mergeAwsConfig(input, acmeSections());
    expect(out.text).toBe(`${input}\n\n${ACME_BLOCK}`);
    parseAndCheck(out.text);
  });

  it('does not add a second blank line when the file already ends with one', () => {
    const input = '[default]\nregion = eu-west-1\n\n';
    expect(mergeAwsConfig(input, acmeSections()).text).toBe(input + ACME_BLOCK);
  });

  it('keeps a UTF-8 BOM at the start', () => {
    const input = `\uFEFF${fixture('legacy-sso.ini')}`;
    const out = mergeAwsConfig(input, acmeSections());
    expect(out.text).toBe(`${input}\n${ACME_BLOCK}`);
    expect(count(out.text, '\uFEFF')).toBe(1);
    parseAndCheck(out.text);
    // A BOM-only file counts as empty.
    expect(mergeAwsConfig('\uFEFF', acmeSections()).text).toBe(`\uFEFF${ACME_BLOCK}`);
  });
});

describe('mergeAwsConfig: re-runs', () => {
  it('is idempotent: the second merge changes nothing', () => {
    for (const input of [
      '',
      fixture('many-profiles.ini'),
      fixture('windows-crlf.ini'),
      '\uFEFF[default]\nregion = x',
    ]) {
      const first = mergeAwsConfig(input, acmeSections());
      const second = mergeAwsConfig(first.text, acmeSections());
      expect(second).toEqual({ text: first.text, changed: false, added: [], updated: [], conflicts: [] });
    }
  });

  it('tolerates cosmetic edits to our sections (spacing, key order, header spacing)', () => {
    const first = mergeAwsConfig('', acmeSections([PROD])).text;
    const edited = first
      .replace('[profile acme-prod-admin]', '[ profile   acme-prod-admin ]')
      .replace('region = eu-west-1\noutput = json', 'output=json\nregion:eu-west-1');
    expect(mergeAwsConfig(edited, acmeSections([PROD]))).toMatchObject({ text: edited, changed: false });
  });

  it('updates a changed account ID in place, touching only that line', () => {
    const input = fixture('many-profiles.ini');
    const first = mergeAwsConfig(input, acmeSections()).text;
    // The user adds their own section after ours; it must stay after ours and unchanged.
    const withTail = `${first}\n# mine\n[profile after]\nregion = us-east-1\n`;
    const out = mergeAwsConfig(withTail, acmeSections([{ ...PROD, accountId: '999988887777' }, DEV]));
    expect(out.changed).toBe(true);
    expect(out.updated).toEqual(['profile acme-prod-admin']);
    expect(out.added).toEqual([]);
    expect(out.text).toBe(withTail.replace('sso_account_id = 111122223333', 'sso_account_id = 999988887777'));
    expect(count(out.text, '[profile acme-prod-admin]')).toBe(1);
  });

  it('updates our keys in our section and keeps a key the founder added there', () => {
    const first = mergeAwsConfig('', acmeSections([PROD])).text;
    const edited = first.replace('output = json\n', 'output = json\ncli_pager = less\n');
    const out = mergeAwsConfig(edited, acmeSections([{ ...PROD, region: 'us-east-1' }]));
    expect(out.text).toBe(edited.replace(/region = eu-west-1\noutput/, 'region = us-east-1\noutput'));
    // The founder's key alone is no difference.
    expect(mergeAwsConfig(edited, acmeSections([PROD]))).toMatchObject({ text: edited, changed: false });
  });

  it('updates in place in a CRLF file without a final newline', () => {
    const first = crlf(mergeAwsConfig('[default]\nregion = x\n', acmeSections([PROD])).text).replace(/\r\n$/, '');
    const out = mergeAwsConfig(first, acmeSections([{ ...PROD, roleName: 'ReadOnly' }]));
    expect(out.text).toBe(first.replace('sso_role_name = AdministratorAccess', 'sso_role_name = ReadOnly'));
  });

  it('adds new profiles at the end and keeps existing ones where they are', () => {
    const first = mergeAwsConfig('[default]\nregion = x\n', acmeSections([PROD])).text;
    const withTail = `${first}\n[profile after]\nregion = y\n`;
    const out = mergeAwsConfig(withTail, acmeSections([PROD, DEV]));
    expect(out.added).toEqual(['profile acme-dev-power']);
    expect(out.text).toBe(`${withTail}\n${ACME_BLOCK.slice(ACME_BLOCK.lastIndexOf(MANAGED_MARKER))}`);
  });

  it('removes duplicate copies of our own section (the CLI rejects duplicate sections)', () => {
    const one = mergeAwsConfig('', acmeSections([PROD])).text;
    const block = one.slice(one.lastIndexOf(MANAGED_MARKER));
    const out = mergeAwsConfig(`${one}\n${block}`, acmeSections([PROD]));
    expect(out.changed).toBe(true);
    expect(count(out.text, '[profile acme-prod-admin]')).toBe(1);
    parseAndCheck(out.text);
  });
});

describe('mergeAwsConfig: sections we did not write', () => {
  it('reports a same-named section without our marker and leaves it untouched', () => {
    const input = fixture('conflict.ini');
    const out = mergeAwsConfig(input, acmeSections());
    expect(out.conflicts).toEqual(['profile acme-prod-admin']);
    expect(out.added).toEqual(['sso-session acme', 'profile acme-dev-power']);
    // The conflicting section is byte-identical; the others were appended after the file.
    expect(out.text.startsWith(input)).toBe(true);
    expect(count(out.text, '[profile acme-prod-admin]')).toBe(1);
    expect(count(out.text, MANAGED_MARKER)).toBe(2);
  });

  it('compares normalised names: [ profile  x ] and [profile default] match', () => {
    const input = '[ profile   acme-prod-admin ]\nregion = us-east-1\n';
    expect(mergeAwsConfig(input, acmeSections([PROD])).conflicts).toEqual(['profile acme-prod-admin']);
    expect(normaliseHeader(' profile  "x" ')).toBe('profile x');
    expect(normaliseHeader('profile default')).toBe('default');
    expect(normaliseHeader('  sso-session   acme ')).toBe('sso-session acme');
    expect(normaliseHeader('plugins')).toBe('plugins');
  });

  it('replaces it in place with force, keeping the comment above it and everything else', () => {
    const input = fixture('conflict.ini');
    const out = mergeAwsConfig(input, acmeSections([PROD]), { force: true });
    expect(out.conflicts).toEqual([]);
    expect(out.updated).toEqual(['profile acme-prod-admin']);
    expect(out.added).toEqual(['sso-session acme']);
    const expectedBody = input.replace(
      '[profile acme-prod-admin]\nsso_session = acme\nsso_account_id = 111122223333\nsso_role_name = AdministratorAccess\nregion = us-east-1\noutput = text\n',
      `${MANAGED_MARKER}\n[profile acme-prod-admin]\nsso_session = acme\nsso_account_id = 111122223333\nsso_role_name = AdministratorAccess\nregion = eu-west-1\noutput = json\n`,
    );
    expect(expectedBody).not.toBe(input);
    expect(out.text.startsWith(expectedBody)).toBe(true);
    expect(out.text).toContain('# Set up by hand last year\n# managed by secure-start\n[profile acme-prod-admin]');
    parseAndCheck(out.text);
    // Now it is ours: a re-run without force is quiet.
    expect(mergeAwsConfig(out.text, acmeSections([PROD]))).toMatchObject({ changed: false, conflicts: [] });
  });

  it('does not take a legacy profile of the same name without force', () => {
    const input = fixture('legacy-sso.ini');
    const out = mergeAwsConfig(input, acmeSections([{ ...PROD, name: 'acme-legacy-admin' }]));
    expect(out.conflicts).toEqual(['profile acme-legacy-admin']);
    expect(out.text.startsWith(input)).toBe(true);
  });
});

describe('mergeAwsConfig: file shapes', () => {
  it('keeps nested sub-sections (indented lines) with their section', () => {
    const first = mergeAwsConfig('', acmeSections([PROD])).text;
    // A user-owned nested block after ours, then an update of ours.
    const input = `${first}[profile nested]\ns3 =\n  max_concurrent_requests = 20\n  addressing_style = path\nregion = us-east-1\n`;
    const out = mergeAwsConfig(input, acmeSections([{ ...PROD, region: 'us-east-1' }]));
    expect(out.text).toBe(input.replace('region = eu-west-1\noutput = json', 'region = us-east-1\noutput = json'));
    expect(ini.parse(out.text)['profile nested']).toEqual({
      s3: '',
      max_concurrent_requests: '20',
      addressing_style: 'path',
      region: 'us-east-1',
    });
  });

  it('keeps a nested block the founder added inside our own section', () => {
    const first = mergeAwsConfig('', acmeSections([PROD])).text;
    const input = `${first.trimEnd()}\ns3 =\n  addressing_style = path\n`;
    expect(mergeAwsConfig(input, acmeSections([PROD]))).toMatchObject({ text: input, changed: false });
    const out = mergeAwsConfig(input, acmeSections([{ ...PROD, accountId: '999988887777' }]));
    expect(out.text).toBe(input.replace('sso_account_id = 111122223333', 'sso_account_id = 999988887777'));
    expect(ini.parse(out.text)['profile acme-prod-admin']).toMatchObject({
      s3: '',
      addressing_style: 'path',
      sso_account_id: '999988887777',
    });
  });

  it('rejects duplicate or malformed sections from the caller', () => {
    const [session] = acmeSections([PROD]);
    expect(() => mergeAwsConfig('', [session, { ...session, header: 'sso-session  acme' }])).toThrow(/listed twice/);
    expect(() => mergeAwsConfig('', [{ header: 'profile x]', entries: [] }])).toThrow(ProfileConfigError);
    expect(() => mergeAwsConfig('', [{ header: 'profile x', entries: [['region', 'a\nb']] }])).toThrow(/line break/);
    expect(() => mergeAwsConfig('', [{ header: 'profile x', entries: [['a=b', 'c']] }])).toThrow(/invalid key/);
  });

  it('returns the input untouched when there is nothing to write', () => {
    const input = fixture('many-profiles.ini');
    expect(mergeAwsConfig(input, [])).toEqual({ text: input, changed: false, added: [], updated: [], conflicts: [] });
  });
});
