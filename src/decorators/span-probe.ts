import { activeCorrelationId } from '../context/correlation';
import { correlationIdAmong } from '../context/request-correlation';
import type { MetricsRegistry } from '../core/metrics-registry';
import { redact } from '../redact/redact';
import { isNoopTracer } from '../tracing/global-tracer';
import { NOOP_SPAN } from '../tracing/noop-tracer';
import type { Span, Tracer } from '../tracing/tracer';
import type { Probe, SpanShape } from './probe';
import { CORRELATION_ID_ATTRIBUTE, redactSpanText, spanAttributes } from './span-strings';

/**
 * One span per call, ended with the error on failure. The call runs inside the span's context
 * (`Tracer.withSpan`), so spans started beneath it are its children. The span gets
 * `correlation.id` while a request's correlation id is in scope: in its async context, or, with
 * the context off, in code running synchronously inside the middleware or in a call that takes
 * the request among its arguments (a handler's `req`). The registry only hears of a
 * tracer that throws; the call itself always goes on. `@Traced` is this probe alone; metrics
 * decorators get one in front of them while decorator spans are on.
 */
export class SpanProbe implements Probe<Span> {
  private lastShape: SpanShape | undefined = undefined;
  private lastRedacted: SpanShape | undefined = undefined;

  constructor(
    readonly registry: MetricsRegistry,
    private readonly tracer: Tracer,
    private readonly shape: (self: unknown) => SpanShape,
    private readonly result?: (span: Span, err: unknown, failed: boolean, self: unknown) => void,
  ) {}

  enter(self: unknown, args: ArrayLike<unknown>): Span {
    // Nothing would record the id: asking for it would make one and echo it on the response.
    if (isNoopTracer(this.tracer)) return NOOP_SPAN;
    try {
      const { name, attributes } = this.redactedShape(self);
      // Checked where it came in (a header, `runWithCorrelationId`); redact() would cut a UUID.
      const id = activeCorrelationId() ?? correlationIdAmong(args);
      const attrs =
        id === undefined ? attributes : { ...attributes, [CORRELATION_ID_ATTRIBUTE]: id };
      return this.tracer.startSpan(name, attrs) ?? NOOP_SPAN;
    } catch {
      this.registry.warnOnce(
        'span.start',
        'the tracer threw in startSpan(); the call ran untraced',
      );
      return NOOP_SPAN;
    }
  }

  /**
   * The shape with its name and attributes redacted: stage, service and route names are the
   * caller's, and may hold anything. Shapes are made once per decorated method (per call for
   * the functional twins), so the last one is kept with its redacted form.
   */
  private redactedShape(self: unknown): SpanShape {
    const shape = this.shape(self);
    if (shape !== this.lastShape || this.lastRedacted === undefined) {
      this.lastRedacted = {
        name: redactSpanText(shape.name),
        attributes: spanAttributes(shape.attributes),
      };
      this.lastShape = shape;
    }
    return this.lastRedacted;
  }

  run(span: Span, fn: Function, self: unknown, args: ArrayLike<unknown>): unknown {
    const tracer = this.tracer;
    if (span === NOOP_SPAN || typeof tracer.withSpan !== 'function') return fn.apply(self, args);
    return tracer.withSpan(span, () => fn.apply(self, args));
  }

  ok(_ms: number, span: Span, self: unknown): void {
    this.end(span, undefined, false, self);
  }

  fail(_ms: number, err: unknown, span: Span, self: unknown): void {
    this.end(span, err, true, self);
  }

  private end(span: Span, err: unknown, failed: boolean, self: unknown): void {
    if (span === NOOP_SPAN) return;
    try {
      this.result?.(span, err, failed, self);
      // A thrown string is text obsweave hands on; an Error is the caller's object, which an
      // adapter that writes it out (obsweave/otel) redacts.
      if (failed) span.end(typeof err === 'string' ? redact(err) : err);
      else span.end();
    } catch {
      this.registry.warnOnce('span.end', 'a span threw in setAttribute() or end(); ignored');
    }
  }
}
