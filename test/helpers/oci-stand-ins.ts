/**
 * Local stand-ins on 127.0.0.1 for the OCI services the function talks to: Vault secrets,
 * Monitoring metric ingestion (and alarms), Logging ingestion, and an APM OTLP trace receiver.
 * Every OCI call must carry a valid OCI request signature (see oci-signature.ts) and is refused
 * with 401 NotAuthenticated otherwise; the OTLP receiver wants `Authorization: dataKey <key>`.
 * Everything accepted is recorded for assertions.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ociSignatureProblem } from './oci-signature.js';

export interface MetricDatum {
  namespace: string;
  compartmentId: string;
  resourceGroup?: string;
  name: string;
  dimensions: Record<string, string>;
  metadata?: Record<string, string>;
  datapoints: { timestamp: string; value: number; count?: number }[];
}
export interface LogEntryBatch {
  source: string;
  type: string;
  subject?: string;
  defaultlogentrytime: string;
  entries: { data: string; id: string; time?: string }[];
}

export type Fault = 'none' | 'error-500' | 'slow';

export interface OciStandIns {
  readonly url: string;
  /** Secret OCID → value (UTF-8), served BASE64 as Vault does. Change to simulate rotation. */
  readonly secrets: Map<string, string>;
  readonly secretReads: string[];
  readonly metricPosts: { namespace: string; metricData: MetricDatum[]; batchAtomicity?: string }[];
  readonly logPosts: { logId: string; body: { specversion: string; logEntryBatches: LogEntryBatch[] } }[];
  readonly traceExports: Buffer[];
  readonly alarms: Map<string, Record<string, unknown>>;
  /** Requests refused for a bad or missing signature. */
  readonly refused: { path: string; problem: string }[];
  /** Per service: answer 500, or wait `slowMs` before answering. */
  readonly faults: { secrets: Fault; metrics: Fault; logs: Fault; traces: Fault };
  slowMs: number;
  /** All datapoints of one metric name, across posts. */
  datapoints(name: string): { value: number; dimensions: Record<string, string> }[];
  close(): Promise<void>;
}

const readBody = (req: http.IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });

/** Server-side checks of PostMetricData rules (what OCI lists in `failedMetrics`). */
function metricProblem(d: MetricDatum): string | undefined {
  if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(d.namespace) || /^(oci_|oracle_)/.test(d.namespace)) return 'invalid namespace';
  if (!/^[A-Za-z][A-Za-z0-9._$-]*$/.test(d.name)) return 'invalid metric name';
  const dims = Object.entries(d.dimensions ?? {});
  if (dims.length < 1 || dims.length > 20) return 'between 1 and 20 dimensions required';
  if (dims.some(([k, v]) => !k || !v || /\s/.test(k))) return 'empty dimension key or value';
  if (!d.datapoints?.length) return 'no datapoints';
  const now = Date.now();
  for (const p of d.datapoints) {
    const t = Date.parse(p.timestamp);
    if (!(t > now - 2 * 3600_000 && t < now + 10 * 60_000)) return 'timestamp out of range';
  }
  return undefined;
}

export async function startOciStandIns(options: {
  keys: ReadonlyMap<string, string>;
  apmDataKey?: string;
}): Promise<OciStandIns> {
  const state = {
    secrets: new Map<string, string>(),
    secretReads: [] as string[],
    metricPosts: [] as OciStandIns['metricPosts'],
    logPosts: [] as OciStandIns['logPosts'],
    traceExports: [] as Buffer[],
    alarms: new Map<string, Record<string, unknown>>(),
    refused: [] as OciStandIns['refused'],
    faults: { secrets: 'none', metrics: 'none', logs: 'none', traces: 'none' } as OciStandIns['faults'],
    slowMs: 3_000,
  };
  const send = (res: http.ServerResponse, status: number, body?: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json', 'opc-request-id': randomUUID() });
    res.end(body === undefined ? '' : JSON.stringify(body));
  };
  const applyFault = async (fault: Fault, res: http.ServerResponse): Promise<boolean> => {
    if (fault === 'slow') await new Promise((r) => setTimeout(r, state.slowMs));
    if (fault === 'error-500') {
      send(res, 500, { code: 'InternalServerError', message: 'injected fault' });
      return true;
    }
    return false;
  };

  const server = http.createServer(async (req, res) => {
    try {
      const body = await readBody(req);
      const url = new URL(req.url ?? '/', 'http://stand-in');
      const path = url.pathname;

      if (path === '/20200101/opentelemetry/private/v1/traces' && req.method === 'POST') {
        if (!options.apmDataKey || req.headers.authorization !== `dataKey ${options.apmDataKey}`) {
          state.refused.push({ path, problem: 'bad data key' });
          return send(res, 401, { code: 'NotAuthenticated', message: 'bad data key' });
        }
        if (await applyFault(state.faults.traces, res)) return;
        state.traceExports.push(body);
        return send(res, 200, {});
      }

      const problem = ociSignatureProblem(req, body, options.keys);
      if (problem) {
        state.refused.push({ path, problem });
        return send(res, 401, { code: 'NotAuthenticated', message: problem });
      }

      const secret = /^\/20190301\/secretbundles\/([^/]+)$/.exec(path);
      if (secret && req.method === 'GET') {
        if (await applyFault(state.faults.secrets, res)) return;
        const id = decodeURIComponent(secret[1] as string);
        state.secretReads.push(id);
        const value = state.secrets.get(id);
        if (value === undefined)
          return send(res, 404, { code: 'NotAuthorizedOrNotFound', message: 'secret not found' });
        return send(res, 200, {
          secretId: id,
          versionNumber: 1,
          stages: ['CURRENT', 'LATEST'],
          secretBundleContent: { contentType: 'BASE64', content: Buffer.from(value, 'utf8').toString('base64') },
        });
      }

      if (path === '/20180401/metrics' && req.method === 'POST') {
        if (await applyFault(state.faults.metrics, res)) return;
        const parsed = JSON.parse(body.toString('utf8')) as { metricData: MetricDatum[]; batchAtomicity?: string };
        if (parsed.metricData.length > 50)
          return send(res, 400, { code: 'InvalidParameter', message: 'more than 50 metric streams' });
        const failedMetrics = parsed.metricData.flatMap((d) => {
          const message = metricProblem(d);
          return message ? [{ message, metricData: d }] : [];
        });
        const accepted = parsed.metricData.filter((d) => !metricProblem(d));
        state.metricPosts.push({
          namespace: accepted[0]?.namespace ?? '',
          metricData: accepted,
          batchAtomicity: parsed.batchAtomicity,
        });
        return send(res, 200, { failedMetricsCount: failedMetrics.length, failedMetrics });
      }

      const logs = /^\/20200831\/logs\/([^/]+)\/actions\/push$/.exec(path);
      if (logs && req.method === 'POST') {
        if (await applyFault(state.faults.logs, res)) return;
        const parsed = JSON.parse(body.toString('utf8')) as OciStandIns['logPosts'][number]['body'];
        if (parsed.specversion !== '1.0' || !Array.isArray(parsed.logEntryBatches))
          return send(res, 400, { code: 'InvalidParameter', message: 'bad PutLogs body' });
        state.logPosts.push({ logId: decodeURIComponent(logs[1] as string), body: parsed });
        return send(res, 200);
      }

      if (path === '/20180401/alarms' && req.method === 'GET') {
        const name = url.searchParams.get('displayName');
        const items = [...state.alarms.values()].filter((a) => !name || a.displayName === name);
        return send(res, 200, items);
      }
      if (path === '/20180401/alarms' && req.method === 'POST') {
        const alarm = {
          ...(JSON.parse(body.toString('utf8')) as Record<string, unknown>),
          id: `ocid1.alarm.oc1..${randomUUID()}`,
          lifecycleState: 'ACTIVE',
        };
        state.alarms.set(alarm.id, alarm);
        return send(res, 200, alarm);
      }
      const alarm = /^\/20180401\/alarms\/([^/]+)$/.exec(path);
      if (alarm && req.method === 'PUT') {
        const id = decodeURIComponent(alarm[1] as string);
        const existing = state.alarms.get(id);
        if (!existing) return send(res, 404, { code: 'NotAuthorizedOrNotFound', message: 'no alarm' });
        const updated = { ...existing, ...(JSON.parse(body.toString('utf8')) as Record<string, unknown>) };
        state.alarms.set(id, updated);
        return send(res, 200, updated);
      }
      return send(res, 404, { code: 'NotFound', message: `no route ${req.method} ${path}` });
    } catch (error) {
      send(res, 500, { code: 'InternalServerError', message: error instanceof Error ? error.message : String(error) });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}`,
    datapoints(name: string) {
      return state.metricPosts.flatMap((p) =>
        p.metricData
          .filter((d) => d.name === name)
          .flatMap((d) => d.datapoints.map((dp) => ({ value: dp.value, dimensions: d.dimensions }))),
      );
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
