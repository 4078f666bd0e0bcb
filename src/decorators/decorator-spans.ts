import { metrics } from '../core/metrics-registry';
import { decoratorSpansEnabled, getTracer } from '../tracing/global-tracer';
import type { Probe } from './probe';
import { SpanProbe } from './span-probe';
import { runWoven } from './weave';

type AnyProbe = Probe<any>;

const NO_ARGS: readonly unknown[] = Object.freeze([]);

/**
 * In front of a metrics probe that can describe a span: while decorator spans are on, the call
 * runs inside its own span, metrics recorded within it; while off, one flag check is all.
 */
export function withDecoratorSpans(inner: Function, probe: AnyProbe): Function {
  const spanning = spanProbeOf(probe);
  return function woven(this: unknown) {
    // eslint-disable-next-line prefer-rest-params
    if (decoratorSpansEnabled()) return runWoven(spanning, inner, this, arguments);
    // eslint-disable-next-line prefer-rest-params
    return inner.apply(this, arguments);
  };
}

const spanProbes = new WeakMap<AnyProbe, SpanProbe>();

function spanProbeOf(probe: AnyProbe): SpanProbe {
  let p = spanProbes.get(probe);
  if (p === undefined) {
    p = new SpanProbe(
      probe.registry ?? metrics,
      getTracer(),
      (self) => probe.span!(self),
      probe.spanResult?.bind(probe),
    );
    spanProbes.set(probe, p);
  }
  return p;
}

/**
 * `runWoven` for the functional twins of metrics decorators: inside a span of their own while
 * decorator spans are on.
 */
export function runProbed(
  probe: AnyProbe,
  fn: Function,
  self: unknown,
  args: ArrayLike<unknown> = NO_ARGS,
): unknown {
  if (probe.span === undefined || !decoratorSpansEnabled()) return runWoven(probe, fn, self, args);
  // The span probe sees the arguments too (a request among them carries its correlation id).
  return runWoven(spanProbeOf(probe), () => runWoven(probe, fn, self, args), self, args);
}
