import test from 'ava';
import { once } from 'node:events';
import {
  createServer,
  get,
  type IncomingMessage,
  type ServerResponse,
  type ClientRequest,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { MetricsRegistry } from '../../src';
import { instrumentSse, type SseStream } from '../../src/jobs';

interface Opened {
  sse: SseStream;
  res: ServerResponse;
  /** Resolves when the server side sees the response close, for whatever reason. */
  closed: Promise<void>;
}

/** A real server on 127.0.0.1; each request becomes an instrumented stream handed to the test. */
async function serve(registry: MetricsRegistry, stream = 'jobs') {
  const opened: Opened[] = [];
  const waiting: ((o: Opened) => void)[] = [];
  const server = createServer((req, res) => {
    const sse = instrumentSse(res, { registry, stream });
    const closed = once(res, 'close').then(() => undefined);
    const o = { sse, res, closed };
    const w = waiting.shift();
    if (w) w(o);
    else opened.push(o);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/events`,
    next: (): Promise<Opened> =>
      opened.length > 0 ? Promise.resolve(opened.shift()!) : new Promise((r) => waiting.push(r)),
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

/** A client that collects the raw text; `ended` resolves when the body ends or breaks. */
function connect(url: string) {
  let text = '';
  let onData: (() => void) | undefined;
  const req: ClientRequest = get(url);
  // A request torn down by either side errors on the client: expected here.
  req.on('error', () => {});
  const response = once(req, 'response').then(([res]) => res as IncomingMessage);
  const ended = response.then(
    (res) =>
      new Promise<void>((resolve) => {
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          text += c;
          onData?.();
        });
        res.on('end', resolve);
        res.on('error', () => resolve());
        res.on('close', resolve);
      }),
  );
  return {
    req,
    response,
    ended,
    get text() {
      return text;
    },
    /** Waits until `n` complete events (blank-line terminated) have arrived. */
    async events(n: number): Promise<void> {
      await response;
      while (text.split('\n\n').length - 1 < n) await new Promise<void>((r) => (onData = r));
    },
  };
}

function gauge(registry: MetricsRegistry, stream = 'jobs'): number | undefined {
  return registry.snapshot().gauges[`sse.clients|stream=${stream}`];
}

function count(registry: MetricsRegistry, event: string, stream = 'jobs'): number | undefined {
  return registry.snapshot().counters[`sse.events_total|stream=${stream},event=${event}`];
}

test('a client that disconnects leaves the gauge exactly once', async (t) => {
  const registry = new MetricsRegistry();
  const srv = await serve(registry);
  t.teardown(srv.close);
  const a = connect(srv.url);
  const b = connect(srv.url);
  const sa = await srv.next();
  const sb = await srv.next();
  const res = await a.response;
  t.regex(String(res.headers['content-type']), /^text\/event-stream/);
  t.is(res.headers['cache-control'], 'no-cache, no-transform');
  t.is(gauge(registry), 2);

  t.true(sa.sse.send('progress', { pct: 50 }));
  t.true(sa.sse.send('progress', { pct: 75 }));
  await a.events(2);
  t.is(a.text, 'event: progress\ndata: {"pct":50}\n\nevent: progress\ndata: {"pct":75}\n\n');

  a.req.destroy();
  await sa.closed;
  t.is(gauge(registry), 1);
  t.false(sa.sse.send('progress', { pct: 99 }), 'nothing is written after the client left');
  sa.sse.close();
  t.is(gauge(registry), 1, 'close() after the disconnect does not count it again');
  t.is(count(registry, 'progress'), 2);

  sb.sse.close();
  await b.ended;
  t.is(gauge(registry), 0);
});

test('a server-side end leaves the gauge exactly once, by close() or res.end()', async (t) => {
  const registry = new MetricsRegistry();
  const srv = await serve(registry, 'logs');
  t.teardown(srv.close);

  const a = connect(srv.url);
  const sa = await srv.next();
  t.true(sa.sse.send('line', 'hello'));
  t.true(sa.sse.send('multi\nline', { text: 'a\nb' }), 'a line break cannot forge a field');
  sa.sse.close();
  sa.sse.close();
  await a.ended;
  await sa.closed;
  t.is(a.text, 'event: line\ndata: "hello"\n\nevent: multi line\ndata: {"text":"a\\nb"}\n\n');
  t.is(gauge(registry, 'logs'), 0);

  const b = connect(srv.url);
  const sb = await srv.next();
  t.is(gauge(registry, 'logs'), 1);
  sb.res.end();
  await b.ended;
  await sb.closed;
  sb.sse.close();
  t.is(gauge(registry, 'logs'), 0);
  t.false(sb.sse.send('line', 'late'));
  t.is(count(registry, 'line', 'logs'), 1);
  t.is(count(registry, 'multi line', 'logs'), 1);
});

test('an error on the response leaves the gauge exactly once and is not unhandled', async (t) => {
  const registry = new MetricsRegistry({ logger: () => {} });
  const srv = await serve(registry);
  t.teardown(srv.close);
  const a = connect(srv.url);
  const sa = await srv.next();
  await a.response;

  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  t.false(sa.sse.send('state', cyclic), 'data that is not JSON is not sent');
  t.is(registry.snapshot().counters['obsweave.dropped_total|reason=invalid_value'], 1);

  sa.res.destroy(new Error('boom'));
  await sa.closed;
  await a.ended;
  sa.sse.close();
  t.is(gauge(registry), 0);
  t.is(count(registry, 'state'), undefined);
});
