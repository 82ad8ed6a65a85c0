// A network in front of a local stand-in: every request waits `latencyMs` (one round trip) before
// it is forwarded as is (headers untouched, so OCI signatures still verify at the stand-in), and
// each request's start and end are recorded, so the bench can tell which round trips a webhook
// waited for (critical-path.ts).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

/** One request through the proxy, in `performance.now()` ms of the bench process. */
export interface Trip {
  readonly kind: string;
  readonly method: string;
  readonly path: string;
  readonly start: number;
  readonly end: number;
}

export interface LatencyProxy {
  readonly url: string;
  latencyMs: number;
  /** Trips that ended since `since` (performance.now() ms). */
  tripsSince(since: number): Trip[];
  close(): Promise<void>;
}

/**
 * @param kindOf names each request's service (`journal`, `telemetry`, `vault`, `b2c`) from its path.
 */
export async function startLatencyProxy(
  target: string,
  latencyMs: number,
  kindOf: (path: string) => string,
): Promise<LatencyProxy> {
  const to = new URL(target);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const trips: Trip[] = [];
  const state = { latencyMs };
  const server = http.createServer((req, res) => {
    const start = performance.now();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      setTimeout(() => {
        const upstream = http.request(
          { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers, agent },
          (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
            answer.on('end', () => {
              trips.push({
                kind: kindOf(req.url ?? '/'),
                method: req.method ?? '',
                path: req.url ?? '',
                start,
                end: performance.now(),
              });
              if (trips.length > 20_000) trips.splice(0, 10_000);
            });
          },
        );
        upstream.on('error', () => res.destroy());
        upstream.end(Buffer.concat(chunks));
      }, state.latencyMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get latencyMs() {
      return state.latencyMs;
    },
    set latencyMs(ms: number) {
      state.latencyMs = ms;
    },
    tripsSince: (since) => trips.filter((t) => t.end >= since),
    close: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
