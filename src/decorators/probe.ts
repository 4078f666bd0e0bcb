import type { MetricsRegistry } from '../core/metrics-registry';
import type { Span, SpanAttributes } from '../tracing/tracer';

/** The span a metrics decorator's call opens while decorator spans are switched on. */
export interface SpanShape {
  readonly name: string;
  readonly attributes?: SpanAttributes;
}

/**
 * What a decorator adds around a call. Each decorator is a probe ("which metrics, which
 * labels"); `weave.ts` is the only place that knows how calls are wrapped.
 *
 * `ok` and `fail` receive the elapsed ms. A probe with neither `enter` nor `run` gets the fast
 * path: no per-call state, no closure, no allocation for a synchronous call.
 */
export interface Probe<C = undefined> {
  /** Where a hook that throws is reported; default `metrics`. */
  readonly registry?: MetricsRegistry;
  /** Per-call state made before the method runs (a span), handed to `ok`/`fail`. */
  enter?(self: unknown, args: ArrayLike<unknown>): C;
  /** Runs the method instead of `fn.apply(self, args)`: inside a span's context, under a timeout. */
  run?(ctx: C, fn: Function, self: unknown, args: ArrayLike<unknown>): unknown;
  ok(ms: number, ctx: C, self: unknown): void;
  fail(ms: number, err: unknown, ctx: C, self: unknown): void;
  /**
   * The span of one call, for metrics decorators (`@Stage`, `@ExternalCall`, `@Route`) while
   * `setTracer(t, { decoratorSpans: true })` is in force. The metrics are then recorded inside
   * that span's context, so their exemplars point at it.
   */
  span?(self: unknown): SpanShape;
  /** Attributes known once the call settled: an outcome, a status code. */
  spanResult?(span: Span, err: unknown, failed: boolean, self: unknown): void;
}
