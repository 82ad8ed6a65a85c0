import { describe, expect, it } from 'vitest';
import { B2cError, contactByPhoneFilter, roqlString } from '../../../src/b2c/index.js';

describe('roql', () => {
  it('quotes a literal and doubles its quotes', () => {
    expect(roqlString("O'Brien")).toBe("'O''Brien'");
  });

  it('filters contacts on the digits-only rawNumber', () => {
    expect(contactByPhoneFilter('+15017122661')).toBe("phones.rawNumber = '15017122661'");
  });

  it.each(["+1' OR 1=1 --", '15017122661', '+0123456789', '+1 501 712 2661', ''])('refuses to build a query from %j', (phone) => {
    expect(() => contactByPhoneFilter(phone)).toThrow(B2cError);
  });
});
