/**
 * Puts a model (see model.js) on the page: tiles with sparklines, sortable tables, the SLO
 * burn rates, and the empty state. Built once; each refresh only writes text and attributes.
 */
import * as fmt from './format.js';
import { FigureHistory } from './history.js';
import { SortableTable } from './table.js';
import { Tile } from './tiles.js';

/** Sparklines hold three minutes at the default refresh. */
const SPARK_POINTS = 90;

/** Burn-rate tones: the multi-window alerts' page (14.4, 6) and ticket (1) thresholds. */
function burnTone(/** @type {number | null} */ b) {
  if (b === null) return '';
  return b >= 6 ? 'bad' : b >= 1 ? 'warn' : 'good';
}

/** @param {string} id */
function byId(id) {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`obsweave dashboard: #${id} is missing`);
  return el;
}

/**
 * What a percentile from native buckets may be off by, for its tooltip; nothing for classic
 * buckets.
 * @param {number | null} error
 */
function nativeNote(error) {
  return error === null
    ? ''
    : `From native histogram buckets: within ${fmt.within(error)} of the true value`;
}

/** A percentile column: its tooltip says when the figure comes from native buckets. */
function percentile(/** @type {string} */ id) {
  return {
    id,
    label: id,
    numeric: true,
    format: fmt.ms,
    hint: (/** @type {{ relativeError: number | null }} */ row) => nativeNote(row.relativeError),
  };
}

/** `· ±9.05 %` after a tile's line when its percentiles come from native buckets. */
function withError(/** @type {string} */ sub, /** @type {number | null} */ error) {
  return error === null ? sub : `${sub} · ${fmt.within(error)}`;
}

const ROUTE_COLUMNS = [
  { id: 'route', label: 'Route' },
  { id: 'methods', label: 'Methods' },
  { id: 'rate', label: 'Req/s', numeric: true, format: (/** @type {any} */ v) => fmt.rate(v, '') },
  {
    id: 'errorShare',
    label: 'Errors',
    numeric: true,
    format: fmt.share,
    title: '4xx and 5xx responses',
  },
  { id: 'serverErrorShare', label: '5xx', numeric: true, format: fmt.share },
  percentile('p50'),
  percentile('p90'),
  percentile('p99'),
  { id: 'codes', label: 'Error codes', title: 'Error responses in the window, by status' },
  { id: 'total', label: 'Since start', numeric: true, format: fmt.count },
  {
    id: 'heldOpen',
    label: 'Held open',
    title: 'Responses held open (events, streams, long polls): left out of the headline p99',
    format: (/** @type {boolean} */ v) => (v ? 'yes' : ''),
  },
];

const STAGE_COLUMNS = [
  { id: 'stage', label: 'Stage' },
  {
    id: 'rate',
    label: 'Calls/s',
    numeric: true,
    format: (/** @type {any} */ v) => fmt.rate(v, ''),
  },
  { id: 'failureShare', label: 'Failed', numeric: true, format: fmt.share },
  percentile('p50'),
  percentile('p90'),
  percentile('p99'),
  { id: 'codes', label: 'Failures by code', title: 'Failures in the window, by error code' },
  { id: 'failuresTotal', label: 'Failures since start', numeric: true, format: fmt.count },
];

const EXTERNAL_COLUMNS = [
  { id: 'service', label: 'Service' },
  { id: 'op', label: 'Operation' },
  {
    id: 'rate',
    label: 'Calls/s',
    numeric: true,
    format: (/** @type {any} */ v) => fmt.rate(v, ''),
  },
  { id: 'successShare', label: 'Success', numeric: true, format: fmt.share },
  { id: 'errorShare', label: 'Error', numeric: true, format: fmt.share },
  { id: 'timeoutShare', label: 'Timeout', numeric: true, format: fmt.share },
  percentile('p50'),
  percentile('p99'),
  { id: 'total', label: 'Since start', numeric: true, format: fmt.count },
];

const SLO_COLUMNS = [
  { id: 'name', label: 'SLO' },
  { id: 'group', label: 'Series' },
  { id: 'objective', label: 'Objective', numeric: true, format: fmt.objective },
  { id: 'total', label: 'Events', numeric: true, format: fmt.count, title: 'Events in the window' },
  { id: 'errorRatio', label: 'Error ratio', numeric: true, format: fmt.share },
  {
    id: 'burn',
    label: 'Burn rate',
    numeric: true,
    format: fmt.burn,
    title: 'Error ratio / (1 - objective)',
  },
];

export class DashboardView {
  constructor() {
    this.root = byId('dashboard');
    this.content = byId('content');
    this.figures = new FigureHistory(SPARK_POINTS);
    /** @type {Map<string, Tile>} */
    this.tiles = new Map();
    const tile = (
      /** @type {string} */ where,
      /** @type {{ id: string, label: string, title?: string }} */ spec,
    ) => this.tiles.set(spec.id, new Tile(byId(where), spec));
    tile('overview', {
      id: 'requestRate',
      label: 'Requests',
      title: 'HTTP requests per second over the window',
    });
    tile('overview', {
      id: 'errorShare',
      label: 'HTTP errors',
      title: '4xx and 5xx share of requests in the window',
    });
    tile('overview', { id: 'p99', label: 'Latency p99' });
    tile('overview', {
      id: 'externalRate',
      label: 'External calls',
      title: 'Calls to dependencies per second',
    });
    tile('overview', {
      id: 'timeoutShare',
      label: 'Call timeouts',
      title: 'Share of external calls that timed out',
    });
    tile('overview', {
      id: 'worstBurn',
      label: 'Worst SLO burn',
      title: 'Highest burn rate among the declared SLOs',
    });
    tile('jobs', { id: 'jobsCreated', label: 'Created' });
    tile('jobs', { id: 'jobsCompleted', label: 'Completed' });
    tile('jobs', { id: 'jobsFailed', label: 'Failed' });
    tile('jobs', { id: 'jobsInflight', label: 'In flight' });
    tile('jobs', {
      id: 'jobsRecovered',
      label: 'Recovered',
      title: 'Jobs taken back after a lost lease',
    });
    tile('jobs', {
      id: 'jobsLatency',
      label: 'Job latency p50',
      title: 'Created to finished, over the window',
    });
    tile('process', { id: 'rss', label: 'Memory (RSS)' });
    tile('process', { id: 'lag', label: 'Loop lag p99', title: 'Over the window' });
    tile('process', { id: 'fds', label: 'Open files' });
    tile('process', { id: 'disk', label: 'Scratch disk' });
    this.routes = new SortableTable(
      /** @type {HTMLTableElement} */ (byId('routes')),
      ROUTE_COLUMNS,
      { sortBy: 'rate', descending: true },
    );
    this.stages = new SortableTable(
      /** @type {HTMLTableElement} */ (byId('stages')),
      STAGE_COLUMNS,
      { sortBy: 'stage' },
    );
    this.external = new SortableTable(
      /** @type {HTMLTableElement} */ (byId('external')),
      EXTERNAL_COLUMNS,
      { sortBy: 'service' },
    );
    this.slos = new SortableTable(/** @type {HTMLTableElement} */ (byId('slos')), SLO_COLUMNS, {
      sortBy: 'burn',
      descending: true,
    });
  }

  /**
   * @param {string} id
   * @param {number | null | undefined} raw
   * @param {string} text
   * @param {string} [sub]
   * @param {string} [tone]
   * @param {string} [title] what the figure covers, when it changes from refresh to refresh
   */
  figure(id, raw, text, sub, tone, title) {
    const history = this.figures.push(id, raw);
    this.tiles.get(id)?.update({ text, raw, sub, tone, title, history, capacity: SPARK_POINTS });
  }

  /** @param {ReturnType<typeof import('./model.js').buildModel>} m */
  render(m) {
    this.root.dataset.timestamp = m.timestamp;
    this.root.dataset.baseTimestamp = m.baseTimestamp;
    this.root.dataset.windowSeconds = String(m.seconds);
    byId('empty-panel').hidden = !m.empty;
    this.content.hidden = m.empty;

    const o = m.overview;
    this.figure(
      'requestRate',
      o.requestRate,
      fmt.rate(o.requestRate),
      `${fmt.count(o.requestsTotal)} since start`,
    );
    this.figure(
      'errorShare',
      o.errorShare,
      fmt.share(o.errorShare),
      'of requests',
      (o.errorShare ?? 0) > 0.05 ? 'bad' : '',
    );
    const held = o.heldOpenRoutes;
    this.figure(
      'p99',
      o.p99,
      fmt.ms(o.p99),
      withError(
        held.length === 0 ? 'all routes' : `all but ${held.length} held open`,
        o.relativeError,
      ),
      '',
      `Requests answered over the window, on ${o.latencyRoutes.join(', ') || 'no route yet'}` +
        (held.length === 0
          ? ''
          : `. Left out, as their responses are held open: ${held.join(', ')}`) +
        (o.relativeError === null ? '' : `. ${nativeNote(o.relativeError)}`),
    );
    this.figure('externalRate', o.externalRate, fmt.rate(o.externalRate), 'to dependencies');
    this.figure(
      'timeoutShare',
      o.timeoutShare,
      fmt.share(o.timeoutShare),
      'of external calls',
      (o.timeoutShare ?? 0) > 0.05 ? 'warn' : '',
    );
    const burns = m.slos.map((s) => s.burn).filter((b) => b !== null);
    const worst = burns.length > 0 ? Math.max(...burns) : null;
    this.figure(
      'worstBurn',
      worst,
      m.slos.length === 0 ? '—' : fmt.burn(worst),
      m.slos.length === 0 ? 'no SLOs declared' : 'budget burn rate',
      burnTone(worst),
    );

    const j = m.jobs;
    // While the page has seen less than a minute of a longer window, the count it saw rather
    // than a rate per minute scaled up from a few seconds.
    const perMin = (/** @type {{ rate: number | null, count: number | null }} */ f) =>
      m.partial && m.seconds < 60 && f.count !== null
        ? `${fmt.count(f.count)} in ${Math.round(m.seconds)} s`
        : fmt.rate(f.rate, '/min');
    this.figure(
      'jobsCreated',
      j.created.rate,
      perMin(j.created),
      `${fmt.count(j.created.total)} since start`,
    );
    this.figure(
      'jobsCompleted',
      j.completed.rate,
      perMin(j.completed),
      `${fmt.count(j.completed.total)} since start`,
    );
    this.figure(
      'jobsFailed',
      j.failed.rate,
      perMin(j.failed),
      `${fmt.count(j.failed.total)} since start · ${fmt.share(j.failedShare)} of finished`,
      (j.failedShare ?? 0) > 0.1 ? 'bad' : '',
    );
    this.figure('jobsInflight', j.inflight, fmt.count(j.inflight), 'running now');
    this.figure(
      'jobsRecovered',
      j.recovered.rate,
      perMin(j.recovered),
      `${fmt.count(j.recovered.total)} since start`,
    );
    this.figure(
      'jobsLatency',
      j.latency.p50,
      fmt.ms(j.latency.p50),
      withError(
        `p90 ${fmt.ms(j.latency.p90)} · p99 ${fmt.ms(j.latency.p99)}`,
        j.latency.relativeError,
      ),
    );
    byId('jobs-empty').hidden = j.recorded;

    const p = m.process;
    this.figure('rss', p.rssMb, fmt.megabytes(p.rssMb), 'resident memory');
    this.figure(
      'lag',
      p.lagP99,
      fmt.ms(p.lagP99),
      withError(`p50 ${fmt.ms(p.lagP50)}`, p.lagRelativeError),
    );
    this.figure('fds', p.openFds, fmt.count(p.openFds), 'descriptors');
    this.figure('disk', p.diskPct, fmt.percent(p.diskPct), 'of its volume used');

    this.routes.update(m.routes);
    this.stages.update(m.stages);
    this.external.update(m.external);
    this.slos.update(m.slos);
    for (const [table, rows] of /** @type {[string, unknown[]][]} */ ([
      ['routes', m.routes],
      ['stages', m.stages],
      ['external', m.external],
      ['slos', m.slos],
    ])) {
      byId(`${table}-empty`).hidden = rows.length > 0;
      byId(table).hidden = rows.length === 0;
    }

    const updated = byId('updated');
    updated.textContent = fmt.clock(m.timestamp);
    updated.setAttribute('datetime', m.timestamp);
    const chosen = m.window === null ? '' : fmt.duration(m.window);
    byId('window-length').textContent = m.measuring
      ? 'waiting for a second snapshot'
      : m.partial
        ? `${Math.round(m.seconds)} s of ${chosen}`
        : `${Math.round(m.seconds)} s`;
    // Said where the window is chosen: every figure covers only what the page has seen.
    const note = byId('window-note');
    note.hidden = !m.partial && !m.measuring;
    note.textContent = m.measuring
      ? 'starting'
      : m.partial
        ? `only ${Math.round(m.seconds)} s so far`
        : '';
    this.root.dataset.partial = String(m.partial);
    byId('dropped').textContent = fmt.count(m.dropped);
  }
}
