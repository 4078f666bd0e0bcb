import { performance } from 'node:perf_hooks';
import type { BoundCounter, BoundGauge, BoundHistogram, Counter, Gauge, Histogram } from './types';

const noop = (): void => {};

/**
 * What a conflicting definition gets: every method exists and does nothing, so code written
 * against the metric keeps running. The conflict itself was logged when it was asked for.
 */
export class InertMetric implements Counter, Gauge, Histogram {
  constructor(readonly name: string) {}
  inc = noop;
  dec = noop;
  set = noop;
  observe = noop;
  /** Still measures, so a caller that uses the returned ms keeps working. */
  startTimer(): () => number {
    const t0 = performance.now();
    return () => performance.now() - t0;
  }
  /** An own property, as the metrics' are: it may be passed on as a callback. */
  readonly bind = (): BoundCounter & BoundGauge & BoundHistogram => this;
}
