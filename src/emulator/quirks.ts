/**
 * The site's quirks (see {@link EmulatorQuirks}): how the emulated site strays from an ideal one in what it stores and what its searches see:
 * settings that hold for every request until changed (`PUT /__emulator/quirks`), unlike the
 * per-request faults. All off by default; `reset()` turns them off again.
 */
import { z } from 'zod';
import type { EmulatorQuirks } from './types.js';

export const QuirksSchema = z.strictObject({
  /** Collection reads (`GET /contacts`, `GET /incidents`, with or without `q=`) and `queryResults` see the data as it was this long ago. */
  searchLagMs: z.number().int().min(0).max(600_000).default(0),
  /** `crlf`: thread text is stored (and read back) with `\r\n` line ends. */
  threadLineEnds: z.enum(['as-sent', 'crlf']).default('as-sent'),
  /** `end`: trailing white space of the thread text is dropped; `lines`: of every line too. */
  threadTrim: z.enum(['none', 'end', 'lines']).default('none'),
  /** Leading and trailing white space of a subject is dropped. */
  subjectTrim: z.boolean().default(false),
  /** `dropped`: threads sent inline with `POST /incidents` are not stored. */
  threadsOnCreate: z.enum(['kept', 'dropped']).default('kept'),
  /** The site's clock runs this far ahead of the machine's (negative: behind). */
  clockOffsetMs: z.number().int().min(-86_400_000).max(86_400_000).default(0),
}) satisfies z.ZodType<Quirks, EmulatorQuirks>;

export type Quirks = Required<EmulatorQuirks>;

export const NO_QUIRKS: Quirks = QuirksSchema.parse({});

export class QuirksError extends Error {
  override readonly name = 'QuirksError';
  readonly issues: readonly string[];

  constructor(issues: readonly string[]) {
    super(`invalid quirks: ${issues.join('; ')}`);
    this.issues = issues;
  }
}

/** Validates a whole setting (absent keys are off); throws {@link QuirksError}. */
export function parseQuirks(input: unknown): Quirks {
  const parsed = QuirksSchema.safeParse(input);
  if (!parsed.success)
    throw new QuirksError(
      parsed.error.issues.map((i) => `${i.path.map(String).join('.') || '(quirks)'}: ${i.message}`),
    );
  return parsed.data;
}

/** Thread text as the site stores it: trimmed first, then line ends converted. */
export function storedThreadText(text: string, quirks: Quirks): string {
  let stored = text;
  if (quirks.threadTrim === 'lines')
    stored = stored
      .split(/\r?\n/)
      .map((line) => line.trimEnd())
      .join('\n');
  if (quirks.threadTrim !== 'none') stored = stored.trimEnd();
  if (quirks.threadLineEnds === 'crlf') stored = stored.replace(/\r?\n/g, '\r\n');
  return stored;
}

export function storedSubject(subject: string, quirks: Quirks): string {
  return quirks.subjectTrim ? subject.trim() : subject;
}
