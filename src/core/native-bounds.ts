/**
 * The upper bounds, within one power of two, of a native histogram's buckets: for schema `s`,
 * `2^(j / 2^s - 1)` for `j` in `[0, 2^s)`, each the double nearest to that irrational value.
 * `Math.pow` is not correctly rounded (it is off by one unit in the last place for about one
 * bound in seven), so each candidate is checked exactly, in integers, once per schema: the
 * first histogram of a schema pays it (under 1 ms at schema 3, ~70 ms at schema 8).
 */
const tables: (Float64Array | undefined)[] = new Array(9).fill(undefined);

export function fracBounds(schema: number): Float64Array {
  let t = tables[schema];
  if (t === undefined) {
    const n = 2 ** schema;
    t = new Float64Array(n);
    for (let j = 0; j < n; j++) t[j] = nearestBound(j, n);
    tables[schema] = t;
  }
  return t;
}

/**
 * The double `m / 2^53` nearest to `t = 2^(j/n - 1)` (in [0.5, 1), where doubles are `m / 2^53`
 * with 53-bit `m`): the one whose rounding interval `[(2m-1)/2^54, (2m+1)/2^54]` holds `t`,
 * compared as n-th powers: `(2m±1)^n` against `2^(54n + j - n)`.
 */
function nearestBound(j: number, n: number): number {
  if (j === 0) return 0.5;
  const target = 2n ** BigInt(54 * n + j - n);
  const power = BigInt(n);
  let m = BigInt(Math.round(Math.pow(2, j / n - 1) * 2 ** 53));
  for (;;) {
    if ((2n * m - 1n) ** power > target) m--;
    else if ((2n * m + 1n) ** power < target) m++;
    else return Number(m) / 2 ** 53;
  }
}
