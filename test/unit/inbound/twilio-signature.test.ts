import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { twilioSignature, twilioUrlCandidates, verifyTwilioSignature } from '../../../src/inbound/index.js';
import {
  TWILIO_AUTH_TOKEN,
  twilioExpectedSignature,
  twilioParams,
  twilioValidateRequest,
} from '../../helpers/sign-twilio.js';

const asMap = (params: Record<string, string | string[]>): Map<string, string[]> =>
  new Map(Object.keys(params).map((k) => [k, ([] as string[]).concat(params[k]!)]));

const url = fc
  .record({
    scheme: fc.constantFrom('https', 'http'),
    host: fc.constantFrom('gw.example.com', 'abc123.apigateway.eu-frankfurt-1.oci.customer-oci.com', '127.0.0.1'),
    port: fc.constantFrom('', ':443', ':80', ':8443'),
    path: fc.stringMatching(/^(\/[A-Za-z0-9._~-]{1,12}){1,3}$/),
    query: fc.option(fc.stringMatching(/^[a-z]{1,5}=[A-Za-z0-9%+]{0,8}(&[a-z]{1,5}=[A-Za-z0-9]{0,8})?$/), {
      nil: undefined,
    }),
  })
  .map(
    ({ scheme, host, port, path, query }) =>
      `${scheme}://${host}${port}${path}${query === undefined ? '' : `?${query}`}`,
  );

/** Form bodies with unicode, repeats, empty values and reserved characters. */
const form = fc
  .array(
    fc.tuple(
      fc.string({ minLength: 1, maxLength: 12, unit: 'grapheme' }),
      fc.string({ maxLength: 20, unit: 'grapheme' }),
    ),
    { maxLength: 12 },
  )
  .map((pairs) => new URLSearchParams(pairs).toString());

describe('Twilio signature (ours against twilio-node)', () => {
  it('computes the same signature as twilio.getExpectedTwilioSignature for any URL and form', () => {
    fc.assert(
      fc.property(url, form, fc.string({ minLength: 8, maxLength: 40 }), (u, body, token) => {
        const params = twilioParams(body);
        expect(twilioSignature(token, u, asMap(params))).toBe(twilioExpectedSignature(token, u, params));
      }),
      { numRuns: 2000 },
    );
  });

  it('accepts exactly what twilio.validateRequest accepts, signed with or without the default port', () => {
    fc.assert(
      fc.property(url, form, fc.constantFrom('as-is', 'with-port', 'without-port', 'tampered'), (u, body, variant) => {
        const params = twilioParams(body);
        const signedUrl =
          variant === 'with-port'
            ? twilioUrlCandidates(u)[1]!
            : variant === 'without-port'
              ? twilioUrlCandidates(u)[0]!
              : u;
        const signature = twilioExpectedSignature(TWILIO_AUTH_TOKEN, signedUrl, params);
        const received = variant === 'tampered' ? `${u}x` : u;
        const ours = verifyTwilioSignature(TWILIO_AUTH_TOKEN, signature, received, asMap(params), 'sha1');
        expect(ours).toBe(twilioValidateRequest(TWILIO_AUTH_TOKEN, signature, received, params));
        expect(ours).toBe(variant !== 'tampered');
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses a signature made with another token, another parameter value or another algorithm', () => {
    // Prepare
    const u = 'https://gw.example.com/webhooks/sms-to-incident';
    const params = twilioParams('From=%2B14155550101&Body=hi&MessageSid=SM1');
    const good = twilioExpectedSignature(TWILIO_AUTH_TOKEN, u, params);

    // Act / Assess
    expect(verifyTwilioSignature(TWILIO_AUTH_TOKEN, good, u, asMap(params), 'sha1')).toBe(true);
    expect(verifyTwilioSignature(`${TWILIO_AUTH_TOKEN}0`, good, u, asMap(params), 'sha1')).toBe(false);
    expect(verifyTwilioSignature(TWILIO_AUTH_TOKEN, good, u, asMap({ ...params, Body: 'hi!' }), 'sha1')).toBe(false);
    expect(verifyTwilioSignature(TWILIO_AUTH_TOKEN, good, u, asMap(params), 'sha256')).toBe(false);
    expect(
      verifyTwilioSignature(
        TWILIO_AUTH_TOKEN,
        twilioExpectedSignature(TWILIO_AUTH_TOKEN, u, params, 'HMAC_SHA256'),
        u,
        asMap(params),
        'sha256',
      ),
    ).toBe(true);
  });

  it('lists exactly the URL as received and normalised, with and without the default port: never without its query', () => {
    expect(twilioUrlCandidates('https://gw.example.com/a?b=1')).toEqual([
      'https://gw.example.com/a?b=1',
      'https://gw.example.com:443/a?b=1',
    ]);
    expect(twilioUrlCandidates('http://gw.example.com:80/a')).toEqual([
      'http://gw.example.com/a',
      'http://gw.example.com:80/a',
    ]);
    expect(twilioUrlCandidates('https://gw.example.com/a?b=x y&c=%7E')).toEqual([
      'https://gw.example.com/a?b=x y&c=%7E',
      'https://gw.example.com:443/a?b=x y&c=%7E',
      'https://gw.example.com/a?b=x%20y&c=%7E',
      'https://gw.example.com:443/a?b=x%20y&c=%7E',
      'https://gw.example.com/a?b=x%20y&c=~',
      'https://gw.example.com:443/a?b=x%20y&c=~',
    ]);
  });
});
