/** What an identifier-like path segment becomes. */
const ID_SEGMENT = ':id';

/** Past this length a segment is an identifier or a token whatever its characters. */
const LONG_SEGMENT = 48;
/** Digit-bearing runs this long are tokens (API keys, JWT parts, base64 ids). */
const TOKEN_SEGMENT = 20;
/** Hex runs this long with a digit are ids (Mongo ObjectIds, hashes, short git shas). */
const HEX_SEGMENT = 8;

/**
 * A raw path as a route label: the query and fragment are dropped, and segments that look
 * like identifiers (numbers, UUIDs, hex, long tokens) become `:id`, so `/users/42?x=1` and
 * `/users/43` are one series. Returns the input itself when nothing changes, so the common
 * case allocates nothing.
 */
export function normalizeRoute(path: string): string {
  if (typeof path !== 'string') return '/';
  let end = path.length;
  for (let i = 0; i < end; i++) {
    const c = path.charCodeAt(i);
    if (c === 63 /* ? */ || c === 35 /* # */) end = i;
  }
  let out: string | undefined;
  let copied = 0;
  let start = path.charCodeAt(0) === 47 ? 1 : 0;
  while (start <= end) {
    let stop = path.indexOf('/', start);
    if (stop < 0 || stop > end) stop = end;
    if (stop > start && isIdSegment(path, start, stop)) {
      out = (out ?? '') + path.slice(copied, start) + ID_SEGMENT;
      copied = stop;
    }
    start = stop + 1;
  }
  if (out === undefined)
    return end === path.length ? (end === 0 ? '/' : path) : path.slice(0, end) || '/';
  return out + path.slice(copied, end);
}

/** Is `path[from, to)` an identifier rather than a word a route template would hold? */
function isIdSegment(path: string, from: number, to: number): boolean {
  const len = to - from;
  let digits = 0;
  let hex = 0;
  let dashes = 0;
  for (let i = from; i < to; i++) {
    const c = path.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
    else if ((c >= 97 && c <= 102) || (c >= 65 && c <= 70)) hex++;
    else if (c === 45) dashes++;
  }
  return isIdentifier(len, digits, hex, dashes);
}

/**
 * Is a segment of `len` characters an identifier, given how many of them are `digits`, other
 * `hex` digits (a-f, A-F) and `dashes`?
 */
export function isIdentifier(len: number, digits: number, hex: number, dashes: number): boolean {
  if (len >= LONG_SEGMENT || digits === len) return true;
  if (len === 36 && dashes === 4 && digits + hex === 32) return true; // UUID
  if (digits > 0 && digits + hex === len && len >= HEX_SEGMENT) return true;
  // Words in templates carry no digits; long runs that do are tokens (JWT parts, API keys).
  return len >= TOKEN_SEGMENT && digits > 0;
}
