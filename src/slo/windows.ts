import { parseDuration } from './duration';

/**
 * The multi-window, multi-burn-rate alerts of the Google SRE workbook ("Alerting on SLOs").
 * A burn rate is the error ratio over the error budget: 1 spends the budget exactly over the
 * period. Each alert fires when its long window has spent `share` of the budget (enough to
 * matter) and its short window still burns as fast (so that it resolves soon after the errors
 * stop). There is no `for:`: the long window already asks for a sustained burn, and a `for:`
 * would only delay the page.
 */
export interface BurnRateAlert {
  readonly severity: 'page' | 'ticket';
  /** The share of the period's error budget the long window has spent when the alert fires. */
  readonly share: number;
  readonly long: string;
  readonly short: string;
}

export const BURN_RATE_ALERTS: readonly BurnRateAlert[] = Object.freeze([
  { severity: 'page', share: 0.02, long: '1h', short: '5m' },
  { severity: 'page', share: 0.05, long: '6h', short: '30m' },
  { severity: 'ticket', share: 0.1, long: '1d', short: '2h' },
  { severity: 'ticket', share: 0.1, long: '3d', short: '6h' },
] as BurnRateAlert[]);

/**
 * The burn rate above which `alert` fires for an SLO over `periodMs`: its share of the budget
 * spent within its long window. 14.4, 6, 3 and 1 for 30 days, the workbook's factors.
 */
export function burnFactor(alert: BurnRateAlert, periodMs: number): number {
  return Number(((alert.share * periodMs) / parseDuration(alert.long)!).toPrecision(12));
}

/** Every window an error ratio is recorded over; the SLO's period is recorded apart. */
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
/** How often the period's ratio is computed: a rate over weeks need not follow every minute. */
export const PERIOD_INTERVAL = '5m';
/** How long an SLI's series must be gone before its alert says so: a restart is not enough. */
export const ABSENT_FOR = '10m';
