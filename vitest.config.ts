import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import LongestFirst from './tests/helpers/sequencer.js';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // End-to-end tests spawn the built CLI against an in-process emulator; give them room.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // The longest files start first (see the sequencer).
    sequence: { sequencer: LongestFirst },
    // Refuses an old Node once, with the CLI's message (issue 15), instead of failing every e2e test.
    globalSetup: ['tests/helpers/node-check.ts'],
    // Most of a test's time is a CLI child process and the emulator answering it in turns, and
    // many tests also sleep (retry back-off, polls, typing into a terminal): one worker more than
    // there are cores keeps the cores busy through those waits. On 2 cores, 3 workers: 649 s for
    // the whole suite against 697 s with 2 (cores idle 0 % instead of 7 %; the closing note of
    // issue 18). SS_TEST_WORKERS overrides.
    maxWorkers: Number(process.env.SS_TEST_WORKERS) || availableParallelism() + 1,
  },
});
