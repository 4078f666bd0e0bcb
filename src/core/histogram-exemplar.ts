import { correlationSource, type Exemplar, type TraceRef } from './exemplars';

/** What keeps an exemplar per classic bucket: both kinds of histogram series. */
export interface ExemplarSlots {
  exemplars: (Exemplar | undefined)[] | undefined;
}

/**
 * Keeps `v` as the exemplar of bucket `i` of `buckets` when a span is active: the slots are
 * allocated on the first such observation and overwritten in place after.
 */
export function recordExemplar(
  s: ExemplarSlots,
  buckets: number,
  source: () => TraceRef | undefined,
  i: number,
  v: number,
): void {
  let ref: TraceRef | undefined;
  try {
    ref = source();
  } catch {
    return; // a broken tracer costs the exemplar, never the observation or the caller
  }
  if (ref === undefined) return;
  let correlationId: string | undefined;
  try {
    correlationId = correlationSource()();
  } catch {}
  const slots = (s.exemplars ??= new Array(buckets).fill(undefined));
  const e = slots[i];
  if (e === undefined) {
    slots[i] = {
      traceId: ref.traceId,
      spanId: ref.spanId,
      value: v,
      timestamp: Date.now(),
      correlationId,
    };
  } else {
    e.traceId = ref.traceId;
    e.spanId = ref.spanId;
    e.value = v;
    e.timestamp = Date.now();
    e.correlationId = correlationId;
  }
}
