/**
 * Test oracles for `redact()`, written as regular expressions: obviously right, and quadratic
 * on some shapes, so only ever run on short values.
 *
 * `referenceRedact` is the implementation obsweave had before the linear scanners (the same
 * expressions, applied in the same order): for well-formed input the new one must give the
 * same result. `modelRedact` is that pipeline with the rules added since, as expressions
 * too: for any input the new one must give the same result.
 */
export const REDACTED = '[redacted]';

const URL_RE = /\b([a-z][a-z0-9+.-]*:\/\/)(?:[^\s/?#]*@)?([^\s?#]*)(?:[?#][^\s]*)?/gi;
const NESTED_USERINFO_RE = /(:\/\/)[^\s/?#]*@/g;
const PATH_QUERY_RE = /(^|\s)(\/[^\s?#]*)[?#][^\s]*/g;
const BEARER_RE = /\b(?:bearer|basic|token)(?:\s+|%20|\+)[A-Za-z0-9\-._~+/]+=*/gi;
const JWT_RE = /\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g;
const HEX_RE = /\b[0-9a-fA-F]{24,}\b/g;
const TOKEN_RE = /[A-Za-z0-9+_=-][A-Za-z0-9+/_=-]{19,}/g;
const KEY_VALUE_RE =
  /(?<![A-Za-z0-9])((?:api[_-]?key|apikey|access[_-]?token|secret|password|passwd|pwd|token|signature|sig|x-amz-signature|auth)=)[^\s&;,]+/gi;

/** The names of `name=secret` pairs since the new rules, in any case; short ones apart. */
const SECRET_NAMES = [
  'api[_-]?key',
  'apikey',
  'access[_-]?token',
  'secret',
  'password',
  'passwd',
  'token',
  'signature',
  'x-amz-signature',
  'secret[_-]?key',
  'private[_-]?key',
  'passphrase',
];
const SHORT_NAMES = ['pwd', 'sig', 'auth'];
/** Names that take a value right after a colon (`password:x`): all but `token` and the short ones. */
const BARE_COLON_NAMES = SECRET_NAMES.filter((name) => name !== 'token');
const anyCase = (names: string[]): string =>
  names.map((name) => name.replace(/[a-z]/g, (c) => `[${c}${c.toUpperCase()}]`)).join('|');
/**
 * A name (a short one at a boundary: not after a letter or digit, or starting a camel-case
 * word), then `=`, or `:` after a quote or before a space or quote (any `:` after a name only a
 * secret has), spaces allowed around;
 * then a quoted value up to its closing quote (or the end), or an unquoted one.
 */
const PAIR_RE = new RegExp(
  `((?:(?:${anyCase(BARE_COLON_NAMES)})(?:['"][ \\t]*[=:]|[ \\t]*[=:])` +
    `|(?:${anyCase(['token'])}|(?:(?<![A-Za-z0-9])|(?<=[a-z0-9])(?=[A-Z]))(?:${anyCase(SHORT_NAMES)}))` +
    `(?:['"][ \\t]*[=:]|[ \\t]*(?:=|:(?=[\\s'"]))))[ \\t]*)` +
    `(?:(['"])((?:(?!\\2)[^])+)|(?!['"])[^\\s&;,]+)`,
  'g',
);
/** Since: userinfo percent-encoded, or without a scheme; webhook paths. */
const ENCODED_USERINFO_RE = /(%3A%2F%2F)(?:(?!%2F|%3F|%23)[^\s/?#&])*%40/gi;
const BARE_USERINFO_RE =
  /(?<![^\s"'<>=(),;/])(?!mailto:)[^\s/?#@:"'<>=(),;]+?(?::|%3[Aa])[^\s/?#"'<>]*@(?=[A-Za-z0-9[])/gi;
const WEBHOOK_RE = /(hooks\.slack\.com\/)[^\s?#"'<>]+/gi;
const KNOWN_RE =
  /(?<![A-Za-z0-9])(?:(?:AKIA|ASIA)[A-Z0-9]{16,}|AIza[A-Za-z0-9_-]{30,}|gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{22,}|[sr]k_(?:live|test)_[A-Za-z0-9]{10,}|xox[abprs]-[A-Za-z0-9-]{10,})/g;

function text(value: unknown): string | undefined {
  try {
    return typeof value === 'string' ? value : value == null ? '' : String(value);
  } catch {
    return undefined;
  }
}

/** Since: `=` inside a credential (`Bearer password=x`), repeated schemes (`Bearer Bearer x`). */
const AUTH_SCHEME_RE =
  /\b(?:(?:bearer|basic|token)(?:\s+|%20|\+))+[A-Za-z0-9\-._~+/][A-Za-z0-9\-._~+/=]*/gi;

function urlsAndCredentials(s: string, auth: RegExp): string {
  return s
    .replace(URL_RE, '$1$2')
    .replace(NESTED_USERINFO_RE, '$1')
    .replace(PATH_QUERY_RE, '$1$2')
    .replace(auth, REDACTED)
    .replace(JWT_RE, REDACTED);
}

/** The last pass alone, as expressions: known credentials, hex, tokens. */
export function modelRuns(s: string): string {
  return hexAndTokens(s.replace(KNOWN_RE, REDACTED));
}

function hexAndTokens(s: string): string {
  return s
    .replace(HEX_RE, REDACTED)
    .replace(TOKEN_RE, (run) => (looksLikeToken(run) ? REDACTED : run));
}

export function referenceRedact(value: unknown): string {
  const s = text(value);
  if (s === undefined) return REDACTED;
  if (s.length < 16 && !/[=@?#]/.test(s)) return s;
  return hexAndTokens(urlsAndCredentials(s, BEARER_RE).replace(KEY_VALUE_RE, `$1${REDACTED}`));
}

export function modelRedact(value: unknown): string {
  const s = text(value);
  if (s === undefined) return REDACTED;
  if (s.length < 16 && !/[=@?#]|[A-Za-z]:/.test(s)) return s;
  const urls = s
    .replace(URL_RE, '$1$2')
    .replace(NESTED_USERINFO_RE, '$1')
    .replace(ENCODED_USERINFO_RE, '$1')
    .replace(BARE_USERINFO_RE, '')
    .replace(PATH_QUERY_RE, '$1$2')
    .replace(WEBHOOK_RE, `$1${REDACTED}`);
  const pairs = urls
    .replace(AUTH_SCHEME_RE, REDACTED)
    .replace(JWT_RE, REDACTED)
    .replace(
      PAIR_RE,
      (_match, head: string, quote: string | undefined) => `${head}${quote ?? ''}${REDACTED}`,
    );
  return hexAndTokens(pairs.replace(KNOWN_RE, REDACTED));
}

/** The reference's label value: redacted, then cut to 128 characters. */
export function referenceLabelValue(value: unknown, redact = modelRedact): string {
  const s = redact(value);
  if (s.length <= 128) return s;
  const high = s.charCodeAt(127);
  return s.slice(0, high >= 0xd800 && high <= 0xdbff ? 127 : 128);
}

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
