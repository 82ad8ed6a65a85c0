/**
 * Issue 19, the deploy path as an OCI architect reviews it, checked on the module read with the
 * real HCL parser (@cdktn/hcl2json): who may call (network, not a header; plan refuses a route
 * nothing authenticates), the order IAM must take effect in (a dependency graph of references and
 * depends_on), the statements' exact text, and the variables' validation regexes run against valid
 * and invalid values. Why each is so: docs/deploy.md.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { getReferencesInExpression, parse } from '@cdktn/hcl2json';
import { beforeAll, describe, expect, it } from 'vitest';

const DIR = new URL('../../deploy/terraform/', import.meta.url);
const ROOT = new URL('../../', import.meta.url);
type Block = Record<string, unknown>;

const resources: Record<string, Block> = {};
const data: Record<string, Block> = {};
const locals: Record<string, unknown> = {};
const variables: Record<string, Block> = {};
let sources = '';

beforeAll(async () => {
  for (const name of readdirSync(DIR).filter((f) => f.endsWith('.tf'))) {
    const text = readFileSync(new URL(name, DIR), 'utf8');
    sources += text;
    const parsed = (await parse(name, text)) as Record<string, unknown>;
    for (const [kind, entries] of Object.entries(parsed)) {
      if (kind === 'locals') for (const block of entries as Block[]) Object.assign(locals, block);
      if (kind === 'variable')
        for (const [n, decl] of Object.entries(entries as Record<string, Block[]>)) variables[n] = decl[0] as Block;
      if (kind === 'resource' || kind === 'data') {
        for (const [type, named] of Object.entries(entries as Record<string, Record<string, Block[]>>)) {
          for (const [n, blocks] of Object.entries(named))
            (kind === 'resource' ? resources : data)[`${kind === 'data' ? 'data.' : ''}${type}.${n}`] =
              blocks[0] as Block;
        }
      }
    }
  }
});

const first = <T = Block>(value: unknown): T => (Array.isArray(value) ? value[0] : value) as T;
const local = (name: string): string => {
  const value = locals[name];
  return typeof value === 'string' ? value : JSON.stringify(value);
};

/** Every string in a parsed block. */
function strings(node: unknown, out: string[] = []): string[] {
  if (typeof node === 'string') out.push(node);
  else if (Array.isArray(node)) for (const n of node) strings(n, out);
  else if (node && typeof node === 'object') for (const v of Object.values(node)) strings(v, out);
  return out;
}

/** The resources and data sources a block refers to (locals followed), its depends_on included. */
async function dependencies(block: Block, seen = new Set<string>()): Promise<Set<string>> {
  const out = new Set<string>();
  for (const value of strings(block)) {
    if (!value.includes('${')) continue;
    for (const { value: ref } of await getReferencesInExpression('expr.tf', value)) {
      const parts = ref.split('.');
      // Variables, iteration symbols and provider aliases (`provider = oci.home`) are no resources.
      if (['var', 'each', 'count', 'path', 'oci'].includes(parts[0] as string)) continue;
      if (parts[0] === 'local') {
        const name = parts[1] as string;
        if (seen.has(name)) continue;
        seen.add(name);
        for (const d of await dependencies({ v: locals[name] }, seen)) out.add(d);
      } else if (parts[0] === 'data') out.add(parts.slice(0, 3).join('.'));
      else out.add(parts.slice(0, 2).join('.'));
    }
  }
  return out;
}

/** Whether `from` waits for `to`, directly or through what it waits for. */
async function waitsFor(from: string, to: string): Promise<boolean> {
  const queue = [from];
  const seen = new Set(queue);
  while (queue.length > 0) {
    const node = queue.shift() as string;
    const block = resources[node] ?? data[node];
    expect(block, `${node} exists`).toBeDefined();
    for (const dep of await dependencies(block as Block)) {
      if (dep === to) return true;
      if (!seen.has(dep)) {
        seen.add(dep);
        queue.push(dep);
      }
    }
  }
  return false;
}

/**
 * A boolean HCL condition of variables evaluated for `values` (the module's are `==`, `!=`, `&&`,
 * `||`, `!`, parentheses and `%`: the same in JavaScript).
 */
function holds(condition: string, values: Record<string, unknown>): boolean {
  const expression = condition.replace(/^\$\{|\}$/g, '').replace(/var\.([a-z0-9_]+)/g, (_, n: string) => {
    expect(n in values, `value for var.${n}`).toBe(true);
    return JSON.stringify(values[n]);
  });
  expect(expression.replace(/"[^"]*"/g, '""')).toMatch(/^[\s"A-Za-z0-9_.=!&|()%-]*$/);
  return Boolean(new Function(`return (${expression});`)());
}

/** The regex a variable's validation applies, unescaped from HCL source into a RegExp. */
function validationRegex(name: string): RegExp {
  const condition = String(first<Block>(variables[name]?.validation).condition);
  const match = /regex\("((?:[^"\\]|\\.)*)",\s*var\./.exec(condition);
  expect(match, `${name} validates with a regex`).not.toBeNull();
  return new RegExp((match?.[1] ?? '(?!)').replace(/\\(.)/g, '$1'));
}

describe('item 1: who may call is decided by the network and by credentials, never by a client header', () => {
  it('sends the authorizer no address, and takes no client-address header or CIDR list', () => {
    expect(Object.keys(locals.authorizer_parameters as Block)).toEqual(['token']);
    expect(variables).not.toHaveProperty('auth_allow_cidrs');
    expect(variables).not.toHaveProperty('auth_client_ip_header');
    expect(sources).not.toMatch(/X-Real-IP|X-Forwarded-For|request\.headers\[\$\{var\.auth_client/i);
    expect(local('authorizer_config')).not.toContain('auth_allow_cidrs');
  });

  it("admits 443 only from gateway_ingress_cidrs: the created subnet's security list, or an NSG on your own", () => {
    const list = first<Block>(
      first<Block>(resources['oci_core_security_list.gateway']?.dynamic).ingress_security_rules,
    );
    expect(list.for_each).toBe('${var.gateway_ingress_cidrs}');
    expect(first<Block>(list.content)).toEqual({
      protocol: '6',
      source: '${ingress_security_rules.value}',
      tcp_options: [{ min: 443, max: 443 }],
    });
    expect(resources['oci_core_subnet.gateway']?.security_list_ids).toEqual([
      '${oci_core_security_list.gateway[0].id}',
    ]);
    const rule = resources['oci_core_network_security_group_security_rule.gateway_ingress'] as Block;
    expect(rule).toMatchObject({
      for_each: '${var.create_network ? toset([]) : toset(var.gateway_ingress_cidrs)}',
      direction: 'INGRESS',
      protocol: '6',
      source: '${each.value}',
      source_type: 'CIDR_BLOCK',
    });
    expect(first<Block>(first<Block>(rule.tcp_options).destination_port_range)).toEqual({ min: 443, max: 443 });
    expect(resources['oci_apigateway_gateway.this']?.network_security_group_ids).toBe(
      '${var.create_network ? null : [oci_core_network_security_group.gateway[0].id]}',
    );
    expect(resources['oci_core_network_security_group.gateway']?.vcn_id).toBe(
      '${data.oci_core_subnet.existing_gateway[0].vcn_id}',
    );
  });

  it('refuses at plan time any route that neither signatures nor a secret token protect', () => {
    const conditions = first<Block>(resources['oci_apigateway_deployment.webhook']?.lifecycle).precondition as Block[];
    expect(conditions).toHaveLength(1);
    const condition = String(conditions[0]?.condition);
    const base = { webhook_signature: 'required', enable_authorizer: false, auth_token_secret_ocid: '' };
    expect(holds(condition, base)).toBe(true);
    expect(
      holds(condition, { ...base, enable_authorizer: true, auth_token_secret_ocid: 'ocid1.vaultsecret.oc1.iad.t' }),
    ).toBe(true);
    expect(
      holds(condition, {
        ...base,
        webhook_signature: 'off',
        enable_authorizer: true,
        auth_token_secret_ocid: 'ocid1.vaultsecret.oc1.iad.t',
      }),
    ).toBe(true);
    // Refused: signatures off with no authorizer, or with an authorizer that has no token.
    expect(holds(condition, { ...base, webhook_signature: 'off' })).toBe(false);
    expect(holds(condition, { ...base, webhook_signature: 'off', enable_authorizer: true })).toBe(false);
    expect(String(conditions[0]?.error_message)).toContain('Nothing would authenticate callers');
    // The authorizer itself needs its token (its only gate).
    const auth = first<Block>(resources['oci_functions_function.authorizer']?.lifecycle).precondition as Block[];
    const needsToken = String(auth[0]?.condition);
    expect(holds(needsToken, { authorizer_image: 'iad.ocir.io/ns/a:1', auth_token_secret_ocid: '' })).toBe(false);
    expect(
      holds(needsToken, {
        authorizer_image: 'iad.ocir.io/ns/a:1',
        auth_token_secret_ocid: 'ocid1.vaultsecret.oc1.iad.t',
      }),
    ).toBe(true);
  });
});

describe('item 8: the authorizer sized from its measured footprint, pinned, optionally kept warm', () => {
  it('runs with authorizer_memory_mb (256 by default: ~100-115 MB RSS measured), its digest and provisioned concurrency', () => {
    const fn = resources['oci_functions_function.authorizer'] as Block;
    expect(fn).toMatchObject({
      memory_in_mbs: '${var.authorizer_memory_mb}',
      image_digest: '${var.authorizer_image_digest != "" ? var.authorizer_image_digest : null}',
    });
    expect(variables.authorizer_memory_mb?.default).toBe(256);
    const pc = first<Block>(first<Block>(fn.dynamic).provisioned_concurrency_config);
    expect(first<Block>(pc.content)).toEqual({
      strategy: 'CONSTANT',
      count: '${var.authorizer_provisioned_concurrency}',
    });
    expect(local('authorizer_concurrency_unit')).toBe(
      '${var.authorizer_memory_mb == 128 ? 40 : (var.authorizer_memory_mb == 256 ? 20 : 10)}',
    );
    const doc = readFileSync(new URL('docs/performance.md', ROOT), 'utf8');
    expect(doc).toMatch(/^## The authorizer$/m);
  });
});

describe('item 2: a journal bucket with a Vault key', () => {
  it('grants Object Storage the key in a policy that does not wait for the bucket, named by the key, in the tenancy', async () => {
    const statements = local('objectstorage_statements');
    expect(statements).toContain(
      "Allow service objectstorage-${var.region} to use keys in tenancy where target.key.id = '${var.journal_kms_key_ocid}'",
    );
    expect(local('webhook_statements')).not.toContain('use keys');
    expect(resources['oci_identity_policy.objectstorage_lifecycle']?.statements).toBe(
      '${local.objectstorage_statements}',
    );
    expect(await waitsFor('oci_identity_policy.objectstorage_lifecycle', 'oci_objectstorage_bucket.journal')).toBe(
      false,
    );
  });

  it('creates the bucket only after the grant has propagated', async () => {
    expect(await waitsFor('oci_objectstorage_bucket.journal', 'time_sleep.iam_propagation')).toBe(true);
    expect(await waitsFor('time_sleep.iam_propagation', 'oci_identity_policy.objectstorage_lifecycle')).toBe(true);
    expect(await waitsFor('oci_objectstorage_bucket.journal', 'oci_identity_policy.objectstorage_lifecycle')).toBe(
      true,
    );
  });

  it('tells the deploying user to hold use key-delegate on the key', () => {
    const doc = readFileSync(new URL('docs/deploy.md', ROOT), 'utf8');
    expect(doc).toMatch(/to use key-delegate in compartment <key-compartment> where target\.key\.id = '<key-ocid>'/);
  });
});

describe("item 3: the Functions service's APM grant in the documented form", () => {
  it("names the APM domain's compartment, with no target.apm-domain.id (APM documents only general variables)", () => {
    expect(sources).not.toContain('target.apm-domain.id');
    expect(local('service_statements')).toContain(
      'local.tracing ? ["Allow service faas to use apm-domains in compartment id ${data.oci_apm_apm_domain.trace[0].compartment_id}"] : []',
    );
    expect(data['data.oci_apm_apm_domain.trace']).toEqual({
      count: '${local.tracing ? 1 : 0}',
      apm_domain_id: '${var.apm_domain_ocid}',
    });
  });
});

describe('item 5: the first apply does not race IAM propagation', () => {
  it('waits after the service policies, then creates the lifecycle rule, the bucket and the application', async () => {
    const sleep = resources['time_sleep.iam_propagation'] as Block;
    expect(local('iam_propagation_wait')).toMatch(/^\d+s$/);
    expect(sleep.create_duration).toBe('${local.iam_propagation_wait}');
    expect(sleep.depends_on).toEqual([
      '${oci_identity_policy.objectstorage_lifecycle}',
      '${oci_identity_policy.services}',
    ]);
    for (const waiter of [
      'oci_objectstorage_object_lifecycle_policy.journal',
      'oci_objectstorage_bucket.journal',
      'oci_functions_application.this',
    ]) {
      expect(await waitsFor(waiter, 'time_sleep.iam_propagation'), waiter).toBe(true);
    }
    // No cycle: what the wait waits for does not wait for what waits on it.
    for (const policy of ['oci_identity_policy.objectstorage_lifecycle', 'oci_identity_policy.services']) {
      expect(await waitsFor(policy, 'time_sleep.iam_propagation'), policy).toBe(false);
      expect(await waitsFor(policy, 'oci_functions_application.this'), policy).toBe(false);
    }
  });

  it('pins the hashicorp/time provider', () => {
    expect(sources).toMatch(/time = \{\s*source\s*= "hashicorp\/time"\s*version = "\d+\.\d+\.\d+"/);
  });
});

describe('item 6: the journal may create, overwrite, read and list its objects, nothing else', () => {
  it('grants exactly the four permissions, each on the journal bucket, and never a delete', () => {
    expect(locals.journal_permissions).toEqual(['OBJECT_CREATE', 'OBJECT_OVERWRITE', 'OBJECT_READ', 'OBJECT_INSPECT']);
    const statements = local('webhook_statements');
    expect(statements).toContain(
      "[for p in local.journal_permissions : \"Allow dynamic-group ${local.webhook_dg} to manage objects in compartment id ${var.compartment_ocid} where ALL {target.bucket.name = '${oci_objectstorage_bucket.journal.name}', request.permission = '${p}'}\"]",
    );
    // Every objects grant carries the permission condition.
    for (const m of statements.matchAll(/manage objects[^"]*/g)) expect(m[0]).toContain('request.permission');
    expect(sources).not.toMatch(/OBJECT_DELETE|OBJECT_VERSION_DELETE/);
  });
});

describe('item 9: validation accepts the valid and refuses the invalid', () => {
  it('region: the government and dedicated regions too', () => {
    const re = validationRegex('region');
    for (const ok of [
      'us-ashburn-1',
      'eu-frankfurt-1',
      'us-gov-ashburn-1',
      'uk-gov-london-1',
      'us-langley-1',
      'ap-dcc-canberra-1',
      'sa-saopaulo-1',
    ])
      expect(re.test(ok), ok).toBe(true);
    for (const bad of ['US-ASHBURN-1', 'us_ashburn_1', 'iad', 'us-ashburn', 'ashburn-1', 'us-ashburn-1 ', ''])
      expect(re.test(bad), bad).toBe(false);
  });

  it('images: <key>.ocir.io and the ocir./artifacts. endpoints of every realm', () => {
    for (const name of ['function_image', 'authorizer_image']) {
      const re = validationRegex(name);
      for (const ok of [
        'iad.ocir.io/axaxnpcrorw5/sms-incident:0.1.0',
        'fra.ocir.io/ns/team/sms-incident',
        'ocir.us-ashburn-1.oci.oraclecloud.com/ns/sms-incident:0.1.0',
        'artifacts.us-ashburn-1.oci.oraclecloud.com/ns/sms-incident:0.1.0',
        'ocir.us-langley-1.oci.oraclegovcloud.com/ns/sms-incident:1',
        'ocir.uk-gov-london-1.oci.oraclegovcloud.uk/ns/sms-incident:1',
      ])
        expect(re.test(ok), `${name}: ${ok}`).toBe(true);
      for (const bad of [
        'docker.io/library/node:22',
        'ghcr.io/acme/sms-incident:1',
        'iad.ocir.io/sms-incident',
        'iad.ocir.io',
        'iad.ocir.io/ns/sms-incident@sha256:abc',
        'https://iad.ocir.io/ns/r:1',
        'iad.ocir.io/ns/r:has space',
      ]) {
        expect(re.test(bad), `${name}: ${bad}`).toBe(false);
      }
    }
  });

  it('VCN: /16 to /20 (OCI refuses wider than /16; the two subnets need at least /20)', () => {
    const re = validationRegex('vcn_cidr');
    for (const ok of ['10.20.0.0/16', '172.16.0.0/20', '192.168.0.0/18']) expect(re.test(ok), ok).toBe(true);
    for (const bad of [
      '10.0.0.0/8',
      '10.0.0.0/12',
      '10.0.0.0/15',
      '10.0.0.0/21',
      '10.0.0.0/30',
      '10.20.0.0',
      '2001:db8::/16',
      '10.20.0.0/016',
    ])
      expect(re.test(bad), bad).toBe(false);
    // Octets out of range pass the regex and are refused by cidrsubnet() in the same condition.
    expect(String(first<Block>(variables.vcn_cidr?.validation).condition)).toContain(
      'can(cidrsubnet(var.vcn_cidr, 8, 1))',
    );
  });
});
