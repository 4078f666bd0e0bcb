import test from 'ava';
import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { MetricsRegistry } from '../../src';
import { errCode, Stage } from '../../src';
import { histCount } from '../support/registry';
import { TS_REGISTER } from '../support/typescript';

const LAT = 'worker.stage_latency_ms|stage=';

// In a child process: ava reports unhandled rejections of its own workers as failures.
test('a rejection nobody handles is still reported as unhandled, with the same reason', (t) => {
  const script = `
    const { Stage } = require(${JSON.stringify(join(__dirname, '../../src'))});
    const { MetricsRegistry } = require(${JSON.stringify(join(__dirname, '../../src'))});
    const registry = new MetricsRegistry({ logger: () => {} });
    const reason = new Error('nobody listens');
    const fail = Stage('lonely', { registry })(function fail(e) { return Promise.reject(e); }, { kind: 'method', name: 'fail' });
    process.on('unhandledRejection', (r) => {
      const n = registry.snapshot().counters['worker.stage_failures_total|stage=lonely,code=Error'];
      console.log(JSON.stringify({ same: r === reason, n }));
    });
    void fail(reason);
  `;
  const out = execFileSync(process.execPath, ['-r', TS_REGISTER, '-e', script], {
    cwd: join(__dirname, '../..'),
    encoding: 'utf8',
  });
  t.deepEqual(JSON.parse(out), { same: true, n: 1 });
});

test('hostile return values never make the wrapper throw', async (t) => {
  const registry = new MetricsRegistry({ logger: () => {} });
  const trap = new Proxy(
    {},
    {
      get() {
        throw new Error('trap');
      },
    },
  );
  const throwingThen = {
    then() {
      throw new Error('then threw');
    },
  };
  class W {
    @Stage('hostile', { registry })
    give(v: unknown): unknown {
      return v;
    }
  }
  const w = new W();
  t.is(w.give(trap), trap);
  // Not a promise: obsweave does not call its then(); the caller's await meets the same throw.
  const out = w.give(throwingThen) as Promise<unknown>;
  t.is(histCount(registry, `${LAT}hostile`), 1);
  t.is((await t.throwsAsync(out))?.message, 'then threw');
  t.is(histCount(registry, `${LAT}hostile`), 2);
});

test('every reflect-metadata key of the original, own or defined with a property key, is copied', (t) => {
  const registry = new MetricsRegistry({ logger: () => {} });
  const sym = Symbol('key');
  const below = (target: object, key: string, d: PropertyDescriptor) => {
    Reflect.defineMetadata('k1', 1, d.value);
    Reflect.defineMetadata(sym, { deep: true }, d.value);
    return d;
  };
  class W {
    @Stage(undefined, { registry })
    @below
    m(): void {}
  }
  const m = W.prototype.m;
  t.is(Reflect.getMetadata('k1', m), 1);
  t.deepEqual(Reflect.getMetadata(sym, m), { deep: true });
  t.true(Reflect.getOwnMetadataKeys(m).includes('k1'));
  // emitDecoratorMetadata's design:* keys live on the prototype and stay there
  t.truthy(Reflect.getMetadata('design:type', W.prototype, 'm'));
});

test('errCode: a short code, else the name, else unknown; never the message', (t) => {
  t.is(errCode(Object.assign(new Error('x'), { code: 'ENOENT' })), 'ENOENT');
  t.is(errCode(Object.assign(new Error('x'), { code: 'UND_ERR_SOCKET' })), 'UND_ERR_SOCKET');
  t.is(errCode(Object.assign(new Error('x'), { code: 429 })), 'Error');
  t.is(errCode(Object.assign(new TypeError('x'), { code: 'has spaces in it' })), 'TypeError');
  t.is(errCode(Object.assign(new Error('x'), { code: 'A'.repeat(41) })), 'Error');
  t.is(errCode({ name: 'not an identifier!' }), 'unknown');
  t.is(errCode('message text'), 'unknown');
  t.is(errCode(undefined), 'unknown');
  t.is(errCode(null), 'unknown');
  const hostile = new Proxy(
    {},
    {
      get() {
        throw new Error('trap');
      },
    },
  );
  t.is(errCode(hostile), 'unknown');
});

test('static methods and symbol-named methods can be decorated', (t) => {
  const registry = new MetricsRegistry({ logger: () => {} });
  const run = Symbol('run');
  class W {
    @Stage(undefined, { registry })
    static make(): string {
      return 'made';
    }
    @Stage(undefined, { registry })
    [run](): string {
      return 'ran';
    }
  }
  t.is(W.make(), 'made');
  t.is(new W()[run](), 'ran');
  t.is(histCount(registry, `${LAT}make`), 1);
  t.is(histCount(registry, `${LAT}run`), 1);
});
