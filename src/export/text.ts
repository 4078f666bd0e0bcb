/** Shared by the Prometheus and OpenMetrics writers: numbers and escapes, nothing else. */

export function formatNumber(v: number): string {
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

const NEEDS_ESCAPE = /[\\"\n]/;

export function escapeLabelValue(v: string): string {
  if (!NEEDS_ESCAPE.test(v)) return v;
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** `a="x",b="y"`, without braces, so that `le` can be appended. */
export function labelPairs(labelNames: readonly string[], values: readonly string[]): string {
  let out = '';
  for (let i = 0; i < labelNames.length; i++) {
    if (i > 0) out += ',';
    out += `${labelNames[i]}="${escapeLabelValue(values[i])}"`;
  }
  return out;
}

export function scale(v: number, mul: number, div: number): number {
  return mul === 1 && div === 1 ? v : (v * mul) / div;
}
