/** The statuses a refused webhook gets: malformed, unauthenticated, forged, wrong method, too large, wrong type. */
export type InboundStatus = 400 | 401 | 403 | 405 | 413 | 415;

/**
 * A webhook we refuse. `status` is the HTTP answer (400 malformed, 401 signature missing,
 * 403 signature invalid, 405 method not allowed, 413 too large, 415 wrong type); `field` names
 * the offending field when there is one; `allow` is the 405's `Allow` header. Messages never echo
 * the input.
 */
export class InboundError extends Error {
  override readonly name = 'InboundError';
  readonly allow: string | undefined;
  constructor(
    readonly status: InboundStatus,
    message: string,
    readonly field?: string,
    options?: ErrorOptions & { readonly allow?: string },
  ) {
    super(message, options);
    this.allow = options?.allow;
  }
}

/**
 * Signatures are required but the secret this request's provider needs is not configured:
 * every such request is refused with 500 (fail closed) naming the key, never its value.
 */
export class SignatureConfigError extends Error {
  override readonly name = 'SignatureConfigError';
  constructor(readonly problems: readonly { key: string; problem: string }[]) {
    super(`signature verification is not configured: ${problems.map((p) => `${p.key} ${p.problem}`).join('; ')}`);
  }
}
