import { describe, expect, it } from 'vitest';
import {
  AttemptTimeoutError,
  DeadlineExceededError,
  RetryableError,
  TerminalError,
  ensureError,
} from '../../../src/engine/errors.js';

describe('engine errors', () => {
  it.each([
    { error: new RetryableError('m'), name: 'RetryableError', parent: Error, retryable: true },
    { error: new TerminalError('m'), name: 'TerminalError', parent: Error, retryable: false },
    { error: new AttemptTimeoutError('m'), name: 'AttemptTimeoutError', parent: RetryableError, retryable: true },
    // Out of time here, worth a new run on the next delivery (its deadline is fresh).
    { error: new DeadlineExceededError('m'), name: 'DeadlineExceededError', parent: RetryableError, retryable: true },
  ])('names $name and extends its parent', ({ error, name, parent, retryable }) => {
    // Assess
    expect(error.name).toBe(name);
    expect(error).toBeInstanceOf(parent);
    expect(error.retryable).toBe(retryable);
    expect(String(error)).toBe(`${name}: m`);
  });

  it('keeps the cause and the retry hint', () => {
    // Prepare
    const cause = new Error('socket hang up');

    // Act
    const retryable = new RetryableError('busy', { cause, retryAfterMs: 700 });
    const deadline = new DeadlineExceededError('late', { cause: retryable });

    // Assess
    expect(retryable.cause).toBe(cause);
    expect(retryable.retryAfterMs).toBe(700);
    expect(deadline.cause).toBe(retryable);
  });

  it('has no retry hint unless given one', () => {
    // Assess
    expect('retryAfterMs' in new RetryableError('busy')).toBe(false);
  });
});

describe('RetryableError.from', () => {
  it('wraps a value, keeping it as cause', () => {
    // Prepare
    const cause = new TypeError('fetch failed');

    // Act
    const error = RetryableError.from(cause, { retryAfterMs: 250 });

    // Assess
    expect(error).toBeInstanceOf(RetryableError);
    expect(error.message).toBe('fetch failed');
    expect(error.cause).toBe(cause);
    expect(error.retryAfterMs).toBe(250);
  });

  it('returns a RetryableError as is', () => {
    // Prepare
    const original = new AttemptTimeoutError('slow');

    // Assess
    expect(RetryableError.from(original)).toBe(original);
  });
});

describe('ensureError', () => {
  it('returns an Error as is', () => {
    // Prepare
    const error = new TypeError('x');

    // Assess
    expect(ensureError(error)).toBe(error);
  });

  it.each([
    { value: 'boom', message: 'boom' },
    { value: { message: 'from an object' }, message: 'from an object' },
    { value: { status: 503 }, message: 'Non-Error value thrown: {"status":503}' },
    { value: undefined, message: 'Non-Error value thrown: undefined' },
    { value: 10n, message: 'Non-Error value thrown: [object BigInt]' },
  ])('wraps $value with message "$message"', ({ value, message }) => {
    // Act
    const error = ensureError(value);

    // Assess
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toBe(message);
    expect(error.cause).toBe(value);
  });
});
