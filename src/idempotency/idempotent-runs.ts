import { randomUUID } from 'node:crypto';
import { systemClock, type Clock, type RunHooks, type RunResult, type WorkflowDefinition } from '../engine/index.js';
import { InboundSmsSchema, messageIdentity, type InboundSms } from '../inbound/index.js';
import { claimRun, payloadHash, runJournaled, type Claim, type RunJournal, type RunRecord } from '../journal/index.js';
import { createLogger, type Logger } from '../log/logger.js';
import { maskPhone } from '../log/redact.js';
import type { IdempotencyOutcome } from './outcome.js';

/** What the protocol is built from (once per service). */
export interface IdempotentRunsParts<S extends object> {
  readonly journal: RunJournal;
  readonly workflow: WorkflowDefinition<S>;
  /**
   * The run's first state, from the message. The run's recovery facts (when it started, whether an
   * earlier execution may have left writes in doubt) reach its steps through the engine (`ctx.run`).
   */
  readonly initialState: (sms: InboundSms) => S;
  /** The answer kept in the journal for a run's result, and replayed to its duplicates. */
  readonly answer: (result: RunResult<S>) => NonNullable<RunRecord['answer']>;
  /** How long a lease outlives the delivery's deadline, in ms. */
  readonly leaseMarginMs: number;
  /** Said on the "webhook accepted" log line. */
  readonly signature: 'off' | 'verified';
  /** @default systemClock */
  readonly clock?: Clock;
}

/** Kept between the claim's last try and the delivery's deadline: the "journal unavailable" answer's way out. */
export const CLAIM_ANSWER_MARGIN_MS = 500;

/** One delivery of one message. */
export interface Delivery {
  /** Epoch ms by which the caller must have its answer. */
  readonly deadline: number;
  /** Names this execution in the run's lease and history (the Fn call id, `cli@host`). @default 'call' */
  readonly caller?: string;
  /** `I-Twilio-Idempotency-Token`, kept on the run record. */
  readonly idempotencyToken?: string;
  /** The trace this execution runs in, kept on the run record for `runs show`. */
  readonly traceId?: string;
  /** Its span (the SERVER span): a duplicate's span links to it. */
  readonly spanId?: string;
  /** @default JSON lines on stdout */
  readonly log?: Logger;
  /** This run's engine hooks (telemetry), given the run's logger. */
  readonly hooks?: (runLog: Logger) => RunHooks;
  /** An operator's redrive (the CLI), not a delivery: no signature was checked, and the log line says so. */
  readonly redrive?: boolean;
  /** Told when the delivery is a duplicate answered from the journal, with the run's latest traced execution. */
  readonly onDuplicate?: (original: { runId: string; traceId?: string; spanId?: string }) => void;
}

/** The journal key of a message: one run per provider message id. */
export function runKey(sms: Pick<InboundSms, 'provider' | 'messageId'>): string {
  return `${sms.provider}:${sms.messageId}`;
}

/**
 * The idempotency protocol around a workflow (as Powertools' `IdempotencyHandler`): a delivery
 * claims its message's run in the journal before any side effect, and only the claim's owner runs
 * it; every other delivery is answered from the journal. The caller turns the
 * {@link IdempotencyOutcome} into its answer.
 */
export class IdempotentRuns<S extends object> {
  readonly #parts: IdempotentRunsParts<S>;
  readonly #clock: Clock;
  #memoryWarned = false;

  constructor(parts: IdempotentRunsParts<S>) {
    this.#parts = parts;
    this.#clock = parts.clock ?? systemClock;
  }

  /** Claims, then runs (or resumes) the run or says why not. Throws only what the workflow's runner throws. */
  async handle(
    sms: InboundSms,
    delivery: Delivery,
    /** Told the run's result as soon as it is known, before its final record is written (the caller's answer is decided then). */
    onResult?: (result: RunResult<S>) => void,
  ): Promise<IdempotencyOutcome<S>> {
    const { journal, workflow } = this.#parts;
    const log = delivery.log ?? createLogger();
    this.#warnIfMemory(log);
    const owner = `${delivery.caller ?? 'call'}/${randomUUID()}`;
    const keyLog = log.child({ provider: sms.provider, messageId: sms.messageId, from: maskPhone(sms.from) });

    // Claim before any side effect: one execution owns the run, the others are answered from the journal.
    let claim: Claim;
    const claimStarted = this.#clock.now();
    try {
      claim = await claimRun(journal, {
        key: runKey(sms),
        runId: randomUUID(),
        workflow: workflow.name,
        provider: sms.provider,
        messageId: sms.messageId,
        ...(delivery.idempotencyToken === undefined
          ? {}
          : { idempotencyToken: delivery.idempotencyToken.slice(0, 200) }),
        // The message, never its transport: a Twilio fallback request (ErrorCode, ErrorUrl added) is the same message.
        payloadHash: messageHash(sms),
        payload: sms,
        hashOf: storedMessageHash,
        owner,
        now: this.#clock.now(),
        leaseExpiresAt: delivery.deadline + this.#parts.leaseMarginMs,
        ...(delivery.traceId ? { traceId: delivery.traceId } : {}),
        ...(delivery.spanId ? { spanId: delivery.spanId } : {}),
        // A journal hiccup is waited out while the caller still listens: without a claim the message
        // may have no other chance (Twilio sends nothing after its fallback request).
        retry: { until: delivery.deadline - CLAIM_ANSWER_MARGIN_MS, clock: this.#clock },
      });
    } catch (error) {
      // Fail closed: without a claim, running could duplicate an incident. Transient faults were
      // tried again until the deadline: this is the journal still failing, or refusing for good.
      keyLog.error('run journal unavailable', {
        journal: journal.description,
        errorType: error instanceof Error ? error.name : typeof error,
        error: error instanceof Error ? error.message : undefined,
        triedForMs: this.#clock.now() - claimStarted,
      });
      return { state: 'journal-unavailable', error };
    }
    if (claim.kind !== 'run') return this.#unclaimed(claim, keyLog, delivery);

    const { record } = claim.claimed;
    const runLog = keyLog.child({ runId: record.runId });
    runLog.info(
      claim.mode === 'new' ? 'webhook accepted' : `run ${claim.mode === 'resume' ? 'resumed' : 'restarted'}`,
      {
        ...(delivery.redrive ? { origin: 'redrive', by: delivery.caller } : { signature: this.#parts.signature }),
        textLength: sms.text.length,
        media: sms.media.length,
        execution: record.executions,
        ...(claim.mode === 'new' ? {} : { doneSteps: record.steps.map((s) => s.name).join(' ') }),
      },
    );
    const outcome = await runJournaled({
      journal,
      claimed: claim.claimed,
      owner,
      workflow,
      // The message as first received: a later delivery (a fallback request) adds transport fields that are not the message's.
      initialState: this.#parts.initialState(storedMessage(record.payload) ?? sms),
      options: {
        deadline: delivery.deadline,
        clock: this.#clock,
        ...(delivery.hooks ? { hooks: delivery.hooks(runLog) } : {}),
      },
      // The journal keeps the answer as data (status and body) and replays it to duplicates.
      answer: (result) => {
        onResult?.(result);
        const { status, body } = this.#parts.answer(result);
        return { status, body };
      },
      now: () => this.#clock.now(),
    });
    const ran = { state: 'ran', mode: claim.mode, runId: record.runId, result: outcome.result } as const;
    if (outcome.saved) return { ...ran, saved: 'saved' };
    const why =
      outcome.saveError instanceof Error
        ? outcome.saveError.message
        : outcome.saveError === undefined
          ? 'another execution owns the run now'
          : String(outcome.saveError);
    runLog.warn('run outcome not saved in the journal', { journal: journal.description, error: why });
    return outcome.saveError === undefined
      ? { ...ran, saved: 'lease-lost' }
      : { ...ran, saved: 'save-failed', saveError: outcome.saveError };
  }

  /** Duplicates and conflicts: answered from the journal, with no call to the workflow. */
  #unclaimed(claim: Exclude<Claim, { kind: 'run' }>, log: Logger, delivery: Delivery): IdempotencyOutcome<S> {
    const { record } = claim;
    if (claim.kind !== 'mismatch') {
      const traced = record.history.findLast((h) => h.traceId !== undefined);
      delivery.onDuplicate?.({
        runId: record.runId,
        ...(traced?.traceId ? { traceId: traced.traceId } : {}),
        ...(traced?.spanId ? { spanId: traced.spanId } : {}),
      });
    }
    switch (claim.kind) {
      case 'finished':
        log.info('duplicate webhook', {
          metric: 'DuplicateWebhook',
          runId: record.runId,
          status: record.status,
          duplicates: record.duplicates + 1,
        });
        return { state: 'duplicate', record };
      case 'busy':
        log.info('duplicate webhook while the run is in progress', {
          metric: 'DuplicateWebhook',
          runId: record.runId,
          retryAfterS: retryAfterSeconds(claim.retryAfterMs),
        });
        return { state: 'busy', record, retryAfterMs: claim.retryAfterMs };
      case 'mismatch':
        log.warn('message id reused with another payload', { runId: record.runId });
        return { state: 'mismatch', record };
    }
  }

  #warnIfMemory(log: Logger): void {
    if (this.#parts.journal.description !== 'memory' || this.#memoryWarned) return;
    this.#memoryWarned = true;
    log.warn(
      'run journal is in memory: duplicates are caught within this container only; set run_journal to file:<dir> or oci-os://<namespace>/<bucket>',
    );
  }
}

/** A `Retry-After` in whole seconds, at least one. */
export function retryAfterSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

/** sha256 of the message's identity (provider, id, sender, recipient, text, media): the same message always hashes the same. */
export function messageHash(sms: InboundSms): string {
  return payloadHash(messageIdentity(sms));
}

/** The message a run record keeps, when it reads as one. */
function storedMessage(payload: unknown): InboundSms | undefined {
  const parsed = InboundSmsSchema.safeParse(payload);
  return parsed.success ? parsed.data : undefined;
}

/**
 * Today's hash of a stored message, whatever rule hashed it when the record was written: the
 * previous version hashed the whole parsed message (provider fields included).
 */
function storedMessageHash(payload: unknown): string | undefined {
  const sms = storedMessage(payload);
  return sms === undefined ? undefined : messageHash(sms);
}
