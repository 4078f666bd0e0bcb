import type { IncomingMessage } from 'node:http';
import { noteContextOff, runInRequest, runWithCorrelationId } from '../context/correlation';
import { resolveCorrelationMode, type ResolvedCorrelationMode } from '../context/correlation-mode';
import type { MetricsRegistry } from '../core/metrics-registry';
import { correlationNames, readCorrelationId } from './correlation-header';
import type { RequestState } from './request-lifecycle';

/**
 * How a host (the middleware, the Fastify plugin) correlates its requests, settled once when it
 * is made: the mode, the header names read, the one echoed.
 */
export class Correlator {
  readonly mode: ResolvedCorrelationMode;
  /** Any correlation at all (`correlation` is not `false`). */
  readonly on: boolean;
  /** The header names read, in order; the first is echoed. */
  readonly names: readonly string[];
  readonly echoName: string;

  /** Throws an `obsweave:` error for an option that is no mode. */
  constructor(correlation: unknown, header: string | undefined, registry?: MetricsRegistry) {
    this.mode = resolveCorrelationMode(correlation);
    this.on = this.mode !== false;
    this.names = correlationNames(header);
    this.echoName = this.names[0];
    if (this.mode !== 'context') noteContextOff(registry);
  }

  /**
   * The request's correlation id, kept on its state: read from the headers or made on first
   * call, the same on later ones (a second middleware on one request gives the id the first gave).
   */
  idOf(state: RequestState, req: IncomingMessage): string {
    let id = state.correlationId;
    if (id === undefined) state.correlationId = id = readCorrelationId(req, this.names);
    return id;
  }

  /** Runs `next` with `id` as its correlation id, as the mode carries it; without one, plainly. */
  run(id: string | undefined, next: () => void): void {
    if (id === undefined) next();
    else if (this.mode === 'context') runWithCorrelationId(id, next);
    else runInRequest(id, next);
  }
}
