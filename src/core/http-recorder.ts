import { catalogOptions } from './catalog';
import { httpExtraLabels, httpLatencyLabels } from './http-families';
import type { MetricsRegistry } from './metrics-registry';
import { registryState } from './registry-state';
import type { BoundCounter, BoundHistogram, Counter, Histogram, LabelValues } from './types';

/** The status of a request whose connection closed before its response was complete. */
export const ABORTED = 'aborted';

/** A response status code, or `ABORTED` when the client went away first. */
export type HttpOutcome = number | typeof ABORTED;

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'CONNECT', 'TRACE'];
/** Clients choose the method string: anything unknown is one label value, not a new series each. */
const OTHER_METHOD = METHODS.length;
const METHOD_INDEX = new Map<string, number>();
METHODS.forEach((m, i) => {
  METHOD_INDEX.set(m, i);
  METHOD_INDEX.set(m.toLowerCase(), i);
});
const METHOD_LABELS = [...METHODS, 'OTHER'];

/** Bound children are cached per route up to this many routes; past it, plain labelled calls. */
const MAX_CACHED_ROUTES = 1000;
const ABORTED_SLOT = 0;

interface StatusSlot {
  /** One counter per method index, bound on first use. */
  readonly requests: (BoundCounter | undefined)[];
  /** `http.errors_total{route,code}` for 4xx/5xx, else undefined. */
  readonly errors: BoundCounter | undefined;
  /** With `latencyLabels`: the latency histogram per method index, bound on first use. */
  readonly latencies: (BoundHistogram | undefined)[];
}

interface RouteSlot {
  /** Without `latencyLabels`: the route's one latency histogram. */
  readonly latency: BoundHistogram | undefined;
  /** Indexed by status code (slot 0 is `aborted`); sparse, filled on first use. */
  readonly statuses: (StatusSlot | undefined)[];
}

function codeClass(outcome: HttpOutcome): string {
  if (outcome === ABORTED) return ABORTED;
  return outcome >= 100 && outcome <= 599 ? `${Math.floor(outcome / 100)}xx` : 'unknown';
}

/** A status as a slot index; -1 for anything that is not an integer status code. */
function slotOf(outcome: HttpOutcome): number {
  if (outcome === ABORTED) return ABORTED_SLOT;
  return Number.isInteger(outcome) && outcome >= 100 && outcome <= 599 ? outcome : -1;
}

/**
 * Records one finished HTTP request into `http.requests_total{method,route,code_class}`,
 * `http.errors_total{route,code}` (4xx and 5xx only) and `http.request_latency_ms{route}`.
 * The one place these three are written, for the middleware, the framework plugins and
 * `@Route` alike. Bound children are cached per route, method and status, so a request
 * costs a couple of `Map` lookups and three increments, with no allocation once warm.
 * An aborted request counts with code class `aborted` and its latency up to the close, and
 * is not an error: no status was ever sent.
 */
export class HttpRecorder {
  private readonly requests: Counter;
  private readonly errors: Counter;
  private readonly latency: Histogram;
  private readonly routes = new Map<string, RouteSlot>();
  /** Whether latency is split by method and by code class (`latencyLabels`). */
  private readonly byMethod: boolean;
  private readonly byClass: boolean;

  constructor(registry: MetricsRegistry) {
    // The catalog's own label names and help, so that `registerCatalog()` before or after
    // resolves to these same metrics instead of a conflict; plus the extra labels the HTTP
    // middleware defined them with, when it came first (`defineHttpFamilies`).
    const extra = httpExtraLabels(registry);
    const split = httpLatencyLabels(registry);
    const opts = (name: Parameters<typeof catalogOptions>[0], more: readonly string[] = []) => {
      const o = catalogOptions(name);
      return { help: o.help, labelNames: [...o.labelNames, ...more, ...extra] };
    };
    this.requests = registry.counter('http.requests_total', opts('http.requests_total'));
    this.errors = registry.counter('http.errors_total', opts('http.errors_total'));
    this.latency = registry.histogram(
      'http.request_latency_ms',
      opts('http.request_latency_ms', split),
    );
    this.byMethod = split.includes('method');
    this.byClass = split.includes('code_class');
  }

  /**
   * Never throws: the metrics underneath drop bad values and log once. `extra` holds the values
   * of the families' extra labels; without it they are `""`, through the cached bound children.
   */
  record(
    method: string,
    route: string,
    outcome: HttpOutcome,
    ms: number,
    extra?: LabelValues,
  ): void {
    // Most requests are GETs, whose string from Node's parser compares by identity.
    const m = method === 'GET' ? 0 : (METHOD_INDEX.get(method) ?? OTHER_METHOD);
    if (extra !== undefined) return this.labelled(m, route, outcome, ms, extra);
    const slot = slotOf(outcome);
    const r = this.routes.get(route) ?? this.routeSlot(route);
    if (r === undefined || slot < 0) return this.uncached(m, route, outcome, ms);
    const s = r.statuses[slot] ?? this.statusSlot(r, route, outcome, slot);
    (s.requests[m] ??= this.requests.bind({
      method: METHOD_LABELS[m],
      route,
      code_class: codeClass(outcome),
    })).inc();
    if (s.errors !== undefined) s.errors.inc();
    (
      r.latency ?? (s.latencies[m] ??= this.latency.bind(this.latencyOf(m, route, outcome)))
    ).observe(ms);
  }

  /** The latency histogram's labels for a request: `route`, and the split `latencyLabels` asks for. */
  private latencyOf(m: number, route: string, outcome: HttpOutcome): LabelValues {
    const labels: Record<string, string> = { route };
    if (this.byMethod) labels.method = METHOD_LABELS[m];
    if (this.byClass) labels.code_class = codeClass(outcome);
    return labels;
  }

  private routeSlot(route: string): RouteSlot | undefined {
    if (this.routes.size >= MAX_CACHED_ROUTES) return undefined;
    const split = this.byMethod || this.byClass;
    const r: RouteSlot = {
      latency: split ? undefined : this.latency.bind({ route }),
      statuses: [],
    };
    this.routes.set(route, r);
    return r;
  }

  private statusSlot(r: RouteSlot, route: string, outcome: HttpOutcome, slot: number): StatusSlot {
    const errors =
      typeof outcome === 'number' && outcome >= 400
        ? this.errors.bind({ route, code: String(outcome) })
        : undefined;
    const s: StatusSlot = { requests: [], errors, latencies: [] };
    r.statuses[slot] = s;
    return s;
  }

  /** With extra label values: a labelled call per metric (their series table caps and redacts). */
  private labelled(
    m: number,
    route: string,
    outcome: HttpOutcome,
    ms: number,
    extra: LabelValues,
  ): void {
    const method = METHOD_LABELS[m];
    this.requests.inc(1, { ...extra, method, route, code_class: codeClass(outcome) });
    if (typeof outcome === 'number' && outcome >= 400 && outcome <= 599) {
      this.errors.inc(1, { ...extra, route, code: String(outcome) });
    }
    this.latency.observe(ms, { ...extra, ...this.latencyOf(m, route, outcome) });
  }

  private uncached(m: number, route: string, outcome: HttpOutcome, ms: number): void {
    this.requests.inc(1, { method: METHOD_LABELS[m], route, code_class: codeClass(outcome) });
    if (typeof outcome === 'number' && outcome >= 400 && outcome <= 599) {
      this.errors.inc(1, { route, code: String(outcome) });
    }
    this.latency.observe(ms, this.latencyOf(m, route, outcome));
  }
}

/** The registry's shared recorder, created on first use. */
export function httpRecorder(registry: MetricsRegistry): HttpRecorder {
  return registryState(registry, HttpRecorder, () => new HttpRecorder(registry));
}
