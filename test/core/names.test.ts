import test from 'ava';
import { checkLabelNames, checkMetricName } from '../../src/core/names';
import { newRegistry } from '../support/registry';

test('checkMetricName() accepts Prometheus names with dots', (t) => {
  for (const n of ['a', '_a', ':a', 'http.requests_total', 'a:b.c_d9']) {
    t.notThrows(() => checkMetricName(n), n);
  }
});

test('checkLabelNames() returns a copy, so the caller may change its array', (t) => {
  const names = ['a', 'b'];
  const out = checkLabelNames('m', names);
  t.deepEqual(out, names);
  t.not(out, names);
  t.deepEqual(checkLabelNames('m', undefined), []);
});

for (const name of ['constructor', 'toString', 'valueOf', 'hasOwnProperty']) {
  test(`label name "${name}" (a property every object inherits) is reserved`, (t) => {
    const { registry } = newRegistry();
    const e = t.throws(() => registry.counter('c_total', { labelNames: [name] }));
    t.regex(e!.message, new RegExp(`label name "${name}" is reserved`));
  });
}

test('label names that merely look like properties are fine', (t) => {
  const { registry } = newRegistry();
  const c = registry.counter('c_total', { labelNames: ['name', 'length', 'type', 'status'] });
  c.inc(1, { name: 'n' });
  t.is(registry.snapshot().counters['c_total|name=n,length=,type=,status='], 1);
});
