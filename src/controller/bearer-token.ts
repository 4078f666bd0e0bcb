import { createHash, timingSafeEqual } from 'node:crypto';

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/**
 * Checks an `Authorization` header against the expected token in constant time: both sides
 * are hashed first, so neither the comparison nor an early length check reveals how much of
 * the token was right, or its length.
 */
export function bearerTokenMatches(
  authorization: string | string[] | undefined,
  expected: Buffer,
): boolean {
  const header = Array.isArray(authorization) ? authorization[0] : authorization;
  if (typeof header !== 'string') return false;
  const m = /^\s*bearer\s+(\S+)\s*$/i.exec(header);
  return timingSafeEqual(digest(m === null ? '' : m[1]), expected) && m !== null;
}

/** The digest `bearerTokenMatches` compares against, computed once. */
export function expectedToken(token: string): Buffer {
  return digest(token);
}
