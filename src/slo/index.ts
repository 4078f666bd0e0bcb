// obsweave/slo: multi-window, multi-burn-rate alerting rules for service level objectives.
export { DEFAULT_SLOS } from './default-slos';
export { sloRules, SLO_ALERT_NAME } from './rules';
export type { AlertingRule, RecordingRule, RuleFile, RuleGroup, SloRulesOptions } from './rules';
export { sloRulesYaml } from './yaml';
export { BURN_RATE_ALERTS, SLO_WINDOWS } from './windows';
export type { BurnRateAlert } from './windows';
export type { LatencySli, RatioSli, Sli, Slo } from './slo';
