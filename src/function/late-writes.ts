/**
 * The late-write watch. A B2C write abandoned in flight (a timeout, a dropped connection, a crash)
 * may be applied after the late-write window, when its run has already made the object again: a
 * second incident (its note with it: the note is proof it is the run's), a contact without a phone. The run cannot see it any more, and
 * nothing else looks. The sweeper does: for a while after such a run started, it reads B2C Service as
 * `runs audit` does, for those runs only, and removes what is provably the run's (src/function/audit.ts
 * says what that is). What it cannot prove is logged and counted, for a person.
 */
import { RUN_STATUS, type RunJournal, type RunRecord } from '../journal/index.js';
import { auditRuns, type AuditDesk, type AuditReport } from './audit.js';

/** A finished run one of whose writes was abandoned in flight: it may still land, after the run made it again. */
export function mayHaveLateWrite(record: RunRecord): boolean {
  return (
    record.status === RUN_STATUS.succeeded &&
    (record.abandonedAt !== undefined ||
      record.steps.some((step) => step.attempts.some((a) => a.error?.inDoubt === 'in-flight')))
  );
}

export interface LateWriteWatchOptions {
  /** `sweep_watch_ms`: runs started this long ago or less. */
  readonly watchMs: number;
  /** `b2cservice_incident_sms_field`: without it a note-less second incident is not provably the run's. */
  readonly incidentSmsField?: string;
  /** @default Date.now */
  readonly now?: () => number;
}

export function watchLateWrites(
  journal: RunJournal,
  desk: AuditDesk,
  options: LateWriteWatchOptions,
): Promise<AuditReport> {
  const now = options.now ?? Date.now;
  return auditRuns(journal, desk, {
    since: now() - options.watchMs,
    fix: true,
    only: mayHaveLateWrite,
    ...(options.incidentSmsField === undefined ? {} : { incidentSmsField: options.incidentSmsField }),
  });
}
