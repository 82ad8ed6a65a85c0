import { describe, expect, it } from 'vitest';
import { verifyHmacSignature } from '../../../src/inbound/hmac-signature.js';
import { HMAC_SECRET, signHmac } from '../../helpers/sign-hmac.js';

/** The generic HMAC header: exactly the hex or base64 forms of the body's HMAC, nothing around them. */

const body = Buffer.from('{"from":"+14155550101","text":"help"}');
const hex = signHmac(body);
const base64 = signHmac(body, HMAC_SECRET, 'base64');
const verify = (header: string) => verifyHmacSignature(HMAC_SECRET, body, header);

describe('Function: verifyHmacSignature', () => {
  it.each([
    ['hex', hex],
    ['hex in capitals', hex.toUpperCase()],
    ['hex with the sha256= prefix', `sha256=${hex}`],
    ['hex with the prefix in capitals', `SHA256=${hex}`],
    ['base64', base64],
    ['white space around the value', `  sha256=${hex}\t`],
    ['white space around base64', ` ${base64} `],
  ])('accepts %s', (_, header) => {
    expect(verify(header)).toBe(true);
  });

  it.each([
    // Node's decoders stop at, or skip, what is not hex or base64: the anchors are what refuses these.
    ['hex followed by anything', `${hex}zz`],
    ['base64 followed by anything', `${base64}junk`],
    ['base64 after a character base64 skips', `!${base64}`],
    ['the prefix not at the start', `xsha256=${hex}`],
    ['base64 without its padding', base64.slice(0, -1)],
    ['the prefix twice', `sha256=sha256=${hex}`],
    ['another secret', signHmac(body, 'another-secret-123')],
    ['an empty header', ''],
  ])('refuses %s', (_, header) => {
    expect(verify(header)).toBe(false);
  });

  it('refuses the signature of another body', () => {
    expect(verifyHmacSignature(HMAC_SECRET, Buffer.from('{}'), hex)).toBe(false);
  });
});
