import { expect } from 'vitest';
import { MARKER } from './arbitraries.js';

/** The statuses the README documents; 502/504 only as the downstream answer, 503/409 from the run journal. */
export function assertAnswer(status: number, contentType: string | null, body: string, stats: Map<number, number>): void {
  stats.set(status, (stats.get(status) ?? 0) + 1);
  expect([200, 400, 401, 403, 409, 413, 415, 502, 503, 504]).toContain(status);
  expect(body.length).toBeGreaterThan(0);
  expect(body).not.toContain(MARKER);
  if (contentType?.startsWith('text/xml')) {
    expect(status).toBe(200);
    expect(body).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?><Response(\/>|><Message>Case [0-9-]+<\/Message><\/Response>)$/);
    return;
  }
  expect(contentType).toMatch(/^application\/json/);
  const json = JSON.parse(body) as Record<string, unknown>;
  expect(typeof json.message).toBe('string');
  if (status === 502 || status === 504) expect(json).toHaveProperty('failedStep');
  if (status === 503) expect(json.retryable).toBe(true);
}

