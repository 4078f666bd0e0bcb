// obsweave/slo: multi-window, multi-burn-rate alerting rules for service level objectives.
export { DEFAULT_SLOS } from './default-slos';
export { sloRules, SLO_ABSENT_ALERT_NAME } from './rules';
export type { AlertingRule, RecordingRule, RuleFile, RuleGroup, SloRulesOptions } from './rules';
export { SLO_ALERT_NAME, SloConfigError } from './validate';
export { sloRulesYaml } from './yaml';
export { sloTests } from './tests';
export type { SloTestsOptions } from './tests';
export type { MetricSource } from './scrape';
export { BURN_RATE_ALERTS, burnFactor, SLO_WINDOWS } from './windows';
export type { BurnRateAlert } from './windows';
export type { LatencySli, RatioSli, Sli, Slo } from './slo';
