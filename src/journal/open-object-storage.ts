import type { RunJournal } from './journal.js';
import type { ObjectStorageAccess } from './object-storage-access.js';
import { listingOf } from './listing.js';
import type { ObjectStorageOpener } from './open.js';

/**
 * Opens `oci-os://` journals with the shared OCI auth. The SDK is loaded on first use only, so
 * functions on a file or memory journal do not pay for it at cold start.
 */
export function objectStorageOpener(access: ObjectStorageAccess): ObjectStorageOpener {
  return (location) =>
    lazyJournal(`oci-os://${location.namespace}/${location.bucket}/${location.prefix}`, async () =>
      (await import('./object-storage-sdk.js')).openObjectStorageJournal(location, access),
    );
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
    createMark: async (name, value) => (await journal()).createMark(name, value),
    getMark: async (name) => (await journal()).getMark(name),
    listSince: async (since, options) => {
      const j = await journal();
      return j.listSince ? j.listSince(since, options) : listingOf(await j.list(), since, options);
    },
    getByRunId: async (runId) => (await journal()).getByRunId?.(runId),
    indexRun: async (record) => (await journal()).indexRun?.(record),
  };
}
