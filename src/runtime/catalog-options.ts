import { catalogEntry } from '../core/catalog';
import type { MetricOptions } from '../core/types';

/**
 * The catalog's own help and label names for `name`, so a metric defined here is the very one
 * `registerCatalog()` defines (same labels: reused, never an inert conflicting twin).
 */
export function catalogOptions(name: string): MetricOptions {
  const e = catalogEntry(name);
  return e === undefined ? {} : { help: e.help, labelNames: e.labelNames };
}
