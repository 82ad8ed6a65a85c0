import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { ObjectStorageClient } from 'oci-objectstorage';
import { JournalError, type RunJournal, type Versioned } from './journal.js';
import { mapBounded } from './listing.js';
import { withRetries } from './retries.js';
import { RunRecordSchema, type RunRecord } from './record.js';

export interface ObjectStorageJournalOptions {
  /** A client with its auth, endpoint and retry configuration set (injected: tests sign with a throwaway key). */
  readonly client: ObjectStorageClient;
  readonly namespace: string;
  readonly bucket: string;
  /** Object name prefix, `''` or ending in `/`. */
  readonly prefix: string;
  /**
   * Check that a run exists by listing its exact name before reading it: a new message then costs
   * no 404, for which the OCI SDK prints a warning on stderr (one per message on the function's
   * claim path). The CLI reads single objects instead. @default false
   */
  readonly existenceByListing?: boolean;
}

/**
 * One JSON object per run in an OCI Object Storage bucket. The claim is a create-only PUT
 * (`if-none-match: *`), every update a PUT conditional on the ETag read (`if-match`): the
 * service refuses the loser with 412, so two containers can never both own a run.
 *
 * Each run has two small index objects, so that nothing reads the whole bucket:
 * `by-time/<startedAt ms, 13 digits>_<hash>` (names sort by time: a window is one ranged LIST;
 * the sweeper finds the runs to finish by it) and `by-run/<runId>` (its body names the record).
 * {@link RunJournal.indexRun} writes them (plain PUTs: writing them again is harmless); the claim
 * has them land beside its create, before the run goes on (`claim.ts`).
 */
export function objectStorageJournal(options: ObjectStorageJournalOptions): RunJournal {
  const { client, namespace: namespaceName, bucket: bucketName, prefix } = options;
  const hashOf = (key: string): string => createHash('sha256').update(key).digest('hex').slice(0, 40);
  const objectName = (key: string): string => recordName(hashOf(key));
  const recordName = (hash: string): string => `${prefix}runs/${hash}.json`;
  const timePrefix = `${prefix}by-time/`;
  const timeName = (record: RunRecord): string =>
    `${timePrefix}${String(Math.max(0, Math.floor(record.startedAt))).padStart(13, '0')}_${hashOf(record.key)}`;
  const runName = (runId: string): string => `${prefix}by-run/${encodeURIComponent(runId)}`;

  async function putIndex(objectName: string, body: string): Promise<void> {
    await client.putObject({
      namespaceName,
      bucketName,
      objectName,
      putObjectBody: body,
      contentLength: Buffer.byteLength(body),
      contentType: 'text/plain',
    });
  }

  /** Both entries, one try each (the SDK's own retry inside): the caller decides how often to try again. */
  async function index(record: RunRecord): Promise<void> {
    const written = await Promise.allSettled([
      putIndex(timeName(record), ''),
      putIndex(runName(record.runId), recordName(hashOf(record.key))),
    ]);
    const failed = written.find((w) => w.status === 'rejected');
    if (failed !== undefined) throw storeError('index', failed.reason);
  }

  async function listNames(listPrefix: string, start?: string): Promise<string[]> {
    const names: string[] = [];
    let next = start;
    do {
      let res;
      try {
        res = await withRetries(() =>
          client.listObjects({
            namespaceName,
            bucketName,
            prefix: listPrefix,
            ...(next === undefined ? {} : { start: next }),
          }),
        );
      } catch (error) {
        throw storeError('list', error);
      }
      names.push(...res.listObjects.objects.map((o) => o.name));
      next = res.listObjects.nextStartWith ?? undefined;
    } while (next !== undefined);
    return names;
  }

  async function put(
    record: RunRecord,
    condition: { ifMatch: string } | { ifNoneMatch: '*' },
  ): Promise<Versioned | undefined> {
    const body = JSON.stringify(record);
    try {
      const res = await client.putObject({
        namespaceName,
        bucketName,
        objectName: objectName(record.key),
        putObjectBody: body,
        contentLength: Buffer.byteLength(body),
        contentType: 'application/json',
        ...condition,
      });
      return { record, version: res.eTag };
    } catch (error) {
      // 412: the condition failed (exists already / changed since read); 409: a concurrent write.
      if (statusOf(error) === 412 || statusOf(error) === 409) return undefined;
      throw storeError('put', error);
    }
  }

  async function read(name: string): Promise<Versioned | undefined> {
    let res;
    try {
      res = await client.getObject({ namespaceName, bucketName, objectName: name });
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw storeError('get', error);
    }
    const text = await bodyText(res.value);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new JournalError(`object ${name} is not JSON`);
    }
    const parsed = RunRecordSchema.safeParse(json);
    if (!parsed.success)
      throw new JournalError(`object ${name} is not a run record: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    return { record: parsed.data, version: res.eTag };
  }

  /**
   * Whether the object exists, by listing its exact name: a GET of a missing object is a 404, and
   * the SDK prints a warning on stderr for every 404 (every new message would log one).
   */
  async function exists(name: string): Promise<boolean> {
    try {
      const res = await client.listObjects({ namespaceName, bucketName, prefix: name, limit: 1 });
      return res.listObjects.objects.some((o) => o.name === name);
    } catch (error) {
      throw storeError('list', error);
    }
  }

  /** A fact's object (`marks/`): beside the runs, never listed with them. */
  const markName = (name: string): string => `${prefix}marks/${hashOf(name)}`;

  async function readMark(name: string): Promise<string | undefined> {
    let res;
    try {
      res = await client.getObject({ namespaceName, bucketName, objectName: markName(name) });
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw storeError('get', error);
    }
    return bodyText(res.value);
  }

  return {
    description: `oci-os://${namespaceName}/${bucketName}/${prefix}`,
    async createMark(name, value) {
      try {
        await client.putObject({
          namespaceName,
          bucketName,
          objectName: markName(name),
          putObjectBody: value,
          contentLength: Buffer.byteLength(value),
          contentType: 'text/plain',
          ifNoneMatch: '*',
        });
        return value;
      } catch (error) {
        // 412: it exists (someone else's, or ours re-sent by the SDK after its first copy landed).
        if (statusOf(error) !== 412 && statusOf(error) !== 409) throw storeError('put', error);
      }
      const held = await readMark(name);
      if (held === undefined) throw new JournalError(`mark ${markName(name)} refused as existing, then not found`);
      return held;
    },
    getMark: readMark,
    get: async (key) => {
      const name = objectName(key);
      if (options.existenceByListing === true && !(await exists(name))) return undefined;
      return read(name);
    },
    create: (record) => put(record, { ifNoneMatch: '*' }),
    indexRun: index,
    update: (record, version) => put(record, { ifMatch: version }),
    async list() {
      const names = (await listNames(`${prefix}runs/`)).filter((n) => n.endsWith('.json'));
      const found = await mapBounded(names, 16, (name) => withRetries(() => read(name)));
      return found.filter((v): v is Versioned => v !== undefined).map((v) => v.record);
    },
    async listSince(since, opts = {}) {
      const entries = (
        await listNames(timePrefix, `${timePrefix}${String(Math.max(0, Math.floor(since))).padStart(13, '0')}`)
      )
        .map((name) => /_([0-9a-f]{40})$/.exec(name)?.[1])
        .filter((hash): hash is string => hash !== undefined)
        .reverse() // newest first
        // one run, once: a claim whose create's answer was lost may have indexed it a second time
        .filter(firstOf(new Set<string>()));
      const wanted = opts.newest === undefined ? entries : entries.slice(0, opts.newest);
      const unreadable: { name: string; error: string }[] = [];
      const found = await mapBounded(wanted, opts.concurrency ?? 16, async (hash) => {
        try {
          return await withRetries(() => read(recordName(hash)));
        } catch (error) {
          unreadable.push({ name: recordName(hash), error: error instanceof Error ? error.message : String(error) });
          return undefined;
        }
      });
      const records = found
        .filter((v): v is Versioned => v !== undefined)
        .map((v) => v.record)
        .filter((r) => r.startedAt >= since);
      return { records, unreadable, inWindow: entries.length };
    },
    async getByRunId(runId) {
      let res;
      try {
        res = await client.getObject({ namespaceName, bucketName, objectName: runName(runId) });
      } catch (error) {
        if (statusOf(error) === 404) return undefined;
        throw storeError('get', error);
      }
      const name = (await bodyText(res.value)).trim();
      if (!name.startsWith(`${prefix}runs/`)) return undefined;
      // An entry written for a claim whose create never landed names the key's record, another run's.
      const found = await read(name);
      return found?.record.runId === runId ? found : undefined;
    },
    async runIdsStartingWith(start, limit) {
      const byRun = runName('');
      try {
        const res = await withRetries(() =>
          client.listObjects({ namespaceName, bucketName, prefix: runName(start), limit }),
        );
        return res.listObjects.objects.map((o) => decodeURIComponent(o.name.slice(byRun.length)));
      } catch (error) {
        throw storeError('list', error);
      }
    },
  };
}

/** A filter that keeps the first of equal values. */
function firstOf(seen: Set<string>): (value: string) => boolean {
  return (value) => {
    if (seen.has(value)) return false;
    seen.add(value);
    return true;
  };
}

/** The SDK throws `OciError` for HTTP errors and plain objects for network failures. */
function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | undefined)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

function storeError(operation: string, error: unknown): JournalError {
  const e = error as { statusCode?: unknown; serviceCode?: unknown; message?: unknown; code?: unknown } | undefined;
  const detail = [e?.statusCode, e?.serviceCode ?? e?.code, e?.message]
    .filter((v) => v !== undefined && v !== '')
    .join(' ');
  // A PUT that got no answer, a 5xx or a timeout may have been applied: the caller reads it back.
  const status = statusOf(error);
  const inDoubt = operation === 'put' && (status === undefined || status >= 500);
  // No answer, a timeout, the breaker open, a 5xx or throttling: worth another try soon; any other 4xx is not.
  const transient = status === undefined || status >= 500 || status === 429;
  return new JournalError(`Object Storage ${operation} failed: ${detail || 'unknown error'}`, {
    cause: error,
    inDoubt,
    transient,
  });
}

async function bodyText(value: unknown): Promise<string> {
  if (value instanceof Readable) {
    const chunks: Buffer[] = [];
    for await (const chunk of value) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array));
    return Buffer.concat(chunks).toString('utf8');
  }
  return new Response(value as ReadableStream).text();
}
