import type { IncomingMessage } from 'node:http';
import { readCorrelationId } from './correlation-header';
import type { RequestState } from './request-lifecycle';

/**
 * The request's correlation id, kept on its state: read from `names` or made on first call, the
 * same on later ones (a second middleware on one request gives the id the first gave).
 */
export function correlate(
  state: RequestState,
  req: IncomingMessage,
  names: readonly string[],
): string {
  let id = state.correlationId;
  if (id === undefined) state.correlationId = id = readCorrelationId(req, names);
  return id;
}
