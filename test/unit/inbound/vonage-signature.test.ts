import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { verifyVonageSignature, vonageSignature } from '../../../src/inbound/index.js';
import { signVonage, type VonageMethod } from '../../helpers/sign-vonage.js';

const methods: VonageMethod[] = ['md5hash', 'md5', 'sha1', 'sha256', 'sha512'];

describe('Vonage signature', () => {
  it('matches the documented scheme (independent helper) for any parameters and method', () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          // `sig` is the signature's own parameter: a message never carries another one
          fc.stringMatching(/^[a-z-]{1,12}$/).filter((name) => name !== 'sig'),
          fc.string({ maxLength: 30, unit: 'grapheme' }),
          {
            maxKeys: 10,
          },
        ),
        fc.constantFrom(...methods),
        fc.string({ minLength: 8, maxLength: 30 }),
        (params, method, secret) => {
          const { sig, ...signed } = signVonage(params, { method, secret, timestamp: 1_700_000_000 });
          expect(vonageSignature(secret, method, signed)).toBe(sig!.toLowerCase());
          expect(verifyVonageSignature(secret, method, { ...signed, sig: sig! }, sig!)).toBe(true);
          expect(verifyVonageSignature(`${secret}x`, method, signed, sig!)).toBe(false);
        },
      ),
      // A parameter named `sig` is never signed (fast-check found it once, seed 1246530619).
      { numRuns: 1000, examples: [[{ sig: '' }, 'md5hash', '        ']] },
    );
  });

  it('replaces & and = in values with _ before signing, as Vonage does', () => {
    const a = vonageSignature('secret-1234', 'md5hash', { text: 'a&to=1' });
    const b = vonageSignature('secret-1234', 'md5hash', { text: 'a_to_1' });
    expect(a).toBe(b);
    expect(vonageSignature('secret-1234', 'md5hash', { text: 'a', to: '1' })).not.toBe(a);
  });
});
