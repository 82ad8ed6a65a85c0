import { defineConfig } from 'vitest/config';

// `npm run mutate` (Stryker) runs the unit tests only: the integration tests run dist/func.js, which a
// mutant of the source does not reach, and their spawned processes would make every mutant minutes long. The
// in-process Object Storage journal tests (test/integration/journal-object-storage*.test.ts) would reach
// src/journal/object-storage-store.ts, but they take ~8 s a run here (RSA keys, an HTTP stand-in) for every mutant
// of the journal they cover; left out, that file counts as not covered (docs/testing.md).
export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts'],
    exclude: ['test/unit/architecture/**'],
    testTimeout: 30_000,
  },
});
