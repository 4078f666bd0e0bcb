import { classOf, isSpace, LETTER } from './chars';
import { redactAuthSchemes, redactJwts, redactSecretPairs } from './credentials';
import { REDACTED } from './marker';
import { redactRuns } from './runs';
import {
  redactWebhookPaths,
  stripBareUserinfo,
  stripEncodedUserinfo,
  stripNestedUserinfo,
  stripPathQueries,
  stripUrls,
} from './urls';

export { REDACTED };

/**
 * How much of a value `redact()` reads. A longer one is cut first, at a space, so that
 * nothing past the cut can change what is kept before it; the word the cut goes through is
 * replaced by `[redacted]` whole, since what follows could have made it, or a prefix of it, a
 * secret. The cost of any value is so at most that of 64 KiB.
 */
export const REDACT_WINDOW = 64 * 1024;

/** Below this length, a value is read only if `mayHoldSecret` says so. */
const SHORT_VALUE = 16;

/**
 * Whether a short value has one of the characters without which it holds nothing to take out:
 * `=`, `@`, `?`, `#`, or a colon after a letter (`password:x`). A loop, not a regular expression:
 * with the colon's alternative, V8 no longer scans for the expression as fast as for a class.
 */
function mayHoldSecret(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 61 || c === 64 || c === 63 || c === 35) return true;
    if (c === 58 && i > 0 && (classOf(s.charCodeAt(i - 1)) & LETTER) !== 0) return true;
  }
  return false;
}

/**
 * Takes out what must never become a label value or a log line: URL userinfo (encoded, or
 * bare as in `user:pass@host`), queries and fragments, webhook paths, bearer and basic credentials, JWTs, `key=secret` pairs, credentials of known
 * formats (AWS, GitHub, Stripe, Google, Slack), long hex runs and high-entropy base64 runs.
 * Never throws. Each pass reads the value once, so the cost is linear in its length whatever
 * its shape; a value longer than `REDACT_WINDOW` is cut there first.
 */
export function redact(value: unknown): string {
  const s = text(value);
  if (s === undefined) return REDACTED;
  return redactText(s.length > REDACT_WINDOW ? cutAtWord(s, REDACT_WINDOW) : s);
}

/**
 * At most `max` characters of the redacted value, never half a surrogate pair. Only the first
 * `max(4 × max, 4096)` characters are read, cut as `redact()` cuts, so a 1 MiB label value
 * costs what 4 KiB do. For a value within that window: the first `max` characters of
 * `redact(value)`.
 */
export function redactPrefix(value: unknown, max: number): string {
  const s = text(value);
  if (s === undefined) return REDACTED;
  const window = Math.max(4 * max, 4096);
  return cut(redactText(s.length > window ? cutAtWord(s, window) : s), max);
}

/**
 * `redact()` of the start of a longer text that was not read (an answer read up to a limit):
 * the word at its end is replaced whole, as `redact()` replaces the word its own window goes
 * through, since the rest of it could have made it, or a prefix of it, a secret.
 */
export function redactHead(head: unknown): string {
  const s = text(head);
  if (s === undefined) return REDACTED;
  return redact(cutAtWord(s, s.length));
}

/** `s` cut to at most `max` characters, never through a surrogate pair. */
export function cut(s: string, max: number): string {
  if (s.length <= max) return s;
  const high = s.charCodeAt(max - 1);
  return s.slice(0, high >= 0xd800 && high <= 0xdbff ? max - 1 : max);
}

/** The label value stored for a raw value: redacted, then cut to 128 characters. */
export function labelValue(value: unknown): string {
  return redactPrefix(value, 128);
}

function text(value: unknown): string | undefined {
  try {
    return typeof value === 'string' ? value : value == null ? '' : String(value);
  } catch {
    return undefined;
  }
}

function redactText(s: string): string {
  if (s.length < SHORT_VALUE && !mayHoldSecret(s)) return s;
  let r = stripUrls(s);
  r = stripNestedUserinfo(r);
  r = stripEncodedUserinfo(r);
  r = stripBareUserinfo(r);
  r = stripPathQueries(r);
  r = redactWebhookPaths(r);
  r = redactAuthSchemes(r);
  r = redactJwts(r);
  r = redactSecretPairs(r);
  return redactRuns(r);
}

/** `s` cut to `at` characters; a word the cut goes through becomes `[redacted]`. */
function cutAtWord(s: string, at: number): string {
  if (isSpace(s.charCodeAt(at))) return s.slice(0, at);
  let space = at - 1;
  while (space >= 0 && !isSpace(s.charCodeAt(space))) space--;
  return s.slice(0, space + 1) + REDACTED;
}
