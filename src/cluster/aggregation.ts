import { describeValue } from '../core/describe';
/**
 * How a gauge's series from several workers become one: added (`sum`), the largest (`max`),
 * the smallest (`min`), their mean over the workers that have it (`avg`), or kept apart with a
 * `worker` label (`perWorker`). Counters and histograms are always added.
 */
export type GaugeAggregation = 'sum' | 'max' | 'min' | 'avg' | 'perWorker';

const AGGREGATIONS: readonly GaugeAggregation[] = ['sum', 'max', 'min', 'avg', 'perWorker'];

/**
 * The Node process families that `ResourceSampler` keeps under prom-client's names, where a
 * sum means nothing. The rest of them add up: memory, heap spaces, handles, requests and
 * resources by type are what the processes hold together, and the CPU seconds and garbage
 * collections are counters and a histogram.
 *
 * - A start time is the earliest process's: the service has run since then.
 * - `nodejs_version_info` is 1 for each version the processes run, however many run it.
 * - A limit (`process_max_fds`) is per process: the largest; open descriptors are compared
 *   with it, per process, so they take the worst process too (as `proc.open_fds` does).
 * - Event-loop lag is the worst process's (`max`): a stalled loop stalls the requests its
 *   worker holds, and a mean over the workers would hide it behind the idle ones. The maximum
 *   of the workers' percentiles bounds the cluster's; the minimum takes the smallest.
 * - Event-loop utilisation is the mean: each loop is one thread, so the mean of their busy
 *   shares is the share of the cluster's loop time that was busy, what its capacity used is.
 */
const PROCESS_GAUGE_AGGREGATION: Readonly<Record<string, GaugeAggregation>> = {
  process_start_time_seconds: 'min',
  nodejs_version_info: 'max',
  process_max_fds: 'max',
  process_open_fds: 'max',
  nodejs_eventloop_lag_seconds: 'max',
  nodejs_eventloop_lag_min_seconds: 'min',
  nodejs_eventloop_lag_max_seconds: 'max',
  nodejs_eventloop_lag_mean_seconds: 'max',
  nodejs_eventloop_lag_stddev_seconds: 'max',
  nodejs_eventloop_lag_p50_seconds: 'max',
  nodejs_eventloop_lag_p90_seconds: 'max',
  nodejs_eventloop_lag_p99_seconds: 'max',
  nodejs_eventloop_utilization_ratio: 'avg',
};

const PROCESS_NAMES = Object.keys(PROCESS_GAUGE_AGGREGATION);

/**
 * The catalog's gauges and the runtime's own. Jobs in flight and SSE clients add up across
 * workers; so does memory (what the machine gives the service). The limits on descriptors
 * and on the scratch disk are per process and per disk, so the worst worker is what matters:
 * every worker sees the same shared disk, and adding would count it once per worker. The
 * process families are above.
 */
export const DEFAULT_GAUGE_AGGREGATION: Readonly<Record<string, GaugeAggregation>> = Object.freeze({
  'worker.inflight_jobs': 'sum',
  'proc.memory_rss_mb': 'sum',
  'proc.open_fds': 'max',
  'scratch.disk_used_pct': 'max',
  'sse.clients': 'sum',
  ...PROCESS_GAUGE_AGGREGATION,
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
        `obsweave: ClusterRegistry gauge "${name}": aggregation ${describeValue(agg)} is not one of ${AGGREGATIONS.join(', ')}`,
      );
    }
    out.set(name, agg);
  }
  return out;
}

/**
 * How the gauge `name` merges: as declared, else as the process family it ends with (a
 * `ResourceSampler` with a `prefix` writes `<prefix>process_max_fds`), else `sum`.
 */
export function aggregationOf(
  aggregations: ReadonlyMap<string, GaugeAggregation>,
  name: string,
): GaugeAggregation {
  const declared = aggregations.get(name);
  if (declared !== undefined) return declared;
  for (const p of PROCESS_NAMES) {
    if (name.endsWith(p)) return aggregations.get(p) ?? 'sum';
  }
  return 'sum';
}
