export { MetricsModule } from './metrics.module';
export type { MetricsModuleOptions } from './metrics.module';
export {
  InjectMetric,
  METRICS_REGISTRY,
  getMetricToken,
  makeCounterProvider,
  makeGaugeProvider,
  makeHistogramProvider,
} from './metric-providers';
export type { HistogramProviderOptions, MetricProviderOptions } from './metric-providers';
