/**
 * The admission rule, pure: the presented token must be the expected one, compared in constant
 * time (both sides hashed first, so not even its length leaks).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Presented } from './request.js';

export interface Gates {
  /** The expected token (already read from Vault when configured by OCID). */
  readonly token?: string;
}

/** What the gateway reads: HTTP 200 with this body in both cases. */
export type AuthorizerAnswer =
  | {
      active: true;
      principal: string;
      clientId: string;
      scope: string[];
      expiresAt: string;
      context: Record<string, string>;
    }
  | { active: false; wwwAuthenticate: string };

export type Decision = { admitted: true; by: string[] } | { admitted: false; reason: string };

export function decide(presented: Presented, gates: Gates): Decision {
  const by: string[] = [];
  if (gates.token !== undefined) {
    if (presented.token === undefined || presented.token === '')
      return { admitted: false, reason: 'no token presented' };
    if (!timingSafeEqual(digest(presented.token), digest(gates.token)))
      return { admitted: false, reason: 'wrong token' };
    by.push('token');
  }
  // No gate configured is a config error caught before this; never admit on an empty rule.
  if (by.length === 0) return { admitted: false, reason: 'no gate configured' };
  return { admitted: true, by };
}

export function answerFor(
  decision: Decision,
  options: { principal: string; realm: string; cacheSeconds: number; now: number },
): AuthorizerAnswer {
  if (!decision.admitted) return refusal(options.realm);
  return {
    active: true,
    principal: options.principal,
    clientId: options.principal,
    scope: ['sms-incident:webhook'],
    // The gateway caches the admission per parameter values until then (60 s ≤ cache ≤ 1 h).
    expiresAt: new Date(options.now + options.cacheSeconds * 1000).toISOString(),
    context: { admittedBy: decision.by.join('+') },
  };
}

export function refusal(realm: string): AuthorizerAnswer {
  return { active: false, wwwAuthenticate: `Bearer realm="${realm}"` };
}

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();
