/** Option values checked one by one, each mistake named with what was expected and what was given. */
import { UsageError } from './command.js';
import { didYouMean } from './suggest.js';

type Value = string | boolean | undefined;

export function stringValue(values: Readonly<Record<string, Value>>, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

export function flag(values: Readonly<Record<string, Value>>, name: string): boolean {
  return values[name] === true;
}

/** A whole number in [min, max]; `fallback` when absent. */
export function wholeNumber(
  values: Readonly<Record<string, Value>>,
  name: string,
  range: { min: number; max: number },
  fallback: number,
): number {
  const raw = stringValue(values, name);
  if (raw === undefined) return fallback;
  const n = /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < range.min || n > range.max) {
    throw new UsageError(
      `--${name} takes a whole number from ${range.min} to ${range.max}, not ${JSON.stringify(raw)}`,
    );
  }
  return n;
}

/** One of a fixed list, with a suggestion for a typo. */
export function oneOf<const T extends string>(
  values: Readonly<Record<string, Value>>,
  name: string,
  allowed: readonly T[],
  what = 'value',
): T | undefined {
  const raw = stringValue(values, name);
  if (raw === undefined) return undefined;
  if ((allowed as readonly string[]).includes(raw)) return raw as T;
  throw new UsageError(
    `--${name}: no ${what} ${JSON.stringify(raw)}${didYouMean(raw, allowed)}; one of ${allowed.join(', ')}`,
  );
}

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `30m`, `6h`, `2d` before `now`, or an ISO-8601 time: epoch ms. */
export function sinceValue(values: Readonly<Record<string, Value>>, name: string, now: number): number | undefined {
  const raw = stringValue(values, name);
  if (raw === undefined) return undefined;
  const rel = /^(\d+)([mhd])$/.exec(raw.trim());
  if (rel) return now - Number(rel[1]) * UNIT_MS[rel[2] as keyof typeof UNIT_MS];
  // Date.parse takes many forms; only a calendar date (with an optional time) is meant.
  const at = /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(raw.trim())
    ? Date.parse(raw.trim())
    : Number.NaN;
  if (Number.isNaN(at)) {
    throw new UsageError(
      `--${name} takes a time back from now (30m, 6h, 2d) or an ISO-8601 time (2026-12-01T22:00:00Z), not ${JSON.stringify(raw)}`,
    );
  }
  if (at > now) throw new UsageError(`--${name} ${raw} is in the future`);
  return at;
}
