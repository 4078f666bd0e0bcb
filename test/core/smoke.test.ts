import test from 'ava';
import { MetricsRegistry } from '../../src';

test('a counter counts', (t) => {
  const r = new MetricsRegistry();
  r.counter('jobs.created_total').inc();
  t.is(r.snapshot().counters['jobs.created_total'], 1);
});
