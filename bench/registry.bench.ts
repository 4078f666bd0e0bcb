import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import * as prom from 'prom-client';
import { MetricsRegistry } from '../src';
import { bench, median, report } from './harness';

/** Keeps the SDK's storage live (without a reader it records nothing) and never exports. */
class IdleReader extends MetricReader {
  protected async onShutdown(): Promise<void> {}
  protected async onForceFlush(): Promise<void> {}
}

const METHODS = ['GET', 'POST', 'PUT', 'DELETE'];
const ROUTES = ['/api/jobs', '/api/jobs/:id', '/api/jobs/:id/events', '/metrics'];
const CLASSES = ['2xx', '4xx', '5xx'];

export async function runRegistryBench(): Promise<ReturnType<typeof report>> {
  const ours = new MetricsRegistry();
  const promReg = new prom.Registry();
  const meter = new MeterProvider({ readers: [new IdleReader()] }).getMeter('bench');

  const oC = ours.counter('http.requests_total', { labelNames: ['method', 'route', 'code_class'] });
  const pC = new prom.Counter({
    name: 'http_requests_total',
    help: 'h',
    labelNames: ['method', 'route', 'code_class'],
    registers: [promReg],
  });
  const tC = meter.createCounter('http.requests_total');
  const oH = ours.histogram('http.request_latency_ms', { labelNames: ['route'] });
  const pH = new prom.Histogram({
    name: 'http_request_latency_ms',
    help: 'h',
    labelNames: ['route'],
    buckets: [...oH_buckets()],
    registers: [promReg],
  });
  const tH = meter.createHistogram('http.request_latency_ms', {
    advice: { explicitBucketBoundaries: oH_buckets() },
  });

  // Label objects are built inside each loop, the same way for every library, as call sites do.
  const results = bench([
    {
      name: 'obsweave counter.inc(1, {3 labels})',
      run: (n) => {
        for (let i = 0; i < n; i++)
          oC.inc(1, {
            method: METHODS[i & 3],
            route: ROUTES[(i >> 2) & 3],
            code_class: CLASSES[i % 3],
          });
      },
    },
    {
      name: 'prom-client counter.inc({3 labels}, 1)',
      run: (n) => {
        for (let i = 0; i < n; i++)
          pC.inc(
            { method: METHODS[i & 3], route: ROUTES[(i >> 2) & 3], code_class: CLASSES[i % 3] },
            1,
          );
      },
    },
    {
      name: 'otel counter.add(1, {3 attributes})',
      run: (n) => {
        for (let i = 0; i < n; i++)
          tC.add(1, {
            method: METHODS[i & 3],
            route: ROUTES[(i >> 2) & 3],
            code_class: CLASSES[i % 3],
          });
      },
    },
  ]);
  const t1 = report('labelled counter inc', results, [
    {
      of: 'obsweave counter.inc(1, {3 labels})',
      to: 'prom-client counter.inc({3 labels}, 1)',
      max: 0.15,
    },
    {
      of: 'obsweave counter.inc(1, {3 labels})',
      to: 'otel counter.add(1, {3 attributes})',
      max: 0.8,
    },
  ]);

  const oB = oC.bind({ method: 'GET', route: '/api/jobs', code_class: '2xx' });
  const pB = pC.labels({ method: 'GET', route: '/api/jobs', code_class: '2xx' });
  const attrs = { method: 'GET', route: '/api/jobs', code_class: '2xx' };
  const t2 = report(
    'bound counter inc',
    bench(
      [
        {
          name: 'obsweave bound.inc()',
          run: (n) => {
            for (let i = 0; i < n; i++) oB.inc();
          },
        },
        {
          name: 'prom-client child.inc()',
          run: (n) => {
            for (let i = 0; i < n; i++) pB.inc();
          },
        },
        {
          name: 'otel counter.add(1, sameAttributes)',
          run: (n) => {
            for (let i = 0; i < n; i++) tC.add(1, attrs);
          },
        },
      ],
      { ops: 1_000_000 },
    ),
    [{ of: 'obsweave bound.inc()', to: 'prom-client child.inc()', max: 0.05 }],
  );

  const t3 = report(
    'labelled histogram observe',
    bench([
      {
        name: 'obsweave histogram.observe(v, {route})',
        run: (n) => {
          for (let i = 0; i < n; i++) oH.observe(i & 1023, { route: ROUTES[i & 3] });
        },
      },
      {
        name: 'prom-client histogram.observe({route}, v)',
        run: (n) => {
          for (let i = 0; i < n; i++) pH.observe({ route: ROUTES[i & 3] }, i & 1023);
        },
      },
      {
        name: 'otel histogram.record(v, {route})',
        run: (n) => {
          for (let i = 0; i < n; i++) tH.record(i & 1023, { route: ROUTES[i & 3] });
        },
      },
    ]),
    [
      {
        of: 'obsweave histogram.observe(v, {route})',
        to: 'prom-client histogram.observe({route}, v)',
        max: 0.2,
      },
      {
        of: 'obsweave histogram.observe(v, {route})',
        to: 'otel histogram.record(v, {route})',
        max: 0.8,
      },
    ],
  );

  const oHB = oH.bind({ route: '/api/jobs' });
  const pHB = pH.labels({ route: '/api/jobs' });
  const t4 = report(
    'bound histogram observe',
    bench(
      [
        {
          name: 'obsweave bound.observe(v)',
          run: (n) => {
            for (let i = 0; i < n; i++) oHB.observe(i & 1023);
          },
        },
        {
          name: 'prom-client child.observe(v)',
          run: (n) => {
            for (let i = 0; i < n; i++) pHB.observe(i & 1023);
          },
        },
      ],
      { ops: 1_000_000 },
    ),
  );

  // Scrape: 10,000 counter series and 1,000 histogram series in each registry.
  const sOurs = new MetricsRegistry({ maxSeriesPerMetric: 20000 });
  const sProm = new prom.Registry();
  const sc = sOurs.counter('scrape.requests_total', { labelNames: ['route', 'code'] });
  const sh = sOurs.histogram('scrape.latency_ms', { labelNames: ['route'] });
  const pc = new prom.Counter({
    name: 'scrape_requests_total',
    help: 'h',
    labelNames: ['route', 'code'],
    registers: [sProm],
  });
  const ph = new prom.Histogram({
    name: 'scrape_latency_ms',
    help: 'h',
    labelNames: ['route'],
    buckets: [...oH_buckets()],
    registers: [sProm],
  });
  for (let i = 0; i < 10000; i++) {
    sc.inc(i, { route: `/api/r${i % 100}`, code: String((200 + i / 100) | 0) });
    pc.inc({ route: `/api/r${i % 100}`, code: String((200 + i / 100) | 0) }, i);
  }
  for (let i = 0; i < 1000; i++) {
    for (let k = 0; k < 5; k++) {
      sh.observe(k * 37 + i, { route: `/api/r${i}` });
      ph.observe({ route: `/api/r${i}` }, k * 37 + i);
    }
  }
  let sink = 0;
  // prom-client's metrics() is async: every scrape is timed in an awaited loop, whose first
  // rounds warm both up.
  const promScrape: number[] = [];
  const ourScrape: number[] = [];
  const labelledScrape: number[] = [];
  const DEFAULTS = { service: 'media-worker', version: '1.4.2' };
  // A scrape's time is mostly the collection it happens to meet: a young-generation collection
  // in the middle of one copies all the text made so far. Four scrapes in a row share that cost
  // by what each allocates, as a service's scrapes do over time.
  const SCRAPES = 4;
  const scrapeRun = (labels: Record<string, string>): number => {
    sOurs.setDefaultLabels(labels);
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < SCRAPES; i++) sink += sOurs.toPrometheus().length;
    return Number(process.hrtime.bigint() - t0) / SCRAPES;
  };
  for (let r = 0; r < 31; r++) {
    // The same registry with and without default labels, in alternating order: a scrape pays
    // for the garbage of the one before it, so neither may always go second.
    let a: number;
    let l: number;
    if (r % 2 === 0) {
      l = scrapeRun(DEFAULTS);
      a = scrapeRun({});
    } else {
      a = scrapeRun({});
      l = scrapeRun(DEFAULTS);
    }
    const t0 = process.hrtime.bigint();
    sink += (await sProm.metrics()).length;
    const b = Number(process.hrtime.bigint() - t0);
    if (r >= 4) {
      ourScrape.push(a);
      labelledScrape.push(l);
      promScrape.push(b);
    }
  }
  const t5 = report(
    'scrape of 10,000 counter + 1,000 histogram series',
    [
      { name: 'obsweave toPrometheus()', ns: median(ourScrape) },
      { name: 'obsweave toPrometheus(), 2 default labels', ns: median(labelledScrape) },
      { name: 'prom-client await registry.metrics()', ns: median(promScrape) },
    ],
    [
      { of: 'obsweave toPrometheus()', to: 'prom-client await registry.metrics()', max: 0.3 },
      // The labelled text is 1.67x as long (every line carries the two pairs): its cost may
      // grow with its length, never per series beyond that. Taken round by round, as the two
      // of a round meet the same machine.
      {
        of: 'obsweave toPrometheus(), 2 default labels',
        to: 'obsweave toPrometheus()',
        max: 1.7,
        paired: labelledScrape.map((l, i) => l / ourScrape[i]),
      },
    ],
  );
  if (sink === 42) console.log('');
  return [...t1, ...t2, ...t3, ...t4, ...t5];
}

function oH_buckets(): number[] {
  return [
    1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 120000, 300000,
    600000,
  ];
}

if (require.main === module) void runRegistryBench();
