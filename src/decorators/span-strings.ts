import { acceptableCorrelationId } from '../context/correlation-id';
import { redact } from '../redact/redact';
import type { SpanAttributes } from '../tracing/tracer';

/**
 * Span names, attribute keys and most values repeat (`stage transcribe`, `peer.service`), and
 * `redact()` of one costs about a µs: those it leaves as they are are remembered. Only those:
 * a string it changes held a secret, which is kept nowhere. Bounded; emptied when full.
 */
const CLEAN_MAX = 1024;
const CLEAN_LENGTH = 256;
const clean = new Set<string>();

/** `redact(s)`, for the strings a tracer is given. */
export function redactSpanText(s: string): string {
  if (clean.has(s)) return s;
  const r = redact(s);
  if (r === s && s.length <= CLEAN_LENGTH) {
    if (clean.size >= CLEAN_MAX) clean.clear();
    clean.add(s);
  }
  return r;
}

/** The attribute that carries a request's correlation id on a span. */
export const CORRELATION_ID_ATTRIBUTE = 'correlation.id';

/**
 * An attribute value as a tracer may be given it: a string redacted, in an array too; other
 * values as they are (a tracer adapter that turns them into text redacts that text). The
 * correlation id is checked as ids are instead: a UUID, which `redact()` would take for a hex
 * run, is kept whole.
 */
export function spanAttributeValue(key: string, v: unknown): unknown {
  if (typeof v === 'string') {
    return key === CORRELATION_ID_ATTRIBUTE && acceptableCorrelationId(v) ? v : redactSpanText(v);
  }
  if (!Array.isArray(v) || !v.some((x) => typeof x === 'string')) return v;
  return v.map((x) => (typeof x === 'string' ? redactSpanText(x) : x));
}

/** Attributes as a tracer may be given them: keys and values redacted. */
export function spanAttributes(attrs: SpanAttributes | undefined): SpanAttributes | undefined {
  if (attrs === undefined) return undefined;
  const out: SpanAttributes = {};
  for (const k of Object.keys(attrs)) out[redactSpanText(k)] = spanAttributeValue(k, attrs[k]);
  return out;
}
