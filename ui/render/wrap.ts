// Word-wraps prose to the terminal width so a narrow terminal (60 columns) stays readable.
// Only our own sentences are wrapped; commands and URLs stay whole on their line.

/** Visible width: escape codes do not count. */
export function visibleLength(s: string): number {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\x1b\[[0-9;]*m/g, '').length;
}

/** Wraps `text` to `width` columns; continuation lines get `indent` (default: the first line's). */
export function wrap(text: string, width: number, indent?: string): string {
  const lead = /^\s*/.exec(text)![0];
  const cont = indent ?? lead;
  const words = text.slice(lead.length).split(/ +/);
  const lines: string[] = [];
  let line = lead;
  for (const w of words) {
    const empty = line === lead || line === cont;
    if (!empty && visibleLength(line) + 1 + visibleLength(w) > width) {
      lines.push(line);
      line = cont + w;
    } else line = empty ? line + w : `${line} ${w}`;
  }
  lines.push(line);
  return lines.join('\n');
}

/** Terminal width to wrap to: the stream's columns, else 80; never below 40 or above 100. */
export function widthOf(stream: NodeJS.WritableStream): number {
  const c = (stream as NodeJS.WriteStream).columns;
  return Math.max(40, Math.min(c || Number(process.env.COLUMNS) || 80, 100));
}
