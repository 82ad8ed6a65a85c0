import { defineConfig } from 'vitest/config';

// `npm run mutate` (Stryker) runs the unit tests only: the integration tests run dist/func.js, which a
// mutant of the source does not reach, and their spawned processes would make every mutant minutes long.
export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts'],
    exclude: ['test/unit/architecture/**'],
    testTimeout: 30_000,
  },
});
