import { Readable } from 'node:stream';
import type { ObjectStorageClient } from 'oci-objectstorage';

/** An error as the OCI SDK throws it for an HTTP answer (`OciError`: `statusCode`, `serviceCode`, `message`). */
export function ociError(statusCode: number, serviceCode: string, message = `${serviceCode} (fake)`): Error {
  return Object.assign(new Error(message), { statusCode, serviceCode });
}

export interface StoredObject {
  readonly body: string;
  readonly eTag: string;
  readonly contentType: string | undefined;
}

export interface ObjectStorageFault {
  readonly op: 'put' | 'get' | 'list';
  /** Only calls whose object name (list: prefix) starts with this. */
  readonly name?: string;
  /** What the call throws. */
  readonly error: unknown;
  /** Apply the call, then throw (a lost answer). @default false */
  readonly applied?: boolean;
  /** Fail this many matching calls, then answer normally. @default every one */
  times?: number;
}

export interface FakeObjectStorageOptions {
  readonly namespace?: string;
  readonly bucket?: string;
  /** Most names one LIST answers (then `nextStartWith`), like the service's 1,000. @default 1000 */
  readonly pageSize?: number;
  /** GET bodies as a Node `Readable` or as a web `ReadableStream`. @default 'node' */
  readonly bodies?: 'node' | 'web';
}

/**
 * `fakeObjectStorage()`: an in-memory Object Storage bucket behind the three `ObjectStorageClient` calls
 * the journal makes (`putObject` with `ifNoneMatch: '*'` / `ifMatch`, `getObject`, `listObjects` with
 * prefix/start/limit), answering as the service does: 412 to a failed condition, 404 to a missing object
 * or another namespace/bucket, 400 to a wrong `contentLength`. `faults` fail calls (optionally applied
 * first); `calls` logs each call.
 */
export function fakeObjectStorage(options: FakeObjectStorageOptions = {}) {
  const namespace = options.namespace ?? 'ns';
  const bucket = options.bucket ?? 'bucket';
  const pageSize = options.pageSize ?? 1000;
  const objects = new Map<string, StoredObject>();
  const faults: ObjectStorageFault[] = [];
  const calls: { op: 'put' | 'get' | 'list'; name: string; request: Record<string, unknown> }[] = [];
  let etags = 0;

  function where(request: { namespaceName?: string; bucketName?: string }): void {
    if (request.namespaceName !== namespace || request.bucketName !== bucket)
      throw ociError(404, 'BucketNotFound', `no bucket ${String(request.namespaceName)}/${String(request.bucketName)}`);
  }

  async function faulty<T>(op: ObjectStorageFault['op'], name: string, apply: () => T): Promise<T> {
    await Promise.resolve();
    const fault = faults.find(
      (f) => f.op === op && (f.name === undefined || name.startsWith(f.name)) && (f.times === undefined || f.times > 0),
    );
    if (fault === undefined) return apply();
    if (fault.times !== undefined) fault.times--;
    if (fault.applied === true) apply();
    throw fault.error;
  }

  const client = {
    async putObject(request: {
      namespaceName: string;
      bucketName: string;
      objectName: string;
      putObjectBody: string;
      contentLength: number;
      contentType?: string;
      ifMatch?: string;
      ifNoneMatch?: string;
    }) {
      calls.push({ op: 'put', name: request.objectName, request });
      return faulty('put', request.objectName, () => {
        where(request);
        if (request.contentLength !== Buffer.byteLength(request.putObjectBody))
          throw ociError(400, 'InvalidContentLength');
        const current = objects.get(request.objectName);
        if (request.ifNoneMatch === '*' && current !== undefined) throw ociError(412, 'IfNoneMatchFailed');
        if (request.ifMatch !== undefined && current?.eTag !== request.ifMatch) throw ociError(412, 'IfMatchFailed');
        const eTag = `etag-${++etags}`;
        objects.set(request.objectName, { body: request.putObjectBody, eTag, contentType: request.contentType });
        return { eTag };
      });
    },
    async getObject(request: { namespaceName: string; bucketName: string; objectName: string }) {
      calls.push({ op: 'get', name: request.objectName, request });
      return faulty('get', request.objectName, () => {
        where(request);
        const current = objects.get(request.objectName);
        if (current === undefined) throw ociError(404, 'ObjectNotFound');
        const bytes = Buffer.from(current.body, 'utf8');
        const value = options.bodies === 'web' ? new Response(bytes).body : Readable.from([bytes]);
        return { value, eTag: current.eTag };
      });
    },
    async listObjects(request: {
      namespaceName: string;
      bucketName: string;
      prefix?: string;
      start?: string;
      limit?: number;
    }) {
      const prefix = request.prefix ?? '';
      calls.push({ op: 'list', name: prefix, request });
      return faulty('list', prefix, () => {
        where(request);
        const names = [...objects.keys()]
          .filter((n) => n.startsWith(prefix) && (request.start === undefined || n >= request.start))
          .sort();
        const page = names.slice(0, Math.min(request.limit ?? pageSize, pageSize));
        const more = names[page.length];
        return {
          listObjects: {
            objects: page.map((name) => ({ name })),
            ...(more === undefined ? {} : { nextStartWith: more }),
          },
        };
      });
    },
  };

  return {
    client: client as unknown as ObjectStorageClient,
    namespace,
    bucket,
    objects,
    faults,
    calls,
    /** Stores an object as another writer would (no conditions, no faults). */
    plant(name: string, body: string): void {
      objects.set(name, { body, eTag: `etag-${++etags}`, contentType: undefined });
    },
  };
}
