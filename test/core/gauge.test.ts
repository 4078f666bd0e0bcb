import test from 'ava';
import { dropped, newRegistry } from '../support/registry';

test('set(), inc() and dec() move a gauge; inc and dec default to 1', (t) => {
  const { registry } = newRegistry();
  const g = registry.gauge('worker.inflight_jobs');
  g.set(5);
  g.inc();
  g.inc(2);
  g.dec();
  g.dec(0.5);
  t.is(registry.snapshot().gauges['worker.inflight_jobs'], 6.5);
  g.set(-3);
  t.is(registry.snapshot().gauges['worker.inflight_jobs'], -3, 'gauges may be negative');
  g.dec(-1);
  t.is(registry.snapshot().gauges['worker.inflight_jobs'], -2);
});

test('labelled gauges keep one value per label set', (t) => {
  const { registry } = newRegistry();
  const g = registry.gauge('sse.clients', { labelNames: ['stream'] });
  g.inc(1, { stream: 'jobs' });
  g.inc(1, { stream: 'jobs' });
  g.set(7, { stream: 'logs' });
  g.dec(1, { stream: 'jobs' });
  const gauges = registry.snapshot().gauges;
  t.is(gauges['sse.clients|stream=jobs'], 1);
  t.is(gauges['sse.clients|stream=logs'], 7);
});

test('bind() returns a child with set, inc and dec on one series', (t) => {
  const { registry } = newRegistry();
  const g = registry.gauge('sse.clients', { labelNames: ['stream'] });
  const child = g.bind({ stream: 'jobs' });
  child.set(10);
  child.inc();
  child.dec(3);
  g.inc(2, { stream: 'jobs' });
  t.is(registry.snapshot().gauges['sse.clients|stream=jobs'], 10);
});

for (const bad of [NaN, Infinity, -Infinity, '3', null, {}, Symbol('x'), 10n]) {
  test(`gauge calls with ${String(bad)} are dropped and counted, the value kept`, (t) => {
    const { registry } = newRegistry();
    const g = registry.gauge('g');
    const child = g.bind();
    g.set(1);
    for (const call of [
      () => g.set(bad as number),
      () => g.inc(bad as number),
      () => g.dec(bad as number),
      () => child.set(bad as number),
      () => child.inc(bad as number),
      () => child.dec(bad as number),
    ]) {
      t.notThrows(call);
    }
    t.is(registry.snapshot().gauges['g'], 1);
    t.is(dropped(registry, 'invalid_value'), 6);
  });
}
