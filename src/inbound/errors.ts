/**
 * A webhook we refuse. `status` is the HTTP answer (400 malformed, 413 too large, 415 wrong type);
 * `field` names the offending field when there is one. Messages never echo the input.
 */
export class InboundError extends Error {
  override readonly name = 'InboundError';
  constructor(
    readonly status: 400 | 413 | 415,
    message: string,
    readonly field?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
