import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { twilioAlgorithm, twilioSignature, twilioUrlCandidates } from '../../../src/inbound/twilio-signature.js';

/** The Twilio scheme's details: the settings header, repeated fields, user info, IPv6 hosts, odd URLs. */

describe('Function: twilioAlgorithm', () => {
  it.each([
    [null, 'sha1'],
    ['', 'sha1'],
    ['key=abc', 'sha1'],
    ['key=abc,algorithm=HMAC_SHA256', 'sha256'],
    ['algorithm=HMAC_SHA1', 'sha1'],
    [' algorithm = hmac_sha256 ', 'sha256'],
    ['key=abc, algorithm=HMAC_SHA256', 'sha256'],
    ['algorithm=HMAC_MD5', undefined],
    ['algorithm=HMAC_SHA256=x', undefined],
    ['algorithm=', 'sha1'],
    ['algorithm', 'sha1'],
    ['xalgorithm=HMAC_SHA256', 'sha1'],
    ['algorithm=HMAC_SHA256,algorithm=HMAC_MD5', 'sha256'],
  ] as const)('%j → %s', (settings, expected) => {
    expect(twilioAlgorithm(settings)).toBe(expected);
  });
});

describe('Function: twilioSignature', () => {
  it('signs a repeated field once per distinct value, the values sorted', () => {
    // Prepare
    const url = 'https://gw.example.com/sms';
    const expected = createHmac('sha1', 'token').update(`${url}MediaUrlaMediaUrlbTobody`).digest('base64');

    // Act
    const signature = twilioSignature(
      'token',
      url,
      new Map([
        ['To', ['body']],
        ['MediaUrl', ['b', 'a', 'b']],
      ]),
    );

    // Assess
    expect(signature).toBe(expected);
  });
});

describe('Function: twilioUrlCandidates', () => {
  it('keeps user info, and an IPv6 host, when it adds or removes the port', () => {
    expect(twilioUrlCandidates('https://user:pw@gw.example.com/a')).toEqual([
      'https://user:pw@gw.example.com/a',
      'https://user:pw@gw.example.com:443/a',
    ]);
    expect(twilioUrlCandidates('http://[2001:db8::1]:8080/a')).toEqual([
      'http://[2001:db8::1]/a',
      'http://[2001:db8::1]:8080/a',
    ]);
    expect(twilioUrlCandidates('HTTPS://gw.example.com/a')).toContain('HTTPS://gw.example.com:443/a');
  });

  it('keeps a URL it cannot split as it is, and a query that ends at its "?"', () => {
    expect(twilioUrlCandidates('not a url')).toEqual(['not a url']);
    expect(twilioUrlCandidates('/path?a=1')).toEqual(['/path?a=1']);
    expect(twilioUrlCandidates('https://gw.example.com/a?')).toEqual([
      'https://gw.example.com/a?',
      'https://gw.example.com:443/a?',
    ]);
    expect(twilioUrlCandidates('xhttps://gw.example.com/a')).toEqual([
      'xhttps://gw.example.com/a',
      'xhttps://gw.example.com:80/a',
    ]);
  });
});
