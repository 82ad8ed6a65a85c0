/**
 * What OCI API Gateway sends a CUSTOM_AUTHENTICATION function: multi-argument
 * `{"type":"USER_DEFINED","data":{"token":…}}` (an argument absent from the request is omitted; a
 * repeated header or query parameter arrives as an array; other arguments are ignored), or the
 * legacy single-argument `{"type":"TOKEN","token":…}`. See shared/notes/fn-fdk.md §4.2.
 */
import { z } from 'zod';

/** The credential a caller presented, as far as the request shows it. */
export interface Presented {
  readonly token?: string;
}

const argument = z.string().max(4096, 'is longer than 4096 characters');

const UserDefined = z.object({
  type: z.literal('USER_DEFINED'),
  data: z.object({ token: argument.optional() }).passthrough(),
});
const SingleToken = z.object({ type: z.literal('TOKEN'), token: argument });
const AuthorizerInput = z.discriminatedUnion('type', [UserDefined, SingleToken]);

/** The body → what was presented, or the problem (a refusal, never a crash). */
export function readAuthorizerInput(body: Buffer): Presented | { problem: string } {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch {
    return { problem: 'body is not JSON' };
  }
  const parsed = AuthorizerInput.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      problem: `malformed input: ${issue?.path.map(String).join('.') || 'body'} ${issue?.message ?? ''}`.trim(),
    };
  }
  const input = parsed.data;
  const token = input.type === 'TOKEN' ? input.token : input.data.token;
  return token === undefined ? {} : { token: withoutScheme(token) };
}

/** `Bearer <t>` and `<t>` both present `<t>`. */
function withoutScheme(token: string): string {
  return token.replace(/^bearer\s+/i, '').trim();
}
