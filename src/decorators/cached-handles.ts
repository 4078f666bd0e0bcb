import { catalogEntry } from '../core/catalog';
import type { MetricsRegistry } from '../core/metrics-registry';
import type { Counter, Histogram } from '../core/types';

// Decorators define the catalog's metrics with exactly the catalog's label names and help, so
// that `registerCatalog()` before or after them reuses the same metric instead of conflicting.

function entry(name: string) {
  const e = catalogEntry(name);
  if (e === undefined) throw new Error(`obsweave: "${name}" is not in CATALOG`);
  return { help: e.help, labelNames: e.labelNames };
}

export function catalogCounter(registry: MetricsRegistry, name: string): Counter {
  return registry.counter(name, entry(name));
}

export function catalogHistogram(registry: MetricsRegistry, name: string): Histogram {
  return registry.histogram(name, entry(name));
}

const handles = new WeakMap<MetricsRegistry, Map<string, unknown>>();
/** Past this many distinct keys per registry, handles are made per call instead of kept. */
const MAX_CACHED = 10000;

/**
 * Bound children kept per registry and key (`stage`, `service/op`), so that the functional
 * twins, called per operation, skip the labelled lookups that `bind()` does.
 */
export function cachedHandles<T>(registry: MetricsRegistry, key: string, make: () => T): T {
  let byKey = handles.get(registry);
  if (byKey === undefined) handles.set(registry, (byKey = new Map()));
  let h = byKey.get(key) as T | undefined;
  if (h === undefined) {
    h = make();
    if (byKey.size < MAX_CACHED) byKey.set(key, h);
  }
  return h;
}
