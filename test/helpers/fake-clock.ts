/**
 * A deterministic clock for engine tests: time only moves when a test advances it or the
 * engine sleeps, and every sleep is recorded.
 */
import type { Clock } from '../../src/engine/types.js';

/** Epoch ms at which fake clocks start, unless told otherwise. */
export const T0 = 1_000_000;

export class FakeClock implements Clock {
  /** Every `sleep(ms)` the engine asked for, in order. */
  readonly sleeps: number[] = [];
  #now: number;

  constructor(start = T0) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  /** Simulates work taking `ms`. */
  advance(ms: number): void {
    this.#now += ms;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    this.sleeps.push(ms);
    this.#now += ms;
    return Promise.resolve();
  }
}
