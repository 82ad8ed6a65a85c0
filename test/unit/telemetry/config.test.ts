import { describe, expect, it } from 'vitest';
import { loadTelemetryConfig, parseOtlpHeaders } from '../../../telemetry/config.js';

describe('loadTelemetryConfig', () => {
  it('applies the defaults', () => {
    expect(loadTelemetryConfig({}).config).toMatchObject({
      oci_monitoring_namespace: 'sms_incident',
      telemetry_flush_budget_ms: 400,
    });
  });

  it('turns off only the feature of a bad key and reports it', () => {
    const { config, problems } = loadTelemetryConfig({
      oci_monitoring_namespace: 'oci_reserved',
      oci_log_id: 'ocid1.log.oc1.iad.aaaa',
      oci_monitoring_compartment_id: 'not-an-ocid',
    });
    expect(config.oci_monitoring_namespace).toBe('sms_incident');
    expect(config.oci_monitoring_compartment_id).toBeUndefined();
    expect(config.oci_log_id).toBe('ocid1.log.oc1.iad.aaaa');
    expect(problems.join(' ')).toMatch(/oci_monitoring_namespace.*oci_/);
    expect(problems.join(' ')).toMatch(/oci_monitoring_compartment_id/);
  });
});

describe('parseOtlpHeaders', () => {
  it('reads k=v pairs with URL-encoded values and skips malformed ones', () => {
    expect(parseOtlpHeaders('Authorization=dataKey%20abc, x-tenant = t1,broken,=v,bad=%E0%A4%A')).toEqual({
      Authorization: 'dataKey abc',
      'x-tenant': 't1',
    });
    expect(parseOtlpHeaders(undefined)).toEqual({});
  });
});
