/** The sweeper as deploy/terraform/sweeper.tf deploys it, for fdk tests: the webhook's config plus its role. */
import { startFunction, type FnProcess } from '../../src/local/index.js';
import type { TwoContainers } from './exactly-once-stack.js';
import type { OciStandIns } from './oci-stand-ins.js';
import { ENTRY, readAnswer } from './stack.js';

/** Same image and config as the webhook, plus its role; metrics to the Monitoring stand-in. */
export function startSweeper(
  stack: TwoContainers,
  standIns: OciStandIns,
  identityEnv: Record<string, string>,
  env: Record<string, string> = {},
): Promise<FnProcess> {
  return startFunction({
    entry: ENTRY,
    timeoutMs: 60_000,
    env: {
      ...stack.env,
      ...identityEnv,
      function_role: 'sweeper',
      sweep_backoff_initial_ms: '0',
      oci_monitoring_endpoint: standIns.url,
      oci_monitoring_compartment_id: 'ocid1.compartment.oc1..metrics',
      OTEL_SERVICE_NAME: 'sms-incident',
      ...env,
    },
  });
}

/** As the resource schedule invokes a function: directly, not through the gateway, no body. */
export async function sweepOnce(fn: FnProcess) {
  return readAnswer(await fn.invoke({ intent: 'invoke', method: 'POST', url: '/', body: '' }));
}
