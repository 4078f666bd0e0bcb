import type { MetricsRegistry } from '../core/metrics-registry';
import type { BoundCounter, BoundHistogram, LabelValues } from '../core/types';
import { nonEmptyString, optionsOf, registryOf, type RegistryOption } from './options';
import { makeDecorator, type UniversalDecorator } from './make-decorator';
import type { Probe } from './probe';

export interface TimedOptions extends RegistryOption {
  /** Fixed labels of every observation; their keys are the metric's label names. */
  labels?: Record<string, string>;
  help?: string;
  /** Bucket upper bounds in ms; default `DEFAULT_BUCKETS_MS`. */
  buckets?: readonly number[];
}

export interface CountedOptions extends RegistryOption {
  /** Fixed labels of every count; `outcome` is added. */
  labels?: Record<string, string>;
  help?: string;
}

function labelsOf(decorator: string, labels: unknown, reserved?: string): LabelValues {
  if (labels === undefined) return {};
  if (labels === null || typeof labels !== 'object')
    throw new TypeError(`obsweave: ${decorator}: labels must be an object`);
  const out: LabelValues = { ...(labels as LabelValues) };
  if (reserved !== undefined && reserved in out) {
    throw new TypeError(`obsweave: ${decorator}: the label "${reserved}" is set by the decorator`);
  }
  return out;
}

/** Any histogram, fed the call's duration in ms, success or failure. */
class TimedProbe implements Probe {
  constructor(
    readonly registry: MetricsRegistry,
    private readonly h: BoundHistogram,
  ) {}

  ok(ms: number): void {
    this.h.observe(ms);
  }

  fail(ms: number): void {
    this.h.observe(ms);
  }
}

/** Any counter, counted per call with `outcome` `success` or `error`. */
class CountedProbe implements Probe {
  constructor(
    readonly registry: MetricsRegistry,
    private readonly success: BoundCounter,
    private readonly error: BoundCounter,
  ) {}

  ok(): void {
    this.success.inc();
  }

  fail(): void {
    this.error.inc();
  }
}

/**
 * Times calls into histogram `metric` (a name ending in `_ms`, by convention).
 *
 * @example
 * ```ts
 * class Cache {
 *   @Timed('cache.lookup_ms', { labels: { cache: 'thumbnails' } })
 *   get(key: string) { ... }
 * }
 * ```
 */
export function Timed(metric: string, opts?: TimedOptions): UniversalDecorator {
  const name = '@Timed';
  nonEmptyString(name, 'the metric name', metric);
  const o = optionsOf(name, opts);
  const registry = registryOf(name, o);
  const labels = labelsOf(name, o.labels);
  return makeDecorator({
    decorator: name,
    kind: 'timed',
    scope: metric,
    probe: () => {
      const h = registry.histogram(metric, {
        help: o.help,
        labelNames: Object.keys(labels),
        buckets: o.buckets,
      });
      return new TimedProbe(registry, h.bind(labels));
    },
  });
}

/**
 * Counts calls into counter `metric`, with label `outcome`: `success` or `error`.
 *
 * @example
 * ```ts
 * class Mailer {
 *   @Counted('mail.sent_total') // mail.sent_total{outcome="success"|"error"}
 *   async send(message: Message) { ... }
 * }
 * ```
 */
export function Counted(metric: string, opts?: CountedOptions): UniversalDecorator {
  const name = '@Counted';
  nonEmptyString(name, 'the metric name', metric);
  const o = optionsOf(name, opts);
  const registry = registryOf(name, o);
  const labels = labelsOf(name, o.labels, 'outcome');
  return makeDecorator({
    decorator: name,
    kind: 'counted',
    scope: metric,
    probe: () => {
      const c = registry.counter(metric, {
        help: o.help,
        labelNames: [...Object.keys(labels), 'outcome'],
      });
      return new CountedProbe(
        registry,
        c.bind({ ...labels, outcome: 'success' }),
        c.bind({ ...labels, outcome: 'error' }),
      );
    },
  });
}
