import { exportName } from './export-name';
import type { Guard } from './guard';
import { describeError, describeValue } from './describe';
import { SeriesTable, type Series } from './series-table';
import type { LabelValues, MetricType } from './types';

/** What a metric is built with; the registry hands the same guard and limit to each. */
export interface MetricContext {
  readonly guard: Guard;
  readonly maxSeriesPerMetric: number;
}

/**
 * What the three metric types share: a name, a series table, and the never-throw policy. The
 * recording methods of every metric and bound child are own properties made once, at creation,
 * that never read `this`: code passes them as callbacks (`setTimeout(counter.inc)`,
 * `values.forEach(histogram.observe)`, `emitter.on('x', gauge.inc)`) and means the metric they
 * came from.
 */
export abstract class Metric<S extends Series> {
  abstract readonly type: MetricType;
  readonly table: SeriesTable<S>;
  protected readonly guard: Guard;
  /**
   * The factor of the exported unit (1048576 for `_mb`, else 1): a value whose product with it
   * is not finite could not be shown by the text formats, so no format keeps it. A small
   * integer, so that the check costs the hot path one multiplication.
   */
  readonly mul: number;

  constructor(
    type: MetricType,
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
    ctx: MetricContext,
    create: () => S,
  ) {
    this.guard = ctx.guard;
    this.mul = exportName(name, type).mul;
    const max = ctx.maxSeriesPerMetric;
    this.table = new SeriesTable(labelNames, max, create, () =>
      ctx.guard.drop(
        'overflow',
        name,
        () => `more than ${max} label sets; new ones are folded into "__overflow__"`,
      ),
    );
  }

  /** The series for a call's labels; undeclared keys are reported and ignored. */
  protected seriesFor(labels: LabelValues | undefined): S {
    if (labels !== undefined && this.table.hasUndeclared(labels)) {
      this.guard.drop(
        'undeclared_label',
        this.name,
        () =>
          `labels ${describeKeys(labels)} include names not declared in [${this.labelNames.join(', ')}]; they are ignored`,
      );
    }
    return this.table.get(labels);
  }

  /** A bound child's series; a failure here must not escape `bind()` either. */
  protected boundSeries(labels: LabelValues | undefined): S | undefined {
    try {
      return this.seriesFor(labels);
    } catch (e) {
      this.failed(e);
      return undefined;
    }
  }

  invalid(v: unknown): void {
    this.guard.drop(
      'invalid_value',
      this.name,
      () => `${describeValue(v)} is not a valid value; dropped`,
    );
  }

  /**
   * A value that would take a series past what every format can show (±`Number.MAX_VALUE` in
   * the exported unit): dropped, so that the series keeps its last value and JSON (which has no
   * Infinity) and the text formats agree.
   */
  overflow(v: number): void {
    this.guard.drop(
      'invalid_value',
      this.name,
      () =>
        `${describeValue(v)} would take the value past ±${Number.MAX_VALUE / this.mul}; dropped`,
    );
  }

  /** A call that threw inside obsweave (a label getter, a hostile object): dropped. */
  protected failed(e: unknown): void {
    this.guard.drop('invalid_value', this.name, () => `call dropped: ${describeError(e)}`);
  }

  reset(): void {
    this.table.reset();
  }

  /** What the exporters read: every live series with its label values, no copy made. */
  forEach(fn: (values: readonly string[], s: S) => void): void {
    this.table.forEach(fn);
  }
}

function describeKeys(labels: LabelValues): string {
  try {
    return `{${Object.keys(labels).join(', ')}}`;
  } catch {
    return '(unreadable)';
  }
}

/**
 * A gauge or histogram value every format can show: a number whose product with `mul` is
 * neither NaN nor ±Infinity (`x - x` is NaN for all three).
 */
export function shown(v: unknown, mul: number): v is number {
  if (typeof v !== 'number') return false;
  const x = v * mul;
  return x - x === 0;
}
