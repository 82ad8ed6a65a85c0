import { describe, expect, it } from 'vitest';
import { B2cError, contactByNationalNumberFilter, contactByPhoneFilter, roqlString } from '../../../src/b2c/index.js';

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

describe('national phone match filter', () => {
  it.each([
    ['+14155550101', "phones.rawNumber like '%4155550101'"],
    ['+447700900001', "phones.rawNumber like '%7700900001'"],
    ['+33612345678', "phones.rawNumber like '%612345678'"],
  ])('matches %s by its national significant number', (e164, filter) => {
    expect(contactByNationalNumberFilter(e164)).toBe(filter);
  });

  it('refuses what is not E.164, like the exact filter', () => {
    expect(() => contactByNationalNumberFilter("+1' OR 1=1 --")).toThrow(B2cError);
  });
});
