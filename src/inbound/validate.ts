import type { z } from 'zod';
import type { ProviderAdapter } from './adapter.js';
import { InboundError } from './errors.js';
import type { InboundSms } from './sms.js';

/** The first validation issue as `field: problem`, with the field path joined by dots. */
function describe(error: z.ZodError): { field: string; message: string } {
  const issue = error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : '(body)';
  const problem =
    issue?.code === 'invalid_type' && issue.input === undefined ? 'is required' : (issue?.message ?? 'is invalid');
  // Field names come from the schema or the schema's own paths, but clip them anyway: never echo much.
  return { field: field.slice(0, 64), message: `${field.slice(0, 64)}: ${problem}` };
}

/** The adapter's schema over the decoded fields, then its mapping; 400 naming the first bad field. */
export function validatePayload(adapter: ProviderAdapter, fields: Readonly<Record<string, unknown>>): InboundSms {
  const parsed = adapter.schema.safeParse(fields);
  if (!parsed.success) {
    const { field, message } = describe(parsed.error);
    throw new InboundError(400, message, field);
  }
  return adapter.toSms(parsed.data);
}
