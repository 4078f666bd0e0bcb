import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { enterCorrelationId, runWithCorrelationId } from './correlation';
import { CORRELATION_HEADERS, readCorrelationId } from './correlation-header';
import { HttpMeter, type HttpRouteOptions } from './http-meter';
import { ignoreMatcher } from './ignore';
import { RequestState, trackRequest } from './request-tracker';

export interface HttpMetricsOptions extends HttpRouteOptions {
  /**
   * Read or create a correlation id per request, echo it on the response and make it
   * `correlationId()` in the request's async context. Default true. Off, the middleware does
   * no header work, no UUID and no AsyncLocalStorage at all.
   */
  correlation?: boolean;
  /** The one header read and echoed. Default: read `x-correlation-id`, then `x-request-id`; echo `x-correlation-id`. */
  correlationHeader?: string;
  /** Paths (query dropped) that are not measured. Default: only `/metrics`. Replaces the default. */
  ignore?: (path: string) => boolean;
}

export type HttpMetricsMiddleware = (
  req: IncomingMessage,
  res: ServerResponse,
  next?: (err?: unknown) => void,
) => void;

/**
 * Express middleware, also usable with plain `node:http`: records `http.requests_total`,
 * `http.errors_total` and `http.request_latency_ms` when the response finishes or the
 * connection closes (code class `aborted`), once per request.
 *
 * With `node:http`, call it first in the handler: `mw(req, res)` then go on in the same
 * function, or pass the rest as `next`: `mw(req, res, () => handle(req, res))`.
 */
export function httpMetrics({
  correlation = true,
  correlationHeader,
  ignore,
  ...routeOptions
}: HttpMetricsOptions = {}): HttpMetricsMiddleware {
  const meter = new HttpMeter(routeOptions);
  const readNames = correlationHeader ? [correlationHeader.toLowerCase()] : CORRELATION_HEADERS;
  const echoName = readNames[0];
  const ignored = ignoreMatcher(ignore);

  return function httpMetricsMiddleware(req, res, next) {
    let id: string | undefined;
    try {
      const url = (req as { originalUrl?: string }).originalUrl ?? req.url ?? '/';
      if (!ignored(url)) trackRequest(req, new RequestState(meter, performance.now(), url));
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
