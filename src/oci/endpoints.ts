/**
 * Service endpoints: an explicit override (tests, special regions) or the region's default.
 * The metric *ingestion* host differs from the SDK's default `telemetry.` host.
 */
import * as common from 'oci-common';

export const OciService = {
  secrets: 'https://secrets.vaults.{region}.oci.{secondLevelDomain}',
  monitoringIngestion: 'https://telemetry-ingestion.{region}.{secondLevelDomain}',
  monitoring: 'https://telemetry.{region}.{secondLevelDomain}',
  logging: 'https://ingestion.logging.{region}.oci.{secondLevelDomain}',
} as const;

/**
 * The endpoint to set on a client (its setter appends the API version), or undefined to keep the
 * client's own default (which it derives from the auth provider's region).
 */
export function ociEndpoint(
  template: string,
  override: string | undefined,
  auth: common.AuthenticationDetailsProvider,
): string | undefined {
  if (override) return override;
  if (!common.isRegionProvider(auth)) return undefined;
  const region = auth.getRegion();
  return region ? common.EndpointBuilder.createEndpointFromRegion(template, region, '') : undefined;
}
