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
  /** The correlation id of the request the observation was made in, when one was known. */
  correlationId: string | undefined;
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

let correlation: () => string | undefined = () => undefined;

/**
 * Installed by `context/` when it loads: the current request's correlation id, kept beside the
 * trace on an exemplar. Read only when an exemplar is stored, never per plain observation.
 */
export function setCorrelationSource(fn: () => string | undefined): void {
  correlation = fn;
}

export function correlationSource(): () => string | undefined {
  return correlation;
}
