export const REDACTED = '[redacted]';

// scheme://[userinfo@]rest[?query][#fragment]: signed URLs carry their signature in the query.
// Userinfo runs to the last `@` before the path, as URL parsers read it: a password may hold `@`.
const URL_RE = /\b([a-z][a-z0-9+.-]*:\/\/)(?:[^\s/?#]*@)?([^\s?#]*)(?:[?#][^\s]*)?/gi;
// A URL nested in another's path (`/proxy/https://user:pw@host/`) is consumed by the outer match.
const NESTED_USERINFO_RE = /(:\/\/)[^\s/?#]*@/g;
// A path-like value with a query or fragment: the same secrets, without a scheme.
const PATH_QUERY_RE = /(^|\s)(\/[^\s?#]*)[?#][^\s]*/g;
// The separator may arrive URL-encoded (`Bearer%20…`, `Bearer+…`) when the value came from a path.
const BEARER_RE = /\b(?:bearer|basic|token)(?:\s+|%20|\+)[A-Za-z0-9\-._~+/]+=*/gi;
const JWT_RE = /\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g;
const HEX_RE = /\b[0-9a-fA-F]{24,}\b/g;
// Candidate runs for base64 / base64url tokens; a run may hold `/` but not start with it, so a path is not one run.
const TOKEN_RE = /[A-Za-z0-9+_=-][A-Za-z0-9+/_=-]{19,}/g;
// Not `\b`: `refresh_token=` and `client_secret=` must match too, and `_` is a word character.
const KEY_VALUE_RE =
  /(?<![A-Za-z0-9])((?:api[_-]?key|apikey|access[_-]?token|secret|password|passwd|pwd|token|signature|sig|x-amz-signature|auth)=)[^\s&;,]+/gi;

/**
 * Takes out what must never become a label value: URL userinfo, queries and fragments, bearer
 * tokens, JWTs, `key=secret` pairs, and long hex or high-entropy base64 runs. Runs once per new
 * series, never per call, so it may be thorough rather than fast.
 */
export function redact(value: unknown): string {
  let s: string;
  try {
    s = typeof value === 'string' ? value : value == null ? '' : String(value);
  } catch {
    return REDACTED;
  }
  if (s.length < 16 && !/[=@?#]/.test(s)) return s;
  return s
    .replace(URL_RE, '$1$2')
    .replace(NESTED_USERINFO_RE, '$1')
    .replace(PATH_QUERY_RE, '$1$2')
    .replace(BEARER_RE, REDACTED)
    .replace(JWT_RE, REDACTED)
    .replace(KEY_VALUE_RE, `$1${REDACTED}`)
    .replace(HEX_RE, REDACTED)
    .replace(TOKEN_RE, (run) => (looksLikeToken(run) ? REDACTED : run));
}

/** A run of token characters that is more likely a credential than a word or an identifier. */
function looksLikeToken(run: string): boolean {
  let digits = 0;
  let upper = 0;
  let lower = 0;
  for (let i = 0; i < run.length; i++) {
    const c = run.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
    else if (c >= 65 && c <= 90) upper++;
    else if (c >= 97 && c <= 122) lower++;
  }
  if (digits === 0 || upper + lower === 0) return false;
  // A run through `/` without a capital is a path (`api/v2/transcriptions/whisper-v3/`), where
  // base64 with `/` in it practically always holds capitals too.
  if (upper === 0 && run.includes('/')) return false;
  if (run.length >= 32 && digits >= 2) return entropy(run) >= 3.3;
  return upper > 0 && lower > 0 && entropy(run) >= 3.5;
}

function entropy(s: string): number {
  const freq = new Map<string, number>();
  for (const ch of s) freq.set(ch, (freq.get(ch) ?? 0) + 1);
  let h = 0;
  for (const n of freq.values()) {
    const p = n / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

/** The label value stored for a raw value: redacted, then cut to 128 characters. */
export function labelValue(value: unknown): string {
  const s = redact(value);
  if (s.length <= 128) return s;
  // Never split a surrogate pair: half a character is not valid UTF-8 in the exposition.
  const high = s.charCodeAt(127);
  return s.slice(0, high >= 0xd800 && high <= 0xdbff ? 127 : 128);
}
