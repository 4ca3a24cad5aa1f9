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

/** One key of a section: its `key = value` line and any indented continuation lines (a nested block). */
interface KeyLines {
  /** Lowercased, as configparser reads option names; undefined for a line that is no key. */
  key?: string;
  value: string;
  lines: Line[];
}

/**
 * A section's content split into keys (with their continuation lines); blank and comment
 * lines are kept as their own entries, so the founder's comments stay where they were.
 */
function keysOf(lines: Line[], from: number, to: number): KeyLines[] {
  const out: KeyLines[] = [];
  for (let i = from; i < to; i++) {
    const line = lines[i];
    const last = out[out.length - 1];
    if (/^\s/.test(line.text) && line.text.trim() && last?.key !== undefined && !isBlankOrComment(line.text)) {
      last.lines.push(line); // indented continuation: part of the key above
      continue;
    }
    if (isBlankOrComment(line.text)) {
      out.push({ value: '', lines: [line] });
      continue;
    }
    // configparser splits on the first `=` or `:`; values may contain more of both (URLs).
    const m = /^([^=:]*?)\s*[=:]\s*(.*)$/.exec(line.text.trim());
    out.push(m ? { key: m[1].toLowerCase(), value: m[2].trim(), lines: [line] } : { value: '', lines: [line] });
  }
  return out;
}

/**
 * The content of our own section with our keys set to `entries`, or undefined when it already
 * says exactly that. Only the keys secure-start writes are ours: any other key a founder added
 * (cli_pager, a nested s3 block, …) stays, with its comments, where it was. A second copy of
 * one of our keys goes (configparser refuses a file with a key twice in a section).
 */
function rewriteOwned(
  lines: Line[],
  block: Block,
  entries: Section['entries'],
  eol: string,
  extra: KeyLines[] = [],
): Line[] | undefined {
  const want = new Map(entries.map(([k, v]) => [k.toLowerCase(), { k, v }]));
  const have = [...keysOf(lines, block.headerLine + 1, block.contentEnd), ...extra];
  const out: Line[] = [];
  const done = new Set<string>();
  let changed = extra.length > 0;
  let lastOurs = -1;
  for (const kl of have) {
    const ours = kl.key !== undefined ? want.get(kl.key) : undefined;
    if (!ours) {
      out.push(...kl.lines);
      continue;
    }
    if (done.has(kl.key!) || kl.lines.length > 1) changed = true;
    if (done.has(kl.key!)) continue;
    done.add(kl.key!);
    if (kl.value === ours.v) out.push(kl.lines[0]);
    else {
      out.push({ text: `${ours.k} = ${ours.v}`, eol: kl.lines[0].eol || eol });
      changed = true;
    }
    lastOurs = out.length - 1;
  }
  const missing = entries.filter(([k]) => !done.has(k.toLowerCase())).map(([k, v]) => ({ text: `${k} = ${v}`, eol }));
  if (missing.length) {
    changed = true;
    out.splice(lastOurs + 1, 0, ...missing);
  }
  return changed ? out : undefined;
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
    const rendered = sectionLines(section, eol);
    if (first.markerLine !== undefined) {
      // Ours: keep the marker and header lines as they are, set our keys, keep the founder's.
      // Keys the founder added to an extra copy (which goes) move into the one that stays.
      const taken = new Set([
        ...section.entries.map(([k]) => k.toLowerCase()),
        ...keysOf(lines, first.headerLine + 1, first.contentEnd).map((kl) => kl.key),
      ]);
      const fromCopies = duplicates
        .flatMap((d) => keysOf(lines, d.headerLine + 1, d.contentEnd))
        .filter((kl) => kl.key !== undefined && !taken.has(kl.key) && taken.add(kl.key));
      const content = rewriteOwned(
        lines,
        first,
        section.entries,
        eol,
        fromCopies.map((kl) => ({ ...kl, lines: kl.lines.map((l) => ({ ...l, eol: l.eol || eol })) })),
      );
      if (!content && duplicates.length === 0) continue;
      if (content) edits.push({ start: first.headerLine + 1, end: first.contentEnd, lines: content });
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
