import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { ObjectStorageClient } from 'oci-objectstorage';
import { JournalError, type RunJournal, type Versioned } from './journal.js';
import { RunRecordSchema, type RunRecord } from './record.js';

export interface ObjectStorageJournalOptions {
  /** A client with its auth, endpoint and retry configuration set (injected: tests sign with a throwaway key). */
  readonly client: ObjectStorageClient;
  readonly namespace: string;
  readonly bucket: string;
  /** Object name prefix, `''` or ending in `/`. */
  readonly prefix: string;
}

/**
 * One JSON object per run in an OCI Object Storage bucket. The claim is a create-only PUT
 * (`if-none-match: *`), every update a PUT conditional on the ETag read (`if-match`): the
 * service refuses the loser with 412, so two containers can never both own a run.
 */
export function objectStorageJournal(options: ObjectStorageJournalOptions): RunJournal {
  const { client, namespace: namespaceName, bucket: bucketName, prefix } = options;
  const objectName = (key: string): string => `${prefix}runs/${createHash('sha256').update(key).digest('hex').slice(0, 40)}.json`;

  async function put(record: RunRecord, condition: { ifMatch: string } | { ifNoneMatch: '*' }): Promise<Versioned | undefined> {
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
    if (!parsed.success) throw new JournalError(`object ${name} is not a run record: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
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

  return {
    description: `oci-os://${namespaceName}/${bucketName}/${prefix}`,
    get: async (key) => {
      const name = objectName(key);
      return (await exists(name)) ? read(name) : undefined;
    },
    create: (record) => put(record, { ifNoneMatch: '*' }),
    update: (record, version) => put(record, { ifMatch: version }),
    async list() {
      const names: string[] = [];
      let start: string | undefined;
      do {
        let res;
        try {
          res = await client.listObjects({ namespaceName, bucketName, prefix: `${prefix}runs/`, ...(start === undefined ? {} : { start }) });
        } catch (error) {
          throw storeError('list', error);
        }
        names.push(...res.listObjects.objects.map((o) => o.name).filter((n) => n.endsWith('.json')));
        start = res.listObjects.nextStartWith ?? undefined;
      } while (start !== undefined);
      const found = await Promise.all(names.map(read));
      return found.filter((v): v is Versioned => v !== undefined).map((v) => v.record);
    },
  };
}

/** The SDK throws `OciError` for HTTP errors and plain objects for network failures. */
function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | undefined)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

function storeError(operation: string, error: unknown): JournalError {
  const e = error as { statusCode?: unknown; serviceCode?: unknown; message?: unknown; code?: unknown } | undefined;
  const detail = [e?.statusCode, e?.serviceCode ?? e?.code, e?.message].filter((v) => v !== undefined && v !== '').join(' ');
  // A PUT that got no answer, a 5xx or a timeout may have been applied: the caller reads it back.
  const status = statusOf(error);
  const outcomeUnknown = operation === 'put' && (status === undefined || status >= 500);
  return new JournalError(`Object Storage ${operation} failed: ${detail || 'unknown error'}`, { cause: error, outcomeUnknown });
}

async function bodyText(value: unknown): Promise<string> {
  if (value instanceof Readable) {
    const chunks: Buffer[] = [];
    for await (const chunk of value) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array));
    return Buffer.concat(chunks).toString('utf8');
  }
  return new Response(value as ReadableStream).text();
}
