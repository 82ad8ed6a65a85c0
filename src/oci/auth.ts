/**
 * Who we are to OCI: the function's resource principal inside OCI Functions, the OCI CLI
 * config file for people running the CLIs, nothing otherwise (OCI features then stay off).
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import * as common from 'oci-common';

/** The four variables OCI Functions sets for a resource principal (RPST and PEM as file paths there). */
export const RESOURCE_PRINCIPAL_ENV = [
  'OCI_RESOURCE_PRINCIPAL_VERSION',
  'OCI_RESOURCE_PRINCIPAL_RPST',
  'OCI_RESOURCE_PRINCIPAL_PRIVATE_PEM',
  'OCI_RESOURCE_PRINCIPAL_REGION',
] as const;
const PASSPHRASE_ENV = 'OCI_RESOURCE_PRINCIPAL_PRIVATE_PEM_PASSPHRASE';

export type OciAuthProvider = common.AuthenticationDetailsProvider;

/** A resource principal or config file that is present but unusable: names what is wrong, never a key. */
export class OciAuthError extends Error {
  override readonly name = 'OciAuthError';
}

export interface OciAuthOptions {
  /** Config-file path when no resource principal is set. @default env.OCI_CONFIG_FILE ?? ~/.oci/config */
  readonly configFile?: string;
  /** Profile in that file. @default env.OCI_CLI_PROFILE ?? DEFAULT */
  readonly profile?: string;
  /** Try the config file at all (the function itself never does). @default true */
  readonly allowConfigFile?: boolean;
}

/**
 * The auth provider for OCI SDK clients:
 * - `OCI_RESOURCE_PRINCIPAL_VERSION` set → the resource principal from the `OCI_RESOURCE_PRINCIPAL_*`
 *   variables of `env` (paths are re-read by the SDK when the token expires);
 * - else the OCI config file profile (for CLIs), when the file exists;
 * - else `undefined`: the caller runs without OCI.
 * Throws {@link OciAuthError} when a resource principal or config file is there but broken.
 *
 * @example
 * ```ts
 * const auth = ociAuthProvider(process.env);
 * if (auth) client = new SecretsClient({ authenticationDetailsProvider: auth }, ociClientConfiguration());
 * ```
 */
export function ociAuthProvider(
  env: Record<string, string | undefined>,
  options: OciAuthOptions = {},
): OciAuthProvider | undefined {
  if (env.OCI_RESOURCE_PRINCIPAL_VERSION) return resourcePrincipal(env);
  if (options.allowConfigFile === false) return undefined;
  const file = options.configFile ?? env.OCI_CONFIG_FILE ?? join(homedir(), '.oci', 'config');
  if (!existsSync(file)) return undefined;
  try {
    return new common.ConfigFileAuthenticationDetailsProvider(
      file,
      options.profile ?? env.OCI_CLI_PROFILE ?? 'DEFAULT',
    );
  } catch (error) {
    throw new OciAuthError(
      `OCI config file ${file} is not usable: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

function resourcePrincipal(env: Record<string, string | undefined>): OciAuthProvider {
  const missing = RESOURCE_PRINCIPAL_ENV.filter((name) => !env[name]);
  if (missing.length > 0) throw new OciAuthError(`resource principal: ${missing.join(', ')} not set`);
  if (env.OCI_RESOURCE_PRINCIPAL_VERSION !== '2.2') {
    throw new OciAuthError(
      `resource principal: OCI_RESOURCE_PRINCIPAL_VERSION ${JSON.stringify(env.OCI_RESOURCE_PRINCIPAL_VERSION)} is not supported (2.2 is)`,
    );
  }
  // The SDK's builder reads process.env only; lend it the variables of `env` for the
  // (synchronous) build, then put process.env back as it was.
  const names = [...RESOURCE_PRINCIPAL_ENV, PASSPHRASE_ENV];
  const saved = names.map((name) => [name, process.env[name]] as const);
  try {
    for (const name of names) {
      const value = env[name];
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    return common.ResourcePrincipalAuthenticationDetailsProvider.builder();
  } catch (error) {
    throw new OciAuthError(`resource principal: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}
