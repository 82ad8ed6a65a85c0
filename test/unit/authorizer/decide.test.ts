import { describe, expect, it } from 'vitest';
import { parseCidrs, type AddressAllowList } from '../../../src/authorizer/cidrs.js';
import { answerFor, decide } from '../../../src/authorizer/decide.js';
import { readAuthorizerInput } from '../../../src/authorizer/request.js';

const list = (value: string): AddressAllowList => {
  const parsed = parseCidrs(value);
  if (typeof parsed === 'string') throw new Error(parsed);
  return parsed;
};

describe('parseCidrs', () => {
  it('normalises single addresses to host prefixes', () => {
    expect(list('10.0.0.0/8, 192.0.2.1 ,2001:db8::/32,::1').cidrs).toEqual([
      '10.0.0.0/8',
      '192.0.2.1/32',
      '2001:db8::/32',
      '::1/128',
    ]);
  });
  it.each([
    '',
    ' , ',
    '10.0.0.0/33',
    '2001:db8::/129',
    '10.0.0/8',
    '10.0.0.0/8/1',
    '10.0.0.0/x',
    'example.com/24',
    '10.0.0.0/-1',
  ])('refuses %j', (value) => {
    expect(typeof parseCidrs(value)).toBe('string');
  });
  it('matches the boundaries of a prefix', () => {
    const l = list('192.0.2.64/26');
    expect(l.allows('192.0.2.64')).toBe(true);
    expect(l.allows('192.0.2.127')).toBe(true);
    expect(l.allows('192.0.2.63')).toBe(false);
    expect(l.allows('192.0.2.128')).toBe(false);
    expect(l.allows('')).toBe(false);
    expect(l.allows('192.0.2.64/26')).toBe(false);
  });
});

describe('decide', () => {
  const addresses = list('203.0.113.0/24');
  it('needs every configured gate', () => {
    expect(decide({ token: 'abc' }, { token: 'abc' })).toEqual({ admitted: true, by: ['token'] });
    expect(decide({ ip: '203.0.113.1' }, { addresses })).toEqual({ admitted: true, by: ['address'] });
    expect(decide({ token: 'abc', ip: '203.0.113.1' }, { token: 'abc', addresses })).toEqual({
      admitted: true,
      by: ['token', 'address'],
    });
    expect(decide({ token: 'abc', ip: '192.0.2.1' }, { token: 'abc', addresses })).toMatchObject({ admitted: false });
    expect(decide({ token: 'abd', ip: '203.0.113.1' }, { token: 'abc', addresses })).toMatchObject({
      admitted: false,
      reason: 'wrong token',
    });
  });
  it('never admits with no gate', () => {
    expect(decide({ token: 'abc', ip: '203.0.113.1' }, {})).toEqual({ admitted: false, reason: 'no gate configured' });
  });
  it('answers the gateway contract', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(
      answerFor({ admitted: true, by: ['token'] }, { principal: 'p', realm: 'r', cacheSeconds: 120, now }),
    ).toEqual({
      active: true,
      principal: 'p',
      clientId: 'p',
      scope: ['sms-incident:webhook'],
      expiresAt: '2026-01-01T00:02:00.000Z',
      context: { admittedBy: 'token' },
    });
    expect(answerFor({ admitted: false, reason: 'x' }, { principal: 'p', realm: 'r', cacheSeconds: 120, now })).toEqual(
      { active: false, wwwAuthenticate: 'Bearer realm="r"' },
    );
  });
});

describe('readAuthorizerInput', () => {
  const read = (v: unknown) => readAuthorizerInput(Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)));
  it('reads both gateway forms', () => {
    expect(read({ type: 'USER_DEFINED', data: { token: 'Bearer t', ip: ' 192.0.2.1 ', other: ['x'] } })).toEqual({
      token: 't',
      ip: '192.0.2.1',
    });
    expect(read({ type: 'TOKEN', token: 't' })).toEqual({ token: 't' });
    expect(read({ type: 'USER_DEFINED', data: {} })).toEqual({});
  });
  it('names the problem of a malformed body', () => {
    expect(read('{')).toEqual({ problem: 'body is not JSON' });
    expect(read({ type: 'USER_DEFINED', data: { token: ['a', 'b'] } })).toMatchObject({
      problem: expect.stringContaining('data.token'),
    });
  });
});
