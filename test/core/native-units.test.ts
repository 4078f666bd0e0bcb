import test from 'ava';
import { largestAtMost, scaled, scaledKeyTable } from '../../src/core/native-bounds';
import { MAGNITUDE, keyOfBits, nativeBound, nativeKey } from '../../src/core/native-index';
import { nextDown, nextUp } from '../support/doubles';

/** The key of `v` as observed, through the table over its unit. */
function keyAsObserved(v: number, schema: number, mul: number, div: number): number {
  const table = scaledKeyTable(schema, mul, div);
  MAGNITUDE[0] = v;
  return keyOfBits(schema, table);
}

const UNITS = [
  ['ms', 1, 1000],
  ['mb', 1048576, 1],
  ['pct', 1, 100],
  ['odd', 3, 7],
  ['huge', 2 ** 60, 1],
] as const;

for (const [unit, mul, div] of UNITS) {
  test(`keys of values in ${unit} are the keys of their scaled values, at every schema`, (t) => {
    for (let schema = -4; schema <= 8; schema++) {
      const probes: number[] = [];
      // The values either side of every bound from 2^-20 to 2^20 base units, as observed.
      const from = nativeKey(2 ** -20, schema);
      const to = nativeKey(2 ** 20, schema);
      for (let k = from; k <= to; k += Math.max(1, (to - from) >> 9)) {
        const v = largestAtMost(nativeBound(k, schema), mul, div);
        probes.push(v, nextUp(v), nextDown(v));
      }
      // Far from 1: subnormal, huge, and whatever scales out of the normal range.
      probes.push(Number.MIN_VALUE, 2 ** -1060, 2 ** -1000, 1e-300, 1e300, 2 ** 1000, 1.7e308);
      let a = 3;
      for (let i = 0; i < 2000; i++) {
        a = (a * 48271) % 2147483647;
        probes.push(2 ** ((a / 2147483647) * 200 - 100));
      }
      let wrong = 0;
      for (const v of probes) {
        const base = scaled(v, mul, div);
        if (!(base > 0) || !Number.isFinite(base)) continue;
        if (keyAsObserved(v, schema, mul, div) !== nativeKey(base, schema)) wrong++;
      }
      t.is(wrong, 0, `schema ${schema}`);
    }
  });
}

test('the largest value whose scaled value is at most a bound, and the next one past it', (t) => {
  for (const [, mul, div] of UNITS) {
    for (const b of [2 ** -128, 0.001, 1, Math.SQRT2, 1e10]) {
      const v = largestAtMost(b, mul, div);
      t.true(scaled(v, mul, div) <= b);
      t.true(scaled(nextUp(v), mul, div) > b);
    }
  }
  t.is(scaled(largestAtMost(0, 1, 1000), 1, 1000), 0);
});
