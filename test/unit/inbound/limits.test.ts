import { describe, expect, it } from 'vitest';
import { InboundError } from '../../../src/inbound/index.js';
import { MAX_FIELDS, MAX_JSON_DEPTH, assertFormFieldCount, assertJsonShape } from '../../../src/inbound/limits.js';

const refusal = (fn: () => void): { status: number; message: string } | undefined => {
  try {
    fn();
    return undefined;
  } catch (error) {
    if (!(error instanceof InboundError)) throw error;
    return { status: error.status, message: error.message };
  }
};

describe('limits before the signature', () => {
  it(`counts form fields as URLSearchParams reads them: ${MAX_FIELDS} pass, one more is 413`, () => {
    const fields = (n: number): string => Array.from({ length: n }, (_, i) => `f${i}=v`).join('&');
    expect(refusal(() => assertFormFieldCount(fields(MAX_FIELDS), 'body'))).toBeUndefined();
    expect(refusal(() => assertFormFieldCount(`&&${fields(MAX_FIELDS)}&&&`, 'body'))).toBeUndefined();
    expect(refusal(() => assertFormFieldCount(fields(MAX_FIELDS + 1), 'query'))).toEqual({
      status: 413,
      message: `query has more than ${MAX_FIELDS} fields`,
    });
    expect(refusal(() => assertFormFieldCount('a&'.repeat(30_000), 'body'))?.status).toBe(413);
    expect(new URLSearchParams(`&&${fields(3)}&&&`).size).toBe(3);
  });

  it(`refuses JSON nested deeper than ${MAX_JSON_DEPTH} levels with 400, brackets inside strings not counted`, () => {
    const nested = (depth: number): string => `{"x":${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}`;
    expect(refusal(() => assertJsonShape(nested(MAX_JSON_DEPTH)))).toBeUndefined();
    expect(refusal(() => assertJsonShape(nested(MAX_JSON_DEPTH + 1)))).toEqual({
      status: 400,
      message: `body is nested deeper than ${MAX_JSON_DEPTH} levels`,
    });
    expect(refusal(() => assertJsonShape(`{"text":"${'[{'.repeat(100)} \\" [[[ \\\\"}`))).toBeUndefined();
    expect(JSON.parse(`{"text":"${'[{'.repeat(100)} \\" [[[ \\\\"}`)).toHaveProperty('text');
  });

  it(`refuses more than ${MAX_FIELDS} members of the root object, repeated names included; nested members do not count`, () => {
    const members = (n: number, name?: string): string =>
      `{${Array.from({ length: n }, (_, i) => `"${name ?? `k${i}`}":1`).join(',')}}`;
    expect(refusal(() => assertJsonShape(members(MAX_FIELDS)))).toBeUndefined();
    expect(refusal(() => assertJsonShape(members(MAX_FIELDS + 1, 'a')))?.status).toBe(413);
    expect(refusal(() => assertJsonShape(`{"media":${members(5000)}}`))).toBeUndefined();
    expect(refusal(() => assertJsonShape(`{"t":"${'a:'.repeat(5000)}"}`))).toBeUndefined();
  });
});
