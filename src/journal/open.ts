import type { JournalLocation } from './config.js';
import { fileJournal } from './file-store.js';
import type { RunJournal } from './journal.js';
import { memoryJournal } from './memory-store.js';

/** Builds the Object Storage journal; injected so this module does not load the OCI SDK for other stores. */
export type ObjectStorageOpener = (location: Extract<JournalLocation, { kind: 'oci-os' }>) => RunJournal;

const open = new Map<string, RunJournal>();

/**
 * The journal for `location`, one per process and location: a memory journal must outlive the
 * invocation to protect anything at all, and durable stores reuse their clients.
 */
export function journalFor(location: JournalLocation, openObjectStorage?: ObjectStorageOpener): RunJournal {
  const id = locationId(location);
  let journal = open.get(id);
  if (journal === undefined) {
    journal = openJournal(location, openObjectStorage);
    open.set(id, journal);
  }
  return journal;
}

export function openJournal(location: JournalLocation, openObjectStorage?: ObjectStorageOpener): RunJournal {
  switch (location.kind) {
    case 'memory':
      return memoryJournal();
    case 'file':
      return fileJournal(location.dir);
    case 'oci-os':
      if (openObjectStorage === undefined) throw new Error('no Object Storage client available for the run journal');
      return openObjectStorage(location);
  }
}

export function locationId(location: JournalLocation): string {
  switch (location.kind) {
    case 'memory':
      return 'memory';
    case 'file':
      return `file:${location.dir}`;
    case 'oci-os':
      return `oci-os://${location.namespace}/${location.bucket}/${location.prefix}`;
  }
}
