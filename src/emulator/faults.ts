/**
 * Fault injection: a list of specs checked in order for each API request; the first match with
 * uses left applies. Specs from HTTP and from code go through the same zod schema.
 */
import { z } from 'zod';
import type { FaultPolicy, FaultSpec } from './types.js';

const FaultFields = {
  method: z
    .string()
    .transform((m) => m.toUpperCase())
    .pipe(z.enum(['GET', 'POST', 'PATCH', 'DELETE', 'PUT', 'OPTIONS', '*'])),
  path: z.string().startsWith('/', 'must start with /'),
  action: z.enum(['status', 'delay', 'drop', 'commit-then-drop', 'commit-then-status', 'drop-then-commit', 'hang']),
  status: z.number().int().min(400).max(599).optional(),
  body: z.enum(['connect', 'html']).optional(),
  commitAfterMs: z.number().int().min(0).max(600_000).optional(),
  errorCode: z.string().min(1).optional(),
  detail: z.string().optional(),
  delayMs: z.number().int().min(0).max(600_000).optional(),
  nextRequestAfterMs: z.number().int().min(0).optional(),
  times: z.number().int().min(1).optional(),
};

type Timed = { action: string; delayMs?: number | undefined; commitAfterMs?: number | undefined };
const withDelayRule = (f: Timed): boolean => f.action !== 'delay' || f.delayMs !== undefined;
const delayRule = { message: 'delayMs is required for action delay', path: ['delayMs'] };
const withCommitAfterRule = (f: Timed): boolean =>
  (f.action === 'drop-then-commit') === (f.commitAfterMs !== undefined);
const commitAfterRule = {
  message: 'commitAfterMs is required for action drop-then-commit, and only for it',
  path: ['commitAfterMs'],
};

/** A rule armed when its parent fires: one level deep is enough for compound faults. */
const ThenSchema = z
  .strictObject(FaultFields)
  .refine(withDelayRule, delayRule)
  .refine(withCommitAfterRule, commitAfterRule);

export const FaultSpecSchema = z
  .strictObject({ ...FaultFields, then: ThenSchema.optional() })
  .refine(withDelayRule, delayRule)
  .refine(withCommitAfterRule, commitAfterRule);

export class FaultSpecError extends Error {
  override readonly name = 'FaultSpecError';
  readonly issues: readonly string[];

  constructor(issues: readonly string[]) {
    super(`invalid fault spec: ${issues.join('; ')}`);
    this.issues = issues;
  }
}

interface Entry {
  readonly spec: FaultSpec;
  readonly segments: readonly string[];
  remaining: number;
}

function segmentsOf(path: string): string[] {
  const [pathOnly = ''] = path.split('?', 1);
  return pathOnly.split('/').filter((s) => s !== '');
}

export class FaultBook {
  #entries: Entry[] = [];
  #policy: FaultPolicy | undefined;

  /** Consulted when no listed fault matches; its answer is validated like any spec. */
  setPolicy(policy: FaultPolicy | undefined): void {
    this.#policy = policy;
  }

  /** Validates and appends; throws {@link FaultSpecError}. */
  add(input: unknown): FaultSpec {
    const parsed = FaultSpecSchema.safeParse(input);
    if (!parsed.success) {
      throw new FaultSpecError(
        parsed.error.issues.map((i) => `${i.path.map(String).join('.') || '(spec)'}: ${i.message}`),
      );
    }
    const spec: FaultSpec = parsed.data;
    this.#entries.push({ spec, segments: segmentsOf(spec.path), remaining: spec.times ?? Number.POSITIVE_INFINITY });
    return spec;
  }

  clear(): void {
    this.#entries = [];
  }

  /** Active faults with their uses left (null = unlimited). */
  list(): (FaultSpec & { remaining: number | null })[] {
    return this.#entries.map((e) => ({ ...e.spec, remaining: Number.isFinite(e.remaining) ? e.remaining : null }));
  }

  /**
   * The first matching fault, with one use consumed; exhausted faults are dropped. A fault with
   * `then` arms that rule, ahead of the others, when it fires.
   */
  take(method: string, resource: string): FaultSpec | undefined {
    const segments = segmentsOf(resource);
    const entry = this.#entries.find(
      (e) =>
        (e.spec.method === '*' || e.spec.method === method) &&
        e.segments.length === segments.length &&
        e.segments.every((s, i) => s === '*' || s === segments[i]),
    );
    if (entry === undefined) return this.#fromPolicy(method, resource);
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.#entries = this.#entries.filter((e) => e !== entry);
    const armed = entry.spec.then;
    if (armed !== undefined)
      this.#entries.unshift({
        spec: armed,
        segments: segmentsOf(armed.path),
        remaining: armed.times ?? Number.POSITIVE_INFINITY,
      });
    return entry.spec;
  }

  #fromPolicy(method: string, resource: string): FaultSpec | undefined {
    const drawn = this.#policy?.({ method, resource });
    if (drawn === undefined) return undefined;
    const parsed = FaultSpecSchema.safeParse(drawn);
    if (!parsed.success) throw new FaultSpecError(parsed.error.issues.map((i) => i.message));
    const spec: FaultSpec = parsed.data;
    if (spec.then !== undefined)
      this.#entries.unshift({
        spec: spec.then,
        segments: segmentsOf(spec.then.path),
        remaining: spec.then.times ?? Number.POSITIVE_INFINITY,
      });
    return spec;
  }
}
