/**
 * The key under which the HTTP layer keeps its one per-request object on the request
 * (`http/request-lifecycle.ts`). Defined here so that `correlationId(req)` and the decorators,
 * which sit below `http/`, can read a request's id from it.
 */
export const REQUEST_STATE: unique symbol = Symbol('obsweave.http.state');

/** The part of the per-request state this layer reads. */
export interface CorrelatedState {
  /**
   * The request's correlation id: the one it brought, else one made on this first call (and
   * echoed while the response has not started). `undefined` while correlation is off.
   */
  correlate(): string | undefined;
}

type Carrier = { [REQUEST_STATE]?: CorrelatedState; raw?: unknown };

/**
 * The correlation id given to `req`: a Node request, or a framework's wrapper of one
 * (Fastify's `request.raw`). `undefined` for anything else; never throws.
 */
export function requestCorrelationId(req: unknown): string | undefined {
  if (req === null || typeof req !== 'object') return undefined;
  try {
    const state = (req as Carrier)[REQUEST_STATE];
    if (state !== undefined) return state.correlate();
    const raw = (req as Carrier).raw;
    if (raw === null || typeof raw !== 'object') return undefined;
    return (raw as Carrier)[REQUEST_STATE]?.correlate();
  } catch {
    return undefined; // a hostile getter or proxy among a call's arguments
  }
}

/**
 * The id of the first request among a call's arguments (a handler's `req`): how a decorated
 * call learns its request's id where no async context carries it.
 */
export function correlationIdAmong(args: ArrayLike<unknown>): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a !== null && typeof a === 'object') {
      const id = requestCorrelationId(a);
      if (id !== undefined) return id;
    }
  }
  return undefined;
}
