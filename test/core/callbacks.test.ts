import test from 'ava';
import { EventEmitter } from 'node:events';
import { setImmediate as nextTurn, setTimeout as delay } from 'node:timers/promises';
import { dropped, newRegistry } from '../support/registry';

/**
 * The method itself, typed as the loose callback a JavaScript caller passes it as: `forEach`
 * hands it (value, index, array), which TypeScript would refuse.
 */
function loose(method: unknown): (...args: unknown[]) => void {
  return method as (...args: unknown[]) => void;
}

/** Calls `fn` as a detached callback on the next turn, then waits for that turn to pass. */
async function fromTimer(fn: () => unknown): Promise<void> {
  setImmediate(fn);
  await nextTurn();
}

test('a counter method passed as a callback records into its counter', async (t) => {
  const { registry } = newRegistry();
  const c = registry.counter('ticks_total');
  const l = registry.counter('events_total', { labelNames: ['kind'] });
  await fromTimer(c.inc);
  setTimeout(c.inc, 1);
  await delay(1); // timers of one delay run in the order they were set
  const emitter = new EventEmitter();
  emitter.on('tick', c.inc);
  emitter.emit('tick');
  emitter.emit('tick', 5);
  [1, 2].forEach(loose(c.inc)); // (value, index, array): the index is no label set, and ignored
  [1, 2].forEach(loose(l.inc));
  const s = registry.snapshot().counters;
  t.is(s.ticks_total, 1 + 1 + 1 + 5 + 1 + 2);
  t.is(s['events_total|kind='], 3);
});

test("a bound child's methods passed as callbacks record into its series", async (t) => {
  const { registry } = newRegistry();
  const c = registry.counter('jobs_total', { labelNames: ['queue'] }).bind({ queue: 'a' });
  const g = registry.gauge('depth', { labelNames: ['queue'] }).bind({ queue: 'a' });
  const h = registry.histogram('wait_ms', { labelNames: ['queue'] }).bind({ queue: 'a' });
  await fromTimer(c.inc);
  [4, 6].forEach(loose(c.inc));
  [7, 9].forEach(loose(g.set));
  [1, 1, 1].forEach(loose(g.inc));
  [2].forEach(loose(g.dec));
  [3, 30].forEach(loose(h.observe));
  const stop = [0].map(loose(h.startTimer) as () => () => number)[0];
  const emitter = new EventEmitter();
  emitter.once('done', stop);
  emitter.emit('done');
  const s = registry.snapshot();
  t.is(s.counters['jobs_total|queue=a'], 11);
  t.is(s.gauges['depth|queue=a'], 10);
  t.is(s.histograms['wait_ms|queue=a'].count, 3);
  t.true(s.histograms['wait_ms|queue=a'].sum >= 33);
});

test('gauge and histogram methods passed as callbacks record into their metric', async (t) => {
  const { registry } = newRegistry();
  const g = registry.gauge('temperature');
  const h = registry.histogram('size_mb');
  const hl = registry.histogram('latency_ms', { labelNames: ['route'], buckets: [1, 10] });
  [1, 2, 3].forEach(loose(g.set));
  await fromTimer(g.inc);
  [5].forEach(loose(g.dec));
  [1, 2].forEach(loose(h.observe));
  [1, 20].forEach(loose(hl.observe)); // the index in the labels' place: the value is still recorded
  const stop = [{ route: '/a' }].map(loose(hl.startTimer) as () => () => number)[0];
  stop();
  const startTimer = h.startTimer;
  startTimer()();
  const s = registry.snapshot();
  t.is(s.gauges.temperature, -1);
  t.is(s.histograms.size_mb.count, 3);
  t.is(s.histograms['latency_ms|route='].count, 2);
  t.is(s.histograms['latency_ms|route='].buckets['10'], 1);
  t.is(s.histograms['latency_ms|route=/a'].count, 1);
  t.is(dropped(registry, 'undeclared_label'), 0);
  t.is(dropped(registry, 'invalid_value'), 0);
});

test('bind passed as a callback makes children of its metric', (t) => {
  const { registry } = newRegistry();
  const c = registry.counter('calls_total', { labelNames: ['op'] });
  const children = [{ op: 'read' }, { op: 'write' }].map(c.bind);
  children.forEach((child) => child.inc());
  const s = registry.snapshot().counters;
  t.is(s['calls_total|op=read'], 1);
  t.is(s['calls_total|op=write'], 1);
});

test("an inert metric's methods (a conflicting definition) may be passed as callbacks too", (t) => {
  const { registry } = newRegistry();
  registry.counter('taken_total');
  const inert = registry.gauge('taken_total');
  t.notThrows(() => {
    [1].forEach(loose(inert.set));
    const bind = inert.bind;
    bind().inc();
    [0].map(loose(registry.histogram('taken_total').startTimer) as () => () => number)[0]();
  });
  t.is(registry.snapshot().counters.taken_total, 0);
});
