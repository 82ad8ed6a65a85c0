import { describe, expect, it } from 'vitest';
import { alarmDefinitions } from '../../../telemetry/alarms.js';
import { main } from '../../../telemetry/alarms-cli.js';
import { alarmQueryProblems, parseMql } from '../../../telemetry/mql.js';

const ALL = alarmDefinitions({ functionName: 'sms-incident', errorRateThreshold: 0.1, absenceMinutes: 30, rejectedThreshold: 20 });

describe('alarm definitions', () => {
  it.each(ALL.map((a) => [a.displayName, a.query]))('%s names only metrics and dimensions the code emits', (_name, query) => {
    expect(alarmQueryProblems(query)).toEqual([]);
  });

  it('alarms on the error rate as the mean of the 0/1 IncidentCreationFailed metric, and on any failed compensation as critical', () => {
    expect(ALL[0]).toMatchObject({ severity: 'ERROR', query: 'IncidentCreationFailed[5m]{functionName = "sms-incident"}.mean() > 0.1' });
    expect(ALL[1]).toMatchObject({ severity: 'CRITICAL', query: 'CompensationFailed[1m]{functionName = "sms-incident"}.max() > 0' });
  });

  it('catches a misspelled metric, an unknown dimension and an unparsable query', () => {
    expect(alarmQueryProblems('IncidentCreationFailures[5m].mean() > 0.2')).toEqual(['metric IncidentCreationFailures is not emitted']);
    expect(alarmQueryProblems('StepAttempts[5m]{stepName = "x"}.max() > 3')).toEqual(['StepAttempts has no dimension stepName']);
    expect(alarmQueryProblems('WebhookRejected[5m].groupBy(provider).sum() > 1')).toEqual(['WebhookRejected has no dimension provider']);
    expect(alarmQueryProblems('this is not MQL')).toHaveLength(1);
  });

  it('parses the parts of a query', () => {
    expect(parseMql('WebhookRejected[5m]{functionName = "f"}.groupBy(reason).sum() > 20')).toEqual({ metric: 'WebhookRejected', interval: '5m', dimensions: ['functionName'], groupBy: ['reason'], statistic: 'sum' });
  });
});

describe('alarms CLI', () => {
  it('prints the MQL of each alarm', async () => {
    const lines: string[] = [];
    expect(await main(['print', '--function-name', 'sms-prod', '--error-rate', '0.05'], (l) => lines.push(l))).toBe(0);
    expect(lines.join('\n')).toContain('IncidentCreationFailed[5m]{functionName = "sms-prod"}.mean() > 0.05');
  });

  it('refuses bad flags with the usage and exit code 2', async () => {
    const lines: string[] = [];
    expect(await main(['print', '--error-rate', '7'], (l) => lines.push(l))).toBe(2);
    expect(await main(['apply'], (l) => lines.push(l))).toBe(2);
    expect(lines.join('\n')).toContain('usage: npm run alarms');
  });
});
