/**
 * Whether this process runs on OCI Functions, from the variables the platform sets in every
 * container (shared/notes/fn-fdk.md, oci-sdk.md): the resource principal, and `FN_FN_ID` /
 * `FN_APP_ID` holding regional OCIDs (`ocid1.fnfunc.oc1.iad.…`). The local Fn agent sets
 * region-less stand-ins (`ocid1.fnfunc.oc1..local`) and no resource principal.
 */

/** A regional OCI OCID of a function or an application: realm and region both present. */
const REGIONAL_FN_OCID = /^ocid1\.fn(?:func|app)\.[a-z0-9]+\.[a-z0-9-]+\.[a-z0-9]/i;

/** The variable that shows this is OCI Functions, or undefined elsewhere (tests, the local stack, a CLI). */
export function ociFunctionsEvidence(env: Record<string, string | undefined>): string | undefined {
  if (env.OCI_RESOURCE_PRINCIPAL_VERSION) return 'OCI_RESOURCE_PRINCIPAL_VERSION is set';
  for (const key of ['FN_FN_ID', 'FN_APP_ID'] as const) {
    if (REGIONAL_FN_OCID.test(env[key] ?? '')) return `${key} is an OCI Functions OCID`;
  }
  return undefined;
}
