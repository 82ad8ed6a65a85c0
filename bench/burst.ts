// Many webhooks into one container at once. The local Fn agent (src/local/fn-agent.ts) hands a
// container one call at a time, as Fn does; the fdk itself serves whatever reaches its socket
// concurrently, so these calls go to the socket directly, together: the worst a container's
// memory can see (the sweeper's concurrent runs in one invocation are fewer).
import http from 'node:http';
import type { FnProcess } from '../src/local/index.js';

const ROUTE = '/webhooks/sms-to-incident';

/** One `POST /call` as the agent sends a gateway request; resolves with the client status (0: no answer). */
function call(socketPath: string, body: string, n: number): Promise<number> {
  const headers = {
    'Fn-Call-Id': `BURST${Date.now().toString(36)}${n}`,
    'Fn-Deadline': new Date(Date.now() + 30_000).toISOString(),
    'Fn-Intent': 'httprequest',
    'Fn-Invoke-Type': 'sync',
    'Fn-Http-Method': 'POST',
    'Fn-Http-Request-Url': ROUTE,
    'Fn-Http-H-Content-Type': 'application/json',
    'Content-Type': 'application/json',
  };
  return new Promise((resolve) => {
    const req = http.request({ socketPath, path: '/call', method: 'POST', headers, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200 ? Number(res.headers['fn-http-status'] ?? 200) : 0));
      res.on('error', () => resolve(0));
    });
    req.setTimeout(30_000, () => req.destroy());
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

/** Sends every body at once; resolves with how many were answered 200. */
export async function burstOnce(fn: FnProcess, bodies: readonly string[]): Promise<number> {
  const statuses = await Promise.all(bodies.map((body, i) => call(fn.socketPath, body, i)));
  return statuses.filter((s) => s === 200).length;
}
