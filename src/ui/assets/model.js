/**
 * The page's figures from the newest snapshot and the one at the start of the window:
 * rates, shares and percentiles of what happened in between, and totals since start. Pure:
 * no DOM, so the same code is checked outside the browser.
 */
import { parseKey, selectorTest, unitScale } from './series.js';
import {
  above,
  burnRate,
  counterDelta,
  histogramDelta,
  mergeDeltas,
  quantile,
  quantileError,
  share,
} from './window-math.js';

/** Outcomes of HTTP requests counted as errors in the error share. */
const ERROR_CLASSES = new Set(['4xx', '5xx']);

/**
 * Routes taken to hold their responses open (server-sent events, streams, long polls) when the
 * host names none: their latency is how long a client stayed, not how fast it was answered.
 */
const HELD_OPEN_NAMES = /\/(?:events|stream|sse|subscribe|poll|watch)$/;

/**
 * @param {string} route
 * @param {readonly string[] | undefined} heldOpen the host's list; `undefined`: by name
 */
export function isHeldOpen(route, heldOpen) {
  return heldOpen === undefined ? HELD_OPEN_NAMES.test(route) : heldOpen.includes(route);
}

/**
 * @typedef {import('./window-math.js').HistogramSnapshot} HistogramSnapshot
 * @typedef {{ timestamp: string, counters: Record<string, number>,
 *   gauges: Record<string, number>, histograms: Record<string, HistogramSnapshot> }} Snapshot
 * @typedef {import('./series.js').Selector} Selector
 * @typedef {{ name: string, objective: number, by: string[], errors?: Selector,
 *   total?: Selector, latency?: Selector & { thresholdMs: number } }} PageSlo
 * @typedef {{ key: string, name: string, labels: Record<string, string>, value: number,
 *   delta: number }} CounterSeries
 * @typedef {{ key: string, name: string, labels: Record<string, string>,
 *   value: HistogramSnapshot, delta: import('./window-math.js').HistogramDelta }} HistogramSeries
 */

/**
 * Parses each key once per page: keys repeat from snapshot to snapshot.
 * @param {Record<string, readonly string[]>} labelNames
 */
export function keyReader(labelNames) {
  /** @type {Map<string, { name: string, labels: Record<string, string> }>} */
  const cache = new Map();
  return (/** @type {string} */ key) => {
    let parsed = cache.get(key);
    if (parsed === undefined) {
      parsed = parseKey(key, labelNames);
      if (cache.size > 20000) cache.clear();
      cache.set(key, parsed);
    }
    return parsed;
  };
}

/**
 * @param {Snapshot} cur
 * @param {Snapshot} base
 * @param {ReturnType<typeof keyReader>} read
 */
function index(cur, base, read) {
  /** @type {Map<string, CounterSeries[]>} */
  const counters = new Map();
  /** @type {Map<string, HistogramSeries[]>} */
  const histograms = new Map();
  for (const [key, value] of Object.entries(cur.counters)) {
    const { name, labels } = read(key);
    const list = counters.get(name) ?? [];
    list.push({ key, name, labels, value, delta: counterDelta(value, base.counters[key]) });
    counters.set(name, list);
  }
  for (const [key, value] of Object.entries(cur.histograms)) {
    const { name, labels } = read(key);
    const list = histograms.get(name) ?? [];
    const delta = histogramDelta(value, base.histograms[key], unitScale(name));
    list.push({ key, name, labels, value, delta });
    histograms.set(name, list);
  }
  return { counters, histograms };
}

/**
 * @template T
 * @param {Map<string, T>} map
 * @param {string} key
 * @param {() => T} make
 */
function entry(map, key, make) {
  let v = map.get(key);
  if (v === undefined) map.set(key, (v = make()));
  return v;
}

/**
 * `relativeError`: the most each is off, when they come from native buckets.
 * @param {import('./window-math.js').HistogramDelta | undefined} h
 */
function percentiles(h) {
  return {
    p50: quantile(0.5, h),
    p90: quantile(0.9, h),
    p99: quantile(0.99, h),
    relativeError: quantileError(h),
  };
}

/** @param {Map<string, number>} codes */
function codeList(codes) {
  return [...codes]
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([code, n]) => `${code} ×${n}`)
    .join(' · ');
}

/**
 * @param {CounterSeries[] | undefined} list
 * @param {(s: CounterSeries) => boolean} [where]
 */
function sum(list, where = () => true) {
  let delta = 0;
  let total = 0;
  for (const s of list ?? []) {
    if (!where(s)) continue;
    delta += s.delta;
    total += s.value;
  }
  return { delta, total };
}

/**
 * Everything the page shows, for one refresh.
 * @param {Snapshot} cur the newest snapshot
 * @param {Snapshot} base the snapshot at the start of the window (`cur` itself at first)
 * @param {{ read: ReturnType<typeof keyReader>, slos?: PageSlo[], heldOpen?: string[],
 *   window?: number }} options `window`: the length chosen, in seconds; `heldOpen`: the
 *   routes whose responses are held open, left out of the headline latency
 */
export function buildModel(cur, base, { read, slos = [], heldOpen, window }) {
  const seconds = (Date.parse(cur.timestamp) - Date.parse(base.timestamp)) / 1000;
  const measuring = !(seconds > 0);
  // The page has not been open as long as the window chosen: figures cover what it has seen,
  // and none is scaled up past that (a rate per minute from two seconds, say).
  const partial = !measuring && window !== undefined && seconds < window * 0.95;
  const perSecond = (/** @type {number} */ n) => (measuring ? null : n / seconds);
  const { counters, histograms } = index(cur, base, read);

  // Routes: requests by route from http.requests_total, latency from http.request_latency_ms.
  /** @type {Map<string, { route: string, methods: Set<string>, requests: number, errors: number, serverErrors: number, total: number, codes: Map<string, number> }>} */
  const routes = new Map();
  const newRoute = (/** @type {string} */ route) => () => ({
    route,
    methods: new Set(),
    requests: 0,
    errors: 0,
    serverErrors: 0,
    total: 0,
    codes: new Map(),
  });
  for (const s of counters.get('http.requests_total') ?? []) {
    const route = s.labels.route ?? '';
    const r = entry(routes, route, newRoute(route));
    if (s.labels.method) r.methods.add(s.labels.method);
    r.requests += s.delta;
    r.total += s.value;
    if (ERROR_CLASSES.has(s.labels.code_class)) r.errors += s.delta;
    if (s.labels.code_class === '5xx') r.serverErrors += s.delta;
  }
  for (const s of counters.get('http.errors_total') ?? []) {
    const route = s.labels.route ?? '';
    const codes = entry(routes, route, newRoute(route)).codes;
    codes.set(s.labels.code, (codes.get(s.labels.code) ?? 0) + s.delta);
  }
  // A route has several latency series when the HTTP metrics carry extra labels: merged.
  /** @type {Map<string, import('./window-math.js').HistogramDelta[]>} */
  const routeParts = new Map();
  for (const h of histograms.get('http.request_latency_ms') ?? []) {
    entry(routeParts, h.labels.route ?? '', () => []).push(h.delta);
  }
  /** @type {Map<string, import('./window-math.js').HistogramDelta>} */
  const routeLatency = new Map();
  for (const [route, parts] of routeParts) routeLatency.set(route, mergeDeltas(parts) ?? parts[0]);
  const routeRows = [...routes.values()].map((r) => ({
    key: r.route,
    route: r.route,
    heldOpen: isHeldOpen(r.route, heldOpen),
    methods: [...r.methods].sort().join(' '),
    rate: perSecond(r.requests),
    errorShare: share(r.errors, r.requests),
    serverErrorShare: share(r.serverErrors, r.requests),
    ...percentiles(routeLatency.get(r.route)),
    codes: codeList(r.codes),
    total: r.total,
  }));

  // Stages: calls and latency from worker.stage_latency_ms, failures by code.
  /** @type {Map<string, { latency?: import('./window-math.js').HistogramDelta, calls: number, total: number, failures: number, failuresTotal: number, codes: Map<string, number> }>} */
  const stages = new Map();
  const newStage = () => ({ calls: 0, total: 0, failures: 0, failuresTotal: 0, codes: new Map() });
  for (const h of histograms.get('worker.stage_latency_ms') ?? []) {
    const st = entry(stages, h.labels.stage ?? '', newStage);
    st.latency = h.delta;
    st.calls = h.delta.count;
    st.total = h.value.count;
  }
  for (const s of counters.get('worker.stage_failures_total') ?? []) {
    const st = entry(stages, s.labels.stage ?? '', newStage);
    st.failures += s.delta;
    st.failuresTotal += s.value;
    st.codes.set(s.labels.code, (st.codes.get(s.labels.code) ?? 0) + s.delta);
  }
  const stageRows = [...stages].map(([stage, st]) => ({
    key: stage,
    stage,
    rate: perSecond(st.calls),
    failureShare: share(st.failures, st.calls),
    ...percentiles(st.latency),
    codes: codeList(st.codes),
    failuresTotal: st.failuresTotal,
    total: st.total,
  }));

  // External calls by service and op, with each outcome's share.
  /** @type {Map<string, { service: string, op: string, outcomes: Record<string, number>, calls: number, total: number, latency?: import('./window-math.js').HistogramDelta }>} */
  const calls = new Map();
  const callKey = (/** @type {Record<string, string>} */ l) => JSON.stringify([l.service, l.op]);
  for (const s of counters.get('external.calls_total') ?? []) {
    const c = entry(calls, callKey(s.labels), () => ({
      service: s.labels.service ?? '',
      op: s.labels.op ?? '',
      outcomes: /** @type {Record<string, number>} */ ({}),
      calls: 0,
      total: 0,
    }));
    c.outcomes[s.labels.outcome] = (c.outcomes[s.labels.outcome] ?? 0) + s.delta;
    c.calls += s.delta;
    c.total += s.value;
  }
  for (const h of histograms.get('external.call_latency_ms') ?? []) {
    const c = calls.get(callKey(h.labels));
    if (c !== undefined) c.latency = h.delta;
  }
  const externalRows = [...calls].map(([key, c]) => ({
    key,
    service: c.service,
    op: c.op,
    rate: perSecond(c.calls),
    successShare: share(c.outcomes.success ?? 0, c.calls),
    errorShare: share(c.outcomes.error ?? 0, c.calls),
    timeoutShare: share(c.outcomes.timeout ?? 0, c.calls),
    p50: quantile(0.5, c.latency),
    p99: quantile(0.99, c.latency),
    relativeError: quantileError(c.latency),
    total: c.total,
  }));

  // Jobs.
  const transitions = counters.get('jobs.status_transition_total');
  const created = sum(counters.get('jobs.created_total'));
  const completed = sum(transitions, (s) => s.labels.to === 'completed');
  const failed = sum(transitions, (s) => s.labels.to === 'failed');
  const recovered = sum(counters.get('worker.recovered_jobs_total'));
  const persistFailures = sum(counters.get('events.persist_failures_total'));
  const jobLatency = histograms.get('jobs.total_latency_ms')?.[0];
  const perMinute = (/** @type {number} */ n) => (measuring ? null : (n / seconds) * 60);
  const jobCount = (/** @type {{ delta: number, total: number }} */ c) => ({
    rate: perMinute(c.delta),
    count: measuring ? null : c.delta,
    total: c.total,
  });
  const jobs = {
    created: jobCount(created),
    completed: jobCount(completed),
    failed: jobCount(failed),
    failedShare: share(failed.delta, failed.delta + completed.delta),
    inflight: cur.gauges['worker.inflight_jobs'] ?? null,
    recovered: jobCount(recovered),
    persistFailures: jobCount(persistFailures),
    latency: percentiles(jobLatency?.delta),
    recorded:
      created.total + completed.total + failed.total + recovered.total > 0 ||
      (cur.gauges['worker.inflight_jobs'] ?? 0) > 0,
  };

  // The process.
  const lag = histograms.get('event_loop.lag_ms')?.[0];
  const proc = {
    rssMb: cur.gauges['proc.memory_rss_mb'] ?? null,
    openFds: cur.gauges['proc.open_fds'] ?? null,
    diskPct: cur.gauges['scratch.disk_used_pct'] ?? null,
    lagP50: quantile(0.5, lag?.delta),
    lagP99: quantile(0.99, lag?.delta),
    lagRelativeError: quantileError(lag?.delta),
  };

  // Headline figures over all routes and calls.
  const requests = sum(counters.get('http.requests_total'));
  const httpErrors = sum(counters.get('http.requests_total'), (s) =>
    ERROR_CLASSES.has(s.labels.code_class),
  );
  // Requests answered, not connections held: routes held open stay out of the headline.
  const answered = [...routeLatency].filter(([r]) => !isHeldOpen(r, heldOpen));
  const allLatency = mergeDeltas(answered.map(([, h]) => h));
  const external = sum(counters.get('external.calls_total'));
  const timeouts = sum(counters.get('external.calls_total'), (s) => s.labels.outcome === 'timeout');
  const overview = {
    requestRate: perSecond(requests.delta),
    requestsTotal: requests.total,
    errorShare: share(httpErrors.delta, requests.delta),
    p99: quantile(0.99, allLatency),
    relativeError: quantileError(allLatency),
    latencyRoutes: answered.map(([r]) => r).sort(),
    heldOpenRoutes: [...routeLatency.keys()].filter((r) => isHeldOpen(r, heldOpen)).sort(),
    externalRate: perSecond(external.delta),
    timeoutShare: share(timeouts.delta, external.delta),
  };

  return {
    timestamp: cur.timestamp,
    baseTimestamp: base.timestamp,
    seconds: measuring ? 0 : seconds,
    measuring,
    partial,
    window: window ?? null,
    empty: isEmpty(cur, read),
    overview,
    routes: routeRows,
    stages: stageRows,
    external: externalRows,
    jobs,
    process: proc,
    slos: sloRows(slos, counters, histograms),
    dropped: sum(counters.get('obsweave.dropped_total')).total,
  };
}

/**
 * True when nothing but obsweave's own bookkeeping holds a value: a fresh registry, or the
 * catalog registered and nothing recorded yet.
 * @param {Snapshot} snap
 * @param {ReturnType<typeof keyReader>} read
 */
function isEmpty(snap, read) {
  const own = (/** @type {string} */ key) => read(key).name.startsWith('obsweave.');
  return (
    !Object.entries(snap.counters).some(([k, v]) => v !== 0 && !own(k)) &&
    !Object.entries(snap.gauges).some(([k, v]) => v !== 0 && !own(k)) &&
    !Object.entries(snap.histograms).some(([k, h]) => h.count !== 0 && !own(k))
  );
}

/**
 * One row per SLO and distinct value of its `by` labels: errors and total over the window,
 * their ratio, and the burn rate.
 * @param {PageSlo[]} slos
 * @param {Map<string, CounterSeries[]>} counters
 * @param {Map<string, HistogramSeries[]>} histograms
 */
function sloRows(slos, counters, histograms) {
  const allCounters = [...counters.values()].flat();
  const allHistograms = [...histograms.values()].flat();
  const rows = [];
  for (const slo of slos) {
    const groupOf = (/** @type {Record<string, string>} */ labels) =>
      slo.by.length === 0 ? 'all' : slo.by.map((l) => `${l}=${labels[l] ?? ''}`).join(', ');
    /** @type {Map<string, { errors: number, total: number }>} */
    const groups = new Map();
    const add = (/** @type {string} */ g, /** @type {number} */ e, /** @type {number} */ t) => {
      const v = entry(groups, g, () => ({ errors: 0, total: 0 }));
      v.errors += e;
      v.total += t;
    };
    let problem = '';
    if (slo.latency !== undefined) {
      const test = selectorTest(slo.latency);
      for (const h of allHistograms.filter(test)) {
        const a = above(h.delta, slo.latency.thresholdMs);
        if (a === undefined) problem = `${slo.latency.thresholdMs} ms is not a bucket bound`;
        else add(groupOf(h.labels), a.bad, a.total);
      }
    } else if (slo.errors !== undefined && slo.total !== undefined) {
      const errors = selectorTest(slo.errors);
      const total = selectorTest(slo.total);
      for (const s of allCounters) {
        if (total(s)) add(groupOf(s.labels), 0, s.delta);
        if (errors(s)) add(groupOf(s.labels), s.delta, 0);
      }
    }
    if (groups.size === 0) groups.set(slo.by.length === 0 ? 'all' : '—', { errors: 0, total: 0 });
    for (const [group, { errors, total }] of [...groups].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      rows.push({
        key: JSON.stringify([slo.name, group]),
        name: slo.name,
        group,
        objective: slo.objective,
        errors,
        total,
        errorRatio: share(errors, total),
        burn: burnRate(errors, total, slo.objective),
        problem,
      });
    }
  }
  return rows;
}
