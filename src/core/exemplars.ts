/** The trace a histogram observation belongs to, when a span is active. */
export interface TraceRef {
  traceId: string;
  spanId: string;
}

/** One exemplar slot per bucket, overwritten in place: the last observation wins. */
export interface Exemplar {
  traceId: string;
  spanId: string;
  value: number;
  /** ms since the epoch */
  timestamp: number;
}

export type TraceRefSource = () => TraceRef | undefined;

let source: TraceRefSource | undefined;

/**
 * Installed by a tracer adapter (`obsweave/otel`) so that histograms can keep exemplars without
 * the core importing any tracing library. `undefined` turns exemplars off: one load per observe.
 */
export function setTraceRefSource(fn: TraceRefSource | undefined): void {
  source = fn;
}

export function traceRefSource(): TraceRefSource | undefined {
  return source;
}
