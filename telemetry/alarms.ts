/**
 * Alarms as code, one source for `npm run alarms` and the Terraform module. The rules:
 * - any failed run pages (a failed run is a lost SMS until it is redriven), whatever the volume;
 * - any answer the function failed outside a run (config, Vault, journal, a bug) pages;
 * - a failed compensation stays firing for an hour and re-notifies while it does;
 * - no run at all for a while warns, judged per function (not per provider stream), on by default;
 * - the platform's view: `oci_faas` error responses (a killed or timed-out container reports
 *   nothing itself) and API Gateway 5xx, when their OCIDs are given.
 * Every body names the next command and the log query, ready to paste.
 */
import * as monitoring from 'oci-monitoring';
import { ociCall } from '../src/oci/index.js';

export interface AlarmOptions {
  readonly functionName: string;
  /** The function's `run_journal` (`oci-os://<namespace>/<bucket>[/<prefix>]`), for the commands in the bodies. */
  readonly journal?: string;
  /** OCI Logging search scope of the function's log (`<compartment-ocid>/<log-group-ocid>/<log-ocid>`), for the log queries. */
  readonly logScope?: string;
  /** Warn when no run happened for this many minutes (1..60); 0 turns it off. @default 60 */
  readonly absenceMinutes?: number;
  /** Also alarm when IncidentCreationFailed's 5-minute mean is above this (high volume). @default off */
  readonly errorRateThreshold?: number;
  /** Also alarm on more than this many rejected webhooks in 5 min (bad signatures, garbage). @default off */
  readonly rejectedThreshold?: number;
  /** The function's OCID: adds the `oci_faas` error-response alarm. */
  readonly functionId?: string;
  /** The API Gateway deployment's OCID: adds the gateway 5xx alarm. */
  readonly apiDeploymentId?: string;
}

export interface AlarmSpec {
  readonly displayName: string;
  readonly severity: 'CRITICAL' | 'ERROR' | 'WARNING' | 'INFO';
  /** Metric namespace; absent: the function's own (`oci_monitoring_namespace`, default `sms_incident`). */
  readonly namespace?: 'oci_faas' | 'oci_apigateway';
  readonly query: string;
  readonly pendingDuration: string;
  /** Re-notify this often while firing. */
  readonly repeatNotificationDuration?: string;
  readonly body: string;
}

/** `run_journal` when not given: the integrator replaces it once (Terraform fills it in). */
export const JOURNAL_PLACEHOLDER = '<run_journal>';
export const LOG_SCOPE_PLACEHOLDER = '<compartment-ocid>/<log-group-ocid>/<log-ocid>';

const q = (s: string) => JSON.stringify(s);

export function alarmDefinitions(options: AlarmOptions): AlarmSpec[] {
  const name = options.functionName;
  const fn = `{functionName = ${q(name)}}`;
  const journal = options.journal ?? JOURNAL_PLACEHOLDER;
  const runs = (args: string) => `sms-incident runs ${args} --journal ${journal}`;
  const logs = (where: string) =>
    `search "${options.logScope ?? LOG_SCOPE_PLACEHOLDER}" | where ${where} | sort by datetime desc`;
  const absence = options.absenceMinutes ?? 60;

  const alarms: AlarmSpec[] = [
    {
      displayName: `${name}: SMS run failed`,
      severity: 'CRITICAL',
      query: `IncidentCreationFailed[5m]${fn}.sum() > 0`,
      pendingDuration: 'PT1M',
      body: lines(
        'An SMS did not become an incident: its run failed after retries (and compensation). It stays lost until it is redriven.',
        `Next: ${runs('list --status failed --since 15m')}`,
        `Then: ${runs('show <runId>')}  (failed step, error, trace id, what is left in B2C), and ${runs('redrive <runId>')}`,
        `Logs: ${logs("data.message = 'run failed'")}`,
      ),
    },
    {
      displayName: `${name}: function failing outside a run`,
      severity: 'CRITICAL',
      query: `WebhookAnswered[5m]{functionName = ${q(name)}, fault = "function"}.groupBy(outcome).sum() > 0`,
      pendingDuration: 'PT1M',
      body: lines(
        "The function answered 5xx before any run (outcome: config_error, secrets_unavailable, journal_unavailable or internal_error). Nothing is journaled: the provider's retries hold the only copy of these SMS, so fix it before they give up.",
        `Next: ${logs("data.level = 'error'")}`,
        'config_error: the answer and the log name the bad key; secrets_unavailable: Vault or its policy; journal_unavailable: the bucket or its policy; internal_error: the log line "unexpected error".',
      ),
    },
    {
      displayName: `${name}: compensation failed`,
      severity: 'CRITICAL',
      query: `CompensationFailed[1h]${fn}.max() > 0`,
      pendingDuration: 'PT1M',
      repeatNotificationDuration: 'PT1H',
      body: lines(
        'A failed run could not undo what it created in B2C Service: an incident or a contact is left behind and needs a hand.',
        `Next: ${runs('list --compensation failed --since 1d')}`,
        `Then: ${runs('show <runId>')}  lists what is left (ids) and what was deleted, the undo errors, and the commands to finish.`,
        `Logs: ${logs("data.message = 'compensation failed: manual clean-up needed'")}`,
        'This alarm clears itself after an hour; the run stays listed until it is redriven with --force.',
      ),
    },
  ];
  if (absence > 0) {
    alarms.push({
      displayName: `${name}: no SMS runs`,
      severity: 'WARNING',
      query: `IncidentCreationFailed[${absence}m]${fn}.groupBy(functionName).absent()`,
      pendingDuration: 'PT5M',
      body: lines(
        `No SMS reached the workflow in ${absence} minutes, from any provider.`,
        `Next: ${runs(`list --since ${absence}m`)}  (empty means nothing arrived); then the rejected webhooks: ${logs("data.message = 'webhook rejected'")}`,
        "Then the provider's webhook URL and delivery log, the API Gateway deployment and the function's invoke log.",
      ),
    });
  }
  if (options.functionId) {
    alarms.push({
      displayName: `${name}: OCI Functions error responses`,
      severity: 'CRITICAL',
      namespace: 'oci_faas',
      query: `FunctionResponseCount[5m]{resourceId = ${q(options.functionId)}, responseType = "Error"}.sum() > 0`,
      pendingDuration: 'PT1M',
      body: lines(
        'OCI Functions itself reported failed invocations: the container timed out, ran out of memory or was killed before it could answer or report.',
        `Next: the function's invoke log in OCI Logging, then ${runs('list --status running --since 15m')}  (a run left running is resumed by the provider's next delivery).`,
      ),
    });
  }
  if (options.apiDeploymentId) {
    alarms.push({
      displayName: `${name}: API Gateway 5xx`,
      severity: 'ERROR',
      namespace: 'oci_apigateway',
      query: `HttpResponses[5m]{deploymentId = ${q(options.apiDeploymentId)}, httpStatusCategory = "5xx"}.groupBy(httpStatusCode).sum() > 0`,
      pendingDuration: 'PT1M',
      body: lines(
        'Callers got 5xx from the API Gateway deployment. 502/504 with a failed run and 503 "being processed" come from the function (see its alarms); with no WebhookAnswered datapoint the gateway never reached it (function unreachable, authorizer, policy).',
        `Next: ${runs('list --status failed --since 15m')}, and the deployment's execution log.`,
      ),
    });
  }
  if (options.errorRateThreshold !== undefined) {
    alarms.push({
      displayName: `${name}: incident creation error rate`,
      severity: 'ERROR',
      query: `IncidentCreationFailed[5m]${fn}.mean() > ${options.errorRateThreshold}`,
      pendingDuration: 'PT5M',
      body: lines(
        `More than ${Math.round(options.errorRateThreshold * 100)} % of SMS runs failed over 5 minutes: B2C Service is likely down or refusing.`,
        `Next: ${runs('list --status failed --since 15m')}`,
        `Logs: ${logs("data.message = 'step failed'")}`,
      ),
    });
  }
  if (options.rejectedThreshold !== undefined) {
    alarms.push({
      displayName: `${name}: webhooks rejected`,
      severity: 'WARNING',
      query: `WebhookRejected[5m]${fn}.groupBy(reason).sum() > ${options.rejectedThreshold}`,
      pendingDuration: 'PT5M',
      body: lines(
        'Many webhooks were refused before a run (see the reason dimension): a rotated provider secret, a changed URL, or probing.',
        `Next: ${logs("data.message = 'webhook rejected'")}`,
      ),
    });
  }
  return alarms;
}

function lines(...parts: string[]): string {
  return parts.join('\n');
}

export interface AlarmTarget {
  /** Compartment the alarms live in. */
  readonly compartmentId: string;
  /** Compartment the metrics are posted to (and the function and gateway live in). @default compartmentId */
  readonly metricCompartmentId?: string;
  /** The function's metric namespace. */
  readonly namespace: string;
  readonly resourceGroup?: string;
  /** Notifications topic OCIDs. */
  readonly destinations: readonly string[];
}

/** Creates each alarm, or updates the one with the same display name. Returns what was done per alarm. */
export async function applyAlarms(
  client: monitoring.MonitoringClient,
  specs: readonly AlarmSpec[],
  target: AlarmTarget,
): Promise<{ displayName: string; action: 'created' | 'updated'; id: string }[]> {
  const done: { displayName: string; action: 'created' | 'updated'; id: string }[] = [];
  for (const spec of specs) {
    const details = {
      displayName: spec.displayName,
      compartmentId: target.compartmentId,
      metricCompartmentId: target.metricCompartmentId ?? target.compartmentId,
      namespace: spec.namespace ?? target.namespace,
      ...(target.resourceGroup && spec.namespace === undefined ? { resourceGroup: target.resourceGroup } : {}),
      query: spec.query,
      severity: spec.severity,
      body: spec.body,
      pendingDuration: spec.pendingDuration,
      ...(spec.repeatNotificationDuration ? { repeatNotificationDuration: spec.repeatNotificationDuration } : {}),
      destinations: [...target.destinations],
      isEnabled: true,
    };
    const existing = await ociCall('MonitoringClient.listAlarms', 10_000, () =>
      client.listAlarms({ compartmentId: target.compartmentId, displayName: spec.displayName }),
    );
    const current = existing.items.find((a) => a.displayName === spec.displayName);
    if (current) {
      const { compartmentId: _ignored, ...update } = details;
      const r = await ociCall('MonitoringClient.updateAlarm', 10_000, () =>
        client.updateAlarm({
          alarmId: current.id,
          updateAlarmDetails: {
            ...update,
            severity: details.severity as monitoring.models.Alarm.Severity,
            messageFormat: monitoring.models.UpdateAlarmDetails.MessageFormat.OnsOptimized,
          },
        }),
      );
      done.push({ displayName: spec.displayName, action: 'updated', id: r.alarm.id });
    } else {
      const r = await ociCall('MonitoringClient.createAlarm', 10_000, () =>
        client.createAlarm({
          createAlarmDetails: {
            ...details,
            severity: details.severity as monitoring.models.Alarm.Severity,
            messageFormat: monitoring.models.CreateAlarmDetails.MessageFormat.OnsOptimized,
          },
        }),
      );
      done.push({ displayName: spec.displayName, action: 'created', id: r.alarm.id });
    }
  }
  return done;
}
