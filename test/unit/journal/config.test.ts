import { describe, expect, it } from 'vitest';
import { canonicalJson, parseJournalLocation, payloadHash } from '../../../src/journal/index.js';
import { loadConfig } from '../../../src/config.js';

const base = {
  b2cservice_hostname: 'site.example.com',
  b2cservice_username: 'u',
  b2cservice_password: 'p',
  webhook_signature: 'off',
};

describe('run_journal locations', () => {
  it.each([
    ['memory', { kind: 'memory' }],
    ['file:.runs', { kind: 'file', dir: '.runs' }],
    ['oci-os://ns/bucket', { kind: 'oci-os', namespace: 'ns', bucket: 'bucket', prefix: '' }],
    ['oci-os://ns/bucket/a/b/', { kind: 'oci-os', namespace: 'ns', bucket: 'bucket', prefix: 'a/b/' }],
  ])('parses %s', (value, expected) => {
    expect(parseJournalLocation(value)).toEqual(expected);
  });

  it.each(['file:', 'oci-os://ns', 'oci-os://ns/bu cket', 's3://x/y', 'redis://h'])(
    'refuses %s with a reason',
    (value) => {
      expect(typeof parseJournalLocation(value)).toBe('string');
    },
  );

  it('is part of the function config, memory and a 10 s lease margin by default', () => {
    expect(loadConfig(base).journal).toMatchObject({
      run_journal: { kind: 'memory' },
      run_journal_lease_margin_ms: 10_000,
    });
    const config = loadConfig({
      ...base,
      run_journal: 'file:/var/runs',
      run_journal_lease_margin_ms: '0',
      b2cservice_incident_sms_field: 'sms_id',
    });
    expect(config.journal).toMatchObject({
      run_journal: { kind: 'file', dir: '/var/runs' },
      run_journal_lease_margin_ms: 0,
    });
    expect(config.b2c).toMatchObject({ b2cservice_incident_sms_field: 'sms_id' });
  });

  it('names the bad key', () => {
    expect(() => loadConfig({ ...base, run_journal: 'dynamodb:t' })).toThrow(
      /run_journal must be memory, file:<dir> or oci-os:\/\//,
    );
    expect(() => loadConfig({ ...base, b2cservice_incident_sms_field: 'customFields.c.x' })).toThrow(
      /b2cservice_incident_sms_field/,
    );
  });
});

describe('payloadHash', () => {
  it('ignores key order and undefined fields, and tells different payloads apart', () => {
    expect(payloadHash({ a: 1, b: [1, { c: 'x' }] })).toBe(payloadHash({ b: [1, { c: 'x' }], a: 1, d: undefined }));
    expect(payloadHash({ a: 1 })).not.toBe(payloadHash({ a: 2 }));
    expect(canonicalJson({ b: 1, a: 'é' })).toBe('{"a":"é","b":1}');
  });
});
