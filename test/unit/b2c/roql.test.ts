import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  B2cError,
  contactByNationalNumberFilter,
  contactByPhoneFilter,
  phoneMatches,
  roqlString,
} from '../../../src/b2c/index.js';
import { parseWhere } from '../../../src/emulator/roql.js';

describe('roql', () => {
  it('quotes a literal, doubling its quotes and its backslashes', () => {
    expect(roqlString("O'Brien")).toBe("'O''Brien'");
    expect(roqlString('C:\\temp\\')).toBe("'C:\\\\temp\\\\'");
  });

  it('keeps a trailing backslash and a quote inside the literal: no injection under the escaping reading', () => {
    // Prepare: quotes doubled alone would give 'x\'' or 1=1 --' — an open literal, then SQL
    const hostile = "x\\' or 1=1 --";

    // Act
    const expr = parseWhere(`subject = ${roqlString(hostile)}`);

    // Assess
    expect(expr).toEqual({ kind: 'compare', field: 'subject', op: '=', value: hostile });
  });

  it('round-trips any string through the emulator’s ROQL reader as one literal', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (value) => {
        expect(parseWhere(`subject = ${roqlString(value)}`)).toEqual({
          kind: 'compare',
          field: 'subject',
          op: '=',
          value,
        });
      }),
      { numRuns: 2_000 },
    );
  });

  it('filters contacts on the digits-only rawNumber', () => {
    expect(contactByPhoneFilter('+15017122661')).toBe("phones.rawNumber = '15017122661'");
  });

  it.each(["+1' OR 1=1 --", '15017122661', '+0123456789', '+1 501 712 2661', ''])(
    'refuses to build a query from %j',
    (phone) => {
      expect(() => contactByPhoneFilter(phone)).toThrow(B2cError);
    },
  );
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

describe('phoneMatches (a number read back, matched as the look-up matches)', () => {
  it('matches the international digits whatever the formatting, under both policies', () => {
    for (const match of ['e164', 'national'] as const) {
      expect(phoneMatches('14155550101', '+14155550101', match)).toBe(true);
      expect(phoneMatches('+1 (415) 555-0101', '+14155550101', match)).toBe(true);
      expect(phoneMatches('14155550199', '+14155550101', match)).toBe(false);
    }
  });

  it('matches a number typed without its country code only under national', () => {
    expect(phoneMatches('(415) 555-0101', '+14155550101', 'e164')).toBe(false);
    expect(phoneMatches('(415) 555-0101', '+14155550101', 'national')).toBe(true);
    expect(phoneMatches('07700 900001', '+447700900001', 'national')).toBe(true);
    expect(phoneMatches('07700 900002', '+447700900001', 'national')).toBe(false);
  });
});
