import { catalogEntry } from './catalog';
import { checkLabelNames, checkMetricName } from './names';
import { labelValue } from '../redact/redact';
import type { CollectorResult, HistogramSnapshot, MetricType } from './types';
import { ExportNames } from './export-name';
import type { BucketSeries, FamilyView, ScalarSeries } from './family-view';

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

type AnySeries = ScalarSeries | BucketSeries;

/** A family collectors added to: its series materialised, keyed by their joined values. */
interface Merged {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  readonly labelNames: readonly string[];
  readonly series: Map<string, [readonly string[], AnySeries]>;
}

/**
 * The registry's families with what collectors returned merged in. Families no collector
 * touched are passed through as they are; a touched one is copied, so the registry is never
 * written. A collected series with the label values of an existing one replaces it; one whose
 * type or label names contradict its family is rejected through `reject` (counted as a conflict).
 */
export function mergeCollected(
  families: readonly FamilyView[],
  results: readonly CollectorResult[],
  reject: (name: string, why: string) => void,
): FamilyView[] {
  const out: (FamilyView | Merged)[] = [...families];
  const index = new Map<string, number>(families.map((f, i) => [f.name, i]));
  // Exported names already written, so a collected `a_b` cannot repeat the family of `a.b`.
  const exported = new ExportNames();
  for (const f of families) exported.claim(f.name, f.type);
  const touched = (i: number): Merged => {
    const f = out[i];
    if ('series' in f) return f;
    const series = new Map<string, [readonly string[], AnySeries]>();
    (f as { forEach(fn: (v: readonly string[], s: AnySeries) => void): void }).forEach(
      (values, s) => series.set(values.join('\u0000'), [values.slice(), s]),
    );
    const m: Merged = {
      name: f.name,
      help: f.help,
      type: f.type,
      labelNames: f.labelNames,
      series,
    };
    out[i] = m;
    return m;
  };
  const add = (
    type: MetricType,
    key: string,
    make: (values: string[]) => AnySeries | undefined,
  ) => {
    const { name, labels } = parseSeriesKey(key);
    const labelNames = labels.map(([k]) => k);
    let i = index.get(name);
    if (i === undefined) {
      // A new family from a collector gets the checks a defined one gets.
      try {
        checkMetricName(name, type);
        checkLabelNames(name, labelNames);
      } catch (e) {
        return reject(name, `collected as "${key}": ${(e as Error).message}`);
      }
      const clash = exported.claim(name, type);
      if (clash !== undefined) return reject(name, clash);
      const help = catalogEntry(name)?.help ?? name;
      i = out.push({ name, help, type, labelNames, series: new Map() }) - 1;
      index.set(name, i);
    }
    const f = touched(i);
    if (f.type !== type) return reject(name, `collected as a ${type}, defined as a ${f.type}`);
    if (f.labelNames.join(',') !== labelNames.join(',')) {
      return reject(name, `collected with labels [${labelNames}], defined with [${f.labelNames}]`);
    }
    const values = labels.map(([, v]) => labelValue(v));
    const s = make(values);
    if (s === undefined) return reject(name, `collected value for "${key}" is not valid`);
    f.series.set(values.join('\u0000'), [values, s]);
  };
  for (const r of results) {
    if (r === null || typeof r !== 'object') continue;
    for (const [type, map] of [
      ['counter', r.counters],
      ['gauge', r.gauges],
    ] as const) {
      if (map === null || typeof map !== 'object') continue;
      for (const [key, v] of Object.entries(map)) {
        add(type, key, () => (typeof v === 'number' && v - v === 0 ? { v } : undefined));
      }
    }
    if (r.histograms !== null && typeof r.histograms === 'object') {
      for (const [key, h] of Object.entries(r.histograms))
        add('histogram', key, () => fromSnapshot(h));
    }
  }
  return out.map((f) =>
    'series' in f
      ? ({
          name: f.name,
          help: f.help,
          type: f.type,
          labelNames: f.labelNames,
          forEach: (fn: (values: readonly string[], s: AnySeries) => void) => {
            for (const [values, s] of f.series.values()) fn(values, s);
          },
        } as FamilyView)
      : f,
  );
}

/**
 * A collector's answer read once into plain objects. A hostile getter or Proxy throws here,
 * where the caller blames the collector and skips it, and never later, during the export.
 */
export function copyResult(r: unknown): CollectorResult | undefined {
  if (r === null || typeof r !== 'object') return undefined;
  const { counters, gauges, histograms } = r as CollectorResult;
  const out: CollectorResult = {};
  if (counters !== null && typeof counters === 'object') out.counters = { ...counters };
  if (gauges !== null && typeof gauges === 'object') out.gauges = { ...gauges };
  if (histograms !== null && typeof histograms === 'object') {
    const hs: Record<string, HistogramSnapshot> = {};
    for (const [key, h] of Object.entries(histograms)) {
      // What is not an object stays as it is: harmless, and rejected by the merge.
      if (h === null || typeof h !== 'object') {
        hs[key] = h;
        continue;
      }
      const { count, sum, buckets } = h;
      const copy = buckets !== null && typeof buckets === 'object' ? { ...buckets } : buckets;
      hs[key] = { count, sum, buckets: copy };
    }
    out.histograms = hs;
  }
  return out;
}

/** Cumulative `{bound: count}` back into per-bucket counts. */
function fromSnapshot(h: HistogramSnapshot): BucketSeries | undefined {
  if (h === null || typeof h !== 'object' || h.buckets === null || typeof h.buckets !== 'object')
    return undefined;
  const finite = Object.entries(h.buckets)
    .filter(([b]) => b !== '+Inf')
    .map(([b, c]) => [Number(b), c] as const)
    .sort((a, b) => a[0] - b[0]);
  // Counts must be finite too: JSON has no Infinity, and would not agree with the text formats.
  if (finite.some(([b, c]) => !Number.isFinite(b) || !isCount(c))) return undefined;
  const count = isCount(h.count) ? h.count : (h.buckets['+Inf'] ?? 0);
  if (!isCount(count)) return undefined;
  const counts = new Float64Array(finite.length + 1);
  let prev = 0;
  finite.forEach(([, c], i) => {
    counts[i] = Math.max(0, c - prev);
    prev = Math.max(prev, c);
  });
  counts[finite.length] = Math.max(0, count - prev);
  const sum = typeof h.sum === 'number' && h.sum - h.sum === 0 ? h.sum : 0;
  return { bounds: finite.map(([b]) => b), counts, sum, count };
}

function isCount(c: unknown): c is number {
  return typeof c === 'number' && c >= 0 && c !== Infinity;
}
