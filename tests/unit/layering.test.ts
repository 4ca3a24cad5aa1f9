// Rules about who may know what, checked on the source text (ARCHITECTURE.md, "Layout").
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../../', import.meta.url).pathname;

/** Every .ts/.tsx file under `dir` (relative to the repo), with its text. */
function sources(dir: string): { file: string; text: string }[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.tsx?$/.test(f))
    .map((f) => ({ file: join(dir, f), text: readFileSync(join(ROOT, dir, f), 'utf8') }));
}

describe('layering', () => {
  it('the UI never builds a step context (it asks the engine or a step entry point)', () => {
    const offenders = sources('ui')
      .filter((s) => /\b(StepContext|RunContext)\b/.test(s.text))
      .map((s) => s.file);
    expect(offenders).toEqual([]);
  });

  it('no step reads process.argv / process.env or keeps state in a module-level variable (it gets them through ctx.env)', () => {
    const offenders = sources('steps')
      .filter((s) => /\bprocess\.(argv|env)\b|^(export )?let /m.test(s.text))
      .map((s) => s.file);
    expect(offenders).toEqual([]);
  });
});
