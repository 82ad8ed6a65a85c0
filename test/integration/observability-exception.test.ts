/**
 * The exception exit path, in process: something throws inside the handler (here the gateway
 * context itself), the answer is a 500, and the invocation's logs still reach OCI Logging
 * before the handler returns.
 */
import { readFileSync } from 'node:fs';
import type { Context } from '@fnproject/fdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandler } from '../../src/function/handler.js';
import { ociTestIdentity } from '../helpers/oci-keys.js';
import { startOciStandIns, type OciStandIns } from '../helpers/oci-stand-ins.js';

const identity = ociTestIdentity();
let standIns: OciStandIns;
beforeAll(async () => {
  standIns = await startOciStandIns({ keys: new Map([[identity.keyId, identity.publicKeyPem]]) });
});
afterAll(() => standIns.close());

function brokenContext(): Context & { status?: unknown } {
  const ctx = {
    callID: 'call-exception',
    deadline: new Date(Date.now() + 10_000),
    contentType: 'application/json',
    responseContentType: null as string | null,
    status: undefined as unknown,
    httpGateway: {
      requestURL: '/webhooks/sms-to-incident',
      method: 'POST',
      headers: {},
      getHeader: (): string | null => {
        throw new Error('gateway context broken');
      },
      set statusCode(v: unknown) {
        ctx.status = v;
      },
      setResponseHeader: () => undefined,
      addResponseHeader: () => undefined,
    },
  };
  return ctx as unknown as Context & { status?: unknown };
}

describe('the exception exit path', () => {
  it('answers 500 and still flushes the invocation’s telemetry before returning', async () => {
    // Prepare
    const lines: string[] = [];
    const handler = createHandler({
      env: {
        ...identity.env,
        b2cservice_hostname: 'http://127.0.0.1:9',
        b2cservice_username: 'u',
        b2cservice_password: 'p',
        webhook_signature: 'off',
        oci_monitoring_compartment_id: 'ocid1.compartment.oc1..metrics',
        oci_monitoring_endpoint: standIns.url,
        oci_log_id: 'ocid1.log.oc1.iad.amaaaaaalog',
        oci_logging_endpoint: standIns.url,
        // A resource principal means OCI Functions: the journal must be chosen (else a config error comes first).
        run_journal: 'memory',
      },
      writeLog: (l) => lines.push(l),
    });
    const ctx = brokenContext();

    // Act
    await handler(readFileSync(new URL('../fixtures/providers/twilio-message-resource.json', import.meta.url)), ctx);

    // Assess
    expect(ctx.status).toBe(500);
    expect(lines.some((l) => l.includes('"message":"unexpected error"'))).toBe(true);
    const shipped = standIns.logPosts.flatMap((p) =>
      p.body.logEntryBatches.flatMap((b) =>
        b.entries.map((e) => JSON.parse(e.data) as { message: string; fnCallId?: string }),
      ),
    );
    expect(shipped.find((e) => e.message === 'unexpected error')).toMatchObject({ fnCallId: 'call-exception' });
    expect(standIns.refused).toEqual([]);
  });
});
