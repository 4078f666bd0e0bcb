/** How figures read on the page; one fixed locale, so the page reads the same everywhere. */

export const NONE = '—';

/** @type {Map<number, Intl.NumberFormat>} */
const formats = new Map();

/**
 * @param {number} v
 * @param {number} digits
 */
function fixed(v, digits) {
  let f = formats.get(digits);
  if (f === undefined) {
    f = new Intl.NumberFormat('en-US', {
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    });
    formats.set(digits, f);
  }
  return f.format(v);
}

/** @param {unknown} v @returns {v is number} */
const known = (v) => typeof v === 'number' && Number.isFinite(v);

/** @param {number | null | undefined} v */
export function count(v) {
  return known(v) ? fixed(v, 0) : NONE;
}

/**
 * A rate, with a unit such as `/s`.
 * @param {number | null | undefined} v
 * @param {string} [unit]
 */
export function rate(v, unit = '/s') {
  if (!known(v)) return NONE;
  return `${fixed(v, v === 0 || v >= 100 ? 0 : v >= 10 ? 1 : 2)}${unit}`;
}

/** A share in [0, 1] as a percentage. @param {number | null | undefined} v */
export function share(v) {
  if (!known(v)) return NONE;
  const p = v * 100;
  return `${fixed(p, p === 0 || p === 100 ? 0 : p < 10 ? 2 : 1)} %`;
}

/**
 * How far off a figure may be, relative to it: `±9.05 %`; empty when that is not known.
 * @param {number | null | undefined} v
 */
export function within(v) {
  return known(v) ? `±${share(v)}` : '';
}

/** A percentage already in [0, 100]. @param {number | null | undefined} v */
export function percent(v) {
  return known(v) ? `${fixed(v, 1)} %` : NONE;
}

/** @param {number | null | undefined} v */
export function ms(v) {
  if (!known(v)) return NONE;
  if (v >= 1000) return `${fixed(v / 1000, v >= 100_000 ? 0 : 2)} s`;
  return `${fixed(v, v >= 100 ? 0 : v >= 10 ? 1 : 2)} ms`;
}

/** @param {number | null | undefined} v */
export function megabytes(v) {
  return known(v) ? `${fixed(v, 1)} MB` : NONE;
}

/** @param {number | null | undefined} v */
export function burn(v) {
  return known(v) ? `${fixed(v, v >= 10 ? 1 : 2)}×` : NONE;
}

/** An objective such as 0.999 as `99.9 %`. @param {number} v */
export function objective(v) {
  const p = v * 100;
  const digits = Math.min(4, Math.max(0, String(p).split('.')[1]?.length ?? 0));
  return `${fixed(p, digits)} %`;
}

/** @param {string} iso */
export function clock(iso) {
  const d = new Date(iso);
  return Number.isFinite(d.getTime()) ? d.toISOString().slice(11, 19) + ' UTC' : NONE;
}

/**
 * A window's length as the selector names it: `10 s`, `1 min`, `5 min`.
 * @param {number} seconds
 */
export function duration(seconds) {
  return seconds >= 60 && seconds % 60 === 0 ? `${seconds / 60} min` : `${seconds} s`;
}
