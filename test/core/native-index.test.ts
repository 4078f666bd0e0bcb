import test from 'ava';
import { MAX_SCHEMA, MIN_SCHEMA, nativeBound, nativeKey } from '../../src/core/native-index';
import { nextDown, nextUp } from '../support/doubles';

/** Every finite key of a schema: from the bucket of the smallest subnormal to the last finite one. */
function keys(schema: number): [number, number] {
  return [nativeKey(Number.MIN_VALUE, schema), nativeKey(Number.MAX_VALUE, schema)];
}

for (let schema = MIN_SCHEMA; schema <= MAX_SCHEMA; schema++) {
  test(`schema ${schema}: every bucket bound is in its bucket, the next double in the next`, (t) => {
    const [first, last] = keys(schema);
    let wrong = 0;
    let checked = 0;
    for (let k = first; k < last; k++) {
      const ub = nativeBound(k, schema);
      // Subnormal bounds are rounded: several buckets share one double, some hold none.
      if (ub < 2 ** -1022) continue;
      checked++;
      if (nativeKey(ub, schema) !== k) wrong++;
      if (nativeKey(nextDown(ub), schema) > k) wrong++;
      if (nativeKey(nextUp(ub), schema) !== k + 1) wrong++;
    }
    t.is(nativeBound(last, schema), Number.MAX_VALUE);
    t.is(wrong, 0);
    t.true(checked >= Math.floor(2045 * 2 ** schema), `${checked} bounds checked`);
  });
}

test('powers of two end buckets: 1 ends bucket 0 and 2 ends bucket 2^schema', (t) => {
  for (let schema = MIN_SCHEMA; schema <= MAX_SCHEMA; schema++) {
    t.is(nativeKey(1, schema), 0);
    if (schema >= 0) {
      t.is(nativeKey(2, schema), 2 ** schema);
      t.is(nativeKey(0.5, schema), -(2 ** schema));
    }
  }
  // Schema -1 buckets are 4x wide: (1, 4], (4, 16]; schema -4: 65536x.
  t.is(nativeKey(4, -1), 1);
  t.is(nativeKey(4.000001, -1), 2);
  t.is(nativeKey(65536, -4), 1);
  t.is(nativeKey(65537, -4), 2);
});

test('subnormal observations get keys below every normal one', (t) => {
  t.is(nativeKey(Number.MIN_VALUE, 3), -1074 * 8);
  t.is(nativeKey(2 ** -1022, 3), -1022 * 8);
  t.is(nativeKey(nextDown(2 ** -1022), 3), -1022 * 8);
});

test('Math.ceil(Math.log2(v) * 2^schema) puts some bounds in the wrong bucket', (t) => {
  let wrong = 0;
  for (let schema = 1; schema <= MAX_SCHEMA; schema++) {
    for (let k = -200; k < 200; k++) {
      const ub = nativeBound(k, schema);
      if (Math.ceil(Math.log2(ub) * 2 ** schema) !== k) wrong++;
    }
  }
  t.true(wrong > 0, `${wrong} bounds the naive formula misplaces`);
});
