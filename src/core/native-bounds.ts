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

/**
 * What the bucket search of one schema reads: for each cell of the mantissa (its top
 * `schema + 2` bits, 4 cells per bucket, so a cell meets at most two buckets), the first bound at
 * or above the cell's smallest fraction; and each bound's mantissa as two integers (20 high
 * bits, 32 low), so that the one compare left is made on the double's bits as they are.
 */
export interface KeyTable {
  /** Buckets per power of two: `2^schema` (1 for schema <= 0, which needs no search). */
  readonly n: number;
  /** Right shift of the 20 high mantissa bits that leaves the cell number. */
  readonly shift: number;
  readonly cells: Uint16Array;
  /** Mantissa bits of bound j; at `n`, a sentinel above every mantissa. */
  readonly hi: Uint32Array;
  readonly lo: Uint32Array;
}

const keyTables: (KeyTable | undefined)[] = new Array(9).fill(undefined);

const NO_SEARCH: KeyTable = {
  n: 1,
  shift: 20,
  cells: new Uint16Array(1),
  hi: new Uint32Array(1),
  lo: new Uint32Array(1),
};

export function keyTable(schema: number): KeyTable {
  if (schema <= 0) return NO_SEARCH;
  let t = keyTables[schema];
  if (t === undefined) {
    const bounds = fracBounds(schema);
    const n = bounds.length;
    const bits = schema + 2;
    const cells = new Uint16Array(2 ** bits);
    let j = 0;
    for (let i = 0; i < cells.length; i++) {
      const lowest = 0.5 + i / (2 * cells.length); // the cell's smallest fraction, exactly
      while (j < n && bounds[j] < lowest) j++;
      cells[i] = j;
    }
    const hi = new Uint32Array(n + 1);
    const lo = new Uint32Array(n + 1);
    const word = new Uint32Array(new Float64Array(bounds).buffer);
    const little = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
    for (let k = 0; k < n; k++) {
      hi[k] = word[2 * k + (little ? 1 : 0)] & 0xfffff;
      lo[k] = word[2 * k + (little ? 0 : 1)];
    }
    hi[n] = 0x100000;
    t = { n, shift: 20 - bits, cells, hi, lo };
    keyTables[schema] = t;
  }
  return t;
}
