import test from 'ava';
import { readText } from '../support/exposition';
import { newRegistry } from '../support/registry';

/** Every member an object inherits: `__proto__`, `constructor`, `toString`, `valueOf`, ... */
const INHERITED = Object.getOwnPropertyNames(Object.prototype);

test('a metric named after a member every object has is refused at definition', (t) => {
  t.true(INHERITED.includes('__proto__') && INHERITED.includes('constructor'));
  const { registry } = newRegistry();
  for (const name of INHERITED) {
    for (const define of [
      () => registry.counter(name),
      () => registry.gauge(name),
      () => registry.histogram(name),
    ]) {
      t.throws(
        define,
        { message: /^obsweave: invalid metric name ".*": every JavaScript object/ },
        name,
      );
    }
  }
  t.deepEqual(familiesOf(registry), { json: [], prometheus: [], openmetrics: [] });
});

test('a collector answering with such a name is left out of every format, counted as a conflict', (t) => {
  const { registry } = newRegistry();
  registry.counter('kept_total').inc();
  const counters = JSON.parse(
    '{"__proto__": 3, "constructor": 4, "toString|a=b": 5, "ok_total": 6}',
  );
  registry.addCollector(() => ({
    counters,
    gauges: JSON.parse('{"__proto__": 1, "valueOf": 2}'),
    histograms: JSON.parse(
      '{"hasOwnProperty": {"count": 1, "sum": 1, "buckets": {"1": 1, "+Inf": 1}}}',
    ),
  }));
  const snap = registry.snapshot();
  t.deepEqual(familiesOf(registry), { json: [], prometheus: [], openmetrics: [] });
  t.is(snap.counters.ok_total, 6);
  t.is(snap.counters.kept_total, 1);
  t.is(snap.counters['obsweave.dropped_total|reason=conflict'], 6);
});

/** Names of the families each format shows that an object inherits a member of. */
function familiesOf(registry: ReturnType<typeof newRegistry>['registry']) {
  const snap = JSON.parse(JSON.stringify(registry.snapshot())) as {
    counters: object;
    gauges: object;
    histograms: object;
  };
  const json = [snap.counters, snap.gauges, snap.histograms]
    .flatMap((m) => Object.keys(m))
    .map((k) => k.split('|')[0]);
  const text = (s: string, om: boolean) => [
    ...readText(s, om).types.keys(),
    ...readText(s, om).samples.map((p) => p.name),
  ];
  const inherited = (names: string[]) =>
    [...new Set(names)].filter((n) => INHERITED.some((i) => n === i || n.startsWith(`${i}_`)));
  return {
    json: inherited(json),
    prometheus: inherited(text(registry.toPrometheus(), false)),
    openmetrics: inherited(text(registry.toOpenMetrics(), true)),
  };
}
