import cluster from 'node:cluster';
import { metrics, MetricsRegistry } from '../core/metrics-registry';
import { redact } from '../redact/redact';
import type { ExportSource, Snapshot } from '../core/types';
import type { DefaultLabels, FamilyView } from '../core/family-view';
import { writers } from '../core/writers';
import { aggregationOf, gaugeAggregations, type GaugeAggregation } from './aggregation';
import { listenToClusterWorkers } from './cluster-peers';
import { rememberedLabelValues } from './label-values';
import { mergeWithPrimary, type Source } from './merge';
import type { Peer, PeerEvents } from './peer';
import { isPortLike, type PortLike } from './port';
import { listenToPort } from './port-peer';
import { Scrapes, type LeftOut } from './scrapes';
import { kindOf, type Answer } from './wire';

export interface ClusterRegistryOptions {
  /** How long a scrape waits for the workers; one that has not answered is left out. Default 2000. */
  timeoutMs?: number;
  /**
   * How gauges merge, by name: `sum` (the default for any gauge not named), `max`, `min`,
   * `avg`, or `perWorker` (one series per worker, with a `worker` label). These come on top
   * of the catalog's defaults (`DEFAULT_GAUGE_AGGREGATION`).
   */
  gauges?: Readonly<Record<string, GaugeAggregation>>;
  /**
   * The primary's own registry, merged in as the worker `primary`: the cluster's own drops
   * (`worker_timeout`, `worker_error`) are counted there. Default: the process-wide `metrics`.
   */
  registry?: MetricsRegistry;
  /**
   * Series one worker brings to one family, as a registry's own limit: past it, that worker's
   * further series of the family fold into one `__overflow__` series, counted in
   * `obsweave.dropped_total{reason="overflow"}`. Default 2000, a registry's default.
   */
  maxSeriesPerMetric?: number;
}

export interface AddWorkerOptions {
  /** The value of its `worker` label. Default: the thread id of a `Worker`, else a counter. */
  name?: string;
}

/**
 * The primary's view of a cluster: each export asks every worker that called
 * `shareWithPrimary()` for its series, at once, and merges the answers with the primary's own
 * registry. Counters and histograms are added (bucket by bucket), gauges follow their declared
 * aggregation. A worker that has not answered within `timeoutMs`, or answers with garbage, or
 * exits during the scrape, is left out of that scrape and counted in
 * `obsweave.dropped_total{reason="worker_timeout"|"worker_error"}`; the scrape still answers.
 * No worker is trusted: its answer is read as local input is (see `mergeWithPrimary`), and a
 * family of its that contradicts the merged one is left out for that worker alone.
 *
 * `node:cluster` workers are found by themselves; `worker_threads` workers are added with
 * `add(worker)`. Accepted wherever a registry is served: `createMetricsHandler({ registry })`,
 * `new MetricsController(registry)`, `MetricsModule.forRoot({ registry })`. Every export
 * returns a Promise.
 */
export class ClusterRegistry implements ExportSource {
  private readonly own: MetricsRegistry;
  private readonly aggregations: Map<string, GaugeAggregation>;
  private readonly maxSeriesPerMetric: number;
  private readonly labelValue = rememberedLabelValues();
  /** Workers that said they share, in the order they did: the order of `perWorker` series. */
  private readonly sharing = new Map<string, Peer>();
  private readonly scrapes: Scrapes;
  private readonly detach: (() => void)[] = [];
  private readonly events: PeerEvents = {
    message: (peer, msg) => this.receive(peer, msg),
    gone: (peer, why) => this.gone(peer, why),
  };
  private ports = 0;

  constructor({
    timeoutMs = 2000,
    gauges,
    registry = metrics,
    maxSeriesPerMetric = 2000,
  }: ClusterRegistryOptions = {}) {
    if (typeof timeoutMs !== 'number' || !(timeoutMs > 0) || timeoutMs === Infinity) {
      throw new TypeError(
        `obsweave: ClusterRegistry timeoutMs must be a positive number, got ${String(timeoutMs)}`,
      );
    }
    if (!(registry instanceof MetricsRegistry)) {
      throw new TypeError('obsweave: ClusterRegistry registry must be a MetricsRegistry');
    }
    if (!Number.isInteger(maxSeriesPerMetric) || maxSeriesPerMetric < 1) {
      throw new TypeError(
        `obsweave: ClusterRegistry maxSeriesPerMetric must be a positive integer, got ${String(maxSeriesPerMetric)}`,
      );
    }
    this.own = registry;
    this.maxSeriesPerMetric = maxSeriesPerMetric;
    this.aggregations = gaugeAggregations(gauges);
    this.scrapes = new Scrapes(timeoutMs, (reason, p, why) => this.leftOut(reason, p, why));
    if (cluster.isPrimary) this.detach.push(listenToClusterWorkers(this.events));
  }

  /** The `worker` label values of the workers sharing now. */
  get workers(): string[] {
    return [...this.sharing.values()].map((p) => p.worker);
  }

  /**
   * Asks a `worker_threads` `Worker` (or any `MessagePort` whose other end called
   * `shareWithPrimary({ port })`) too. It is forgotten when it exits or its port closes, or
   * when the returned function is called.
   */
  add(port: PortLike, { name }: AddWorkerOptions = {}): () => void {
    if (!isPortLike(port)) {
      throw new TypeError('obsweave: ClusterRegistry.add takes a Worker or a MessagePort');
    }
    if (name !== undefined && (typeof name !== 'string' || name === '')) {
      throw new TypeError('obsweave: ClusterRegistry.add name must be a non-empty string');
    }
    const threadId = (port as { threadId?: unknown }).threadId;
    const n = ++this.ports;
    const worker = name ?? (typeof threadId === 'number' ? String(threadId) : `port-${n}`);
    const remove = listenToPort(port, `port:${n}`, worker, this.events);
    this.detach.push(remove);
    return remove;
  }

  /** The merged JSON snapshot; histogram quantiles come from the merged buckets. */
  snapshot(): Promise<Snapshot> {
    return this.exportWith('json', (f, labels) => writers().json(f, labels));
  }

  /** The merged Prometheus text format 0.0.4. */
  toPrometheus(): Promise<string> {
    return this.exportWith('prometheus', (f, labels) => writers().prometheus(f, labels));
  }

  /** The merged OpenMetrics 1.0 text, with each bucket's most recent exemplar of any worker. */
  toOpenMetrics(): Promise<string> {
    return this.exportWith('openmetrics', (f, labels) => writers().openmetrics(f, labels));
  }

  /** Stops listening to the workers; scrapes under way answer at once with what they have. */
  close(): void {
    for (const d of this.detach.splice(0)) d();
    this.scrapes.finishAll();
  }

  /**
   * Every family of every live worker and of the primary, merged, handed to `render`: how the
   * metrics endpoint (and any exporter of another shape) reads a cluster. Always a Promise.
   */
  exportWith<T>(
    format: string,
    render: (families: readonly FamilyView[], labels: DefaultLabels) => T,
  ): Promise<T> {
    return this.scrapes.collect([...this.sharing.values()]).then((sources) =>
      // Timed by the primary's registry as its own export of `format`: merging and writing.
      // The primary's default labels describe the whole merged scrape; workers send none.
      this.own.exportWith(format, (own, labels) => render(this.merge(own, sources), labels)),
    );
  }

  private merge(own: readonly FamilyView[], sources: readonly Source[]): FamilyView[] {
    return mergeWithPrimary(own, sources, {
      aggregation: (name) => aggregationOf(this.aggregations, name),
      maxSeriesPerMetric: this.maxSeriesPerMetric,
      drop: (reason, subject, why) => this.own.drop(reason, subject, why),
      labelValue: this.labelValue,
    });
  }

  private receive(peer: Peer, msg: unknown): void {
    switch (kindOf(msg)) {
      case 'ready':
        this.sharing.set(peer.key, peer);
        return;
      case 'bye':
        return this.gone(peer, 'stopped sharing');
      case 'metrics':
        return this.scrapes.answered(peer, msg as Answer);
      default:
        return;
    }
  }

  /** A worker that will not answer: forgotten, and left out of the scrapes waiting for it. */
  private gone(peer: Peer, why: string): void {
    this.sharing.delete(peer.key);
    this.scrapes.gone(peer, why);
  }

  private leftOut(reason: LeftOut, p: Peer, why: string): void {
    this.own.drop(reason, `worker ${p.worker}`, () => `${redact(why)}; left out of the scrape`);
  }
}
