import { describe, expect, it } from 'vitest';
import { ConfigError, b2cBaseUrl, loadConfig, loadOciConfig } from '../../src/config.js';

const minimal = {
  b2cservice_hostname: 'mysite.custhelp.com',
  b2cservice_username: 'api',
  b2cservice_password: 's3cret',
};

function problems(env: Record<string, string>): readonly { key: string; problem: string }[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig(minimal);
    expect(config.b2c).toMatchObject({
      b2cservice_hostname: 'https://mysite.custhelp.com',
      b2cservice_api_version: 'v1.4',
      b2cservice_app_context: 'sms-incident',
      b2cservice_phone_type: 'Mobile Phone',
      b2cservice_thread_entry_type: 'Note',
    });
    expect(b2cBaseUrl(config.b2c)).toBe('https://mysite.custhelp.com/services/rest/connect/v1.4');
  });

  it.each([
    ['http://127.0.0.1:9000', 'http://127.0.0.1:9000'],
    ['https://proxy.example.com/', 'https://proxy.example.com'],
    ['mysite.custhelp.com:8443', 'https://mysite.custhelp.com:8443'],
  ])('accepts the site %s as origin %s', (hostname, origin) => {
    expect(loadConfig({ ...minimal, b2cservice_hostname: hostname }).b2c.b2cservice_hostname).toBe(origin);
  });

  it('names every missing key', () => {
    expect(problems({}).map((p) => p.key)).toEqual([
      'b2cservice_hostname',
      'b2cservice_username',
      'b2cservice_password',
    ]);
    expect(problems({})[0]?.problem).toBe('is required');
  });

  it.each([
    ['b2cservice_hostname', 'https://user:pw@site.example.com'],
    ['b2cservice_hostname', 'https://site.example.com/services/rest'],
    ['b2cservice_hostname', 'ftp://site.example.com'],
    ['b2cservice_api_version', '1.4'],
    ['b2cservice_app_context', 'x'.repeat(41)],
  ])('refuses an invalid %s', (key, value) => {
    expect(problems({ ...minimal, [key]: value }).map((p) => p.key)).toEqual([key]);
  });

  it('never puts a value into its message', () => {
    const error = problems({ ...minimal, b2cservice_hostname: 'https://user:pw@site.example.com' });
    expect(JSON.stringify(error)).not.toContain('pw');
  });

  it('reads the config in sections, each key in the section of its part', () => {
    const config = loadConfig({
      ...minimal,
      webhook_provider: 'twilio',
      run_journal: 'file:/var/runs',
      oci_secret_ttl_seconds: '0',
      sweep_backoff_max_ms: '60000',
    });
    expect(Object.keys(config).sort()).toEqual(['b2c', 'inbound', 'journal', 'oci', 'sweep']);
    expect(config.sweep).toMatchObject({
      function_role: 'webhook',
      sweep_backoff_max_ms: 60_000,
      sweep_give_up_after_ms: 86_400_000,
    });
    expect(config.inbound.webhook_provider).toBe('twilio');
    expect(config.journal.run_journal).toEqual({ kind: 'file', dir: '/var/runs' });
    expect(config.b2c).not.toHaveProperty('run_journal');
    // 0 is a valid TTL (read Vault on every invocation), not "unset"
    expect(config.oci.oci_secret_ttl_seconds).toBe(0);
    expect(loadOciConfig({ oci_secret_ttl_seconds: '0' }).oci_secret_ttl_seconds).toBe(0);
    expect(loadOciConfig({}).oci_secret_ttl_seconds).toBe(600);
  });
});
