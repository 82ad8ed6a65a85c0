import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  JournalError,
  objectStorageOpener,
  openJournal,
  parseJournalLocation,
  type RunJournal,
} from '../journal/index.js';

/**
 * The journal the function writes, opened as an SRE: `--journal`, else `$run_journal`, else the
 * newest `npm start` session under `.runs/`, else `file:.runs`.
 */
export function openCliJournal(flag: string | undefined, env: Record<string, string | undefined>): RunJournal {
  const value = flag ?? env.run_journal ?? newestLocalSession('.runs') ?? 'file:.runs';
  const location = parseJournalLocation(value);
  if (typeof location === 'string') throw new JournalError(`--journal ${value}: ${location}`);
  if (location.kind === 'memory')
    throw new JournalError(
      'a memory journal lives inside one function container: the CLI cannot read it (use file:<dir> or oci-os://…)',
    );
  const endpoint = env.oci_objectstorage_endpoint;
  // People use the OCI config file (~/.oci/config, OCI_CLI_PROFILE); inside OCI, the resource principal.
  return openJournal(
    location,
    objectStorageOpener({ env, allowConfigFile: true, maxAttempts: 4, ...(endpoint ? { endpoint } : {}) }),
  );
}

/** `npm start` keeps each session's runs in `.runs/local-<time>-<pid>`; names sort by time. */
function newestLocalSession(dir: string): string | undefined {
  try {
    const sessions = readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && e.name.startsWith('local-'))
      .map((e) => e.name)
      .sort();
    const newest = sessions.at(-1);
    return newest === undefined ? undefined : `file:${join(dir, newest)}`;
  } catch {
    return undefined;
  }
}
