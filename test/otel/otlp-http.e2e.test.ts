import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import test from 'ava';
import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import { otelMetricProducer } from '../../src/otel';
import { listen } from '../support/http';
import { newRegistry } from '../support/registry';

// OTLP/JSON as the collector receives it (opentelemetry-proto, JSON mapping).
type AnyValue = { stringValue?: string; doubleValue?: number; intValue?: string | number };
type KeyValue = { key: string; value: AnyValue };
interface NumberPoint {
  attributes?: KeyValue[];
  startTimeUnixNano: string;
  timeUnixNano: string;
  asDouble?: number;
}
interface HistogramPoint extends Omit<NumberPoint, 'asDouble'> {
  count: string | number;
  sum?: number;
  bucketCounts: (string | number)[];
  explicitBounds: number[];
}
interface OtlpMetric {
  name: string;
  description?: string;
  unit?: string;
  sum?: { dataPoints: NumberPoint[]; aggregationTemporality: number; isMonotonic?: boolean };
  gauge?: { dataPoints: NumberPoint[] };
  histogram?: { dataPoints: HistogramPoint[]; aggregationTemporality: number };
}
interface ExportRequest {
  resourceMetrics: {
    resource: { attributes: KeyValue[] };
    scopeMetrics: { scope: { name: string }; metrics: OtlpMetric[] }[];
  }[];
}

// opentelemetry-proto's AggregationTemporality: 1 delta, 2 cumulative.
const AGGREGATION_TEMPORALITY_CUMULATIVE = 2;

const attrs = (kvs: KeyValue[] = []) =>
  Object.fromEntries(kvs.map((kv) => [kv.key, kv.value.stringValue ?? kv.value.doubleValue]));

test('the OTLP/HTTP exporter delivers every series to a receiver, as OTLP', async (t) => {
  // A receiver standing in for a collector: it decodes each export request it gets.
  const received: ExportRequest[] = [];
  const requests: string[] = [];
  let arrived: () => void = () => {};
  const got = new Promise<void>((resolve) => (arrived = resolve));
  const url = await listen(
    t,
    http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        let body = Buffer.concat(chunks);
        if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
        requests.push(`${req.method} ${req.url} ${req.headers['content-type']}`);
        received.push(JSON.parse(body.toString('utf8')) as ExportRequest);
        res.setHeader('content-type', 'application/json');
        res.end('{}');
        arrived();
      });
    }),
  );

  const { registry } = newRegistry();
  registry
    .counter('external.calls_total', { labelNames: ['service', 'op', 'outcome'] })
    .inc(4, { service: 'asr', op: 'transcribe', outcome: 'success' });
  registry.gauge('worker.inflight_jobs').set(3);
  const h = registry.histogram('external.call_latency_ms', {
    labelNames: ['service'],
    buckets: [100, 500, 2000],
  });
  for (const v of [80, 300, 300, 9000]) h.observe(v, { service: 'asr' });

  const reader = new PeriodicExportingMetricReader({
    exporter: new OTLPMetricExporter({ url: `${url}/v1/metrics` }),
    exportIntervalMillis: 3_600_000,
    metricProducers: [otelMetricProducer(registry)],
  });
  const provider = new MeterProvider({
    resource: resourceFromAttributes({
      'service.name': 'media-worker',
      'service.version': '1.2.3',
    }),
    readers: [reader],
  });
  t.teardown(() => provider.shutdown());
  await reader.forceFlush();
  await got;

  t.deepEqual(requests, ['POST /v1/metrics application/json']);
  const [rm] = received[0].resourceMetrics;
  t.like(attrs(rm.resource.attributes), {
    'service.name': 'media-worker',
    'service.version': '1.2.3',
  });
  const scope = rm.scopeMetrics.find((s) => s.scope.name === 'obsweave');
  if (scope === undefined) return t.fail('no obsweave scope');
  const metric = (name: string) => {
    const m = scope.metrics.find((x) => x.name === name);
    if (m === undefined)
      throw new Error(`no metric ${name} in ${scope.metrics.map((x) => x.name)}`);
    return m;
  };

  const calls = metric('external.calls');
  t.is(calls.sum?.aggregationTemporality, AGGREGATION_TEMPORALITY_CUMULATIVE);
  t.true(calls.sum?.isMonotonic);
  const [point] = calls.sum!.dataPoints;
  t.is(point.asDouble, 4);
  t.deepEqual(attrs(point.attributes), { service: 'asr', op: 'transcribe', outcome: 'success' });
  t.true(BigInt(point.startTimeUnixNano) > 0n);
  t.true(BigInt(point.startTimeUnixNano) < BigInt(point.timeUnixNano));

  const inflight = metric('worker.inflight_jobs');
  t.is(inflight.gauge?.dataPoints[0].asDouble, 3);

  const latency = metric('external.call_latency_seconds');
  t.is(latency.unit, 's');
  t.is(latency.histogram?.aggregationTemporality, AGGREGATION_TEMPORALITY_CUMULATIVE);
  const hp = latency.histogram!.dataPoints[0];
  t.deepEqual(attrs(hp.attributes), { service: 'asr' });
  t.deepEqual(hp.explicitBounds, [0.1, 0.5, 2]);
  t.deepEqual(hp.bucketCounts.map(Number), [1, 2, 0, 1]);
  t.is(Number(hp.count), 4);
  t.is(hp.sum, 9.68);

  // obsweave's own self-observation travels too.
  t.truthy(metric('obsweave.dropped'));
});
