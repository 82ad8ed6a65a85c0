import type { JournalLocation } from './config.js';
import { JournalError, type RunJournal } from './journal.js';
import type { ObjectStorageOpener } from './open.js';
import { ociAuthProvider, ociClientConfiguration } from '../oci/index.js';

export interface ObjectStorageAccess {
  /** Where the OCI credentials come from: the resource principal variables, or the OCI config file (CLI). */
  readonly env: Record<string, string | undefined>;
  /** Endpoint override (tests, special realms); default: the region's Object Storage endpoint. */
  readonly endpoint?: string;
  /** The function never reads a config file; the CLI does. @default false */
  readonly allowConfigFile?: boolean;
}

/**
 * Opens `oci-os://` journals with the shared OCI auth. The SDK is loaded on first use only, so
 * functions on a file or memory journal do not pay for it at cold start.
 */
export function objectStorageOpener(access: ObjectStorageAccess): ObjectStorageOpener {
  return (location) => lazyJournal(`oci-os://${location.namespace}/${location.bucket}/${location.prefix}`, () => open(location, access));
}

async function open(location: Extract<JournalLocation, { kind: 'oci-os' }>, access: ObjectStorageAccess): Promise<RunJournal> {
  const auth = ociAuthProvider(access.env, { allowConfigFile: access.allowConfigFile ?? false });
  if (auth === undefined) {
    throw new JournalError('run_journal=oci-os://… needs OCI credentials: the resource principal (OCI Functions) or an OCI config file (CLI)');
  }
  const [{ ObjectStorageClient }, { objectStorageJournal }] = await Promise.all([import('oci-objectstorage'), import('./object-storage-store.js')]);
  // Journal writes sit on the webhook's path: a short attempt timeout and one retry.
  const client = new ObjectStorageClient({ authenticationDetailsProvider: auth }, ociClientConfiguration({ maxAttempts: 2, attemptTimeoutMs: 3_000 }));
  if (access.endpoint !== undefined) client.endpoint = access.endpoint;
  return objectStorageJournal({ client, namespace: location.namespace, bucket: location.bucket, prefix: location.prefix });
}

function lazyJournal(description: string, load: () => Promise<RunJournal>): RunJournal {
  let loading: Promise<RunJournal> | undefined;
  const journal = (): Promise<RunJournal> => {
    loading ??= load().catch((error: unknown) => {
      loading = undefined; // a later call tries again (e.g. credentials mounted late)
      throw error;
    });
    return loading;
  };
  return {
    description,
    get: async (key) => (await journal()).get(key),
    create: async (record) => (await journal()).create(record),
    update: async (record, version) => (await journal()).update(record, version),
    list: async () => (await journal()).list(),
  };
}
