// Colour only when wanted: a TTY, NO_COLOR unset, not CI (FORCE_COLOR overrides).
import { styleText } from 'node:util';

export interface Style {
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
}

export function wantsColor(stream: NodeJS.WriteStream | NodeJS.WritableStream, env = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR && env.FORCE_COLOR !== '0') return true;
  return Boolean((stream as NodeJS.WriteStream).isTTY) && !env.CI && env.TERM !== 'dumb';
}

export function style(color: boolean): Style {
  const f = (fmt: Parameters<typeof styleText>[0]) => (s: string) =>
    color ? styleText(fmt, s, { validateStream: false }) : s;
  return { red: f('red'), green: f('green'), yellow: f('yellow'), cyan: f('cyan'), dim: f('dim'), bold: f('bold') };
}
