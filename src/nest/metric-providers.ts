import { Inject, type FactoryProvider } from '@nestjs/common';
import { metrics, type MetricsRegistry } from '../core/metrics-registry';
import type { Counter, Gauge, Histogram, HistogramOptions, MetricOptions } from '../core/types';

/** The registry `MetricsModule.forRoot()` records into, for providers of any module. */
export const METRICS_REGISTRY = Symbol.for('obsweave.nest.registry');

export interface MetricProviderOptions extends MetricOptions {
  /** The metric's name, as `registry.counter(name)` takes it: `jobs.created_total`. */
  name: string;
}

export interface HistogramProviderOptions extends MetricProviderOptions, HistogramOptions {}

/** The injection token of the metric `name`, for `inject: [getMetricToken(name)]`. */
export function getMetricToken(name: string): string {
  return `obsweave:metric:${name}`;
}

function checked(maker: string, opts: MetricProviderOptions): MetricProviderOptions {
  if (opts === null || typeof opts !== 'object') {
    throw new TypeError(`obsweave: ${maker} takes an options object with a name`);
  }
  if (typeof opts.name !== 'string' || opts.name === '') {
    throw new TypeError(`obsweave: ${maker} needs a non-empty name`);
  }
  return opts;
}

function provider<T>(name: string, make: (registry: MetricsRegistry) => T): FactoryProvider<T> {
  return {
    provide: getMetricToken(name),
    // Without MetricsModule.forRoot() in the app, the process-wide registry.
    useFactory: (registry?: MetricsRegistry) => make(registry ?? metrics),
    inject: [{ token: METRICS_REGISTRY, optional: true }],
  };
}

/** A provider of the counter `name` in the module's registry, injected with `@InjectMetric(name)`. */
export function makeCounterProvider(opts: MetricProviderOptions): FactoryProvider<Counter> {
  const { name, help, labelNames } = checked('makeCounterProvider', opts);
  return provider(name, (r) => r.counter(name, { help, labelNames }));
}

/** A provider of the gauge `name` in the module's registry, injected with `@InjectMetric(name)`. */
export function makeGaugeProvider(opts: MetricProviderOptions): FactoryProvider<Gauge> {
  const { name, help, labelNames } = checked('makeGaugeProvider', opts);
  return provider(name, (r) => r.gauge(name, { help, labelNames }));
}

/** A provider of the histogram `name` (milliseconds unless `buckets` say otherwise) in the module's registry. */
export function makeHistogramProvider(opts: HistogramProviderOptions): FactoryProvider<Histogram> {
  const { name, help, labelNames, buckets } = checked(
    'makeHistogramProvider',
    opts,
  ) as HistogramProviderOptions;
  return provider(name, (r) => r.histogram(name, { help, labelNames, buckets }));
}

/**
 * Injects the metric a `make*Provider({ name })` provides: `@InjectMetric('jobs.created_total')
 * private readonly created: Counter`. A constructor-parameter (or property) decorator of the
 * legacy dialect, as NestJS's own `@Inject` is; under standard decorators, use a factory
 * provider with `inject: [getMetricToken(name)]`.
 */
export function InjectMetric(name: string): PropertyDecorator & ParameterDecorator {
  if (typeof name !== 'string' || name === '') {
    throw new TypeError('obsweave: @InjectMetric needs the metric name');
  }
  const inject = Inject(getMetricToken(name));
  return function injectMetric(target: object, key: string | symbol | undefined, index?: number) {
    if (key !== null && typeof key === 'object') {
      throw new TypeError(
        'obsweave: @InjectMetric needs experimentalDecorators, as NestJS injection does; ' +
          'with standard decorators, inject getMetricToken(name) in a factory provider',
      );
    }
    (inject as (t: object, k: string | symbol | undefined, i?: number) => void)(target, key, index);
  } as PropertyDecorator & ParameterDecorator;
}
