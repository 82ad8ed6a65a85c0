import { z } from 'zod';
import { B2cConfigShape, sendsCredentialsInClear, type B2cConfig } from './b2c/config.js';
import { InboundConfigShape, type InboundConfig } from './inbound/config.js';
import { journalConfigShape, type JournalConfig } from './journal/config.js';
import { sweepConfigShape, type SweepConfig } from './journal/sweep-config.js';
import { OciConfigFragment, VAULT_SECRET_KEYS, type OciConfig } from './oci/config.js';
import { ociFunctionsEvidence } from './oci/platform.js';

/**
 * Where the function's configuration is read: Fn app and function config arrive as environment
 * variables, and this is where they are read. Each part declares its own section (keys, validation
 * and `@default`s): B2C Service, inbound, journal, OCI (Vault) and the sweeper here; telemetry's section is read
 * apart by `loadTelemetryConfig` (telemetry/config.ts), because a bad telemetry key never fails a webhook.
 * Keys are named as in Oracle's guide so its users can keep their app config.
 */

/** The function's config, one section per part. */
export interface Config {
  readonly b2c: B2cConfig;
  readonly inbound: InboundConfig;
  readonly journal: JournalConfig;
  readonly oci: OciConfig;
  readonly sweep: SweepConfig;
}

const SECTIONS = {
  b2c: B2cConfigShape,
  inbound: InboundConfigShape,
  journal: journalConfigShape,
  oci: OciConfigFragment,
  sweep: sweepConfigShape,
} as const;

/** Every key of the sections, flat, as the environment holds them. */
export const ConfigSchema = z.object({
  ...B2cConfigShape,
  ...InboundConfigShape,
  ...journalConfigShape,
  ...OciConfigFragment,
  ...sweepConfigShape,
});

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly { key: string; problem: string }[]) {
    super(`invalid configuration: ${problems.map((p) => `${p.key} ${p.problem}`).join('; ')}`);
  }
}

/** The process environment: the one place it is taken from. */
export function environment(): Record<string, string | undefined> {
  return process.env;
}

/** Validates the config keys in `env`; throws {@link ConfigError} naming every bad key (never its value). */
export function loadConfig(env: Record<string, string | undefined> = environment()): Config {
  const flat = parse(ConfigSchema, env);
  // Two keys together, so checked here rather than in the section's schema.
  if (sendsCredentialsInClear(flat) && !flat.b2cservice_allow_http) {
    throw new ConfigError([
      {
        key: 'b2cservice_hostname',
        problem:
          'is http:// to a host that is not loopback: the B2C password would cross the network in clear text; use https (or set b2cservice_allow_http=true)',
      },
    ]);
  }
  const section = <K extends keyof typeof SECTIONS>(name: K): Config[K] =>
    Object.freeze(
      Object.fromEntries(
        Object.keys(SECTIONS[name])
          .filter((key) => key in flat)
          .map((key) => [key, flat[key as keyof typeof flat]]),
      ),
    ) as unknown as Config[K];
  return Object.freeze({
    b2c: section('b2c'),
    inbound: section('inbound'),
    journal: section('journal'),
    oci: section('oci'),
    sweep: section('sweep'),
  });
}

/**
 * The config of the deployed function: {@link loadConfig}, and on OCI Functions a journal chosen
 * explicitly. There the default memory journal would be one per container: two containers given one
 * redelivered message would create two incidents, so `run_journal` must be set (`memory` included,
 * for whoever accepts that).
 */
export function loadFunctionConfig(env: Record<string, string | undefined> = environment()): Config {
  const config = loadConfig(env);
  const onOci = ociFunctionsEvidence(env);
  if (onOci !== undefined && env.run_journal === undefined) {
    throw new ConfigError([
      {
        key: 'run_journal',
        problem:
          `is required on OCI Functions (${onOci}): the default memory journal is per container, so two containers ` +
          'given one redelivered message would create two incidents; set run_journal=oci-os://<namespace>/<bucket>/<prefix> ' +
          '(the Terraform module does), or run_journal=memory to accept duplicates across containers',
      },
    ]);
  }
  return config;
}

/** The OCI section alone: Vault is set up from it before the secrets it holds can complete the config. */
export function loadOciConfig(env: Record<string, string | undefined> = environment()): OciConfig {
  return Object.freeze(parse(z.object(OciConfigFragment), env));
}

/** The inbound section alone, when it is valid (for start-up warnings); undefined otherwise. */
export function peekInboundConfig(env: Record<string, string | undefined> = environment()): InboundConfig | undefined {
  const parsed = z.object(InboundConfigShape).safeParse(env);
  return parsed.success ? parsed.data : undefined;
}

/** `b2cservice_allow_http=true` with a non-loopback `http://` site, for a warning at start. */
export function allowsClearText(env: Record<string, string | undefined> = environment()): boolean {
  const parsed = z
    .object({
      b2cservice_hostname: B2cConfigShape.b2cservice_hostname,
      b2cservice_allow_http: B2cConfigShape.b2cservice_allow_http,
    })
    .safeParse(env);
  return parsed.success && parsed.data.b2cservice_allow_http && sendsCredentialsInClear(parsed.data);
}

function parse<T extends z.ZodType>(schema: T, env: Record<string, string | undefined>): z.infer<T> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  throw new ConfigError(
    parsed.error.issues.map((issue) => ({
      key: issue.path.map(String).join('.'),
      problem:
        issue.code === 'invalid_type' && issue.input === undefined
          ? requiredProblem(issue.path.map(String).join('.'))
          : issue.message,
    })),
  );
}

/** A key that may come from Vault says so when neither it nor its `_ocid` twin is set. */
function requiredProblem(key: string): string {
  return (VAULT_SECRET_KEYS as readonly string[]).includes(key)
    ? `is required (set ${key}, or ${key}_ocid to a Vault secret OCID)`
    : 'is required';
}

export { b2cBaseUrl, sendsCredentialsInClear } from './b2c/config.js';
export type { B2cConfig, InboundConfig, JournalConfig, OciConfig, SweepConfig };
