import { describe, expect, it } from 'vitest';
import { loadAuthorizerConfig } from '../../../src/authorizer/config.js';
import { answerFor, decide } from '../../../src/authorizer/decide.js';
import { readAuthorizerInput } from '../../../src/authorizer/request.js';

describe('decide', () => {
  it('admits exactly the expected token', () => {
    expect(decide({ token: 'abc' }, { token: 'abc' })).toEqual({ admitted: true, by: ['token'] });
    expect(decide({ token: 'abd' }, { token: 'abc' })).toEqual({ admitted: false, reason: 'wrong token' });
    expect(decide({}, { token: 'abc' })).toEqual({ admitted: false, reason: 'no token presented' });
    expect(decide({ token: '' }, { token: 'abc' })).toEqual({ admitted: false, reason: 'no token presented' });
  });
  it('never admits with no gate', () => {
    expect(decide({ token: 'abc' }, {})).toEqual({ admitted: false, reason: 'no gate configured' });
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

describe('loadAuthorizerConfig', () => {
  it('needs a token: no address gate stands in for one', () => {
    expect(loadAuthorizerConfig({})).toEqual({
      problems: [expect.stringMatching(/^auth_token_ocid set auth_token_ocid \(or auth_token\)/)],
    });
    expect(loadAuthorizerConfig({ auth_token: 'sixteen-chars-token' })).toMatchObject({
      auth_token: 'sixteen-chars-token',
    });
  });
  it('refuses auth_allow_cidrs, saying the network restricts addresses now', () => {
    const loaded = loadAuthorizerConfig({ auth_token: 'sixteen-chars-token', auth_allow_cidrs: '203.0.113.0/24' });
    expect(loaded).toEqual({
      problems: [
        expect.stringMatching(
          /^auth_allow_cidrs is no longer read: .*header the client can set.*gateway_ingress_cidrs/,
        ),
      ],
    });
    // Empty means unset in Fn config.
    expect(loadAuthorizerConfig({ auth_token: 'sixteen-chars-token', auth_allow_cidrs: ' ' })).not.toHaveProperty(
      'problems',
    );
  });
});

describe('readAuthorizerInput', () => {
  const read = (v: unknown) => readAuthorizerInput(Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)));
  it('reads both gateway forms, the token only', () => {
    expect(read({ type: 'USER_DEFINED', data: { token: 'Bearer t', ip: ' 192.0.2.1 ', other: ['x'] } })).toEqual({
      token: 't',
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
