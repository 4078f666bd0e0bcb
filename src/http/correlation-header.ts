import type { IncomingHttpHeaders } from 'node:http';
import { acceptableCorrelationId } from '../context/correlation-id';

/** Header names read, in order, when no `correlationHeader` is configured. */
export const CORRELATION_HEADERS: readonly string[] = ['x-correlation-id', 'x-request-id'];

/** The header names read, in order: the configured one alone, else the defaults. The first is echoed. */
export function correlationNames(header?: string): readonly string[] {
  return header ? [header.toLowerCase()] : CORRELATION_HEADERS;
}

/** `null` for a value that is there but may not be taken. */
function pick(value: string | string[] | undefined): string | null | undefined {
  if (value === undefined) return undefined;
  const v = Array.isArray(value) ? value[0] : value;
  return typeof v === 'string' && acceptableCorrelationId(v) ? v : null;
}

/** What a correlation id is read from: a Node request. */
export interface CorrelationSource {
  readonly rawHeaders?: readonly string[];
  readonly headers?: IncomingHttpHeaders;
}

/**
 * The correlation id the request brought: the first of `names` carrying an acceptable id;
 * `null` when one of them is there but none is acceptable (malformed or credential-like: it is
 * replaced, so a client cannot inject headers, plant an unbounded value in logs, or have a
 * secret copied into traces); `undefined` when there is none. Read from `rawHeaders` where
 * there are any: Node builds `req.headers` on first access, work a handler that never reads
 * headers should not pay.
 */
export function readIncomingId(
  req: CorrelationSource | undefined,
  names: readonly string[] = CORRELATION_HEADERS,
): string | null | undefined {
  const raw = Array.isArray(req?.rawHeaders) ? req.rawHeaders : undefined;
  const headers = raw === undefined ? (req?.headers ?? undefined) : undefined;
  if (raw === undefined && headers === undefined) return undefined;
  let found: null | undefined;
  for (let i = 0; i < names.length; i++) {
    const id = pick(raw !== undefined ? rawHeader(raw, names[i]) : headers![names[i]]);
    if (id) return id;
    if (id === null) found = null;
  }
  return found;
}

/** The first value of header `name` (lower case) in Node's `[name, value, ...]` list. */
function rawHeader(raw: readonly string[], name: string): string | undefined {
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const k = raw[i];
    if (k.length === name.length && (k === name || sameLowerCase(k, name))) return raw[i + 1];
  }
  return undefined;
}

/**
 * `k.toLowerCase() === lower` without the string `toLowerCase` makes: every request's headers of
 * the same length as the name (`Content-Type` beside `x-request-id`) came here.
 */
function sameLowerCase(k: string, lower: string): boolean {
  for (let i = 0; i < k.length; i++) {
    const c = k.charCodeAt(i);
    if ((c >= 65 && c <= 90 ? c + 32 : c) !== lower.charCodeAt(i)) return false;
  }
  return true;
}
