/**
 * Reading a snapshot: series keys (`name|k=v,...`) into names and labels, and the SLO
 * selectors the host hands over (one metric and a list of label matchers).
 */

/** What a series key escapes in a label value with a backslash. */
const ESCAPED = '\\,=|';
const LABEL_START = /[a-zA-Z_][a-zA-Z0-9_]*=/y;

/**
 * Whether a label `name=` starts at `at`: the next known name where the metric's are known (a
 * key written by hand may hold an unescaped `,`), else any label name.
 * @param {string} key
 * @param {number} at
 * @param {string | undefined} next
 */
function startsLabel(key, at, next) {
  if (next !== undefined) return key.startsWith(`${next}=`, at);
  LABEL_START.lastIndex = at;
  return LABEL_START.test(key);
}

/**
 * The snapshot's series key back into its parts, the backslash escapes of `\`, `,`, `=` and `|`
 * in label values undone. A backslash before any other character is itself, and an unescaped
 * `=` or `,` inside a value belongs to it, so keys written by hand read as they did.
 * @param {string} key a snapshot series key
 * @param {Record<string, readonly string[]>} [labelNames] known label names by metric, in order
 * @returns {{ name: string, labels: Record<string, string> }}
 */
export function parseKey(key, labelNames) {
  const bar = key.indexOf('|');
  if (bar < 0) return { name: key, labels: {} };
  const name = key.slice(0, bar);
  const given = labelNames?.[name];
  const known =
    given !== undefined && given.length > 0 && key.startsWith(`${given[0]}=`, bar + 1)
      ? given
      : undefined;
  /** @type {Record<string, string>} */
  const labels = {};
  let label = '';
  let value = '';
  let inValue = false;
  let n = 0;
  for (let i = bar + 1; i < key.length; i++) {
    let c = key[i];
    if (c === '\\' && i + 1 < key.length && ESCAPED.includes(key[i + 1])) {
      c = key[++i];
    } else if (c === '=' && !inValue) {
      inValue = true;
      continue;
    } else if (c === ',' && (known === undefined || n + 1 < known.length)) {
      if (startsLabel(key, i + 1, known?.[n + 1])) {
        labels[label] = value;
        label = '';
        value = '';
        inValue = false;
        n++;
        continue;
      }
    }
    if (inValue) value += c;
    else label += c;
  }
  labels[label] = value;
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
 * What a value in a metric's exported base unit is multiplied by to read in the metric's own
 * unit: a `_ms` histogram's native buckets are over seconds, its figures in milliseconds.
 * @param {string} name
 */
export function unitScale(name) {
  const exported = name.replace(/[^a-zA-Z0-9_:]/g, '_');
  if (exported.endsWith('_ms')) return 1000;
  if (exported.endsWith('_mb')) return 1 / 1048576;
  if (exported.endsWith('_pct')) return 100;
  return 1;
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
