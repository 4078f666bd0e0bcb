import type { Snapshot } from '../../src';
import { exportName } from '../../src/core/export-name';
import { scale } from '../../src/export/text';

/**
 * Strict readers of the three formats, written apart from the exporters, so that a test can
 * require the same series and values in each. Every reader throws on what it cannot read.
 */

/** One series as a set of label pairs and a value; the key sorts the labels. */
export interface Point {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** A sample line's series, in a form two formats can be compared by. */
export function pointKey(name: string, labels: Readonly<Record<string, string>>): string {
  const pairs = Object.keys(labels)
    .sort()
    .map((k) => [k, labels[k]]);
  return JSON.stringify([name, pairs]);
}

const NAME = /[a-zA-Z_:][a-zA-Z0-9_:]*/y;
const LABEL = /[a-zA-Z_][a-zA-Z0-9_]*/y;

function readName(line: string, at: number, re: RegExp): [string, number] {
  re.lastIndex = at;
  const m = re.exec(line);
  if (m === null) throw new Error(`no name at ${at}: ${JSON.stringify(line)}`);
  return [m[0], at + m[0].length];
}

/** `{a="x",b="y"}` from `at` (at the brace); the escapes of the text formats undone. */
function readLabels(line: string, at: number): [Record<string, string>, number] {
  const labels: Record<string, string> = Object.create(null);
  let i = at + 1;
  if (line[i] === '}') return [labels, i + 1];
  for (;;) {
    const [k, next] = readName(line, i, LABEL);
    if (line[next] !== '=' || line[next + 1] !== '"') throw new Error(`bad label: ${line}`);
    i = next + 2;
    let v = '';
    for (;;) {
      const c = line[i];
      if (c === undefined) throw new Error(`unterminated value: ${line}`);
      if (c === '"') break;
      if (c === '\\') {
        const e = line[i + 1];
        if (e === '\\' || e === '"') v += e;
        else if (e === 'n') v += '\n';
        else throw new Error(`bad escape \\${e}: ${line}`);
        i += 2;
        continue;
      }
      if (c === '\n') throw new Error(`raw newline: ${line}`);
      v += c;
      i++;
    }
    if (k in labels) throw new Error(`label ${k} twice: ${line}`);
    labels[k] = v;
    i++;
    if (line[i] === '}') return [labels, i + 1];
    if (line[i] !== ',') throw new Error(`expected , or }: ${line}`);
    i++;
  }
}

function readNumber(s: string, line: string): number {
  if (s === '+Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  if (s === 'NaN') return NaN;
  if (!/^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s)) throw new Error(`bad number: ${line}`);
  return Number(s);
}

/** The families of a text exposition and their samples, each sample line read strictly. */
export interface Exposition {
  /** By family name: its `# TYPE`. */
  readonly types: Map<string, string>;
  readonly samples: Point[];
}

/**
 * Prometheus text 0.0.4 (`openmetrics` false) or OpenMetrics 1.0 (exemplars allowed, `# EOF`
 * required last). A sample is kept with the labels as written, `le` included.
 */
export function readText(text: string, openmetrics: boolean): Exposition {
  const types = new Map<string, string>();
  const samples: Point[] = [];
  const lines = text.split('\n');
  if (lines.pop() !== '') throw new Error('the exposition does not end with a newline');
  if (openmetrics && lines.pop() !== '# EOF') throw new Error('no # EOF at the end');
  for (const line of lines) {
    if (line.startsWith('# TYPE ')) {
      const [, , name, type] = line.split(' ');
      if (types.has(name)) throw new Error(`family ${name} declared twice`);
      types.set(name, type);
      continue;
    }
    if (line.startsWith('# HELP ') || line.startsWith('# UNIT ')) continue;
    if (line.startsWith('#') || line === '') throw new Error(`unexpected line: ${line}`);
    const [name, afterName] = readName(line, 0, NAME);
    const [labels, afterLabels] =
      line[afterName] === '{' ? readLabels(line, afterName) : [{}, afterName];
    if (line[afterLabels] !== ' ') throw new Error(`expected a space: ${line}`);
    const rest = line.slice(afterLabels + 1);
    const hash = rest.indexOf(' # ');
    const valueText = hash < 0 ? rest : rest.slice(0, hash);
    if (hash >= 0) {
      if (!openmetrics) throw new Error(`exemplar in Prometheus text: ${line}`);
      if (!name.endsWith('_bucket')) throw new Error(`exemplar off a bucket: ${line}`);
    }
    if (valueText.includes(' ')) throw new Error(`a timestamp or junk: ${line}`);
    samples.push({ name, labels, value: readNumber(valueText, line) });
  }
  return { types, samples };
}

/** Splits a snapshot key on its own, undoing the backslash escapes of label values. */
export function readKey(key: string): { name: string; labels: Record<string, string> } {
  const bar = key.indexOf('|');
  if (bar < 0) return { name: key, labels: {} };
  const labels: Record<string, string> = Object.create(null);
  let i = bar + 1;
  while (i <= key.length) {
    const [k, next] = readName(key, i, LABEL);
    if (key[next] !== '=') throw new Error(`bad key: ${key}`);
    i = next + 1;
    let v = '';
    while (i < key.length && key[i] !== ',') {
      if (key[i] === '\\') {
        const e = key[i + 1];
        if (e !== '\\' && e !== ',' && e !== '=' && e !== '|') throw new Error(`bad key: ${key}`);
        v += e;
        i += 2;
        continue;
      }
      if (key[i] === '=' || key[i] === '|') throw new Error(`unescaped ${key[i]}: ${key}`);
      v += key[i++];
    }
    if (k in labels) throw new Error(`label ${k} twice: ${key}`);
    labels[k] = v;
    i++;
  }
  return { name: key.slice(0, bar), labels };
}

/**
 * The snapshot as the samples the text formats should hold: names, units and bounds as they
 * export, histograms as `_bucket{le}`, `_sum` and `_count`, the default labels added. Every
 * value is checked to be one the text can show: a JSON number that scales to ±Infinity fails.
 */
export function expectedSamples(snap: Snapshot): Map<string, number> {
  const out = new Map<string, number>();
  const defaults = snap.labels ?? {};
  const put = (name: string, labels: Record<string, string>, v: number) => {
    if (!Number.isFinite(v))
      throw new Error(`${name} ${JSON.stringify(labels)}: ${v} in base units`);
    // A series' own label wins over a default label of the same name where it is not empty.
    const all: Record<string, string> = { ...labels };
    for (const [d, dv] of Object.entries(defaults)) if (!all[d]) all[d] = dv;
    const k = pointKey(name, all);
    if (out.has(k)) throw new Error(`two JSON series export as ${k}`);
    // A value too small for the base unit underflows to zero of either sign; text writes both "0".
    out.set(k, v === 0 ? 0 : v);
  };
  for (const type of ['counter', 'gauge'] as const) {
    for (const [key, v] of Object.entries(type === 'counter' ? snap.counters : snap.gauges)) {
      const { name, labels } = readKey(key);
      const n = exportName(name, type);
      put(n.sample, labels, scale(v, n.mul, n.div));
    }
  }
  for (const [key, h] of Object.entries(snap.histograms)) {
    const { name, labels } = readKey(key);
    const n = exportName(name, 'histogram');
    for (const [bound, c] of Object.entries(h.buckets)) {
      const le = bound === '+Inf' ? '+Inf' : String(scale(Number(bound), n.mul, n.div));
      put(`${n.sample}_bucket`, { ...labels, le }, c);
    }
    put(`${n.sample}_sum`, labels, scale(h.sum, n.mul, n.div));
    put(`${n.sample}_count`, labels, h.count);
  }
  return out;
}

/** A text exposition's samples by `pointKey`; two lines of one series fail. */
export function samplesOf(e: Exposition): Map<string, number> {
  const out = new Map<string, number>();
  for (const p of e.samples) {
    const k = pointKey(p.name, p.labels);
    if (out.has(k)) throw new Error(`two lines for ${k}`);
    out.set(k, p.value === 0 ? 0 : p.value);
  }
  return out;
}

/** Self-observation changes from one export to the next (each is timed): left out of comparisons. */
function withoutOwn(m: Map<string, number>): Map<string, number> {
  const kept = [...m].filter(([k]) => !(JSON.parse(k) as [string])[0].startsWith('obsweave'));
  // Sorted, so that two formats writing the same series in another order compare equal.
  return new Map(kept.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The registry's three exports, each read back into samples as the text formats name them. */
export function threeFormats(registry: {
  snapshot(): Snapshot;
  toPrometheus(): string;
  toOpenMetrics(): string;
}): {
  json: Map<string, number>;
  prometheus: Map<string, number>;
  openmetrics: Map<string, number>;
} {
  return {
    // As served: JSON writes -0 as 0, as the text does.
    json: withoutOwn(expectedSamples(JSON.parse(JSON.stringify(registry.snapshot())) as Snapshot)),
    prometheus: withoutOwn(samplesOf(readText(registry.toPrometheus(), false))),
    openmetrics: withoutOwn(samplesOf(readText(registry.toOpenMetrics(), true))),
  };
}
