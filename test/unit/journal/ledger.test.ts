import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  fileJournal,
  JournalError,
  journalLedger,
  memoryJournal,
  type RunJournal,
} from '../../../src/journal/index.js';

const stores: [string, () => RunJournal][] = [
  ['memory', () => memoryJournal()],
  ['file', () => fileJournal(join(mkdtempSync(join(tmpdir(), 'ledger-')), 'runs'))],
];

describe.each(stores)('journalLedger over the %s journal', (_, open) => {
  it('gives an incident to the first run that claims it, and answers that run to every later claim', async () => {
    // Prepare
    const ledger = journalLedger(open());

    // Act
    const claims = await Promise.all(['run-a', 'run-b', 'run-c'].map((run) => ledger.claimIncident(1001, run)));
    const again = await ledger.claimIncident(1001, 'run-b');

    // Assess
    expect(new Set(claims).size).toBe(1);
    expect(again).toBe(claims[0]);
    expect(await ledger.claimIncident(1002, 'run-b')).toBe('run-b');
  });

  it('records one contact per number: the first; a later one is answered the first', async () => {
    // Prepare
    const ledger = journalLedger(open());

    // Act
    const first = await ledger.recordContact('+14155550101', 7);
    const second = await ledger.recordContact('+14155550101', 9);

    // Assess
    expect([first, second]).toEqual([7, 7]);
    expect(await ledger.contactFor('+14155550101')).toBe(7);
    expect(await ledger.contactFor('+14155550102')).toBeUndefined();
  });

  it("replaces a gone contact by a link after it: the last link is the number's contact, and one replacement wins", async () => {
    // Prepare: contact 7 was recorded, then found gone; two runs replace it at once
    const ledger = journalLedger(open());
    await ledger.recordContact('+14155550101', 7);

    // Act
    const racing = await Promise.all([
      ledger.recordContact('+14155550101', 11, 7),
      ledger.recordContact('+14155550101', 12, 7),
    ]);
    const stale = await ledger.recordContact('+14155550101', 13);
    const next = await ledger.recordContact('+14155550101', 21, racing[0]);

    // Assess: one of 11 and 12 holds the link after 7; a record without `replacing` is answered the chain's end
    expect(new Set(racing).size).toBe(1);
    expect([11, 12]).toContain(racing[0]);
    expect(stale).toBe(racing[0]);
    expect(next).toBe(21);
    expect(await ledger.contactFor('+14155550101')).toBe(21);
    expect(await ledger.recordContact('+14155550101', 30, 7)).toBe(21);
  });

  it('never lists its facts as runs', async () => {
    // Prepare
    const journal = open();

    // Act
    await journalLedger(journal).claimIncident(1, 'run-a');

    // Assess
    expect(await journal.list()).toEqual([]);
  });
});

describe('journalLedger when the store loses an answer', () => {
  it('reads back a fact whose write may have landed, and keeps it', async () => {
    // Prepare: the write lands, its answer is lost
    const inner = memoryJournal();
    const journal: RunJournal = {
      ...inner,
      createMark: async (name, value) => {
        await inner.createMark(name, value);
        throw new JournalError('answer lost', { inDoubt: true });
      },
    };

    // Act
    const holder = await journalLedger(journal).claimIncident(5, 'run-a');

    // Assess
    expect(holder).toBe('run-a');
  });

  it('fails, rather than guess, when the store refuses for sure', async () => {
    // Prepare
    const journal: RunJournal = { ...memoryJournal(), createMark: () => Promise.reject(new JournalError('down')) };

    // Act / Assess
    await expect(journalLedger(journal).claimIncident(5, 'run-a')).rejects.toThrow('down');
  });
});

it("names a fact's file by a hash, never by the number it is about", async () => {
  // Prepare
  const dir = join(mkdtempSync(join(tmpdir(), 'ledger-')), 'runs');

  // Act
  await journalLedger(fileJournal(dir)).recordContact('+14155550101', 7);

  // Assess
  const names = readdirSync(dir);
  expect(names).toHaveLength(1);
  expect(names[0]).toMatch(/^[0-9a-f]{40}\.mark$/);
});
