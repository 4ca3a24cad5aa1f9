// The test order: the longest files first (tests/helpers/sequencer.ts).
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { LONGEST_FIRST, rank } from '../helpers/sequencer.js';

const TESTS = join(__dirname, '..');

describe('the test sequencer', () => {
  it('names only files that exist (a renamed file would quietly go back to the end)', () => {
    for (const f of LONGEST_FIRST) {
      const [dir, base] = f.split('/');
      const found = readdirSync(join(TESTS, dir!)).some((n) => n.startsWith(base!) && n.endsWith('.test.ts'));
      expect(found, f).toBe(true);
    }
    expect(existsSync(join(TESTS, 'reliability/crash-matrix-1.test.ts'))).toBe(true);
  });

  it('starts the crash matrices before the small files vitest would otherwise start first', () => {
    const ids = [
      'tests/unit/cli.test.ts',
      'tests/reliability/crash-matrix-4.test.ts',
      'tests/reliability/crash-sigint.test.ts',
    ];
    const order = [...ids].sort((a, b) => rank(join(TESTS, '..', a)) - rank(join(TESTS, '..', b)));
    expect(order).toEqual([
      'tests/reliability/crash-sigint.test.ts',
      'tests/reliability/crash-matrix-4.test.ts',
      'tests/unit/cli.test.ts',
    ]);
    // wizard-pty. does not take wizard-pty-interrupt's place.
    expect(rank('/x/tests/e2e/wizard-pty-interrupt.test.ts')).toBeGreaterThan(rank('/x/tests/e2e/wizard-pty.test.ts'));
  });
});
