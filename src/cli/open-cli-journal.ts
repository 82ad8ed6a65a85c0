import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  JournalError,
  objectStorageOpener,
  openJournal,
  parseJournalLocation,
  type RunJournal,
} from '../journal/index.js';

/** Where `npm start` keeps each session's runs, under the folder it was started in. */
const LOCAL_SESSIONS = '.runs';

export interface CliJournal {
  readonly journal: RunJournal;
  /** Where the location came from, for the line that names the journal read. */
  readonly source: '--journal' | '$run_journal' | 'the newest npm start session';
}

/**
 * The journal the function writes, opened as an SRE: `--journal`, else `$run_journal`, else the
 * newest `npm start` session under `./.runs` (what `--help` says). A journal that does not exist is
 * an error, never an empty listing.
 */
export function openCliJournal(flag: string | undefined, env: Record<string, string | undefined>): CliJournal {
  const fromEnv = env.run_journal?.trim() || undefined;
  const local = flag === undefined && fromEnv === undefined ? newestLocalSession(LOCAL_SESSIONS) : undefined;
  const value = flag ?? fromEnv ?? local;
  if (value === undefined) {
    throw new JournalError(
      `which journal? pass --journal file:<dir> | oci-os://<namespace>/<bucket>[/<prefix>], or set run_journal as the function has it (no $run_journal, and no npm start session under ${resolve(LOCAL_SESSIONS)})`,
    );
  }
  const source =
    flag !== undefined ? '--journal' : fromEnv !== undefined ? '$run_journal' : 'the newest npm start session';
  const location = parseJournalLocation(value);
  if (typeof location === 'string')
    throw new JournalError(`${source === '--journal' ? '--journal' : 'run_journal'} ${value}: ${location}`);
  if (location.kind === 'memory')
    throw new JournalError(
      'a memory journal lives inside one function container: the CLI cannot read it (use file:<dir> or oci-os://…)',
    );
  if (location.kind === 'file' && !isDirectory(location.dir)) {
    throw new JournalError(
      `no journal at ${value} (from ${source}): ${resolve(location.dir)} is not a directory; is that the function's run_journal?`,
    );
  }
  const endpoint = env.oci_objectstorage_endpoint;
  // People use the OCI config file (~/.oci/config, OCI_CLI_PROFILE); inside OCI, the resource principal.
  return {
    journal: openJournal(
      location,
      objectStorageOpener({ env, allowConfigFile: true, maxAttempts: 4, ...(endpoint ? { endpoint } : {}) }),
    ),
    source,
  };
}

function isDirectory(dir: string): boolean {
  return existsSync(dir) && statSync(dir).isDirectory();
}

/** `npm start` keeps each session's runs in `.runs/local-<time>-<pid>`; names sort by time. */
function newestLocalSession(dir: string): string | undefined {
  try {
    const sessions = readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && e.name.startsWith('local-'))
      .map((e) => e.name)
      .sort();
    const newest = sessions.at(-1);
    return newest === undefined ? undefined : `file:${resolve(join(dir, newest))}`;
  } catch {
    return undefined;
  }
}

/** `journal file:/x (from $run_journal)`: the line every command prints on stderr before it reads. */
export function journalLine(opened: CliJournal): string {
  return `journal ${opened.journal.description} (from ${opened.source})`;
}
