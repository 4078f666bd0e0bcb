// obsweave/cluster: one scrape for a whole node:cluster (or worker_threads) service.

export { ClusterRegistry } from './cluster-registry';
export type { AddWorkerOptions, ClusterRegistryOptions } from './cluster-registry';
export { shareWithPrimary } from './share-with-primary';
export type { ShareOptions } from './share-with-primary';
export { DEFAULT_GAUGE_AGGREGATION } from './aggregation';
export type { GaugeAggregation } from './aggregation';
export type { PortLike } from './port';
