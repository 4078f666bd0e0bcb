import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** Header names read, in order, when no `correlationHeader` is configured. */
export const CORRELATION_HEADERS: readonly string[] = ['x-correlation-id', 'x-request-id'];

/** Headers are echoed back: only short ids of safe characters are taken as they come. */
const SAFE_ID = /^[A-Za-z0-9._:@+=/-]{1,128}$/;

function pick(value: string | string[] | undefined): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return typeof v === 'string' && SAFE_ID.test(v) ? v : undefined;
}

/**
 * The request's correlation id: the first of `names` carrying a well-formed id, else a new
 * UUID. A malformed one is replaced rather than echoed, so a client cannot inject headers or
 * plant an unbounded value in logs.
 */
export function readCorrelationId(
  headers: IncomingHttpHeaders | undefined,
  names: readonly string[] = CORRELATION_HEADERS,
): string {
  if (headers !== undefined && headers !== null) {
    for (let i = 0; i < names.length; i++) {
      const id = pick(headers[names[i]]);
      if (id !== undefined) return id;
    }
  }
  return randomUUID();
}
