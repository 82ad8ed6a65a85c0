import { describe, expect, it } from 'vitest';
import { maskPhone, redactPhones } from '../../../src/log/redact.js';

describe('maskPhone', () => {
  it.each([
    ['+14155550101', '+1415•••0101'],
    ['447700900001', '4477•••0001'],
    ['+1234', '•••'],
  ])('masks %s as %s', (phone, masked) => {
    expect(maskPhone(phone)).toBe(masked);
  });
});

describe('redactPhones', () => {
  it('masks numbers inside free text and leaves short numbers alone', () => {
    expect(redactPhones("no match for phones.rawNumber = '14155550101' in 3 tries")).toBe(
      "no match for phones.rawNumber = '1415•••0101' in 3 tries",
    );
  });
});
