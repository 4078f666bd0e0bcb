import { ALNUM, classOf, codeAt, isSpace, LETTER, lower, matchesAt, SCHEME, WORD } from './chars';
import { REDACTED } from './marker';
import { Rewriter } from './rewriter';

/**
 * The URL passes of `redact()`. Each reads its input once, from one `://`, `?` or `#` to the
 * next (found with `indexOf`, so a value without one costs next to nothing), and returns the
 * input itself when it changes nothing. Their results are those of the regular expressions
 * beside them, which read the same text in quadratic time on some shapes (`a.a.a…` tries a
 * scheme from every letter).
 */

/** `/` `?` `#` or a space: where a URL's authority ends. */
function endsAuthority(c: number): boolean {
  return c === 47 || c === 63 || c === 35 || isSpace(c);
}

/** `?` `#` or a space: where a URL's path ends. */
function endsPath(c: number): boolean {
  return c === 63 || c === 35 || isSpace(c);
}

/**
 * `scheme://[userinfo@]rest[?query][#fragment]` keeps `scheme://rest`: signed URLs carry their
 * signature in the query. Userinfo runs to the last `@` before the path, as URL parsers read
 * it: a password may hold `@`. As
 * `/\b([a-z][a-z0-9+.-]*:\/\/)(?:[^\s/?#]*@)?([^\s?#]*)(?:[?#][^\s]*)?/gi` → `$1$2`.
 */
export function stripUrls(s: string): string {
  let q = s.indexOf('://');
  if (q < 0) return s;
  const n = s.length;
  const w = new Rewriter(s);
  let from = 0;
  while (q >= 0) {
    // The scheme is the run of scheme characters before `://`; it starts at its first letter
    // that follows a non-word character (`\b`), so `x-https://` is one scheme.
    let r = q;
    while (r > from && (classOf(s.charCodeAt(r - 1)) & SCHEME) !== 0) r--;
    let valid = false;
    for (let p = r; p < q && !valid; p++) {
      valid =
        (classOf(s.charCodeAt(p)) & LETTER) !== 0 &&
        (p === 0 || (classOf(s.charCodeAt(p - 1)) & WORD) === 0);
    }
    if (!valid) {
      from = q + 1;
      q = s.indexOf('://', from);
      continue;
    }
    let j = q + 3;
    let at = -1;
    for (; j < n; j++) {
      const c = s.charCodeAt(j);
      if (c === 64) at = j;
      else if (endsAuthority(c)) break;
    }
    const host = at < 0 ? q + 3 : at + 1;
    let m = j;
    while (m < n && !endsPath(s.charCodeAt(m))) m++;
    let e = m;
    if (m < n && !isSpace(s.charCodeAt(m))) {
      e = m + 1;
      while (e < n && !isSpace(s.charCodeAt(e))) e++;
    }
    if (host !== q + 3) w.replace(q + 3, host, '');
    if (e !== m) w.replace(m, e, '');
    from = e;
    q = e < n ? s.indexOf('://', e) : -1;
  }
  return w.result();
}

/**
 * A URL nested in another's path (`/proxy/https://user:pw@host/`) loses its userinfo too; the
 * outer match consumed it. As `/(:\/\/)[^\s/?#]*@/g` → `$1`.
 */
export function stripNestedUserinfo(s: string): string {
  if (s.indexOf('@') < 0) return s;
  let q = s.indexOf('://');
  const n = s.length;
  const w = new Rewriter(s);
  while (q >= 0) {
    let at = -1;
    for (let j = q + 3; j < n; j++) {
      const c = s.charCodeAt(j);
      if (c === 64) at = j;
      else if (endsAuthority(c)) break;
    }
    if (at >= 0) w.replace(q + 3, at + 1, '');
    // The next `://` starts past this one's `//`, which ended its scan: nothing is read twice.
    q = s.indexOf('://', at >= 0 ? at + 1 : q + 1);
  }
  return w.result();
}

/**
 * A path-like value with a query or fragment (`/hook?token=x`) loses them: the same secrets,
 * without a scheme. As `/(^|\s)(\/[^\s?#]*)[?#][^\s]*\/g` → `$1$2`. Read from each `?` or
 * `#` back to where its path starts, so each character is read at most twice.
 */
export function stripPathQueries(s: string): string {
  let q = s.indexOf('?');
  let h = s.indexOf('#');
  if (q < 0 && h < 0) return s;
  const n = s.length;
  const w = new Rewriter(s);
  let from = 0;
  for (;;) {
    if (q >= 0 && q < from) q = s.indexOf('?', from);
    if (h >= 0 && h < from) h = s.indexOf('#', from);
    const m = q < 0 ? h : h < 0 ? q : Math.min(q, h);
    if (m < 0) break;
    let t = m;
    while (t > 0 && !endsPath(s.charCodeAt(t - 1))) t--;
    // The path starts with `/`, at the very start or just after a space.
    const starts = s.charCodeAt(t) === 47 && (t === 0 || isSpace(s.charCodeAt(t - 1)));
    if (!starts) {
      from = m + 1;
      continue;
    }
    let e = m + 1;
    while (e < n && !isSpace(s.charCodeAt(e))) e++;
    w.replace(m, e, '');
    from = e;
    if (e >= n) break;
  }
  return w.result();
}

/**
 * A URL written percent-encoded (`/proxy/https%3A%2F%2Fadmin%3Apw%40host%2F`, a path or a form
 * value) loses its userinfo, up to its last `%40`. As
 * `/(%3A%2F%2F)(?:(?!%2F|%3F|%23)[^\s/?#&])*%40/gi` → `$1`.
 */
export function stripEncodedUserinfo(s: string): string {
  // Nothing to take out past the last `%40`.
  const last = s.lastIndexOf('%40');
  if (last < 0) return s;
  let q = s.indexOf('%3', 0);
  if (q < 0 || q > last) return s;
  const n = s.length;
  const w = new Rewriter(s);
  while (q >= 0 && q < last) {
    if (!matchesAt(s, q, '%3a%2f%2f')) {
      q = s.indexOf('%3', q + 1);
      continue;
    }
    const start = q + 9;
    let at = -1;
    let j = start;
    for (; j < n; j++) {
      const c = s.charCodeAt(j);
      if (c === 37) {
        if (encodedAuthorityEnd(s, j)) break;
        if (s.charCodeAt(j + 1) === 52 && s.charCodeAt(j + 2) === 48) at = j;
      } else if (endsAuthority(c) || c === 38) break;
    }
    if (at >= 0) w.replace(start, at + 3, '');
    // Another `%3A%2F%2F` can start before the end of this authority only with its `%2F`
    // there, three characters before it; read on from there.
    q = s.indexOf('%3', at >= 0 ? at + 3 : Math.max(j - 3, start));
  }
  return w.result();
}

/** `%2F`, `%3F` or `%23` at `i` (a `%` there): an encoded `/`, `?` or `#`. */
function encodedAuthorityEnd(s: string, i: number): boolean {
  const a = s.charCodeAt(i + 1);
  const b = lower(codeAt(s, i + 2));
  return (a === 50 && (b === 102 || b === 51)) || (a === 51 && b === 102);
}

/** Where a bare `user:pass@host` may start: after a space, a quote, `<>=(),;` or `/`. */
const BEFORE_USERINFO = 1;
/** What a bare userinfo's user name is not made of: the above and `? # @ :`. */
const ENDS_USER = 2;
/** What ends a bare userinfo's password and host: `\s / ? # " ' < >`. */
const ENDS_BARE_AUTHORITY = 4;

const USERINFO_TABLE = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  const space = isSpace(c);
  let bits = 0;
  if (space || `"'<>=(),;/`.includes(ch)) bits |= BEFORE_USERINFO | ENDS_USER;
  if ('?#@:'.includes(ch)) bits |= ENDS_USER;
  if (space || `/?#"'<>`.includes(ch)) bits |= ENDS_BARE_AUTHORITY;
  USERINFO_TABLE[c] = bits;
}

/** The userinfo class bits of a code unit; outside ASCII only spaces have any. */
function userinfoBits(c: number): number {
  if (c < 128) return USERINFO_TABLE[c];
  return isSpace(c) ? BEFORE_USERINFO | ENDS_USER | ENDS_BARE_AUTHORITY : 0;
}

/** `%3A` or `%3a` at `i` (a `%` there). */
function encodedColon(s: string, i: number): boolean {
  return s.charCodeAt(i + 1) === 51 && lower(codeAt(s, i + 2)) === 97;
}

/** `[A-Za-z0-9[]`: what a host starts with (`[` an IPv6 address). */
function startsHost(c: number): boolean {
  return (classOf(c) & ALNUM) !== 0 || c === 91;
}

/**
 * Userinfo without a scheme, as connection strings and log lines write it
 * (`admin:hunter2@db:5432`, `svc%3Apw@cache`): from where a word starts to its last `@` that a
 * host follows, when a user name and a `:` (or `%3A`) come before its first `@`; not `mailto:`. As
 * `/(?<![^\s"'<>=(),;/])(?!mailto:)[^\s/?#@:"'<>=(),;]+?(?::|%3[Aa])[^\s/?#"'<>]*@(?=[A-Za-z0-9[])/gi`
 * → ``.
 */
export function stripBareUserinfo(s: string): string {
  if (s.indexOf('@') < 0 || (s.indexOf(':') < 0 && s.indexOf('%3') < 0)) return s;
  const n = s.length;
  const w = new Rewriter(s);
  let i = 0;
  while (i < n) {
    if (i > 0 && (userinfoBits(s.charCodeAt(i - 1)) & BEFORE_USERINFO) === 0) {
      i++;
      continue;
    }
    // The user name: up to the first `:` or `%3A` after its first character.
    let j = i;
    let sep = -1;
    for (; j < n; j++) {
      const c = s.charCodeAt(j);
      if ((userinfoBits(c) & ENDS_USER) !== 0) {
        if (c === 58) sep = j + 1;
        break;
      }
      if (c === 37 && j > i && encodedColon(s, j)) {
        sep = j + 3;
        break;
      }
    }
    // `mailto:bob@example.com` names an address, not a login; `/:id@` is no user name.
    if (sep < 0 || j === i || (j - i === 6 && sep === j + 1 && matchesAt(s, i, 'mailto'))) {
      i = j > i ? j : i + 1;
      continue;
    }
    let at = -1;
    let k = sep;
    for (; k < n; k++) {
      const c = s.charCodeAt(k);
      if ((userinfoBits(c) & ENDS_BARE_AUTHORITY) !== 0) break;
      if (c === 64 && startsHost(codeAt(s, k + 1))) at = k;
    }
    if (at < 0) {
      // A word starting later in this one ends where it does: no `@` there either.
      i = k;
      continue;
    }
    w.replace(i, at + 1, '');
    i = at + 1;
  }
  return w.result();
}

/** A host whose every path is a credential: an incoming webhook's URL is all it takes to post. */
const WEBHOOK_HOST = 'hooks.slack.com';

/**
 * A Slack webhook's path (`hooks.slack.com/services/T…/B…/…`) becomes `[redacted]`. As
 * `/(hooks\.slack\.com\/)[^\s?#"'<>]+/gi` → `$1[redacted]`. Found from its `/`: most values
 * have none, and most `/` follow no `m`.
 */
export function redactWebhookPaths(s: string): string {
  const host = WEBHOOK_HOST.length;
  let slash = s.indexOf('/', host);
  if (slash < 0) return s;
  const n = s.length;
  const w = new Rewriter(s);
  while (slash >= 0) {
    const start = slash + 1;
    if (!matchesAt(s, slash - host, WEBHOOK_HOST)) {
      slash = s.indexOf('/', start);
      continue;
    }
    let e = start;
    while (e < n && !endsWebhookPath(s.charCodeAt(e))) e++;
    if (e > start) w.replace(start, e, REDACTED);
    // Read on past the path: a host in it went with it, as the expression takes it.
    slash = e < n ? s.indexOf('/', e) : -1;
  }
  return w.result();
}

function endsWebhookPath(c: number): boolean {
  return c === 63 || c === 35 || c === 34 || c === 39 || c === 60 || c === 62 || isSpace(c);
}
