import type { MetricsRegistry } from './metrics-registry';

// The one place that keeps state per registry (bound handles, error-code caps, the HTTP
// recorder, the in-flight gauge): held weakly, so a registry that is dropped takes it along.
const state = new WeakMap<MetricsRegistry, Map<object, unknown>>();

/**
 * What `owner` keeps for `registry`, made by `make` on first use. `owner` is a key no other
 * module holds: the class of what is kept, or a module's own constant object.
 */
export function registryState<T>(registry: MetricsRegistry, owner: object, make: () => T): T {
  let byOwner = state.get(registry);
  if (byOwner === undefined) state.set(registry, (byOwner = new Map()));
  let v = byOwner.get(owner) as T | undefined;
  if (v === undefined) byOwner.set(owner, (v = make()));
  return v;
}
