/**
 * How a gauge's series from several workers become one: added (`sum`), the largest (`max`),
 * the smallest (`min`), their mean over the workers that have it (`avg`), or kept apart with a
 * `worker` label (`perWorker`). Counters and histograms are always added.
 */
export type GaugeAggregation = 'sum' | 'max' | 'min' | 'avg' | 'perWorker';

const AGGREGATIONS: readonly GaugeAggregation[] = ['sum', 'max', 'min', 'avg', 'perWorker'];

/**
 * The catalog's gauges and the runtime's own. Jobs in flight and SSE clients add up across
 * workers; so does memory (what the machine gives the service). The limits on descriptors
 * and on the scratch disk are per process and per disk, so the worst worker is what matters:
 * every worker sees the same shared disk, and adding would count it once per worker.
 */
export const DEFAULT_GAUGE_AGGREGATION: Readonly<Record<string, GaugeAggregation>> = Object.freeze({
  'worker.inflight_jobs': 'sum',
  'proc.memory_rss_mb': 'sum',
  'proc.open_fds': 'max',
  'scratch.disk_used_pct': 'max',
  'sse.clients': 'sum',
});

/** The catalog's defaults with the caller's declarations on top; throws on a bad one. */
export function gaugeAggregations(
  declared: Readonly<Record<string, GaugeAggregation>> | undefined,
): Map<string, GaugeAggregation> {
  const out = new Map(Object.entries(DEFAULT_GAUGE_AGGREGATION));
  if (declared === undefined) return out;
  if (declared === null || typeof declared !== 'object') {
    throw new TypeError('obsweave: ClusterRegistry gauges must be an object of name: aggregation');
  }
  for (const [name, agg] of Object.entries(declared)) {
    if (!AGGREGATIONS.includes(agg)) {
      throw new TypeError(
        `obsweave: ClusterRegistry gauge "${name}": aggregation ${JSON.stringify(agg)} is not one of ${AGGREGATIONS.join(', ')}`,
      );
    }
    out.set(name, agg);
  }
  return out;
}
