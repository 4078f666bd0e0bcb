import {
  ALNUM,
  B64URL,
  classOf,
  codeAt,
  CREDENTIAL,
  isSpace,
  lower,
  matchesAt,
  WORD,
} from './chars';
import { REDACTED } from './marker';
import { Rewriter } from './rewriter';

/**
 * The credential passes of `redact()`: an `Authorization`-style credential, a JWT, a
 * `key=secret` pair. Each reads its input once and returns it unchanged when there is nothing
 * to take out.
 */

const BEARER_KEYWORDS = ['bearer', 'basic', 'token'];
/** Only a gate: a value without any of the words skips the pass for the price of one search. */
const BEARER_GATE = /bearer|basic|token/i;

/**
 * `Bearer <token>`, `Basic <credentials>`, `token <token>` become `[redacted]`. The separator
 * may arrive URL-encoded (`Bearer%20…`, `Bearer+…`) when the value came from a path. A `=`
 * inside the credential does not end it (`Bearer password=hunter2`), and neither does a
 * repeated scheme (`Bearer Bearer <token>`, a common slip). As
 * `/\b(?:(?:bearer|basic|token)(?:\s+|%20|\+))+[A-Za-z0-9\-._~+/][A-Za-z0-9\-._~+/=]*\/gi`.
 */
export function redactAuthSchemes(s: string): string {
  if (!BEARER_GATE.test(s)) return s;
  const n = s.length;
  const w = new Rewriter(s);
  let i = 0;
  while (i < n) {
    const c = lower(s.charCodeAt(i));
    // b, t: `bearer`, `basic`, `token`; at a word's start (`\b`).
    const end =
      (c === 98 || c === 116) && (i === 0 || (classOf(s.charCodeAt(i - 1)) & WORD) === 0)
        ? authSchemeEnd(s, i)
        : -1;
    if (end < 0) {
      i++;
      continue;
    }
    w.replace(i, end, REDACTED);
    i = end;
  }
  return w.result();
}

/**
 * Where a credential that starts with its scheme word at `i` ends; -1 when none does. The
 * scheme may repeat (`Bearer Bearer x`, `token+Bearer x`): the credential is what follows the
 * longest run of scheme words that some credential character follows.
 */
function authSchemeEnd(s: string, i: number): number {
  let credential = -1;
  let q = schemeEnd(s, i);
  while (q >= 0 && (classOf(codeAt(s, q)) & CREDENTIAL) !== 0) {
    credential = q;
    q = schemeEnd(s, q);
  }
  if (credential < 0) return -1;
  let t = credential;
  while (t < s.length && inCredential(s.charCodeAt(t))) t++;
  return t;
}

/** Past a scheme word at `i` and its separator (spaces, `%20` or `+`); -1 if there is none. */
function schemeEnd(s: string, i: number): number {
  const first = lower(codeAt(s, i));
  if (first !== 98 && first !== 116) return -1;
  for (let k = 0; k < BEARER_KEYWORDS.length; k++) {
    const word = BEARER_KEYWORDS[k];
    if (!matchesAt(s, i, word)) continue;
    const j = i + word.length;
    const c = codeAt(s, j);
    if (isSpace(c)) {
      let t = j + 1;
      while (t < s.length && isSpace(s.charCodeAt(t))) t++;
      return t;
    }
    if (c === 37 && s.startsWith('%20', j)) return j + 3;
    return c === 43 ? j + 1 : -1;
  }
  return -1;
}

function inCredential(c: number): boolean {
  return (classOf(c) & CREDENTIAL) !== 0 || c === 61;
}

/**
 * A JWT (`eyJ…` header, `.`, payload, `.`, signature) becomes `[redacted]`. As
 * `/\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\/g` → `[redacted]`; that expression
 * scans from every `eyJ` of `eyJ-eyJ-…` to the end, where this skips a failed run at once.
 */
export function redactJwts(s: string): string {
  let i = s.indexOf('eyJ');
  if (i < 0) return s;
  const n = s.length;
  const w = new Rewriter(s);
  while (i >= 0) {
    let next = i + 1;
    if (i === 0 || (classOf(s.charCodeAt(i - 1)) & WORD) === 0) {
      // Every `eyJ` inside the same header run ends where this one's does, and fails alike.
      const a = b64urlEnd(s, i + 3);
      next = a;
      if (s.charCodeAt(a) === 46) {
        const b = b64urlEnd(s, a + 1);
        if (b > a + 1 && s.charCodeAt(b) === 46) {
          const e = b64urlEnd(s, b + 1);
          w.replace(i, e, REDACTED);
          next = e;
        }
      }
    }
    i = next < n ? s.indexOf('eyJ', next) : -1;
  }
  return w.result();
}

function b64urlEnd(s: string, i: number): number {
  while (i < s.length && (classOf(s.charCodeAt(i)) & B64URL) !== 0) i++;
  return i;
}

/**
 * Names whose value is a secret, lower case. `api[_-]?key` and `access[_-]?token` are spelt
 * out; a name is matched at its end, so `client_secret`, `refresh_token`, `dbpassword` and
 * `dbPassword` match through `secret`, `token` and `password`. The short ones (`pwd`, `sig`,
 * `auth`) only where a name starts: after a character that is not a letter or digit, or as
 * a camel-case word (`dbPwd`); not in `config` or `oauth`.
 */
const SECRET_NAMES = [
  'api_key',
  'api-key',
  'apikey',
  'access_token',
  'access-token',
  'accesstoken',
  'secret',
  'password',
  'passwd',
  'pwd',
  'token',
  'signature',
  'sig',
  'x-amz-signature',
  'auth',
  'secret_key',
  'secret-key',
  'secretkey',
  'private_key',
  'private-key',
  'privatekey',
  'passphrase',
];

/**
 * The names whose value may follow a colon directly (`password:hunter2`): they name nothing
 * but a secret. The others also name events and keys (`token:refresh`, `auth:login`, `sig:v2`)
 * and take a colon only before a space or a quote.
 */
const BARE_COLON_NAMES = new Set(
  SECRET_NAMES.filter((name) => !['token', 'pwd', 'sig', 'auth'].includes(name)),
);

/** The names above by their last character: most `=` end no name, and are left at once. */
const NAMES_BY_LAST = new Map<number, string[]>();
for (const name of SECRET_NAMES) {
  const last = name.charCodeAt(name.length - 1);
  NAMES_BY_LAST.set(last, [...(NAMES_BY_LAST.get(last) ?? []), name]);
}

function isBlank(c: number): boolean {
  return c === 32 || c === 9;
}

function isQuote(c: number): boolean {
  return c === 34 || c === 39;
}

/** `[^\s&;,]`: what an unquoted value is made of. */
function inValue(c: number): boolean {
  return c !== 38 && c !== 59 && c !== 44 && !isSpace(c);
}

/**
 * `name=secret` keeps `name=[redacted]` for the names above (`api_key=`, `password=`,
 * `X-Amz-Signature=`...), which may end a longer name (`client_secret=`). Beside `=`,
 * also `name: secret`, `password:secret` and JSON's `"name":"secret"`; spaces around the separator are allowed,
 * and a quoted secret is taken up to its closing quote. For `name=value` without spaces or
 * quotes, as `/(?<![A-Za-z0-9])((?:api[_-]?key|…|auth)=)[^\s&;,]+/gi` → `$1[redacted]`.
 */
export function redactSecretPairs(s: string): string {
  const eq = s.indexOf('=');
  const colon = s.indexOf(':');
  let k = eq < 0 ? colon : colon < 0 ? eq : Math.min(eq, colon);
  if (k < 0) return s;
  const n = s.length;
  const w = new Rewriter(s);
  let from = 0;
  for (; k < n; k++) {
    const sep = s.charCodeAt(k);
    if (sep !== 61 && sep !== 58) continue;
    let end = k;
    while (end > from && isBlank(s.charCodeAt(end - 1))) end--;
    const quotedName = end > from && isQuote(s.charCodeAt(end - 1));
    if (quotedName) end--;
    const name = secretNameEnding(s, end, from);
    if (name === NO_NAME) continue;
    // `auth:login`, `https://` or `12:30` are not pairs: a colon needs a quote or a space,
    // unless the name is one only a secret has (`password:hunter2`).
    if (sep === 58 && !quotedName && name !== BARE_COLON_NAME) {
      const next = codeAt(s, k + 1);
      if (!isSpace(next) && !isQuote(next)) continue;
    }
    let v = k + 1;
    while (v < n && isBlank(s.charCodeAt(v))) v++;
    let start = v;
    let e: number;
    const quote = codeAt(s, v);
    if (isQuote(quote)) {
      start = v + 1;
      e = s.indexOf(String.fromCharCode(quote), start);
      if (e < 0) e = n;
    } else {
      e = v;
      while (e < n && inValue(s.charCodeAt(e))) e++;
    }
    if (e === start) continue;
    w.replace(start, e, REDACTED);
    from = e;
    k = e - 1;
  }
  return w.result();
}

const NO_NAME = 0;
const NAME = 1;
/** A name of `BARE_COLON_NAMES`. */
const BARE_COLON_NAME = 2;

/**
 * Which secret name ends at `end`, starting at or after `from` (on a boundary if short):
 * `NO_NAME`, else `BARE_COLON_NAME` when one of those ends there, else `NAME`.
 */
function secretNameEnding(s: string, end: number, from: number): number {
  const names = NAMES_BY_LAST.get(lower(s.charCodeAt(end - 1)));
  if (names === undefined) return NO_NAME;
  let found = NO_NAME;
  for (const name of names) {
    if (!namedAt(s, end - name.length, name, from)) continue;
    if (BARE_COLON_NAMES.has(name)) return BARE_COLON_NAME;
    found = NAME;
  }
  return found;
}

function namedAt(s: string, i: number, name: string, from: number): boolean {
  if (i < from || !matchesAt(s, i, name)) return false;
  if (i === 0 || name.length > 4) return true;
  const before = s.charCodeAt(i - 1);
  if ((classOf(before) & ALNUM) === 0) return true;
  // camelCase: `dbPassword`, `authToken`; not `mypassword` nor `DBPASSWORD`.
  const first = s.charCodeAt(i);
  return first >= 65 && first <= 90 && !(before >= 65 && before <= 90);
}
