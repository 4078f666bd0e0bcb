/**
 * Reading a snapshot: series keys (`name|k=v,...`) into names and labels, and the SLO
 * selectors the host hands over (one metric and a list of label matchers).
 */

/**
 * @param {string} key a snapshot series key
 * @param {Record<string, readonly string[]>} [labelNames] known label names by metric, in order
 * @returns {{ name: string, labels: Record<string, string> }}
 */
export function parseKey(key, labelNames) {
  const bar = key.indexOf('|');
  if (bar < 0) return { name: key, labels: {} };
  const name = key.slice(0, bar);
  const body = key.slice(bar + 1);
  /** @type {Record<string, string>} */
  const labels = {};
  const known = labelNames?.[name];
  if (known !== undefined && known.length > 0 && body.startsWith(`${known[0]}=`)) {
    // Known names first: a value may itself hold `,` or `=`, the next `,<name>=` ends it.
    let pos = known[0].length + 1;
    for (let i = 0; i < known.length; i++) {
      const sep = i + 1 < known.length ? body.indexOf(`,${known[i + 1]}=`, pos) : -1;
      labels[known[i]] = body.slice(pos, sep < 0 ? body.length : sep);
      if (sep < 0) break;
      pos = sep + known[i + 1].length + 2;
    }
    return { name, labels };
  }
  for (const pair of body.split(',')) {
    const eq = pair.indexOf('=');
    if (eq > 0) labels[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return { name, labels };
}

/**
 * One spelling for a snapshot name and its exported twin: `http.request_latency_ms` and
 * `http_request_latency_seconds` are the same metric.
 * @param {string} name
 */
export function canonicalName(name) {
  return name
    .replace(/\./g, '_')
    .replace(/_(ms|seconds)$/, '_seconds')
    .replace(/_(mb|bytes)$/, '_bytes')
    .replace(/_(pct|ratio)$/, '_ratio');
}

/**
 * @typedef {{ label: string, op: '=' | '!=' | '=~' | '!~', value: string }} Matcher
 * @typedef {{ metric: string, matchers: Matcher[] }} Selector
 */

/**
 * A predicate over parsed series for a selector.
 * @param {Selector} selector
 * @returns {(s: { name: string, labels: Record<string, string> }) => boolean}
 */
export function selectorTest(selector) {
  const metric = canonicalName(selector.metric);
  const tests = selector.matchers.map((m) => {
    if (m.op === '=' || m.op === '!=') {
      const eq = m.op === '=';
      return (/** @type {string} */ v) => (v === m.value) === eq;
    }
    const re = new RegExp(`^(?:${m.value})$`);
    const eq = m.op === '=~';
    return (/** @type {string} */ v) => re.test(v) === eq;
  });
  const labels = selector.matchers.map((m) => m.label);
  return (s) =>
    canonicalName(s.name) === metric && tests.every((t, i) => t(s.labels[labels[i]] ?? ''));
}
