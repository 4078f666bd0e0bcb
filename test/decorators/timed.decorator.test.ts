import test from 'ava';
import { MetricsRegistry } from '../../src';
import { Counted, Timed } from '../../src';
import { runChecklist } from './checklist';
import { counter, histCount } from '../support/registry';

runChecklist({
  title: '@Timed',
  decorate:
    (a, { registry }) =>
    (m) =>
      a.Timed('fixture.call_ms', { registry, labels: { method: m } }),
  recorder: ({ registry }) => ({
    total: (m) => histCount(registry, `fixture.call_ms|method=${m}`),
  }),
});

runChecklist({
  title: '@Counted',
  decorate:
    (a, { registry }) =>
    (m) =>
      a.Counted('fixture.calls_total', { registry, labels: { method: m } }),
  recorder: ({ registry }) => ({
    total: (m) =>
      counter(registry, `fixture.calls_total|method=${m},outcome=success`) +
      counter(registry, `fixture.calls_total|method=${m},outcome=error`),
    failed: (m) => counter(registry, `fixture.calls_total|method=${m},outcome=error`),
  }),
});

test('@Timed and @Counted stack on one method, and two @Timed with different metrics both record', (t) => {
  const registry = new MetricsRegistry({ logger: () => {} });
  class Jobs {
    @Counted('jobs.handled_total', { registry })
    @Timed('jobs.handle_ms', { registry, buckets: [1, 10, 100] })
    @Timed('jobs.handle_other_ms', { registry })
    handle(fail: boolean): string {
      if (fail) throw new Error('x');
      return 'ok';
    }
  }
  const j = new Jobs();
  t.is(j.handle(false), 'ok');
  t.throws(() => j.handle(true));
  t.is(histCount(registry, 'jobs.handle_ms'), 2);
  t.is(histCount(registry, 'jobs.handle_other_ms'), 2);
  t.deepEqual(Object.keys(registry.snapshot().histograms['jobs.handle_ms'].buckets), [
    '1',
    '10',
    '100',
    '+Inf',
  ]);
  t.is(counter(registry, 'jobs.handled_total|outcome=success'), 1);
  t.is(counter(registry, 'jobs.handled_total|outcome=error'), 1);
});

test('@Timed / @Counted: bad arguments throw at decoration time', (t) => {
  t.throws(() => Timed(''), { message: /@Timed/ });
  t.throws(() => Timed('a_ms', { labels: 'x' as never }), { message: /@Timed/ });
  t.throws(() => Counted('a_total', { labels: { outcome: 'x' } }), {
    message: /@Counted.*outcome/,
  });
  t.throws(
    () => {
      class Twice {
        @Timed('same_ms')
        @Timed('same_ms')
        m(): void {}
      }
      return Twice;
    },
    { message: /@Timed is applied twice/ },
  );
});
