import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Real PostgreSQL, ffmpeg and Chromium on a 2-core machine: run test files two at a time.
    maxWorkers: 2,
    pool: 'forks',
  },
});
