import { performance } from 'node:perf_hooks';
import { DEFAULT_BUCKETS_MS, validateBuckets } from './buckets';
import { CATALOG, catalogEntry } from './catalog';
import { copyResult, mergeCollected } from './collected';
import { CounterMetric } from './counter';
import { checkDefaultLabels } from './default-labels';
import { GaugeMetric } from './gauge';
import { ExportNames } from './export-name';
import type { DefaultLabels, FamilyView } from './family-view';
import { DROP_REASONS, Guard, defaultLogger, type DropReason } from './guard';
import { HistogramMetric } from './histogram';
import { InertMetric } from './inert-metric';
import { exportName } from './export-name';
import type { NativeShape } from './native-buckets';
import {
  nativeConfig,
  registryNative,
  type NativeConfig,
  type NativeHistogramOptions,
} from './native-config';
import type { MetricContext } from './metric';
import { checkLabelNames, checkMetricName } from './names';
import type {
  BoundCounter,
  Collector,
  CollectorResult,
  Counter,
  Gauge,
  Histogram,
  HistogramOptions,
  Logger,
  MetricDefinition,
  MetricOptions,
  MetricType,
  Snapshot,
} from './types';
import { writers } from './writers';
import { describeError } from './describe';

export interface RegistryOptions {
  /** Distinct label sets per metric before new ones fold into `__overflow__`. Default 2000. */
  maxSeriesPerMetric?: number;
  /** Where problems are reported, once each. Default: `console.warn`, prefixed `obsweave:`. */
  logger?: Logger;
  /**
   * Labels added to every exported series of every format (`{ service: 'api', version: '1.4.2' }`),
   * declared once, never part of series keys. A metric's own label of the same name wins
   * wherever its value is not empty.
   */
  defaultLabels?: Readonly<Record<string, string | number | boolean>>;
  /**
   * Makes every histogram of this registry a Prometheus native histogram too (the catalog's,
   * the decorators' and the HTTP middleware's included), with these settings; a histogram's
   * own `native` option wins.
   */
  nativeHistograms?: boolean | NativeHistogramOptions;
}

type AnyMetric = CounterMetric | GaugeMetric | HistogramMetric;

/** An async collector that has not answered by then is skipped for that export. */
const COLLECTOR_TIMEOUT_MS = 10000;
const EXPORT_BUCKETS_MS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500];

/**
 * One in-process registry: metrics are created or reused by name, recorded without ever
 * throwing, and exported as a JSON snapshot, Prometheus text or OpenMetrics text.
 */
export class MetricsRegistry {
  private readonly families = new Map<string, AnyMetric>();
  /** Exported names already taken, so that `a.b` and `a_b` cannot both be written. */
  private readonly exported = new ExportNames();
  private readonly collectors: Collector[] = [];
  /** Collectors that answered with a Promise: synchronous exports no longer call them. */
  private readonly asyncCollectors = new WeakSet<Collector>();
  private readonly ctx: MetricContext;
  private readonly exportLatency: Histogram;
  private readonly dropped: Record<DropReason, BoundCounter>;
  private labels: DefaultLabels;
  private readonly native: NativeConfig | undefined;
  private reductions: Counter | undefined;

  constructor(opts: RegistryOptions = {}) {
    const max = opts.maxSeriesPerMetric ?? 2000;
    if (!Number.isInteger(max) || max < 1) {
      throw new TypeError(
        `obsweave: maxSeriesPerMetric must be a positive integer, got ${String(max)}`,
      );
    }
    if (opts.logger !== undefined && typeof opts.logger !== 'function') {
      throw new TypeError('obsweave: logger must be a function');
    }
    this.labels = checkDefaultLabels(opts.defaultLabels);
    this.native = registryNative(opts.nativeHistograms);
    const guard = new Guard(opts.logger ?? defaultLogger);
    this.ctx = { guard, maxSeriesPerMetric: max };
    // Its own few series (one per reason, per format) must not fold under a small user limit.
    const own: MetricContext = { guard, maxSeriesPerMetric: Math.max(max, 16) };
    const dropped = this.define(
      'counter',
      'obsweave.dropped_total',
      { help: 'Metric operations dropped or folded, by reason', labelNames: ['reason'] },
      own,
    ) as Counter;
    this.dropped = Object.fromEntries(
      DROP_REASONS.map((reason) => [reason, dropped.bind({ reason })]),
    ) as Record<DropReason, BoundCounter>;
    guard.onDrop = (reason) => this.dropped[reason].inc();
    this.exportLatency = this.define(
      'histogram',
      'obsweave.export_latency_ms',
      {
        help: 'Time to produce one export, by format',
        labelNames: ['format'],
        buckets: EXPORT_BUCKETS_MS,
      },
      own,
    ) as Histogram;
  }

  counter(name: string, opts?: MetricOptions): Counter {
    return this.define('counter', name, opts) as Counter;
  }

  gauge(name: string, opts?: MetricOptions): Gauge {
    return this.define('gauge', name, opts) as Gauge;
  }

  histogram(name: string, opts?: HistogramOptions): Histogram {
    return this.define('histogram', name, opts) as Histogram;
  }

  /**
   * Defines every metric of `CATALOG`, so that all of them are exported from the start. A
   * catalog metric already defined with the catalog's labels followed by more (the HTTP
   * middleware's `labelNames`) is kept as it is.
   */
  registerCatalog(): void {
    for (const e of CATALOG) {
      if (extendsCatalog(this.families.get(e.name), e.type, e.labelNames)) continue;
      this.define(e.type, e.name, { help: e.help, labelNames: e.labelNames });
    }
  }

  /**
   * Replaces the default labels: added to every exported series of every format from the next
   * export on, never part of series keys; `{}` removes them. The way to set those of the
   * process-wide `metrics`. Throws an `obsweave:` error on a bad name or value.
   */
  setDefaultLabels(labels: Readonly<Record<string, string | number | boolean>>): void {
    this.labels = checkDefaultLabels(labels);
  }

  /** The default labels as every export writes them: redacted and cut. */
  get defaultLabels(): DefaultLabels {
    return this.labels;
  }

  /** How `name` is defined here (type, labels, histogram bounds), or `undefined`. */
  definition(name: string): MetricDefinition | undefined {
    const m = this.families.get(name);
    if (m === undefined) return undefined;
    const def = { name, type: m.type, labelNames: [...m.labelNames] };
    return m.type === 'histogram' ? { ...def, buckets: [...m.bounds] } : def;
  }

  /**
   * Reports a dropped call through the registry's guard: counted in `obsweave.dropped_total`
   * and logged once per subject and reason (`detail` may be a function, called only then).
   * For integrations that drop data of their own.
   */
  drop(reason: DropReason, subject: string, detail: string | (() => string)): void {
    this.ctx.guard.drop(reason, subject, detail);
  }

  /**
   * Replaces where problems are reported from now on (default `console.warn`, prefixed
   * `obsweave:`); the way to set the logger of the process-wide `metrics`, which is created
   * before any code of yours runs. Throws on something that is not a function.
   */
  setLogger(logger: Logger): void {
    if (typeof logger !== 'function') throw new TypeError('obsweave: logger must be a function');
    this.ctx.guard.setLogger(logger);
  }

  /** Logs `msg` once per `key` through the registry's logger. */
  warnOnce(key: string, msg: string): void {
    this.ctx.guard.once(key, msg);
  }

  /**
   * Adds a function whose result is merged into every export. One that returns a Promise is
   * merged by `snapshotAsync()`, `toPrometheusAsync()`, `toOpenMetricsAsync()` and the metrics
   * endpoint, and left out of the synchronous exports. Returns a function that removes it.
   */
  addCollector(fn: Collector): () => void {
    if (typeof fn !== 'function') throw new TypeError('obsweave: addCollector takes a function');
    this.collectors.push(fn);
    return () => {
      const i = this.collectors.indexOf(fn);
      if (i >= 0) this.collectors.splice(i, 1);
    };
  }

  /**
   * The JSON snapshot, now. Synchronous collectors are merged in; a collector that answers with
   * a Promise is left out (logged once): `snapshotAsync()` waits for it.
   */
  snapshot(): Snapshot {
    return this.exportNow('json', (f, l) => writers().json(f, l));
  }

  /** Prometheus text format 0.0.4, now; as `snapshot()`, without async collectors. */
  toPrometheus(): string {
    return this.exportNow('prometheus', (f, l) => writers().prometheus(f, l));
  }

  /** OpenMetrics 1.0 text with exemplars, now; as `snapshot()`, without async collectors. */
  toOpenMetrics(): string {
    return this.exportNow('openmetrics', (f, l) => writers().openmetrics(f, l));
  }

  /** The JSON snapshot with every collector merged in, async ones awaited. */
  snapshotAsync(): Promise<Snapshot> {
    return Promise.resolve(this.export('json', (f, l) => writers().json(f, l)));
  }

  /** Prometheus text format 0.0.4 with every collector merged in, async ones awaited. */
  toPrometheusAsync(): Promise<string> {
    return Promise.resolve(this.export('prometheus', (f, l) => writers().prometheus(f, l)));
  }

  /** OpenMetrics 1.0 text with every collector merged in, async ones awaited. */
  toOpenMetricsAsync(): Promise<string> {
    return Promise.resolve(this.export('openmetrics', (f, l) => writers().openmetrics(f, l)));
  }

  /**
   * Hands every family, collectors merged in, and the default labels to `render`, and returns
   * what it makes: how an exporter of another shape (the OpenTelemetry producer, a cluster
   * worker's answer) reads the registry. `render` must
   * copy what it keeps: the views are live. Timed in `obsweave.export_latency_ms{format}`; a
   * Promise while an async collector is registered.
   */
  exportWith<T>(
    format: string,
    render: (families: readonly FamilyView[], labels: DefaultLabels) => T,
  ): T | Promise<T> {
    return this.export(format, render);
  }

  /** Zeroes every series and keeps every definition, so bound children stay valid. */
  reset(): void {
    for (const m of this.families.values()) m.reset();
  }

  private define(
    type: MetricType,
    name: string,
    opts: HistogramOptions = {},
    ctx: MetricContext = this.ctx,
  ): Counter | Gauge | Histogram {
    checkMetricName(name, type);
    if (opts === null || typeof opts !== 'object') {
      throw new TypeError(`obsweave: metric "${name}": options must be an object`);
    }
    const labelNames = checkLabelNames(name, opts.labelNames);
    const existing = this.families.get(name);
    if (existing !== undefined) {
      if (existing.type === type && existing.labelNames.join(',') === labelNames.join(',')) {
        return existing;
      }
      this.ctx.guard.drop(
        'conflict',
        name,
        `already defined as a ${existing.type} with labels [${existing.labelNames.join(', ')}]; ` +
          `this ${type} with labels [${labelNames.join(', ')}] records nothing`,
      );
      return new InertMetric(name);
    }
    const clash = this.exported.claim(name, type);
    if (clash !== undefined) {
      this.ctx.guard.drop('conflict', name, `${clash}; this one records nothing`);
      return new InertMetric(name);
    }
    const help =
      typeof opts.help === 'string' && opts.help !== ''
        ? opts.help
        : (catalogEntry(name)?.help ?? name);
    const native = type === 'histogram' ? this.nativeShape(name, opts) : undefined;
    const m =
      type === 'counter'
        ? new CounterMetric(name, help, labelNames, ctx)
        : type === 'gauge'
          ? new GaugeMetric(name, help, labelNames, ctx)
          : new HistogramMetric(
              name,
              help,
              labelNames,
              ctx,
              opts.buckets === false && native !== undefined
                ? []
                : validateBuckets(name, opts.buckets || DEFAULT_BUCKETS_MS),
              native,
            );
    this.families.set(name, m);
    return m;
  }

  /**
   * What every series of a native histogram shares; `undefined` for a classic one. Defining
   * the first native histogram also defines the counter of resolution reductions and resets.
   */
  private nativeShape(name: string, opts: HistogramOptions): NativeShape | undefined {
    const config = nativeConfig(name, opts.native, this.native);
    if (config === undefined) {
      if (opts.buckets === false) {
        throw new TypeError(
          `obsweave: histogram "${name}": buckets: false needs a native histogram (native: true)`,
        );
      }
      return undefined;
    }
    const reductions = (this.reductions ??= this.define(
      'counter',
      'obsweave.native_reductions_total',
      {
        help: 'Native histogram series past maxBuckets: resolution halved (schema) or reset',
        labelNames: ['action'],
      },
    ) as Counter);
    const byAction = {
      schema: reductions.bind({ action: 'schema' }),
      reset: reductions.bind({ action: 'reset' }),
    };
    const { mul, div } = exportName(name, 'histogram');
    const guard = this.ctx.guard;
    return {
      config,
      mul,
      div,
      limited: (how) => {
        byAction[how].inc();
        guard.once(
          `native ${how} ${name}`,
          `histogram "${name}" has more than ${config.maxBuckets} native buckets: ` +
            (how === 'schema' ? 'its resolution is halved' : 'its series is reset'),
        );
      },
    };
  }

  private views(): FamilyView[] {
    const out: FamilyView[] = [];
    for (const m of this.families.values()) out.push(m as unknown as FamilyView);
    return out;
  }

  /** An export that never waits: collectors known to answer asynchronously are left out. */
  private exportNow<T>(
    format: string,
    render: (families: FamilyView[], labels: DefaultLabels) => T,
  ): T {
    return this.export(format, render, true) as T;
  }

  private export<T>(
    format: string,
    render: (families: FamilyView[], labels: DefaultLabels) => T,
    now = false,
  ): T | Promise<T> {
    const t0 = performance.now();
    const finish = (results: CollectorResult[]): T => {
      const families =
        results.length === 0
          ? this.views()
          : mergeCollected(this.views(), results, (name, why, reason = 'conflict') =>
              this.ctx.guard.drop(reason, name, why),
            );
      const out = render(families, this.labels);
      this.exportLatency.observe(performance.now() - t0, { format });
      return out;
    };
    if (this.collectors.length === 0) return finish([]);
    const collected = this.collect(now);
    return Array.isArray(collected) ? finish(collected) : collected.then(finish);
  }

  /**
   * Every collector's result; a Promise only when one of them answered with one. `now`: the
   * collectors seen answering asynchronously are not called, and one that does so for the
   * first time is left out of this export (its answer ignored, its rejection swallowed).
   */
  private collect(now: boolean): CollectorResult[] | Promise<CollectorResult[]> {
    const results: (CollectorResult | Promise<CollectorResult | undefined> | undefined)[] = [];
    let async = false;
    this.collectors.forEach((fn, i) => {
      const label = `collector ${fn.name || `#${i}`}`;
      if (now && this.asyncCollectors.has(fn)) return this.leftOut(label);
      try {
        const r = fn();
        if (r !== null && typeof (r as Promise<CollectorResult>)?.then === 'function') {
          this.asyncCollectors.add(fn);
          if (now) {
            Promise.resolve(r).then(undefined, () => {});
            return this.leftOut(label);
          }
          async = true;
          results.push(this.settle(r as Promise<CollectorResult>, label));
        } else {
          results.push(copyResult(r));
        }
      } catch (e) {
        this.ctx.guard.drop('collector_error', label, `threw ${describeError(e)}; skipped`);
      }
    });
    const present = (rs: (CollectorResult | undefined)[]) =>
      rs.filter((r): r is CollectorResult => r != null);
    return async
      ? Promise.all(results).then(present)
      : present(results as (CollectorResult | undefined)[]);
  }

  private leftOut(label: string): void {
    this.ctx.guard.once(
      `async ${label}`,
      `${label} answers asynchronously: snapshot(), toPrometheus() and toOpenMetrics() leave it ` +
        'out; snapshotAsync(), toPrometheusAsync(), toOpenMetricsAsync() and the metrics ' +
        'endpoint include it',
    );
  }

  private settle(p: Promise<CollectorResult>, label: string): Promise<CollectorResult | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => {
        this.ctx.guard.drop(
          'collector_error',
          label,
          `did not answer within ${COLLECTOR_TIMEOUT_MS} ms; skipped`,
        );
        resolve(undefined);
      }, COLLECTOR_TIMEOUT_MS);
      timer.unref();
    });
    const settled = Promise.resolve(p)
      .then(copyResult)
      .then(undefined, (e) => {
        this.ctx.guard.drop('collector_error', label, `rejected with ${describeError(e)}; skipped`);
        return undefined;
      });
    return Promise.race([settled, timeout]).finally(() => clearTimeout(timer));
  }
}

/** A catalog metric defined with the catalog's type and labels, and maybe more labels after them. */
function extendsCatalog(
  m: AnyMetric | undefined,
  type: MetricType,
  labelNames: readonly string[],
): boolean {
  return (
    m !== undefined &&
    m.type === type &&
    m.labelNames.length > labelNames.length &&
    labelNames.every((l, i) => m.labelNames[i] === l)
  );
}

/** The process-wide default registry that decorators record into unless given another. */
export const metrics = new MetricsRegistry();
