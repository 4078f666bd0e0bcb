import { exportName } from '../core/export-name';
import type { MetricDefinition, MetricType } from '../core/types';

/** Where SLI metrics are defined: a registry, or what a running app exports. */
export interface MetricSource {
  definition(name: string): MetricDefinition | undefined;
  /** Every name it defines, for "did you mean". */
  names?(): Iterable<string>;
}

interface Family {
  type: string;
  labels: Set<string>;
  bounds: Set<number>;
}

const TYPE_LINE = /^# TYPE (\S+) (\S+)/;
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+\S+/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
const SUFFIXES = ['_bucket', '_count', '_sum', '_created', '_total', ''];

/** The families of a Prometheus or OpenMetrics text: type, label names, bucket bounds. */
function families(text: string): Map<string, Family> {
  const out = new Map<string, Family>();
  for (const line of text.split('\n')) {
    const type = TYPE_LINE.exec(line);
    if (type !== null) {
      out.set(type[1], { type: type[2], labels: new Set(), bounds: new Set() });
      continue;
    }
    const m = line.startsWith('#') ? null : SAMPLE.exec(line);
    if (m === null) continue;
    const family = SUFFIXES.map((s) =>
      m[1].endsWith(s) ? out.get(m[1].slice(0, m[1].length - s.length)) : undefined,
    ).find((f) => f !== undefined);
    if (family === undefined) continue;
    for (const [, label, value] of (m[2] ?? '').matchAll(LABEL)) {
      if (label === 'le' && family.type === 'histogram') {
        const bound = Number(value);
        if (Number.isFinite(bound)) family.bounds.add(bound);
      } else {
        family.labels.add(label);
      }
    }
  }
  return out;
}

/**
 * The metrics a running app exports (`text` is its metrics endpoint's answer), looked up by
 * obsweave's names: `http.request_latency_ms` is found as `http_request_latency_seconds`, its
 * bounds turned back into ms. Label names are those its series carry, with `known`'s.
 */
export function scrapedSource(text: string, known?: MetricSource): MetricSource {
  const found = families(text);
  return {
    definition(name) {
      for (const type of ['histogram', 'counter', 'gauge'] as MetricType[]) {
        const n = exportName(name, type);
        const f = found.get(n.sample) ?? found.get(n.family);
        if (f === undefined || f.type !== type) continue;
        const labelNames = [
          ...new Set([...(known?.definition(name)?.labelNames ?? []), ...f.labels]),
        ];
        if (type !== 'histogram') return { name, type, labelNames };
        const buckets = [...f.bounds]
          .sort((a, b) => a - b)
          .map((b) => Number(((b * n.div) / n.mul).toPrecision(15)));
        return { name, type, labelNames, buckets };
      }
      return undefined;
    },
  };
}
