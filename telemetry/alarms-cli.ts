/**
 * `npm run alarms -- print|apply [flags]`: prints the alarm MQL, or creates/updates the alarms in
 * OCI Monitoring (auth: resource principal when OCI_RESOURCE_PRINCIPAL_VERSION is set, else the
 * OCI CLI config file, `--profile` / `--config-file`).
 */
import { parseArgs } from 'node:util';
import * as monitoring from 'oci-monitoring';
import { OciService, ociAuthProvider, ociClientConfiguration, ociEndpoint } from '../src/oci/index.js';
import { alarmDefinitions, applyAlarms, type AlarmSpec } from './alarms.js';
import { alarmQueryProblems } from './mql.js';

const USAGE = `usage: npm run alarms -- <print|apply> [flags]

Without flags: the 4 alarms every deployment has (SMS run failed, function failing outside a run,
compensation failed, no SMS runs). --function-id, --api-deployment-id and --rejected add the 3 more
that Terraform creates (deploy/terraform/alarms.json); --error-rate adds an optional one.

  --function-name <name>      functionName dimension (default sms-incident)
  --namespace <ns>            metric namespace (default sms_incident)
  --journal <location>        the function's run_journal, named in the alarm bodies' commands
  --log-scope <c/lg/log>      OCI Logging search scope of the function's log, for the bodies' log queries
  --absence-minutes <n>       warn when no run happened for n minutes (default 60, 0 = off)
  --function-id <ocid>        also alarm on oci_faas error responses of this function
  --api-deployment-id <ocid>  also alarm on API Gateway 5xx of this deployment
  --error-rate <0..1>         also alarm on IncidentCreationFailed's 5-minute mean above this
  --rejected <n>              also alarm on more than n rejected webhooks in 5 min
  --json                      print as JSON
 apply only:
  --compartment <ocid>        compartment of the alarms (required)
  --metric-compartment <ocid> compartment of the metrics, the function and the gateway (default: --compartment)
  --resource-group <name>     metric resource group, if the function sets one
  --topic <ocid>              Notifications topic (required, repeatable)
  --profile <name> --config-file <path>   OCI CLI config (ignored under a resource principal)
  --endpoint <url>            Monitoring API endpoint override
  -h, --help                  this help`;

/** The alarms only a flag adds, as the print footer names them. */
const FLAGGED = [
  { flag: 'function-id', usage: '--function-id <ocid>', alarm: 'OCI Functions error responses' },
  { flag: 'api-deployment-id', usage: '--api-deployment-id <ocid>', alarm: 'API Gateway 5xx' },
  { flag: 'rejected', usage: '--rejected <n>', alarm: 'webhooks rejected' },
  { flag: 'error-rate', usage: '--error-rate <0..1>', alarm: 'incident creation error rate' },
] as const;

export async function main(argv: string[], out: (line: string) => void = console.log): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        'function-name': { type: 'string', default: 'sms-incident' },
        namespace: { type: 'string', default: 'sms_incident' },
        journal: { type: 'string' },
        'log-scope': { type: 'string' },
        'function-id': { type: 'string' },
        'api-deployment-id': { type: 'string' },
        'error-rate': { type: 'string' },
        'absence-minutes': { type: 'string', default: '60' },
        rejected: { type: 'string' },
        json: { type: 'boolean', default: false },
        compartment: { type: 'string' },
        'metric-compartment': { type: 'string' },
        'resource-group': { type: 'string' },
        topic: { type: 'string', multiple: true },
        profile: { type: 'string' },
        'config-file': { type: 'string' },
        endpoint: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // parseArgs explains how to pass a positional that starts with '-': not what was meant here.
    out(`${message.replace(/\. To specify a positional argument.*$/s, '')}\n\n${USAGE}`);
    return 2;
  }
  const { values: v, positionals } = parsed;
  if (v.help) {
    out(USAGE);
    return 0;
  }
  const command = positionals[0];
  const errorRate = v['error-rate'] === undefined ? undefined : Number(v['error-rate']);
  const absence = Number(v['absence-minutes']);
  const rejected = v.rejected === undefined ? undefined : Number(v.rejected);
  const problem =
    command !== 'print' && command !== 'apply'
      ? command === undefined
        ? 'which command: print or apply?'
        : `no command "${command}": print or apply`
      : errorRate !== undefined && !(errorRate > 0 && errorRate <= 1)
        ? `--error-rate takes a fraction above 0 and at most 1 (0.05 = 5 %), not ${JSON.stringify(v['error-rate'])}`
        : !(Number.isInteger(absence) && absence >= 0 && absence <= 60)
          ? `--absence-minutes takes a whole number from 0 to 60, not ${JSON.stringify(v['absence-minutes'])}`
          : rejected !== undefined && !(Number.isInteger(rejected) && rejected >= 0)
            ? `--rejected takes a whole number, not ${JSON.stringify(v.rejected)}`
            : undefined;
  if (problem !== undefined) {
    out(`${problem}\n\n${USAGE}`);
    return 2;
  }
  const specs = alarmDefinitions({
    functionName: v['function-name'] as string,
    absenceMinutes: absence,
    ...(v.journal ? { journal: v.journal } : {}),
    ...(v['log-scope'] ? { logScope: v['log-scope'] } : {}),
    ...(v['function-id'] ? { functionId: v['function-id'] } : {}),
    ...(v['api-deployment-id'] ? { apiDeploymentId: v['api-deployment-id'] } : {}),
    ...(errorRate === undefined ? {} : { errorRateThreshold: errorRate }),
    ...(rejected === undefined ? {} : { rejectedThreshold: rejected }),
  });
  const problems = specs.flatMap((s) => alarmQueryProblems(s.query, s.namespace));
  if (problems.length > 0) {
    out(`alarm queries do not match the emitted metrics: ${problems.join('; ')}`);
    return 1;
  }

  if (command === 'print') {
    if (v.json)
      out(
        JSON.stringify(
          specs.map((s) => ({ ...s, namespace: s.namespace ?? v.namespace })),
          null,
          2,
        ),
      );
    else {
      for (const s of specs) out(formatAlarm(s, v.namespace as string));
      const missing = FLAGGED.filter((f) => v[f.flag] === undefined);
      if (missing.length > 0)
        out(
          `${specs.length} alarms. Not printed, each added by its flag: ${missing.map((f) => `"${f.alarm}" (${f.usage})`).join(', ')}.`,
        );
    }
    return 0;
  }

  if (!v.compartment || !v.topic?.length) {
    out(`apply needs --compartment and --topic\n${USAGE}`);
    return 2;
  }
  const auth = ociAuthProvider(process.env, { profile: v.profile, configFile: v['config-file'] });
  if (!auth) {
    out('no OCI credentials: set OCI_RESOURCE_PRINCIPAL_* or create ~/.oci/config (or pass --config-file)');
    return 1;
  }
  const client = new monitoring.MonitoringClient(
    { authenticationDetailsProvider: auth },
    ociClientConfiguration({ maxAttempts: 3, attemptTimeoutMs: 10_000 }),
  );
  const endpoint = ociEndpoint(OciService.monitoring, v.endpoint, auth);
  if (endpoint) client.endpoint = endpoint;
  try {
    const done = await applyAlarms(client, specs, {
      compartmentId: v.compartment,
      metricCompartmentId: v['metric-compartment'],
      namespace: v.namespace as string,
      resourceGroup: v['resource-group'],
      destinations: v.topic,
    });
    if (v.json) out(JSON.stringify(done, null, 2));
    else for (const d of done) out(`${d.action} ${d.displayName} (${d.id})`);
    return 0;
  } catch (error) {
    out(`apply failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    client.close();
  }
}

/** One alarm as the on-call engineer will read it: rule, timing, and the body they will get. */
export function formatAlarm(spec: AlarmSpec, namespace: string): string {
  const timing = `pending ${spec.pendingDuration}${spec.repeatNotificationDuration ? `, repeats every ${spec.repeatNotificationDuration} while firing` : ''}`;
  return [
    `[${spec.severity}] ${spec.displayName}`,
    `  namespace ${spec.namespace ?? namespace}   ${timing}`,
    `  ${spec.query}`,
    ...spec.body.split('\n').map((l) => `  | ${l}`),
    '',
  ].join('\n');
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
