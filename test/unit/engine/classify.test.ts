import { describe, expect, it } from 'vitest';
import { appliedMaybe, classifyError, toErrorInfo } from '../../../src/engine/classify.js';
import {
  AttemptTimeoutError,
  DeadlineExceededError,
  RetryableError,
  TerminalError,
} from '../../../src/engine/errors.js';

/** What a lower layer (e.g. the B2C HTTP client) throws, without importing the engine. */
class B2cHttpError extends Error {
  override readonly name = 'B2cHttpError';
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

describe('classifyError', () => {
  it.each([
    {
      label: 'RetryableError',
      error: new RetryableError('busy'),
      expected: { retryable: true, type: 'RetryableError' },
    },
    {
      label: 'RetryableError with a hint',
      error: new RetryableError('busy', { retryAfterMs: 1500 }),
      expected: { retryable: true, retryAfterMs: 1500, type: 'RetryableError' },
    },
    {
      label: 'AttemptTimeoutError',
      error: new AttemptTimeoutError('slow'),
      expected: { retryable: true, type: 'AttemptTimeoutError' },
    },
    {
      label: 'TerminalError',
      error: new TerminalError('bad request'),
      expected: { retryable: false, type: 'TerminalError' },
    },
    {
      label: 'DeadlineExceededError',
      error: new DeadlineExceededError('late'),
      expected: { retryable: true, type: 'DeadlineExceededError' },
    },
    {
      label: 'structural retryable with a hint',
      error: new B2cHttpError('HTTP 503', true, 2000),
      expected: { retryable: true, retryAfterMs: 2000, type: 'B2cHttpError' },
    },
    {
      label: 'structural terminal (its hint ignored)',
      error: new B2cHttpError('HTTP 400', false, 2000),
      expected: { retryable: false, type: 'B2cHttpError' },
    },
    {
      label: 'structural with a short code',
      error: Object.assign(new B2cHttpError('HTTP 429', true), { code: 'HTTP_429' }),
      expected: { retryable: true, type: 'HTTP_429' },
    },
    {
      label: 'structural with a malformed hint',
      error: new B2cHttpError('HTTP 503', true, -5),
      expected: { retryable: true, type: 'B2cHttpError' },
    },
    {
      label: 'structural with a non-number hint',
      error: Object.assign(new Error('x'), { retryable: true, retryAfterMs: '1000' }),
      expected: { retryable: true, type: 'Error' },
    },
    {
      label: 'a plain object with retryable: true',
      error: { retryable: true, message: 'busy' },
      expected: { retryable: true, type: 'Error' },
    },
    {
      label: 'a non-boolean retryable',
      error: Object.assign(new Error('x'), { retryable: 'yes' }),
      expected: { retryable: false, type: 'Error' },
    },
    {
      label: 'an AbortError DOMException',
      error: new DOMException('aborted', 'AbortError'),
      expected: { retryable: true, type: 'AbortError' },
    },
    {
      label: 'a TimeoutError DOMException',
      error: new DOMException('timed out', 'TimeoutError'),
      expected: { retryable: true, type: 'TimeoutError' },
    },
    {
      label: "AbortSignal.abort()'s reason",
      error: AbortSignal.abort().reason as unknown,
      expected: { retryable: true, type: 'AbortError' },
    },
    {
      label: 'another DOMException',
      error: new DOMException('nope', 'NotFoundError'),
      expected: { retryable: false, type: 'NotFoundError' },
    },
    { label: 'a TypeError', error: new TypeError('x is undefined'), expected: { retryable: false, type: 'TypeError' } },
    {
      label: 'an Error whose message says retry',
      error: new Error('timeout, please retry (503)'),
      expected: { retryable: false, type: 'Error' },
    },
    {
      label: 'a Node error with a code',
      error: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
      expected: { retryable: false, type: 'ECONNRESET' },
    },
    {
      label: 'a too long code',
      error: Object.assign(new Error('x'), { code: 'C'.repeat(65) }),
      expected: { retryable: false, type: 'Error' },
    },
    {
      label: 'a numeric code',
      error: Object.assign(new RangeError('x'), { code: 503 }),
      expected: { retryable: false, type: 'RangeError' },
    },
    { label: 'a thrown string', error: 'boom', expected: { retryable: false, type: 'Error' } },
    { label: 'undefined', error: undefined, expected: { retryable: false, type: 'Error' } },
  ])('classifies $label', ({ error, expected }) => {
    // Act
    const classification = classifyError(error);

    // Assess
    expect(classification).toStrictEqual(expected);
  });
});

describe('toErrorInfo', () => {
  it.each([
    {
      error: new B2cHttpError('HTTP 503', true, 1000),
      expected: { type: 'B2cHttpError', message: 'HTTP 503', retryable: true },
    },
    {
      error: new TypeError('x is undefined'),
      expected: { type: 'TypeError', message: 'x is undefined', retryable: false },
    },
    { error: 'boom', expected: { type: 'Error', message: 'boom', retryable: false } },
    { error: 42, expected: { type: 'Error', message: 'Non-Error value thrown: 42', retryable: false } },
  ])('summarises $error as plain data', ({ error, expected }) => {
    // Act
    const info = toErrorInfo(error);

    // Assess
    expect(info).toStrictEqual(expected);
    expect(JSON.parse(JSON.stringify(info))).toStrictEqual(expected);
  });
});

describe('appliedMaybe', () => {
  it('reads the structural ambiguous flag, and says nothing when an error does not', () => {
    expect(appliedMaybe(Object.assign(new Error('refused'), { ambiguous: false }))).toBe(false);
    expect(appliedMaybe(Object.assign(new Error('answer lost'), { ambiguous: true }))).toBe(true);
    expect(appliedMaybe(new Error('plain'))).toBeUndefined();
    expect(appliedMaybe(Object.assign(new Error('odd'), { ambiguous: 'yes' }))).toBeUndefined();
    expect(appliedMaybe(undefined)).toBeUndefined();
  });
});
