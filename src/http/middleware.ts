import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  enterCorrelationId,
  noteContextOff,
  runInRequest,
  runWithCorrelationId,
} from '../context/correlation';
import { resolveCorrelationMode, type CorrelationMode } from '../context/correlation-mode';
import { correlate } from './correlate';
import { correlationNames } from './correlation-header';
import { RequestMeter, type HttpRouteOptions } from './request-meter';

/**
 * `Req` and `Res` are what `bypass` and `labels` receive: Express's `Request` and `Response`
 * when the functions are typed so; `IncomingMessage` and `ServerResponse` by default.
 */
export interface HttpMetricsOptions<
  Req extends IncomingMessage = IncomingMessage,
  Res extends ServerResponse = ServerResponse,
> extends HttpRouteOptions<Req, Res> {
  /**
   * Correlation ids: read from the request's header or made, echoed on the response, returned
   * by `correlationId(req)` and put on spans and exemplars.
   * - `'auto'` (default): `'context'` on Node >= 24, where the async context runs without
   *   async hooks; `'request'` on Node 20 and 22.
   * - `'context'`: `correlationId()` also works anywhere in the request's async context, after
   *   awaits and in timers. On Node 20 and 22 that context is an AsyncLocalStorage, which runs
   *   async hooks for every promise and timer of the process: several µs per request of an
   *   async handler.
   * - `'request'`: no async context; `correlationId()` without the request finds the id only
   *   in code that runs synchronously inside the middleware, and logs once how to turn the
   *   context on.
   * - `false`: no header work, no id.
   * `true` is `'auto'`. Anything else throws when the middleware is made.
   */
  correlation?: CorrelationMode | boolean;
  /** The one header read and echoed. Default: read `x-correlation-id`, then `x-request-id`; echo `x-correlation-id`. */
  correlationHeader?: string;
}

export type HttpMetricsMiddleware<
  Req extends IncomingMessage = IncomingMessage,
  Res extends ServerResponse = ServerResponse,
> = (req: Req, res: Res, next?: (err?: unknown) => void) => void;

/**
 * Express middleware, also usable with plain `node:http`: records `http.requests_total`,
 * `http.errors_total` and `http.request_latency_ms` when the response finishes or the
 * connection closes (code class `aborted`), once per request.
 *
 * With `node:http`, call it first in the handler: `mw(req, res)` then go on in the same
 * function, or pass the rest as `next`: `mw(req, res, () => handle(req, res))`.
 */
export function httpMetrics<
  Req extends IncomingMessage = IncomingMessage,
  Res extends ServerResponse = ServerResponse,
>({
  correlation = 'auto',
  correlationHeader,
  ...routeOptions
}: HttpMetricsOptions<Req, Res> = {}): HttpMetricsMiddleware<Req, Res> {
  const mode = resolveCorrelationMode(correlation);
  const meter = new RequestMeter(routeOptions as HttpRouteOptions<unknown, unknown>);
  const readNames = correlationNames(correlationHeader);
  const echoName = readNames[0];
  const correlating = mode !== false;
  if (mode !== 'context') noteContextOff(routeOptions.registry);

  return function httpMetricsMiddleware(req, res, next) {
    let id: string | undefined;
    try {
      const url = (req as { originalUrl?: string }).originalUrl ?? req.url ?? '/';
      const state = meter.begin(req, url, undefined, correlating, res);
      if (state !== undefined && correlating) {
        id = correlate(state, req, readNames);
        if (!res.headersSent) res.setHeader(echoName, id);
      }
    } catch {
      // A throwing `ignore` or a hostile request: the host's request goes on unmeasured.
    }
    if (next === undefined) {
      if (id !== undefined && mode === 'context') enterCorrelationId(id);
    } else if (id === undefined) next();
    else if (mode === 'context') runWithCorrelationId(id, next);
    else runInRequest(id, next);
  };
}
