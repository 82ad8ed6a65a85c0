/**
 * The runtime image holds /function/dist and /function/package.json only (no node_modules: the
 * build bundles every dependency). Laid out the same way in a temp directory with no
 * node_modules above it, the function answers a webhook through every lazily loaded part: the
 * Vault client, the Monitoring and Logging clients, the OTLP exporter and the file journal.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { startFunction, type FnProcess } from '../../src/local/index.js';
import { ociTestIdentity } from '../helpers/oci-keys.js';
import { startOciStandIns, type OciStandIns } from '../helpers/oci-stand-ins.js';
import { postWebhook, ROUTE } from '../helpers/stack.js';
import { imageEntry } from '../../bench/image-entry.js';

const root = new URL('../../', import.meta.url).pathname;
const image = join(mkdtempSync(join(tmpdir(), 'image-')), 'function');
const identity = ociTestIdentity();
let emulator: RunningEmulator;
let standIns: OciStandIns;
const fns: FnProcess[] = [];

beforeAll(async () => {
  cpSync(join(root, 'dist'), join(image, 'dist'), { recursive: true });
  cpSync(join(root, 'package.json'), join(image, 'package.json'));
  emulator = await startEmulator({ username: 'sms-api', password: 'from-vault' });
  standIns = await startOciStandIns({
    keys: new Map([[identity.keyId, identity.publicKeyPem]]),
    apmDataKey: 'apm-key',
  });
  standIns.secrets.set('ocid1.vaultsecret.oc1.iad.password', 'from-vault');
});
afterAll(async () => {
  await Promise.allSettled([...fns.map((f) => f.stop()), emulator.close(), standIns.close()]);
  rmSync(dirname(image), { recursive: true, force: true });
});

describe('the runtime image: dist/ and package.json, no node_modules', () => {
  it('has no node_modules to fall back on', () => {
    for (let dir = image; ; dir = dirname(dir)) {
      expect(existsSync(join(dir, 'node_modules')), dir).toBe(false);
      if (dirname(dir) === dir) break;
    }
  });

  it('answers a webhook with Vault, metrics, logs, traces and the file journal all in use', async () => {
    // Prepare
    // Started as the image's ENTRYPOINT starts it: its node options (the heap sizes), then the script.
    const { nodeArgs, script } = imageEntry('function');
    const fn = await startFunction({
      entry: join(image, script),
      nodeArgs,
      env: {
        ...identity.env,
        b2cservice_hostname: emulator.url,
        b2cservice_username: 'sms-api',
        b2cservice_password_ocid: 'ocid1.vaultsecret.oc1.iad.password',
        webhook_signature: 'off',
        oci_secrets_endpoint: standIns.url,
        oci_monitoring_endpoint: standIns.url,
        oci_logging_endpoint: standIns.url,
        oci_monitoring_compartment_id: 'ocid1.compartment.oc1..metrics',
        oci_log_id: 'ocid1.log.oc1.iad.amaaaaaalog',
        oci_apm_endpoint: standIns.url,
        oci_apm_data_key: 'apm-key',
        run_journal: `file:${join(dirname(image), 'runs')}`,
      },
    });
    fns.push(fn);

    // Act
    const guide = readFileSync(new URL('../fixtures/providers/twilio-message-resource.json', import.meta.url));
    const res = await postWebhook(fn, guide, { headers: { 'Content-Type': 'application/json' }, url: ROUTE });

    // Assess
    expect(res.status, res.text).toBe(200);
    expect(emulator.state().incidents).toHaveLength(1);
    expect(standIns.secretReads).toContain('ocid1.vaultsecret.oc1.iad.password');
    expect(standIns.metricPosts.length).toBeGreaterThan(0);
    expect(standIns.logPosts.length).toBeGreaterThan(0);
    expect(standIns.traceExports.length).toBeGreaterThan(0);
    expect(standIns.refused).toEqual([]);
  });

  it('starts the authorizer entry too', async () => {
    const fn = await startFunction({ entry: join(image, 'dist', 'authorizer.js'), env: {} });
    fns.push(fn);
    expect(fn.pid).toBeDefined();
  });
});
