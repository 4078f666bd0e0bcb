/** A PromQL label matcher; `value` is kept as written, quotes and escapes included. */
export interface Matcher {
  readonly label: string;
  readonly op: '=' | '!=' | '=~' | '!~';
  readonly value: string;
}

/** An obsweave metric name with label matchers: `external.calls_total{outcome!="success"}`. */
export interface Selector {
  readonly metric: string;
  readonly matchers: readonly Matcher[];
}

const SELECTOR = /^\s*([a-zA-Z_:][a-zA-Z0-9_:.]*)\s*(?:\{(.*)\})?\s*$/s;
const MATCHER = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*("(?:[^"\\]|\\.)*")\s*(,|$)/y;

/** The selector in `text`, or why it is not one. */
export function parseSelector(text: unknown): Selector | string {
  if (typeof text !== 'string') return `a selector must be a string, got ${JSON.stringify(text)}`;
  const m = SELECTOR.exec(text);
  if (m === null) return `${JSON.stringify(text)} is not a metric name with optional {matchers}`;
  const matchers = parseMatchers(m[2] ?? '');
  return typeof matchers === 'string' ? matchers : { metric: m[1], matchers };
}

/** Comma-separated matchers, braces optional (`route!="/metrics"`), or why they are not. */
export function parseMatchers(text: unknown): Matcher[] | string {
  if (typeof text !== 'string') return `matchers must be a string, got ${JSON.stringify(text)}`;
  let body = text.trim();
  if (body.startsWith('{') && body.endsWith('}')) body = body.slice(1, -1);
  const out: Matcher[] = [];
  MATCHER.lastIndex = 0;
  while (MATCHER.lastIndex < body.length && body.slice(MATCHER.lastIndex).trim() !== '') {
    const at = MATCHER.lastIndex;
    const m = MATCHER.exec(body);
    if (m === null) {
      return `cannot read label matchers at ${JSON.stringify(body.slice(at))}: use label="value", !=, =~ or !~`;
    }
    out.push({ label: m[1], op: m[2] as Matcher['op'], value: m[3] });
    if (m[4] === '') break;
  }
  return out;
}

/** `a="x",b!="y"`, without braces. */
export function formatMatchers(matchers: readonly Matcher[]): string {
  return matchers.map((m) => `${m.label}${m.op}${m.value}`).join(',');
}
