import { describe, expect, it } from 'vitest';
import { publicUrl } from '../../../src/inbound/index.js';

const req = (url: string | null, host: string | null = 'abc.apigateway.eu-frankfurt-1.oci.customer-oci.com') => ({
  url,
  header: (name: string) => (name.toLowerCase() === 'host' ? host : null),
});

describe('publicUrl', () => {
  it.each([
    [
      'the gateway Host and Fn-Http-Request-Url',
      req('/webhooks/sms-to-incident?x=1'),
      undefined,
      'https://abc.apigateway.eu-frankfurt-1.oci.customer-oci.com/webhooks/sms-to-incident?x=1',
    ],
    [
      "a full URL from Fn's own trigger",
      req('http://localhost:8080/t/app/sms'),
      undefined,
      'https://abc.apigateway.eu-frankfurt-1.oci.customer-oci.com/t/app/sms',
    ],
    ['no request URL', req(null), undefined, 'https://abc.apigateway.eu-frankfurt-1.oci.customer-oci.com/'],
    [
      'an origin override',
      req('/webhooks/sms?x=1', 'internal'),
      'https://sms.example.com',
      'https://sms.example.com/webhooks/sms?x=1',
    ],
    [
      'an origin override with a slash',
      req('/webhooks/sms', 'internal'),
      'https://sms.example.com/',
      'https://sms.example.com/webhooks/sms',
    ],
    [
      'a full URL override, the request query appended',
      req('/x?bodySHA256=ab', 'internal'),
      'https://sms.example.com/hooks/sms',
      'https://sms.example.com/hooks/sms?bodySHA256=ab',
    ],
    [
      'a full URL override with its own query',
      req('/x?y=2', 'internal'),
      'https://sms.example.com/hooks/sms?k=1',
      'https://sms.example.com/hooks/sms?k=1',
    ],
  ])('builds it from %s', (_, request, configured, expected) => {
    expect(publicUrl(request, configured)).toBe(expected);
  });

  it.each([null, '', 'evil.example.com/path', 'a b', 'host\r\nX: 1'])('has none for the Host %j', (host) => {
    expect(publicUrl(req('/webhooks/sms', host), undefined)).toBeUndefined();
  });
});
