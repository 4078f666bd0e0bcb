import 'reflect-metadata';

// Registry
export { MetricsRegistry, metrics } from './core/metrics-registry';
export type { RegistryOptions } from './core/metrics-registry';
export { CATALOG } from './core/catalog';
export type { CatalogEntry } from './core/catalog';
export { DEFAULT_BUCKETS_MS } from './core/buckets';
export { OVERFLOW_VALUE } from './core/series-table';
export type { DropReason } from './core/guard';
export type {
  BoundCounter,
  BoundGauge,
  BoundHistogram,
  Collector,
  CollectorResult,
  Counter,
  Gauge,
  Histogram,
  HistogramOptions,
  HistogramSnapshot,
  LabelValues,
  Logger,
  MetricOptions,
  MetricType,
  Snapshot,
} from './core/types';

// Redaction
export { redact, REDACTED } from './core/redact';

// Export formats
export { PROMETHEUS_CONTENT_TYPE } from './export/prometheus';
export { OPENMETRICS_CONTENT_TYPE } from './export/openmetrics';
