import { validateBuckets } from './buckets';
import { catalogOptions, type CatalogName } from './catalog';
import type { MetricsRegistry } from './metrics-registry';
import { checkLabelNames } from './names';
import type { MetricDefinition } from './types';
import { describeValue } from './describe';

/** The three families every HTTP request is recorded in. */
export const HTTP_FAMILIES = [
  'http.requests_total',
  'http.errors_total',
  'http.request_latency_ms',
] as const satisfies readonly CatalogName[];

const CATALOG_HTTP_LABELS = new Set(HTTP_FAMILIES.flatMap((n) => catalogOptions(n).labelNames));

/**
 * The labels `http.request_latency_ms` may carry beyond `route`, in the order they are written.
 * Only these: a method is one of ten values and a code class one of seven, so a route's
 * histogram grows at most seventy-fold, never with what clients send.
 */
export const HTTP_LATENCY_LABELS = ['method', 'code_class'] as const;

/** A label `http.request_latency_ms` may be split by, besides `route`. */
export type HttpLatencyLabel = (typeof HTTP_LATENCY_LABELS)[number];

/** How the HTTP families are to be defined: the catalog's, plus these. */
export interface HttpFamilyOptions {
  /** Label names after each family's own, the same for all three. */
  labelNames?: readonly string[];
  /** Bounds of `http.request_latency_ms`, in ms. */
  buckets?: readonly number[];
  /** Labels of `http.request_latency_ms` after `route`, from `HTTP_LATENCY_LABELS`. */
  latencyLabels?: readonly HttpLatencyLabel[];
}

/**
 * `latencyLabels`, checked: an array of names from `HTTP_LATENCY_LABELS`, each once, returned in
 * that list's order so that two set-ups naming them in another order define the same family.
 */
export function checkLatencyLabels(latencyLabels: unknown): HttpLatencyLabel[] {
  if (latencyLabels === undefined) return [];
  const allowed: readonly string[] = HTTP_LATENCY_LABELS;
  if (!Array.isArray(latencyLabels)) {
    throw new TypeError(
      `obsweave: HTTP metrics: latencyLabels must be an array of ${allowed.join(', ')}`,
    );
  }
  for (const [i, l] of latencyLabels.entries()) {
    if (typeof l !== 'string' || !allowed.includes(l)) {
      throw new TypeError(
        `obsweave: HTTP metrics: latencyLabels: ${describeValue(l)} is not one of ` +
          `${allowed.join(', ')} (only labels with a fixed, small set of values)`,
      );
    }
    if (latencyLabels.indexOf(l) !== i) {
      throw new TypeError(`obsweave: HTTP metrics: latencyLabels: "${l}" is named twice`);
    }
  }
  return HTTP_LATENCY_LABELS.filter((l) => latencyLabels.includes(l));
}

/** The label names `name` is defined with: the catalog's, the latency split, then `extra`. */
function familyLabels(
  name: (typeof HTTP_FAMILIES)[number],
  latency: readonly HttpLatencyLabel[],
  extra: readonly string[],
): string[] {
  const own = catalogOptions(name).labelNames;
  return name === 'http.request_latency_ms' ? [...own, ...latency, ...extra] : [...own, ...extra];
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
  const latency = checkLatencyLabels(opts.latencyLabels);
  const buckets =
    opts.buckets === undefined
      ? undefined
      : validateBuckets('http.request_latency_ms', opts.buckets);
  for (const name of HTTP_FAMILIES) {
    const def = registry.definition(name);
    if (def === undefined) continue;
    const want = familyLabels(name, latency, extra);
    const sameLabels = def.labelNames.join(',') === want.join(',');
    const sameBuckets =
      buckets === undefined ||
      def.buckets === undefined ||
      def.buckets.join(',') === buckets.join(',');
    if (!sameLabels || !sameBuckets) {
      throw new TypeError(
        `obsweave: HTTP metrics: "${name}" is already defined with ${describe(def)}, ` +
          `these options need ${describe({ ...def, labelNames: want, buckets: buckets ?? def.buckets })}. ` +
          'Set up the HTTP middleware (or plugin) with labelNames, latencyLabels or buckets before registerCatalog(), ' +
          'before any @Route handler runs and before other HTTP metrics on this registry, or give them all the same options',
      );
    }
  }
  for (const name of HTTP_FAMILIES) {
    const o = { help: catalogOptions(name).help, labelNames: familyLabels(name, latency, extra) };
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

/**
 * The labels the registry's `http.request_latency_ms` carries between `route` and the extra
 * labels: what `defineHttpFamilies` set up with `latencyLabels`, or none.
 */
export function httpLatencyLabels(registry: MetricsRegistry): readonly HttpLatencyLabel[] {
  const def = registry.definition('http.request_latency_ms');
  if (def === undefined) return [];
  const allowed: readonly string[] = HTTP_LATENCY_LABELS;
  return def.labelNames.slice(1).filter((l): l is HttpLatencyLabel => allowed.includes(l));
}
