/** The `reason` dimension of `WebhookRejected`: a small fixed set, from the answer's status. */
export const RejectionReason = {
  400: 'malformed',
  401: 'signature_missing',
  403: 'signature_invalid',
  405: 'method_not_allowed',
  413: 'too_large',
  415: 'unsupported_media_type',
} as const;

export function rejectionReason(status: number): string {
  return (RejectionReason as Record<number, string>)[status] ?? `status_${status}`;
}
