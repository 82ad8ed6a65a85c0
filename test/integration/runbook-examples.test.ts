/**
 * docs/runbook.md's worked examples are what the commands print: each generated block is run again
 * (the function under the fdk, the emulator, the built CLI) and compared with the page, ids, times
 * and durations masked. On a difference: `npm run docs:runbook`, and read the diff.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { blocksOf, EXAMPLES, generate, RUNBOOK, volatile, type ExampleName } from '../../scripts/runbook-examples.js';

describe('docs/runbook.md worked examples', () => {
  const page = blocksOf(readFileSync(RUNBOOK, 'utf8'));

  it('has a generated block for every example, and no other', () => {
    expect([...page.keys()].sort()).toEqual(Object.keys(EXAMPLES).sort());
  });

  it.each(Object.keys(EXAMPLES) as ExampleName[])(
    '%s is what the commands print now',
    async (name) => {
      // Act
      const fresh = await generate([name]);

      // Assess
      expect(volatile(fresh.get(name) ?? ''), 'docs/runbook.md drifted: run `npm run docs:runbook`').toBe(
        volatile(page.get(name) ?? ''),
      );
    },
    180_000,
  );
});
