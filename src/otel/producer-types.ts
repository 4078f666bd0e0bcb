import type { Attributes, AttributeValue, HrTime, ValueType } from '@opentelemetry/api';

// The shapes of `@opentelemetry/sdk-metrics` that the producer returns, declared here rather
// than imported: `obsweave/otel`'s declarations then type-check in a project that has only
// `@opentelemetry/api` (for `otelTracer`), under `skipLibCheck: false`. They are structurally
// the SDK's own (v2): `test/otel/metric-producer.test.ts` hands the producer to a real
// MeterProvider, which the compiler accepts only while they are.

/** The SDK's `DataPointType`, by value. */
export type OtelDataPointType = 0 | 1 | 2 | 3;

export interface OtelDataPoint<T> {
  readonly startTime: HrTime;
  readonly endTime: HrTime;
  readonly attributes: Attributes;
  readonly value: T;
}

export interface OtelHistogramValue {
  buckets: { boundaries: number[]; counts: number[] };
  sum?: number;
  count: number;
  min?: number;
  max?: number;
}

/** The SDK's `ExponentialHistogram`: OpenTelemetry's scale is Prometheus' schema. */
export interface OtelExponentialHistogramValue {
  count: number;
  sum?: number;
  scale: number;
  zeroCount: number;
  positive: { offset: number; bucketCounts: number[] };
  negative: { offset: number; bucketCounts: number[] };
  min?: number;
  max?: number;
}

export interface OtelMetricDescriptor {
  readonly name: string;
  readonly description: string;
  readonly unit: string;
  readonly valueType: ValueType;
}

interface OtelMetricDataBase {
  readonly descriptor: OtelMetricDescriptor;
  /** `AggregationTemporality.CUMULATIVE`: every point counts from the process start. */
  readonly aggregationTemporality: 1;
}

/** One exported family: the SDK's `MetricData`. */
export type OtelMetricData =
  | (OtelMetricDataBase & {
      readonly dataPointType: 3;
      readonly dataPoints: OtelDataPoint<number>[];
      readonly isMonotonic: boolean;
    })
  | (OtelMetricDataBase & {
      readonly dataPointType: 2;
      readonly dataPoints: OtelDataPoint<number>[];
    })
  | (OtelMetricDataBase & {
      readonly dataPointType: 0;
      readonly dataPoints: OtelDataPoint<OtelHistogramValue>[];
    })
  | (OtelMetricDataBase & {
      readonly dataPointType: 1;
      readonly dataPoints: OtelDataPoint<OtelExponentialHistogramValue>[];
    });

/** The SDK's `Resource` (from `@opentelemetry/resources`). */
export interface OtelResource {
  readonly asyncAttributesPending?: boolean;
  readonly attributes: Attributes;
  readonly schemaUrl?: string;
  waitForAsyncAttributes?(): Promise<void>;
  merge(other: OtelResource | null): OtelResource;
  getRawAttributes(): [string, AttributeValue | undefined | Promise<AttributeValue | undefined>][];
}

export interface OtelResourceMetrics {
  resource: OtelResource;
  scopeMetrics: {
    scope: { readonly name: string; readonly version?: string; readonly schemaUrl?: string };
    metrics: OtelMetricData[];
  }[];
}

/**
 * What `otelMetricProducer` returns: the SDK's `MetricProducer`, for a reader's
 * `metricProducers`.
 */
export interface OtelMetricProducer {
  collect(options?: { timeoutMillis?: number }): Promise<{
    resourceMetrics: OtelResourceMetrics;
    errors: unknown[];
  }>;
}
