/**
 * Attribute keys of our spans (stable semconv where one exists, `saga.*` for ours) and the one
 * way values get onto a span. Attribute values are identifiers and enums (run ids, call ids,
 * provider message ids, step names) and go on as they are: an id altered by masking cannot be
 * searched for. Free text (error messages) is masked where it is made (`markError`,
 * `tracedFetch`), and the sender is only ever set already masked.
 */
import { createContextKey, type Attributes, type Span } from '@opentelemetry/api';

/**
 * The semantic-convention keys an APM user filters by (stable and incubating ones alike, copied
 * here as the OpenTelemetry docs advise for incubating names rather than importing them).
 */
export const Semconv = {
  faasTrigger: 'faas.trigger',
  urlScheme: 'url.scheme',
  httpRoute: 'http.route',
  urlTemplate: 'url.template',
  resendCount: 'http.request.resend_count',
  errorType: 'error.type',
  serviceVersion: 'service.version',
  cloudProvider: 'cloud.provider',
  cloudRegion: 'cloud.region',
  cloudResourceId: 'cloud.resource_id',
  deploymentEnvironment: 'deployment.environment.name',
} as const;

/** The engine's attempt number, in the context of that attempt's I/O (CLIENT spans read it). */
export const ATTEMPT_KEY = createContextKey('sms-incident.attempt');

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

/**
 * What our spans carry: scalars. `@opentelemetry/api` 1.10 widened its `AttributeValue` to `unknown`
 * (complex attributes: maps, byte arrays), which would let an object such as an error or a request
 * body onto a span unnoticed; this keeps the type check of what we set.
 */
export type SpanValue = string | number | boolean;

/** Identifiers and enums as they are; undefined is dropped. */
export function definedAttributes(attributes: Record<string, SpanValue | undefined>): Attributes {
  const out: Attributes = {};
  for (const [key, value] of Object.entries(attributes)) if (value !== undefined) out[key] = value;
  return out;
}

export function setSafeAttributes(span: Span, attributes: Record<string, SpanValue | undefined>): void {
  span.setAttributes(definedAttributes(attributes));
}
