import { metrics, type MetricsRegistry } from '../core/metrics-registry';
import { getTracer } from '../tracing/global-tracer';
import type { SpanAttributes, Tracer } from '../tracing/tracer';
import { optionsOf, registryOf, type RegistryOption } from './options';
import type { SpanShape } from './probe';
import { SpanProbe } from './span-probe';
import { makeDecorator, type UniversalDecorator } from './make-decorator';
import { className, type MethodSite } from './method-site';
import { runWoven } from './weave';

export interface TracedOptions extends RegistryOption {
  /** Attributes set on every span at start. */
  attributes?: SpanAttributes;
  /** Default: the global tracer, looked up per span (see `setTracer`). */
  tracer?: Tracer;
}

/** `@Traced`'s span: the given name, else `Class.method`, resolved on the first call. */
function tracedProbe(
  registry: MetricsRegistry,
  tracer: Tracer,
  name: string | undefined,
  site: MethodSite | undefined,
  attributes: SpanAttributes | undefined,
): SpanProbe {
  let shape: SpanShape | undefined = name === undefined ? undefined : { name, attributes };
  // Under standard decorators the class is only known from `this`, hence the lazy name.
  return new SpanProbe(registry, tracer, (self) => {
    shape ??= { name: `${className(site!, self)}.${site!.name}`, attributes };
    return shape;
  });
}

function checkAttributes(decorator: string, a: unknown): SpanAttributes | undefined {
  if (a === undefined) return undefined;
  if (a === null || typeof a !== 'object')
    throw new TypeError(`obsweave: ${decorator}: attributes must be an object`);
  return { ...(a as SpanAttributes) };
}

function checkTracer(decorator: string, t: unknown): Tracer {
  if (t === undefined) return getTracer();
  if (t === null || typeof t !== 'object' || typeof (t as Tracer).startSpan !== 'function') {
    throw new TypeError(`obsweave: ${decorator}: tracer must have startSpan()`);
  }
  return t as Tracer;
}

/**
 * Traces each call as a span named `name`, default `Class.method`.
 *
 * @example
 * ```ts
 * setTracer(otelTracer(trace.getTracer('media-worker')));
 * class Pipeline {
 *   @Traced() // span "Pipeline.process"; nested @Traced calls are its children
 *   async process(job: Job) { ... }
 * }
 * ```
 */
export function Traced(name?: string, opts?: TracedOptions): UniversalDecorator {
  const deco = '@Traced';
  if (name !== undefined && (typeof name !== 'string' || name === '')) {
    throw new TypeError(`obsweave: ${deco}: the span name must be a non-empty string`);
  }
  const o = optionsOf(deco, opts);
  const registry = registryOf(deco, o);
  const attributes = checkAttributes(deco, o.attributes);
  const tracer = checkTracer(deco, o.tracer);
  return makeDecorator({
    decorator: deco,
    kind: 'traced',
    probe: (site) => tracedProbe(registry, tracer, name, site, attributes),
  });
}

/**
 * Runs `fn` now inside a span named `name` (from the global tracer) and returns what it
 * returns; a Promise or Observable ends the span when it settles.
 */
export function traced<T>(name: string, fn: () => T, attrs?: SpanAttributes): T {
  const deco = 'traced';
  if (typeof name !== 'string' || name === '')
    throw new TypeError(`obsweave: ${deco}: the span name must be a non-empty string`);
  if (typeof fn !== 'function') throw new TypeError(`obsweave: ${deco}: fn must be a function`);
  const probe = tracedProbe(metrics, getTracer(), name, undefined, checkAttributes(deco, attrs));
  return runWoven(probe, fn, undefined) as T;
}
