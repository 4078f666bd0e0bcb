import type { MetricType } from './types';

/** How one obsweave name is written in the text formats, and the factor its values take. */
export interface ExportName {
  /** The family name: `http_request_latency_seconds`, `http_requests` for a counter. */
  readonly family: string;
  /** The sample name: the family, plus `_total` for a counter. */
  readonly sample: string;
  readonly unit: '' | 'seconds' | 'bytes' | 'ratio';
  /** Multiply first, then divide: `v / 1000` is exact where `v * 0.001` is not. */
  readonly mul: number;
  readonly div: number;
}

const UNITS: readonly [suffix: string, to: ExportName['unit'], mul: number, div: number][] = [
  ['_ms', 'seconds', 1, 1000],
  ['_mb', 'bytes', 1048576, 1],
  ['_pct', 'ratio', 1, 100],
];

/**
 * Prometheus conventions: dots become underscores, units become base units (`_ms` →
 * `_seconds`, `_mb` → `_bytes`, `_pct` → `_ratio`), and a counter's samples end in `_total`.
 */
export function exportName(name: string, type: MetricType): ExportName {
  let core = name.replace(/[^a-zA-Z0-9_:]/g, '_');
  if (type === 'counter' && core.endsWith('_total')) core = core.slice(0, -6);
  let unit: ExportName['unit'] = '';
  let mul = 1;
  let div = 1;
  for (const [suffix, to, m, d] of UNITS) {
    if (core.endsWith(suffix)) {
      core = `${core.slice(0, -suffix.length)}_${to}`;
      unit = to;
      mul = m;
      div = d;
      break;
    }
  }
  if (unit === '') {
    for (const u of ['seconds', 'bytes', 'ratio'] as const) if (core.endsWith(`_${u}`)) unit = u;
  }
  return { family: core, sample: type === 'counter' ? `${core}_total` : core, unit, mul, div };
}

/** A value in the exported unit: `scale(250, 1, 1000)` is 0.25 seconds. */
export function scale(v: number, mul: number, div: number): number {
  return mul === 1 && div === 1 ? v : (v * mul) / div;
}

/**
 * The exported names taken so far, so that two obsweave names never write one family: `a.b`
 * and `a_b`, `x_ms` and `x_seconds`, a counter `c` and a gauge `c_total`. One per registry, and
 * one per export that merges collected families into it.
 */
export class ExportNames {
  private readonly taken = new Map<string, string>();

  /** Takes the exported names of `name`; on a clash, returns why and takes nothing. */
  claim(name: string, type: MetricType): string | undefined {
    const n = exportName(name, type);
    const taken = this.taken.get(n.family) ?? this.taken.get(n.sample);
    if (taken !== undefined) return `exports as "${n.sample}", as "${taken}" does`;
    this.taken.set(n.family, name);
    this.taken.set(n.sample, name);
    return undefined;
  }
}
