import type { MetricsRegistry } from '../core/metrics-registry';
import type { BoundGauge, Gauge } from '../core/types';

/** What every probe factory is given: where to record, and the prefix of the process families. */
export interface ProbeContext {
  readonly registry: MetricsRegistry;
  /** Prepended to the prom-client family names (`process_…`, `nodejs_…`), as prom-client's `prefix`. */
  readonly prefix: string;
}

/** A prom-client-named gauge, defined in base units so that the export keeps its name. */
export function processGauge(
  ctx: ProbeContext,
  name: string,
  help: string,
  labelNames?: readonly string[],
): Gauge {
  return ctx.registry.gauge(ctx.prefix + name, { help, labelNames });
}

export function boundProcessGauge(ctx: ProbeContext, name: string, help: string): BoundGauge {
  return processGauge(ctx, name, help).bind();
}
