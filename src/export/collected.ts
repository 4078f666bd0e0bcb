import { catalogEntry } from '../core/catalog';
import { labelValue } from '../core/redact';
import type { CollectorResult, HistogramSnapshot, MetricType } from '../core/types';
import type { BucketSeries, FamilyView, ScalarSeries } from './family';

const LABEL_START = /^[a-zA-Z_][a-zA-Z0-9_]*=/;

/** `name|k=v,k2=v2` back into its parts; a `,` not followed by `name=` belongs to the value. */
export function parseSeriesKey(key: string): { name: string; labels: [string, string][] } {
  const bar = key.indexOf('|');
  if (bar < 0) return { name: key, labels: [] };
  const labels: [string, string][] = [];
  for (const part of key.slice(bar + 1).split(',')) {
    if (LABEL_START.test(part) || labels.length === 0) {
      const eq = part.indexOf('=');
      labels.push(eq < 0 ? [part, ''] : [part.slice(0, eq), part.slice(eq + 1)]);
    } else {
      labels[labels.length - 1][1] += `,${part}`;
    }
  }
  return { name: key.slice(0, bar), labels };
}

type Mutable = {
  name: string;
  help: string;
  type: MetricType;
  labelNames: readonly string[];
  series: (ScalarSeries | BucketSeries)[];
  fromRegistry: boolean;
};

/**
 * The registry's families with what collectors returned merged in, as new objects: the
 * registry's own arrays are never written. A collected series with the label values of an
 * existing one replaces it; one whose type or label names contradict its family is rejected
 * through `reject` (the registry counts it as a conflict).
 */
export function mergeCollected(
  families: readonly FamilyView[],
  results: readonly CollectorResult[],
  reject: (name: string, why: string) => void,
): FamilyView[] {
  const byName = new Map<string, Mutable>();
  const out: Mutable[] = [];
  for (const f of families) {
    const m: Mutable = { ...f, series: f.series as (ScalarSeries | BucketSeries)[], fromRegistry: true };
    byName.set(f.name, m);
    out.push(m);
  }
  const add = (type: MetricType, key: string, series: (values: string[]) => ScalarSeries | BucketSeries | undefined) => {
    const { name, labels } = parseSeriesKey(key);
    const labelNames = labels.map(([k]) => k);
    let f = byName.get(name);
    if (f === undefined) {
      const entry = catalogEntry(name);
      f = { name, help: entry?.help ?? name, type, labelNames, series: [], fromRegistry: false };
      byName.set(name, f);
      out.push(f);
    }
    if (f.type !== type) return reject(name, `collected as a ${type}, defined as a ${f.type}`);
    if (f.labelNames.join(',') !== labelNames.join(',')) {
      return reject(name, `collected with labels [${labelNames}], defined with [${f.labelNames}]`);
    }
    const values = labels.map(([, v]) => labelValue(v));
    const s = series(values);
    if (s === undefined) return reject(name, `collected value for "${key}" is not valid`);
    if (f.fromRegistry) {
      f.series = f.series.slice();
      f.fromRegistry = false;
    }
    const same = f.series.findIndex((x) => x.values.join('\u0000') === values.join('\u0000'));
    if (same >= 0) f.series[same] = s;
    else f.series.push(s);
  };
  for (const r of results) {
    if (r === null || typeof r !== 'object') continue;
    for (const [type, map] of [
      ['counter', r.counters],
      ['gauge', r.gauges],
    ] as const) {
      if (map === null || typeof map !== 'object') continue;
      for (const [key, v] of Object.entries(map)) {
        add(type, key, (values) => (typeof v === 'number' && v - v === 0 ? { values, v } : undefined));
      }
    }
    if (r.histograms !== null && typeof r.histograms === 'object') {
      for (const [key, h] of Object.entries(r.histograms)) add('histogram', key, (values) => fromSnapshot(values, h));
    }
  }
  return out as FamilyView[];
}

/** Cumulative `{bound: count}` back into per-bucket counts. */
function fromSnapshot(values: string[], h: HistogramSnapshot): BucketSeries | undefined {
  if (h === null || typeof h !== 'object' || h.buckets === null || typeof h.buckets !== 'object') return undefined;
  const finite = Object.entries(h.buckets)
    .filter(([b]) => b !== '+Inf')
    .map(([b, c]) => [Number(b), c] as const)
    .sort((a, b) => a[0] - b[0]);
  if (finite.some(([b, c]) => !Number.isFinite(b) || typeof c !== 'number' || !(c >= 0))) return undefined;
  const count = typeof h.count === 'number' && h.count >= 0 ? h.count : (h.buckets['+Inf'] ?? 0);
  const counts = new Float64Array(finite.length + 1);
  let prev = 0;
  finite.forEach(([, c], i) => {
    counts[i] = Math.max(0, c - prev);
    prev = Math.max(prev, c);
  });
  counts[finite.length] = Math.max(0, count - prev);
  const sum = typeof h.sum === 'number' && h.sum - h.sum === 0 ? h.sum : 0;
  return { values, bounds: finite.map(([b]) => b), counts, sum, count };
}
