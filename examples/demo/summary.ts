import { CATALOG, type HistogramSnapshot, type Snapshot } from 'obsweave';

/** A series key `name|k=v,...` split into its name and labels. */
export function parseKey(key: string): { name: string; labels: Record<string, string> } {
  const bar = key.indexOf('|');
  if (bar < 0) return { name: key, labels: {} };
  const labels: Record<string, string> = {};
  for (const pair of key.slice(bar + 1).split(',')) {
    const eq = pair.indexOf('=');
    labels[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return { name: key.slice(0, bar), labels };
}

function series<T>(map: Record<string, T>, name: string) {
  return Object.entries(map)
    .map(([key, value]) => ({ ...parseKey(key), value }))
    .filter((s) => s.name === name);
}

function sum(map: Record<string, number>, name: string, where: Record<string, string> = {}) {
  return series(map, name)
    .filter((s) => Object.entries(where).every(([k, v]) => s.labels[k] === v))
    .reduce((n, s) => n + s.value, 0);
}

function ms(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return '-';
  return v >= 1000 ? `${(v / 1000).toFixed(2)}s` : `${Math.round(v)}ms`;
}

function quantiles(h: HistogramSnapshot | undefined): string {
  return `p50 ${ms(h?.quantiles?.p50)} p99 ${ms(h?.quantiles?.p99)}`;
}

/** The demo's compact view of a snapshot: a few lines, one subject each. */
export function summarize(snap: Snapshot): string {
  const { counters, gauges, histograms } = snap;
  const lines: string[] = [];

  const routes = new Map<string, string[]>();
  for (const s of series(counters, 'http.requests_total')) {
    if (s.value === 0) continue;
    const route = `${s.labels.method} ${s.labels.route}`;
    routes.set(route, [...(routes.get(route) ?? []), `${s.labels.code_class} ${s.value}`]);
  }
  const requests = [...routes].sort().map(([route, codes]) => `${route} ${codes.sort().join(' ')}`);
  lines.push(`requests  ${requests.join(' | ') || '-'}`);

  const stages = ['download', 'probe', 'transcribe', 'upload'].map((stage) => {
    const h = histograms[`worker.stage_latency_ms|stage=${stage}`];
    const failed = sum(counters, 'worker.stage_failures_total', { stage });
    return `${stage} ${quantiles(h)} n=${h?.count ?? 0}${failed ? ` failed=${failed}` : ''}`;
  });
  lines.push(`stages    ${stages.join(' | ')}`);

  const calls = new Map<string, Record<string, number>>();
  for (const s of series(counters, 'external.calls_total')) {
    const key = `${s.labels.service}.${s.labels.op}`;
    calls.set(key, { ...calls.get(key), [s.labels.outcome]: s.value });
  }
  const external = [...calls].map(
    ([call, o]) => `${call} ok=${o.success ?? 0} err=${o.error ?? 0} timeout=${o.timeout ?? 0}`,
  );
  lines.push(`external  ${external.join(' | ') || '-'}`);

  const to = (status: string) => sum(counters, 'jobs.status_transition_total', { to: status });
  lines.push(
    `jobs      created=${counters['jobs.created_total'] ?? 0} completed=${to('completed')} ` +
      `failed=${to('failed')} in-flight=${gauges['worker.inflight_jobs'] ?? 0} ` +
      `recovered=${sum(counters, 'worker.recovered_jobs_total')} ` +
      `persist-failures=${counters['events.persist_failures_total'] ?? 0} ` +
      `total ${quantiles(histograms['jobs.total_latency_ms'])}`,
  );

  const rss = gauges['proc.memory_rss_mb'];
  const disk = gauges['scratch.disk_used_pct'];
  lines.push(
    `process   rss=${rss === undefined ? '-' : `${rss.toFixed(1)}MB`} ` +
      `fds=${gauges['proc.open_fds'] ?? '-'} ` +
      `event-loop-lag p99=${ms(histograms['event_loop.lag_ms']?.quantiles?.p99)} ` +
      `scratch-disk=${disk === undefined ? '-' : `${disk.toFixed(0)}%`} ` +
      `sse-clients=${gauges['sse.clients|stream=jobs'] ?? 0}`,
  );
  return lines.join('\n');
}

/** Names of `names` with no recorded value in the snapshot (zero counters count as none). */
/** `catalog   17/17 metrics recorded`, naming those that were not this time. */
export function catalogLine(snap: Snapshot): string {
  const missing = unrecorded(
    snap,
    CATALOG.map((m) => m.name),
  );
  return (
    `catalog   ${CATALOG.length - missing.length}/${CATALOG.length} metrics recorded` +
    (missing.length ? ` (not this time: ${missing.join(', ')})` : '')
  );
}

export function unrecorded(snap: Snapshot, names: readonly string[]): string[] {
  return names.filter((name) => {
    const values = [
      ...series(snap.counters, name).map((s) => s.value),
      ...series(snap.histograms, name).map((s) => s.value.count),
    ];
    const gauge = series(snap.gauges, name).length > 0;
    return !gauge && !values.some((v) => v > 0);
  });
}
