import { maskPhone } from '../log/redact.js';
import type { RunRecord, StepEntry } from '../journal/index.js';

/** What an SRE asks first about a run, derived from its record; no message text, phone masked. */
export interface RunView {
  readonly runId: string;
  readonly key: string;
  readonly provider: string;
  readonly messageId: string;
  readonly from?: string;
  readonly status: RunRecord['status'];
  readonly compensation?: RunRecord['compensation'];
  /** The step that failed for good, or where a running run last failed an attempt. */
  readonly step?: string;
  readonly attempts?: number;
  readonly error?: RunRecord['error'];
  readonly contactId?: number;
  readonly contactCreated?: boolean;
  readonly incidentId?: number;
  readonly referenceNumber?: string;
  readonly traceId?: string;
  readonly executions: number;
  readonly duplicates: number;
  readonly startedAt: number;
  readonly finishedAt?: number;
  readonly durationMs?: number;
  readonly leaseOwner?: string;
  readonly leaseExpiresAt?: number;
}

export function runView(record: RunRecord): RunView {
  const outputs = Object.assign({}, ...record.steps.map((s) => s.output ?? {})) as Record<string, unknown>;
  const failed = failedStep(record);
  const from = (record.payload as { from?: unknown } | undefined)?.from;
  return {
    runId: record.runId,
    key: record.key,
    provider: record.provider,
    messageId: record.messageId,
    ...(typeof from === 'string' ? { from: maskPhone(from) } : {}),
    status: record.status,
    ...(record.compensation === undefined ? {} : { compensation: record.compensation }),
    ...(failed === undefined ? {} : { step: failed.name, attempts: failed.attempts.length }),
    ...(record.error ?? failed?.error ? { error: record.error ?? failed?.error } : {}),
    ...numberField('contactId', outputs.contactId),
    ...(typeof outputs.contactCreated === 'boolean' ? { contactCreated: outputs.contactCreated } : {}),
    ...numberField('incidentId', outputs.incidentId),
    ...(typeof outputs.referenceNumber === 'string' ? { referenceNumber: outputs.referenceNumber } : {}),
    ...(record.traceId === undefined ? {} : { traceId: record.traceId }),
    executions: record.executions,
    duplicates: record.duplicates,
    startedAt: record.startedAt,
    ...(record.finishedAt === undefined ? {} : { finishedAt: record.finishedAt, durationMs: record.finishedAt - record.startedAt }),
    ...(record.lease === undefined ? {} : { leaseOwner: record.lease.owner, leaseExpiresAt: record.lease.expiresAt }),
  };
}

export function failedStep(record: RunRecord): StepEntry | undefined {
  return record.failedStep === undefined ? record.steps.find((s) => s.outcome === 'failed') : record.steps.find((s) => s.name === record.failedStep);
}

function numberField<K extends string>(name: K, value: unknown): Partial<Record<K, number>> {
  return typeof value === 'number' ? ({ [name]: value } as Record<K, number>) : {};
}
