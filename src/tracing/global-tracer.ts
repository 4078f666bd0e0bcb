import { metrics } from '../core/metrics-registry';
import { NoopTracer } from './noop-tracer';
import type { Span, SpanAttributes, Tracer } from './tracer';

let delegate: Tracer = new NoopTracer();
let decoratorSpans = false;

export interface SetTracerOptions {
  /**
   * Also open a span for every call of a `@Stage`, `@ExternalCall` or `@Route` method (and
   * their functional twins), not only `@Traced` ones: traces of the whole pipeline from one
   * annotation each. Default: left as it was (off at start).
   */
  decoratorSpans?: boolean;
}

/** Read on every call of a metrics decorator: one load while off. */
export function decoratorSpansEnabled(): boolean {
  return decoratorSpans;
}

/**
 * What `getTracer()` hands out: it looks the registered tracer up on every span, not when the
 * caller obtained it, so decorators applied at load time follow a `setTracer()` made later.
 */
class ProxyTracer implements Tracer {
  startSpan(name: string, attrs?: SpanAttributes): Span {
    return delegate.startSpan(name, attrs);
  }

  withSpan<T>(span: Span, fn: () => T): T {
    const d = delegate;
    return typeof d.withSpan === 'function' ? d.withSpan(span, fn) : fn();
  }
}

const proxy: Tracer = new ProxyTracer();

/**
 * Registers the process-wide tracer. Never throws: something that is not a tracer is reported
 * once through the default registry's logger and `false` is returned, the previous one kept.
 */
export function setTracer(t: Tracer, opts?: SetTracerOptions): boolean {
  if (t === null || typeof t !== 'object' || typeof (t as Tracer).startSpan !== 'function') {
    metrics.warnOnce('tracing.setTracer', 'setTracer() needs an object with startSpan(); ignored');
    return false;
  }
  delegate = t === proxy ? delegate : t;
  if (opts !== null && typeof opts === 'object' && typeof opts.decoratorSpans === 'boolean') {
    decoratorSpans = opts.decoratorSpans;
  }
  return true;
}

/**
 * Whether spans of `t` certainly record nothing: the no-op tracer, given or registered behind
 * the global one. Such a span needs no name and no attributes, and asks nobody for them (a
 * correlation id asked for is made, and echoed on the response).
 */
export function isNoopTracer(t: Tracer): boolean {
  // Its own method, not the class: a subclass that starts real spans is a tracer.
  return (t === proxy ? delegate : t).startSpan === NOOP_START;
}

const NOOP_START = NoopTracer.prototype.startSpan;

/** The process-wide tracer, bound late: safe to keep from load time. */
export function getTracer(): Tracer {
  return proxy;
}
