import { describeValue } from '../core/describe';

/**
 * How a request's correlation id is carried:
 * - `'context'`: in an async context, so `correlationId()` finds it after any `await`, in
 *   timers and in everything the request starts;
 * - `'request'`: on the request only (`correlationId(req)`), echoed and on spans, with no
 *   async context at all;
 * - `'auto'`: `'context'` where the runtime carries an async context without async hooks
 *   (Node >= 24), else `'request'`;
 * - `false`: no correlation id.
 */
export type CorrelationMode = 'auto' | 'context' | 'request' | false;

/** What `'auto'` and the other options come to on this process. */
export type ResolvedCorrelationMode = 'context' | 'request' | false;

function major(): number {
  return Number(process.versions.node.split('.')[0]);
}

function nodeFlags(): string[] {
  return [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
}

/**
 * Whether an AsyncLocalStorage runs here without async hooks: Node 24 and later carry it in
 * the engine's continuation data (AsyncContextFrame) unless `--no-async-context-frame` turns
 * that off; Node 22 only with `--experimental-async-context-frame`. Elsewhere one storage
 * turns on promise hooks for the whole process, several µs per request of an async handler.
 */
export function contextWithoutHooks(): boolean {
  const flags = nodeFlags();
  const m = major();
  if (m >= 24) return !flags.includes('--no-async-context-frame');
  if (m >= 22) return flags.includes('--experimental-async-context-frame');
  return false;
}

/**
 * The mode an option asks for, resolved on this process. `true` is `'auto'` (the option was a
 * boolean before it had modes). Anything else throws at configuration time.
 */
export function resolveCorrelationMode(option: unknown): ResolvedCorrelationMode {
  if (option === undefined || option === true || option === 'auto') {
    return contextWithoutHooks() ? 'context' : 'request';
  }
  if (option === 'context' || option === 'request' || option === false) return option;
  throw new TypeError(
    `obsweave: correlation must be 'auto', 'context', 'request' or false, got ${describeValue(option)}`,
  );
}
