/**
 * Character classes for the redaction scanners. Each scanner reads a string once with
 * `charCodeAt`, so a class is a bit in a table for ASCII; no other character is in any class.
 */

/** `[A-Za-z0-9_]`: what `\w` matches, so what `\b` looks at. */
export const WORD = 1;
/** `[A-Za-z0-9+/_=-]`: base64 and base64url runs. */
export const TOKEN = 2;
/** `[A-Za-z0-9+.-]`: a URL scheme after its first letter. */
export const SCHEME = 4;
/** `[A-Za-z0-9_-]`: a base64url segment of a JWT. */
export const B64URL = 8;
/** `[A-Za-z0-9._~+/-]`: a bearer credential (RFC 6750 `b64token`, before its `=` padding). */
export const CREDENTIAL = 16;
/** `[0-9A-Fa-f]`. */
export const HEX = 32;
/** `[A-Za-z0-9]`. */
export const ALNUM = 64;
/** `[A-Za-z]`. */
export const LETTER = 128;

const TABLE = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  const letter = /[A-Za-z]/.test(ch);
  const alnum = letter || /[0-9]/.test(ch);
  let bits = 0;
  if (letter) bits |= LETTER;
  if (alnum) bits |= ALNUM | TOKEN | SCHEME | B64URL | CREDENTIAL;
  if (/[0-9A-Fa-f]/.test(ch)) bits |= HEX;
  if (alnum || ch === '_') bits |= WORD;
  if ('+/_=-'.includes(ch)) bits |= TOKEN;
  if ('+.-'.includes(ch)) bits |= SCHEME;
  if ('_-'.includes(ch)) bits |= B64URL;
  if ('._~+/-'.includes(ch)) bits |= CREDENTIAL;
  TABLE[c] = bits;
}

/** The class bits of a UTF-16 code unit. */
export function classOf(c: number): number {
  return c < 128 ? TABLE[c] : 0;
}

/** What `\s` matches in a regular expression: ASCII and Unicode spaces, line terminators, BOM. */
export function isSpace(c: number): boolean {
  if (c <= 32) return c === 32 || (c >= 9 && c <= 13);
  if (c < 160) return false;
  return (
    c === 160 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

/** ASCII lower case of a letter's code; other codes unchanged. */
export function lower(c: number): number {
  return c >= 65 && c <= 90 ? c | 32 : c;
}

/** True when `s` holds `word` (lower-case ASCII) at `at`, in any case. */
export function matchesAt(s: string, at: number, word: string): boolean {
  if (at < 0 || at + word.length > s.length) return false;
  for (let i = 0; i < word.length; i++) {
    if (lower(s.charCodeAt(at + i)) !== word.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * The code unit at `i`, or 0 past the end: `charCodeAt` gives NaN there, and a NaN in a
 * scanner's variable makes V8 handle every character of the loop as a float.
 */
export function codeAt(s: string, i: number): number {
  return i < s.length ? s.charCodeAt(i) : 0;
}
