import { defineConfig } from 'vitest/config';

// `npm run mutate` (Stryker) runs the unit tests, and the integration tests that drive src/ in this process
// (the Object Storage journal through the real OCI SDK against the local stand-in). Not the rest: they run
// dist/func.js, which a mutant of the source does not reach, and their spawned processes would make every
// mutant minutes long.
export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/integration/journal-object-storage*.test.ts'],
    exclude: ['test/unit/architecture/**'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
