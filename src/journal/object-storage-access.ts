/**
 * How the Object Storage journal reaches OCI. Its own file: the opener and the SDK module it loads
 * by `import()` both need it, and neither may import the other back.
 */
export interface ObjectStorageAccess {
  /** Where the OCI credentials come from: the resource principal variables, or the OCI config file (CLI). */
  readonly env: Record<string, string | undefined>;
  /** Endpoint override (tests, special realms); default: the region's Object Storage endpoint. */
  readonly endpoint?: string;
  /** The function never reads a config file; the CLI does. @default false */
  readonly allowConfigFile?: boolean;
  /** Attempts per Object Storage call (the SDK's retries). @default 2: journal writes sit on the webhook's path */
  readonly maxAttempts?: number;
  /**
   * Check that a run exists by listing its exact name before reading it (the function's claims: a
   * new message then costs no 404, for each of which the OCI SDK prints a warning on stderr). @default false
   */
  readonly existenceByListing?: boolean;
}
