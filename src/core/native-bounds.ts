/**
 * The upper bounds, within one power of two, of a native histogram's buckets: for schema `s`,
 * about `2^(j / 2^s - 1)` for `j` in `[0, 2^s)`, as the Prometheus Go client and server carry
 * them, bit for bit, so that a value on a bound lands in the bucket Prometheus puts it in. Their
 * table is not the nearest doubles (it has 0.7071067811865475 where `2^-0.5` rounds to
 * 0.7071067811865476, and its schema-8 bounds are up to 4 units in the last place off): it was
 * made by multiplying up from 0.5 by `2^(2^-s)`, each bound at an even position taken from
 * the schema below. The same products of the same factors give the same doubles.
 */
const tables: Float64Array[] = [Float64Array.of(0.5)];

/**
 * `2^(2^-s)` for s = 1..8 as Go's `math.Exp2` computes them, which the table was made with: the
 * first is one unit in the last place below the nearest double, the others are the nearest.
 */
const FACTORS = [
  1.414213562373095, 1.189207115002721, 1.0905077326652577, 1.0442737824274138, 1.0218971486541166,
  1.0108892860517005, 1.0054299011128027, 1.0027112750502025,
];

export function fracBounds(schema: number): Float64Array {
  for (let s = tables.length; s <= schema; s++) {
    const below = tables[s - 1];
    const factor = FACTORS[s - 1];
    const t = new Float64Array(2 ** s);
    t[0] = 0.5;
    for (let j = 1; j < t.length; j++) t[j] = j % 2 === 0 ? below[j / 2] : t[j - 1] * factor;
    tables.push(t);
  }
  return tables[schema];
}

/**
 * What the bucket search of one schema reads, for values in one unit. Native buckets are over
 * base units, `v * mul / div` (seconds for a `_ms` histogram); rather than divide every value,
 * the table holds, for each bucket bound `B`, the largest value `v` whose scaled value is at
 * most `B`, so the search runs on the value as observed. The rounding of that scaling is
 * monotonic and commutes with powers of two while every step stays normal, so one octave of
 * such thresholds serves every value whose exponent is within `[safeLo, safeHi]`; any other
 * value is scaled and looked up in `plain`, the table over base units.
 *
 * The thresholds, as mantissas, are sorted into cells of the mantissa's top `log2(n) + 2` bits
 * (4 cells per bucket, so a cell meets at most two buckets): each cell holds the first threshold
 * at or above its smallest fraction; each threshold's mantissa is kept as two integers (20 high
 * bits, 32 low), so that the one compare left is made on the double's bits as they are. The key
 * of a value with frexp exponent `e` and first threshold `j` at or above its mantissa is
 * `j + e * n + k0` (before the rounding up of schemas below 1).
 */
export class KeyTable {
  /** The table over base units; this one when it is. */
  plain: KeyTable = this;

  constructor(
    /** Thresholds per octave: `2^schema`, and 1 for schema <= 0 (whose keys are then merged). */
    readonly n: number,
    /** Right shift of the 20 high mantissa bits that leaves the cell number. */
    readonly shift: number,
    readonly cells: Uint16Array,
    /** Mantissa bits of threshold j; at `n`, a sentinel above every mantissa. */
    readonly hi: Uint32Array,
    readonly lo: Uint32Array,
    readonly k0: number,
    /** Biased exponents the table holds for; outside, the value is scaled into `plain`. */
    readonly safeLo: number,
    readonly safeHi: number,
    readonly mul: number,
    readonly div: number,
  ) {}
}

const plainTables: (KeyTable | undefined)[] = new Array(13).fill(undefined);

/** Scaled tables by schema and unit: every histogram of one unit and schema shares one. */
const scaledTables = new Map<string, KeyTable>();

/** The table over base units (no scaling) of a schema, -4..8. */
export function keyTable(schema: number): KeyTable {
  const at = Math.max(schema, 0);
  return (plainTables[at] ??= buildTable(at, 1, 1, undefined));
}

/**
 * A new table for values in units that `v * mul / div` takes to base units (base units
 * included). Units too far from the base units to scale safely get a table that scales every
 * value first.
 */
export function scaledKeyTable(schema: number, mul: number, div: number): KeyTable {
  const at = Math.max(schema, 0);
  const id = `${at} ${mul} ${div}`;
  let t = scaledTables.get(id);
  if (t === undefined) scaledTables.set(id, (t = buildScaled(at, mul, div)));
  return t;
}

function buildScaled(at: number, mul: number, div: number): KeyTable {
  const plain = keyTable(at);
  const sane = (x: number) => x >= 2 ** -50 && x <= 2 ** 50;
  if (sane(mul) && sane(div)) return buildTable(at, mul, div, plain);
  const p = plain;
  const t = new KeyTable(p.n, p.shift, p.cells, p.hi, p.lo, p.k0, 2048, -1, mul, div);
  t.plain = plain;
  return t;
}

/** `v * mul / div` as the series and the text formats compute it. */
export function scaled(v: number, mul: number, div: number): number {
  return mul === 1 ? v / div : (v * mul) / div;
}

/** The largest double whose scaled value is at most `b` (scaling is monotonic). */
export function largestAtMost(b: number, mul: number, div: number): number {
  let v = (b * div) / mul;
  while (scaled(v, mul, div) > b) v = step(v, -1);
  for (let up = step(v, 1); scaled(up, mul, div) <= b; up = step(v, 1)) v = up;
  return v;
}

const sf = new Float64Array(1);
const sb = new BigInt64Array(sf.buffer);

/** The next double up (`+1`) or down (`-1`) from `v`, for `v >= 0`. */
function step(v: number, by: 1 | -1): number {
  if (v === 0 && by < 0) return -Number.MIN_VALUE;
  sf[0] = v;
  sb[0] += BigInt(by);
  return sf[0];
}

function frexp(v: number): [frac: number, exp: number] {
  let exp = Math.max(-1073, Math.floor(Math.log2(v)) + 1);
  let frac = v * 2 ** -exp;
  for (; frac < 0.5; exp--) frac *= 2;
  for (; frac >= 1; exp++) frac /= 2;
  return [frac, exp];
}

function buildTable(at: number, mul: number, div: number, plain: KeyTable | undefined): KeyTable {
  const bounds = fracBounds(at);
  const n = bounds.length;
  // Bound k of the octave [1, 2) is 2 * bounds[k]; its threshold as the value is observed.
  const fr: number[] = [];
  const ex: number[] = [];
  for (let k = 0; k < n; k++) {
    const [f, e] = frexp(
      plain === undefined ? 2 * bounds[k] : largestAtMost(2 * bounds[k], mul, div),
    );
    fr.push(f);
    ex.push(e);
  }
  // The thresholds span less than an octave: sorted by mantissa they are a rotation.
  let w = ex.findIndex((e) => e !== ex[0]);
  if (w < 0) w = 0;
  const sorted = [...fr.slice(w), ...fr.slice(0, w)];
  const k0 = w - n * ex[w];
  const bits = Math.log2(n) + 2;
  const cells = new Uint16Array(2 ** bits);
  let j = 0;
  for (let i = 0; i < cells.length; i++) {
    const lowest = 0.5 + i / (2 * cells.length); // the cell's smallest fraction, exactly
    while (j < n && sorted[j] < lowest) j++;
    cells[i] = j;
  }
  const hi = new Uint32Array(n + 1);
  const lo = new Uint32Array(n + 1);
  const word = new Uint32Array(new Float64Array(sorted).buffer);
  const little = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  for (let k = 0; k < n; k++) {
    hi[k] = word[2 * k + (little ? 1 : 0)] & 0xfffff;
    lo[k] = word[2 * k + (little ? 0 : 1)];
  }
  hi[n] = 0x100000;
  // Plain: every normal value (a subnormal one is scaled up first). Scaled: exponents within
  // 2^±900 of 1, where neither the product nor the quotient can leave the normal range.
  const safe = plain === undefined ? [1, 2046] : [1022 - 900, 1022 + 900];
  const t = new KeyTable(n, 20 - bits, cells, hi, lo, k0, safe[0], safe[1], mul, div);
  if (plain !== undefined) t.plain = plain;
  return t;
}
