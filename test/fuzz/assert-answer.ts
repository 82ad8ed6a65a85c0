import { expect } from 'vitest';
import { MARKER } from './arbitraries.js';

/**
 * With no fault injected, only these: created (200), refused (4xx: malformed, unsigned, forged,
 * wrong method, a reused message id, too large, wrong type). A 5xx means our code failed: a
 * 502/504 is a run that should have succeeded, a 500 an escaped error, a 503 a journal problem.
 */
const NO_FAULT_STATUSES = [200, 400, 401, 403, 405, 409, 413, 415];

/** Checks one answer and returns the reference number of the incident a 200 names. */
export function assertAnswer(
  status: number,
  contentType: string | null,
  body: string,
  stats: Map<number, number>,
): string | undefined {
  stats.set(status, (stats.get(status) ?? 0) + 1);
  expect(NO_FAULT_STATUSES, `status ${status}: ${body.slice(0, 300)}`).toContain(status);
  expect(body.length).toBeGreaterThan(0);
  expect(body).not.toContain(MARKER);
  if (contentType?.startsWith('text/xml')) {
    expect(status).toBe(200);
    const match =
      /^<\?xml version="1.0" encoding="UTF-8"\?><Response><Message>Case ([0-9]{6}-[0-9]{6})<\/Message><\/Response>$/.exec(
        body,
      );
    expect(match, body).not.toBeNull();
    return match![1];
  }
  expect(contentType).toMatch(/^application\/json/);
  const json = JSON.parse(body) as Record<string, unknown>;
  expect(typeof json.message).toBe('string');
  if (status !== 200) return undefined;
  expect(json.message).toBe('success');
  expect(typeof json.referenceNumber).toBe('string');
  return json.referenceNumber as string;
}

/** Every 200 names an incident that exists exactly once, and no incident exists that no 200 named. */
export function assertIncidentsOnce(
  created: ReadonlySet<string>,
  incidents: readonly { readonly referenceNumber: string }[],
): void {
  const counts = new Map<string, number>();
  for (const incident of incidents)
    counts.set(incident.referenceNumber, (counts.get(incident.referenceNumber) ?? 0) + 1);
  for (const reference of created)
    expect({ reference, count: counts.get(reference) ?? 0 }).toEqual({ reference, count: 1 });
  expect(incidents.length).toBe(created.size);
}
