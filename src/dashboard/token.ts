// The dashboard's token: new at every start, printed in the URL, required (as a Bearer header) by
// every writing action; compared in constant time.

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 43 characters of [A-Za-z0-9_-] (32 random bytes, base64url). */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Whether `given` is the token, in time that does not depend on where they differ nor on length. */
export function tokenMatches(given: string | null | undefined, token: string): boolean {
  const a = createHash('sha256').update(given ?? '').digest();
  const b = createHash('sha256').update(token).digest();
  return timingSafeEqual(a, b) && typeof given === 'string';
}

/** The token of `Authorization: Bearer TOKEN`, or null. */
export function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match ? match[1]! : null;
}
