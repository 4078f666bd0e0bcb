import 'reflect-metadata';
import test from 'ava';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMetricsHandler, ExternalCall, MetricsRegistry, setTracer, Traced } from '../../src';
import { setTraceRefSource } from '../../src/core/exemplars';
import { NoopTracer } from '../../src';
import { installOtelSdk } from '../support/otel-sdk';
import { startPrometheus } from '../support/prometheus';
import { findTool, testWithTools } from '../support/tools';

const { exporter, tracer } = installOtelSdk();
setTracer(tracer);

test.after.always(() => {
  setTracer(new NoopTracer());
  setTraceRefSource(undefined);
});

testWithTools('prometheus')(
  'a real Prometheus scrapes OpenMetrics exemplars that point at the exported spans',
  async (t) => {
    const binary = findTool('prometheus')!;
    const registry = new MetricsRegistry();

    class Asr {
      @Traced('asr.job')
      async job(): Promise<void> {
        await this.transcribe();
      }

      @ExternalCall('asr', { op: 'transcribe', registry })
      async transcribe(): Promise<void> {
        await new Promise((r) => setTimeout(r, 5));
      }
    }
    await new Asr().job();
    const span = exporter.getFinishedSpans().find((s) => s.name === 'asr.job')!;
    t.truthy(span);

    const handler = createMetricsHandler({ registry });
    let accepted = '';
    const server = createServer((req, res) => {
      accepted = String(req.headers.accept);
      handler(req, res);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    t.teardown(() => new Promise<void>((r) => server.close(() => r())));
    const { port } = server.address() as AddressInfo;

    const prom = await startPrometheus({
      binary,
      targets: [`127.0.0.1:${port}`],
      features: ['exemplar-storage'],
    });
    t.teardown(() => prom.stop());
    await prom.waitForScrapes(2);
    t.regex(accepted, /application\/openmetrics-text/, 'Prometheus asked for OpenMetrics');

    const now = Date.now() / 1000;
    const q = encodeURIComponent('external_call_latency_seconds_bucket{service="asr"}');
    const data = await prom.api<
      {
        seriesLabels: Record<string, string>;
        exemplars: { labels: Record<string, string>; value: string }[];
      }[]
    >(`query_exemplars?query=${q}&start=${now - 300}&end=${now + 60}`);
    const exemplars = data.flatMap((d) =>
      d.exemplars.map((e) => ({ ...e, le: d.seriesLabels.le })),
    );
    t.true(exemplars.length > 0, prom.output());
    for (const e of exemplars) {
      t.is(e.labels.trace_id, span.spanContext().traceId);
      t.is(e.labels.span_id, span.spanContext().spanId);
      t.true(
        Number(e.value) > 0 && Number(e.value) <= Number(e.le),
        'value in seconds, within its bucket',
      );
    }
    // The series themselves are there too, under their Prometheus names.
    const calls = await prom.query<{ value: [number, string] }>(
      'external_calls_total{service="asr",outcome="success"}',
    );
    t.is(calls[0]?.value[1], '1');
  },
);
