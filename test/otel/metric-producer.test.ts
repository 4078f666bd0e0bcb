import { ValueType } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  DataPointType,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type HistogramMetricData,
  type MetricData,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import test from 'ava';
import { CATALOG, DEFAULT_BUCKETS_MS, type MetricsRegistry } from '../../src';
import { otelMetricProducer } from '../../src/otel';
import { newRegistry } from '../support/registry';

/** The real SDK: a MeterProvider whose one reader has obsweave's producer, exporting to memory. */
function pipeline(registry: MetricsRegistry) {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({
    exporter,
    exportIntervalMillis: 3_600_000, // exports happen on forceFlush only
    metricProducers: [otelMetricProducer(registry)],
  });
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': 'media-worker' }),
    readers: [reader],
  });
  return {
    provider,
    /** Collects and exports once, returning what the exporter received. */
    async export(): Promise<ResourceMetrics> {
      exporter.reset();
      await reader.forceFlush();
      const all = exporter.getMetrics();
      if (all.length !== 1) throw new Error(`expected one export, got ${all.length}`);
      return all[0];
    },
    shutdown: () => provider.shutdown(),
  };
}

function find(rm: ResourceMetrics, name: string): MetricData {
  const m = rm.scopeMetrics.flatMap((s) => s.metrics).filter((x) => x.descriptor.name === name);
  if (m.length !== 1) throw new Error(`${m.length} metrics named ${name}`);
  return m[0];
}

test('the constants written out in the producer are the SDK enums', (t) => {
  // The producer does not load the SDK; its literals must stay the SDK's values.
  t.is(DataPointType.HISTOGRAM, 0);
  t.is(DataPointType.GAUGE, 2);
  t.is(DataPointType.SUM, 3);
  t.is(AggregationTemporality.CUMULATIVE, 1);
});

test('counters are monotonic cumulative sums with a fixed start time', async (t) => {
  const { registry } = newRegistry();
  const done = registry.counter('jobs.done_total', { labelNames: ['queue', 'outcome'] });
  done.inc(3, { queue: 'asr', outcome: 'ok' });
  done.inc(1, { queue: 'asr' });
  const p = pipeline(registry);
  t.teardown(p.shutdown);
  const first = await p.export();
  const m = find(first, 'jobs.done');
  t.is(m.dataPointType, DataPointType.SUM);
  t.is(m.aggregationTemporality, AggregationTemporality.CUMULATIVE);
  t.true(m.dataPointType === DataPointType.SUM && m.isMonotonic);
  t.is(m.descriptor.valueType, ValueType.DOUBLE);
  t.is(m.descriptor.unit, '');
  t.is(m.descriptor.description, 'jobs.done_total');
  t.deepEqual(
    m.dataPoints.map((d) => [d.attributes, d.value]),
    [
      [{ queue: 'asr', outcome: 'ok' }, 3],
      [{ queue: 'asr', outcome: '' }, 1],
    ],
  );
  done.inc(2, { queue: 'asr', outcome: 'ok' });
  const second = find(await p.export(), 'jobs.done');
  t.is(second.dataPoints[0].value, 5, 'cumulative: the total, not the change');
  t.deepEqual(second.dataPoints[0].startTime, m.dataPoints[0].startTime, 'one start time');
  const [s, e] = [second.dataPoints[0].startTime, second.dataPoints[0].endTime];
  t.true(s[0] * 1e9 + s[1] < e[0] * 1e9 + e[1], 'starts before it ends');
  t.true(s[1] >= 0 && s[1] < 1e9);
});

test('gauges are gauges, in base units', async (t) => {
  const { registry } = newRegistry();
  registry.gauge('proc.memory_rss_mb').set(128.5);
  registry.gauge('disk.used_pct').set(42);
  registry.gauge('queue.depth', { labelNames: ['queue'] }).set(7, { queue: 'asr' });
  const p = pipeline(registry);
  t.teardown(p.shutdown);
  const rm = await p.export();
  const rss = find(rm, 'proc.memory_rss_bytes');
  t.is(rss.dataPointType, DataPointType.GAUGE);
  t.is(rss.descriptor.unit, 'By');
  t.is(rss.dataPoints[0].value, 128.5 * 1048576);
  const used = find(rm, 'disk.used_ratio');
  t.is(used.descriptor.unit, '1');
  t.is(used.dataPoints[0].value, 0.42);
  t.deepEqual(find(rm, 'queue.depth').dataPoints[0].attributes, { queue: 'asr' });
});

test('histograms keep their explicit bounds, in seconds with the values', async (t) => {
  const { registry } = newRegistry();
  const h = registry.histogram('worker.stage_latency_ms', { labelNames: ['stage'] });
  for (const v of [0.5, 3, 3, 40, 700_000]) h.observe(v, { stage: 'transcribe' });
  const p = pipeline(registry);
  t.teardown(p.shutdown);
  const m = find(await p.export(), 'worker.stage_latency_seconds') as HistogramMetricData;
  t.is(m.dataPointType, DataPointType.HISTOGRAM);
  t.is(m.aggregationTemporality, AggregationTemporality.CUMULATIVE);
  t.is(m.descriptor.unit, 's');
  const d = m.dataPoints[0];
  t.deepEqual(d.attributes, { stage: 'transcribe' });
  t.deepEqual(
    d.value.buckets.boundaries,
    DEFAULT_BUCKETS_MS.map((b) => b / 1000),
  );
  const counts = new Array(DEFAULT_BUCKETS_MS.length + 1).fill(0);
  counts[0] = 1; // 0.5 ms <= 1 ms
  counts[2] = 2; // 3 ms <= 5 ms
  counts[5] = 1; // 40 ms <= 50 ms
  counts[DEFAULT_BUCKETS_MS.length] = 1; // past 600 s: +Inf
  t.deepEqual(d.value.buckets.counts, counts, 'per bucket, not cumulative, +Inf last');
  t.is(d.value.count, 5);
  t.is(d.value.sum, (0.5 + 3 + 3 + 40 + 700_000) / 1000);
});

test("the resource is the MeterProvider's; obsweave series sit beside the SDK's own", async (t) => {
  const { registry } = newRegistry();
  registry.counter('jobs.created_total').inc();
  const p = pipeline(registry);
  t.teardown(p.shutdown);
  p.provider.getMeter('app').createCounter('app.native').add(2);
  const rm = await p.export();
  t.is(rm.resource.attributes['service.name'], 'media-worker');
  t.deepEqual(rm.scopeMetrics.map((s) => s.scope.name).sort(), ['app', 'obsweave']);
  t.is(find(rm, 'app.native').dataPoints[0].value, 2);
  t.is(find(rm, 'jobs.created').dataPoints[0].value, 1);
});

test('collected series, async collectors included, flow through too', async (t) => {
  const { registry } = newRegistry();
  registry.addCollector(async () => ({
    gauges: { 'queue.waiting|queue=asr': 4 },
    counters: { 'queue.processed_total|queue=asr': 9 },
  }));
  const p = pipeline(registry);
  t.teardown(p.shutdown);
  const rm = await p.export();
  t.deepEqual(
    find(rm, 'queue.waiting').dataPoints.map((d) => [d.attributes, d.value]),
    [[{ queue: 'asr' }, 4]],
  );
  t.is(find(rm, 'queue.processed').dataPoints[0].value, 9);
  t.true(
    'obsweave.export_latency_ms|format=otel' in (await registry.snapshot()).histograms,
    'the collection is timed as an export',
  );
});

test('every catalog metric arrives, each under one name', async (t) => {
  const { registry } = newRegistry();
  registry.registerCatalog();
  const p = pipeline(registry);
  t.teardown(p.shutdown);
  const names = (await p.export()).scopeMetrics
    .filter((s) => s.scope.name === 'obsweave')
    .flatMap((s) => s.metrics.map((m) => m.descriptor.name));
  t.is(new Set(names).size, names.length);
  t.true(names.length >= CATALOG.length);
  for (const e of CATALOG) {
    const n = e.name
      .replace(/_total$/, '')
      .replace(/_ms$/, '_seconds')
      .replace(/_mb$/, '_bytes')
      .replace(/_pct$/, '_ratio');
    t.true(names.includes(n), n);
  }
});

test('a registry that is not one throws at once', (t) => {
  t.throws(() => otelMetricProducer({} as never), { message: /^obsweave: otelMetricProducer/ });
});

test('default labels are attributes on every point; an own non-empty label wins', async (t) => {
  const { registry } = newRegistry({ defaultLabels: { service: 'api', version: '1.4.2' } });
  const calls = registry.counter('external.calls_total', { labelNames: ['service', 'op'] });
  calls.inc(2, { service: 'asr', op: 'transcribe' });
  calls.inc(1, { op: 'ping' });
  registry.histogram('stage.latency_ms', { buckets: [10] }).observe(4);
  const p = pipeline(registry);
  t.teardown(p.shutdown);
  const rm = await p.export();
  t.deepEqual(
    find(rm, 'external.calls').dataPoints.map((d) => d.attributes),
    [
      { service: 'asr', op: 'transcribe', version: '1.4.2' },
      { service: 'api', op: 'ping', version: '1.4.2' },
    ],
  );
  t.deepEqual(find(rm, 'stage.latency_seconds').dataPoints[0].attributes, {
    service: 'api',
    version: '1.4.2',
  });
  t.is(rm.resource.attributes['service.name'], 'media-worker', 'the resource stays the reader’s');
});
