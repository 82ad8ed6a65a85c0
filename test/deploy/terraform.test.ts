/**
 * The Terraform module (deploy/terraform), read with a real HCL parser (@cdktn/hcl2json, the
 * maintained fork of @cdktf/hcl2json: no terraform binary here) and checked against the code:
 * variables declared ⇔ used, the config keys the function reads, the alarms `npm run alarms`
 * defines, IAM naming only what the module creates or takes, and the gateway ⇔ authorizer contract.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { getReferencesInExpression, parse } from '@cdktn/hcl2json';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../src/config.js';
import { AuthorizerConfigSchema } from '../../src/authorizer/config.js';
import { TelemetryConfigFragment } from '../../telemetry/config.js';
import { alarmQueryProblems } from '../../telemetry/mql.js';

const DIR = new URL('../../deploy/terraform/', import.meta.url);
const ROOT = new URL('../../', import.meta.url);
type Block = Record<string, unknown>;
type Module = Record<string, Record<string, Block | Block[]>>;

let files: Record<string, Module>;
let all: Module;

beforeAll(async () => {
  files = {};
  for (const name of readdirSync(DIR)
    .filter((f) => f.endsWith('.tf'))
    .sort()) {
    files[name] = (await parse(name, readFileSync(new URL(name, DIR), 'utf8'))) as Module;
  }
  all = {};
  for (const parsed of Object.values(files)) {
    for (const [kind, entries] of Object.entries(parsed)) {
      if (kind === 'locals') {
        all.locals ??= {};
        const locals = all.locals as Record<string, unknown>;
        for (const block of entries as unknown as Block[]) Object.assign(locals, block);
      } else if (kind === 'resource' || kind === 'data') {
        all[kind] ??= {};
        const byType = all[kind] as Record<string, Record<string, Block[]>>;
        for (const [type, named] of Object.entries(entries)) {
          byType[type] ??= {};
          Object.assign(byType[type], named);
        }
      } else {
        all[kind] ??= {};
        Object.assign(all[kind], entries);
      }
    }
  }
});

const first = <T = Block>(value: unknown): T => (Array.isArray(value) ? value[0] : value) as T;
const resource = (type: string, name: string): Block =>
  first((all.resource as Record<string, Record<string, Block[]>>)[type]?.[name]);
const local = (name: string): string => (all.locals as unknown as Record<string, string>)[name] as string;
const declaredVariables = (): string[] => Object.keys(all.variable ?? {}).sort();

/** Every string in a parsed tree, with the path to it (validation blocks left out: they use their own variable). */
function strings(
  node: unknown,
  path = '',
  out: { path: string; value: string }[] = [],
): { path: string; value: string }[] {
  if (typeof node === 'string') out.push({ path, value: node });
  else if (Array.isArray(node)) for (const [i, n] of node.entries()) strings(n, `${path}[${i}]`, out);
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) if (k !== 'validation') strings(v, `${path}.${k}`, out);
  }
  return out;
}

async function references(value: string): Promise<string[]> {
  if (!value.includes('${')) return [];
  return (await getReferencesInExpression('expr.tf', value)).map((r) => r.value);
}

/** `name = …` keys of the map literals in a local's expression (one level, as the module writes them), or of a plain map. */
function mapKeys(expression: string | Record<string, unknown>): string[] {
  if (typeof expression !== 'string') return Object.keys(expression);
  const keys = [
    ...expression.matchAll(/^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=(?!=)/gm),
    ...expression.matchAll(/\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*=(?!=)/g),
  ].map((m) => m[1] as string);
  return [...new Set(keys)];
}

describe('terraform: files and variables', () => {
  it('parses every .tf file', () => {
    // Other files may join (each with its own test); these are the module's core.
    expect(Object.keys(files)).toEqual(
      expect.arrayContaining([
        'alarms.tf',
        'functions.tf',
        'gateway.tf',
        'iam.tf',
        'journal.tf',
        'logging.tf',
        'main.tf',
        'network.tf',
        'outputs.tf',
        'variables.tf',
        'versions.tf',
      ]),
    );
    for (const [name, parsed] of Object.entries(files)) expect(Object.keys(parsed).length, name).toBeGreaterThan(0);
  });

  it('pins Terraform and the OCI provider', () => {
    const terraform = first<Block>(first<Block>(files['versions.tf']?.terraform));
    expect(terraform.required_version).toMatch(/^>= 1\.\d+\.\d+$/);
    const providers = first<Record<string, { source: string; version: string }>>(terraform.required_providers);
    expect(providers.oci?.source).toBe('oracle/oci');
    expect(providers.oci?.version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('uses every declared variable and declares every used one', async () => {
    const used = new Set<string>();
    const { variable: _declarations, ...rest } = all;
    for (const { value } of strings(rest))
      for (const ref of await references(value)) if (ref.startsWith('var.')) used.add(ref.split('.')[1] as string);
    // A variable's default or description never counts as a use; validation blocks were skipped.
    expect([...used].sort()).toEqual(declaredVariables());
  });

  it('describes, types and (where the value has a shape) validates every variable', () => {
    const unvalidated = ['create_network', 'enable_authorizer', 'freeform_tags'];
    for (const [name, decl] of Object.entries(all.variable ?? {})) {
      const v = first<Block>(decl);
      expect(v.description, name).toEqual(expect.any(String));
      expect(String(v.description).length, name).toBeGreaterThan(15);
      expect(v.type, name).toEqual(expect.any(String));
      if (!unvalidated.includes(name)) expect(v.validation, `${name} has no validation`).toBeDefined();
    }
  });

  it('takes secrets only as Vault secret OCIDs: no secret value can reach the state', () => {
    for (const name of declaredVariables()) {
      if (/secret|password|private_key|data_key/.test(name)) expect(name, name).toMatch(/_secret_ocid$/);
    }
    expect(Object.keys((all.resource ?? {}) as Block)).not.toContain('oci_vault_secret');
    expect(Object.keys((all.data ?? {}) as Block)).not.toContain('oci_vault_secret_bundle');
    // The escape hatch for more config keys refuses the plain secret keys.
    const hatch = first<Block>(all.variable?.function_config);
    const rule = String(first<Block>(hatch.validation).condition);
    for (const key of [
      'b2cservice_username',
      'b2cservice_password',
      'twilio_auth_token',
      'vonage_signature_secret',
      'webhook_hmac_secret',
      'oci_apm_data_key',
      'auth_token',
    ])
      expect(rule).toContain(`"${key}"`);
  });

  it('outputs the webhook URL, the function and the topic', () => {
    expect(Object.keys(all.output ?? {})).toEqual(
      expect.arrayContaining(['webhook_url', 'function_ocid', 'topic_ocid']),
    );
    expect(first<Block>(all.output?.webhook_url).value).toBe(
      'https://${local.public_host}${local.route_prefix}${local.route_path}',
    );
    expect([local('route_prefix'), local('route_path')]).toEqual(['/webhooks', '/sms-to-incident']);
  });
});

describe('terraform: function config', () => {
  const readByFunction = (): string[] => [...Object.keys(ConfigSchema.shape), ...Object.keys(TelemetryConfigFragment)];
  const setByModule = (): string[] =>
    [...mapKeys(local('function_config')), ...mapKeys(local('function_secret_ocids'))].filter((k) => k !== 'for');
  /** Keys docs/deploy.md lists as left unset by the module (its "Config keys the module leaves to you" table). */
  const documentedOptional = (): string[] => {
    const doc = readFileSync(new URL('docs/deploy.md', ROOT), 'utf8');
    const section = doc.split(/^### Config keys the module leaves to you$/m)[1]?.split(/^#{2,3} /m)[0] ?? '';
    return [...section.matchAll(/^\| `([A-Za-z0-9_]+)` \|/gm)].map((m) => m[1] as string);
  };

  it('sets only keys the function reads (no typo goes unnoticed)', () => {
    const read = readByFunction();
    for (const key of setByModule()) expect(read, key).toContain(key);
  });

  it('sets every key the function reads, or docs/deploy.md says why not', () => {
    const set = new Set(setByModule());
    const documented = documentedOptional();
    expect(documented.length).toBeGreaterThan(0);
    for (const key of readByFunction())
      expect(set.has(key) || documented.includes(key), `${key}: set it in functions.tf or document it`).toBe(true);
    // A documented key is one the function reads and the module does not set.
    for (const key of documented) {
      expect(readByFunction(), key).toContain(key);
      expect(set.has(key), key).toBe(false);
    }
  });

  it('sets the secrets only by OCID, and the same OCIDs the webhook policy lets it read', () => {
    const secretKeys = mapKeys(local('function_secret_ocids'));
    expect(secretKeys.length).toBeGreaterThanOrEqual(6);
    for (const key of secretKeys) expect(key).toMatch(/_ocid$/);
    expect(local('webhook_secrets_condition')).toContain('values(local.function_secret_ocids)');
  });

  it('configures the authorizer with keys it reads', () => {
    const keys = mapKeys(local('authorizer_config'));
    const read = Object.keys(AuthorizerConfigSchema.shape);
    expect(keys.sort()).toEqual(['auth_cache_seconds', 'auth_token_ocid', 'log_level', 'oci_secret_ttl_seconds']);
    for (const key of keys) expect(read).toContain(key);
  });
});

describe('terraform: alarms are the ones `npm run alarms` defines', () => {
  type Alarm = Record<string, string>;
  type AlarmFile = { placeholders: Record<string, string>; options: string; alarms: Alarm[] };
  const file = () => JSON.parse(readFileSync(new URL('alarms.json', DIR), 'utf8')) as AlarmFile;
  const cli = (values: Record<string, string>): Alarm[] =>
    JSON.parse(
      execFileSync(
        process.execPath,
        [
          'dist/alarms.js',
          'print',
          '--json',
          ...Object.entries(values).flatMap(([f, v]) => [`--${f}`, v]),
          ...file().options.split(' '),
        ],
        { cwd: ROOT, encoding: 'utf8' },
      ),
    ) as Alarm[];

  it('alarms.json is what the generator writes now (no drift: run `npm run alarms:terraform`)', () => {
    expect(() =>
      execFileSync(process.execPath, ['scripts/terraform-alarms.mjs', '--check'], { cwd: ROOT, stdio: 'pipe' }),
    ).not.toThrow();
  });

  it("the module's substitution gives exactly the CLI's alarms for this deployment's values", () => {
    const { placeholders, alarms } = file();
    // Sample values per CLI flag, as the module would fill them in.
    const values: Record<string, string> = {
      'function-name': 'acme-sms-prod',
      namespace: 'acme_sms',
      journal: 'oci-os://ns1/acme-runs/runs',
      'log-scope': 'ocid1.compartment.oc1..c/ocid1.loggroup.oc1.iad.g/ocid1.log.oc1.iad.l',
      'function-id': 'ocid1.fnfunc.oc1.iad.f',
      'api-deployment-id': 'ocid1.apideployment.oc1.iad.d',
    };
    expect(Object.keys(placeholders).sort()).toEqual(Object.keys(values).sort());
    for (const a of alarms)
      for (const [k, v] of Object.entries(a)) expect(typeof v, `${a.displayName}.${k}`).toBe('string');
    const fill = (s: string) =>
      Object.entries(placeholders).reduce((acc, [flag, p]) => acc.replaceAll(p, values[flag] as string), s);
    expect(alarms.map((a) => Object.fromEntries(Object.entries(a).map(([k, v]) => [k, fill(v)])))).toEqual(cli(values));
    // The module maps each flag to the right value and replaces every placeholder in every field.
    const alarmValues = (all.locals as unknown as Record<string, Record<string, string>>).alarm_values as Record<
      string,
      string
    >;
    expect(alarmValues).toEqual({
      'function-name': '${local.service_name}',
      namespace: '${var.metric_namespace}',
      journal: '${local.function_config.run_journal}',
      'log-scope': '${var.compartment_ocid}/${oci_logging_log_group.this.id}/${oci_logging_log.function.id}',
      'function-id': '${oci_functions_function.webhook.id}',
      'api-deployment-id': '${oci_apigateway_deployment.webhook.id}',
    });
    for (const flag of Object.keys(values)) expect(local('alarms')).toContain(`local.p["${flag}"], local.v["${flag}"]`);
    const alarm = resource('oci_monitoring_alarm', 'this');
    expect(alarm).toMatchObject({
      for_each: '${local.alarms}',
      namespace: '${each.value.namespace}',
      display_name: '${each.value.displayName}',
      query: '${each.value.query}',
      body: '${each.value.body}',
      severity: '${each.value.severity}',
      pending_duration: '${each.value.pendingDuration}',
    });
  });

  it('queries only metrics and dimensions the function emits, in the namespace and under the name it posts with', () => {
    const { alarms } = file();
    expect(alarms.length).toBeGreaterThanOrEqual(2);
    // Our own metrics must be ones the function emits (platform namespaces such as oci_faas are the platform's).
    const own = alarms.filter((a) => a.namespace === file().placeholders.namespace);
    expect(own.length).toBeGreaterThanOrEqual(2);
    for (const a of own) expect(alarmQueryProblems(a.query ?? ''), a.query).toEqual([]);
    const alarm = resource('oci_monitoring_alarm', 'this');
    expect(alarm.destinations).toEqual(['${oci_ons_notification_topic.alarms.id}']);
    const config = local('function_config');
    expect(config).toMatch(/oci_monitoring_namespace\s*=\s*var\.metric_namespace/);
    expect(config).toMatch(/OTEL_SERVICE_NAME\s*=\s*local\.service_name/);
    expect(config).toMatch(/oci_monitoring_compartment_id\s*=\s*var\.compartment_ocid/);
    expect(alarm.metric_compartment_id).toBe('${var.compartment_ocid}');
  });
});

describe('terraform: IAM', () => {
  /** Each policy's statements: an expression string, or a list of statement strings. */
  const statementsOf = (): string[] => [
    local('webhook_statements'),
    local('service_statements'),
    local('objectstorage_statements'),
    ...['webhook', 'authorizer', 'services', 'objectstorage_lifecycle'].flatMap((n) => {
      const statements = resource('oci_identity_policy', n).statements;
      return Array.isArray(statements) ? (statements as string[]) : [statements as string];
    }),
  ];

  /** What a reference names, with locals followed to what they are made of. */
  async function roots(ref: string, seen = new Set<string>()): Promise<string[]> {
    if (!ref.startsWith('local.')) return [ref];
    const name = ref.split('.')[1] as string;
    if (seen.has(name)) return [];
    seen.add(name);
    const expression = local(name);
    expect(expression, `local.${name} is declared`).toBeDefined();
    const inner = await references(typeof expression === 'string' ? expression : JSON.stringify(expression));
    return (await Promise.all(inner.map((r) => roots(r, seen)))).flat();
  }

  it('names only resources the module creates or takes as variables, never a literal OCID', async () => {
    const resources = all.resource as Record<string, Record<string, unknown>>;
    const data = all.data as Record<string, Record<string, unknown>>;
    for (const statements of statementsOf()) {
      expect(statements).not.toMatch(/ocid1\./);
      for (const ref of await references(statements)) {
        for (const root of await roots(ref)) {
          const [head, second, third] = root.replace(/\[[^\]]*\]/g, '').split('.');
          if (head === 'var') expect(declaredVariables(), root).toContain(second);
          else if (head === 'data') expect(data[second as string]?.[third as string], root).toBeDefined();
          else
            expect(resources[head as string]?.[second as string], `${root} is a resource of the module`).toBeDefined();
        }
      }
    }
  });

  it('grants the webhook exactly: its secrets, its metric namespace, its log group, its bucket', () => {
    const s = local('webhook_statements');
    expect(s).toContain(
      'to read secret-bundles in compartment id ${local.vault_compartment_id} where ANY {${local.webhook_secrets_condition}}',
    );
    expect(s).toContain(
      "to use metrics in compartment id ${var.compartment_ocid} where target.metrics.namespace = '${var.metric_namespace}'",
    );
    expect(s).toContain(
      "to use log-content in compartment id ${var.compartment_ocid} where target.loggroup.id = '${oci_logging_log_group.this.id}'",
    );
    expect(s).toContain(
      "to manage objects in compartment id ${var.compartment_ocid} where ALL {target.bucket.name = '${oci_objectstorage_bucket.journal.name}', request.permission = '${p}'}",
    );
  });

  it('every statement is conditioned or names a service, and none grants broad verbs', () => {
    const verbs = /(?:to|ALLOW)\s+(read|use|manage|inspect)\s+([a-z-]+)/gi;
    const allowed = new Set([
      'read secret-bundles',
      'use metrics',
      'use log-content',
      'manage objects',
      'use keys',
      'use functions-family',
      'manage object-family',
      'read repos',
      'use virtual-network-family',
      'use apm-domains',
    ]);
    for (const statements of statementsOf()) {
      for (const m of statements.matchAll(verbs))
        expect(allowed, `${m[1]} ${m[2]}`).toContain(`${m[1]} ${m[2]}`.toLowerCase());
      for (const line of statements.split(/",\s*"|\n/).filter((l) => /Allow dynamic-group/.test(l)))
        expect(line, line).toMatch(/ where /);
      expect(statements).not.toMatch(/all-resources/);
    }
  });

  it('matches each dynamic group to one function by its OCID', () => {
    expect(resource('oci_identity_dynamic_group', 'webhook').matching_rule).toBe(
      "ALL {resource.type = 'fnfunc', resource.id = '${oci_functions_function.webhook.id}'}",
    );
    expect(resource('oci_identity_dynamic_group', 'authorizer').matching_rule).toBe(
      "ALL {resource.type = 'fnfunc', resource.id = '${oci_functions_function.authorizer[0].id}'}",
    );
  });
});

describe('terraform: gateway, functions, journal, logs', () => {
  it('routes POST /webhooks/sms-to-incident to the function, rate-limited per client IP', () => {
    const deployment = resource('oci_apigateway_deployment', 'webhook');
    expect(deployment.path_prefix).toBe('${local.route_prefix}');
    const spec = first<Block>(deployment.specification);
    const route = first<Block>(spec.routes);
    expect(route.path).toBe('${local.route_path}');
    expect(route.methods).toEqual(['POST']);
    expect(first<Block>(route.backend)).toEqual({
      type: 'ORACLE_FUNCTIONS_BACKEND',
      function_id: '${oci_functions_function.webhook.id}',
    });
    const policies = first<Block>(spec.request_policies);
    expect(first<Block>(policies.rate_limiting)).toEqual({
      rate_in_requests_per_second: '${var.rate_limit_per_second}',
      rate_key: 'CLIENT_IP',
    });
    expect(first<Block>(first<Block>(spec.logging_policies).execution_log)).toEqual({
      log_level: '${var.gateway_log_level}',
    });
  });

  it('sends the authorizer the arguments it reads, cached by them', () => {
    const spec = first<Block>(resource('oci_apigateway_deployment', 'webhook').specification);
    const auth = first<Block>(first<Block>(first<Block>(spec.request_policies).dynamic).authentication);
    const content = first<Block>(auth.content);
    expect(content.type).toBe('CUSTOM_AUTHENTICATION');
    expect(content.function_id).toBe('${oci_functions_function.authorizer[0].id}');
    expect(content.parameters).toBe('${local.authorizer_parameters}');
    expect(content.cache_key).toBe('${keys(local.authorizer_parameters)}');
    expect(content.is_anonymous_access_allowed).toBe(false);
    // The names are the `data` fields src/authorizer/request.ts reads: the token only (no address).
    const names = mapKeys(local('authorizer_parameters'));
    expect(names.sort()).toEqual(['token']);
    const request = readFileSync(new URL('src/authorizer/request.ts', ROOT), 'utf8');
    for (const n of names) expect(request).toMatch(new RegExp(`${n}: argument\\.optional\\(\\)`));
    const token = (local('authorizer_parameters') as unknown as Record<string, string>).token;
    expect(token).toBe(
      '${local.query_token ? "request.query[${var.auth_token_query_param}]" : "request.headers[${var.auth_token_header}]"}',
    );
  });

  it('runs the function with the image, memory, timeout and optional provisioned concurrency given', () => {
    const fn = resource('oci_functions_function', 'webhook');
    expect(fn).toMatchObject({
      image: '${var.function_image}',
      memory_in_mbs: '${var.function_memory_mb}',
      timeout_in_seconds: '${var.function_timeout_seconds}',
      config: '${local.function_config}',
    });
    const pc = first<Block>(first<Block>(fn.dynamic).provisioned_concurrency_config);
    expect(first<Block>(pc.content)).toEqual({ strategy: 'CONSTANT', count: '${var.provisioned_concurrency}' });
    const app = resource('oci_functions_application', 'this');
    expect(first<Block>(first<Block>(first<Block>(app.dynamic).trace_config).content)).toEqual({
      domain_id: '${var.apm_domain_ocid}',
      is_enabled: true,
    });
  });

  it('keeps the journal private, unversioned, expiring after the retention days', () => {
    expect(resource('oci_objectstorage_bucket', 'journal')).toMatchObject({
      access_type: 'NoPublicAccess',
      versioning: 'Disabled',
    });
    const rule = first<Block>(resource('oci_objectstorage_object_lifecycle_policy', 'journal').rules);
    expect(rule).toMatchObject({
      action: 'DELETE',
      is_enabled: true,
      target: 'objects',
      time_amount: '${var.journal_retention_days}',
      time_unit: 'DAYS',
    });
    expect(local('function_config')).toContain(
      'run_journal                   = "oci-os://${data.oci_objectstorage_namespace.this.namespace}/${local.journal_bucket}/runs"',
    );
  });

  it('creates the custom log the function writes and the invoke and gateway service logs', () => {
    expect(resource('oci_logging_log', 'function')).toMatchObject({
      log_type: 'CUSTOM',
      log_group_id: '${oci_logging_log_group.this.id}',
    });
    expect(local('function_config')).toMatch(/oci_log_id\s*=\s*oci_logging_log\.function\.id/);
    const service = resource('oci_logging_log', 'service');
    expect(service.for_each).toBe('${local.service_logs}');
    expect(service.log_type).toBe('SERVICE');
    expect(first<Block>(first<Block>(service.configuration).source)).toEqual({
      category: '${each.value.category}',
      resource: '${each.value.resource}',
      service: '${each.value.service}',
      source_type: 'OCISERVICE',
    });
    const logs = local('service_logs').replace(/\s+/g, ' ');
    expect(logs).toContain(
      'invoke = { service = "functions", category = "invoke", resource = oci_functions_application.this.id }',
    );
    expect(logs).toContain(
      'gateway-execution = { service = "apigateway", category = "execution", resource = oci_apigateway_deployment.webhook.id }',
    );
    // The access log records request lines: left out when the token rides in the query string.
    expect(logs).toContain(
      'local.query_token ? {} : { gateway-access = { service = "apigateway", category = "access", resource = oci_apigateway_deployment.webhook.id } }',
    );
  });
});
