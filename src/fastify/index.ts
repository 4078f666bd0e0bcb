export { fastifyMetrics } from './metrics.plugin';
export type { FastifyMetricsOptions } from './metrics.plugin';
export type { FastifyServeOptions } from './metrics-route';
