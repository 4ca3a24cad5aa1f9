// A step only a person can do (in the AWS console): a box with what to do, why, and the
// link, then "Press Enter when done". The engine checks by API on the next round.
import type { ActionView } from '../engine/io.js';
import { style } from './style.js';
import { visibleLength, wrap } from './render/wrap.js';

/** The box, as text (also used in tests): wrapped to `width` columns; nothing crosses its edge. */
export function formatManualBox(a: ActionView, o: { color: boolean; width: number; stillSeen?: boolean }): string {
  const st = style(o.color);
  const inner = Math.max(30, o.width - 4);
  const link = a.manual?.link;
  // A link too long for the box goes under it, whole, so it can still be clicked or copied;
  // the sentence that names it says "the link below".
  const others: string[] = [];
  let linkBelow = false;
  const fit = (s: string, indent: string) =>
    s.replace(/https?:\/\/\S+/g, (url) => {
      const bare = url.replace(/[),.;]+$/, '');
      if (indent.length + bare.length <= inner) return url;
      const rest = url.slice(bare.length);
      if (bare === link) {
        linkBelow = true;
        return `the link below${rest}`;
      }
      if (!others.includes(bare)) others.push(bare);
      return `link ${others.indexOf(bare) + 1} below${rest}`;
    });
  const body: string[] = [];
  const add = (s: string, indent = '') => body.push(...wrap(fit(s, indent), inner, indent).split('\n'));
  if (o.stillSeen) add(st.yellow('secure-start checked and still sees this as not done.'));
  add(st.bold(a.summary.replace(/^!\s*/, '')));
  body.push('');
  (a.manual?.instructions ?? []).forEach((line, i) => add(`${i + 1}. ${line}`, '   '));
  if (a.manual?.why) {
    body.push('');
    add(`Why: ${a.manual.why}`, '     ');
  }
  if (link && `Link: ${link}`.length <= inner && !linkBelow) {
    body.push('');
    body.push(`Link: ${link}`);
  } else if (link) linkBelow = true;
  if (a.manual?.switchProfile) {
    body.push('');
    add(`After Enter, secure-start goes on with the AWS profile ${a.manual.switchProfile}.`);
  }
  const title = ' A step for you ';
  const w = Math.min(inner, Math.max(...body.map(visibleLength), title.length + 2));
  const top = `┌─${title}${'─'.repeat(Math.max(0, w - title.length + 1))}┐`;
  const lines = body.map((l) => `│ ${l}${' '.repeat(Math.max(0, w - visibleLength(l)))} │`);
  const below = [...(linkBelow ? [`Link: ${link}`] : []), ...others.map((u, i) => `Link ${i + 1}: ${u}`)];
  return [st.cyan(top), ...lines, st.cyan(`└${'─'.repeat(w + 2)}┘`), ...below].join('\n') + '\n';
}
