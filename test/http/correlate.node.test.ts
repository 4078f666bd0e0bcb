import test from 'ava';
import http from 'node:http';
import { connect } from 'node:net';
import { setImmediate as turn } from 'node:timers/promises';
import { correlationId, httpMetrics, MetricsRegistry } from '../../src';
import { requestState } from '../../src/http/request-lifecycle';
import { listen } from '../support/http';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const HEADER = 'x-correlation-id';

/**
 * A service whose `/quiet` never asks for the id, `/asks` asks before answering and `/late`
 * only once the response is sent; each answers with the id it learnt.
 */
async function service(
  t: import('ava').ExecutionContext,
  options: Parameters<typeof httpMetrics>[0],
): Promise<{ base: string; late: Promise<string | undefined>[] }> {
  const mw = httpMetrics({ registry: new MetricsRegistry(), ...options });
  const late: Promise<string | undefined>[] = [];
  const server = http.createServer((req, res) =>
    mw(req, res, () => {
      if (req.url === '/asks') return res.end(String(correlationId(req)));
      if (req.url === '/late') {
        res.end('sent');
        late.push(turn().then(() => correlationId(req)));
        return;
      }
      res.end('quiet');
    }),
  );
  return { base: await listen(t, server), late };
}

for (const correlation of ['context', 'request'] as const) {
  test(`'on-demand' echo, correlation '${correlation}': an id brought is echoed; else made and echoed only when asked for`, async (t) => {
    const { base, late } = await service(t, { correlation });

    const brought = await fetch(`${base}/quiet`, { headers: { [HEADER]: 'abc-123' } });
    t.is(brought.headers.get(HEADER), 'abc-123', 'echoed although nothing asked for it');
    t.is(await brought.text(), 'quiet');

    const quiet = await fetch(`${base}/quiet`);
    t.is(quiet.headers.get(HEADER), null, 'nothing asked: no id made, no header');
    await quiet.text();

    const asks = await fetch(`${base}/asks`);
    const made = asks.headers.get(HEADER);
    t.regex(made ?? '', UUID);
    t.is(await asks.text(), String(made), 'the id read is the id echoed');

    const sent = await fetch(`${base}/late`);
    t.is(sent.headers.get(HEADER), null, 'asked only after the response started');
    await sent.text();
    t.regex((await late[0]) ?? '', UUID, 'still made, for the request, when asked late');
  });
}

test("'on-demand' echo, correlation 'context': a finished request's state no longer holds its response, and still makes its id", async (t) => {
  const mw = httpMetrics({ registry: new MetricsRegistry(), correlation: 'context' });
  const ended: Promise<http.IncomingMessage>[] = [];
  const server = http.createServer((req, res) =>
    mw(req, res, () => {
      ended.push(new Promise((resolve) => res.on('finish', () => resolve(req))));
      res.end('quiet');
    }),
  );
  const base = await listen(t, server);
  await (await fetch(base)).text();
  const req = await ended[0];
  t.is(
    requestState(req)?.echoTo,
    undefined,
    'the state, kept by the async context, lets go of the response',
  );
  t.regex(correlationId(req) ?? '', UUID, 'an id is still made when asked for late');

  // A request never measured (the default `ignore`: /metrics) keeps a state for its id too.
  await (await fetch(`${base}/metrics`)).text();
  const ignored = await ended[1];
  t.not(requestState(ignored), undefined, 'an unmeasured request has a state for its id');
  t.is(requestState(ignored)?.echoTo, undefined, 'and it lets go of its response as well');
});

test("'on-demand' echo: an id that may not be taken is replaced and the replacement echoed", async (t) => {
  const { base } = await service(t, {});
  for (const bad of ['bad id with spaces', 'Bearer abcdefghijklmnopqrstuvwxyz0123456789']) {
    const r = await fetch(`${base}/quiet`, { headers: { [HEADER]: bad } });
    t.regex(r.headers.get(HEADER) ?? '', UUID, bad);
    await r.text();
  }
});

test("'on-demand' echo: a request asked twice, and code inside its middleware, see one id", async (t) => {
  const mw = httpMetrics({ registry: new MetricsRegistry(), correlation: 'request' });
  const server = http.createServer((req, res) =>
    mw(req, res, () => {
      const first = correlationId(req);
      const inside = correlationId(); // synchronously inside the middleware's next()
      res.end(JSON.stringify([first, inside, correlationId(req)]));
    }),
  );
  const base = await listen(t, server);
  const r = await fetch(base);
  const [first, inside, again] = (await r.json()) as string[];
  t.regex(first, UUID);
  t.is(inside, first);
  t.is(again, first);
  t.is(r.headers.get(HEADER), first);
});

test("'always' echo: every response carries an id, made when the request arrives", async (t) => {
  const { base } = await service(t, { correlationEcho: 'always' });
  const ids = new Set<string>();
  for (let i = 0; i < 3; i++) {
    const r = await fetch(`${base}/quiet`);
    t.regex(r.headers.get(HEADER) ?? '', UUID);
    ids.add(r.headers.get(HEADER)!);
    await r.text();
  }
  t.is(ids.size, 3, 'one id per request');
  const brought = await fetch(`${base}/asks`, { headers: { 'x-request-id': 'req-9' } });
  t.is(brought.headers.get(HEADER), 'req-9');
  t.is(await brought.text(), 'req-9');
});

test('correlationEcho: anything but its two values is an error when the middleware is made', (t) => {
  for (const bad of ['sometimes', true, 1]) {
    const e = t.throws(() => httpMetrics({ correlationEcho: bad as never }));
    t.regex(e.message, /^obsweave: correlationEcho must be 'on-demand' or 'always'/);
  }
});

for (const correlation of ['context', 'request'] as const) {
  test(`correlation '${correlation}': pipelined requests on one connection each see their own id, before, inside and after their awaits, and none leaks to the next`, async (t) => {
    const mw = httpMetrics({ registry: new MetricsRegistry(), correlation });
    const seen: [string, string | undefined, string | undefined][] = [];
    const server = http.createServer();
    // A listener before the middleware, the middleware and its handler, one after it.
    server.on('request', (req) => seen.push(['before', req.url, correlationId()]));
    server.on('request', (req, res) =>
      mw(req, res, () => {
        seen.push(['inside', req.url, correlationId()]);
        setImmediate(() => {
          seen.push(['later', req.url, correlation === 'context' ? correlationId() : 'n/a']);
          res.end('ok');
        });
      }),
    );
    const base = new URL(await listen(t, server));
    const socket = connect(Number(base.port), base.hostname);
    t.teardown(() => socket.destroy());
    const answered = new Promise<void>((resolve) => {
      let text = '';
      socket.on('data', (d) => {
        text += String(d);
        if (text.split('\r\n\r\nok').length === 3) resolve();
      });
    });
    // Both requests in one write: Node emits them from one read of the socket.
    socket.write(
      'GET /a HTTP/1.1\r\nHost: x\r\nx-correlation-id: id-a\r\n\r\n' +
        'GET /b HTTP/1.1\r\nHost: x\r\nx-correlation-id: id-b\r\n\r\n',
    );
    await answered;

    const of = (url: string, when: string) => seen.find(([w, u]) => w === when && u === url)?.[2];
    for (const [url, id] of [
      ['/a', 'id-a'],
      ['/b', 'id-b'],
    ]) {
      t.is(of(url, 'before'), undefined, `${url}: a listener before the middleware sees no id`);
      t.is(of(url, 'inside'), id, `${url}: its own id inside`);
      if (correlation === 'context') t.is(of(url, 'later'), id, `${url}: and after an await`);
    }
    t.is(correlationId(), undefined, 'nothing outside the requests');
  });
}
