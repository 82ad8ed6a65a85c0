import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { JournalLocation } from '../../../src/journal/config.js';
import { memoryJournal, type RunJournal } from '../../../src/journal/index.js';
import { journalFor, locationId, openJournal } from '../../../src/journal/open.js';

type OciLocation = Extract<JournalLocation, { kind: 'oci-os' }>;
const oci: OciLocation = { kind: 'oci-os', namespace: 'ns', bucket: 'runs', prefix: 'sms/' };

describe('Function: openJournal', () => {
  it('opens the store the location names', () => {
    // Prepare
    const dir = join(mkdtempSync(join(tmpdir(), 'open-')), 'runs');
    const opened: OciLocation[] = [];
    const fake: RunJournal = { ...memoryJournal(), description: 'oci-os stand-in' };

    // Act / Assess
    expect(openJournal({ kind: 'memory' }).description).toBe('memory');
    expect(openJournal({ kind: 'file', dir }).description).toBe(`file:${dir}`);
    expect(
      openJournal(oci, (location) => {
        opened.push(location);
        return fake;
      }),
    ).toBe(fake);
    expect(opened).toEqual([oci]);
  });

  it('refuses an Object Storage location without a client to open it', () => {
    expect(() => openJournal(oci)).toThrow('no Object Storage client available for the run journal');
  });
});

describe('Function: journalFor', () => {
  it('opens one journal per location and process, and reuses it', () => {
    // Prepare
    const dir = join(mkdtempSync(join(tmpdir(), 'open-')), 'runs');
    let opens = 0;
    const opener = () => {
      opens += 1;
      return { ...memoryJournal(), description: 'oci-os stand-in' };
    };

    // Act
    const a = journalFor({ kind: 'file', dir });
    const b = journalFor({ kind: 'file', dir });
    const other = journalFor({ kind: 'file', dir: `${dir}-2` });
    const first = journalFor({ ...oci, prefix: 'reuse/' }, opener);
    const again = journalFor({ ...oci, prefix: 'reuse/' }, opener);

    // Assess
    expect(b).toBe(a);
    expect(other).not.toBe(a);
    expect(again).toBe(first);
    expect(opens).toBe(1);
  });
});

describe('Function: locationId', () => {
  it('names every part of the location', () => {
    expect(locationId({ kind: 'memory' })).toBe('memory');
    expect(locationId({ kind: 'file', dir: '/var/runs' })).toBe('file:/var/runs');
    expect(locationId(oci)).toBe('oci-os://ns/runs/sms/');
  });
});
