import { installWriters } from '../core/writers';
import { toJson } from './json';
import { toOpenMetricsText } from './openmetrics';
import { toPrometheusText } from './prometheus';

// Loaded by every entry point: from here on, every registry's `snapshot()`, `toPrometheus()`
// and `toOpenMetrics()` write through these.
installWriters({
  json: (families, labels) => toJson(families, labels),
  prometheus: toPrometheusText,
  openmetrics: toOpenMetricsText,
});
