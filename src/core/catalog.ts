import type { MetricType } from './types';

export interface CatalogEntry {
  readonly name: string;
  readonly type: MetricType;
  readonly labelNames: readonly string[];
  readonly help: string;
}

/**
 * The metrics obsweave itself records, by the names its decorators and integrations use. Typed
 * as written, so that `CatalogName` lists them and a misspelt name does not compile.
 */
export const CATALOG = Object.freeze([
  {
    name: 'http.requests_total',
    type: 'counter',
    labelNames: ['method', 'route', 'code_class'],
    help: 'Count of HTTP responses',
  },
  {
    name: 'http.errors_total',
    type: 'counter',
    labelNames: ['route', 'code'],
    help: 'Error responses (4xx/5xx)',
  },
  {
    name: 'http.request_latency_ms',
    type: 'histogram',
    labelNames: ['route'],
    help: 'End-to-end latency',
  },
  { name: 'jobs.created_total', type: 'counter', labelNames: [], help: 'Jobs created' },
  {
    name: 'jobs.status_transition_total',
    type: 'counter',
    labelNames: ['from', 'to'],
    help: 'Status transitions',
  },
  {
    name: 'jobs.total_latency_ms',
    type: 'histogram',
    labelNames: [],
    help: 'Create -> terminal duration',
  },
  {
    name: 'worker.stage_latency_ms',
    type: 'histogram',
    labelNames: ['stage'],
    help: 'Stage durations',
  },
  {
    name: 'worker.stage_failures_total',
    type: 'counter',
    labelNames: ['stage', 'code'],
    help: 'Stage failures',
  },
  {
    name: 'external.calls_total',
    type: 'counter',
    labelNames: ['service', 'op', 'outcome'],
    help: 'External dependency calls',
  },
  {
    name: 'external.call_latency_ms',
    type: 'histogram',
    labelNames: ['service', 'op'],
    help: 'Duration per external op',
  },
  { name: 'worker.inflight_jobs', type: 'gauge', labelNames: [], help: 'Active job count' },
  { name: 'proc.memory_rss_mb', type: 'gauge', labelNames: [], help: 'Resident memory' },
  { name: 'proc.open_fds', type: 'gauge', labelNames: [], help: 'File descriptors (best effort)' },
  {
    name: 'scratch.disk_used_pct',
    type: 'gauge',
    labelNames: [],
    help: 'Scratch directory % usage',
  },
  { name: 'event_loop.lag_ms', type: 'histogram', labelNames: [], help: 'Event loop lag' },
  {
    name: 'events.persist_failures_total',
    type: 'counter',
    labelNames: [],
    help: 'Job event DB write errors',
  },
  {
    name: 'worker.recovered_jobs_total',
    type: 'counter',
    labelNames: ['reason'],
    help: 'Lease recovery events',
  },
] as const satisfies readonly CatalogEntry[]);

/** The name of one of the catalog's metrics. */
export type CatalogName = (typeof CATALOG)[number]['name'];

const BY_NAME = new Map<string, CatalogEntry>(CATALOG.map((e) => [e.name, e]));

export function catalogEntry(name: string): CatalogEntry | undefined {
  return BY_NAME.get(name);
}

/**
 * The catalog's own help and label names for `name` (`{}` for a name not in it). Everything in
 * obsweave that records a catalog metric defines it with these, so that `registerCatalog()`,
 * before or after, reuses that very metric instead of meeting a conflicting definition.
 */
export function catalogOptions(name: CatalogName): { help: string; labelNames: readonly string[] } {
  const e = BY_NAME.get(name)!;
  return { help: e.help, labelNames: e.labelNames };
}
