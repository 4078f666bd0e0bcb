import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import test from 'ava';
import http from 'node:http';
import { otelMetricProducer } from '../../src/otel';
import { listen } from '../support/http';
import { newRegistry } from '../support/registry';

/** `name type` of every `# TYPE` line. */
const families = (text: string) =>
  text
    .split('\n')
    .filter((l) => l.startsWith('# TYPE '))
    .map((l) => l.slice('# TYPE '.length))
    .sort();

test("through the SDK's Prometheus exporter, the catalog has the names of obsweave's own text", async (t) => {
  const { registry } = newRegistry();
  registry.registerCatalog();
  registry
    .counter('http.requests_total', { labelNames: ['method', 'route', 'code_class'] })
    .inc(3, {
      method: 'GET',
      route: '/api/jobs',
      code_class: '2xx',
    });
  registry.histogram('worker.stage_latency_ms', { labelNames: ['stage'] }).observe(250, {
    stage: 'transcribe',
  });
  const exporter = new PrometheusExporter({
    preventServerStart: true,
    withoutScopeInfo: true,
    withoutTargetInfo: true,
    metricProducers: [otelMetricProducer(registry)],
  });
  const provider = new MeterProvider({ readers: [exporter] });
  t.teardown(() => provider.shutdown());
  const url = await listen(
    t,
    http.createServer((req, res) => exporter.getMetricsRequestHandler(req, res)),
  );
  const otel = await (await fetch(url)).text();
  const own = registry.toPrometheus();
  t.deepEqual(families(otel), families(own));
  t.regex(otel, /^http_requests_total\{method="GET",route="\/api\/jobs",code_class="2xx"\} 3$/m);
  t.regex(otel, /^worker_stage_latency_seconds_bucket\{stage="transcribe",le="0.25"\} 1$/m);
  t.regex(otel, /^worker_stage_latency_seconds_sum\{stage="transcribe"\} 0.25$/m);
});
