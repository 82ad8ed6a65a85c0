import { describe, expect, it } from 'vitest';
import { listingOf, mapBounded } from '../../../src/journal/listing.js';
import { sampleRecord } from './sample-record.js';

describe('Function: mapBounded', () => {
  it('keeps the input order, with never more than `limit` calls in flight', async () => {
    // Prepare
    let inFlight = 0;
    let most = 0;
    const calls: number[] = [];
    const slow = async (n: number) => {
      calls.push(n);
      inFlight += 1;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, (5 - n) * 2));
      inFlight -= 1;
      return n * 10;
    };

    // Act
    const results = await mapBounded([1, 2, 3, 4, 5], 2, slow);

    // Assess
    expect(results).toEqual([10, 20, 30, 40, 50]);
    expect(most).toBe(2);
    expect(calls.sort()).toEqual([1, 2, 3, 4, 5]);
  });

  it('runs everything at once when the limit exceeds the items, and one at a time with a limit below one', async () => {
    // Prepare
    let inFlight = 0;
    let most = 0;
    const track = async (n: number) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, 1));
      inFlight -= 1;
      return n;
    };

    // Act / Assess
    expect(await mapBounded([1, 2, 3], 16, track)).toEqual([1, 2, 3]);
    expect(most).toBe(3);
    most = 0;
    expect(await mapBounded([1, 2, 3], 0, track)).toEqual([1, 2, 3]);
    expect(most).toBe(1);
    expect(await mapBounded([], 4, track)).toEqual([]);
  });
});

describe('Function: listingOf', () => {
  const records = [
    sampleRecord('a', { startedAt: 1_000 }),
    sampleRecord('b', { startedAt: 3_000 }),
    sampleRecord('c', { startedAt: 2_000 }),
    sampleRecord('d', { startedAt: 1_999 }),
  ];

  it('keeps the runs started at or after `since`, newest first, and counts them', () => {
    // Act
    const listing = listingOf(records, 2_000);

    // Assess
    expect(listing.records.map((r) => r.key)).toEqual(['b', 'c']);
    expect(listing.inWindow).toBe(2);
    expect(listing.unreadable).toEqual([]);
  });

  it('keeps only the `newest` ones, still counting the whole window', () => {
    // Act
    const listing = listingOf(records, 0, { newest: 2 });

    // Assess
    expect(listing.records.map((r) => r.key)).toEqual(['b', 'c']);
    expect(listing.inWindow).toBe(4);
    expect(listingOf(records, 0).records.map((r) => r.key)).toEqual(['b', 'c', 'd', 'a']);
  });
});
