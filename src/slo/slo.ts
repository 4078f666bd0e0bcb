/**
 * A service level objective: the share of good events a service promises over a period, and
 * the indicator (SLI) that counts good and bad events in metrics obsweave exports.
 */
export interface Slo {
  /** Unique; the `slo` label of every rule and alert: letters, digits, `-`, `_` and `.`. */
  name: string;
  /** The promised share of good events, strictly between 0 and 1: `0.999`. */
  objective: number;
  /** The period the error budget is counted over, a Prometheus duration of one unit. Default `30d`. */
  period?: string;
  sli: Sli;
  /**
   * Labels the SLO is judged per: each value has its own error ratio and alerts, which carry
   * the label (`['service']`: the alert says which provider burns its budget).
   */
  by?: readonly string[];
  /**
   * Labels that tell apart the services the SLO's series come from: every ratio and alert is
   * per value of them, and the alert names them. Default: `sloRules`' `scope` option, `['job']`.
   * `[]` judges every target together. Unlike `by`, the metric need not have them: Prometheus
   * adds `job` and `instance`, relabelling the others.
   */
  scope?: readonly string[];
  /** Fixed labels added to every rule and alert of this SLO (`team`, `tier`), for routing. */
  labels?: Readonly<Record<string, string>>;
  /**
   * Labels added to the alerts of one severity only, after `labels`: `{ page: { severity:
   * 'critical', pager: 'oncall' } }`. They may replace `severity`; templates work in them.
   */
  severityLabels?: Readonly<{
    page?: Readonly<Record<string, string>>;
    ticket?: Readonly<Record<string, string>>;
  }>;
  /** The burn-rate alerts' name. Default `ErrorBudgetBurn`. */
  alertName?: string;
  /** A URL for the alerts' `runbook_url` annotation (Prometheus templates work in it). */
  runbookUrl?: string;
  /** A URL for the alerts' `dashboard_url` annotation (Prometheus templates work in it). */
  dashboardUrl?: string;
  /** What the SLO promises, in one sentence, prepended to the alerts' description. */
  description?: string;
}

export type Sli = RatioSli | LatencySli;

/**
 * Bad events over all events, as two selectors of counters: an obsweave metric name with
 * optional PromQL label matchers, `'external.calls_total{outcome!="success"}'`.
 */
export interface RatioSli {
  errors: string;
  total: string;
}

/** The share of a duration histogram's observations above `thresholdMs`. */
export interface LatencySli {
  latency: {
    /** A histogram whose name ends in `_ms` or `_seconds`: `http.request_latency_ms`. */
    metric: string;
    /** Must be one of the histogram's bucket bounds, or the share cannot be read. */
    thresholdMs: number;
    /** PromQL label matchers that pick the observations that count: `route!="/metrics"`. */
    match?: string;
  };
}

export function isLatencySli(sli: Sli): sli is LatencySli {
  return (sli as LatencySli).latency !== undefined;
}
