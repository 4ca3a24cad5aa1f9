// The order test files start in. Vitest starts the files it has no timings for (every clean
// clone, as in CI) largest first, by bytes: the crash shards are five-line files, so the
// longest files of the suite started last and ran on after the rest had finished. Starting the
// longest first lets the short ones fill the workers at the end (longest-processing-time
// scheduling). The list is by file time in clean-clone CI runs (the closing notes of issue
// 17 and 18), longest first; a stale entry only changes an order, never what runs.
import { BaseSequencer, type TestSpecification } from 'vitest/node';

export const LONGEST_FIRST = [
  'reliability/crash-sigint',
  'reliability/crash-matrix-1',
  'reliability/crash-matrix-2',
  'reliability/crash-matrix-3',
  'reliability/crash-matrix-services',
  'reliability/crash-matrix-4',
  'reliability/crash-matrix-ebs',
  'reliability/dry-run',
  'reliability/crash-waits',
  'reliability/fault-storm',
  'e2e/demo',
  'e2e/wizard-pty.',
  'e2e/organization-structure',
  'reliability/consistency-resume',
  'e2e/wizard-pty-interrupt',
  'e2e/one-run',
];

export function rank(moduleId: string): number {
  const i = LONGEST_FIRST.findIndex((f) => moduleId.replace(/\\/g, '/').includes(`tests/${f}`));
  return i < 0 ? LONGEST_FIRST.length : i;
}

export default class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const base = await super.sort(files);
    // Array.prototype.sort is stable: the rest keep vitest's own order.
    return [...base].sort((a, b) => rank(a.moduleId) - rank(b.moduleId));
  }
}
