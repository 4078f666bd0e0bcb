import test from 'ava';
import { MetricsRegistry } from '../../src';
import { ExternalCall, TimeoutError, withExternalCall, type Classify } from '../../src';
import { runChecklist } from './checklist';
import { counter, histCount, total, quietRegistry } from '../support/registry';

const CALLS = 'external.calls_total|service=';

runChecklist({
  title: '@ExternalCall',
  decorate:
    (a, { registry }) =>
    () =>
      a.ExternalCall('svc', { registry }),
  recorder: ({ registry }) => ({
    total: (m) => {
      const n = total(registry, `${CALLS}svc,op=${m},`);
      const latency = histCount(registry, `external.call_latency_ms|service=svc,op=${m}`);
      if (latency !== n) throw new Error(`latency count ${latency} != calls ${n}`);
      return n;
    },
    failed: (m) => total(registry, `${CALLS}svc,op=${m},`, (k) => !k.endsWith('outcome=success')),
  }),
});

const outcome = (r: MetricsRegistry, op: string, o: string) =>
  counter(r, `${CALLS}asr,op=${op},outcome=${o}`);

function client(registry: MetricsRegistry, classify?: Classify) {
  class Asr {
    @ExternalCall('asr', { registry, classify })
    transcribe(err?: unknown): Promise<string> {
      return err === undefined ? Promise.resolve('text') : Promise.reject(err);
    }
  }
  return new Asr();
}

test('@ExternalCall: the default rule tells timeouts from errors', async (t) => {
  const registry = quietRegistry();
  const c = client(registry);
  const timeouts = [
    new TimeoutError('ours', 5),
    new DOMException('signal timed out', 'TimeoutError'),
    Object.assign(new Error('x'), { code: 'ETIMEDOUT' }),
    Object.assign(new Error('x'), { code: 'ESOCKETTIMEDOUT' }),
    Object.assign(new Error('x'), { code: 'UND_ERR_CONNECT_TIMEOUT' }),
    Object.assign(new Error('x'), { code: 'UND_ERR_HEADERS_TIMEOUT' }),
    new TypeError('fetch failed', {
      cause: Object.assign(new Error('x'), { code: 'UND_ERR_BODY_TIMEOUT' }),
    }),
  ];
  for (const e of timeouts) t.is(await c.transcribe(e).catch((x: unknown) => x), e);
  const errors = [new Error('x'), Object.assign(new Error('x'), { code: 'ECONNRESET' }), 'string'];
  for (const e of errors) t.is(await c.transcribe(e).catch((x: unknown) => x), e);
  t.is(await c.transcribe(), 'text');
  t.is(outcome(registry, 'transcribe', 'timeout'), timeouts.length);
  t.is(outcome(registry, 'transcribe', 'error'), errors.length);
  t.is(outcome(registry, 'transcribe', 'success'), 1);
});

test('@ExternalCall: classify decides provider-specific outcomes, undefined falls back', async (t) => {
  const registry = quietRegistry();
  const c = client(registry, (e) => {
    const status = (e as { status?: number })?.status;
    return status === 429 ? 'timeout' : status === 404 ? 'success' : undefined;
  });
  for (const status of [429, 404, 500]) {
    const e = Object.assign(new Error('http'), { status });
    await t.throwsAsync(c.transcribe(e), { is: e }, 'the caller still sees the error');
  }
  await t.throwsAsync(c.transcribe(Object.assign(new Error('x'), { code: 'ETIMEDOUT' })));
  t.is(outcome(registry, 'transcribe', 'timeout'), 2);
  t.is(outcome(registry, 'transcribe', 'success'), 1);
  t.is(outcome(registry, 'transcribe', 'error'), 1);
});

test('@ExternalCall: a classify that throws or answers nonsense falls back to the default rule', async (t) => {
  const registry = quietRegistry();
  const c = client(registry, (e) => {
    if (e === 'throw') throw new Error('bad classify');
    return 'maybe' as never;
  });
  await t.throwsAsync(c.transcribe('throw') as Promise<unknown>, { any: true });
  await t.throwsAsync(c.transcribe(new Error('x')), { any: true });
  t.is(outcome(registry, 'transcribe', 'error'), 2);
});

test('@ExternalCall: the op is the second argument or the method name', (t) => {
  const registry = quietRegistry();
  class S3 {
    @ExternalCall('storage', 'put')
    a(): number {
      return 1;
    }
    @ExternalCall('storage', { registry })
    head(): number {
      return 2;
    }
    @ExternalCall('storage', { registry, op: 'get' })
    b(): number {
      return 3;
    }
  }
  const s = new S3();
  s.head();
  s.b();
  t.is(counter(registry, 'external.calls_total|service=storage,op=head,outcome=success'), 1);
  t.is(counter(registry, 'external.calls_total|service=storage,op=get,outcome=success'), 1);
  t.throws(() => ExternalCall(''), { message: /@ExternalCall/ });
  t.throws(() => ExternalCall('s', { timeoutMs: -1 }), { message: /@ExternalCall.*timeoutMs/ });
  t.throws(() => ExternalCall('s', { classify: 'x' as never }), {
    message: /@ExternalCall.*classify/,
  });
});

function slow(registry: MetricsRegistry, timeoutMs: number) {
  class Provider {
    seen: { signal?: AbortSignal; other?: unknown } | undefined;
    @ExternalCall('asr', { registry, timeoutMs })
    call(
      id: string,
      opts: { signal?: AbortSignal; other?: unknown; delayMs: number },
    ): Promise<string> {
      this.seen = opts;
      return new Promise((resolve, reject) => {
        if (opts.signal?.aborted) return reject(opts.signal.reason);
        const timer = setTimeout(() => resolve(id), opts.delayMs);
        opts.signal?.addEventListener('abort', () => {
          clearTimeout(timer);
          reject(opts.signal?.reason);
        });
      });
    }
  }
  return new Provider();
}

test('@ExternalCall timeoutMs: rejects with TimeoutError, aborts the signal of a copied options object', async (t) => {
  const registry = quietRegistry();
  const p = slow(registry, 20);
  const opts = { other: 1, delayMs: 5000 };
  const e = await p.call('a', opts).catch((x: unknown) => x);
  t.true(e instanceof TimeoutError);
  t.is((e as Error).name, 'TimeoutError');
  t.is((e as TimeoutError).timeoutMs, 20);
  t.not(p.seen, opts, 'the method got a copy');
  t.is(p.seen?.other, 1);
  t.true(p.seen?.signal?.aborted);
  t.false('signal' in opts, "the caller's object is untouched");
  t.is(outcome(registry, 'call', 'timeout'), 1);
});

// serial: concurrent tests hold timers of their own
test.serial(
  '@ExternalCall timeoutMs: a call that settles in time is untouched and its timer is cleared',
  async (t) => {
    const registry = quietRegistry();
    const p = slow(registry, 10000);
    const before = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    t.is(await p.call('ok', { delayMs: 1 }), 'ok');
    const after = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    t.true(after <= before, `timers before ${before}, after ${after}`);
    t.false(p.seen?.signal?.aborted);
    t.is(outcome(registry, 'call', 'success'), 1);
  },
);

test("@ExternalCall timeoutMs: the caller's own signal aborts the method's signal", async (t) => {
  const registry = quietRegistry();
  const p = slow(registry, 10000);
  const ac = new AbortController();
  const pending = p.call('x', { signal: ac.signal, delayMs: 5000 });
  t.not(p.seen?.signal, ac.signal);
  const reason = new Error('caller gave up');
  ac.abort(reason);
  t.is(await pending.catch((x: unknown) => x), reason);
  t.true(p.seen?.signal?.aborted);
  t.is(outcome(registry, 'call', 'error'), 1);
  const pre = new AbortController();
  pre.abort(reason);
  t.is(await p.call('y', { signal: pre.signal, delayMs: 5000 }).catch((x: unknown) => x), reason);
});

test('@ExternalCall timeoutMs: a sync method or a non-object last argument is left alone', (t) => {
  const registry = quietRegistry();
  class C {
    @ExternalCall('cli', { registry, timeoutMs: 50 })
    run(a: number, b: string[]): number {
      t.true(Array.isArray(b));
      return a;
    }
  }
  const b = ['x'];
  t.is(new C().run(1, b), 1);
  t.is(counter(registry, 'external.calls_total|service=cli,op=run,outcome=success'), 1);
});

test('withExternalCall runs now, gives the deadline signal to the function', async (t) => {
  const registry = quietRegistry();
  t.is(
    withExternalCall({ service: 'db', op: 'ping', registry }, () => 'pong'),
    'pong',
  );
  let signal: AbortSignal | undefined;
  const e = await withExternalCall({ service: 'db', op: 'slow', timeoutMs: 10, registry }, (s) => {
    signal = s;
    return new Promise(() => {});
  }).catch((x: unknown) => x);
  t.true(e instanceof TimeoutError);
  t.true(signal?.aborted);
  t.is(signal?.reason, e);
  t.is(counter(registry, 'external.calls_total|service=db,op=ping,outcome=success'), 1);
  t.is(counter(registry, 'external.calls_total|service=db,op=slow,outcome=timeout'), 1);
  t.throws(() => withExternalCall({ service: 'db' } as never, () => 1), {
    message: /withExternalCall/,
  });
});
