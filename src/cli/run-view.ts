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
  /** What the run created in B2C and whether its undo removed it: what a hand clean-up works from. */
  readonly cleanup?: readonly CleanupItem[];
  /** One trace per execution (first claim, take-overs, redrives), oldest first. */
  readonly traces?: readonly { readonly event: string; readonly at: number; readonly traceId: string }[];
}

/** One object a compensated step had created. */
export interface CleanupItem {
  /** `incident`, `contact`: from the step output's `<kind>Id`. */
  readonly kind: string;
  readonly id: number;
  readonly referenceNumber?: string;
  readonly step: string;
  /**
   * `left`: the undo failed, it still exists; `deleted`: the undo removed it; `kept`: the undo left it
   * on purpose (`reason`); `already-gone`: the undo found it deleted; `undone`: a record made before
   * the journal kept what an undo did.
   */
  readonly state: 'left' | 'deleted' | 'kept' | 'already-gone' | 'undone';
  /** Why the undo kept it. */
  readonly reason?: string;
  readonly undoAttempts: number;
  readonly undoError?: { readonly type: string; readonly message: string };
}

/** The objects compensated steps had created, and what became of them. */
export function cleanupOf(record: RunRecord): CleanupItem[] {
  return record.steps.flatMap((s) => {
    if (s.compensated === undefined || s.output === undefined) return [];
    return Object.entries(s.output).flatMap(([k, v]): CleanupItem[] => {
      const kind = /^([a-z]+)Id$/.exec(k)?.[1];
      if (kind === undefined || typeof v !== 'number') return [];
      const ref = s.output?.referenceNumber;
      return [
        {
          kind,
          id: v,
          ...(kind === 'incident' && typeof ref === 'string' ? { referenceNumber: ref } : {}),
          step: s.name,
          state: s.compensated === 'failed' ? 'left' : (s.undo?.effect ?? 'undone'),
          ...(s.undo?.reason ? { reason: s.undo.reason } : {}),
          undoAttempts: s.undo?.attempts.length ?? 0,
          ...(s.undo?.error ? { undoError: { type: s.undo.error.type, message: s.undo.error.message } } : {}),
        },
      ];
    });
  });
}

export function runView(record: RunRecord): RunView {
  const outputs = Object.assign({}, ...record.steps.map((s) => s.output ?? {})) as Record<string, unknown>;
  const failed = failedStep(record);
  const from = (record.payload as { from?: unknown } | undefined)?.from;
  const cleanup = cleanupOf(record);
  const traces = record.history.flatMap((h) =>
    h.traceId === undefined ? [] : [{ event: h.event, at: h.at, traceId: h.traceId }],
  );
  return {
    runId: record.runId,
    key: record.key,
    provider: record.provider,
    messageId: record.messageId,
    ...(typeof from === 'string' ? { from: maskPhone(from) } : {}),
    status: record.status,
    ...(record.compensation === undefined ? {} : { compensation: record.compensation }),
    ...(failed === undefined ? {} : { step: failed.name, attempts: failed.attempts.length }),
    ...((record.error ?? failed?.error) ? { error: record.error ?? failed?.error } : {}),
    ...numberField('contactId', outputs.contactId),
    ...(typeof outputs.contactCreated === 'boolean' ? { contactCreated: outputs.contactCreated } : {}),
    ...numberField('incidentId', outputs.incidentId),
    ...(typeof outputs.referenceNumber === 'string' ? { referenceNumber: outputs.referenceNumber } : {}),
    ...(record.traceId === undefined ? {} : { traceId: record.traceId }),
    executions: record.executions,
    duplicates: record.duplicates,
    startedAt: record.startedAt,
    ...(record.finishedAt === undefined
      ? {}
      : { finishedAt: record.finishedAt, durationMs: record.finishedAt - record.startedAt }),
    ...(record.lease === undefined ? {} : { leaseOwner: record.lease.owner, leaseExpiresAt: record.lease.expiresAt }),
    ...(cleanup.length > 0 ? { cleanup } : {}),
    ...(traces.length > 0 ? { traces } : {}),
  };
}

export function failedStep(record: RunRecord): StepEntry | undefined {
  return record.failedStep === undefined
    ? record.steps.find((s) => s.outcome === 'failed')
    : record.steps.find((s) => s.name === record.failedStep);
}

function numberField<K extends string>(name: K, value: unknown): Partial<Record<K, number>> {
  return typeof value === 'number' ? ({ [name]: value } as Record<K, number>) : {};
}
