import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { setCorrelationSource } from '../core/exemplars';
import { metrics, type MetricsRegistry } from '../core/metrics-registry';
import { acceptableCorrelationId } from './correlation-id';
import { requestCorrelationId, type CorrelatedState } from './request-correlation';

/**
 * What carries a correlation id: the id itself (`runWithCorrelationId`), or a request's state,
 * which makes its id only when something first asks for it.
 */
export type CorrelationCarrier = string | CorrelatedState;

// Created on first use: on Node 20 and 22 an AsyncLocalStorage turns on promise hooks for the
// whole process, a cost that a service which never asks for the async context should not pay.
let store: AsyncLocalStorage<CorrelationCarrier> | undefined;

// Request mode's only carrier: the request whose middleware is running right now, set around
// its synchronous `next()` and restored after. Code that runs synchronously inside it sees
// what an async context would show; anything later sees nothing, never another request's id.
let syncId: CorrelationCarrier | undefined;

// Installed by a tracer adapter whose context carries a span's correlation id
// (`obsweave/otel`): request mode's id then follows a span that has it through its awaits.
let fallback: (() => string | undefined) | undefined;

// Set when a middleware runs with the async context off: where the hint is logged.
let hintTo: MetricsRegistry | undefined;
let hinted = false;

/**
 * The id `correlationId()` would return, without the hint: for obsweave's own readers (spans,
 * exemplars), which look on every call and must not log on the user's behalf.
 */
export function activeCorrelationId(): string | undefined {
  return current();
}

function current(): string | undefined {
  const s = store;
  if (s !== undefined) {
    const c = s.getStore();
    if (c !== undefined) return typeof c === 'string' ? c : c.correlate();
  }
  const c = syncId;
  if (c !== undefined) return typeof c === 'string' ? c : c.correlate();
  return fallback === undefined ? undefined : fromFallback(fallback);
}

function fromFallback(f: () => string | undefined): string | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}

/**
 * Where else the current request's id may be found: the active span's context of a tracer
 * adapter, which started that span with the id (`correlation.id`) and runs the call inside it.
 * `undefined` removes it.
 */
export function setCorrelationFallback(fn: (() => string | undefined) | undefined): void {
  fallback = fn;
}

/**
 * The correlation id of the current request.
 *
 * - `correlationId(req)`: the id given to `req` by `httpMetrics`, the Fastify plugin or the
 *   NestJS module, in every correlation mode but `false` (a Node request, or a framework's
 *   request wrapping one). Works anywhere the request is at hand.
 * - `correlationId()`: the id of the request whose async context this code runs in, when that
 *   context is on (`correlation: 'context'`, or `'auto'` on Node >= 24), or inside
 *   `runWithCorrelationId`. Where the context is off it finds the id only in code that runs
 *   synchronously inside the middleware; otherwise it returns `undefined` (never another
 *   request's id) and logs once how to turn the context on.
 */
export function correlationId(req?: unknown): string | undefined {
  if (arguments.length > 0) return requestCorrelationId(req);
  const id = current();
  if (id === undefined && hintTo !== undefined && !hinted) hint(hintTo);
  return id;
}

function hint(registry: MetricsRegistry): void {
  hinted = true;
  try {
    registry.warnOnce(
      'correlation.context_off',
      'correlationId() found no request context: the async context is off (correlation ' +
        "'request', the default on Node 20 and 22, keeps the id on the request only). Read " +
        "correlationId(req) where the request is at hand, or pass correlation: 'context' to " +
        'carry it through awaits and timers (at a cost on Node 20 and 22, see the README).',
    );
  } catch {}
}

/**
 * Runs `fn` with `id` as the correlation id of everything it reaches, sync or async. The id is
 * checked as a request's header is: one that is not a string, too long, of other characters
 * or credential-like (a token, a key, `user:pass@host`) is replaced by a new UUID, so that it
 * never reaches a span or an exemplar.
 */
export function runWithCorrelationId<T>(id: string, fn: () => T): T {
  return runInContext(
    typeof id === 'string' && acceptableCorrelationId(id) ? id : randomUUID(),
    fn,
  );
}

/** `runWithCorrelationId` for a carrier: context mode's middleware around its `next()`. */
export function runInContext<T>(carrier: CorrelationCarrier, fn: () => T): T {
  return (store ??= new AsyncLocalStorage<CorrelationCarrier>()).run(carrier, fn);
}

/**
 * Makes `carrier` the source of the correlation id for the rest of the current synchronous
 * execution and all it schedules. For callers with no continuation to wrap, such as a plain
 * `node:http` handler that calls the middleware first and then goes on in the same function.
 */
export function enterContext(carrier: CorrelationCarrier): void {
  (store ??= new AsyncLocalStorage<CorrelationCarrier>()).enterWith(carrier);
}

/**
 * Runs `fn` with `carrier`'s id seen by code that runs synchronously inside it, without any
 * async context: request mode's middleware around its `next()`.
 */
export function runInRequest(carrier: CorrelationCarrier, fn: () => void): void {
  const prev = syncId;
  syncId = carrier;
  try {
    fn();
  } finally {
    syncId = prev;
  }
}

/**
 * Told by a middleware whose async context is off: a later `correlationId()` that finds
 * nothing logs the hint once, through `registry`'s logger.
 */
export function noteContextOff(registry: MetricsRegistry = metrics): void {
  hintTo ??= registry;
}

/** Whether this process made the async context's storage: for tests of request mode. */
export function contextStorageMade(): boolean {
  return store !== undefined;
}

// Histogram exemplars keep the id of the request they were observed in.
setCorrelationSource(current);
