import cluster, { type Worker as ClusterWorker } from 'node:cluster';
import { metrics, MetricsRegistry } from '../core/metrics-registry';
import { redact } from '../redact/redact';
import type { ExportSource, Snapshot } from '../core/types';
import type { DefaultLabels, FamilyView } from '../core/family-view';
import { writers } from '../core/writers';
import { gaugeAggregations, type GaugeAggregation } from './aggregation';
import { mergeWithPrimary, type Source } from './merge';
import { isPortLike, type PortLike } from './port';
import { decode, kindOf, type Answer } from './wire';

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
}

export interface AddWorkerOptions {
  /** The value of its `worker` label. Default: the thread id of a `Worker`, else a counter. */
  name?: string;
}

/** Someone that can be asked: a cluster worker or a port. */
interface Peer {
  readonly key: string;
  /** Its `worker` label value. */
  readonly worker: string;
  send(msg: unknown, failed: () => void): void;
}

interface Scrape {
  /** Asked and not answered yet. */
  readonly waiting: Map<string, Peer>;
  readonly answers: Map<string, Source>;
  finish(): void;
}

/**
 * The primary's view of a cluster: each export asks every worker that called
 * `shareWithPrimary()` for its series, at once, and merges the answers with the primary's own
 * registry. Counters and histograms are added (bucket by bucket), gauges follow their declared
 * aggregation. A worker that has not answered within `timeoutMs`, or answers with garbage, or
 * exits during the scrape, is left out of that scrape and counted in
 * `obsweave.dropped_total{reason="worker_timeout"|"worker_error"}`; the scrape still answers.
 *
 * `node:cluster` workers are found by themselves; `worker_threads` workers are added with
 * `add(worker)`. Accepted wherever a registry is served: `createMetricsHandler({ registry })`,
 * `new MetricsController(registry)`, `MetricsModule.forRoot({ registry })`. Every export
 * returns a Promise.
 */
export class ClusterRegistry implements ExportSource {
  private readonly own: MetricsRegistry;
  private readonly timeoutMs: number;
  private readonly aggregations: Map<string, GaugeAggregation>;
  /** Workers that said they share, in the order they did: the order of `perWorker` series. */
  private readonly sharing = new Map<string, Peer>();
  private readonly scrapes = new Map<number, Scrape>();
  private readonly detach: (() => void)[] = [];
  private nextId = 1;
  private ports = 0;

  constructor({ timeoutMs = 2000, gauges, registry = metrics }: ClusterRegistryOptions = {}) {
    if (typeof timeoutMs !== 'number' || !(timeoutMs > 0) || timeoutMs === Infinity) {
      throw new TypeError(
        `obsweave: ClusterRegistry timeoutMs must be a positive number, got ${String(timeoutMs)}`,
      );
    }
    if (!(registry instanceof MetricsRegistry)) {
      throw new TypeError('obsweave: ClusterRegistry registry must be a MetricsRegistry');
    }
    this.own = registry;
    this.timeoutMs = timeoutMs;
    this.aggregations = gaugeAggregations(gauges);
    if (cluster.isPrimary) this.watchCluster();
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
    const key = `port:${++this.ports}`;
    const peer: Peer = {
      key,
      worker: name ?? (typeof threadId === 'number' ? String(threadId) : `port-${this.ports}`),
      send(msg, failed) {
        try {
          port.postMessage(msg);
        } catch {
          failed();
        }
      },
    };
    const onMessage = (msg: unknown) => this.receive(peer, msg);
    const events = port as unknown as {
      on?(e: string, fn: () => void): unknown;
      off?(e: string, fn: () => void): unknown;
    };
    let removed = false;
    const remove = () => {
      if (removed) return;
      removed = true;
      port.off('message', onMessage);
      events.off?.('exit', remove);
      events.off?.('close', remove);
      this.gone(key, 'exited');
    };
    port.on('message', onMessage);
    events.on?.('exit', remove);
    events.on?.('close', remove);
    this.detach.push(remove);
    peer.send({ obsweave: 'hello' }, () => {});
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
    for (const s of [...this.scrapes.values()]) s.finish();
  }

  /**
   * Every family of every live worker and of the primary, merged, handed to `render`: how the
   * metrics endpoint (and any exporter of another shape) reads a cluster. Always a Promise.
   */
  exportWith<T>(
    format: string,
    render: (families: readonly FamilyView[], labels: DefaultLabels) => T,
  ): Promise<T> {
    return this.collect().then((sources) =>
      // Timed by the primary's registry as its own export of `format`: merging and writing.
      // The primary's default labels describe the whole merged scrape; workers send none.
      this.own.exportWith(format, (own, labels) => render(this.merge(own, sources), labels)),
    );
  }

  private merge(own: readonly FamilyView[], sources: readonly Source[]): FamilyView[] {
    return mergeWithPrimary(
      own,
      sources,
      (name) => this.aggregations.get(name) ?? 'sum',
      (name, why) => this.own.drop('conflict', name, why),
    );
  }

  /** Every sharing worker's answer, in their order; resolves within `timeoutMs`, never rejects. */
  private collect(): Promise<Source[]> {
    const peers = [...this.sharing.values()];
    if (peers.length === 0) return Promise.resolve([]);
    const id = this.nextId;
    this.nextId = id >= 0x7fffffff ? 1 : id + 1;
    return new Promise((resolve) => {
      const waiting = new Map(peers.map((p) => [p.key, p]));
      const answers = new Map<string, Source>();
      let done = false;
      const scrape: Scrape = {
        waiting,
        answers,
        finish: () => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          this.scrapes.delete(id);
          resolve(peers.map((p) => answers.get(p.key)).filter((s): s is Source => !!s));
        },
      };
      const timer = setTimeout(() => {
        for (const p of waiting.values()) {
          this.dropWorker('worker_timeout', p, `did not answer within ${this.timeoutMs} ms`);
        }
        scrape.finish();
      }, this.timeoutMs);
      timer.unref();
      // Answers are matched by id: a late answer to an earlier scrape is ignored.
      this.scrapes.set(id, scrape);
      for (const p of peers) {
        p.send({ obsweave: 'collect', id }, () => this.leftOut(id, p, 'could not be asked'));
      }
    });
  }

  private receive(peer: Peer, msg: unknown): void {
    switch (kindOf(msg)) {
      case 'ready':
        this.sharing.set(peer.key, peer);
        return;
      case 'bye':
        this.gone(peer.key, 'stopped sharing');
        return;
      case 'metrics':
        return this.answered(peer, msg as Answer);
      default:
        return;
    }
  }

  private answered(peer: Peer, msg: Answer): void {
    const scrape = this.scrapes.get(msg.id);
    if (scrape === undefined || !scrape.waiting.has(peer.key)) return;
    scrape.waiting.delete(peer.key);
    let families: ReturnType<typeof decode>;
    try {
      families = decode(msg);
    } catch {
      families = 'answered garbage';
    }
    if (typeof families === 'string') this.dropWorker('worker_error', peer, families);
    else scrape.answers.set(peer.key, { worker: peer.worker, families });
    if (scrape.waiting.size === 0) scrape.finish();
  }

  /** A worker that will not answer: forgotten, and left out of the scrapes waiting for it. */
  private gone(key: string, why: string): void {
    this.sharing.delete(key);
    for (const [id, s] of [...this.scrapes]) {
      const p = s.waiting.get(key);
      if (p !== undefined) this.leftOut(id, p, `${why} during a scrape`);
    }
  }

  private leftOut(id: number, p: Peer, why: string): void {
    const s = this.scrapes.get(id);
    if (s === undefined || !s.waiting.delete(p.key)) return;
    this.dropWorker('worker_error', p, why);
    if (s.waiting.size === 0) s.finish();
  }

  private dropWorker(reason: 'worker_timeout' | 'worker_error', p: Peer, why: string): void {
    this.own.drop(reason, `worker ${p.worker}`, () => `${redact(why)}; left out of the scrape`);
  }

  private watchCluster(): void {
    const peers = new Map<number, Peer>();
    const peerOf = (w: ClusterWorker): Peer => {
      let p = peers.get(w.id);
      if (p === undefined) {
        p = {
          key: `cluster:${w.id}`,
          worker: String(w.id),
          send(msg, failed) {
            try {
              if (!w.isConnected()) return failed();
              w.send(msg as object, (err: Error | null) => {
                if (err) failed();
              });
            } catch {
              failed();
            }
          },
        };
        peers.set(w.id, p);
      }
      return p;
    };
    const unwatch = watchCluster({
      message: (w, msg) => this.receive(peerOf(w), msg),
      exit: (w) => {
        peers.delete(w.id);
        this.gone(`cluster:${w.id}`, 'exited');
      },
    });
    this.detach.push(unwatch);
    // Workers that started sharing before this registry existed say so again.
    for (const w of Object.values(cluster.workers ?? {})) {
      if (w !== undefined) peerOf(w).send({ obsweave: 'hello' }, () => {});
    }
  }
}

interface ClusterWatcher {
  message(w: ClusterWorker, msg: unknown): void;
  exit(w: ClusterWorker): void;
}

/** One set of listeners on `cluster` for every ClusterRegistry, however many there are. */
const watchers = new Set<ClusterWatcher>();
const onMessage = (w: ClusterWorker, msg: unknown) => {
  for (const x of watchers) x.message(w, msg);
};
const onExit = (w: ClusterWorker) => {
  for (const x of watchers) x.exit(w);
};

function watchCluster(watcher: ClusterWatcher): () => void {
  if (watchers.size === 0) {
    cluster.on('message', onMessage);
    cluster.on('exit', onExit);
    cluster.on('disconnect', onExit);
  }
  watchers.add(watcher);
  return () => {
    if (!watchers.delete(watcher) || watchers.size > 0) return;
    cluster.off('message', onMessage);
    cluster.off('exit', onExit);
    cluster.off('disconnect', onExit);
  };
}
