import {
  AggregationTemporality,
  AggregationType,
  DataPointType,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type ExponentialHistogramMetricData,
  type MetricData,
} from '@opentelemetry/sdk-metrics';
import test from 'ava';
import { otelMetricProducer } from '../../src/otel';
import { newRegistry } from '../support/registry';

/** Values over 15 octaves, none on a bucket bound: the SDK settles at scale 3 for 160 buckets. */
const VALUES_MS = Array.from({ length: 300 }, (_, i) => 1.37 * 1.035 ** i);

function find(metrics: MetricData[], name: string): MetricData {
  const m = metrics.find((x) => x.descriptor.name === name);
  if (m === undefined) throw new Error(`no ${name}`);
  return m;
}

test('a native histogram is an exponential histogram whose buckets are those the OTel SDK makes', async (t) => {
  const { registry } = newRegistry();
  const h = registry.histogram('op_ms', { native: true, buckets: [100] });
  for (const v of VALUES_MS) h.observe(v);

  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({
    exporter,
    exportIntervalMillis: 3_600_000,
    metricProducers: [otelMetricProducer(registry)],
  });
  const provider = new MeterProvider({
    readers: [reader],
    views: [
      {
        instrumentName: 'sdk.op_seconds',
        aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM },
      },
    ],
  });
  t.teardown(() => provider.shutdown());
  // The SDK's own exponential histogram of the same values, in seconds.
  const sdk = provider.getMeter('sdk').createHistogram('sdk.op_seconds');
  for (const v of VALUES_MS) sdk.record(v / 1000);
  await reader.forceFlush();
  const all = exporter.getMetrics()[0].scopeMetrics.flatMap((s) => s.metrics);

  const ours = find(all, 'op_seconds') as ExponentialHistogramMetricData;
  const theirs = find(all, 'sdk.op_seconds') as ExponentialHistogramMetricData;
  t.is(ours.dataPointType, DataPointType.EXPONENTIAL_HISTOGRAM);
  t.is(DataPointType.EXPONENTIAL_HISTOGRAM, 1);
  const o = ours.dataPoints[0].value;
  const s = theirs.dataPoints[0].value;
  t.is(o.scale, 3);
  t.is(s.scale, 3, 'the SDK chose the same scale');
  t.is(o.count, VALUES_MS.length);
  t.is(o.sum, registry.snapshot().histograms['op_ms'].sum / 1000);
  t.is(o.zeroCount, 0);
  t.deepEqual(o.positive, s.positive);
  t.deepEqual(o.negative, { offset: 0, bucketCounts: [] });
});
