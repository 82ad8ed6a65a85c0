import { ObjectStorageClient } from 'oci-objectstorage';
import type { JournalLocation } from './config.js';
import { JournalError, type RunJournal } from './journal.js';
import { objectStorageJournal } from './object-storage-store.js';
import type { ObjectStorageAccess } from './object-storage-access.js';
import { ociAuthProvider, ociClientConfiguration } from '../oci/index.js';

/** The Object Storage journal over a signed SDK client. Loaded by `import()`: it pulls in the OCI SDK. */
export function openObjectStorageJournal(
  location: Extract<JournalLocation, { kind: 'oci-os' }>,
  access: ObjectStorageAccess,
): RunJournal {
  const auth = ociAuthProvider(access.env, { allowConfigFile: access.allowConfigFile ?? false });
  if (auth === undefined) {
    throw new JournalError(
      'run_journal=oci-os://… needs OCI credentials: the resource principal (OCI Functions) or an OCI config file (CLI)',
    );
  }
  // Journal calls sit on the webhook's path and share its deadline with B2C Service: a short attempt
  // timeout and one retry, at most about 3 s a call (docs/exactly-once.md, "Journal faults").
  const maxAttempts = access.maxAttempts ?? 2;
  const client = new ObjectStorageClient(
    { authenticationDetailsProvider: auth },
    ociClientConfiguration({
      maxAttempts,
      attemptTimeoutMs: 1_500,
      retryDelayMs: 100,
      totalBudgetMs: maxAttempts * 1_600,
    }),
  );
  if (access.endpoint !== undefined) client.endpoint = access.endpoint;
  return objectStorageJournal({
    client,
    namespace: location.namespace,
    bucket: location.bucket,
    prefix: location.prefix,
    existenceByListing: access.existenceByListing ?? false,
  });
}
