import { checkLabelName } from './names';
import { NO_DEFAULT_LABELS, type DefaultLabels } from './family-view';
import { labelValue } from '../redact/redact';

/**
 * Checks `defaultLabels` once, when they are configured: names as any label name, values
 * strings, numbers or booleans, stored redacted and cut as any label value.
 */
export function checkDefaultLabels(labels: unknown): DefaultLabels {
  if (labels === undefined) return NO_DEFAULT_LABELS;
  if (labels === null || typeof labels !== 'object' || Array.isArray(labels)) {
    throw new TypeError('obsweave: defaultLabels must be an object of label names to values');
  }
  const out: Record<string, string> = {};
  for (const [name, v] of Object.entries(labels)) {
    checkLabelName('defaultLabels', name);
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
      throw new TypeError(
        `obsweave: defaultLabels: the value of "${name}" must be a string, a number or a boolean`,
      );
    }
    out[name] = labelValue(v);
  }
  return Object.keys(out).length === 0 ? NO_DEFAULT_LABELS : Object.freeze(out);
}
