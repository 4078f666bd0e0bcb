import { DEFAULT_SLOS } from '../slo/default-slos';
import { describeValue } from '../core/describe';

/**
 * The SLOs the dashboard shows a burn rate for: a plain description (the shape of an `Slo`'s
 * `name`, `objective`, `sli` and `by`), checked when the host is configured and handed to the
 * page as JSON. The page sums the matching snapshot series itself.
 */

/** A label's required value: one value, any of several, or none of them. */
export type DashboardLabelMatch = string | readonly string[] | { not: string | readonly string[] };

/** Series of one metric (its JSON name `http.requests_total` or exported `http_requests_total`). */
export interface DashboardSeries {
  metric: string;
  match?: Readonly<Record<string, DashboardLabelMatch>>;
}

/**
 * A series selector: a `DashboardSeries`, or a Prometheus selector string such as
 * `http_requests_total{code_class="5xx"}` (operators `=`, `!=`, `=~`, `!~`).
 */
export type DashboardSelector = string | DashboardSeries;

export interface DashboardSlo {
  name: string;
  /** The target share of good events, in (0, 1): `0.999`. */
  objective: number;
  sli:
    | { errors: DashboardSelector; total: DashboardSelector }
    | { latency: { metric: string; thresholdMs: number; match?: DashboardSeries['match'] } };
  /** One burn rate per distinct value of these labels (`['service']`). */
  by?: readonly string[];
}

/** What the page receives: every selector reduced to one metric and a list of matchers. */
export interface PageMatcher {
  label: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
}
export interface PageSelector {
  metric: string;
  matchers: PageMatcher[];
}
export interface PageSlo {
  name: string;
  objective: number;
  by: string[];
  errors?: PageSelector;
  total?: PageSelector;
  latency?: PageSelector & { thresholdMs: number };
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:.]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const SELECTOR = /^\s*([a-zA-Z_:][a-zA-Z0-9_:.]*)\s*(?:\{(.*)\})?\s*$/s;
const MATCHER = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*(?:,|$)/s;

function fail(slo: string, msg: string): never {
  throw new TypeError(`obsweave: dashboard SLO ${describeValue(slo)}: ${msg}`);
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function fromMatch(slo: string, match: DashboardSeries['match']): PageMatcher[] {
  if (match === undefined) return [];
  if (typeof match !== 'object' || match === null) fail(slo, 'match must be an object');
  return Object.entries(match).map(([label, want]): PageMatcher => {
    if (!LABEL.test(label)) fail(slo, `bad label name ${JSON.stringify(label)}`);
    const not = typeof want === 'object' && want !== null && !Array.isArray(want);
    const values = not ? (want as { not: string | readonly string[] }).not : want;
    const list = typeof values === 'string' ? [values] : values;
    if (!Array.isArray(list) || list.length === 0 || list.some((v) => typeof v !== 'string')) {
      fail(slo, `label ${label}: expected a string, strings, or { not }`);
    }
    if (list.length === 1) return { label, op: not ? '!=' : '=', value: list[0] };
    return { label, op: not ? '!~' : '=~', value: list.map(escapeRegex).join('|') };
  });
}

function parseSelector(slo: string, text: string): PageSelector {
  const m = SELECTOR.exec(text);
  if (m === null) fail(slo, `cannot read selector ${JSON.stringify(text)}`);
  const matchers: PageMatcher[] = [];
  let rest = (m[2] ?? '').trim();
  while (rest !== '') {
    const mm = MATCHER.exec(rest);
    if (mm === null) fail(slo, `cannot read selector ${JSON.stringify(text)}`);
    const value = JSON.parse(`"${mm[3]}"`) as string;
    matchers.push({ label: mm[1], op: mm[2] as PageMatcher['op'], value });
    rest = rest.slice(mm[0].length).trim();
  }
  return { metric: m[1], matchers };
}

function toSelector(slo: string, sel: DashboardSelector | undefined, what: string): PageSelector {
  if (typeof sel === 'string') return check(slo, parseSelector(slo, sel));
  if (typeof sel !== 'object' || sel === null || typeof sel.metric !== 'string') {
    fail(slo, `${what} must be a selector string or { metric, match? }`);
  }
  return check(slo, { metric: sel.metric, matchers: fromMatch(slo, sel.match) });
}

function check(slo: string, sel: PageSelector): PageSelector {
  if (!NAME.test(sel.metric)) fail(slo, `bad metric name ${JSON.stringify(sel.metric)}`);
  for (const m of sel.matchers) {
    if (m.op === '=~' || m.op === '!~') {
      try {
        new RegExp(`^(?:${m.value})$`);
      } catch {
        fail(slo, `label ${m.label}: bad regular expression ${JSON.stringify(m.value)}`);
      }
    }
  }
  return sel;
}

/**
 * Checks the SLOs and reduces them to the page's form; throws `obsweave: ...` when one is wrong.
 * Without SLOs, the page shows `DEFAULT_SLOS`, those the generated alert rules judge by default.
 */
export function toPageSlos(slos: readonly DashboardSlo[] | undefined): PageSlo[] {
  if (slos === undefined) return toPageSlos(DEFAULT_SLOS as readonly DashboardSlo[]);
  if (!Array.isArray(slos)) throw new TypeError('obsweave: dashboard slos must be an array');
  const names = new Set<string>();
  return slos.map((slo: DashboardSlo) => {
    const name = typeof slo?.name === 'string' && slo.name !== '' ? slo.name : fail('?', 'no name');
    if (names.has(name)) fail(name, 'declared twice');
    names.add(name);
    const { objective, sli, by = [] } = slo;
    if (typeof objective !== 'number' || !(objective > 0 && objective < 1)) {
      fail(name, `objective must be a number between 0 and 1 (exclusive), got ${objective}`);
    }
    if (!Array.isArray(by) || by.some((l) => typeof l !== 'string' || !LABEL.test(l))) {
      fail(name, 'by must be a list of label names');
    }
    const out: PageSlo = { name, objective, by: [...by] };
    if (typeof sli !== 'object' || sli === null) fail(name, 'sli must be an object');
    if ('latency' in sli) {
      const { metric, thresholdMs, match } = sli.latency ?? ({} as never);
      if (typeof thresholdMs !== 'number' || !Number.isFinite(thresholdMs) || thresholdMs <= 0) {
        fail(name, 'latency.thresholdMs must be a positive number');
      }
      out.latency = { ...toSelector(name, { metric, match }, 'latency'), thresholdMs };
    } else {
      out.errors = toSelector(name, sli.errors, 'sli.errors');
      out.total = toSelector(name, sli.total, 'sli.total');
    }
    return out;
  });
}
