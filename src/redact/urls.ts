import { classOf, isSpace, LETTER, SCHEME, WORD } from './chars';
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
