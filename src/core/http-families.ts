import { validateBuckets } from './buckets';
import { catalogOptions, type CatalogName } from './catalog';
import type { MetricsRegistry } from './metrics-registry';
import { checkLabelNames } from './names';
import type { MetricDefinition } from './types';

/** The three families every HTTP request is recorded in. */
export const HTTP_FAMILIES = [
  'http.requests_total',
  'http.errors_total',
  'http.request_latency_ms',
] as const satisfies readonly CatalogName[];

const CATALOG_HTTP_LABELS = new Set(HTTP_FAMILIES.flatMap((n) => catalogOptions(n).labelNames));

/** How the HTTP families are to be defined: the catalog's, plus these. */
export interface HttpFamilyOptions {
  /** Label names after each family's own, the same for all three. */
  labelNames?: readonly string[];
  /** Bounds of `http.request_latency_ms`, in ms. */
  buckets?: readonly number[];
}

/** The extra label names, checked: valid, not twice, not one of the catalog's HTTP labels. */
export function checkHttpLabelNames(labelNames: unknown): string[] {
  const names = checkLabelNames('http.requests_total', labelNames);
  for (const l of names) {
    if (CATALOG_HTTP_LABELS.has(l)) {
      throw new TypeError(
        `obsweave: HTTP labelNames: "${l}" is one of the catalog's own HTTP labels ` +
          `(${[...CATALOG_HTTP_LABELS].join(', ')})`,
      );
    }
  }
  return names;
}

/**
 * Defines the three HTTP families with the catalog's labels followed by `labelNames`, and the
 * latency histogram with `buckets`, before anything records into them: the first definition of
 * a family is the one that stays. Throws an `obsweave:` error, defining nothing, when one of
 * them is already defined otherwise (by `registerCatalog()`, `@Route`'s first call, or HTTP
 * metrics set up earlier with other options), so that the options can never be silently ignored.
 */
export function defineHttpFamilies(registry: MetricsRegistry, opts: HttpFamilyOptions): void {
  const extra = checkHttpLabelNames(opts.labelNames ?? []);
  const buckets =
    opts.buckets === undefined
      ? undefined
      : validateBuckets('http.request_latency_ms', opts.buckets);
  for (const name of HTTP_FAMILIES) {
    const def = registry.definition(name);
    if (def === undefined) continue;
    const want = [...catalogOptions(name).labelNames, ...extra];
    const sameLabels = def.labelNames.join(',') === want.join(',');
    const sameBuckets =
      buckets === undefined ||
      def.buckets === undefined ||
      def.buckets.join(',') === buckets.join(',');
    if (!sameLabels || !sameBuckets) {
      throw new TypeError(
        `obsweave: HTTP metrics: "${name}" is already defined with ${describe(def)}, ` +
          `these options need ${describe({ ...def, labelNames: want, buckets: buckets ?? def.buckets })}. ` +
          'Set up the HTTP middleware (or plugin) with labelNames or buckets before registerCatalog(), ' +
          'before any @Route handler runs and before other HTTP metrics on this registry, or give them all the same options',
      );
    }
  }
  for (const name of HTTP_FAMILIES) {
    const { help, labelNames } = catalogOptions(name);
    const o = { help, labelNames: [...labelNames, ...extra] };
    if (name === 'http.request_latency_ms') registry.histogram(name, { ...o, buckets });
    else registry.counter(name, o);
  }
}

function describe(d: MetricDefinition): string {
  const buckets = d.buckets === undefined ? '' : ` and buckets [${d.buckets.join(', ')}]`;
  return `labels [${d.labelNames.join(', ')}]${buckets}`;
}

/**
 * The label names the registry's HTTP families carry beyond the catalog's: what
 * `defineHttpFamilies` set up, or none.
 */
export function httpExtraLabels(registry: MetricsRegistry): readonly string[] {
  const def = registry.definition('http.requests_total');
  const own = catalogOptions('http.requests_total').labelNames;
  if (def === undefined || def.labelNames.length <= own.length) return [];
  if (!own.every((l, i) => def.labelNames[i] === l)) return [];
  return def.labelNames.slice(own.length);
}
