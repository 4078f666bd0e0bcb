import { ALNUM, classOf, codeAt, HEX, TOKEN, WORD } from './chars';
import { REDACTED } from './marker';
import { Rewriter } from './rewriter';

/** No rule of this pass matches fewer characters (`xoxb-` and ten). */
const SHORTEST = 15;

/**
 * The last pass of `redact()`: runs of base64 characters (`[A-Za-z0-9+/_=-]`) that hold a
 * credential of a known format, a long hex string or a high-entropy token. Every rule reads
 * inside one run, so only runs of `SHORTEST` characters or more are read: looking at every
 * 15th character finds them, and text made of short words costs a fraction of its length.
 */
export function redactRuns(s: string): string {
  const n = s.length;
  const w = new Rewriter(s);
  // No run of SHORTEST characters starts before `i` unread.
  let i = 0;
  while (i + SHORTEST <= n) {
    const probe = i + SHORTEST - 1;
    if ((classOf(s.charCodeAt(probe)) & TOKEN) === 0) {
      i = probe + 1;
      continue;
    }
    let a = probe;
    while (a > i && (classOf(s.charCodeAt(a - 1)) & TOKEN) !== 0) a--;
    // Most runs found so are short words: tell them apart before reading one whole.
    let j = probe + 1;
    while (j < a + SHORTEST && (classOf(codeAt(s, j)) & TOKEN) !== 0) j++;
    i = j < a + SHORTEST ? j + 1 : redactRun(s, a, w) + 1;
  }
  return w.result();
}

/**
 * Digits, capitals and small letters of a segment, counted in one number (17 bits each, so
 * one addition per character and no branch on it) and folded into three counts before a
 * field could overflow. The counts are local variables: kept in an object, V8 would box each
 * of them, per word.
 */
const FIELD = 2 ** 17;
const FOLD = FIELD - 1;
const PACKED = new Float64Array(128);
for (let c = 48; c <= 57; c++) PACKED[c] = 1;
for (let c = 65; c <= 90; c++) PACKED[c] = FIELD;
for (let c = 97; c <= 122; c++) PACKED[c] = FIELD * FIELD;

const digitsOf = (packed: number): number => packed % FIELD;
const upperOf = (packed: number): number => Math.floor(packed / FIELD) % FIELD;
const lowerOf = (packed: number): number => Math.floor(packed / (FIELD * FIELD));

/**
 * Reads one run from `a`, once, and returns where it ends. A credential of a known format
 * starts where a letter follows a non-alphanumeric character; a hex string is a whole word
 * (`\b[0-9a-fA-F]{24,}\b`); what is between them is a segment for the token rule. The
 * innermost loop reads the letters and digits of a word and calls nothing: a call there, even
 * one not taken, costs V8 half its speed.
 */
function redactRun(s: string, a: number, w: Rewriter): number {
  let rest = a;
  let digits = 0;
  let upper = 0;
  let lower = 0;
  let packed = 0;
  let lastSlash = -1;
  let afterCredential = false;
  let foldAt = a + FOLD;
  let p = a;
  let c = codeAt(s, p);
  let bits = classOf(c);
  while ((bits & TOKEN) !== 0) {
    if ((bits & WORD) === 0) {
      if (c === 47) lastSlash = p;
      c = codeAt(s, ++p);
      bits = classOf(c);
      continue;
    }
    const word = p;
    // The counts before this word, to take it back out if the word is a hex string.
    const digits0 = digits;
    const upper0 = upper;
    const lower0 = lower;
    const packed0 = packed;
    let hex = HEX;
    let known = -1;
    // After a credential, the next word may follow a letter (`AKIA…EXAMPLEsk_live_…`).
    let groupStart = !afterCredential || (classOf(s.charCodeAt(p - 1)) & ALNUM) === 0;
    afterCredential = false;
    for (;;) {
      if (c === 95) {
        hex = 0;
        groupStart = true;
        c = codeAt(s, ++p);
        bits = classOf(c);
      } else {
        if (groupStart && isPrefixStart(c)) {
          known = knownCredentialEnd(s, p);
          if (known >= 0) break;
        }
        groupStart = false;
        do {
          hex &= bits;
          packed += PACKED[c];
          c = codeAt(s, ++p);
          bits = classOf(c);
        } while ((bits & ALNUM) !== 0 && p < foldAt);
        if (p >= foldAt) {
          digits += digitsOf(packed);
          upper += upperOf(packed);
          lower += lowerOf(packed);
          packed = 0;
          foldAt = p + FOLD;
        }
      }
      if ((bits & WORD) === 0) break;
    }
    const hexWord = hex !== 0 && p - word >= 24;
    if (!hexWord && known < 0) continue;
    if (hexWord) {
      digits = digits0 + digitsOf(packed0);
      upper = upper0 + upperOf(packed0);
      lower = lower0 + lowerOf(packed0);
      flushToken(s, rest, word, digits, upper, lower, lastSlash, w);
      w.replace(word, p, REDACTED);
    } else {
      flushToken(
        s,
        rest,
        p,
        digits + digitsOf(packed),
        upper + upperOf(packed),
        lower + lowerOf(packed),
        lastSlash,
        w,
      );
    }
    digits = upper = lower = packed = 0;
    rest = p;
    if (known >= 0) {
      w.replace(p, known, REDACTED);
      rest = p = known;
      afterCredential = true;
      c = codeAt(s, p);
      bits = classOf(c);
    }
  }
  flushToken(
    s,
    rest,
    p,
    digits + digitsOf(packed),
    upper + upperOf(packed),
    lower + lowerOf(packed),
    lastSlash,
    w,
  );
  return p;
}

/** `[A-Z0-9]`, `[A-Za-z0-9]`, `[A-Za-z0-9_]`, `[A-Za-z0-9_-]`, `[A-Za-z0-9-]`. */
const UPPER_DIGIT = 1;
const ALPHANUMERIC = 2;
const WITH_UNDERSCORE = 3;
const WITH_UNDERSCORE_DASH = 4;
const WITH_DASH = 5;

function inBody(c: number, body: number): boolean {
  // Digits and capitals are below 91, small letters above.
  if ((classOf(c) & ALNUM) !== 0) return body !== UPPER_DIGIT || c <= 90;
  if (c === 95) return body === WITH_UNDERSCORE || body === WITH_UNDERSCORE_DASH;
  if (c === 45) return body === WITH_DASH || body === WITH_UNDERSCORE_DASH;
  return false;
}

/**
 * Credentials recognisable by their prefix, standing alone: prefix, body characters, the
 * fewest body characters a real one has. AWS access key ids, GitHub tokens, Stripe secret
 * and restricted keys, Google API keys, Slack tokens.
 */
const KNOWN: readonly { prefix: string; body: number; min: number }[] = [
  { prefix: 'AKIA', body: UPPER_DIGIT, min: 16 },
  { prefix: 'ASIA', body: UPPER_DIGIT, min: 16 },
  { prefix: 'AIza', body: WITH_UNDERSCORE_DASH, min: 30 },
  { prefix: 'ghp_', body: ALPHANUMERIC, min: 30 },
  { prefix: 'gho_', body: ALPHANUMERIC, min: 30 },
  { prefix: 'ghu_', body: ALPHANUMERIC, min: 30 },
  { prefix: 'ghs_', body: ALPHANUMERIC, min: 30 },
  { prefix: 'ghr_', body: ALPHANUMERIC, min: 30 },
  { prefix: 'github_pat_', body: WITH_UNDERSCORE, min: 22 },
  { prefix: 'sk_live_', body: ALPHANUMERIC, min: 10 },
  { prefix: 'rk_live_', body: ALPHANUMERIC, min: 10 },
  { prefix: 'sk_test_', body: ALPHANUMERIC, min: 10 },
  { prefix: 'rk_test_', body: ALPHANUMERIC, min: 10 },
  { prefix: 'xoxa-', body: WITH_DASH, min: 10 },
  { prefix: 'xoxb-', body: WITH_DASH, min: 10 },
  { prefix: 'xoxp-', body: WITH_DASH, min: 10 },
  { prefix: 'xoxr-', body: WITH_DASH, min: 10 },
  { prefix: 'xoxs-', body: WITH_DASH, min: 10 },
];

/** A, g, r, s, x: the first letters of the prefixes; most words stop here. */
function isPrefixStart(c: number): boolean {
  return c === 65 || c === 103 || c === 114 || c === 115 || c === 120;
}

/** Where a known credential starting at `p` ends (its body is taken whole); -1 if none does. */
function knownCredentialEnd(s: string, p: number): number {
  for (let k = 0; k < KNOWN.length; k++) {
    const { prefix, body, min } = KNOWN[k];
    if (!s.startsWith(prefix, p)) continue;
    let e = p + prefix.length;
    while (inBody(codeAt(s, e), body)) e++;
    if (e - p - prefix.length >= min) return e;
  }
  return -1;
}

/** Per-character counts of a candidate token, and the order characters first appeared in. */
const counts = new Int32Array(128);
const order = new Uint8Array(128);

/**
 * The token rule on the segment `[a, b)`, whose letters and digits are counted: 20 or more
 * base64 characters, not starting with `/` (so a path is not one), that look like a
 * credential rather than a word or an identifier.
 */
function flushToken(
  s: string,
  a: number,
  b: number,
  digits: number,
  upper: number,
  lower: number,
  lastSlash: number,
  w: Rewriter,
): void {
  while (a < b && s.charCodeAt(a) === 47) a++;
  if (b - a < 20 || digits === 0 || upper + lower === 0) return;
  // A run through `/` without a capital is a path (`api/v2/transcriptions/whisper-v3/`), where
  // base64 with `/` in it practically always holds capitals too.
  if (upper === 0 && lastSlash >= a) return;
  const token =
    b - a >= 32 && digits >= 2
      ? entropyReaches(s, a, b, 3.3)
      : upper > 0 && lower > 0 && entropyReaches(s, a, b, 3.5);
  if (token) w.replace(a, b, REDACTED);
}

/** `c * log2(c)` for small counts, filled as they are met. */
const C_LOG_C = new Float64Array(4096);

function cLogC(c: number): number {
  if (c >= C_LOG_C.length) return c * Math.log2(c);
  let v = C_LOG_C[c];
  if (v === 0 && c > 1) v = C_LOG_C[c] = c * Math.log2(c);
  return v;
}

/**
 * Whether the Shannon entropy of `[a, b)`, in bits per character, reaches `threshold`. It is
 * `log2(len) - Σ c·log2(c) / len` over the counts `c`, one logarithm per run; that form rounds
 * differently from `-Σ p·log2(p)`, so a value within a hair of the threshold is summed again
 * that way, in the order characters first appear, as the rule has always done.
 */
function entropyReaches(s: string, a: number, b: number, threshold: number): boolean {
  let distinct = 0;
  for (let k = a; k < b; k++) {
    const c = s.charCodeAt(k);
    if (counts[c]++ === 0) order[distinct++] = c;
  }
  const len = b - a;
  let sum = 0;
  for (let k = 0; k < distinct; k++) sum += cLogC(counts[order[k]]);
  let h = Math.log2(len) - sum / len;
  if (Math.abs(h - threshold) < 1e-9) {
    h = 0;
    for (let k = 0; k < distinct; k++) {
      const p = counts[order[k]] / len;
      h -= p * Math.log2(p);
    }
  }
  for (let k = 0; k < distinct; k++) counts[order[k]] = 0;
  return h >= threshold;
}
