/**
 * Alarms as code: the incident-creation error rate, any failed compensation, and (optionally)
 * no traffic at all, over the metrics this function posts. `alarms-cli.ts` prints or applies them.
 */
import * as monitoring from 'oci-monitoring';
import { ociCall } from '../src/oci/index.js';

export interface AlarmOptions {
  readonly functionName: string;
  /** IncidentCreationFailed mean over 5 min above this fires (0.2 = 20 % of runs failed). @default 0.2 */
  readonly errorRateThreshold?: number;
  /** Add an alarm for no run at all during this many minutes. @default off */
  readonly absenceMinutes?: number;
  /** Add an alarm for more than this many rejected webhooks in 5 min (bad signatures, garbage). @default off */
  readonly rejectedThreshold?: number;
}

export interface AlarmSpec {
  readonly displayName: string;
  readonly severity: 'CRITICAL' | 'ERROR' | 'WARNING' | 'INFO';
  readonly query: string;
  readonly pendingDuration: string;
  readonly body: string;
}

const q = (s: string) => JSON.stringify(s);

export function alarmDefinitions(options: AlarmOptions): AlarmSpec[] {
  const fn = `{functionName = ${q(options.functionName)}}`;
  const threshold = options.errorRateThreshold ?? 0.2;
  const alarms: AlarmSpec[] = [
    {
      displayName: `${options.functionName}: incident creation error rate`,
      severity: 'ERROR',
      query: `IncidentCreationFailed[5m]${fn}.mean() > ${threshold}`,
      pendingDuration: 'PT5M',
      body: `More than ${Math.round(threshold * 100)} % of SMS runs failed to create an incident over 5 minutes. Find failed runs: logs with "run failed" (failedStep, errorType, traceId), or the StepAttempts/StepDuration metrics per step.`,
    },
    {
      displayName: `${options.functionName}: compensation failed`,
      severity: 'CRITICAL',
      query: `CompensationFailed[1m]${fn}.max() > 0`,
      pendingDuration: 'PT1M',
      body: 'A failed run could not undo its partial work (an incident or contact is left behind). Search the logs for "compensation failed: manual clean-up needed" and clean up by hand.',
    },
  ];
  if (options.absenceMinutes) {
    alarms.push({
      displayName: `${options.functionName}: no SMS runs`,
      severity: 'WARNING',
      query: `IncidentCreationFailed[${options.absenceMinutes}m]${fn}.absent()`,
      pendingDuration: 'PT5M',
      body: `No SMS reached the workflow in ${options.absenceMinutes} minutes: check the provider's webhook URL, the API Gateway and the function.`,
    });
  }
  if (options.rejectedThreshold !== undefined) {
    alarms.push({
      displayName: `${options.functionName}: webhooks rejected`,
      severity: 'WARNING',
      query: `WebhookRejected[5m]${fn}.groupBy(reason).sum() > ${options.rejectedThreshold}`,
      pendingDuration: 'PT5M',
      body: 'Many webhooks were refused before a run (see the reason dimension): a rotated provider secret, a changed URL, or probing.',
    });
  }
  return alarms;
}

export interface AlarmTarget {
  /** Compartment the alarms live in. */
  readonly compartmentId: string;
  /** Compartment the metrics are posted to. @default compartmentId */
  readonly metricCompartmentId?: string;
  readonly namespace: string;
  readonly resourceGroup?: string;
  /** Notifications topic OCIDs. */
  readonly destinations: readonly string[];
}

/** Creates each alarm, or updates the one with the same display name. Returns what was done per alarm. */
export async function applyAlarms(client: monitoring.MonitoringClient, specs: readonly AlarmSpec[], target: AlarmTarget): Promise<{ displayName: string; action: 'created' | 'updated'; id: string }[]> {
  const done: { displayName: string; action: 'created' | 'updated'; id: string }[] = [];
  for (const spec of specs) {
    const details = {
      displayName: spec.displayName,
      compartmentId: target.compartmentId,
      metricCompartmentId: target.metricCompartmentId ?? target.compartmentId,
      namespace: target.namespace,
      ...(target.resourceGroup ? { resourceGroup: target.resourceGroup } : {}),
      query: spec.query,
      severity: spec.severity,
      body: spec.body,
      pendingDuration: spec.pendingDuration,
      destinations: [...target.destinations],
      isEnabled: true,
    };
    const existing = await ociCall('MonitoringClient.listAlarms', 10_000, () => client.listAlarms({ compartmentId: target.compartmentId, displayName: spec.displayName }));
    const current = existing.items.find((a) => a.displayName === spec.displayName);
    if (current) {
      const { compartmentId: _ignored, ...update } = details;
      const r = await ociCall('MonitoringClient.updateAlarm', 10_000, () => client.updateAlarm({ alarmId: current.id, updateAlarmDetails: { ...update, severity: details.severity as monitoring.models.Alarm.Severity, messageFormat: monitoring.models.UpdateAlarmDetails.MessageFormat.OnsOptimized } }));
      done.push({ displayName: spec.displayName, action: 'updated', id: r.alarm.id });
    } else {
      const r = await ociCall('MonitoringClient.createAlarm', 10_000, () => client.createAlarm({ createAlarmDetails: { ...details, severity: details.severity as monitoring.models.Alarm.Severity, messageFormat: monitoring.models.CreateAlarmDetails.MessageFormat.OnsOptimized } }));
      done.push({ displayName: spec.displayName, action: 'created', id: r.alarm.id });
    }
  }
  return done;
}
