import { AsyncLocalStorage } from 'node:async_hooks';

// Created on first use: on Node 20 an AsyncLocalStorage turns on promise hooks for the whole
// process, a cost that a service which never asks for correlation ids should not pay.
let store: AsyncLocalStorage<string> | undefined;

/** The correlation id of the request whose async context this code runs in, if any. */
export function correlationId(): string | undefined {
  return store?.getStore();
}

/** Runs `fn` with `id` as the correlation id of everything it reaches, sync or async. */
export function runWithCorrelationId<T>(id: string, fn: () => T): T {
  return (store ??= new AsyncLocalStorage<string>()).run(id, fn);
}

/**
 * Makes `id` the correlation id for the rest of the current synchronous execution and all
 * it schedules. For callers with no continuation to wrap, such as a plain `node:http` handler
 * that calls the middleware first and then goes on in the same function.
 */
export function enterCorrelationId(id: string): void {
  (store ??= new AsyncLocalStorage<string>()).enterWith(id);
}
