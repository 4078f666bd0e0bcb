import {
  context,
  createContextKey,
  isSpanContextValid,
  trace,
  TraceFlags,
  type Attributes,
  type Tracer as OtelTracer,
} from '@opentelemetry/api';
import { setCorrelationFallback } from '../context/correlation';
import { acceptableCorrelationId } from '../context/correlation-id';
import { setTraceRefSource, type TraceRef } from '../core/exemplars';
import type { Span, SpanAttributes, Tracer } from '../tracing/tracer';
import { CORRELATION_ID_ATTRIBUTE, redactSpanText } from '../decorators/span-strings';
import { attributeValue, OtelSpanAdapter } from './otel-span';

export interface OtelTracerOptions {
  /**
   * Keep the active span's trace id on histogram buckets, shown as exemplars in the
   * OpenMetrics output. Default true.
   */
  exemplars?: boolean;
}

/**
 * The trace of the active OpenTelemetry span, when it is sampled. A `SpanContext` already has
 * `traceId` and `spanId`, so it is handed over as it is: no allocation per observation.
 */
export function activeTraceRef(): TraceRef | undefined {
  const span = trace.getSpan(context.active());
  if (span === undefined) return undefined;
  const sc = span.spanContext();
  return isSpanContextValid(sc) && (sc.traceFlags & TraceFlags.SAMPLED) !== 0 ? sc : undefined;
}

/** Where a span's correlation id rides in OpenTelemetry's context, below the span itself. */
const CORRELATION_ID = createContextKey('obsweave.correlation.id');

/**
 * The correlation id of the innermost obsweave span in OpenTelemetry's active context: with
 * the async context off (correlation 'request'), decorated calls beneath a span that knew its
 * request's id (the handler took the request) find it here, past any await.
 */
export function activeCorrelationIdOfSpan(): string | undefined {
  const v = context.active().getValue(CORRELATION_ID);
  return typeof v === 'string' ? v : undefined;
}

function toAttributes(attrs: SpanAttributes | undefined): Attributes | undefined {
  if (attrs === undefined) return undefined;
  const out: Attributes = {};
  for (const k of Object.keys(attrs)) {
    const v = attributeValue(k, attrs[k]);
    if (v !== undefined) out[redactSpanText(k)] = v;
  }
  return out;
}

/**
 * Adapts a tracer from `@opentelemetry/api` to obsweave's `Tracer`: spans are children of the
 * active OpenTelemetry context, and `withSpan` runs code inside `context.with`, so nested
 * decorated calls — across `await` and timers, given a context manager such as
 * `AsyncLocalStorageContextManager` — become children. Use with `setTracer(otelTracer(t))`.
 */
export function otelTracer(tracer: OtelTracer, opts: OtelTracerOptions = {}): Tracer {
  if (tracer === null || typeof tracer !== 'object' || typeof tracer.startSpan !== 'function') {
    throw new TypeError(
      'obsweave: otelTracer: needs a Tracer from @opentelemetry/api (trace.getTracer(name))',
    );
  }
  if (opts.exemplars !== false) setTraceRefSource(activeTraceRef);
  setCorrelationFallback(activeCorrelationIdOfSpan);
  return {
    startSpan(name: string, attrs?: SpanAttributes): Span {
      const id = attrs?.[CORRELATION_ID_ATTRIBUTE];
      return new OtelSpanAdapter(
        tracer.startSpan(
          redactSpanText(name),
          { attributes: toAttributes(attrs) },
          context.active(),
        ),
        typeof id === 'string' && acceptableCorrelationId(id) ? id : undefined,
      );
    },
    withSpan<T>(span: Span, fn: () => T): T {
      if (!(span instanceof OtelSpanAdapter)) return fn();
      let ctx = trace.setSpan(context.active(), span.span);
      if (span.correlationId !== undefined) ctx = ctx.setValue(CORRELATION_ID, span.correlationId);
      return context.with(ctx, fn);
    },
  };
}
