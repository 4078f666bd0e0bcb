import { ownValue, type FamilyDefaults } from '../core/family-view';

/** Shared by the Prometheus and OpenMetrics writers: numbers and escapes, nothing else. */

export function formatNumber(v: number): string {
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

const NEEDS_ESCAPE = /[\\"\n]/;

export function escapeLabelValue(v: string): string {
  if (!NEEDS_ESCAPE.test(v)) return v;
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/**
 * `a="x",b="y"`, without braces, so that `le` can be appended. `defaults` is the family's share
 * of the default labels (own labels clashing with one take it where empty), and `tail` those
 * pairs it adds, written once per family.
 */
export function labelPairs(
  labelNames: readonly string[],
  values: readonly string[],
  defaults?: FamilyDefaults,
  tail = '',
): string {
  let out = '';
  for (let i = 0; i < labelNames.length; i++) {
    if (i > 0) out += ',';
    const v = defaults === undefined ? values[i] : ownValue(defaults, i, values[i]);
    out += `${labelNames[i]}="${escapeLabelValue(v)}"`;
  }
  if (tail === '') return out;
  return out === '' ? tail : `${out},${tail}`;
}

/** The default labels a family adds, as `service="api",version="1"`. */
export function defaultPairs(d: FamilyDefaults): string {
  let out = '';
  for (let i = 0; i < d.names.length; i++) {
    out += `${i > 0 ? ',' : ''}${d.names[i]}="${escapeLabelValue(d.values[i])}"`;
  }
  return out;
}

export { scale } from '../core/export-name';
