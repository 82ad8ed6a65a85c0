/**
 * Engine hooks → spans: one per run, per step, per attempt and per compensation, parented
 * explicitly (run under the invocation's SERVER span, steps and compensations under the run,
 * attempts under their step or compensation). Each attempt runs with its span as the active
 * context, so CLIENT spans of its HTTP calls nest under it.
 */
import { SpanKind, SpanStatusCode, context, trace, type Context, type Span, type Tracer } from '@opentelemetry/api';
import { ATTR_ERROR_TYPE } from '@opentelemetry/semantic-conventions';
import type { ErrorInfo, RunHooks } from '../src/engine/index.js';
import { redactPhones } from '../src/log/redact.js';
import { ATTEMPT_KEY, SagaAttr, setSafeAttributes } from './span-attributes.js';

/** ERROR status always carries the message: an error span without one is useless at 3 a.m. */
export function markError(span: Span, error: ErrorInfo | undefined, fallback: string): void {
  const message = redactPhones(error?.message ?? fallback).slice(0, 1_000);
  span.setStatus({ code: SpanStatusCode.ERROR, message });
  span.setAttribute(ATTR_ERROR_TYPE, error?.type ?? 'Error');
}

/** Span hooks, and the ids of an attempt's span while it is open (for its log lines). */
export interface SpanHooks extends RunHooks {
  attemptSpan(step: string, attempt: number, compensation: boolean): { traceId: string; spanId: string } | undefined;
}

export function spanHooks(tracer: Tracer, parent: Context): SpanHooks {
  let run: Span | undefined;
  let runCtx = parent;
  const steps = new Map<string, Span>();
  const compensations = new Map<string, Span>();
  const attempts = new Map<string, Span>();
  const timeouts = new Map<string, number>();
  const key = (step: string, attempt: number, compensation: boolean) =>
    `${compensation ? 'c' : 's'}:${step}:${attempt}`;

  return {
    attemptSpan: (step, attempt, compensation) => {
      const sc = attempts.get(key(step, attempt, compensation))?.spanContext();
      return sc === undefined ? undefined : { traceId: sc.traceId, spanId: sc.spanId };
    },
    onRunStart: ({ runId, workflow }) => {
      run = tracer.startSpan(`saga.run ${workflow}`, { kind: SpanKind.INTERNAL }, parent);
      setSafeAttributes(run, { [SagaAttr.runId]: runId, [SagaAttr.workflow]: workflow });
      runCtx = trace.setSpan(parent, run);
    },
    onStepStart: ({ step }) => {
      const span = tracer.startSpan(`saga.step ${step}`, {}, runCtx);
      span.setAttribute(SagaAttr.step, step);
      steps.set(step, span);
    },
    onAttemptStart: ({ step, attempt, timeoutMs, compensation }) => {
      timeouts.set(key(step, attempt, compensation), timeoutMs);
    },
    wrapAttempt: (e, runAttempt) => {
      const k = key(e.step, e.attempt, e.compensation);
      const owner = (e.compensation ? compensations : steps).get(e.step);
      // Undo attempts are named apart: a search for `saga.attempt` finds the forward work only.
      const span = tracer.startSpan(
        `${e.compensation ? 'saga.compensate.attempt' : 'saga.attempt'} ${e.step}`,
        {},
        owner ? trace.setSpan(runCtx, owner) : runCtx,
      );
      setSafeAttributes(span, {
        [SagaAttr.step]: e.step,
        [SagaAttr.attempt]: e.attempt,
        [SagaAttr.compensation]: e.compensation,
        [SagaAttr.attemptTimeoutMs]: timeouts.get(k),
      });
      timeouts.delete(k);
      attempts.set(k, span);
      return context.with(trace.setSpan(runCtx, span).setValue(ATTEMPT_KEY, e.attempt), runAttempt);
    },
    onAttemptEnd: ({ step, record, compensation, willRetry }) => {
      const k = key(step, record.attempt, compensation);
      const span = attempts.get(k);
      if (!span) return;
      attempts.delete(k);
      setSafeAttributes(span, {
        [SagaAttr.outcome]: record.outcome,
        [SagaAttr.willRetry]: willRetry,
        [SagaAttr.backoffMs]: record.backoffMs,
        [SagaAttr.retryable]: record.error?.retryable,
      });
      if (record.outcome === 'failed') {
        markError(span, record.error, 'attempt failed');
        if (willRetry)
          span.addEvent('retry scheduled', {
            [SagaAttr.backoffMs]: record.backoffMs ?? 0,
            [SagaAttr.attempt]: record.attempt + 1,
          });
      }
      span.end();
    },
    onStepEnd: ({ record }) => {
      const span =
        steps.get(record.name) ??
        tracer.startSpan(`saga.step ${record.name}`, { attributes: { [SagaAttr.step]: record.name } }, runCtx);
      steps.delete(record.name);
      setSafeAttributes(span, { [SagaAttr.outcome]: record.outcome, [SagaAttr.attempts]: record.attempts.length });
      if (record.outcome === 'failed') markError(span, record.error, 'step failed');
      span.end();
    },
    onCompensationStart: ({ step }) => {
      const span = tracer.startSpan(`saga.compensate ${step}`, {}, runCtx);
      span.setAttribute(SagaAttr.step, step);
      compensations.set(step, span);
    },
    onCompensationEnd: ({ record }) => {
      const span = compensations.get(record.step);
      if (!span) return;
      compensations.delete(record.step);
      setSafeAttributes(span, { [SagaAttr.outcome]: record.outcome, [SagaAttr.attempts]: record.attempts.length });
      if (record.outcome === 'failed') markError(span, record.error, 'compensation failed');
      span.end();
    },
    onRunEnd: ({ result }) => {
      const span = run ?? tracer.startSpan(`saga.run ${result.workflow}`, {}, parent);
      setSafeAttributes(span, {
        [SagaAttr.runId]: result.runId,
        [SagaAttr.outcome]: result.status,
        [SagaAttr.failedStep]: result.failedStep,
        [SagaAttr.compensation]: result.compensation,
      });
      if (result.status === 'failed')
        markError(span, result.error, `run failed at ${result.failedStep ?? 'unknown step'}`);
      // Spans a broken hook order left open are closed, never leaked.
      for (const open of [...attempts.values(), ...steps.values(), ...compensations.values()]) open.end();
      attempts.clear();
      steps.clear();
      compensations.clear();
      span.end();
    },
  };
}
