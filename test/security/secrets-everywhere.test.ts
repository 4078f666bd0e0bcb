import test, { type ExecutionContext } from 'ava';
import http from 'node:http';
import {
  errCode,
  MetricsController,
  MetricsRegistry,
  TimeoutError,
  withExternalCall,
  withStage,
} from '../../src';
import { createMetricsHandler } from '../../src/controller/metrics-handler';
import { listen } from '../support/http';
import { leaks, SECRET_CORPUS, type Secret } from './secret-corpus';

/**
 * Every way a credential can reach obsweave, for every credential of the corpus, and every
 * way obsweave writes anything: the three exports, log lines, the metrics handler's response
 * headers, and the messages of the errors it makes. None may hold a part of any credential.
 */

/** Everything a registry can be made to log or export about `secret`. */
async function feed(registry: MetricsRegistry, secret: Secret): Promise<void> {
  const v = secret.value;
  const c = registry.counter('leaky.calls_total', { labelNames: ['url', 'auth'] });
  const g = registry.gauge('leaky.open', { labelNames: ['url'] });
  const h = registry.histogram('leaky.latency_ms', { labelNames: ['url'] });
  // As label values, through every path that stores one.
  c.inc(1, { url: v, auth: `key ${v}` });
  c.bind({ url: `https://host.example.com/${v}`, auth: v }).inc();
  g.set(1, { url: v });
  h.observe(3, { url: `${v} trailing words` });
  h.startTimer({ url: v })();
  // As the rejected value of a bad call, and as an undeclared label name.
  c.inc(v as unknown as number, { url: 'x' });
  g.set(v as unknown as number);
  h.observe(v as unknown as number);
  c.bind({ url: 'y' }).inc(v as unknown as number);
  c.inc(1, { url: 'z', [v]: 'extra' });
  // A definition that conflicts, named after nothing secret but described with the value.
  registry.histogram('leaky.calls_total', { help: v, labelNames: ['url'] });
  // Collectors: a thrown message, a rejection, a series key, a key and a value that are wrong.
  registry.addCollector(function thrower() {
    throw new Error(`cannot reach ${v}`);
  });
  registry.addCollector(async function rejecter() {
    throw new Error(`connection to ${v} refused`);
  });
  registry.addCollector(() => ({
    counters: {
      [`collected.calls_total|url=${v}`]: 1,
      [`collected bad name|url=${v}`]: 1,
      [`leaky.calls_total|url=${v}`]: 1,
    },
    gauges: { [`collected.level|url=${v}`]: Number.NaN },
    histograms: { [`collected.latency_ms|url=${v}`]: { count: 1, sum: 1, buckets: { x: 1 } } },
  }));
}

async function outputs(registry: MetricsRegistry): Promise<string[]> {
  return [
    JSON.stringify(await registry.snapshot()),
    await registry.toPrometheus(),
    await registry.toOpenMetrics(),
  ];
}

function assertClean(t: ExecutionContext, where: string, texts: readonly string[], s: Secret) {
  for (const text of texts) t.deepEqual(leaks(text, s.parts), [], `${where} (${s.name})`);
}

for (const secret of SECRET_CORPUS) {
  test(`${secret.name}: in no export and no log line`, async (t) => {
    const logs: string[] = [];
    const registry = new MetricsRegistry({ logger: (m) => logs.push(m) });
    await feed(registry, secret);
    const exported = await outputs(registry);
    t.true(logs.length >= 6, 'the bad calls were logged');
    assertClean(t, 'exports', exported, secret);
    assertClean(t, 'log lines', logs, secret);
  });
}

test.serial('the default logger (console.warn) prints no secret either', async (t) => {
  const warned: string[] = [];
  const original = console.warn;
  console.warn = (...args: unknown[]) => warned.push(args.map(String).join(' '));
  try {
    for (const secret of SECRET_CORPUS) {
      warned.length = 0;
      const registry = new MetricsRegistry();
      await feed(registry, secret);
      await outputs(registry);
      t.true(warned.length >= 6, `the bad calls were printed (${secret.name})`);
      t.true(warned.every((line) => line.startsWith('obsweave: ')));
      assertClean(t, 'console.warn', warned, secret);
    }
  } finally {
    console.warn = original;
  }
});

test('the metrics handler: no secret in any response header, whatever the request carries', async (t) => {
  const registry = new MetricsRegistry({ logger: () => {} });
  const open = await listen(t, http.createServer(createMetricsHandler({ registry })));
  const guarded = await listen(
    t,
    http.createServer(createMetricsHandler({ registry, token: 'scrape-token-1' })),
  );
  for (const secret of SECRET_CORPUS) {
    await feed(registry, secret);
    const headers = { authorization: `Bearer ${secret.value.replace(/\s/g, '')}`, cookie: 'a=b' };
    for (const [base, expected] of [
      [open, 200],
      [guarded, 401],
    ] as const) {
      for (const format of ['json', 'prometheus', 'openmetrics']) {
        const url = `${base}/metrics?format=${format}&api_key=${encodeURIComponent(secret.value)}`;
        const r = await fetch(url, { headers });
        const body = await r.text();
        t.is(r.status, expected);
        const sent = [...r.headers].map(([k, v]) => `${k}: ${v}`);
        assertClean(t, `response headers (${format}, ${expected})`, sent, secret);
        assertClean(t, `response body (${format}, ${expected})`, [body], secret);
      }
    }
  }
});

test('the messages of the errors obsweave makes hold no secret', async (t) => {
  const registry = new MetricsRegistry({ logger: () => {} });
  for (const secret of SECRET_CORPUS) {
    const v = secret.value;
    const messages: string[] = [];
    // A deadline that elapses: the op names the call, and may be a signed URL.
    const err = await t.throwsAsync(
      withExternalCall({ service: 'storage', op: v, timeoutMs: 5, registry }, (signal) => {
        // Slower than the deadline, and stopped by its signal (a timer keeps the test alive).
        return new Promise((resolve, reject) => {
          const timer = setTimeout(resolve, 5000);
          signal!.addEventListener('abort', () => {
            clearTimeout(timer);
            reject(signal!.reason);
          });
        });
      }),
      { instanceOf: TimeoutError },
    );
    messages.push(err!.message, String(err), err!.stack ?? '');
    messages.push(new TimeoutError(`${v} timed out after 1 ms`, 1).message);
    // Definitions that are refused name what they refuse. (Names are code, not data: a
    // credential that happens to be a valid name is the programmer's to keep out.)
    for (const define of [
      () => registry.counter(`bad name ${v}`),
      () => registry.counter(`ok_${secret.name.length}_total`, { labelNames: [`bad ${v}`] }),
      () => new MetricsController(registry, { token: `${v} ${v}` }),
    ]) {
      const e = t.throws(define);
      t.regex(e!.message, /^obsweave: /);
      messages.push(e!.message);
    }
    assertClean(t, 'error messages', messages, secret);
  }
  // A name that cannot even be quoted as JSON is still named.
  t.throws(() => registry.counter(10n as unknown as string), {
    message: /^obsweave: invalid metric name 10:/,
  });
});

test('an error code that looks like a credential is counted as unknown, not as a label', async (t) => {
  const registry = new MetricsRegistry({ logger: () => {} });
  const codes = [
    'AKIAIOSFODNN7EXAMPLE',
    'ghp_16C7e42F292c6912E7710c838347Ae178B4a',
    'aB3dE6gH9jK2mN5pQ8sT',
  ];
  for (const code of codes) {
    const failure = Object.assign(new Error('boom'), { code });
    t.is(errCode(failure), 'unknown');
    t.is(errCode(Object.assign(new Error('boom'), { name: code })), 'unknown');
    t.throws(() =>
      withStage(
        'upload',
        () => {
          throw failure;
        },
        { registry },
      ),
    );
  }
  // Ordinary codes and names are kept.
  t.is(
    errCode(Object.assign(new Error('x'), { code: 'UND_ERR_HEADERS_TIMEOUT' })),
    'UND_ERR_HEADERS_TIMEOUT',
  );
  t.is(errCode(new TypeError('x')), 'TypeError');
  const failures = registry.snapshot().counters;
  t.is(failures['worker.stage_failures_total|stage=upload,code=unknown'], codes.length);
  for (const code of codes) t.false(JSON.stringify(failures).includes(code));
});
