/**
 * docs/local-stack.md's fault reference names every field and every action the emulator's fault
 * schema takes, so an outage drill can be written from the page alone (issue 18 item 7).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FaultSpecSchema } from '../../../src/emulator/faults.js';

const page = readFileSync(new URL('../../../docs/local-stack.md', import.meta.url), 'utf8');
const reference = page.slice(page.indexOf('### Faults'), page.indexOf('### Quirks'));

/** The first cell of each table row, when it is one `code` span. */
function firstCells(text: string): string[] {
  return [...text.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1] ?? '');
}

describe('the emulator fault reference (docs/local-stack.md)', () => {
  it('documents every field of a fault spec', () => {
    const documented = new Set(firstCells(reference).filter((c) => c in FaultSpecSchema.shape));
    expect([...documented].sort()).toEqual(Object.keys(FaultSpecSchema.shape).sort());
  });

  it('documents every action, how to remove faults, and what a fault without times does', () => {
    expect(firstCells(reference)).toEqual(expect.arrayContaining([...FaultSpecSchema.shape.action.options]));
    expect(reference).toContain('`DELETE` removes them all');
    expect(reference).toMatch(/`times` \| how many matching requests it affects; absent: every one, for ever/);
    expect(reference).toMatch(/`\*` matches exactly one segment/);
  });
});
