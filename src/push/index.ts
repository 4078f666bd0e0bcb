// obsweave/push: a batch job's metrics sent to a Prometheus Pushgateway.
export { pushMetrics } from './push-metrics';
export type { PushMethod, PushOptions, PushResult } from './push-metrics';
export { MetricsPusher } from './metrics-pusher';
export type { MetricsPusherOptions } from './metrics-pusher';
export type { GroupingKey } from './grouping-key';
