import type { MetricsRegistry } from '../core/metrics-registry';
import { redact } from '../redact/redact';
import { registryState } from '../core/registry-state';

/** A code short and tame enough to be a label value: never a message. */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_.-]{0,39}$/;

/** Distinct codes kept per metric and stage before new ones are counted as `other`. */
const MAX_CODES = 20;
const OTHER_CODE = 'other';

function field(e: unknown, key: 'code' | 'name'): unknown {
  try {
    return (e as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

/**
 * A label for a failure: `e.code` when it is a short identifier (`ENOENT`, `UND_ERR_SOCKET`),
 * else `e.name` when it is one (`TypeError`), else `unknown`. Never reads the message, so
 * free text (ids, URLs, user input) cannot become a label. An identifier that `redact()`
 * would change (`AKIA…`, `ghp_…`, a long random token) is a credential that was put where a
 * code goes: `unknown` too. Never throws.
 */
export function errCode(e: unknown): string {
  if (e === null || (typeof e !== 'object' && typeof e !== 'function')) return 'unknown';
  const code = field(e, 'code');
  if (typeof code === 'string' && IDENTIFIER.test(code)) return tame(code);
  const name = field(e, 'name');
  if (typeof name === 'string' && IDENTIFIER.test(name)) return tame(name);
  return 'unknown';
}

function tame(id: string): string {
  return redact(id) === id ? id : 'unknown';
}

/** The first `MAX_CODES` codes seen pass through; later new ones become `other`. */
export class CodeCap {
  private readonly seen = new Set<string>();

  label(e: unknown): string {
    const code = errCode(e);
    if (this.seen.has(code)) return code;
    if (this.seen.size >= MAX_CODES) return OTHER_CODE;
    this.seen.add(code);
    return code;
  }
}

/** The cap shared by every recorder of `metric` and `scope` (a stage) in one registry. */
export function codeCapFor(registry: MetricsRegistry, metric: string, scope: string): CodeCap {
  const byKey = registryState(registry, CodeCap, () => new Map<string, CodeCap>());
  const key = `${metric}\u0000${scope}`;
  let cap = byKey.get(key);
  if (cap === undefined) byKey.set(key, (cap = new CodeCap()));
  return cap;
}
