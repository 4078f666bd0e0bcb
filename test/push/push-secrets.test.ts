import test from 'ava';
import http from 'node:http';
import { once } from 'node:events';
import { MetricsPusher, pushMetrics } from '../../src/push';
import { ERROR_BODY_MAX } from '../../src/push/push-metrics';
import { listen } from '../support/http';
import { newRegistry } from '../support/registry';

/**
 * What a push shows of what it met: an error answer only redacted, then cut, and only a few
 * KiB of it read; never a header value.
 */

/** A gateway answering every request with `status` and `body`. */
async function answering(t: Parameters<typeof listen>[0], status: number, body: string) {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.statusCode = status;
      res.end(body);
    });
  });
  return listen(t, server);
}

const KEY = 'AKIAIOSFODNN7EXAMPLE';

test('an error answer is redacted before it is cut: no half key survives the cut', async (t) => {
  const { registry, logs } = newRegistry();
  // The key starts 11 characters before the 200th: cut first, `AKIAIOSFODN` was left.
  const body = `${'lorem ipsum '.repeat(15)}dolor si ${KEY} and more text after it`;
  t.is(body.indexOf(KEY), 189);
  const url = await answering(t, 500, body);
  const r = await pushMetrics(registry, { url, job: 'j', retries: 0 });
  t.is(r.status, 500);
  t.regex(r.error!, /^HTTP 500: lorem ipsum/);
  t.true(r.error!.length <= 'HTTP 500: '.length + 200, 'still cut to 200 characters');
  for (const text of [r.error!, ...logs]) t.false(text.includes(KEY.slice(0, 8)), text);
});

test('the word the read limit goes through is not shown: it may be half a key', async (t) => {
  const { registry, logs } = newRegistry();
  // Spaces are folded in what is shown, so the word at the limit would be the first shown.
  const body = `${' '.repeat(ERROR_BODY_MAX - 8)}${KEY} and what follows`;
  const url = await answering(t, 503, body);
  const r = await pushMetrics(registry, { url, job: 'j', retries: 0 });
  t.is(r.status, 503);
  for (const text of [r.error!, ...logs]) t.false(text.includes(KEY.slice(0, 8)), text);
});

test('an endless error answer: a few KiB are read, then the body is cancelled', async (t) => {
  const { registry } = newRegistry();
  let written = 0;
  let closed!: Promise<unknown>;
  const chunk = Buffer.alloc(64 * 1024, 'x'.charCodeAt(0));
  const server = http.createServer((req, res) => {
    req.resume();
    res.writeHead(500, { 'content-type': 'text/plain' });
    closed = once(res, 'close');
    const pump = (): void => {
      while (!res.destroyed && res.write(chunk)) written += chunk.length;
      if (!res.destroyed) res.once('drain', pump);
    };
    res.on('close', () => res.removeListener('drain', pump));
    pump();
  });
  const url = await listen(t, server);
  // A long time bound: the push must end by reading little, not by running out of time.
  const r = await pushMetrics(registry, { url, job: 'j', retries: 0, timeoutMs: 60_000 });
  t.is(r.status, 500);
  t.regex(r.error!, /^HTTP 500: \[redacted\]/);
  await closed;
  // What the sockets' buffers held when the body was cancelled, not what an hour would send.
  t.true(written < 64 * 1024 * 1024, `${written} bytes written before the body was cancelled`);
});

test('an endless answer to a push that worked is not read to its end either', async (t) => {
  const { registry } = newRegistry();
  let closed!: Promise<unknown>;
  const server = http.createServer((req, res) => {
    req.resume();
    res.writeHead(200);
    closed = once(res, 'close');
    const pump = (): void => {
      while (!res.destroyed && res.write('ok '.repeat(1000)));
      if (!res.destroyed) res.once('drain', pump);
    };
    pump();
  });
  const url = await listen(t, server);
  const r = await pushMetrics(registry, { url, job: 'j', retries: 0, timeoutMs: 60_000 });
  t.deepEqual(r, { ok: true, status: 200, attempts: 1 });
  await closed;
});

const BAD_VALUES: Record<string, string> = {
  'a line break': 'MyS3cretKey\nX',
  'a carriage return': 'MyS3cretKey\r\nX-Injected: 1',
  'a NUL': 'MyS3cretKey\u0000',
  'a character past U+00FF': 'MyS3cretKey\u2028',
};

for (const [what, value] of Object.entries(BAD_VALUES)) {
  test(`a header value with ${what}: a configuration error naming the header, not its value`, (t) => {
    const { registry, logs } = newRegistry();
    const opts = { url: 'http://127.0.0.1:9', job: 'j', headers: { 'x-api-key': value } };
    for (const make of [
      () => pushMetrics(registry, opts),
      () => new MetricsPusher(registry, { ...opts, intervalMs: 1000 }),
    ]) {
      const e = t.throws(make, { instanceOf: TypeError })!;
      t.regex(e.message, /^obsweave: push: header "x-api-key"/);
      t.false(e.message.includes('MyS3cretKey'), e.message);
    }
    t.deepEqual(logs, []);
  });
}

test('a header that is not a string, or an invalid name: refused at configuration', (t) => {
  const { registry } = newRegistry();
  const push = (headers: unknown) => () =>
    pushMetrics(registry, { url: 'http://127.0.0.1:9', job: 'j', headers } as never);
  t.throws(push({ 'x-api-key': 42 }), {
    message: /^obsweave: push: header "x-api-key" must be a string, got number$/,
  });
  t.throws(push({ 'bad name': 'v' }), {
    message: /^obsweave: push: invalid header name "bad name"$/,
  });
  const long = `bad name ${KEY}`;
  const e = t.throws(push({ [long]: 'v' }))!;
  t.false(e.message.includes(KEY), 'a name is shown redacted');
});

test('an answer whose body never comes: the read ends at timeoutMs', async (t) => {
  const { registry } = newRegistry();
  const server = http.createServer((req, res) => {
    req.resume();
    res.writeHead(500, { 'content-type': 'text/plain' });
    res.write('partial ');
  });
  const url = await listen(t, server);
  const r = await pushMetrics(registry, { url, job: 'j', retries: 0, timeoutMs: 200 });
  t.false(r.ok);
  t.regex(r.error!, /timed out/);
});
