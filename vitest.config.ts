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
    // Most of a test's time is a CLI child process and the emulator answering it in turns, so
    // each file keeps about one core busy: run at least two files at once, even on 2 cores
    // (the default leaves one core idle there). SS_TEST_WORKERS overrides.
    maxWorkers: Number(process.env.SS_TEST_WORKERS) || Math.max(2, availableParallelism()),
  },
});
