import test from 'ava';
import { setTraceRefSource } from '../../src/core/exemplars';
import { newRegistry } from '../support/registry';

// The trace-ref source is process-wide: these tests run one at a time and always reset it.
test.afterEach.always(() => setTraceRefSource(undefined));

test.serial('exemplars appear on OpenMetrics bucket lines only, scaled like the bounds', (t) => {
  const { registry } = newRegistry();
  const h = registry.histogram('worker.stage_latency_ms', {
    labelNames: ['stage'],
    buckets: [10, 100],
  });
  h.observe(3, { stage: 'probe' }); // no span: no exemplar
  setTraceRefSource(() => ({
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    spanId: '00f067aa0ba902b7',
  }));
  h.observe(50, { stage: 'probe' });
  setTraceRefSource(() => undefined); // a source with no active span
  h.observe(500, { stage: 'probe' });
  const om = registry.toOpenMetrics();
  t.regex(
    om,
    /^worker_stage_latency_seconds_bucket\{stage="probe",le="0\.1"\} 2 # \{trace_id="4bf92f3577b34da6a3ce929d0e0e4736",span_id="00f067aa0ba902b7"\} 0\.05 \d+\.\d{3}$/m,
  );
  t.regex(om, /^worker_stage_latency_seconds_bucket\{stage="probe",le="0\.01"\} 1$/m);
  t.regex(om, /^worker_stage_latency_seconds_bucket\{stage="probe",le="\+Inf"\} 3$/m);
  t.notRegex(registry.toPrometheus(), /trace_id|#\s*\{/);
  t.false(JSON.stringify(registry.snapshot()).includes('4bf92f35'));
});

test.serial('the last observation in a bucket wins its exemplar; reset() clears them', (t) => {
  const { registry } = newRegistry();
  const child = registry.histogram('h_ms', { buckets: [10] }).bind();
  let n = 0;
  setTraceRefSource(() => ({ traceId: `trace${++n}`, spanId: `span${n}` }));
  child.observe(1);
  child.observe(2);
  let om = registry.toOpenMetrics();
  t.regex(om, /le="0\.01"\} 2 # \{trace_id="trace2",span_id="span2"\} 0\.002 /);
  t.notRegex(om, /trace1/);
  registry.reset();
  setTraceRefSource(undefined);
  child.observe(1);
  om = registry.toOpenMetrics();
  t.regex(om, /^h_seconds_bucket\{le="0\.01"\} 1$/m);
});

test.serial('a throwing trace-ref source never throws out of observe()', (t) => {
  const { registry } = newRegistry();
  const h = registry.histogram('h_ms', { buckets: [10] });
  setTraceRefSource(() => {
    throw new Error('tracer broken');
  });
  t.notThrows(() => h.observe(1));
  t.notThrows(() => h.bind().observe(1));
  t.notThrows(() => h.startTimer()());
  t.notThrows(() => registry.toOpenMetrics());
  t.is(registry.snapshot().histograms['h_ms'].count, 3, 'the observations are kept');
});

test.serial('default labels go on the bucket line, never into its exemplar', (t) => {
  const { registry } = newRegistry({ defaultLabels: { service: 'api' } });
  const h = registry.histogram('worker.stage_latency_ms', {
    labelNames: ['stage'],
    buckets: [10, 100],
  });
  setTraceRefSource(() => ({ traceId: 'abc123', spanId: 'def456' }));
  h.observe(50, { stage: 'probe' });
  t.regex(
    registry.toOpenMetrics(),
    /^worker_stage_latency_seconds_bucket\{stage="probe",service="api",le="0\.1"\} 1 # \{trace_id="abc123",span_id="def456"\} 0\.05 \d+\.\d{3}$/m,
  );
});
