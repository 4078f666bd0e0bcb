import test from 'ava';
import { setCorrelationSource, setTraceRefSource } from '../../src/core/exemplars';
import { activeCorrelationId } from '../../src/context/correlation';
import { newRegistry } from '../support/registry';

// Both sources are process-wide: one test at a time, put back afterwards.
test.afterEach.always(() => {
  setTraceRefSource(undefined);
  setCorrelationSource(activeCorrelationId);
});

const REF = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7' };

test.serial(
  "an exemplar carries the request's correlation id while its labels fit 128 characters",
  (t) => {
    const { registry } = newRegistry();
    const h = registry.histogram('h_ms', { buckets: [10, 100, 1000] });
    setTraceRefSource(() => REF);
    let id: string | undefined = 'f47ac10b-58cc-4372-a567-0e02b2c3d479';
    setCorrelationSource(() => id);
    h.observe(5);
    id = 'x'.repeat(128 - 63 - 'correlation_id'.length + 1); // one character too many
    h.observe(50);
    id = undefined;
    h.observe(500);
    const om = registry.toOpenMetrics() as string;
    t.regex(
      om,
      /le="0\.01"\} 1 # \{trace_id="4bf9[0-9a-f]+",span_id="00f0[0-9a-f]+",correlation_id="f47ac10b-58cc-4372-a567-0e02b2c3d479"\} 0\.005 /,
    );
    t.regex(om, /le="0\.1"\} 2 # \{trace_id="[0-9a-f]+",span_id="[0-9a-f]+"\} 0\.05 /);
    t.regex(om, /le="1"\} 3 # \{trace_id="[0-9a-f]+",span_id="[0-9a-f]+"\} 0\.5 /);
    t.notRegex(registry.toPrometheus() as string, /correlation_id/);
  },
);

test.serial('a throwing correlation source costs the id, never the exemplar', (t) => {
  const { registry } = newRegistry();
  const h = registry.histogram('h_ms', { buckets: [10] });
  setTraceRefSource(() => REF);
  setCorrelationSource(() => {
    throw new Error('broken');
  });
  t.notThrows(() => h.observe(1));
  t.regex(registry.toOpenMetrics() as string, /# \{trace_id="[0-9a-f]+",span_id="[0-9a-f]+"\} /);
});
