import test from 'ava';
import { AsyncLocalStorage } from 'node:async_hooks';
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import { join } from 'node:path';
import {
  correlationId,
  httpMetrics,
  MetricsRegistry,
  NoopTracer,
  runWithCorrelationId,
  setTracer,
  Stage,
  Traced,
} from '../../src';
import { contextWithoutHooks } from '../../src/context/correlation-mode';
import { listen } from '../support/http';
import { RecordingTracer } from '../tracing/recording-tracer';

// setTracer() is process-wide: the tests of this file run one at a time.
test.afterEach.always(() => setTracer(new NoopTracer(), { decoratorSpans: false }));

const MAJOR = Number(process.versions.node.split('.')[0]);
const ROOT = join(__dirname, '../..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const quiet = () => new MetricsRegistry({ logger: () => {} });

async function getJson(base: string, id: string): Promise<Record<string, unknown>> {
  const r = await fetch(`${base}/x`, { headers: { 'x-correlation-id': id } });
  return { header: r.headers.get('x-correlation-id'), ...((await r.json()) as object) };
}

test.serial("'context': the id after an await, in timers and in a decorated call", async (t) => {
  const registry = quiet();
  const tracer = new RecordingTracer();
  setTracer(tracer, { decoratorSpans: true });
  class Jobs {
    @Stage('load', { registry })
    async load(): Promise<string | undefined> {
      await sleep(1);
      return correlationId();
    }
  }
  const jobs = new Jobs();
  const mw = httpMetrics({ registry, correlation: 'context' });
  const server = http.createServer((req, res) =>
    mw(req, res, async () => {
      await sleep(1);
      const afterAwait = correlationId();
      const inTimer = await new Promise((r) => setTimeout(() => r(correlationId()), 1));
      const inImmediate = await new Promise((r) => setImmediate(() => r(correlationId())));
      const inDecorated = await jobs.load();
      res.end(JSON.stringify({ afterAwait, inTimer, inImmediate, inDecorated }));
    }),
  );
  const base = await listen(t, server);
  const ids = Array.from({ length: 12 }, (_, i) => `ctx-${i}`);
  const bodies = await Promise.all(ids.map((id) => getJson(base, id)));
  bodies.forEach((b, i) =>
    t.deepEqual(b, {
      header: ids[i],
      afterAwait: ids[i],
      inTimer: ids[i],
      inImmediate: ids[i],
      inDecorated: ids[i],
    }),
  );
  const onSpans = tracer.named('stage load').map((s) => s.attributes['correlation.id']);
  t.deepEqual(onSpans.sort(), [...ids].sort(), 'each decorated call span has its request id');
});

test.serial(
  "'context' keeps the caller's context whole: another storage's value inside and after, after a throw too; after the middleware, the request's own id where Node restores the frame per callback (>= 24), none where it runs around next",
  async (t) => {
    const other = new AsyncLocalStorage<string>();
    const mw = httpMetrics({ registry: quiet(), correlation: 'context' });
    const seen: unknown[] = [];
    const server = http.createServer((req, res) =>
      other.run('outer', () => {
        try {
          mw(req, res, () => {
            seen.push([correlationId(), other.getStore()]);
            if (req.url === '/throw') throw new Error('handler');
            res.end();
          });
        } catch {
          res.end();
        }
        seen.push([correlationId(), other.getStore()]);
      }),
    );
    const base = await listen(t, server);
    await fetch(`${base}/x`, { headers: { 'x-correlation-id': 'a' } });
    await fetch(`${base}/throw`, { headers: { 'x-correlation-id': 'b' } });
    // Entered, not run around `next`: the rest of the request's own listener is the request's.
    const after = contextWithoutHooks();
    t.deepEqual(seen, [
      ['a', 'outer'],
      [after ? 'a' : undefined, 'outer'],
      ['b', 'outer'],
      [after ? 'b' : undefined, 'outer'],
    ]);
    const nested = runWithCorrelationId('x', () => [
      correlationId(),
      runWithCorrelationId('y', () => correlationId()),
      correlationId(),
    ]);
    t.deepEqual(nested, ['x', 'y', 'x']);
    t.is(correlationId(), undefined);
  },
);

test.serial(
  "'request': correlationId(req) anywhere; correlationId() only in the middleware's synchronous part, never another request's id",
  async (t) => {
    const registry = quiet();
    const tracer = new RecordingTracer();
    setTracer(tracer, { decoratorSpans: true });
    class Handler {
      @Stage('parse', { registry })
      parse(): string | undefined {
        return correlationId(); // called synchronously inside the middleware
      }

      @Stage('store', { registry })
      async store(): Promise<void> {
        await sleep(1);
      }

      // A handler that takes the request: its span finds the id there.
      @Traced('handle')
      async handle(req: http.IncomingMessage, res: http.ServerResponse, seenSync: unknown) {
        await sleep(1);
        await this.store(); // no request among its arguments, no context: no id
        res.end(
          JSON.stringify({
            seenSync,
            afterAwait: correlationId() ?? null,
            ofRequest: correlationId(req),
          }),
        );
      }
    }
    const h = new Handler();
    const mw = httpMetrics({ registry, correlation: 'request' });
    const server = http.createServer((req, res) =>
      mw(req, res, () => {
        const seenSync = h.parse();
        void sleep(1).then(() => h.handle(req, res, seenSync));
      }),
    );
    const base = await listen(t, server);
    const ids = Array.from({ length: 12 }, (_, i) => `req-${i}`);
    const bodies = await Promise.all(ids.map((id) => getJson(base, id)));
    bodies.forEach((b, i) =>
      t.deepEqual(b, { header: ids[i], seenSync: ids[i], afterAwait: null, ofRequest: ids[i] }),
    );
    const ofSpans = (name: string) =>
      tracer
        .named(name)
        .map((s) => s.attributes['correlation.id'])
        .sort();
    t.deepEqual(ofSpans('stage parse'), [...ids].sort(), 'spans of synchronous calls');
    t.deepEqual(ofSpans('handle'), [...ids].sort(), 'spans of calls that take the request');
    t.deepEqual(
      ofSpans('stage store'),
      ids.map(() => undefined),
      'past an await, without the request: no id',
    );
  },
);

test.serial('correlation false: no header, no id anywhere', async (t) => {
  const registry = quiet();
  const mw = httpMetrics({ registry, correlation: false });
  const server = http.createServer((req, res) =>
    mw(req, res, () =>
      res.end(
        JSON.stringify({ sync: correlationId() ?? null, ofRequest: correlationId(req) ?? null }),
      ),
    ),
  );
  const base = await listen(t, server);
  t.deepEqual(await getJson(base, 'abc'), { header: null, sync: null, ofRequest: null });
});

test.serial('correlationId(req) is undefined for what is no measured request', (t) => {
  t.is(correlationId(undefined), undefined);
  t.is(correlationId({}), undefined);
  t.is(correlationId({ raw: {} }), undefined);
  t.is(correlationId('x'), undefined);
  const hostile = new Proxy(
    {},
    {
      get() {
        throw new Error('trap');
      },
    },
  );
  t.is(correlationId(hostile), undefined);
});

/**
 * A service in a child process of its own (its storage and its log are its own), built from
 * `dist/`; `made` tells whether obsweave made the storage behind the async context.
 */
function childService(correlation: string): {
  made: number;
  ofRequest: string[];
  plain: (string | null)[];
  logs: string[];
} {
  const script = `
    const { contextStorageMade } = require(${JSON.stringify(join(ROOT, 'dist/context/correlation'))});
    const http = require('node:http');
    const { httpMetrics, correlationId, MetricsRegistry } = require(${JSON.stringify(join(ROOT, 'dist'))});
    const logs = [];
    const registry = new MetricsRegistry({ logger: (m) => logs.push(m) });
    const mw = httpMetrics({ registry, correlation: ${correlation} });
    const server = http.createServer((req, res) => mw(req, res, async () => {
      await new Promise((r) => setTimeout(r, 1));
      res.end(JSON.stringify({ ofRequest: correlationId(req), plain: correlationId() ?? null }));
    }));
    server.listen(0, '127.0.0.1', async () => {
      const base = 'http://127.0.0.1:' + server.address().port;
      const bodies = await Promise.all([1, 2, 3].map((i) =>
        fetch(base, { headers: { 'x-correlation-id': 'c-' + i } }).then((r) => r.json())));
      server.close();
      console.log(JSON.stringify({
        made: contextStorageMade() ? 1 : 0, logs,
        ofRequest: bodies.map((b) => b.ofRequest),
        plain: bodies.map((b) => b.plain),
      }));
    });
  `;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }));
}

test.serial(
  "'request' makes no AsyncLocalStorage and logs once how to turn the context on",
  (t) => {
    const r = childService("'request'");
    t.is(r.made, 0, 'no AsyncLocalStorage');
    t.deepEqual(r.ofRequest, ['c-1', 'c-2', 'c-3']);
    t.deepEqual(r.plain, [null, null, null], 'never a wrong id');
    t.is(r.logs.length, 1, 'the hint, once');
    t.regex(r.logs[0], /correlationId\(\) found no request context/);
    t.regex(r.logs[0], /correlation: 'context'/);
  },
);

test.serial(
  `'auto' makes one AsyncLocalStorage on Node >= 24 only, 'context' on every line (this is Node ${MAJOR})`,
  (t) => {
    const auto = childService("'auto'");
    t.is(auto.made, MAJOR >= 24 ? 1 : 0);
    t.deepEqual(auto.ofRequest, ['c-1', 'c-2', 'c-3']);
    t.deepEqual(auto.plain, MAJOR >= 24 ? ['c-1', 'c-2', 'c-3'] : [null, null, null]);
    t.is(auto.logs.length, MAJOR >= 24 ? 0 : 1);
    const context = childService("'context'");
    t.is(context.made, 1);
    t.deepEqual(context.plain, ['c-1', 'c-2', 'c-3']);
    t.deepEqual(context.logs, []);
    const off = childService('false');
    t.is(off.made, 0);
    t.deepEqual(off.ofRequest, [null, null, null]);
  },
);
