export { MetricsController } from './metrics-controller';
export type {
  MetricsControllerOptions,
  MetricsRequest,
  MetricsResponse,
} from './metrics-controller';
export { createMetricsHandler } from './metrics-handler';
export type { MetricsHandler, MetricsHandlerOptions } from './metrics-handler';
export { negotiateFormat } from './negotiate';
export type { MetricsFormat } from './negotiate';
