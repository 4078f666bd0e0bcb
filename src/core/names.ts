import { exportName } from './export-name';
import { redactPrefix } from '../redact/redact';
import type { MetricType } from './types';

// Dots are allowed in obsweave's own names (`http.requests_total`) and become `_` on export.
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:.]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * Throws at definition time, naming the metric: a bad name is a programming error. With its
 * type, also a name that exports with nothing before its suffix (a counter named `_total`).
 */
export function checkMetricName(name: unknown, type?: MetricType): asserts name is string {
  if (typeof name !== 'string' || !METRIC_NAME.test(name)) {
    throw new TypeError(
      `obsweave: invalid metric name ${shown(name)}: use letters, digits, "_", ":" and "."`,
    );
  }
  if (type !== undefined && exportName(name, type).family === '') {
    throw new TypeError(
      `obsweave: invalid metric name ${shown(name)}: it exports with no family name`,
    );
  }
}

// `le` and `quantile` mean bucket bounds and quantiles to every Prometheus consumer (and lint).
const RESERVED_LABELS: readonly string[] = ['le', 'quantile'];

/** Throws naming `who` (`metric "x"`, `defaultLabels`) when `l` cannot be a label name. */
export function checkLabelName(who: string, l: unknown): asserts l is string {
  if (typeof l !== 'string' || !LABEL_NAME.test(l) || l.startsWith('__')) {
    throw new TypeError(`obsweave: ${who}: invalid label name ${shown(l)}`);
  }
  // Labels are read as `labels[name]`: a missing `constructor` would read Object's.
  if (RESERVED_LABELS.includes(l) || l in Object.prototype) {
    throw new TypeError(`obsweave: ${who}: label name "${l}" is reserved`);
  }
}

export function checkLabelNames(metric: string, labelNames: unknown): string[] {
  if (labelNames === undefined) return [];
  if (!Array.isArray(labelNames)) {
    throw new TypeError(`obsweave: metric "${metric}": labelNames must be an array of strings`);
  }
  const seen = new Set<string>();
  for (const l of labelNames) {
    checkLabelName(`metric "${metric}"`, l);
    if (seen.has(l)) {
      throw new TypeError(`obsweave: metric "${metric}": label name "${l}" is declared twice`);
    }
    seen.add(l);
  }
  return [...labelNames];
}

/**
 * A rejected name as an error message shows it: redacted (it may be anything), cut, then
 * quoted, so that the quoting cannot hide a `"password":"…"` pair from the redaction.
 */
function shown(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(redactPrefix(v, 200));
  let json: string | undefined;
  try {
    json = JSON.stringify(v);
  } catch {
    // a BigInt, a cyclic object
  }
  return redactPrefix(json ?? String(v), 200);
}
