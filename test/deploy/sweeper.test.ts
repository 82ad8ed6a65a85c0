/**
 * deploy/terraform/sweeper.tf, read with the HCL parser: the sweeper is the webhook's image and
 * config plus its role, invoked only by its resource schedule, never reachable through the gateway;
 * its IAM names only what it touches.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { parse } from '@cdktn/hcl2json';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../src/config.js';

const DIR = new URL('../../deploy/terraform/', import.meta.url);
type Block = Record<string, unknown>;
type Module = Record<string, Record<string, Block[]>>;
let files: Record<string, Module>;

beforeAll(async () => {
  files = {};
  for (const name of readdirSync(DIR).filter((f) => f.endsWith('.tf')))
    files[name] = (await parse(name, readFileSync(new URL(name, DIR), 'utf8'))) as Module;
});

const first = (v: unknown): Block => (Array.isArray(v) ? v[0] : v) as Block;
const resource = (file: string, type: string, name: string): Block =>
  first((files[file]?.resource as unknown as Record<string, Record<string, Block[]>>)?.[type]?.[name]);
const locals = (file: string): Block => Object.assign({}, ...((files[file]?.locals ?? []) as unknown as Block[]));

describe('terraform: the sweeper (sweeper.tf)', () => {
  it('is the webhook image with the webhook config plus function_role = sweeper, a key the function reads', () => {
    const fn = resource('sweeper.tf', 'oci_functions_function', 'sweeper');
    const webhook = resource('functions.tf', 'oci_functions_function', 'webhook');
    for (const k of ['application_id', 'image', 'image_digest', 'memory_in_mbs']) expect(fn[k], k).toBe(webhook[k]);
    expect(fn.config).toBe('${local.sweeper_config}');
    expect(locals('sweeper.tf').sweeper_config).toBe('${merge(local.function_config, { function_role = "sweeper" })}');
    expect(ConfigSchema.shape.function_role.parse('sweeper')).toBe('sweeper');
    // the webhook's config can never carry a role: the sweeper refuses to deploy if function_config sets one
    expect(JSON.stringify(fn.lifecycle)).toContain('!contains(keys(var.function_config), \\"function_role\\")');
  });

  it('is invoked by a Resource Scheduler schedule only: START_RESOURCE on the sweeper, a cron expression', () => {
    const schedule = resource('sweeper.tf', 'oci_resource_scheduler_schedule', 'sweep');
    expect(schedule).toMatchObject({
      action: 'START_RESOURCE',
      recurrence_type: 'CRON',
      recurrence_details: '${var.sweep_schedule}',
      compartment_id: '${var.compartment_ocid}',
    });
    expect(first(schedule.resources).id).toBe('${oci_functions_function.sweeper[0].id}');
    const variable = first(
      ((files['sweeper.tf']?.variable ?? {}) as unknown as Record<string, Block[]>).sweep_schedule,
    );
    expect(variable.default).toBe('*/5 * * * *');
  });

  it('is not routed by the gateway: every route goes to the webhook function', () => {
    const spec = first(resource('gateway.tf', 'oci_apigateway_deployment', 'webhook').specification);
    const routes = spec.routes as Block[];
    expect(routes.length).toBeGreaterThan(0);
    for (const route of routes) expect(first(route.backend).function_id).toBe('${oci_functions_function.webhook.id}');
    const everything = JSON.stringify(Object.fromEntries(Object.entries(files).filter(([n]) => n !== 'sweeper.tf')));
    expect(everything).not.toContain('oci_functions_function.sweeper');
  });

  it('grants the sweeper what the webhook has, and lets only its own schedule invoke functions', () => {
    expect(resource('sweeper.tf', 'oci_identity_dynamic_group', 'sweeper').matching_rule).toBe(
      "ALL {resource.type = 'fnfunc', resource.id = '${oci_functions_function.sweeper[0].id}'}",
    );
    const statements = String(locals('sweeper.tf').sweeper_statements);
    expect(statements).toContain(
      'to read secret-bundles in compartment id ${local.vault_compartment_id} where ANY {${local.webhook_secrets_condition}}',
    );
    expect(statements).toContain(
      "to use metrics in compartment id ${var.compartment_ocid} where target.metrics.namespace = '${var.metric_namespace}'",
    );
    expect(statements).toContain(
      "to use log-content in compartment id ${var.compartment_ocid} where target.loggroup.id = '${oci_logging_log_group.this.id}'",
    );
    expect(statements).toContain(
      "[for p in local.journal_permissions : \"Allow dynamic-group ${oci_identity_dynamic_group.sweeper[0].name} to manage objects in compartment id ${var.compartment_ocid} where ALL {target.bucket.name = '${oci_objectstorage_bucket.journal.name}', request.permission = '${p}'}\"]",
    );
    // Issue 19 item 6 holds for the sweeper too: every objects grant names its permission.
    for (const m of statements.matchAll(/manage objects[^"]*/g)) expect(m[0]).toContain('request.permission');
    expect(statements).toContain(
      "Allow any-user to use functions-family in compartment id ${var.compartment_ocid} where ALL {request.principal.type = 'resourceschedule', request.principal.id = '${oci_resource_scheduler_schedule.sweep[0].id}'}",
    );
    expect(statements).not.toMatch(/ocid1\.|all-resources|manage functions-family/);
    expect(resource('sweeper.tf', 'oci_identity_policy', 'sweeper').statements).toBe('${local.sweeper_statements}');
  });
});
