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

/**
 * Why `token` can never be matched by `bearerTokenMatches`, or undefined when it can. The
 * header carries one word of bytes: a space splits it, a control character is refused by
 * Node's HTTP parser (400), and a character beyond Latin-1 cannot arrive (header bytes are
 * read as Latin-1). The token itself is never part of the answer.
 */
export function unmatchableToken(token: string): string | undefined {
  if (token === '') return 'it is empty';
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    if (/\s/.test(token[i])) return `it holds a space (at character ${i + 1})`;
    if (c < 0x20 || c === 0x7f) return `it holds a control character (at character ${i + 1})`;
    if (c > 0xff) return `it holds a character beyond Latin-1 (at character ${i + 1})`;
  }
  return undefined;
}
