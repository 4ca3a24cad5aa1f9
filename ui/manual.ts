// A step only a person can do (in the AWS console): a box with what to do, why, and the
// link, then "Press Enter when done". The engine checks by API on the next round.
import type { ActionView } from '../engine/io.js';
import { style } from './style.js';
import { visibleLength, wrap } from './render/wrap.js';

/** The box, as text (also used in tests): wrapped to `width` columns. */
export function formatManualBox(a: ActionView, o: { color: boolean; width: number; stillSeen?: boolean }): string {
  const st = style(o.color);
  const inner = Math.max(30, o.width - 4);
  const body: string[] = [];
  const add = (s: string, indent = '') => body.push(...wrap(s, inner, indent).split('\n'));
  if (o.stillSeen) add(st.yellow('secure-start checked and still sees this as not done.'));
  add(st.bold(a.summary.replace(/^!\s*/, '')));
  body.push('');
  (a.manual?.instructions ?? []).forEach((line, i) => add(`${i + 1}. ${line}`, '   '));
  if (a.manual?.why) {
    body.push('');
    add(`Why: ${a.manual.why}`, '     ');
  }
  if (a.manual?.link) {
    body.push('');
    // Links stay whole so they can be clicked or copied, even past the box edge.
    body.push(`Link: ${a.manual.link}`);
  }
  if (a.manual?.switchProfile) {
    body.push('');
    add(`After Enter, secure-start goes on with the AWS profile ${a.manual.switchProfile}.`);
  }
  const title = ' A step for you ';
  const w = Math.min(inner, Math.max(...body.map(visibleLength), title.length + 2));
  const top = `┌─${title}${'─'.repeat(Math.max(0, w - title.length + 1))}┐`;
  const lines = body.map((l) => `│ ${l}${' '.repeat(Math.max(0, w - visibleLength(l)))} │`);
  return [st.cyan(top), ...lines.map((l) => (visibleLength(l) > o.width ? l.replace(/ +│$/, '') : l)), st.cyan(`└${'─'.repeat(w + 2)}┘`)].join('\n') + '\n';
}
