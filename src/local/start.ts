// `npm start`: the local stack. An OCI API Gateway stand-in on 127.0.0.1:${PORT:-8080} forwards
// POST /webhooks/sms-to-incident to dist/func.js running under the real fdk (driven over its unix
// socket as the Fn agent does), with the B2C Service emulator as its site.
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import { startEmulator } from '../emulator/index.js';
import { startFunction, type FnProcess } from './fn-agent.js';
import { startGateway } from './gateway.js';
import { RunTimeline, formatRun } from '../../telemetry/run-timeline.js';
import { exampleCurl } from './signed-example.js';
import { journalRuns } from './journal-runs.js';

const ROUTE = '/webhooks/sms-to-incident';
const here = dirname(fileURLToPath(import.meta.url));
const entry = join(here, 'func.js');
const port = Number(process.env.PORT ?? 8080);
const fnTimeoutMs = Number(process.env.FN_TIMEOUT_MS ?? 30_000);
// The sweeper's schedule (on OCI, deploy/terraform/sweeper.tf): 0 turns it off.
const sweepIntervalMs = Number(process.env.SWEEP_INTERVAL_MS ?? 60_000);

// What has started so far: stopped when a busy port ends the start.
const started: (() => Promise<unknown>)[] = [];
const emulator = await listening('EMULATOR_PORT', () =>
  startEmulator({ port: Number(process.env.EMULATOR_PORT ?? 0), username: 'admin', password: 'admin' }),
);

// Function config: the emulator as the site, plus any config key the user exported.
const fnEnv: Record<string, string> = {
  b2cservice_hostname: emulator.url,
  b2cservice_username: 'admin',
  b2cservice_password: 'admin',
  // So the guide's unsigned curl works; export webhook_signature=required (and a secret) to try signatures.
  webhook_signature: 'off',
  // Runs survive a function restart; one directory per session, as the emulator starts empty each
  // time (and parallel stacks must not share runs). `npm run runs -- list` reads the newest session.
  run_journal: `file:${resolve('.runs', `local-${new Date().toISOString().replace(/[-:.]/g, '')}-${process.pid}`)}`,
};
for (const [k, v] of Object.entries(process.env)) {
  if (
    v !== undefined &&
    /^(b2cservice_|log_level$|run_journal|webhook_|twilio_auth_token$|vonage_signature_|reply_template$|oci_|OCI_|OTEL_|telemetry_|sweep_)/.test(
      k,
    ) &&
    k !== 'b2cservice_hostname'
  )
    fnEnv[k] = v;
}

// Each run's timeline (steps, attempts, durations, outcome, trace id), from the function's summary log line.
const timeline = new RunTimeline();
let current: FnProcess | undefined;
let exited = true;
async function fn(): Promise<FnProcess> {
  // Like the Fn agent, start a fresh container when the last one died (crash or deadline kill).
  if (current === undefined || exited) {
    current = await startFunction({
      entry,
      env: fnEnv,
      timeoutMs: fnTimeoutMs,
      onOutput: (stream, line) => {
        process[stream === 'stdout' ? 'stdout' : 'stderr'].write(`[fn] ${line}\n`);
        const run = stream === 'stdout' ? timeline.ingest(line) : undefined;
        if (run) process.stdout.write(`\n${formatRun(run)}\n\n`);
      },
    });
    exited = false;
    void current.exited.then(() => {
      exited = true;
    });
  }
  return current;
}
started.push(() => emulator.close());
await fn();
started.push(async () => current?.stop());

// The sweeper: the same function deployed again with function_role=sweeper, invoked on a timer as
// OCI's resource schedule invokes it (directly, not through the gateway). It finishes the runs that
// failed retryably or were cut off, through the same service as a delivery.
let sweeper: FnProcess | undefined;
let sweeperExited = true;
let sweepTimer: NodeJS.Timeout | undefined;
async function sweepOnce(): Promise<void> {
  if (sweeper === undefined || sweeperExited) {
    sweeper = await startFunction({
      entry,
      env: { ...fnEnv, function_role: 'sweeper' },
      timeoutMs: Math.max(fnTimeoutMs, 120_000),
    });
    sweeperExited = false;
    void sweeper.exited.then(() => {
      sweeperExited = true;
    });
  }
  const answer = await sweeper.invoke({ intent: 'invoke', method: 'POST', url: '/', body: '' });
  let report: { runs?: { runId: string; mode: string; outcome: string; detail?: string }[] } = {};
  try {
    report = JSON.parse(answer.body.toString('utf8')) as typeof report;
  } catch {
    // printed below as the status alone
  }
  if (answer.status !== 200)
    process.stdout.write(`[sweep] answered ${answer.status}: ${answer.body.toString('utf8').slice(0, 300)}\n`);
  for (const run of report.runs ?? [])
    process.stdout.write(
      `[sweep] run ${run.runId} ${run.mode}: ${run.outcome}${run.detail ? ` (${run.detail})` : ''}\n`,
    );
}
if (sweepIntervalMs > 0) {
  const tick = (): void => {
    sweepTimer = setTimeout(
      () =>
        void sweepOnce()
          .catch((error: unknown) =>
            process.stdout.write(`[sweep] failed: ${error instanceof Error ? error.message : String(error)}\n`),
          )
          .finally(tick),
      sweepIntervalMs,
    );
  };
  tick();
}

const gateway = await listening('PORT', () =>
  startGateway({
    port,
    routes: [{ path: ROUTE, methods: ['POST'], fn }],
    extraRoutes: {
      // The run journal, as `npm run runs -- list` reads it: a redriven run shows as it is now, not as its log said.
      '/runs': (_req, res) => {
        journalRuns(fnEnv.run_journal ?? '').then(
          (runs) =>
            res
              .writeHead(200, { 'content-type': 'application/json; charset=utf-8' })
              .end(`${JSON.stringify(runs, null, 2)}\n`),
          (error: unknown) =>
            res
              .writeHead(503, { 'content-type': 'application/json; charset=utf-8' })
              .end(
                `${JSON.stringify({ message: `run journal unreadable: ${error instanceof Error ? error.message : String(error)}` })}\n`,
              ),
        );
      },
    },
    info: () => ({
      name: 'sms-incident local stack',
      webhook: { method: 'POST', url: `http://127.0.0.1:${port}${ROUTE}`, contentType: 'application/json' },
      function: { entry, runtime: `node ${process.version} under @fnproject/fdk`, timeoutMs: fnTimeoutMs },
      runs: `http://127.0.0.1:${port}/runs`,
      b2cServiceEmulator: {
        url: emulator.url,
        state: `${emulator.url}/__emulator/state`,
        requests: `${emulator.url}/__emulator/requests`,
      },
    }),
  }),
);

const body = JSON.stringify({
  account_sid: 'ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX',
  api_version: '2010-04-01',
  body: 'McAvoy or Stewart? These timelines can get so confusing.',
  date_created: 'Thu, 30 Jul 2015 20:12:31 +0000',
  date_sent: 'Thu, 30 Jul 2015 20:12:33 +0000',
  direction: 'outbound-api',
  from: '+13365550652',
  num_media: '0',
  num_segments: '1',
  sid: 'SMXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX',
  status: 'sent',
  to: '+15558675310',
});
console.log(
  `sms-incident local stack ready: gateway ${gateway.url}, B2C Service emulator ${emulator.url}, webhook signatures ${fnEnv.webhook_signature === 'off' ? 'off (local only)' : 'required'}`,
);
const example = exampleCurl({ gateway: gateway.url, route: ROUTE, body, env: fnEnv });
if ('curl' in example)
  console.log(
    `try${fnEnv.webhook_signature === 'off' ? '' : ' (signed as the function checks it)'}:\n  ${example.curl}`,
  );
else console.log(`warning: ${example.problem}`);
console.log(`then see the incident: curl -sS ${emulator.url}/__emulator/state`);
console.log(`and the runs (from the run journal): curl -sS ${gateway.url}/runs`);
console.log(`and the run journal: npm run runs -- list --journal ${fnEnv.run_journal}`);
console.log(
  sweepIntervalMs > 0
    ? `failed and cut-off runs are swept every ${sweepIntervalMs / 1000} s (SWEEP_INTERVAL_MS; by hand: b2cservice_hostname=${emulator.url} b2cservice_username=admin b2cservice_password=admin npm run runs -- sweep --journal ${fnEnv.run_journal})`
    : 'the sweeper is off (SWEEP_INTERVAL_MS=0)',
);

/** Starts a server on the port `variable` names; a busy port ends `npm start` with a line saying which variable to change. */
async function listening<T>(variable: 'PORT' | 'EMULATOR_PORT', start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'EADDRINUSE') throw error;
    const port = process.env[variable] ?? (variable === 'PORT' ? '8080' : '0');
    process.stderr.write(
      `npm start: port ${port} on 127.0.0.1 is in use (another npm start?). Stop it, or pick a free port: ${variable}=${Number(port) + 1} npm start\n`,
    );
    await Promise.allSettled(started.map((stop) => stop()));
    process.exit(1);
  }
}

async function shutdown(): Promise<void> {
  clearTimeout(sweepTimer);
  await Promise.allSettled([gateway.close(), current?.stop(), sweeper?.stop(), emulator.close()]);
  process.exit(0);
}
process.once('SIGINT', () => void shutdown());
process.once('SIGTERM', () => void shutdown());
