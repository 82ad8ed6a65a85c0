/**
 * func.yaml, as `fn deploy` reads it: the fn CLI copies its `config:` onto the function, and function
 * config beats application config, so any key there would override the operator's `fn config app`
 * on every deploy. It sets none; the keys it names in comments are the ones the function reads.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ConfigSchema } from '../../src/config.js';
import { TelemetryConfigFragment } from '../../telemetry/config.js';

const text = readFileSync(new URL('../../func.yaml', import.meta.url), 'utf8');
const funcYaml = parse(text) as Record<string, unknown>;

describe('func.yaml', () => {
  it('sets no function config for fn deploy to copy over the application config', () => {
    expect(funcYaml).not.toHaveProperty('config');
    expect(Object.keys(funcYaml).sort()).toEqual(['memory', 'name', 'runtime', 'schema_version', 'timeout', 'version']);
  });

  it('names in its comments only keys the function reads', () => {
    const read = new Set([...Object.keys(ConfigSchema.shape), ...Object.keys(TelemetryConfigFragment)]);
    // The indented comment lines: `#   key / key …   what it is`.
    const named = [...text.matchAll(/^# {3}(\S+(?: \/ \S+)*)/gm)].flatMap((m) => (m[1] as string).split(' / '));
    expect(named.length).toBeGreaterThanOrEqual(5);
    for (const key of named) expect(read.has(key), key).toBe(true);
  });
});
