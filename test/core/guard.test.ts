import test from 'ava';
import type { MetricsRegistry } from '../../src';
import { dropped, logsAbout, newRegistry } from '../support/registry';

/**
 * The never-throw guarantee: every operation, on every metric type, with every hostile input,
 * returns normally; a bad call is dropped, counted in obsweave.dropped_total and logged once.
 */

function hostileLabels(): [string, unknown][] {
  const throwingGetter = {};
  Object.defineProperty(throwingGetter, 'route', {
    enumerable: true,
    get() {
      throw new Error('getter');
    },
  });
  const throwingProxy = new Proxy(
    {},
    {
      get() {
        throw new Error('proxy get');
      },
      ownKeys() {
        throw new Error('proxy ownKeys');
      },
      has() {
        throw new Error('proxy has');
      },
      getOwnPropertyDescriptor() {
        throw new Error('proxy descriptor');
      },
    },
  );
  const revoked = Proxy.revocable({}, {});
  revoked.revoke();
  const nullProto = Object.create(null) as Record<string, unknown>;
  nullProto.route = Object.create(null); // String() of it throws
  const badToString = {
    route: {
      toString() {
        throw new Error('toString');
      },
    },
  };
  const symbolValue = { route: Symbol('route') };
  return [
    ['undefined labels', undefined],
    ['null labels', null],
    ['a string instead of labels', 'GET'],
    ['a number instead of labels', 42],
    ['an array', ['a', 'b']],
    ['a labels object with a throwing getter', throwingGetter],
    ['a Proxy whose every trap throws', throwingProxy],
    ['a revoked Proxy', revoked.proxy],
    ['a null-prototype value that cannot be turned into a string', nullProto],
    ['a value whose toString throws', badToString],
    ['a symbol value', symbolValue],
    ['an undeclared label name', { route: '/a', extra: 'x' }],
    ['a function as labels', () => 1],
  ];
}

const VALUES: unknown[] = [
  NaN,
  Infinity,
  -Infinity,
  -1,
  '1',
  'abc',
  {},
  [],
  null,
  Symbol('v'),
  10n,
  true,
  () => 1,
];

function everyCall(r: MetricsRegistry, v: unknown, labels: unknown): (() => unknown)[] {
  const c = r.counter('c_total', { labelNames: ['route'] });
  const g = r.gauge('g', { labelNames: ['route'] });
  const h = r.histogram('h_ms', { labelNames: ['route'] });
  const u = r.counter('plain_total');
  const l = labels as Record<string, unknown>;
  const n = v as number;
  return [
    () => c.inc(n, l),
    () => c.inc(1, l),
    () => c.bind(l).inc(n),
    () => c.bind(l).inc(),
    () => g.set(n, l),
    () => g.inc(n, l),
    () => g.dec(n, l),
    () => g.set(1, l),
    () => g.bind(l).set(n),
    () => g.bind(l).inc(n),
    () => g.bind(l).dec(n),
    () => h.observe(n, l),
    () => h.observe(1, l),
    () => h.bind(l).observe(n),
    () => h.startTimer(l)(),
    () => h.bind(l).startTimer()(),
    () => u.inc(n, l),
    () => u.bind(l).inc(n),
  ];
}

for (const [what, labels] of hostileLabels()) {
  test(`never throws: ${what}, with every value, on every operation`, (t) => {
    const { registry } = newRegistry();
    for (const v of VALUES) {
      for (const call of everyCall(registry, v, labels)) t.notThrows(call);
    }
    t.notThrows(() => registry.snapshot());
    t.notThrows(() => registry.toPrometheus());
    t.notThrows(() => registry.toOpenMetrics());
  });
}

test('never throws: a logger that throws', (t) => {
  const registry = new (require('../../src').MetricsRegistry)({
    logger: () => {
      throw new Error('logger down');
    },
  }) as MetricsRegistry;
  const c = registry.counter('c_total', { labelNames: ['a'] });
  t.notThrows(() => c.inc(NaN));
  t.notThrows(() => c.inc(1, { b: 1 }));
  t.notThrows(() => registry.gauge('c_total'));
  t.notThrows(() =>
    registry.addCollector(() => {
      throw new Error('collector');
    }),
  );
  t.notThrows(() => registry.snapshot());
  t.is(dropped(registry, 'invalid_value'), 1);
  t.is(dropped(registry, 'undeclared_label'), 1);
});

test('a logger is called with plain messages that name the metric', (t) => {
  const { registry, logs } = newRegistry();
  registry.counter('jobs.created_total').inc(-5);
  t.is(logs.length, 1);
  t.regex(logs[0], /^jobs\.created_total: -5 is not a valid value; dropped$/);
});

test('negative and non-finite counter increments are dropped, counted, logged once', (t) => {
  const { registry, logs } = newRegistry();
  const c = registry.counter('c_total');
  for (const v of [-1, -0.001, NaN, Infinity, -Infinity, '1', null, {}] as number[]) c.inc(v);
  c.inc(2);
  t.is(registry.snapshot().counters['c_total'], 2);
  t.is(dropped(registry, 'invalid_value'), 8);
  t.is(logs.length, 1);
});

test('log once per metric and kind of problem', (t) => {
  const { registry, logs } = newRegistry();
  const a = registry.counter('a_total', { labelNames: ['k'] });
  const b = registry.counter('b_total', { labelNames: ['k'] });
  for (let i = 0; i < 100; i++) {
    a.inc(NaN);
    a.inc(-1, { k: 'x' });
    a.inc(1, { k: 'x', extra: i });
    b.inc(NaN);
  }
  t.is(logs.length, 3, logs.join('\n'));
  t.is(logsAbout(logs, 'a_total').length, 2);
  t.is(logsAbout(logs, 'b_total').length, 1);
  t.is(dropped(registry, 'invalid_value'), 300);
  t.is(dropped(registry, 'undeclared_label'), 100);
});

test('two registries log independently', (t) => {
  const one = newRegistry();
  const two = newRegistry();
  one.registry.counter('c_total').inc(NaN);
  two.registry.counter('c_total').inc(NaN);
  t.is(one.logs.length, 1);
  t.is(two.logs.length, 1);
});

test('undeclared label names are dropped, the value still recorded, the drop counted and logged once', (t) => {
  const { registry, logs } = newRegistry();
  const c = registry.counter('http.errors_total', { labelNames: ['route', 'code'] });
  c.inc(1, { route: '/a', code: '500', message: 'boom' });
  c.inc(2, { route: '/a', code: '500', userId: 7 });
  c.bind({ route: '/a', code: '500', extra: 1 }).inc(3);
  const snap = registry.snapshot();
  t.is(snap.counters['http.errors_total|route=/a,code=500'], 6);
  t.is(dropped(registry, 'undeclared_label'), 3);
  t.is(logs.length, 1);
  t.regex(
    logs[0],
    /^http\.errors_total: labels \{route, code, message\} include names not declared in \[route, code\]/,
  );
  t.notRegex(registry.toPrometheus(), /message|userId|boom/);
});

test('labels on an unlabelled metric are undeclared: dropped and counted, the value kept', (t) => {
  const { registry } = newRegistry();
  registry.counter('jobs.created_total').inc(1, { id: 'job-1' });
  t.is(registry.snapshot().counters['jobs.created_total'], 1);
  t.is(dropped(registry, 'undeclared_label'), 1);
});

test('missing label names are recorded as ""', (t) => {
  const { registry, logs } = newRegistry();
  const c = registry.counter('external.calls_total', { labelNames: ['service', 'op', 'outcome'] });
  c.inc(1, { service: 's3' });
  c.inc(1, { service: 's3', op: undefined });
  c.inc(1);
  const counters = registry.snapshot().counters;
  t.is(counters['external.calls_total|service=s3,op=,outcome='], 2);
  t.is(counters['external.calls_total|service=,op=,outcome='], 1);
  t.regex(registry.toPrometheus(), /^external_calls_total\{service="s3",op="",outcome=""\} 2$/m);
  t.deepEqual(logs, []);
  t.is(dropped(registry, 'undeclared_label'), 0);
});

test('a declared label set to undefined is not mistaken for an undeclared one', (t) => {
  const { registry } = newRegistry();
  const c = registry.counter('c_total', { labelNames: ['a', 'b'] });
  c.inc(1, { a: undefined, b: undefined });
  t.is(dropped(registry, 'undeclared_label'), 0);
  t.is(registry.snapshot().counters['c_total|a=,b='], 1);
});

test('a label object with a throwing getter drops the call and counts it as an invalid value', (t) => {
  const { registry, logs } = newRegistry();
  const c = registry.counter('c_total', { labelNames: ['route'] });
  const labels = {
    get route(): string {
      throw new Error('no');
    },
  };
  c.inc(1, labels);
  const child = c.bind(labels);
  child.inc();
  child.inc();
  // the labelled call, the bind() and both calls of the child that has no series
  t.is(dropped(registry, 'invalid_value'), 4);
  t.is(logs.length, 1);
  t.false(Object.keys(registry.snapshot().counters).some((k) => k.startsWith('c_total')));
});

test('a Proxy for labels that answers normally is read like an object', (t) => {
  const { registry } = newRegistry();
  const c = registry.counter('c_total', { labelNames: ['route'] });
  c.inc(1, new Proxy({ route: '/p' }, {}));
  t.is(registry.snapshot().counters['c_total|route=/p'], 1);
});

test('label values that cannot become strings are recorded as [redacted]', (t) => {
  const { registry } = newRegistry();
  const c = registry.counter('c_total', { labelNames: ['route'] });
  c.inc(1, { route: Object.create(null) });
  c.inc(1, {
    route: {
      toString() {
        throw new Error('x');
      },
    },
  });
  t.is(registry.snapshot().counters['c_total|route=[redacted]'], 2);
});
