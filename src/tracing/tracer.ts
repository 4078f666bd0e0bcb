/** Attribute values as callers pass them; an adapter converts what its backend cannot store. */
export type SpanAttributes = Record<string, unknown>;

/**
 * One unit of traced work. NOTE: a span is never ended for you by the tracer; whoever starts
 * it must call `end()` exactly once, passing the error when the work failed.
 */
export interface Span {
  setAttribute(key: string, value: unknown): void;
  /** Ends the span; with `err` it is marked failed and the error is recorded. */
  end(err?: unknown): void;
}

export interface Tracer {
  /**
   * Starts a span as a child of the active span, if the tracer has a notion of one. The span
   * is NOT made active by starting it: see `withSpan`.
   */
  startSpan(name: string, attrs?: SpanAttributes): Span;
  /**
   * Runs `fn` with `span` as the active span, so spans started inside it, synchronously or
   * in its async continuations, are its children. Optional: a tracer without a context of
   * its own leaves it out and `fn` simply runs. This is the hook an OpenTelemetry adapter
   * implements with `context.with(trace.setSpan(context.active(), span), fn)`.
   */
  withSpan?<T>(span: Span, fn: () => T): T;
}
