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
export { MetricsEndpointController } from './metrics-endpoint.controller';
export type { MetricsEndpointClass } from './metrics-endpoint.controller';
