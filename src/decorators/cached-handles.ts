import type { MetricsRegistry } from '../core/metrics-registry';
import { registryState } from '../core/registry-state';

const HANDLES = {};
/** Past this many distinct keys per registry, handles are made per call instead of kept. */
const MAX_CACHED = 10000;

/**
 * Bound children kept per registry and key (`stage`, `service/op`), so that the functional
 * twins, called per operation, skip the labelled lookups that `bind()` does.
 */
export function cachedHandles<T>(registry: MetricsRegistry, key: string, make: () => T): T {
  const byKey = registryState(registry, HANDLES, () => new Map<string, unknown>());
  let h = byKey.get(key) as T | undefined;
  if (h === undefined) {
    h = make();
    if (byKey.size < MAX_CACHED) byKey.set(key, h);
  }
  return h;
}
