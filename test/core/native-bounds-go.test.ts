import test from 'ava';
import { createHash } from 'node:crypto';
import { fracBounds } from '../../src/core/native-bounds';
import { nativeBound, nativeKey } from '../../src/core/native-index';
import { nextDown, nextUp } from '../support/doubles';

test('the bounds of schemas 1..8 are the Prometheus Go client table, bit for bit', (t) => {
  const all: number[] = [];
  for (let s = 1; s <= 8; s++) all.push(...fracBounds(s));
  t.is(all.length, 510);
  // SHA-256 of the 510 doubles (little-endian, schema 1 first) of `nativeHistogramBounds` in
  // client_golang's prometheus/histogram.go, which Prometheus' own `getBound` table repeats.
  const digest = createHash('sha256').update(new Uint8Array(Float64Array.from(all).buffer));
  t.is(digest.digest('hex'), 'b1c7c3c2ce530df9686c44d699fa13fae98eaf345e2a18c7211fb9cd8befd65f');
  // Entries as that table writes them, where the nearest doubles differ.
  t.deepEqual([...fracBounds(1)], [0.5, 0.7071067811865475]);
  t.deepEqual(
    [...fracBounds(2)],
    [0.5, 0.5946035575013605, 0.7071067811865475, 0.8408964152537144],
  );
  t.is(fracBounds(3)[7], 0.9170040432046711);
  t.is(fracBounds(8)[1], 0.5013556375251013);
  t.is(fracBounds(8)[255], 0.9972960560854698);
  t.not(fracBounds(8)[255], 2 ** (255 / 256 - 1)); // 3 units in the last place from the nearest
});

test('every bound of schemas 1..8 ends its bucket, the next double up starts the next', (t) => {
  let wrong = 0;
  for (let s = 1; s <= 8; s++) {
    const n = 2 ** s;
    const bounds = fracBounds(s);
    for (const exp of [-1021, -30, -9, 0, 1, 2, 11, 40, 1023]) {
      for (let j = 0; j < n; j++) {
        const b = bounds[j] * 2 ** exp;
        // client_golang: frexp(b) = (bounds[j], exp), and the key is the first bound >= frac.
        const k = j + (exp - 1) * n;
        if (nativeKey(b, s) !== k) wrong++;
        if (nativeKey(nextDown(b), s) !== k) wrong++;
        if (nativeKey(nextUp(b), s) !== k + 1) wrong++;
        if (nativeBound(k, s) !== b) wrong++;
      }
    }
  }
  t.is(wrong, 0);
});

test('sqrt(2), one unit above the schema-1 bound, is in the bucket after it, as in Go', (t) => {
  t.is(nativeBound(1, 1), 1.414213562373095);
  t.is(nativeKey(1.414213562373095, 1), 1);
  t.is(nativeKey(Math.SQRT2, 1), 2);
});
