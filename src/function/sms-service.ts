import { createB2cClient } from '../b2c/index.js';
import { b2cBaseUrl, type Config } from '../config.js';
import { systemClock, type Clock } from '../engine/index.js';
import { IdempotentRuns, type Delivery } from '../idempotency/index.js';
import type { InboundSms } from '../inbound/index.js';
import { journalFor, journalLedger, objectStorageOpener, type RunJournal } from '../journal/index.js';
import { smsToIncident, type ServiceDesk, type SmsToIncidentState } from '../../workflows/sms-to-incident.js';
import { answerTo, runAnswer, type Answer } from './answers.js';

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
}

/** One delivery of one message (see {@link Delivery}). */
export type AcceptOptions = Delivery & {
  /**
   * Told the run's answer as soon as it is decided, before its final record is written: what only
   * needs the answer (the telemetry flush) goes out at the same time as that write.
   */
  readonly onAnswer?: (answer: Answer) => void;
};

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
  const journal = platform.journal ?? functionJournal(config, platform.env);
  return createSmsService(config, { journal, desk });
}

/** The journal at `run_journal`, one per process and location (the sweep reads the same one the service writes). */
export function functionJournal(config: Config, env: Record<string, string | undefined>): RunJournal {
  const endpoint = config.journal.oci_objectstorage_endpoint;
  return journalFor(config.journal.run_journal, objectStorageOpener({ env, ...(endpoint ? { endpoint } : {}) }));
}

/** Wires the workflow over `desk` to the idempotency protocol over `journal`. */
export function createSmsService(config: Config, parts: SmsServiceParts): SmsService {
  const clock = parts.clock ?? systemClock;
  const runs = new IdempotentRuns<SmsToIncidentState>({
    journal: parts.journal,
    workflow: smsToIncident(parts.desk, {
      now: () => clock.now(),
      lateWriteWindowMs: config.b2c.b2cservice_late_write_window_ms,
      searchLagMs: config.b2c.b2cservice_search_lag_ms,
      // Who owns an incident, which contact a number was given: create-only facts in the journal.
      ledger: journalLedger(parts.journal),
      ...(config.b2c.b2cservice_incident_sms_field === undefined
        ? {}
        : { incidentSmsField: config.b2c.b2cservice_incident_sms_field }),
    }),
    initialState: (sms) => ({ sms }),
    answer: runAnswer,
    leaseMarginMs: config.journal.run_journal_lease_margin_ms,
    signature: config.inbound.webhook_signature === 'off' ? 'off' : 'verified',
    clock,
  });
  return {
    accept: async (sms, { onAnswer, ...delivery }) =>
      answerTo(await runs.handle(sms, delivery, onAnswer && ((result) => onAnswer(runAnswer(result))))),
  };
}
