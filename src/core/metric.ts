import type { Guard } from './guard';
import { describeError, describeValue } from './describe';
import { SeriesTable, type Series } from './series-table';
import type { LabelValues, MetricType } from './types';

/** What a metric is built with; the registry hands the same guard and limit to each. */
export interface MetricContext {
  readonly guard: Guard;
  readonly maxSeriesPerMetric: number;
}

/** What the three metric types share: a name, a series table, and the never-throw policy. */
export abstract class Metric<S extends Series> {
  abstract readonly type: MetricType;
  readonly table: SeriesTable<S>;
  protected readonly guard: Guard;

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
    ctx: MetricContext,
    create: () => S,
  ) {
    this.guard = ctx.guard;
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
   * A finite value that would take a series to ±Infinity: dropped, so that the series keeps
   * its last finite value and JSON (which has no Infinity) and the text formats agree.
   */
  overflow(v: number): void {
    this.guard.drop(
      'invalid_value',
      this.name,
      () => `${describeValue(v)} would take the value past ±${Number.MAX_VALUE}; dropped`,
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

/** A gauge or histogram value: a number, not NaN nor ±Infinity (`v - v` is NaN for both). */
export function finite(v: unknown): v is number {
  return typeof v === 'number' && v - v === 0;
}
