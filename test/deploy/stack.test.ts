/**
 * The Resource Manager stack: schema.yaml (parsed with `yaml`) lists exactly the module's
 * variables (parsed with the HCL parser), with matching defaults and required flags, and
 * `npm run package:stack` zips exactly the module with the schema at its root.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { parse as parseHcl } from '@cdktn/hcl2json';
import { unzipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';

const ROOT = new URL('../../', import.meta.url);
const DIR = new URL('deploy/terraform/', ROOT);

interface SchemaVariable {
  type: string;
  default?: unknown;
  required?: boolean;
  enum?: string[];
  pattern?: string;
  visible?: unknown;
}
interface Schema {
  schemaVersion: string;
  variableGroups: { title: string; variables: string[]; visible?: boolean }[];
  variables: Record<string, SchemaVariable>;
  outputs: Record<string, unknown>;
}
type TfVariable = { type: string; default?: unknown; validation?: { condition: string }[] };

let schema: Schema;
let variables: Record<string, TfVariable>;
let outputs: string[];

beforeAll(async () => {
  schema = parseYaml(readFileSync(new URL('schema.yaml', DIR), 'utf8')) as Schema;
  const parsed = (await parseHcl('variables.tf', readFileSync(new URL('variables.tf', DIR), 'utf8'))) as {
    variable: Record<string, TfVariable[]>;
  };
  variables = Object.fromEntries(Object.entries(parsed.variable).map(([k, v]) => [k, v[0] as TfVariable]));
  const out = (await parseHcl('outputs.tf', readFileSync(new URL('outputs.tf', DIR), 'utf8'))) as {
    output: Record<string, unknown>;
  };
  outputs = Object.keys(out.output);
});

describe('schema.yaml', () => {
  /** The schema meta-schema has no map type: map variables are grouped (hidden) but never typed. */
  const maps = (): string[] => Object.keys(variables).filter((name) => variables[name]?.type.startsWith('${map('));

  it('lists exactly the module variables, each in exactly one group; maps in the hidden group, undeclared', () => {
    expect(schema.schemaVersion).toBe('1.1.0');
    expect(maps().sort()).toEqual(['freeform_tags', 'function_config']);
    expect(Object.keys(schema.variables).sort()).toEqual(
      Object.keys(variables)
        .filter((n) => !maps().includes(n))
        .sort(),
    );
    const grouped = schema.variableGroups.flatMap((g) => g.variables);
    expect(grouped.sort()).toEqual(Object.keys(variables).sort());
    const hidden = schema.variableGroups.filter((g) => g.visible === false).flatMap((g) => g.variables);
    expect(hidden).toEqual(expect.arrayContaining(maps()));
  });

  it('requires what has no default, and defaults as the module does', () => {
    for (const [name, tf] of Object.entries(variables)) {
      if (maps().includes(name)) continue;
      const s = schema.variables[name] as SchemaVariable;
      if (!('default' in tf)) expect(s.required, `${name} has no default: required in the schema`).toBe(true);
      if ('default' in s) {
        const want = tf.default;
        // Enums are strings in the console; Terraform converts them back to numbers.
        expect(s.type === 'enum' ? String(s.default) : s.default, name).toEqual(
          s.type === 'enum' ? String(want) : want,
        );
      }
    }
  });

  it('offers only values the module accepts', () => {
    for (const [name, s] of Object.entries(schema.variables)) {
      if (s.type !== 'enum') continue;
      const condition = JSON.stringify(variables[name]?.validation);
      for (const value of s.enum ?? [])
        expect(condition, `${name}: ${value}`).toMatch(
          new RegExp(`(?<![0-9A-Za-z_])\\\\?"?${value}\\\\?"?(?![0-9A-Za-z_])`),
        );
    }
    expect(
      new RegExp(schema.variables.b2c_password_secret_ocid?.pattern as string).test('ocid1.vaultsecret.oc1.iad.amaaaa'),
    ).toBe(true);
    expect(new RegExp(schema.variables.b2c_password_secret_ocid?.pattern as string).test('hunter2')).toBe(false);
    expect(new RegExp(schema.variables.twilio_auth_token_secret_ocid?.pattern as string).test('')).toBe(true);
  });

  it('types compartments, booleans, numbers and lists as the console needs them, never a map as a string', () => {
    expect(schema.variables.compartment_ocid?.type).toBe('oci:identity:compartment:id');
    for (const [name, tf] of Object.entries(variables)) {
      const s = schema.variables[name] as SchemaVariable | undefined;
      if (s === undefined) {
        expect(tf.type, `${name} is not declared in schema.yaml: only maps may be left out`).toMatch(/^\$\{map\(/);
        continue;
      }
      if (tf.type === '${string}')
        expect(['string', 'enum', 'password'].includes(s.type) || s.type.startsWith('oci:'), name).toBe(true);
      if (tf.type === '${bool}') expect(s.type, name).toBe('boolean');
      if (tf.type === '${list(string)}') expect(s.type, name).toBe('array');
      if (tf.type === '${number}') expect(['number', 'enum'], name).toContain(s.type);
    }
  });

  it('shows only outputs the module has', () => {
    for (const name of Object.keys(schema.outputs)) expect(outputs).toContain(name);
  });
});

describe('npm run package:stack', () => {
  it('zips the module, the generated alarms and the schema at the root, byte for byte', () => {
    execFileSync(process.execPath, ['scripts/package-stack.mjs'], { cwd: ROOT, stdio: 'pipe' });
    const zip = unzipSync(readFileSync(new URL('dist/sms-incident-stack.zip', ROOT)));
    const expected = readdirSync(DIR)
      .filter((f) => f.endsWith('.tf') || f === 'alarms.json' || f === 'schema.yaml')
      .sort();
    expect(Object.keys(zip).sort()).toEqual(expected);
    expect(expected).toEqual(expect.arrayContaining(['schema.yaml', 'alarms.json', 'versions.tf', 'variables.tf']));
    for (const name of expected)
      expect(Buffer.from(zip[name] as Uint8Array).equals(readFileSync(new URL(name, DIR))), name).toBe(true);
  });
});
