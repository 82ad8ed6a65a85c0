/**
 * A throwaway identity for OCI tests: a fresh RSA key, a fake (unsigned) resource-principal
 * token, and the four `OCI_RESOURCE_PRINCIPAL_*` variables as OCI Functions lays them out
 * (token and key as absolute file paths).
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface OciTestIdentity {
  readonly privateKeyPem: string;
  readonly publicKeyPem: string;
  /** The fake RPST (JWT shape, unsigned). */
  readonly rpst: string;
  /** `ST$<rpst>`: the keyId the SDK signs with. */
  readonly keyId: string;
  /** Resource-principal variables with file paths. */
  readonly env: Record<string, string>;
}

const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

export function ociTestIdentity(region = 'us-ashburn-1'): OciTestIdentity {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const claims = {
    res_tenant: 'ocid1.tenancy.oc1..test',
    res_compartment: 'ocid1.compartment.oc1..test',
    exp: Math.floor(Date.now() / 1000) + 3600,
    jti: randomUUID(),
  };
  const rpst = `${b64url({ alg: 'RS256', typ: 'JWT' })}.${b64url(claims)}.c2lnbmF0dXJl`;
  const dir = mkdtempSync(join(tmpdir(), 'oci-rp-'));
  writeFileSync(join(dir, 'rpst'), rpst, { mode: 0o600 });
  writeFileSync(join(dir, 'private.pem'), privateKeyPem, { mode: 0o600 });
  return {
    privateKeyPem,
    publicKeyPem,
    rpst,
    keyId: `ST$${rpst}`,
    env: {
      OCI_RESOURCE_PRINCIPAL_VERSION: '2.2',
      OCI_RESOURCE_PRINCIPAL_RPST: join(dir, 'rpst'),
      OCI_RESOURCE_PRINCIPAL_PRIVATE_PEM: join(dir, 'private.pem'),
      OCI_RESOURCE_PRINCIPAL_REGION: region,
    },
  };
}
