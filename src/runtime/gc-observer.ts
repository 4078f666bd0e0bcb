import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import type { BoundHistogram } from '../core/types';
import type { ProbeContext } from './probe-context';

/** prom-client's buckets, in seconds. */
export const GC_DURATION_BUCKETS: readonly number[] = Object.freeze([0.001, 0.01, 0.1, 1, 2, 5]);

const KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};

/**
 * `nodejs_gc_duration_seconds{kind}`: every garbage collection Node reports while the sampler
 * runs (a `PerformanceObserver` on `gc` entries, started by `start()`, ended by `stop()`).
 * Unlike prom-client, which takes only the first entry of each batch, every entry counts.
 */
export class GcObserver {
  private readonly byKind = new Map<string, BoundHistogram>();
  private observer: PerformanceObserver | undefined;
  private readonly record: (entry: PerformanceEntry) => void;

  constructor(ctx: ProbeContext) {
    const h = ctx.registry.histogram(`${ctx.prefix}nodejs_gc_duration_seconds`, {
      help: 'Garbage collection duration by kind, one of major, minor, incremental or weakcb.',
      labelNames: ['kind'],
      buckets: GC_DURATION_BUCKETS,
    });
    this.record = (entry) => {
      const detail = (entry as { detail?: { kind?: number } }).detail;
      const kind = KINDS[detail?.kind ?? -1] ?? 'unknown';
      let b = this.byKind.get(kind);
      if (b === undefined) this.byKind.set(kind, (b = h.bind({ kind })));
      b.observe(entry.duration / 1000);
    };
  }

  start(): void {
    if (this.observer !== undefined) return;
    this.observer = new PerformanceObserver((list) => list.getEntries().forEach(this.record));
    this.observer.observe({ entryTypes: ['gc'] });
  }

  stop(): void {
    this.observer?.disconnect();
    this.observer = undefined;
  }
}
