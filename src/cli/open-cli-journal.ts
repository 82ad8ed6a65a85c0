import { JournalError, objectStorageOpener, openJournal, parseJournalLocation, type RunJournal } from '../journal/index.js';

/** The journal the function writes, opened as an SRE: `--journal`, else `$run_journal`, else `file:.runs`. */
export function openCliJournal(flag: string | undefined, env: Record<string, string | undefined>): RunJournal {
  const value = flag ?? env.run_journal ?? 'file:.runs';
  const location = parseJournalLocation(value);
  if (typeof location === 'string') throw new JournalError(`--journal ${value}: ${location}`);
  if (location.kind === 'memory') throw new JournalError('a memory journal lives inside one function container: the CLI cannot read it (use file:<dir> or oci-os://…)');
  const endpoint = env.oci_objectstorage_endpoint;
  // People use the OCI config file (~/.oci/config, OCI_CLI_PROFILE); inside OCI, the resource principal.
  return openJournal(location, objectStorageOpener({ env, allowConfigFile: true, ...(endpoint ? { endpoint } : {}) }));
}
