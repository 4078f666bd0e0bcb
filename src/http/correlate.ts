import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { enterContext, noteContextOff, runInContext, runInRequest } from '../context/correlation';
import {
  contextWithoutHooks,
  resolveCorrelationMode,
  type ResolvedCorrelationMode,
} from '../context/correlation-mode';
import { describeValue } from '../core/describe';
import type { MetricsRegistry } from '../core/metrics-registry';
import { correlationNames, readIncomingId } from './correlation-header';
import type { CorrelationMaker, RequestState } from './request-lifecycle';

/**
 * When a request's correlation id goes on its response:
 * - `'on-demand'` (default): when the request brought one (or one that had to be replaced),
 *   else once something asks for it (`correlationId()`, a span, an exemplar) before the
 *   response has started. A request nothing asks about makes no id and writes no header.
 * - `'always'`: every response; the id is made when the request arrives.
 */
export type CorrelationEcho = 'on-demand' | 'always';

function resolveEcho(echo: unknown): boolean {
  if (echo === undefined || echo === 'on-demand') return false;
  if (echo === 'always') return true;
  throw new TypeError(
    `obsweave: correlationEcho must be 'on-demand' or 'always', got ${describeValue(echo)}`,
  );
}

/**
 * How a host (the middleware, the Fastify plugin) correlates its requests, settled once when it
 * is made: the mode, the header names read, the one echoed, when it is echoed.
 */
export class Correlator implements CorrelationMaker {
  readonly mode: ResolvedCorrelationMode;
  /** Any correlation at all (`correlation` is not `false`). */
  readonly on: boolean;
  /** The header names read, in order; the first is echoed. */
  readonly names: readonly string[];
  readonly echoName: string;
  private readonly eager: boolean;
  /**
   * Context mode on a runtime whose async context is a frame that Node puts back when each
   * callback returns (Node >= 24): the request's context is entered, not run around `next`.
   * `run` makes a second frame to restore the first (a copy, most of its cost); entering makes
   * one, and the callback that emitted the request drops it, so the next request, pipelined
   * or not, starts outside it. Code after the middleware in the same request's listeners sees
   * the request's id, as it would anyway on its own request.
   */
  private readonly enters: boolean;

  /** Throws an `obsweave:` error for an option that is no mode, or no echo. */
  constructor(
    correlation: unknown,
    header: string | undefined,
    echo: unknown,
    registry?: MetricsRegistry,
  ) {
    this.mode = resolveCorrelationMode(correlation);
    this.on = this.mode !== false;
    this.names = correlationNames(header);
    this.echoName = this.names[0];
    this.eager = resolveEcho(echo);
    this.enters = this.mode === 'context' && contextWithoutHooks();
    if (this.mode !== 'context') noteContextOff(registry);
  }

  /**
   * Gives a request's state its correlation: the id the request brought, echoed; else, with
   * `'always'`, a new one, echoed; else the means to make one on first need. A request already
   * correlated (a second middleware) keeps what it has.
   */
  attach(state: RequestState, req: IncomingMessage, res: ServerResponse): void {
    if (state.correlationId !== undefined || state.maker !== undefined) return;
    const incoming = readIncomingId(req, this.names);
    if (incoming === undefined && !this.eager) {
      state.maker = this;
      state.echoTo = res;
      return;
    }
    // `null`: an id came that may not be echoed; its caller is told the one that replaces it.
    this.echo(res, (state.correlationId = incoming ?? randomUUID()));
  }

  /** The id of a request that brought none, made when first asked for, echoed if still possible. */
  make(state: RequestState): string {
    const id = (state.correlationId = randomUUID());
    const res = state.echoTo;
    state.maker = undefined;
    state.echoTo = undefined;
    if (res !== undefined) this.echo(res, id);
    return id;
  }

  /** Runs `next` with the request's correlation, as the mode carries it; without one, plainly. */
  run(state: RequestState | undefined, next: () => void): void {
    if (state === undefined || !this.on) next();
    else if (this.enters) {
      enterContext(state);
      next();
    } else if (this.mode === 'context') runInContext(state, next);
    else runInRequest(state, next);
  }

  private echo(res: ServerResponse, id: string): void {
    try {
      if (!res.headersSent) res.setHeader(this.echoName, id);
    } catch {
      // a response some other code has broken: the id stays on the request and in the context
    }
  }
}
