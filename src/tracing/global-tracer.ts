import { metrics } from '../core/metrics-registry';
import { NoopTracer } from './noop-tracer';
import type { Span, SpanAttributes, Tracer } from './tracer';

let delegate: Tracer = new NoopTracer();

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
export function setTracer(t: Tracer): boolean {
  if (t === null || typeof t !== 'object' || typeof (t as Tracer).startSpan !== 'function') {
    metrics.warnOnce('tracing.setTracer', 'setTracer() needs an object with startSpan(); ignored');
    return false;
  }
  delegate = t === proxy ? delegate : t;
  return true;
}

/** The process-wide tracer, bound late: safe to keep from load time. */
export function getTracer(): Tracer {
  return proxy;
}
