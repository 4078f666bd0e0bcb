/**
 * The multi-window, multi-burn-rate alerts of the Google SRE workbook ("Alerting on SLOs"),
 * as Sloth and Pyrra write them for a 30-day period. A burn rate is the error ratio over the
 * error budget: 1 spends the budget exactly over the period. Each alert needs its long window
 * (enough budget spent to matter) and its short window (still burning now, so that it resolves
 * soon after the errors stop) above the factor. There is no `for:`: the long window already
 * asks for a sustained burn, and a `for:` would only delay the page.
 */
export interface BurnRateAlert {
  readonly severity: 'page' | 'ticket';
  readonly factor: number;
  readonly long: string;
  readonly short: string;
}

export const BURN_RATE_ALERTS: readonly BurnRateAlert[] = Object.freeze([
  { severity: 'page', factor: 14.4, long: '1h', short: '5m' }, // 2% of a 30d budget in 1h
  { severity: 'page', factor: 6, long: '6h', short: '30m' }, // 5% in 6h
  { severity: 'ticket', factor: 3, long: '1d', short: '2h' }, // 10% in 1d
  { severity: 'ticket', factor: 1, long: '3d', short: '6h' }, // 10% in 3d
] as BurnRateAlert[]);

/** Every window an error ratio is recorded over; the SLO's period is added to them. */
export const SLO_WINDOWS: readonly string[] = Object.freeze([
  '5m',
  '30m',
  '1h',
  '2h',
  '6h',
  '1d',
  '3d',
]);

export const DEFAULT_PERIOD = '30d';
