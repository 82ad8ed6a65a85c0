import { defineConfig } from 'vitest/config';

// `npm run mutate` (Stryker) runs the unit tests only: the integration tests run dist/func.js, which a
// mutant of the source does not reach, and their spawned processes would make every mutant minutes long. The
// in-process Object Storage journal tests (test/integration/journal-object-storage*.test.ts) would reach
// src/journal/object-storage-store.ts, but each mutant of the engine and journal then paid for their key
// generation and HTTP stand-in: the whole run went from ~60 to ~10 mutants a minute here. That file is measured
// without them (docs/testing.md).
export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts'],
    exclude: ['test/unit/architecture/**'],
    testTimeout: 30_000,
  },
});
