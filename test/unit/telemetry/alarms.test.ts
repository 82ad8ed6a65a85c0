import { describe, expect, it } from 'vitest';
import { alarmDefinitions } from '../../../telemetry/alarms.js';
import { main } from '../../../telemetry/alarms-cli.js';
import { alarmQueryProblems, parseMql } from '../../../telemetry/mql.js';

const JOURNAL = 'oci-os://acme/sms-runs/prod';
const SCOPE = 'ocid1.compartment.oc1..c/ocid1.loggroup.oc1.iad.g/ocid1.log.oc1.iad.l';
const ALL = alarmDefinitions({
  functionName: 'sms-incident',
  journal: JOURNAL,
  logScope: SCOPE,
  functionId: 'ocid1.fnfunc.oc1.iad.f',
  apiDeploymentId: 'ocid1.apideployment.oc1.iad.d',
  errorRateThreshold: 0.1,
  rejectedThreshold: 20,
});
const byName = (suffix: string) => {
  const found = ALL.find((a) => a.displayName === `sms-incident: ${suffix}`);
  if (!found) throw new Error(`no alarm ${suffix}`);
  return found;
};

describe('alarm definitions', () => {
  it.each(ALL.map((a) => [a.displayName, a.query, a.namespace]))(
    '%s names only metrics and dimensions that are emitted',
    (_name, query, namespace) => {
      expect(alarmQueryProblems(query, namespace)).toEqual([]);
    },
  );

  it('pages on any failed run within minutes, whatever the volume, with the exact next command and log query', () => {
    const a = byName('SMS run failed');
    expect(a).toMatchObject({
      severity: 'CRITICAL',
      query: 'IncidentCreationFailed[5m]{functionName = "sms-incident"}.sum() > 0',
      pendingDuration: 'PT1M',
    });
    expect(a.body).toContain(`sms-incident runs list --status failed --since 15m --journal ${JOURNAL}`);
    expect(a.body).toContain(`search "${SCOPE}" | where data.message = 'run failed'`);
  });

  it('pages on 5xx answered outside a run (config, Vault, journal, bug), which post no run metric', () => {
    const a = byName('function failing outside a run');
    expect(a).toMatchObject({
      severity: 'CRITICAL',
      query: 'WebhookAnswered[5m]{functionName = "sms-incident", fault = "function"}.groupBy(outcome).sum() > 0',
      pendingDuration: 'PT1M',
    });
    expect(a.body).toContain(`search "${SCOPE}" | where data.level = 'error'`);
  });

  it('keeps a failed compensation firing for an hour and re-notifies while it does', () => {
    const a = byName('compensation failed');
    expect(a).toMatchObject({
      severity: 'CRITICAL',
      query: 'CompensationFailed[1h]{functionName = "sms-incident"}.max() > 0',
      repeatNotificationDuration: 'PT1H',
    });
    expect(a.body).toContain(`sms-incident runs list --compensation failed --since 1d --journal ${JOURNAL}`);
    expect(a.body).toContain("data.message = 'compensation failed: manual clean-up needed'");
  });

  it('warns of no runs by function (not per provider stream), on by default', () => {
    const defaults = alarmDefinitions({ functionName: 'sms-incident' });
    expect(defaults.map((a) => a.displayName)).toEqual([
      'sms-incident: SMS run failed',
      'sms-incident: function failing outside a run',
      'sms-incident: compensation failed',
      'sms-incident: no SMS runs',
    ]);
    expect(defaults[3]!.query).toBe(
      'IncidentCreationFailed[60m]{functionName = "sms-incident"}.groupBy(functionName).absent()',
    );
    // without a journal, the command still shows where it goes
    expect(defaults[0]!.body).toContain('--journal <run_journal>');
    expect(
      alarmDefinitions({ functionName: 'f', absenceMinutes: 0 }).some((a) => a.displayName.endsWith('no SMS runs')),
    ).toBe(false);
  });

  it('watches the platform: oci_faas error responses and API Gateway 5xx', () => {
    expect(byName('OCI Functions error responses')).toMatchObject({
      namespace: 'oci_faas',
      query: 'FunctionResponseCount[5m]{resourceId = "ocid1.fnfunc.oc1.iad.f", responseType = "Error"}.sum() > 0',
    });
    expect(byName('API Gateway 5xx')).toMatchObject({
      namespace: 'oci_apigateway',
      query:
        'HttpResponses[5m]{deploymentId = "ocid1.apideployment.oc1.iad.d", httpStatusCategory = "5xx"}.groupBy(httpStatusCode).sum() > 0',
    });
  });

  it('catches a misspelled metric, an unknown dimension, a wrong namespace and an unparsable query', () => {
    expect(alarmQueryProblems('IncidentCreationFailures[5m].mean() > 0.2')).toEqual([
      'metric IncidentCreationFailures is not emitted',
    ]);
    expect(alarmQueryProblems('StepAttempts[5m]{stepName = "x"}.max() > 3')).toEqual([
      'StepAttempts has no dimension stepName',
    ]);
    expect(alarmQueryProblems('WebhookRejected[5m].groupBy(provider).sum() > 1')).toEqual([
      'WebhookRejected has no dimension provider',
    ]);
    expect(alarmQueryProblems('HttpResponses[5m].sum() > 1')).toEqual(['metric HttpResponses is not emitted']);
    expect(alarmQueryProblems('FunctionResponseCount[5m]{status = "x"}.sum() > 1', 'oci_faas')).toEqual([
      'FunctionResponseCount has no dimension status',
    ]);
    expect(alarmQueryProblems('this is not MQL')).toHaveLength(1);
  });

  it('parses the parts of a query', () => {
    expect(parseMql('WebhookRejected[5m]{functionName = "f"}.groupBy(reason).sum() > 20')).toEqual({
      metric: 'WebhookRejected',
      interval: '5m',
      dimensions: ['functionName'],
      groupBy: ['reason'],
      statistic: 'sum',
    });
  });
});

describe('alarms CLI', () => {
  it('prints each alarm with its rule, timing and body', async () => {
    const lines: string[] = [];
    expect(
      await main(['print', '--function-name', 'sms-prod', '--journal', JOURNAL, '--error-rate', '0.05'], (l) =>
        lines.push(l),
      ),
    ).toBe(0);
    const text = lines.join('\n');
    expect(text).toContain(
      '[CRITICAL] sms-prod: SMS run failed\n  namespace sms_incident   pending PT1M\n  IncidentCreationFailed[5m]{functionName = "sms-prod"}.sum() > 0',
    );
    expect(text).toContain(`  | Next: sms-incident runs list --status failed --since 15m --journal ${JOURNAL}`);
    expect(text).toContain('pending PT1M, repeats every PT1H while firing');
    expect(text).toContain('IncidentCreationFailed[5m]{functionName = "sms-prod"}.mean() > 0.05');
  });

  it('refuses bad flags with the usage and exit code 2', async () => {
    const lines: string[] = [];
    expect(await main(['print', '--error-rate', '7'], (l) => lines.push(l))).toBe(2);
    expect(await main(['print', '--absence-minutes', '90'], (l) => lines.push(l))).toBe(2);
    expect(await main(['apply'], (l) => lines.push(l))).toBe(2);
    expect(lines.join('\n')).toContain('usage: npm run alarms');
  });

  it('prints help for --help, exit 0, naming the flags that add the 3 alarms Terraform has beyond the 4', async () => {
    const lines: string[] = [];
    expect(await main(['--help'], (l) => lines.push(l))).toBe(0);
    expect(await main(['print', '-h'], (l) => lines.push(l))).toBe(0);
    expect(lines.join('\n')).toContain('--function-id, --api-deployment-id and --rejected add the 3 more');
  });

  it('says which alarms print left out and the flag that adds each', async () => {
    // Act
    const bare: string[] = [];
    const full: string[] = [];
    await main(['print'], (l) => bare.push(l));
    await main(
      [
        'print',
        '--function-id',
        'ocid1.fnfunc.oc1..x',
        '--api-deployment-id',
        'ocid1.apideployment.oc1..y',
        '--rejected',
        '20',
        '--error-rate',
        '0.5',
      ],
      (l) => full.push(l),
    );

    // Assess
    expect(bare.at(-1)).toBe(
      '4 alarms. Not printed, each added by its flag: "OCI Functions error responses" (--function-id <ocid>), "API Gateway 5xx" (--api-deployment-id <ocid>), "webhooks rejected" (--rejected <n>), "incident creation error rate" (--error-rate <0..1>).',
    );
    expect(full.join('\n')).not.toContain('Not printed');
    expect(full.filter((l) => l.startsWith('['))).toHaveLength(8);
  });

  it('names the bad value', async () => {
    const lines: string[] = [];
    expect(await main(['print', '--error-rate', '7'], (l) => lines.push(l))).toBe(2);
    expect(await main(['print', '--rejcted', '7'], (l) => lines.push(l))).toBe(2);
    expect(lines[0]).toMatch(/^--error-rate takes a fraction above 0 and at most 1 \(0\.05 = 5 %\), not "7"/);
    expect(lines[1]).toMatch(/^Unknown option '--rejcted'\n\nusage/);
  });
});
