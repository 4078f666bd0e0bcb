import type { MetricsRegistry } from '../core/metrics-registry';
import type { Gauge } from '../core/types';
import { catalogOptions } from '../core/catalog';
import { registryState } from '../core/registry-state';

const NAME = 'worker.inflight_jobs';

/**
 * `worker.inflight_jobs` shared by every tracker of one registry. Each tracker reports a
 * delta to its own count (never below zero), and the gauge is *set* to the sum instead of
 * being moved by `inc`/`dec`: two trackers on one registry add up, and after
 * `registry.reset()` the next change writes the true value back rather than going negative.
 */
export class InflightGauge {
  private total = 0;

  private constructor(private readonly gauge: Gauge) {}

  static of(registry: MetricsRegistry): InflightGauge {
    return registryState(
      registry,
      InflightGauge,
      () => new InflightGauge(registry.gauge(NAME, catalogOptions(NAME))),
    );
  }

  add(delta: number): void {
    this.total = Math.max(0, this.total + delta);
    this.gauge.set(this.total);
  }
}
