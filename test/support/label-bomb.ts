/**
 * Run in a child process (`node --expose-gc -r test/support/ts-register.js`): records
 * `count` distinct label values on one metric and prints the heap growth as JSON. The
 * values are long, so a table that remembered them would grow by hundreds of MB.
 */
import { MetricsRegistry } from '../../src';

const count = Number(process.argv[2] ?? 1000000);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');

const registry = new MetricsRegistry({ logger: () => {} });
const c = registry.counter('bomb_total', { labelNames: ['user'] });
const pad = 'x'.repeat(100);
c.inc(1, { user: 'warm-up' });
gc();
const before = process.memoryUsage().heapUsed;
for (let i = 0; i < count; i++) c.inc(1, { user: `user-${i}-${pad}` });
gc();
const after = process.memoryUsage().heapUsed;
const snap = registry.snapshot();
let total = 0;
let series = 0;
for (const [k, v] of Object.entries(snap.counters)) {
  if (k.startsWith('bomb_total|')) {
    total += v;
    series++;
  }
}
process.stdout.write(
  JSON.stringify({
    growth: after - before,
    total,
    series,
    overflow: snap.counters['bomb_total|user=__overflow__'],
    dropped: snap.counters['obsweave.dropped_total|reason=overflow'],
  }),
);
