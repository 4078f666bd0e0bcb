import type { IncomingMessage, ServerResponse } from 'node:http';
import { enterCorrelationId, runWithCorrelationId } from '../context/correlation';
import { correlationNames, readCorrelationId } from './correlation-header';
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
   * Read or create a correlation id per request, echo it on the response and make it
   * `correlationId()` in the request's async context. Default true. On Node 20 and 22 that
   * context is an AsyncLocalStorage, which runs async hooks for every promise and timer of the
   * process, several µs per request of a typical async handler. Off, the middleware does no
   * header work, no UUID and no AsyncLocalStorage at all.
   */
  correlation?: boolean;
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
  correlation = true,
  correlationHeader,
  ...routeOptions
}: HttpMetricsOptions<Req, Res> = {}): HttpMetricsMiddleware<Req, Res> {
  const meter = new RequestMeter(routeOptions as HttpRouteOptions<unknown, unknown>);
  const readNames = correlationNames(correlationHeader);
  const echoName = readNames[0];

  return function httpMetricsMiddleware(req, res, next) {
    let id: string | undefined;
    try {
      meter.begin(
        req,
        (req as { originalUrl?: string }).originalUrl ?? req.url ?? '/',
        undefined,
        res,
      );
      if (correlation) {
        id = readCorrelationId(req, readNames);
        if (!res.headersSent) res.setHeader(echoName, id);
      }
    } catch {
      // A throwing `ignore` or a hostile request: the host's request goes on unmeasured.
    }
    if (id === undefined) {
      if (next !== undefined) next();
    } else if (next !== undefined) runWithCorrelationId(id, next);
    else enterCorrelationId(id);
  };
}
