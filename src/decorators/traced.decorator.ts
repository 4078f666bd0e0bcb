import { metrics, type MetricsRegistry } from '../core/metrics-registry';
import { correlationId } from '../http/correlation';
import { getTracer } from '../tracing/global-tracer';
import { NOOP_SPAN } from '../tracing/noop-tracer';
import type { Span, SpanAttributes, Tracer } from '../tracing/tracer';
import { optionsOf, registryOf, type RegistryOption } from './options';
import {
  className,
  makeDecorator,
  runWoven,
  type MethodSite,
  type Probe,
  type UniversalDecorator,
} from './weave';

export interface TracedOptions extends RegistryOption {
  /** Attributes set on every span at start. */
  attributes?: SpanAttributes;
  /** Default: the global tracer, looked up per span (see `setTracer`). */
  tracer?: Tracer;
}

/**
 * One span per call, ended with the error on failure. The method runs inside the span's
 * context (`Tracer.withSpan`), so traced calls it makes are its children. The span gets
 * `correlation.id` while a request's correlation id is in scope. The registry only hears of a
 * tracer that throws; the call itself always goes on.
 */
class TracedProbe implements Probe<Span | undefined> {
  private spanName: string | undefined;

  constructor(
    readonly registry: MetricsRegistry,
    private readonly tracer: Tracer,
    name: string | undefined,
    private readonly site: MethodSite | undefined,
    private readonly attributes: SpanAttributes | undefined,
  ) {
    this.spanName = name;
  }

  enter(self: unknown): Span {
    // Under standard decorators the class is only known from `this`, hence the lazy name.
    const name = (this.spanName ??= `${className(this.site!, self)}.${this.site!.name}`);
    const id = correlationId();
    const attrs = id === undefined ? this.attributes : { ...this.attributes, 'correlation.id': id };
    try {
      return this.tracer.startSpan(name, attrs) ?? NOOP_SPAN;
    } catch {
      this.registry.warnOnce(
        'traced.start',
        'the tracer threw in startSpan(); the call ran untraced',
      );
      return NOOP_SPAN;
    }
  }

  run(span: Span | undefined, fn: Function, self: unknown, args: ArrayLike<unknown>): unknown {
    const tracer = this.tracer;
    if (span === undefined || span === NOOP_SPAN || typeof tracer.withSpan !== 'function') {
      return fn.apply(self, args);
    }
    return tracer.withSpan(span, () => fn.apply(self, args));
  }

  ok(_ms: number, span: Span | undefined): void {
    this.end(span, undefined, false);
  }

  fail(_ms: number, err: unknown, span: Span | undefined): void {
    this.end(span, err, true);
  }

  private end(span: Span | undefined, err: unknown, failed: boolean): void {
    if (span === undefined) return;
    try {
      if (failed) span.end(err);
      else span.end();
    } catch {
      this.registry.warnOnce('traced.end', 'a span threw in end(); ignored');
    }
  }
}

function checkAttributes(decorator: string, a: unknown): SpanAttributes | undefined {
  if (a === undefined) return undefined;
  if (a === null || typeof a !== 'object')
    throw new TypeError(`${decorator}: attributes must be an object`);
  return { ...(a as SpanAttributes) };
}

function checkTracer(decorator: string, t: unknown): Tracer {
  if (t === undefined) return getTracer();
  if (t === null || typeof t !== 'object' || typeof (t as Tracer).startSpan !== 'function') {
    throw new TypeError(`${decorator}: tracer must have startSpan()`);
  }
  return t as Tracer;
}

/** Traces each call as a span named `name`, default `Class.method`. */
export function Traced(name?: string, opts?: TracedOptions): UniversalDecorator {
  const deco = '@Traced';
  if (name !== undefined && (typeof name !== 'string' || name === '')) {
    throw new TypeError(`${deco}: the span name must be a non-empty string`);
  }
  const o = optionsOf(deco, opts);
  const registry = registryOf(deco, o);
  const attributes = checkAttributes(deco, o.attributes);
  const tracer = checkTracer(deco, o.tracer);
  return makeDecorator({
    decorator: deco,
    kind: 'traced',
    probe: (site) => new TracedProbe(registry, tracer, name, site, attributes),
  });
}

/**
 * Runs `fn` now inside a span named `name` (from the global tracer) and returns what it
 * returns; a Promise or Observable ends the span when it settles.
 */
export function traced<T>(name: string, fn: () => T, attrs?: SpanAttributes): T {
  const deco = 'traced';
  if (typeof name !== 'string' || name === '')
    throw new TypeError(`${deco}: the span name must be a non-empty string`);
  if (typeof fn !== 'function') throw new TypeError(`${deco}: fn must be a function`);
  const probe = new TracedProbe(
    metrics,
    getTracer(),
    name,
    undefined,
    checkAttributes(deco, attrs),
  );
  return runWoven(probe, fn, undefined) as T;
}
