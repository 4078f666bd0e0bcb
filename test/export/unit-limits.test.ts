import test from 'ava';
import { readText, threeFormats } from '../support/exposition';
import { dropped, newRegistry } from '../support/registry';

/** The largest value of a `_mb` metric whose bytes are still a finite double. */
const MAX_MB = Number.MAX_VALUE / 1048576;

function agree(
  t: import('ava').ExecutionContext,
  registry: ReturnType<typeof newRegistry>['registry'],
) {
  const f = threeFormats(registry);
  t.deepEqual(f.json, f.prometheus);
  t.deepEqual(f.json, f.openmetrics);
  for (const text of [registry.toPrometheus(), registry.toOpenMetrics()]) {
    const les = readText(text, text.endsWith('# EOF\n')).samples.filter(
      (s) => s.labels.le === '+Inf',
    );
    t.is(new Set(les.map((s) => JSON.stringify(s))).size, les.length, 'one le="+Inf" per series');
    t.false(
      readText(text, text.endsWith('# EOF\n')).samples.some((s) => !Number.isFinite(s.value)),
      'no infinite sample',
    );
  }
}

test('a _mb value past what bytes can show is dropped from every format as invalid_value', (t) => {
  const { registry } = newRegistry();
  const g = registry.gauge('m_mb');
  g.set(1e305);
  t.is(registry.snapshot().gauges.m_mb, 0);
  g.set(MAX_MB);
  g.inc(MAX_MB); // the sum would pass it
  g.dec(-MAX_MB);
  t.is(registry.snapshot().gauges.m_mb, MAX_MB);
  const b = registry.gauge('n_mb', { labelNames: ['k'] }).bind({ k: 'v' });
  b.set(-1e305);
  b.set(-MAX_MB);
  b.dec(MAX_MB);
  b.inc(-1e303);
  const c = registry.counter('moved_mb_total');
  c.inc(1e305);
  c.inc(MAX_MB);
  c.inc(MAX_MB);
  registry
    .counter('sent_mb_total', { labelNames: ['k'] })
    .bind({ k: 'v' })
    .inc(1e304);
  const h = registry.histogram('payload_mb', { buckets: [1, 2] });
  h.observe(1e303);
  h.observe(MAX_MB);
  h.observe(MAX_MB); // its sum would pass it
  registry
    .histogram('body_mb', { labelNames: ['k'], buckets: [1] })
    .bind({ k: 'v' })
    .observe(-1e303);
  const snap = registry.snapshot();
  t.is(snap.gauges['n_mb|k=v'], -MAX_MB);
  t.is(snap.counters.moved_mb_total, MAX_MB);
  t.is(snap.counters['sent_mb_total|k=v'], 0);
  t.is(snap.histograms.payload_mb.count, 1);
  t.is(snap.histograms.payload_mb.sum, MAX_MB);
  t.is(snap.histograms['body_mb|k=v'].count, 0);
  t.is(dropped(registry, 'invalid_value'), 12);
  agree(t, registry);
});

test('a collected _mb value past what bytes can show is dropped from every format too', (t) => {
  const { registry } = newRegistry();
  registry.addCollector(() => ({
    counters: { 'pulled_mb_total|q=a': 1e305, 'pulled_mb_total|q=b': 3 },
    gauges: { heap_mb: 1e306, free_mb: MAX_MB },
    histograms: {
      'read_mb|q=a': { count: 1, sum: 1e305, buckets: { '1': 0, '+Inf': 1 } },
      'read_mb|q=b': { count: 1, sum: 1, buckets: { '1e305': 1, '+Inf': 1 } },
      'read_mb|q=c': { count: 1, sum: 1, buckets: { '1': 1, '+Inf': 1 } },
    },
  }));
  const snap = registry.snapshot();
  t.deepEqual(
    Object.keys(snap.counters).filter((k) => k.startsWith('pulled')),
    ['pulled_mb_total|q=b'],
  );
  t.false('heap_mb' in snap.gauges);
  t.is(snap.gauges.free_mb, MAX_MB);
  t.deepEqual(
    Object.keys(snap.histograms).filter((k) => k.startsWith('read')),
    ['read_mb|q=c'],
  );
  t.is(snap.counters['obsweave.dropped_total|reason=invalid_value'], 4);
  agree(t, registry);
});

test('histogram bounds the text formats cannot show apart, or at all, are refused at definition', (t) => {
  const { registry } = newRegistry();
  const refused: [string, number[]][] = [
    ['big_mb', [1, 1e305]],
    ['huge_mb', [Number.MAX_VALUE]],
    // One double apart: divided by 1000 (or 100), both are the same number of seconds (ratio).
    ['close_ms', [1.9569095062903015, 1.9569095062903017]],
    ['close_pct', [1.679007927460212, 1.6790079274602123]],
    ['tiny_ms', [5e-324, 1e-323]],
    ['signed_ms', [-5e-324, 0]],
  ];
  for (const [name, buckets] of refused) {
    t.throws(
      () => registry.histogram(name, { buckets }),
      { message: /^obsweave: histogram / },
      name,
    );
  }
  // The same bounds without a unit to convert are fine.
  registry.histogram('close', { buckets: [1.9569095062903015, 1.9569095062903017] }).observe(2);
  registry.histogram('fits_mb', { buckets: [1, MAX_MB] }).observe(MAX_MB);
  t.is(registry.snapshot().histograms.fits_mb.buckets[String(MAX_MB)], 1);
  agree(t, registry);
});
