import { execFileSync } from 'node:child_process';
import { getHeapStatistics } from 'node:v8';

/**
 * Heap bytes per series, measured in a fresh process per case (`--expose-gc`, two gc() before
 * each reading) with 20,000 series, so that the difference dwarfs the noise.
 */
const SERIES = 50000;

function child(lib: 'obsweave' | 'prom-client', kind: 'counter' | 'histogram'): number {
  const out = execFileSync(
    process.execPath,
    ['--expose-gc', '-r', 'ts-node/register/transpile-only', __filename, 'child', lib, kind],
    { encoding: 'utf8', cwd: `${__dirname}/..` },
  );
  return Number(out.trim());
}

async function measure(lib: string, kind: string): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc!;
  const prom = await import('prom-client');
  const { MetricsRegistry } = await import('../src');
  // Both libraries and their bookkeeping are loaded before the first reading.
  const ours = new MetricsRegistry({ maxSeriesPerMetric: SERIES * 2 });
  const reg = new prom.Registry();
  const labelNames = ['route', 'code'];
  const buckets = [
    1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 120000, 300000,
    600000,
  ];
  const make = (name: string): ((l: Record<string, string>) => void) => {
    if (lib === 'obsweave') {
      if (kind === 'counter') {
        const c = ours.counter(`${name}_total`, { labelNames });
        return (l) => c.inc(1, l);
      }
      const h = ours.histogram(`${name}_ms`, { labelNames });
      return (l) => h.observe(3, l);
    }
    if (kind === 'counter') {
      const c = new prom.Counter({
        name: `${name}_total`,
        help: 'h',
        labelNames,
        registers: [reg],
      });
      return (l) => c.inc(l, 1);
    }
    const h = new prom.Histogram({
      name: `${name}_ms`,
      help: 'h',
      labelNames,
      registers: [reg],
      buckets,
    });
    return (l) => h.observe(l, 3);
  };
  const mk = (p: string) =>
    Array.from({ length: SERIES }, (_, i) => ({
      route: `/${p}/r${i % 500}`,
      code: `c${(i / 500) | 0}`,
    }));
  // A first metric of the same kind warms up code and one-off structures, so the reading
  // below sees only what the series themselves hold.
  const warm = make('warm');
  for (const l of mk('warm')) warm(l);
  const inc = make('m');
  // Label strings are made before the first reading: they belong to the caller, not the library.
  const labels = mk('api');
  gc();
  gc();
  const before = getHeapStatistics().used_heap_size;
  for (const l of labels) inc(l);
  gc();
  gc();
  const after = getHeapStatistics().used_heap_size;
  // The caller's label objects stay alive in both cases, so that only the library's own
  // structures are counted (prom-client keeps references to them, obsweave keeps the strings).
  if (labels.length !== SERIES) throw new Error('unreachable');
  console.log(((after - before) / SERIES).toFixed(0));
}

export function runMemoryBench(): { kind: string; ours: number; prom: number; ok: boolean }[] {
  console.log(`\nheap bytes per series (${SERIES} series, 2 labels)`);
  return (['counter', 'histogram'] as const).map((kind) => {
    const ours = child('obsweave', kind);
    const prom = child('prom-client', kind);
    const ok = ours <= prom;
    console.log(
      `  ${kind.padEnd(10)} obsweave ${String(ours).padStart(6)} B   prom-client ${String(prom).padStart(6)} B   ratio ${(ours / prom).toFixed(2)}x (target <= 1) ${ok ? 'ok' : 'MISSED'}`,
    );
    return { kind, ours, prom, ok };
  });
}

if (process.argv[2] === 'child') void measure(process.argv[3], process.argv[4]);
else if (require.main === module) runMemoryBench();
