// Dots are allowed in obsweave's own names (`http.requests_total`) and become `_` on export.
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:.]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Throws at definition time, naming the metric: a bad name is a programming error. */
export function checkMetricName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || !METRIC_NAME.test(name)) {
    throw new TypeError(
      `obsweave: invalid metric name ${JSON.stringify(name)}: use letters, digits, "_", ":" and "."`,
    );
  }
}

export function checkLabelNames(
  metric: string,
  labelNames: unknown,
  reserved: readonly string[] = [],
): string[] {
  if (labelNames === undefined) return [];
  if (!Array.isArray(labelNames)) {
    throw new TypeError(`obsweave: metric "${metric}": labelNames must be an array of strings`);
  }
  const seen = new Set<string>();
  for (const l of labelNames) {
    if (typeof l !== 'string' || !LABEL_NAME.test(l) || l.startsWith('__')) {
      throw new TypeError(`obsweave: metric "${metric}": invalid label name ${JSON.stringify(l)}`);
    }
    // Labels are read as `labels[name]`: a missing `constructor` would read Object's.
    if (reserved.includes(l) || l in Object.prototype) {
      throw new TypeError(`obsweave: metric "${metric}": label name "${l}" is reserved`);
    }
    if (seen.has(l)) {
      throw new TypeError(`obsweave: metric "${metric}": label name "${l}" is declared twice`);
    }
    seen.add(l);
  }
  return [...labelNames];
}
