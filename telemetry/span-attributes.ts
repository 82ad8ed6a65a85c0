/**
 * Attribute keys of our spans (stable semconv where one exists, `saga.*` for ours) and the one
 * way values get onto a span: through phone redaction.
 */
import type { Attributes, AttributeValue, Span } from '@opentelemetry/api';
import { redactPhones } from '../src/log/redact.js';

export const SagaAttr = {
  runId: 'saga.run_id',
  workflow: 'saga.workflow',
  step: 'saga.step',
  attempt: 'saga.attempt',
  attemptTimeoutMs: 'saga.attempt.timeout_ms',
  outcome: 'saga.outcome',
  attempts: 'saga.attempts',
  willRetry: 'saga.will_retry',
  backoffMs: 'saga.backoff_ms',
  retryable: 'saga.retryable',
  compensation: 'saga.compensation',
  failedStep: 'saga.failed_step',
  provider: 'sms.provider',
  messageId: 'sms.message_id',
  /** Masked: `+1415•••0101`. */
  from: 'sms.from_masked',
  fnCallId: 'faas.invocation_id',
} as const;

/** Strings pass through phone redaction; everything else as is; undefined is dropped. */
export function safeAttributes(attributes: Record<string, AttributeValue | undefined>): Attributes {
  const out: Attributes = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined) continue;
    out[key] = typeof value === 'string' ? redactPhones(value) : value;
  }
  return out;
}

export function setSafeAttributes(span: Span, attributes: Record<string, AttributeValue | undefined>): void {
  span.setAttributes(safeAttributes(attributes));
}
