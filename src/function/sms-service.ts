import { randomUUID } from 'node:crypto';
import { createB2cClient } from '../b2c/index.js';
import { b2cBaseUrl, type Config } from '../config.js';
import { systemClock, type Clock, type RunHooks } from '../engine/index.js';
import type { InboundSms } from '../inbound/index.js';
import {
  claimRun,
  journalFor,
  objectStorageOpener,
  payloadHash,
  runJournaled,
  type Claim,
  type RunJournal,
} from '../journal/index.js';
import { createLogger, type Logger } from '../log/logger.js';
import { maskPhone } from '../log/redact.js';
import { combineHooks } from '../../telemetry/combine-hooks.js';
import { smsToIncident, type ServiceDesk } from '../../workflows/sms-to-incident.js';
import { answer, created, runFailed, type Answer } from './answers.js';

/**
 * The service the function is: one accepted SMS becomes one incident, exactly once. Built once per
 * container (and again only when the config changes) from the loaded config and its parts; the fdk
 * handler and `sms-incident runs redrive` both call {@link SmsService.accept}.
 */
export interface SmsService {
  /**
   * Claims the message's run in the journal before any side effect; answers duplicates and
   * conflicts from the journal; otherwise runs (or resumes) the workflow, journaling each step
   * and the answer. Never throws for a downstream failure: that is a 502/503/504 answer.
   */
  accept(sms: InboundSms, options: AcceptOptions): Promise<Answer>;
}

/** What the service is built from. */
export interface SmsServiceParts {
  readonly journal: RunJournal;
  /** B2C Service, through the workflow's port. */
  readonly desk: ServiceDesk;
  /** @default systemClock */
  readonly clock?: Clock;
  /** Engine hooks for every run, besides those of {@link AcceptOptions.hooks}. @default none */
  readonly hooks?: RunHooks;
}

/** One delivery of one message. */
export interface AcceptOptions {
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
  /** Told when the delivery is a duplicate answered from the journal, with the run's latest traced execution. */
  readonly onDuplicate?: (original: { runId: string; traceId?: string; spanId?: string }) => void;
}

/**
 * The parts as the config says: B2C Service's Connect REST client as the desk, the journal at
 * `run_journal` (one per process and location). This and {@link createSmsService} are the only
 * places that assemble the function.
 */
export function assembleSmsService(
  config: Config,
  platform: {
    /** The platform's variables, for OCI credentials (resource principal, or the CLI's config file). */
    readonly env: Record<string, string | undefined>;
    /** B2C Service's fetch (telemetry wraps it). @default global fetch */
    readonly fetch?: typeof fetch;
    /** Another journal than `run_journal` (the CLI's `--journal`). */
    readonly journal?: RunJournal;
    readonly hooks?: RunHooks;
  },
): SmsService {
  const { b2c } = config;
  const desk = createB2cClient({
    baseUrl: b2cBaseUrl(b2c),
    username: b2c.b2cservice_username,
    password: b2c.b2cservice_password,
    appContext: b2c.b2cservice_app_context,
    phoneType: b2c.b2cservice_phone_type,
    threadEntryType: b2c.b2cservice_thread_entry_type,
    phoneMatch: b2c.b2cservice_phone_match,
    ...(platform.fetch ? { fetch: platform.fetch } : {}),
  });
  const endpoint = config.journal.oci_objectstorage_endpoint;
  const journal =
    platform.journal ??
    journalFor(
      config.journal.run_journal,
      objectStorageOpener({ env: platform.env, existenceByListing: true, ...(endpoint ? { endpoint } : {}) }),
    );
  return createSmsService(config, { journal, desk, ...(platform.hooks ? { hooks: platform.hooks } : {}) });
}

export function createSmsService(config: Config, parts: SmsServiceParts): SmsService {
  const { journal, desk } = parts;
  const clock = parts.clock ?? systemClock;
  const workflow = smsToIncident(desk, {
    now: () => clock.now(),
    lateWriteWindowMs: config.b2c.b2cservice_late_write_window_ms,
    ...(config.b2c.b2cservice_incident_sms_field === undefined
      ? {}
      : { incidentSmsField: config.b2c.b2cservice_incident_sms_field }),
  });
  const leaseMarginMs = config.journal.run_journal_lease_margin_ms;
  let memoryWarned = false;

  return {
    async accept(sms, options) {
      const log = options.log ?? createLogger();
      if (journal.description === 'memory' && !memoryWarned) {
        memoryWarned = true;
        log.warn(
          'run journal is in memory: duplicates are caught within this container only; set run_journal to file:<dir> or oci-os://<namespace>/<bucket>',
        );
      }
      const owner = `${options.caller ?? 'call'}/${randomUUID()}`;
      const keyLog = log.child({ provider: sms.provider, messageId: sms.messageId, from: maskPhone(sms.from) });

      // Claim before any side effect: one execution owns the run, the others are answered from the journal.
      let claim: Claim;
      try {
        claim = await claimRun(journal, {
          key: `${sms.provider}:${sms.messageId}`,
          runId: randomUUID(),
          workflow: workflow.name,
          provider: sms.provider,
          messageId: sms.messageId,
          ...(options.idempotencyToken === undefined
            ? {}
            : { idempotencyToken: options.idempotencyToken.slice(0, 200) }),
          payloadHash: payloadHash(sms),
          payload: sms,
          owner,
          now: clock.now(),
          leaseExpiresAt: options.deadline + leaseMarginMs,
          ...(options.traceId ? { traceId: options.traceId } : {}),
          ...(options.spanId ? { spanId: options.spanId } : {}),
        });
      } catch (error) {
        // Fail closed: without a claim, running could duplicate an incident.
        keyLog.error('run journal unavailable', {
          journal: journal.description,
          errorType: error instanceof Error ? error.name : typeof error,
          error: error instanceof Error ? error.message : undefined,
        });
        return answer(
          503,
          { message: 'run journal unavailable, retry later', retryable: true },
          { 'Retry-After': '5' },
          'journal_unavailable',
        );
      }
      if (claim.kind !== 'run') {
        if (claim.kind !== 'mismatch') {
          const traced = claim.record.history.findLast((h) => h.traceId !== undefined);
          options.onDuplicate?.({
            runId: claim.record.runId,
            ...(traced?.traceId ? { traceId: traced.traceId } : {}),
            ...(traced?.spanId ? { spanId: traced.spanId } : {}),
          });
        }
        return answerUnclaimed(claim, keyLog);
      }

      const { record } = claim.claimed;
      const runLog = keyLog.child({ runId: record.runId });
      runLog.info(
        claim.mode === 'new' ? 'webhook accepted' : `run ${claim.mode === 'resume' ? 'resumed' : 'restarted'}`,
        {
          signature: config.inbound.webhook_signature === 'off' ? 'off' : 'verified',
          textLength: sms.text.length,
          media: sms.media.length,
          execution: record.executions,
          ...(claim.mode === 'new' ? {} : { doneSteps: record.steps.map((s) => s.name).join(' ') }),
        },
      );
      let final: Answer | undefined;
      const hooks = combineHooks(
        ...[parts.hooks, options.hooks?.(runLog)].filter((h): h is RunHooks => h !== undefined),
      );
      const outcome = await runJournaled({
        journal,
        claimed: claim.claimed,
        owner,
        workflow,
        // A resumed or restarted run may have sent writes whose outcome is unknown: the workflow reconciles them.
        initialState: {
          sms,
          runStartedAt: record.startedAt,
          recovering: claim.mode !== 'new',
          ...(record.abandonedAt === undefined ? {} : { abandonedAt: record.abandonedAt }),
        },
        options: { deadline: options.deadline, clock, hooks },
        // The journal keeps the answer as data (status and body) and replays it to duplicates.
        answer: (result) => {
          final = result.status === 'succeeded' ? created(result) : runFailed(result);
          return { status: final.status, body: final.body };
        },
        now: () => clock.now(),
      });
      if (!outcome.saved) {
        const why =
          outcome.saveError instanceof Error
            ? outcome.saveError.message
            : outcome.saveError === undefined
              ? 'another execution owns the run now'
              : String(outcome.saveError);
        runLog.warn('run outcome not saved in the journal', { journal: journal.description, error: why });
      }
      return final ?? answer(outcome.answer.status, outcome.answer.body);
    },
  };
}

/** Duplicates and conflicts: answered from the journal, with no call to B2C Service. */
function answerUnclaimed(claim: Exclude<Claim, { kind: 'run' }>, log: Logger): Answer {
  const { record } = claim;
  switch (claim.kind) {
    case 'finished':
      log.info('duplicate webhook', {
        metric: 'DuplicateWebhook',
        runId: record.runId,
        status: record.status,
        duplicates: record.duplicates + 1,
      });
      return record.answer === undefined
        ? answer(200, { message: 'already processed', runId: record.runId }, undefined, 'replayed')
        : answer(record.answer.status, record.answer.body, { 'Idempotent-Replayed': 'true' }, 'replayed');
    case 'busy': {
      const seconds = Math.max(1, Math.ceil(claim.retryAfterMs / 1000));
      log.info('duplicate webhook while the run is in progress', {
        metric: 'DuplicateWebhook',
        runId: record.runId,
        retryAfterS: seconds,
      });
      return answer(
        503,
        { message: 'this message is being processed; retry later', runId: record.runId, retryable: true },
        { 'Retry-After': String(seconds) },
        'in_progress',
      );
    }
    case 'mismatch':
      log.warn('message id reused with another payload', { runId: record.runId });
      return answer(
        409,
        {
          message: 'a different message was already received with this provider message id',
          runId: record.runId,
          retryable: false,
        },
        undefined,
        'conflict',
      );
  }
}
