import { ValueType, type Attributes, type HrTime } from '@opentelemetry/api';
import { performance } from 'node:perf_hooks';
import { metrics, type MetricsRegistry } from '../core/metrics-registry';
import { exportName } from '../core/export-name';
import {
  familyDefaults,
  ownValue,
  type BucketSeries,
  type DefaultLabels,
  type FamilyView,
  type NativeSideView,
} from '../core/family-view';
import type {
  OtelDataPoint,
  OtelExponentialHistogramValue,
  OtelHistogramValue,
  OtelMetricData,
  OtelMetricProducer,
  OtelResource,
  OtelResourceMetrics,
} from './producer-types';

// The SDK's enum values, written out so that `obsweave/otel` loads without the SDK installed
// (its tracer adapter needs only the API); a test holds them equal to the SDK's own.
const HISTOGRAM = 0;
const EXPONENTIAL_HISTOGRAM = 1;
const GAUGE = 2;
const SUM = 3;
const CUMULATIVE = 1;

/** UCUM units, as OpenTelemetry's semantic conventions write them. */
const UCUM = { seconds: 's', bytes: 'By', ratio: '1', '': '' } as const;
/** obsweave's unit suffixes, and the base-unit suffixes every Prometheus translation uses. */
const BASE_SUFFIX: Readonly<Record<string, string>> = {
  _ms: '_seconds',
  _mb: '_bytes',
  _pct: '_ratio',
};

/** The producer's instrumentation scope. */
export const OTEL_SCOPE = { name: 'obsweave' } as const;

/**
 * A `MetricProducer` over an obsweave registry (default: the process-wide `metrics`), for the
 * OpenTelemetry SDK's readers, so every series flows through any OTel exporter:
 *
 *   new MeterProvider({ resource, readers: [new PeriodicExportingMetricReader({
 *     exporter: new OTLPMetricExporter(), metricProducers: [otelMetricProducer()] })] })
 *
 * The mapping:
 * - counters become monotonic cumulative Sums, gauges Gauges, histograms explicit-bucket
 *   Histograms (cumulative), every value a double; a native histogram is an
 *   ExponentialHistogram instead, its `scale` the native schema and its buckets the native
 *   ones (OpenTelemetry's bucket `i` is Prometheus' `i + 1`: the offset is one less);
 * - values are in base units, as in the Prometheus output, with the unit in `unit` (UCUM)
 *   and in the name: `http.request_latency_ms` is `http.request_latency_seconds` in `s`
 *   (values, sums and bucket bounds / 1000), `*_mb` is `*_bytes` in `By`, `*_pct` is
 *   `*_ratio` in `1` (0-1). The suffix stays in the name because every Prometheus
 *   translation (the collector's, Prometheus' OTLP receiver, the SDK's exporter) then gives
 *   the names of obsweave's own `/metrics`, so dashboards and alerts work either way;
 * - a counter loses `_total` (`http.requests_total` is `http.requests`): OpenTelemetry
 *   names carry none, and Prometheus translations add it back;
 * - names keep their dots; each label is an attribute, declared labels with an empty value
 *   included;
 * - cumulative points start when the process started (`performance.timeOrigin`): a
 *   registry's counters cannot be older. `registry.reset()` is seen downstream as a drop.
 *
 * The resource is the reader's: the SDK uses its MeterProvider's resource for what producers
 * return, so `service.name` and the like are set there, once for every signal. The
 * registry's `defaultLabels`, where set, are on every point as attributes, as in every format.
 */
export function otelMetricProducer(registry: MetricsRegistry = metrics): OtelMetricProducer {
  if (registry === null || typeof registry.exportWith !== 'function') {
    throw new TypeError('obsweave: otelMetricProducer takes a MetricsRegistry');
  }
  const start = hrTime(performance.timeOrigin);
  return {
    async collect() {
      try {
        const data = await registry.exportWith('otel', (families, labels) =>
          families.map((f) => metricData(f, labels, start, hrTime(Date.now()))),
        );
        return { resourceMetrics: resourceMetrics(data), errors: [] };
      } catch (e) {
        return { resourceMetrics: resourceMetrics([]), errors: [e] };
      }
    },
  };
}

function metricData(
  f: FamilyView,
  labels: DefaultLabels,
  startTime: HrTime,
  endTime: HrTime,
): OtelMetricData {
  const n = exportName(f.name, f.type);
  const name = (
    f.type === 'counter' && f.name.endsWith('_total') ? f.name.slice(0, -6) : f.name
  ).replace(/_(?:ms|mb|pct)$/, (suffix) => BASE_SUFFIX[suffix]);
  const descriptor = { name, description: f.help, unit: UCUM[n.unit], valueType: ValueType.DOUBLE };
  const scale = (v: number) => (v * n.mul) / n.div;
  const d = familyDefaults(f.labelNames, labels);
  const attributes = (values: readonly string[]): Attributes => {
    const a: Attributes = {};
    for (let i = 0; i < f.labelNames.length; i++) {
      a[f.labelNames[i]] = ownValue(d, i, values[i]);
    }
    for (let i = 0; i < d.names.length; i++) a[d.names[i]] = d.values[i];
    return a;
  };
  if (f.type === 'histogram' && isNative(f)) {
    const dataPoints: OtelDataPoint<OtelExponentialHistogramValue>[] = [];
    f.forEach((values, s) => {
      // A collector's series in a native family has no native buckets to show: left out.
      if (s.native === undefined) return;
      dataPoints.push({
        startTime,
        endTime,
        attributes: attributes(values),
        value: exponential(s, scale),
      });
    });
    return {
      descriptor,
      aggregationTemporality: CUMULATIVE,
      dataPointType: EXPONENTIAL_HISTOGRAM,
      dataPoints,
    };
  }
  if (f.type === 'histogram') {
    const dataPoints: OtelDataPoint<OtelHistogramValue>[] = [];
    f.forEach((values, s) => {
      dataPoints.push({
        startTime,
        endTime,
        attributes: attributes(values),
        value: {
          buckets: { boundaries: s.bounds.map(scale), counts: Array.from(s.counts) },
          sum: scale(s.sum),
          count: s.count,
        },
      });
    });
    return { descriptor, aggregationTemporality: CUMULATIVE, dataPointType: HISTOGRAM, dataPoints };
  }
  const dataPoints: OtelDataPoint<number>[] = [];
  const counter = f.type === 'counter';
  f.forEach((values, s) => {
    dataPoints.push({
      startTime: counter ? startTime : endTime,
      endTime,
      attributes: attributes(values),
      value: scale(s.v),
    });
  });
  return counter
    ? {
        descriptor,
        aggregationTemporality: CUMULATIVE,
        dataPointType: SUM,
        isMonotonic: true,
        dataPoints,
      }
    : { descriptor, aggregationTemporality: CUMULATIVE, dataPointType: GAUGE, dataPoints };
}

function isNative(f: FamilyView & { type: 'histogram' }): boolean {
  let native = false;
  f.forEach((_, s) => {
    if (s.native !== undefined) native = true;
  });
  return native;
}

function exponential(s: BucketSeries, scale: (v: number) => number): OtelExponentialHistogramValue {
  const n = s.native!;
  return {
    count: s.count,
    sum: scale(s.sum),
    scale: n.schema,
    zeroCount: n.zeroCount,
    positive: otelBuckets(n.positive),
    negative: otelBuckets(n.negative),
  };
}

/** Prometheus key `k` is `(b^(k-1), b^k]`, OpenTelemetry index `i` is `(b^i, b^(i+1)]`. */
function otelBuckets(side: NativeSideView | undefined): { offset: number; bucketCounts: number[] } {
  if (side === undefined) return { offset: 0, bucketCounts: [] };
  const c = side.counts;
  let first = 0;
  let last = c.length - 1;
  while (first <= last && c[first] === 0) first++;
  while (last >= first && c[last] === 0) last--;
  if (first > last) return { offset: 0, bucketCounts: [] };
  return { offset: side.offset + first - 1, bucketCounts: Array.from(c).slice(first, last + 1) };
}

function resourceMetrics(metricsData: OtelMetricData[]): OtelResourceMetrics {
  return { resource: EMPTY_RESOURCE, scopeMetrics: [{ scope: OTEL_SCOPE, metrics: metricsData }] };
}

/** A resource with no attributes: readers replace it with their own (see above). */
const EMPTY_RESOURCE: OtelResource = {
  attributes: {},
  merge: (other) => other ?? EMPTY_RESOURCE,
  getRawAttributes: () => [],
};

function hrTime(epochMs: number): HrTime {
  const ms = Math.floor(epochMs);
  return [Math.floor(ms / 1000), (ms % 1000) * 1e6 + Math.floor((epochMs - ms) * 1e6)];
}
