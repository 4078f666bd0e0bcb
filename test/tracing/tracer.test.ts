import test from 'ava';
import { getTracer, metrics, NoopTracer, setTracer } from '../../src';
import { NOOP_SPAN } from '../../src/tracing/noop-tracer';
import { RecordingTracer } from './recording-tracer';

test('NoopTracer: one shared span that records nothing, withSpan just runs', (t) => {
  const tracer = new NoopTracer();
  const span = tracer.startSpan('x', { a: 1 });
  t.is(span, NOOP_SPAN);
  span.setAttribute('k', 'v');
  span.end(new Error('x'));
  t.is(
    tracer.withSpan(span, () => 5),
    5,
  );
});

// serial: they change the process-wide tracer
test.serial('getTracer() is bound late: a tracer set afterwards takes effect', (t) => {
  const kept = getTracer();
  const rec = new RecordingTracer();
  t.true(setTracer(rec));
  try {
    const span = kept.startSpan('late', { a: 1 });
    kept.withSpan!(span, () => kept.startSpan('child').end());
    span.end();
    t.deepEqual(
      rec.spans.map((s) => s.name),
      ['late', 'child'],
    );
    t.is(rec.spans[1].parent, rec.spans[0]);
  } finally {
    setTracer(new NoopTracer());
  }
  t.is(kept.startSpan('after'), NOOP_SPAN);
});

test.serial(
  'setTracer() refuses what is not a tracer, without throwing, and keeps the previous one',
  (t) => {
    // The warning it provokes goes to the process-wide registry's logger: kept here and checked,
    // instead of printed by a passing run (this file's worker has that registry to itself).
    const logs: string[] = [];
    metrics.setLogger((msg) => logs.push(msg));
    const rec = new RecordingTracer();
    setTracer(rec);
    try {
      t.false(setTracer({} as never));
      t.false(setTracer(null as never));
      getTracer().startSpan('still');
      t.is(rec.spans.length, 1);
      t.is(
        logs.filter((l) => l.includes('setTracer() needs an object with startSpan()')).length,
        1,
        'warned once',
      );
    } finally {
      setTracer(new NoopTracer());
    }
  },
);

test.serial('a tracer without withSpan still runs the function', (t) => {
  setTracer({ startSpan: () => NOOP_SPAN });
  try {
    t.is(
      getTracer().withSpan!(NOOP_SPAN, () => 'ran'),
      'ran',
    );
  } finally {
    setTracer(new NoopTracer());
  }
});
