export { MetricsModule, METRICS_MODULE_OPTIONS } from './metrics.module';
export type { MetricsModuleOptions } from './metrics.module';
