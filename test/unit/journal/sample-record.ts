import type { ClaimRequest, RunRecord } from '../../../src/journal/index.js';

/** A valid running record; override what the test is about. */
export function sampleRecord(key: string, extra: Partial<RunRecord> = {}): RunRecord {
  return {
    schema: 1,
    key,
    runId: `run-${key}`,
    workflow: 'wf',
    provider: 'twilio',
    messageId: key,
    payloadHash: 'h1',
    payload: { n: 1 },
    status: 'running',
    lease: { owner: 'o1', expiresAt: 2_000 },
    executions: 1,
    duplicates: 0,
    steps: [],
    startedAt: 1_000,
    updatedAt: 1_000,
    history: [],
    ...extra,
  };
}

/** A claim of the run `key` by owner `o1` at `now`, for a message {@link sampleRecord} would match (hash `h1`). */
export function sampleClaimRequest(key: string, now: number, extra: Partial<ClaimRequest> = {}): ClaimRequest {
  return {
    key,
    runId: `run-${key}`,
    workflow: 'wf',
    provider: 'twilio',
    messageId: key,
    payloadHash: 'h1',
    payload: { n: 1 },
    owner: 'o1',
    now,
    leaseExpiresAt: now + 15_000,
    ...extra,
  };
}
