/**
 * The local stack's run timeline: built from the function's own JSON log lines (the `run
 * succeeded|failed` summary), printed readably and served on the gateway's `GET /runs`.
 */
import { z } from 'zod';

const SummaryLine = z.object({
  message: z.enum(['run succeeded', 'run failed']),
  time: z.string(),
  runId: z.string(),
  status: z.enum(['succeeded', 'failed']),
  durationMs: z.number(),
  steps: z.string().default(''),
  stepTimes: z.string().optional(),
  compensations: z.string().optional(),
  compensation: z.string().optional(),
  failedStep: z.string().optional(),
  errorType: z.string().optional(),
  error: z.string().optional(),
  traceId: z.string().optional(),
  fnCallId: z.string().optional(),
  provider: z.string().optional(),
  messageId: z.string().optional(),
  from: z.string().optional(),
});

export interface TimelineStep {
  readonly name: string;
  readonly outcome: string;
  readonly durationMs?: number;
  readonly attempts?: number;
}

export interface TimelineRun {
  readonly runId: string;
  readonly time: string;
  readonly status: 'succeeded' | 'failed';
  readonly durationMs: number;
  readonly traceId?: string;
  readonly fnCallId?: string;
  readonly provider?: string;
  readonly messageId?: string;
  readonly from?: string;
  readonly failedStep?: string;
  readonly error?: string;
  readonly compensation?: string;
  readonly steps: readonly TimelineStep[];
  readonly compensations: readonly TimelineStep[];
}

/** The run a summary log line describes, or undefined for any other line. */
export function parseRunLine(line: string): TimelineRun | undefined {
  if (!line.includes('"message":"run ')) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return undefined;
  }
  const parsed = SummaryLine.safeParse(json);
  if (!parsed.success) return undefined;
  const s = parsed.data;
  const times = new Map(
    (s.stepTimes ?? '')
      .split(' ')
      .filter(Boolean)
      .map((t) => {
        const [name, ms, attempts] = t.split(':');
        return [name as string, { durationMs: Number(ms), attempts: Number(attempts) }] as const;
      }),
  );
  const steps = s.steps
    .split(' ')
    .filter(Boolean)
    .map((t) => {
      const [name, outcomeAndCount] = t.split(':') as [string, string | undefined];
      const outcome = (outcomeAndCount ?? '').replace(/x\d+$/, '');
      return { name, outcome, ...times.get(name) };
    });
  const compensations = (s.compensations ?? '')
    .split(' ')
    .filter(Boolean)
    .map((t) => {
      const [name, outcome, ms, attempts] = t.split(':');
      return { name: name as string, outcome: outcome as string, durationMs: Number(ms), attempts: Number(attempts) };
    });
  return {
    runId: s.runId,
    time: s.time,
    status: s.status,
    durationMs: s.durationMs,
    traceId: s.traceId,
    fnCallId: s.fnCallId,
    provider: s.provider,
    messageId: s.messageId,
    from: s.from,
    failedStep: s.failedStep,
    error: s.error === undefined ? undefined : `${s.errorType ?? 'Error'}: ${s.error}`,
    compensation: s.compensation,
    steps,
    compensations,
  };
}

/** A few readable lines per run, for a console. */
export function formatRun(run: TimelineRun): string {
  const head =
    `run ${run.runId} ${run.status.toUpperCase()} in ${run.durationMs} ms` +
    `${run.provider ? ` · ${run.provider}` : ''}${run.from ? ` from ${run.from}` : ''}${run.traceId ? ` · trace ${run.traceId}` : ''}`;
  const row = (s: TimelineStep, prefix: string) =>
    `  ${prefix}${s.name.padEnd(16)} ${s.outcome.padEnd(10)}${s.durationMs === undefined ? '' : `${String(s.durationMs).padStart(6)} ms`}${s.attempts && s.attempts > 1 ? `  ${s.attempts} attempts` : ''}`;
  return [
    head,
    ...run.steps.map((s) => row(s, s.name === run.failedStep ? '✗ ' : s.outcome === 'succeeded' ? '✓ ' : '· ')),
    ...run.compensations.map((c) => row(c, c.outcome === 'succeeded' ? '↺ ' : '‼ ')),
    ...(run.error ? [`  error: ${run.error}`] : []),
    ...(run.compensation === 'failed' ? ['  compensation FAILED: manual clean-up needed'] : []),
  ].join('\n');
}

/** The last `limit` runs, newest first. */
export class RunTimeline {
  readonly #runs: TimelineRun[] = [];
  constructor(private readonly limit = 100) {}

  /** Records the run of a summary line and returns it; other lines give undefined. */
  ingest(line: string): TimelineRun | undefined {
    const run = parseRunLine(line);
    if (!run) return undefined;
    this.#runs.unshift(run);
    this.#runs.length = Math.min(this.#runs.length, this.limit);
    return run;
  }

  list(): readonly TimelineRun[] {
    return [...this.#runs];
  }
}
