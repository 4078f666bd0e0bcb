import test from 'ava';
import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ExternalCall, MetricsRegistry, Stage, TimeoutError } from '../../src';
import { histCount } from '../support/registry';

const LAT = 'worker.stage_latency_ms|stage=';
const FAIL = 'worker.stage_failures_total|stage=';
const ROOT = join(__dirname, '../..');

/** A promise subclass with `cancel()` over a private field, as cancelable promises are made. */
class CancelablePromise<T> extends Promise<T> {
  #reject: ((e: unknown) => void) | undefined;
  #canceled = false;

  static make<T>(ms: number, value: T): CancelablePromise<T> {
    let reject!: (e: unknown) => void;
    const p = new CancelablePromise<T>((res, rej) => {
      reject = rej;
      setTimeout(() => res(value), ms).unref();
    });
    p.#reject = reject;
    return p;
  }

  cancel(reason = 'canceled'): void {
    this.#canceled = true;
    this.#reject?.(new Error(reason));
  }

  get isCanceled(): boolean {
    return this.#canceled;
  }

  // Derived promises (then, catch) are plain ones, as a real library's are.
  static override get [Symbol.species]() {
    return Promise;
  }
}

/**
 * Not a native promise, but with Promise.prototype in its chain: p-cancelable's own shape (a
 * class whose `then` delegates to an inner promise, `cancel()` rejects it, and whose prototype
 * is set to Promise.prototype).
 */
class PCancelableLike<T> {
  #inner: Promise<T>;
  #reject!: (e: unknown) => void;

  constructor(value: T, ms: number) {
    this.#inner = new Promise<T>((res, rej) => {
      this.#reject = rej;
      setTimeout(() => res(value), ms).unref();
    });
  }

  then(f?: (v: T) => unknown, r?: (e: unknown) => unknown): Promise<unknown> {
    return this.#inner.then(f, r);
  }

  catch(r?: (e: unknown) => unknown): Promise<unknown> {
    return this.#inner.catch(r);
  }

  finally(f?: () => void): Promise<T> {
    return this.#inner.finally(f);
  }

  cancel(): void {
    this.#reject(Object.assign(new Error('canceled'), { name: 'CancelError' }));
  }
}
Object.setPrototypeOf(PCancelableLike.prototype, Promise.prototype);

/** A native promise with members of its own, as got returns (`.json()` reads the body). */
function gotLike(body: string, fail?: Error): Promise<string> & { json(): Promise<unknown> } {
  const p = new Promise<string>((res, rej) => setTimeout(() => (fail ? rej(fail) : res(body)), 2));
  return Object.assign(p, { json: () => p.then((b) => JSON.parse(b)) });
}

/** A lazy thenable query builder: chained methods return `this`; `then` runs the query. */
class QueryBuilder {
  readonly clauses: string[] = [];
  runs = 0;
  #table: string;

  constructor(table: string) {
    this.#table = table;
  }

  where(c: string): this {
    this.clauses.push(c);
    return this;
  }

  limit(n: number): this {
    this.clauses.push(`limit ${n}`);
    return this;
  }

  then<R1 = string[], R2 = never>(
    onOk?: (v: string[]) => R1 | PromiseLike<R1>,
    onErr?: (e: unknown) => R2 | PromiseLike<R2>,
  ): Promise<R1 | R2> {
    this.runs++;
    const sql = `select from ${this.#table} ${this.clauses.join(' ')}`;
    const q = new Promise<string[]>((res, rej) =>
      setTimeout(() => (this.clauses.includes('fail') ? rej(new Error(sql)) : res([sql])), 1),
    );
    return q.then(onOk, onErr);
  }
}

function services(registry: MetricsRegistry) {
  class Client {
    @Stage('cancelable', { registry })
    cancelable(ms: number): CancelablePromise<string> {
      return CancelablePromise.make(ms, 'done');
    }

    @Stage('pcancelable', { registry })
    pcancelable(ms: number): PCancelableLike<string> {
      return new PCancelableLike('done', ms);
    }

    @Stage('got', { registry })
    get(body: string, fail?: Error) {
      return gotLike(body, fail);
    }

    @Stage('query', { registry })
    users(): QueryBuilder {
      return new QueryBuilder('users');
    }
  }
  return new Client();
}

test('a promise subclass keeps cancel(), its getters and instanceof; the await gets the same value', async (t) => {
  const registry = new MetricsRegistry();
  const c = services(registry);
  const p = c.cancelable(5);
  t.true(p instanceof CancelablePromise);
  t.true(p instanceof Promise);
  t.is(p.constructor, CancelablePromise);
  t.false(p.isCanceled);
  t.is(await p, 'done');
  t.is(histCount(registry, `${LAT}cancelable`), 1);

  const q = c.cancelable(10_000);
  q.cancel('stop');
  t.true(q.isCanceled, 'the private state of the original');
  const e = await t.throwsAsync(q);
  t.is(e?.message, 'stop');
  t.is(histCount(registry, `${LAT}cancelable`), 2);
  t.is(registry.snapshot().counters[`${FAIL}cancelable,code=Error`], 1);
});

test("p-cancelable's shape: cancel() reaches the original; the await gets the same rejection", async (t) => {
  const registry = new MetricsRegistry();
  const c = services(registry);
  t.is(await c.pcancelable(1), 'done');
  const p = c.pcancelable(10_000);
  t.true(p instanceof Promise);
  t.true(p instanceof PCancelableLike);
  p.cancel();
  t.is((await t.throwsAsync(p as unknown as Promise<string>))?.name, 'CancelError');
  t.is(registry.snapshot().counters[`${FAIL}pcancelable,code=CancelError`], 1);
});

test("got's shape: members of its own (.json()) are kept, and timed even when only they are awaited", async (t) => {
  const registry = new MetricsRegistry();
  const c = services(registry);
  t.deepEqual(await c.get('{"a":1}').json(), { a: 1 });
  t.is(histCount(registry, `${LAT}got`), 1);
  const reason = new Error('ECONNRESET');
  t.is(await t.throwsAsync(c.get('', reason)), reason, 'the same rejection object');
  t.is(await t.throwsAsync(c.get('', reason).json()), reason);
  t.is(registry.snapshot().counters[`${FAIL}got,code=Error`], 2);
});

test('a thenable query builder keeps its chained methods, runs once, when awaited, and is timed then', async (t) => {
  const registry = new MetricsRegistry();
  const c = services(registry);
  const q = c.users();
  t.is(histCount(registry, `${LAT}query`), 0, 'nothing ran yet');
  const chained = q.where('age > 3').limit(2);
  t.is(chained, q, 'chained calls hand back what the caller holds');
  t.true(q instanceof QueryBuilder);
  t.deepEqual(await chained, ['select from users age > 3 limit 2']);
  t.is(q.runs, 1, 'run once: obsweave did not run it');
  t.is(histCount(registry, `${LAT}query`), 1);

  const failing = c.users().where('fail');
  const e = await t.throwsAsync(failing);
  t.is(e?.message, 'select from users fail');
  t.is(registry.snapshot().counters[`${FAIL}query,code=Error`], 1);

  const unused = c.users();
  t.is(unused.runs, 0);
  t.is(histCount(registry, `${LAT}query`), 2, 'a builder never awaited is not recorded');
});

test('with a deadline, a promise subclass keeps cancel() and the await meets the TimeoutError', async (t) => {
  const registry = new MetricsRegistry();
  class Slow {
    @ExternalCall('svc', { op: 'slow', timeoutMs: 20, registry })
    slow(): CancelablePromise<string> {
      return CancelablePromise.make(10_000, 'late');
    }
  }
  const p = new Slow().slow();
  t.is(typeof p.cancel, 'function');
  t.true(p instanceof CancelablePromise);
  t.true((await t.throwsAsync(p)) instanceof TimeoutError);
  p.cancel(); // stops the late work; the await already settled
  t.true(p.isCanceled);
});

/**
 * Unhandled rejections, in a child process (ava reports its workers' own as failures): which
 * calls of `scenario` made Node report one, with which reason.
 */
function unhandled(scenario: string): { reported: string[]; failures: number } {
  const script = `
    const { Stage, MetricsRegistry } = require(${JSON.stringify(join(ROOT, 'dist'))});
    const registry = new MetricsRegistry({ logger: () => {} });
    const reported = [];
    process.on('unhandledRejection', (r) => reported.push(r && r.message));
    class Sub extends Promise { static get [Symbol.species]() { return Promise; } cancel() {} }
    const sub = (msg) => new Sub((_, rej) => setTimeout(() => rej(new Error(msg)), 1));
    const own = (msg) => {
      const p = new Promise((_, rej) => setTimeout(() => rej(new Error(msg)), 1));
      return Object.assign(p, { json: () => p.then(JSON.parse) });
    };
    const lazy = (msg) => ({ runs: 0, then(ok, err) { this.runs++; return Promise.reject(new Error(msg)).then(ok, err); } });
    const deco = (name, fn) => Stage(name, { registry })(fn, { kind: 'method', name });
    const calls = { sub: deco('sub', sub), own: deco('own', own), lazy: deco('lazy', lazy), plain: deco('plain', (m) => Promise.reject(new Error(m))) };
    ${scenario}
    setTimeout(() => {
      const c = registry.snapshot().counters;
      const failures = Object.keys(c).filter((k) => k.startsWith('worker.stage_failures_total')).reduce((n, k) => n + c[k], 0);
      console.log(JSON.stringify({ reported: reported.sort(), failures }));
    }, 100);
  `;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }));
}

test('unhandled rejections stay reported: a dropped promise is reported with its reason, a handled one is not', (t) => {
  // Dropped: reported once each, with the same reason; still recorded as failures.
  t.deepEqual(
    unhandled(`calls.sub('sub dropped'); calls.own('own dropped'); calls.plain('plain dropped');`),
    { reported: ['own dropped', 'plain dropped', 'sub dropped'], failures: 3 },
  );
  // Handled by the caller, through await, catch, or a member that hands back a thenable.
  t.deepEqual(
    unhandled(`
      (async () => { try { await calls.sub('a'); } catch {} })();
      calls.own('b').catch(() => {});
      calls.own('c').json().catch(() => {});
      calls.plain('d').then(null, () => {});
    `),
    { reported: [], failures: 4 },
  );
  // A member whose result is no thenable (cancel()) does not hand the outcome over.
  t.deepEqual(unhandled(`calls.sub('canceled, dropped').cancel();`), {
    reported: ['canceled, dropped'],
    failures: 1,
  });
  // A lazy thenable nobody awaits is never run, so there is nothing to report or record.
  t.deepEqual(unhandled(`calls.lazy('never run');`), { reported: [], failures: 0 });
  t.deepEqual(unhandled(`calls.lazy('awaited').then(null, () => {});`), {
    reported: [],
    failures: 1,
  });
});
