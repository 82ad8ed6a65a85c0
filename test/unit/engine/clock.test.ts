import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../../../src/engine/clock.js';

describe('systemClock', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('reads Date.now', () => {
    // Prepare
    vi.setSystemTime(1_234_567);

    // Assess
    expect(systemClock.now()).toBe(1_234_567);
  });

  it('sleeps for the given time', async () => {
    // Prepare
    let done = false;
    const sleeping = systemClock.sleep(200).then(() => {
      done = true;
    });

    // Act
    await vi.advanceTimersByTimeAsync(199);
    const early = done;
    await vi.advanceTimersByTimeAsync(1);
    await sleeping;

    // Assess
    expect(early).toBe(false);
    expect(done).toBe(true);
  });

  it("rejects with the signal's reason when aborted and clears its timer", async () => {
    // Prepare
    const controller = new AbortController();
    const reason = new Error('stop');
    const sleeping = systemClock.sleep(10_000, controller.signal);

    // Act
    controller.abort(reason);

    // Assess
    await expect(sleeping).rejects.toBe(reason);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects at once when the signal is already aborted', async () => {
    // Prepare
    const reason = new Error('already');

    // Act
    const sleeping = systemClock.sleep(10_000, AbortSignal.abort(reason));

    // Assess
    await expect(sleeping).rejects.toBe(reason);
    expect(vi.getTimerCount()).toBe(0);
  });
});
