/**
 * The built function under the real fdk, with a resource principal (fresh RSA key, fake token,
 * file paths as OCI lays them out) and local stand-ins for Vault, Monitoring, Logging and an
 * OTLP receiver that verify every request's signature (or APM data key).
 */
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ROUTE, startStack, type Stack } from '../helpers/stack.js';
import { ociTestIdentity } from '../helpers/oci-keys.js';
import { startOciStandIns, type OciStandIns } from '../helpers/oci-stand-ins.js';

const guide = JSON.parse(
  readFileSync(new URL('../fixtures/providers/twilio-message-resource.json', import.meta.url), 'utf8'),
) as Record<string, unknown>;
const FROM = guide.from as string;
const TEXT = guide.body as string;
let seq = 0;
const webhook = (): string => JSON.stringify({ ...guide, sid: `SM${String(++seq).padStart(32, '0')}` });

const identity = ociTestIdentity();
const SECRETS = {
  user: 'ocid1.vaultsecret.oc1.iad.amaaaaaauser',
  password: 'ocid1.vaultsecret.oc1.iad.amaaaaaapassword',
  apm: 'ocid1.vaultsecret.oc1.iad.amaaaaaaapmkey',
} as const;
const APM_KEY = 'APM-PRIVATE-DATA-KEY-0123456789';
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
let standIns: OciStandIns;
let stack: Stack | undefined;

beforeAll(async () => {
  standIns = await startOciStandIns({ keys: new Map([[identity.keyId, identity.publicKeyPem]]), apmDataKey: APM_KEY });
});
afterAll(() => standIns.close());
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
  for (const k of ['metricPosts', 'logPosts', 'traceExports', 'secretReads', 'refused'] as const)
    standIns[k].length = 0;
  standIns.faults.secrets = standIns.faults.metrics = standIns.faults.logs = standIns.faults.traces = 'none';
});

function observedEnv(extra: Record<string, string> = {}): Record<string, string> {
  standIns.secrets.set(SECRETS.user, 'sms-api');
  standIns.secrets.set(SECRETS.password, 'pa55-w0rd-not-for-logs');
  standIns.secrets.set(SECRETS.apm, APM_KEY);
  return {
    ...identity.env,
    FN_FN_NAME: 'sms-incident',
    // Plain values are wrong on purpose: success proves the Vault values were used.
    b2cservice_username: 'not-the-user',
    b2cservice_password: 'not-the-password',
    b2cservice_username_ocid: SECRETS.user,
    b2cservice_password_ocid: SECRETS.password,
    oci_secrets_endpoint: standIns.url,
    oci_monitoring_endpoint: standIns.url,
    oci_logging_endpoint: standIns.url,
    oci_monitoring_compartment_id: 'ocid1.compartment.oc1..metrics',
    oci_log_id: 'ocid1.log.oc1.iad.amaaaaaalog',
    oci_apm_endpoint: standIns.url,
    oci_apm_data_key_ocid: SECRETS.apm,
    ...extra,
  };
}

async function post(s: Stack, headers: Record<string, string> = {}, body = webhook(), callId?: string) {
  const answer = await s.fn.invoke({
    method: 'POST',
    url: ROUTE,
    headers: { Host: 'gw.example.com', 'Content-Type': 'application/json', ...headers },
    body,
    ...(callId ? { callId } : {}),
  });
  return { ...answer, json: JSON.parse(answer.body.toString('utf8') || '{}') as Record<string, unknown> };
}

/** Everything telemetry sent, as one string, for leak checks. */
function everythingSent(): string {
  return [
    JSON.stringify(standIns.metricPosts),
    JSON.stringify(standIns.logPosts),
    ...standIns.traceExports.map((b) => b.toString('latin1')),
  ].join('\n');
}

function expectNoLeaks(text: string): void {
  expect(text).not.toContain(FROM);
  expect(text).not.toContain(FROM.slice(1));
  expect(text).not.toContain(TEXT);
  expect(text).not.toContain('pa55-w0rd-not-for-logs');
  expect(text).not.toContain(APM_KEY);
}

describe('observability of the function under the fdk', () => {
  it('reads credentials from Vault and, before answering, posts IncidentCreationFailed=0, ships logs and exports the trace', async () => {
    // Prepare
    stack = await startStack({ env: observedEnv() });

    // Act
    const res = await post(stack, { traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-01` });

    // Assess: nothing below waits; it all arrived before the call returned
    expect(res.status).toBe(200);
    expect(standIns.refused).toEqual([]);
    expect(new Set(standIns.secretReads)).toEqual(new Set([SECRETS.user, SECRETS.password, SECRETS.apm]));
    expect(standIns.datapoints('IncidentCreationFailed')).toEqual([
      { value: 0, dimensions: { functionName: 'sms-incident', provider: 'twilio' } },
    ]);
    expect(standIns.datapoints('RunDuration')).toHaveLength(1);
    expect(
      standIns
        .datapoints('StepAttempts')
        .map((d) => d.dimensions.step)
        .sort(),
    ).toEqual(['add-phone', 'create-contact', 'create-incident', 'lookup-contact']); // add-thread: skipped, the note rode with the incident
    expect(standIns.metricPosts).toHaveLength(1);
    expect(standIns.metricPosts[0]!.namespace).toBe('sms_incident');

    expect(standIns.logPosts).toHaveLength(1);
    const [batch] = standIns.logPosts[0]!.body.logEntryBatches;
    const entries = batch!.entries.map((e) => JSON.parse(e.data) as Record<string, unknown>);
    expect(entries.find((e) => e.message === 'run succeeded')).toMatchObject({
      fnCallId: res.callId,
      traceId: TRACE_ID,
      provider: 'twilio',
      from: expect.stringContaining('•••'),
    });
    expect(entries.some((e) => e.level === 'debug')).toBe(false); // held back: the run succeeded

    const traces = Buffer.concat(standIns.traceExports);
    expect(traces.includes(Buffer.from(TRACE_ID, 'hex'))).toBe(true); // joined the caller's trace
    for (const name of [
      'saga.run sms-to-incident',
      'saga.step create-incident',
      'saga.attempt create-incident',
      `POST ${ROUTE}`,
    ])
      expect(traces.includes(Buffer.from(name))).toBe(true);
    expectNoLeaks(everythingSent());
    expectNoLeaks(stack.fn.output());
  });

  it('after a failed run posts IncidentCreationFailed=1, CompensationFailed=0 and releases the debug lines', async () => {
    // Prepare
    stack = await startStack({ env: observedEnv() });
    stack.emulator.addFault({
      method: 'POST',
      path: '/incidents',
      action: 'status',
      status: 400,
      errorCode: 'OSC-CREST-00001',
      detail: 'bad incident',
    });

    // Act
    const res = await post(stack);

    // Assess
    expect(res.status).toBeGreaterThanOrEqual(500);
    expect(standIns.datapoints('IncidentCreationFailed').map((d) => d.value)).toEqual([1]);
    expect(standIns.datapoints('CompensationFailed').map((d) => d.value)).toEqual([0]);
    const entries = standIns.logPosts[0]!.body.logEntryBatches[0]!.entries.map(
      (e) => JSON.parse(e.data) as Record<string, unknown>,
    );
    expect(entries.some((e) => e.level === 'debug' && e.message === 'attempt started')).toBe(true);
    expect(entries.find((e) => e.message === 'step failed')).toMatchObject({
      step: 'create-incident',
      errorType: expect.any(String),
    });
    expect(stack.fn.output()).toContain('"level":"debug"');
    const traces = Buffer.concat(standIns.traceExports);
    expect(traces.includes(Buffer.from('saga.compensate create-contact'))).toBe(true);
    // the SERVER span's ERROR status names the failed step and why
    expect(traces.includes(Buffer.from('create-incident: B2C Service answered 400'))).toBe(true);
    expectNoLeaks(everythingSent());
  });

  it('reports the attempts of a retried step in StepAttempts and on the attempt spans', async () => {
    stack = await startStack({ env: observedEnv({ OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=staging' }) });
    stack.emulator.addFault({ method: 'POST', path: '/incidents', action: 'status', status: 503, times: 2 });
    const res = await post(stack);
    expect(res.status).toBe(200);
    expect(standIns.datapoints('StepAttempts').find((d) => d.dimensions.step === 'create-incident')?.value).toBe(3);
    expect(standIns.datapoints('IncidentCreationFailed').map((d) => d.value)).toEqual([0]);
    const traces = Buffer.concat(standIns.traceExports);
    expect(traces.includes(Buffer.from('retry scheduled'))).toBe(true);
    // the attributes an APM user filters by: SERVER, resource, CLIENT (route template in the name, resends)
    for (const text of [
      'faas.trigger',
      'url.scheme',
      'http.route',
      'service.version',
      '0.1.0',
      'cloud.provider',
      'cloud.region',
      'us-ashburn-1',
      'deployment.environment.name',
      'staging',
      'POST /incidents',
      'url.template',
      'http.request.resend_count',
    ]) {
      expect(traces.includes(Buffer.from(text)), text).toBe(true);
    }
    // the failed attempts' log lines carry their own attempt span, under both field names
    const entries = standIns.logPosts[0]!.body.logEntryBatches[0]!.entries.map(
      (e) => JSON.parse(e.data) as Record<string, unknown>,
    );
    const failed = entries.filter((e) => e.message === 'attempt failed');
    const summary = entries.find((e) => e.message === 'run succeeded')!;
    expect(failed).toHaveLength(2);
    for (const line of failed) {
      expect(line).toMatchObject({ trace_id: summary.traceId, traceId: summary.traceId, span_id: line.spanId });
      expect(line.spanId).not.toBe(summary.spanId);
      expect(traces.includes(Buffer.from(line.spanId as string, 'hex'))).toBe(true);
    }
    expect(new Set(failed.map((l) => l.spanId)).size).toBe(2);
  });

  it('counts a rejected webhook with its reason', async () => {
    stack = await startStack({ env: observedEnv() });
    const res = await post(stack, {}, '{not json');
    expect(res.status).toBe(400);
    expect(standIns.datapoints('WebhookRejected')).toEqual([
      { value: 1, dimensions: { functionName: 'sms-incident', reason: 'malformed' } },
    ]);
    expect(standIns.datapoints('IncidentCreationFailed')).toEqual([]);
  });

  it('counts a redelivered webhook as DuplicateWebhook, with no second run, its span linked to the original trace', async () => {
    stack = await startStack({ env: observedEnv() });
    const body = webhook();
    expect((await post(stack, {}, body, undefined)).status).toBe(200);
    const firstTrace = standIns.logPosts[0]!.body.logEntryBatches[0]!.entries.map(
      (e) => JSON.parse(e.data) as Record<string, unknown>,
    ).find((e) => e.message === 'run succeeded')!.traceId as string;
    const exportsBefore = standIns.traceExports.length;
    expect((await post(stack, {}, body)).status).toBe(200);
    // a new trace for the redelivery, whose SERVER span links the first one
    expect(Buffer.concat(standIns.traceExports.slice(exportsBefore)).includes(Buffer.from(firstTrace, 'hex'))).toBe(
      true,
    );
    expect(standIns.datapoints('DuplicateWebhook')).toEqual([
      { value: 1, dimensions: { functionName: 'sms-incident', provider: 'twilio' } },
    ]);
    expect(standIns.datapoints('IncidentCreationFailed')).toHaveLength(1);
    expect(standIns.metricPosts).toHaveLength(2);
  });

  it('re-reads the Vault secrets after B2C Service answers 401 (rotated password)', async () => {
    // Prepare: Vault still holds the old password
    stack = await startStack({ env: observedEnv() });
    standIns.secrets.set(SECRETS.password, 'the-old-password');
    const first = await post(stack);
    expect(first.status).toBeGreaterThanOrEqual(500);
    const reads = standIns.secretReads.filter((id) => id === SECRETS.password).length;

    // Act: the password is rotated in Vault; the provider retries
    standIns.secrets.set(SECRETS.password, 'pa55-w0rd-not-for-logs');
    const second = await post(stack);

    // Assess
    expect(second.status).toBe(200);
    expect(standIns.secretReads.filter((id) => id === SECRETS.password).length).toBe(reads + 1);
  });

  it('falls back to plain config values when Vault is down', async () => {
    standIns.faults.secrets = 'error-500';
    stack = await startStack({
      env: observedEnv({
        b2cservice_username: 'sms-api',
        b2cservice_password: 'pa55-w0rd-not-for-logs',
        oci_apm_data_key: APM_KEY,
      }),
    });
    const res = await post(stack);
    expect(res.status).toBe(200);
    expect(stack.fn.output()).toContain('Vault unavailable: using plain config values');
  });

  it('only turns traces off when the APM data key cannot be read from Vault', async () => {
    standIns.faults.secrets = 'error-500';
    stack = await startStack({
      env: observedEnv({
        b2cservice_username: 'sms-api',
        b2cservice_password: 'pa55-w0rd-not-for-logs',
        b2cservice_username_ocid: '',
        b2cservice_password_ocid: '',
      }),
    });
    const res = await post(stack);
    expect(res.status).toBe(200);
    expect(stack.fn.output()).toContain('traces off');
    expect(standIns.traceExports).toEqual([]);
    expect(standIns.datapoints('IncidentCreationFailed').map((d) => d.value)).toEqual([0]);
  });

  it('answers 503 when a secret is only in Vault and Vault is down, and counts it as a function fault', async () => {
    standIns.faults.secrets = 'error-500';
    const env = observedEnv();
    stack = await startStack({ env: { ...env, b2cservice_password: '' } });
    const res = await post(stack);
    expect(res.status).toBe(503);
    expect(res.json).toMatchObject({ retryable: true });
    expect(standIns.datapoints('IncidentCreationFailed')).toEqual([]);
    expect(standIns.datapoints('WebhookAnswered')).toEqual([
      { value: 1, dimensions: { functionName: 'sms-incident', outcome: 'secrets_unavailable', fault: 'function' } },
    ]);
  });

  it('counts every function-level 5xx outside a run: a config error (500) and a journal outage (503)', async () => {
    // Prepare: a bad API version; then a journal in an Object Storage that refuses connections
    stack = await startStack({ env: observedEnv({ b2cservice_api_version: 'v9' }) });
    const badConfig = await post(stack);
    await stack.stop();
    stack = await startStack({
      env: observedEnv({ run_journal: 'oci-os://acme/runs', oci_objectstorage_endpoint: 'http://127.0.0.1:9' }),
    });

    // Act
    const noJournal = await post(stack);

    // Assess
    expect([badConfig.status, noJournal.status]).toEqual([500, 503]);
    expect(standIns.datapoints('WebhookAnswered').map((d) => d.dimensions)).toEqual([
      { functionName: 'sms-incident', outcome: 'config_error', fault: 'function' },
      { functionName: 'sms-incident', outcome: 'journal_unavailable', fault: 'function' },
    ]);
    // the SERVER span says why
    expect(Buffer.concat(standIns.traceExports).includes(Buffer.from('answered 503: journal_unavailable'))).toBe(true);
  });

  it('counts answers by outcome: created, replayed, rejected and a failed run', async () => {
    stack = await startStack({ env: observedEnv() });
    const body = webhook();
    await post(stack, {}, body);
    await post(stack, {}, body);
    await post(stack, {}, '{not json');
    stack.emulator.addFault({
      method: 'POST',
      path: '/incidents',
      action: 'status',
      status: 400,
      errorCode: 'OSC-CREST-00006',
      detail: 'bad reference',
    });
    await post(stack);
    expect(standIns.datapoints('WebhookAnswered').map((d) => `${d.dimensions.outcome}/${d.dimensions.fault}`)).toEqual([
      'created/none',
      'replayed/none',
      'rejected/sender',
      'run_failed/run',
    ]);
  });

  it('keeps identifiers exact in spans and logs, digit-heavy call ids and message ids included', async () => {
    // Prepare: ids that a "7+ digits is a phone number" mask would have altered
    stack = await startStack({ env: observedEnv() });
    const callId = '01234567-8901-2345-6789-012345678901';
    const sid = 'SM12345678901234567890123456789012';

    // Act
    const res = await post(stack, {}, JSON.stringify({ ...guide, sid }), callId);

    // Assess
    expect(res.status).toBe(200);
    const runId = res.json.runId as string;
    const traces = Buffer.concat(standIns.traceExports);
    for (const id of [callId, sid, runId]) expect(traces.includes(Buffer.from(id)), id).toBe(true);
    const entries = standIns.logPosts[0]!.body.logEntryBatches[0]!.entries.map(
      (e) => JSON.parse(e.data) as Record<string, unknown>,
    );
    const summary = entries.find((e) => e.message === 'run succeeded');
    expect(summary).toMatchObject({ fnCallId: callId, messageId: sid, runId });
    expect(entries.every((e) => e.fnCallId === callId)).toBe(true);
    expectNoLeaks(everythingSent());
  });
});

describe('telemetry never changes the outcome', () => {
  const plain = { b2cservice_username: 'sms-api', b2cservice_password: 'pa55-w0rd-not-for-logs' };

  let lastOutput = '';
  async function warmDuration(env: Record<string, string>): Promise<{ status: number; ms: number }[]> {
    stack = await startStack({ env });
    const out: { status: number; ms: number }[] = [];
    for (let i = 0; i < 3; i++) {
      const started = Date.now();
      const res = await post(stack);
      out.push({ status: res.status, ms: Date.now() - started });
    }
    lastOutput = stack.fn.output();
    await stack.stop();
    stack = undefined;
    return out;
  }

  it('with every backend down or hanging, the webhook still succeeds within its normal time plus the telemetry budget', async () => {
    const budgetMs = 300;
    const telemetryOn = {
      ...plain,
      ...identity.env,
      oci_monitoring_endpoint: standIns.url,
      oci_logging_endpoint: standIns.url,
      oci_monitoring_compartment_id: 'ocid1.compartment.oc1..metrics',
      oci_log_id: 'ocid1.log.oc1.iad.amaaaaaalog',
      oci_apm_endpoint: standIns.url,
      oci_apm_data_key: APM_KEY,
      telemetry_flush_budget_ms: String(budgetMs),
    };
    // Normal time: without telemetry, and with telemetry on healthy backends (the first call of a
    // container that ships telemetry also loads the OCI SDK; one without telemetry never does).
    const baseline = [...(await warmDuration({ ...plain })), ...(await warmDuration(telemetryOn))];
    const down = await warmDuration({
      ...plain,
      ...identity.env,
      oci_monitoring_endpoint: 'http://127.0.0.1:9',
      oci_logging_endpoint: 'http://127.0.0.1:9',
      oci_monitoring_compartment_id: 'ocid1.compartment.oc1..metrics',
      oci_log_id: 'ocid1.log.oc1.iad.amaaaaaalog',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:9/v1/traces',
      telemetry_flush_budget_ms: String(budgetMs),
    });
    // each backend's failure is counted and logged once, not once per invocation
    for (const kind of ['metrics', 'logs', 'traces'])
      expect(lastOutput.split(`telemetry ${kind} export failed`).length - 1).toBe(1);
    standIns.faults.metrics = standIns.faults.logs = standIns.faults.traces = 'slow';
    standIns.slowMs = 5_000;
    const hanging = await warmDuration(telemetryOn);
    for (const kind of ['metrics', 'logs', 'traces'])
      expect(lastOutput.split(`telemetry ${kind} export failed`).length - 1).toBe(1);
    // Bounded by the budget, not by the backends: an answer that waited for a hanging backend would take
    // its whole hang longer than the baseline. Half the hang tells the two apart on a loaded machine too,
    // where a fixed few hundred ms above the baseline does not.
    const worstBaseline = Math.max(...baseline.map((r) => r.ms));
    for (const r of [...down, ...hanging]) {
      expect(r.status).toBe(200);
      expect(r.ms - worstBaseline).toBeLessThan(standIns.slowMs / 2);
    }
  });
});
