import http from 'node:http';
import { createMetricsHandler, MetricsRegistry, setTracer, traced } from '../../src';
import { nativeRelativeError } from '../../src/core/native-quantile';
import { listen } from '../support/http';
import { installOtelSdk } from '../support/otel-sdk';
import { startPrometheus, type PrometheusServer } from '../support/prometheus';
import { findTool, testWithTools } from '../support/tools';

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

/** A seeded generator (mulberry32), so the distribution and its true quantiles are known. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/** Log-normal latencies in ms around a 40 ms median: a long tail, as services have. */
function latencies(n: number): number[] {
  const next = random(7);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const z = Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
    out.push(Math.round(40 * Math.exp(0.8 * z) * 1000) / 1000);
  }
  return out;
}

/** Polls Prometheus until the query answers with something: the first scrape has landed. */
async function first(p: PrometheusServer, promql: string, ms = 20000): Promise<Sample[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const r = await p.query<Sample>(promql).catch(() => []);
    if (r.length > 0) return r;
    if (Date.now() > deadline) throw new Error(`no answer to ${promql}:\n${p.output()}`);
    await new Promise((res) => setTimeout(res, 50));
  }
}

testWithTools('prometheus')(
  'Prometheus with native histograms stores exact count and sum, quantiles within the schema error, an exemplar of a span; without the flag, the classic buckets',
  async (t) => {
    const binary = findTool('prometheus')!;
    const sdk = installOtelSdk();
    setTracer(sdk.tracer);

    const registry = new MetricsRegistry({ nativeHistograms: true, logger: () => {} });
    const h = registry.histogram('checkout.latency_ms', { help: 'Checkout latency' });
    const values = latencies(5000);
    for (const v of values) h.observe(v);
    // One more inside a span: its exemplar must name that span.
    traced('checkout', () => h.observe(12.5));
    values.push(12.5);
    const span = sdk.spanNamed('checkout')!;
    t.truthy(span);

    const server = http.createServer(createMetricsHandler({ registry, ui: false }));
    const url = await listen(t, server);
    const target = new URL(url).host;
    const [native, classic] = await Promise.all([
      startPrometheus({
        binary,
        targets: [target],
        scrapeInterval: '500ms',
        features: ['native-histograms', 'exemplar-storage'],
      }),
      startPrometheus({ binary, targets: [target], scrapeInterval: '500ms' }),
    ]);
    t.teardown(() => native.stop());
    t.teardown(() => classic.stop());

    const snap = registry.snapshot().histograms['checkout.latency_ms'];
    const [count] = await first(native, 'histogram_count(checkout_latency_seconds)');
    t.is(Number(count.value[1]), values.length);
    t.is(snap.count, values.length);
    const [sum] = await native.query<Sample>('histogram_sum(checkout_latency_seconds)');
    t.is(Number(sum.value[1]), snap.sum / 1000, 'the sum the app exports, in seconds');

    const sorted = [...values].sort((a, b) => a - b);
    const err = nativeRelativeError(3);
    for (const q of [0.5, 0.9, 0.99]) {
      const truth = sorted[Math.ceil(q * sorted.length) - 1] / 1000;
      const [r] = await native.query<Sample>(`histogram_quantile(${q}, checkout_latency_seconds)`);
      const got = Number(r.value[1]);
      t.true(Math.abs(got - truth) / truth <= err, `q${q}: ${got} vs true ${truth} (±${err})`);
      t.log(`q${q}: Prometheus ${got.toFixed(5)} s, true ${truth} s`);
    }

    const now = Date.now() / 1000;
    const exemplars = await native.api<{ exemplars: { labels: Record<string, string> }[] }[]>(
      `query_exemplars?query=${encodeURIComponent('{__name__=~"checkout_latency_seconds.*"}')}` +
        `&start=${now - 300}&end=${now + 60}`,
    );
    const traces = exemplars.flatMap((s) => s.exemplars.map((e) => e.labels.trace_id));
    t.true(traces.includes(span.spanContext().traceId), `exemplars: ${JSON.stringify(exemplars)}`);

    // The same app, scraped as text: every classic bucket, nothing lost.
    const buckets = await first(classic, 'checkout_latency_seconds_bucket');
    const expected = Object.entries(snap.buckets).map(([le, c]) => [
      le === '+Inf' ? '+Inf' : String(Number(le) / 1000),
      c,
    ]);
    const byBound = (a: (string | number)[], b: (string | number)[]) =>
      Number(a[0].toString().replace('+Inf', 'Infinity')) -
      Number(b[0].toString().replace('+Inf', 'Infinity'));
    t.deepEqual(
      buckets.map((s) => [s.metric.le, Number(s.value[1])]).sort(byBound),
      expected.sort(byBound),
    );
    const [classicCount] = await classic.query<Sample>('checkout_latency_seconds_count');
    t.is(Number(classicCount.value[1]), values.length);
    t.deepEqual(
      await native.query<Sample>('checkout_latency_seconds_bucket'),
      [],
      'with the flag, 2.42 keeps the native series only',
    );
  },
);
