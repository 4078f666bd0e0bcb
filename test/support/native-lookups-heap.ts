/**
 * Run in a child process (`node --expose-gc -r test/support/ts-register.js`): defines `count`
 * native histograms, each with a bucket list of its own in a registry of its own, observes one
 * value in each, lets them all go, and prints the heap growth as JSON. A lookup takes about
 * 96 KiB, so one kept after its histograms are gone would show as megabytes.
 */
import { MetricsRegistry } from '../../src';

const count = Number(process.argv[2] ?? 100);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');

/** What a finished job leaves: weak references are let go, then finalizers run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    gc!();
  }
}

function define(i: number): void {
  const registry = new MetricsRegistry({ nativeHistograms: true, logger: () => {} });
  registry.histogram('latency_ms', { buckets: [1 + i / 1000, 10, 100] }).observe(5);
}

void (async () => {
  define(-1); // the code and the key table, before the heap is read
  await settle();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < count; i++) define(i);
  await settle();
  const after = process.memoryUsage().heapUsed;
  process.stdout.write(JSON.stringify({ growth: after - before }));
})();
