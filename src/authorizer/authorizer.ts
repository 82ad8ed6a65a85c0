/**
 * The gateway authorizer, one invocation: config → the presented token/address → decision →
 * HTTP 200 with `{active…}`. Bad input is a refusal, never a throw. It throws (the fdk answers 502,
 * the gateway 502, the caller retries) only when it cannot decide: bad config, Vault unreachable.
 */
import type { Context } from '@fnproject/fdk';
import { createLogger, type Logger } from '../log/logger.js';
import { loadAuthorizerConfig, type AuthorizerConfig } from './config.js';
import { answerFor, decide, refusal, type AuthorizerAnswer } from './decide.js';
import { readAuthorizerInput } from './request.js';
import type { Vault } from '../oci/vault.js';

export interface AuthorizerOptions {
  /** @default process.env */
  readonly env?: Record<string, string | undefined>;
  readonly writeLog?: (line: string) => void;
  readonly now?: () => number;
}

export class AuthorizerUnavailableError extends Error {
  override readonly name = 'AuthorizerUnavailableError';
}

export function createAuthorizer(
  options: AuthorizerOptions = {},
): (input: Buffer, ctx: Context) => Promise<AuthorizerAnswer> {
  const now = options.now ?? Date.now;
  // Per container: the Vault client and its secret cache (the OCI SDK is loaded only when a token OCID is set).
  let vault: Promise<Vault | undefined> | undefined;
  return async (input, ctx) => {
    const env = options.env ?? process.env;
    const loaded = loadAuthorizerConfig(env);
    const level = 'problems' in loaded ? 'info' : loaded.log_level;
    const log = createLogger(
      { level, write: options.writeLog, now },
      { component: 'authorizer', callId: ctx.callID ?? undefined },
    );
    if ('problems' in loaded) {
      log.error('authorizer configuration error', { problems: loaded.problems.join('; ') });
      throw new AuthorizerUnavailableError(`authorizer configuration error: ${loaded.problems.join('; ')}`);
    }
    const config = loaded;
    const presented = readAuthorizerInput(input);
    if ('problem' in presented) {
      log.warn('authorizer refused', { reason: presented.problem });
      return refusal(config.auth_realm);
    }
    const budgetMs = Math.max(200, Math.min(3_000, ((ctx.deadline?.getTime() ?? now() + 30_000) - now()) / 2));
    const token = await expectedToken(config, () => (vault ??= openVault(env, config)), budgetMs, log);
    const decision = decide(presented, token === undefined ? {} : { token });
    if (decision.admitted) log.info('authorizer admitted', { by: decision.by.join('+') });
    else log.warn('authorizer refused', { reason: decision.reason });
    return answerFor(decision, {
      principal: config.auth_principal,
      realm: config.auth_realm,
      cacheSeconds: config.auth_cache_seconds,
      now: now(),
    });
  };
}

/** The token to compare with: Vault's when `auth_token_ocid` is set (the plain one only as a logged fallback). */
async function expectedToken(
  config: AuthorizerConfig,
  vault: () => Promise<Vault | undefined>,
  budgetMs: number,
  log: Logger,
): Promise<string | undefined> {
  if (config.auth_token_ocid === undefined) return config.auth_token;
  try {
    const v = await vault();
    if (!v) throw new Error('no resource principal (OCI_RESOURCE_PRINCIPAL_VERSION unset)');
    return await v.secret(config.auth_token_ocid, budgetMs);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    if (config.auth_token !== undefined) {
      log.warn('Vault unavailable: using plain config values', { keys: 'auth_token', error: why });
      return config.auth_token;
    }
    log.error('authorizer cannot read its token from Vault', { error: why });
    throw new AuthorizerUnavailableError(`auth_token_ocid: ${why}`);
  }
}

async function openVault(
  env: Record<string, string | undefined>,
  config: AuthorizerConfig,
): Promise<Vault | undefined> {
  const [{ ociAuthProvider }, { SecretCache, vaultSecretSource }, { vaultOver }] = await Promise.all([
    import('../oci/auth.js'),
    import('../oci/secrets.js'),
    import('../oci/vault.js'),
  ]);
  const auth = ociAuthProvider(env, { allowConfigFile: false });
  if (!auth) return undefined;
  return vaultOver(
    new SecretCache(vaultSecretSource(auth, { endpoint: config.oci_secrets_endpoint }), {
      ttlMs: config.oci_secret_ttl_seconds * 1000,
    }),
  );
}
