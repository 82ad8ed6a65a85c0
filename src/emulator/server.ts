/** Starts the emulator: one node:http server for the Connect REST API and the admin routes. */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { handleAdmin, isAdminPath } from './admin-routes.js';
import { handleApiExchange } from './api-exchange.js';
import { FaultBook } from './faults.js';
import { writeJson } from './http-io.js';
import { seedContact } from './seed-contact.js';
import { siteProfile } from './site.js';
import { EmulatorStore } from './store.js';
import { NO_QUIRKS, parseQuirks, type Quirks } from './quirks.js';
import type { EmulatorOptions, EmulatorQuirks, FaultSpec, RecordedRequest, RunningEmulator } from './types.js';

/** How a listening address is written in a URL a client can use. */
function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

function requestUrl(raw: string | undefined): URL | undefined {
  try {
    // Prefixed rather than resolved, so a path such as `//x` stays a path.
    return new URL(`http://emulator.invalid${raw ?? '/'}`);
  } catch {
    return undefined;
  }
}

/**
 * Starts a B2C Service emulator and resolves once it listens.
 *
 * @example
 * ```ts
 * const emulator = await startEmulator();
 * emulator.addFault({ method: 'POST', path: '/incidents', action: 'status', status: 503, times: 1 });
 * // … point the client at `${emulator.url}/services/rest/connect/v1.4` with admin/admin …
 * await emulator.close();
 * ```
 */
export async function startEmulator(opts: EmulatorOptions = {}): Promise<RunningEmulator> {
  const host = opts.host ?? '127.0.0.1';
  const credentials = { username: opts.username ?? 'admin', password: opts.password ?? 'admin' };
  const site = siteProfile(opts.site);
  let quirks: Quirks = NO_QUIRKS;
  const store = new EmulatorStore(() => new Date(Date.now() + quirks.clockOffsetMs));
  const faults = new FaultBook();
  const setQuirks = (input: unknown): Quirks => {
    quirks = parseQuirks(input);
    store.setSearchLag(quirks.searchLagMs);
    return quirks;
  };
  let recorded: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const sleepers = new Set<() => void>();
  let closed = false;
  let url = '';

  const sleep = (ms: number): Promise<boolean> =>
    new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        sleepers.delete(wake);
        resolve(!closed);
      };
      const timer = setTimeout(wake, ms);
      sleepers.add(wake);
    });

  const reset = (): void => {
    store.clear();
    recorded = [];
    faults.clear();
    setQuirks({});
  };

  const server = http.createServer((req, res) => {
    const parsed = requestUrl(req.url);
    if (parsed === undefined) return writeJson(res, 400, { error: 'unparsable request target' });
    const work = isAdminPath(parsed.pathname)
      ? handleAdmin(req, res, parsed.pathname, {
          url: () => url,
          store,
          site,
          faults,
          quirks: { get: () => quirks, set: setQuirks },
          requests: () => structuredClone(recorded),
          reset,
        })
      : handleApiExchange(req, res, parsed, {
          store,
          faults,
          credentials,
          site,
          quirks: () => quirks,
          fallbackHost: new URL(url).host,
          record: (r) => recorded.push(r),
          sleep,
        });
    work.catch(() => {
      // The client went away mid-request, or a bug: never leave the socket open.
      res.destroy();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  url = `http://${urlHost(host)}:${(server.address() as AddressInfo).port}`;

  return {
    url,
    state: () => store.snapshot(),
    requests: () => structuredClone(recorded),
    addFault: (f: FaultSpec) => {
      faults.add(f);
    },
    clearFaults: () => faults.clear(),
    setFaultPolicy: (policy) => faults.setPolicy(policy),
    setQuirks: (input: EmulatorQuirks) => {
      setQuirks(input);
    },
    quirks: () => ({ ...quirks }),
    seedContact: (phone: string, phoneType?: string) => seedContact(store, site, phone, phoneType),
    reset,
    close: async () => {
      if (closed) return;
      closed = true;
      for (const wake of [...sleepers]) wake();
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      // Hanging and keep-alive sockets would keep close() waiting forever.
      for (const socket of sockets) socket.destroy();
      await stopped;
    },
  };
}
