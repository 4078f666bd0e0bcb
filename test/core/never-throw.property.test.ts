import test from 'ava';
import fc from 'fast-check';
import type { CollectorResult } from '../../src';
import { newRegistry } from '../support/registry';

/** Anything at all, including what a careless caller or a hostile object could pass. */
const hostile = fc.constantFrom<unknown>(
  NaN,
  Infinity,
  -Infinity,
  -0,
  Number.MAX_VALUE,
  Number.MIN_VALUE,
  Symbol('s'),
  10n,
  () => 1,
  Object.create(null),
  new Proxy(
    {},
    {
      get() {
        throw new Error('get');
      },
      ownKeys() {
        throw new Error('ownKeys');
      },
    },
  ),
  Object.defineProperty({}, 'route', {
    enumerable: true,
    get() {
      throw new Error('getter');
    },
  }),
  {
    toString() {
      throw new Error('toString');
    },
  },
);

const anything = fc.oneof(
  fc.anything({
    withBigInt: true,
    withBoxedValues: true,
    withMap: true,
    withSet: true,
    withNullPrototype: true,
    withObjectString: true,
    withSparseArray: true,
    withTypedArray: true,
    withDate: true,
  }),
  hostile,
);

const labelName = fc.constantFrom('route', 'method', 'code', 'extra', 'constructor', '__proto__');
const labelsArb = fc.oneof(
  anything,
  fc.dictionary(labelName, anything, { maxKeys: 4 }),
  fc.record({ route: fc.string(), method: fc.constantFrom('GET', 'POST') }),
);

const call = fc.record({
  metric: fc.constantFrom('c', 'cl', 'g', 'h', 'hl'),
  op: fc.constantFrom(
    'inc',
    'dec',
    'set',
    'observe',
    'bind.inc',
    'bind.dec',
    'bind.set',
    'bind.observe',
    'bind.startTimer',
    'startTimer',
    'reset',
    'snapshot',
    'toPrometheus',
    'toOpenMetrics',
    'collector',
  ),
  value: anything,
  labels: labelsArb,
});

test('no sequence of arbitrary calls on arbitrary inputs ever throws', (t) => {
  fc.assert(
    fc.property(fc.array(call, { maxLength: 40 }), (calls) => {
      const { registry } = newRegistry({ maxSeriesPerMetric: 5 });
      const m: Record<string, any> = {
        c: registry.counter('c_total'),
        cl: registry.counter('cl_total', { labelNames: ['route', 'method'] }),
        g: registry.gauge('g', { labelNames: ['route'] }),
        h: registry.histogram('h_ms'),
        hl: registry.histogram('hl_ms', { labelNames: ['route', 'code'], buckets: [1, 10] }),
      };
      for (const { metric, op, value, labels } of calls) {
        const target = m[metric];
        switch (op) {
          case 'reset':
            registry.reset();
            break;
          case 'snapshot':
            JSON.stringify(registry.snapshot());
            break;
          case 'toPrometheus':
            registry.toPrometheus();
            break;
          case 'toOpenMetrics':
            registry.toOpenMetrics();
            break;
          case 'collector':
            registry.addCollector(() => value as CollectorResult);
            break;
          case 'startTimer':
            target.startTimer?.(labels)?.();
            break;
          case 'bind.startTimer':
            target.bind(labels).startTimer?.()();
            break;
          default:
            if (op.startsWith('bind.')) target.bind(labels)[op.slice(5)]?.(value);
            else target[op]?.(value, labels);
        }
      }
      registry.snapshot();
      registry.toPrometheus();
      registry.toOpenMetrics();
    }),
    { numRuns: 300 },
  );
  t.pass();
});

const increment = fc.oneof(
  fc.double({ min: 0, max: 1e6, noNaN: true }),
  fc.integer({ min: -10, max: 1000 }),
  fc.constantFrom<unknown>(NaN, Infinity, -Infinity, -1, '5', null, undefined, {}, 2n),
);

test('counter totals equal the sum of the valid increments, folding and bad labels included', (t) => {
  fc.assert(
    fc.property(
      fc.array(
        fc.record({
          v: increment,
          labels: fc.oneof(
            fc.record({ route: fc.string({ maxLength: 3 }) }, { requiredKeys: [] }),
            fc.record({ route: fc.nat(20), extra: fc.string() }),
            fc.constantFrom<unknown>(undefined, null, 'GET', 7),
          ),
          bound: fc.boolean(),
        }),
        { maxLength: 60 },
      ),
      (calls) => {
        const { registry } = newRegistry({ maxSeriesPerMetric: 4 });
        const c = registry.counter('c_total', { labelNames: ['route'] });
        let expected = 0;
        for (const { v, labels, bound } of calls) {
          // inc(undefined) is inc(1): a default, not a bad value
          const eff = v === undefined ? 1 : v;
          if (typeof eff === 'number' && eff >= 0 && Number.isFinite(eff)) expected += eff;
          if (bound) c.bind(labels as Record<string, unknown>).inc(v as number);
          else c.inc(v as number, labels as Record<string, unknown>);
        }
        const snap = registry.snapshot();
        const total = Object.entries(snap.counters)
          .filter(([k]) => k.startsWith('c_total'))
          .reduce((sum, [, x]) => sum + x, 0);
        return Math.abs(total - expected) <= 1e-9 * Math.max(1, expected);
      },
    ),
    { numRuns: 500 },
  );
  t.pass();
});
