import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { beforeEach, describe, expect, it } from 'vitest';
import { ATTEMPT_KEY } from '../../../telemetry/span-attributes.js';
import { tracedFetch, urlTemplate } from '../../../telemetry/traced-fetch.js';
import { createTracing } from '../../../telemetry/tracing.js';

const exporter = new InMemorySpanExporter();
const tracing = createTracing({ exporter, serviceName: 't', simple: true });
beforeEach(() => exporter.reset());

describe('tracedFetch', () => {
  it('records a CLIENT span without the query, reports the status and tells of a 401', async () => {
    const statuses: number[] = [];
    const f = tracedFetch(
      async () => new Response('', { status: 401 }),
      tracing.tracer,
      (s) => statuses.push(s),
    );
    const parent = tracing.tracer.startSpan('attempt', {}, ROOT_CONTEXT);
    await context.with(trace.setSpan(ROOT_CONTEXT, parent), () =>
      f('https://site.custhelp.com:8443/services/rest/connect/v1.4/contacts/12?q=phones.rawNumber%3D%2715017122661%27'),
    );
    parent.end();
    const [span] = exporter.getFinishedSpans().filter((s) => s.kind === SpanKind.CLIENT);
    expect(span!.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
    expect(span!.name).toBe('GET /contacts/{id}');
    expect(span!.attributes).toEqual({
      'url.template': '/contacts/{id}',
      'http.request.method': 'GET',
      'server.address': 'site.custhelp.com',
      'server.port': 8443,
      'url.full': 'https://site.custhelp.com:8443/services/rest/connect/v1.4/contacts/12',
      'http.response.status_code': 401,
      'error.type': '401',
    });
    expect(span!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'HTTP 401' });
    expect(statuses).toEqual([401]);
  });

  it('marks a network failure with its message and rethrows it unchanged', async () => {
    const failure = new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } });
    const f = tracedFetch(async () => {
      throw failure;
    }, tracing.tracer);
    await expect(f('http://127.0.0.1:9/x', { method: 'post' })).rejects.toBe(failure);
    const [span] = exporter.getFinishedSpans();
    expect(span!.name).toBe('POST /x');
    expect(span!.attributes['error.type']).toBe('ECONNREFUSED');
    expect(span!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'fetch failed' });
  });
});

describe('CLIENT span naming and resends', () => {
  it('names the span by method and route template, the Connect prefix and ids left out', () => {
    expect(urlTemplate('/services/rest/connect/v1.4/incidents/1001')).toBe('/incidents/{id}');
    expect(urlTemplate('/services/rest/connect/latest/contacts')).toBe('/contacts');
    expect(urlTemplate('/services/rest/connect/v1.4/')).toBe('/');
  });

  it("counts the engine's retries as http.request.resend_count, absent on the first attempt", async () => {
    const f = tracedFetch(async () => new Response('{}'), tracing.tracer);
    for (const attempt of [1, 3])
      await context.with(ROOT_CONTEXT.setValue(ATTEMPT_KEY, attempt), () =>
        f('https://s/services/rest/connect/v1.4/incidents', { method: 'POST' }),
      );
    const [first, third] = exporter.getFinishedSpans();
    expect(first!.attributes['http.request.resend_count']).toBeUndefined();
    expect(third!.attributes['http.request.resend_count']).toBe(2);
  });
});
