import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Integration tests spawn dist/func.js: build it before any test runs.
    globalSetup: ['test/helpers/build.ts'],
    pool: 'forks',
  },
});
