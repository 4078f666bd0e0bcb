/**
 * Run in a child process (`node --expose-gc -r ts-node/register/transpile-only`): records
 * `count` distinct label values of 256 KiB each, below the series cap, and prints the heap
 * growth and the totals as JSON. Remembering the raw values as aliases would keep all of them.
 */
import { MetricsRegistry } from '../../src';

const count = Number(process.argv[2] ?? 200);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');

const registry = new MetricsRegistry({ logger: () => {}, maxSeriesPerMetric: 100000 });
const c = registry.counter('long_total', { labelNames: ['url'] });
const body = 'a.'.repeat(128 * 1024);
c.inc(1, { url: 'warm-up' });
gc();
const before = process.memoryUsage().heapUsed;
for (let i = 0; i < count; i++) {
  // Each one its own flat string, as a request would bring it.
  const value = Buffer.from(`https://user:pw@h/${i}?sig=${body}`).toString();
  c.inc(1, { url: value });
  c.inc(1, { url: value });
}
gc();
gc();
const after = process.memoryUsage().heapUsed;
let total = 0;
for (const [k, v] of Object.entries(registry.snapshot().counters)) {
  if (k.startsWith('long_total|')) total += v;
}
process.stdout.write(JSON.stringify({ growth: after - before, total }));
