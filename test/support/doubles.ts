const f = new Float64Array(1);
const bits = new BigInt64Array(f.buffer);

/** The next double up from a positive finite `x`. */
export function nextUp(x: number): number {
  f[0] = x;
  bits[0]++;
  return f[0];
}

/** The next double down from a positive finite `x`. */
export function nextDown(x: number): number {
  f[0] = x;
  bits[0]--;
  return f[0];
}
