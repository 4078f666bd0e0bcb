/** The representations of a registry the controller serves. */
export type MetricsFormat = 'json' | 'prometheus' | 'openmetrics' | 'protobuf';

// A Map, not an object: `?format=constructor` must not find a member every object inherits.
const BY_QUERY: ReadonlyMap<string, MetricsFormat> = new Map([
  ['json', 'json'],
  ['prometheus', 'prometheus'],
  ['text', 'prometheus'],
  ['openmetrics', 'openmetrics'],
  ['protobuf', 'protobuf'],
]);

function byMediaType(type: string, params: string[]): MetricsFormat | undefined {
  switch (type) {
    case 'application/vnd.google.protobuf':
      return isDelimitedMetricFamily(params) ? 'protobuf' : undefined;
    case 'application/openmetrics-text':
      return 'openmetrics';
    case 'text/plain':
    case 'text/*':
      return 'prometheus';
    case 'application/json':
    case 'application/*':
    case '*/*':
      return 'json';
    default:
      return undefined;
  }
}

/**
 * The one protobuf message Prometheus scrapes: `proto=io.prometheus.client.MetricFamily;
 * encoding=delimited`, as it asks with `--enable-feature=native-histograms`.
 */
function isDelimitedMetricFamily(params: string[]): boolean {
  let proto = false;
  let delimited = false;
  for (const p of params) {
    const eq = p.indexOf('=');
    const k = p.slice(0, eq).trim().toLowerCase();
    const v = p.slice(eq + 1).trim();
    if (k === 'proto') proto = v === 'io.prometheus.client.MetricFamily';
    else if (k === 'encoding') delimited = v.toLowerCase() === 'delimited';
  }
  return proto && delimited;
}

/** `q` of one `Accept` entry's parameters: 1 when absent, 0 when malformed. */
function quality(params: string[]): number {
  for (const p of params) {
    const [k, v] = p.split('=');
    if (k.trim().toLowerCase() === 'q') {
      const q = Number(v);
      return Number.isFinite(q) && q >= 0 && q <= 1 ? q : 0;
    }
  }
  return 1;
}

/**
 * The format to answer with: a known `?format=` wins (an unknown one is ignored), then the
 * `Accept` entry with the highest `q` (the first listed among equals; `q=0` excludes), else
 * JSON. Prometheus' own scraper prefers OpenMetrics and gets it, or the protobuf exposition when
 * native histograms are on; browsers and curl get JSON.
 */
export function negotiateFormat(query: string | null, accept: string | undefined): MetricsFormat {
  const forced = query !== null ? BY_QUERY.get(query.toLowerCase()) : undefined;
  if (forced !== undefined) return forced;
  if (typeof accept !== 'string' || accept === '') return 'json';
  let best: MetricsFormat = 'json';
  let bestQ = -1;
  for (const entry of accept.split(',')) {
    const [type, ...params] = entry.split(';');
    const format = byMediaType(type.trim().toLowerCase(), params);
    if (format === undefined) continue;
    const q = quality(params);
    if (q > 0 && q > bestQ) {
      best = format;
      bestQ = q;
    }
  }
  return best;
}
