/**
 * Merges secure-start's sections into an existing AWS CLI config file as text, line by line,
 * so that everything we do not own (other sections, comments, blank lines, odd spacing, line
 * endings, a BOM) survives byte for byte. A round trip through an INI library would lose that.
 */
import { ProfileConfigError, validateSection, type Section } from './render.js';

/** Comment written directly above each section header we own; how a re-run recognises them. */
export const MANAGED_MARKER = '# managed by secure-start';

export interface MergeOptions {
  /** Replace same-named sections we did not write instead of reporting them as conflicts. */
  force?: boolean;
}

export interface MergeResult {
  text: string;
  changed: boolean;
  /** Headers (e.g. `profile acme-prod-admin`) appended at the end of the file. */
  added: string[];
  /** Headers rewritten in place (ours with new values, or someone else's under `force`). */
  updated: string[];
  /** Headers that exist without our marker and were left alone (only without `force`). */
  conflicts: string[];
}

interface Line {
  text: string;
  /** The line's own terminator: '\n', '\r\n', or '' for a last line without one. */
  eol: string;
}

interface Block {
  /** Normalised header, see normaliseHeader. */
  key: string;
  headerLine: number;
  /** Index of our marker comment (headerLine - 1) when the section is ours. */
  markerLine?: number;
  /**
   * One past the last key/value or continuation line. Trailing blank and comment lines before
   * the next header are not part of the section: they separate it from, or describe, the next one.
   */
  contentEnd: number;
}

interface Edit {
  start: number;
  end: number;
  lines: Line[];
}

const BOM = '\uFEFF';
// configparser (which the AWS CLI uses) takes a header from `[` up to `]`; text after it is ignored.
const HEADER_RE = /^[ \t]*\[([^\]]*)\]/;
const MARKER_RE = /^[ \t]*[#;][ \t]*managed by secure-start[ \t]*$/i;

/**
 * Canonical form of a header for comparisons. The CLI accepts `[ profile  x ]` for
 * `[profile x]` (it splits the header on whitespace, honouring quotes), and `[profile default]`
 * is the same profile as `[default]`.
 */
export function normaliseHeader(raw: string): string {
  const words = raw.trim().split(/\s+/);
  if (words.length === 2 && (words[0] === 'profile' || words[0] === 'sso-session' || words[0] === 'services')) {
    const name = words[1].replace(/^"(.*)"$/, '$1').replace(/^'(.*)'$/, '$1');
    if (words[0] === 'profile' && name === 'default') return 'default';
    return `${words[0]} ${name}`;
  }
  return words.join(' ');
}

function splitLines(body: string): Line[] {
  const lines: Line[] = [];
  let start = 0;
  while (start < body.length) {
    const nl = body.indexOf('\n', start);
    if (nl === -1) {
      lines.push({ text: body.slice(start), eol: '' });
      break;
    }
    const crlf = nl > start && body[nl - 1] === '\r';
    lines.push({ text: body.slice(start, crlf ? nl - 1 : nl), eol: crlf ? '\r\n' : '\n' });
    start = nl + 1;
  }
  return lines;
}

/** The file's majority line ending; LF for a file with no line breaks yet (or a tie). */
function detectEol(lines: Line[]): string {
  let crlf = 0;
  let lf = 0;
  for (const l of lines) {
    if (l.eol === '\r\n') crlf++;
    else if (l.eol === '\n') lf++;
  }
  return crlf > lf ? '\r\n' : '\n';
}

const isBlankOrComment = (text: string): boolean => {
  const t = text.trim();
  return t === '' || t.startsWith('#') || t.startsWith(';');
};

function findBlocks(lines: Line[]): Block[] {
  const headers: number[] = [];
  lines.forEach((l, i) => {
    if (HEADER_RE.test(l.text)) headers.push(i);
  });
  return headers.map((headerLine, n) => {
    const next = n + 1 < headers.length ? headers[n + 1] : lines.length;
    let contentEnd = next;
    while (contentEnd > headerLine + 1 && isBlankOrComment(lines[contentEnd - 1].text)) contentEnd--;
    const raw = HEADER_RE.exec(lines[headerLine].text)![1];
    const owned = headerLine > 0 && MARKER_RE.test(lines[headerLine - 1].text);
    return { key: normaliseHeader(raw), headerLine, markerLine: owned ? headerLine - 1 : undefined, contentEnd };
  });
}

/** Do the section's key/value lines already say exactly what we would write? Order and spacing don't matter. */
function sameEntries(lines: Line[], block: Block, entries: Section['entries']): boolean {
  const found = new Map<string, string>();
  let last: string | undefined;
  for (let i = block.headerLine + 1; i < block.contentEnd; i++) {
    const text = lines[i].text;
    if (isBlankOrComment(text)) continue;
    if (/^\s/.test(text) && last !== undefined) {
      // Indented continuation (a nested sub-section): we never write these, so it differs.
      found.set(last, `${found.get(last)}\n${text.trim()}`);
      continue;
    }
    // configparser splits on the first `=` or `:`; values may contain more of both (URLs).
    const m = /^([^=:]*?)\s*[=:]\s*(.*)$/.exec(text.trim());
    if (!m) return false;
    last = m[1].toLowerCase();
    if (found.has(last)) return false;
    found.set(last, m[2].trim());
  }
  return found.size === entries.length && entries.every(([k, v]) => found.get(k.toLowerCase()) === v);
}

function sectionLines(section: Section, eol: string): Line[] {
  return [
    { text: MANAGED_MARKER, eol },
    { text: `[${section.header}]`, eol },
    ...section.entries.map(([k, v]) => ({ text: `${k} = ${v}`, eol })),
  ];
}

/**
 * Merges `sections` into the config text `existing`. Sections we wrote before are updated in
 * place, new ones are appended, and same-named sections without our marker are reported in
 * `conflicts` and left untouched (replaced when `force`). Non-conflicting changes are still
 * applied to `text`; callers that must be all-or-nothing check `conflicts` before writing.
 */
export function mergeAwsConfig(existing: string, sections: Section[], opts: MergeOptions = {}): MergeResult {
  const seen = new Set<string>();
  for (const s of sections) {
    validateSection(s);
    const key = normaliseHeader(s.header);
    if (seen.has(key)) throw new ProfileConfigError(`section [${s.header}] is listed twice`);
    seen.add(key);
  }

  const bom = existing.startsWith(BOM) ? BOM : '';
  const lines = splitLines(existing.slice(bom.length));
  const eol = detectEol(lines);
  const blocks = findBlocks(lines);

  const result: MergeResult = { text: existing, changed: false, added: [], updated: [], conflicts: [] };
  const edits: Edit[] = [];
  const toAppend: Section[] = [];

  for (const section of sections) {
    const key = normaliseHeader(section.header);
    const matches = blocks.filter((b) => b.key === key);
    if (matches.length === 0) {
      toAppend.push(section);
      result.added.push(section.header);
      continue;
    }
    if (matches.some((b) => b.markerLine === undefined) && !opts.force) {
      result.conflicts.push(section.header);
      continue;
    }
    const [first, ...duplicates] = matches;
    if (duplicates.length === 0 && first.markerLine !== undefined && sameEntries(lines, first, section.entries)) continue;

    const rendered = sectionLines(section, eol);
    if (first.markerLine !== undefined) {
      // Ours: keep the marker and header lines as they are, replace the keys.
      edits.push({ start: first.headerLine + 1, end: first.contentEnd, lines: rendered.slice(2) });
    } else {
      // Someone else's, taken over under --force: comments above it stay, we add our marker.
      edits.push({ start: first.headerLine, end: first.contentEnd, lines: rendered });
    }
    // The CLI rejects a file with the same section twice, so extra copies go.
    for (const d of duplicates) edits.push({ start: d.markerLine ?? d.headerLine, end: d.contentEnd, lines: [] });
    result.updated.push(section.header);
  }

  if (edits.length === 0 && toAppend.length === 0) return result;

  // Apply from the bottom up so earlier indexes stay valid.
  edits.sort((a, b) => b.start - a.start);
  const lastHadNoEol = lines.length > 0 && lines[lines.length - 1].eol === '';
  for (const e of edits) lines.splice(e.start, e.end - e.start, ...e.lines);

  if (toAppend.length > 0) {
    if (lines.length > 0 && lines[lines.length - 1].text.trim() !== '') lines.push({ text: '', eol });
    toAppend.forEach((s, i) => {
      if (i > 0) lines.push({ text: '', eol });
      lines.push(...sectionLines(s, eol));
    });
  } else if (lastHadNoEol && lines.length > 0) {
    // An in-place edit keeps a file that had no final newline without one.
    lines[lines.length - 1].eol = '';
  }
  // Only the last line may lack a terminator; anything that now follows the old last line needs one.
  for (let i = 0; i < lines.length - 1; i++) if (lines[i].eol === '') lines[i].eol = eol;

  result.text = bom + lines.map((l) => l.text + l.eol).join('');
  result.changed = result.text !== existing;
  return result;
}

/** The text `--print` shows: our sections as they would be written into an empty file. */
export function formatSections(sections: Section[]): string {
  return mergeAwsConfig('', sections).text;
}
