import { redact } from '../redact/redact';

/** Ids are echoed in headers: only short ids of safe characters are taken as they come. */
const SAFE_ID = /^[A-Za-z0-9._:@+=/-]{1,128}$/;
/** The form obsweave makes, and most services send: a random identifier, never a credential. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Whether a correlation id may be echoed and put on spans and exemplars: short, of safe
 * characters, and either a UUID or a value `redact()` leaves as it is. An id that looks like a
 * credential (a JWT, a bearer token, a cloud or API key, `key=secret`) is one a caller should
 * not have given as an id; it is replaced, so that it never reaches a header, a trace or an
 * export. UUIDs are taken although `redact()` takes their long hex runs out of label values:
 * they are what obsweave itself makes, so an id travels from one service to the next. The one
 * rule for every way an id arrives: a request's header and `runWithCorrelationId`.
 */
export function acceptableCorrelationId(v: string): boolean {
  if (!SAFE_ID.test(v)) return false;
  if (v.length === 36 && UUID.test(v)) return true;
  return redact(v) === v;
}
