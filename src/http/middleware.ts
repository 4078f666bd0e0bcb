import type { IncomingMessage, ServerResponse } from 'node:http';
import { enterCorrelationId } from '../context/correlation';
import type { CorrelationMode } from '../context/correlation-mode';
import { Correlator } from './correlate';
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
  const correlator = new Correlator(correlation, correlationHeader, routeOptions.registry);
  const meter = new RequestMeter(routeOptions as HttpRouteOptions<unknown, unknown>);

  return function httpMetricsMiddleware(req, res, next) {
    let id: string | undefined;
    try {
      const url = (req as { originalUrl?: string }).originalUrl ?? req.url ?? '/';
      const state = meter.begin(req, url, undefined, correlator.on, res);
      if (state !== undefined && correlator.on) {
        id = correlator.idOf(state, req);
        if (!res.headersSent) res.setHeader(correlator.echoName, id);
      }
    } catch {
      // A throwing `ignore` or a hostile request: the host's request goes on unmeasured.
    }
    if (next !== undefined) correlator.run(id, next);
    else if (id !== undefined && correlator.mode === 'context') enterCorrelationId(id);
  };
}
