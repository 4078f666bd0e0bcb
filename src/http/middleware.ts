import type { IncomingMessage, ServerResponse } from 'node:http';
import { enterContext } from '../context/correlation';
import type { CorrelationMode } from '../context/correlation-mode';
import { Correlator, type CorrelationEcho } from './correlate';
import type { RequestState } from './request-lifecycle';
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
   * Correlation ids: read from the request's header or made when first asked for, echoed on
   * the response as `correlationEcho` says, returned by `correlationId(req)` and put on spans
   * and exemplars.
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
  /**
   * When the id goes on the response:
   * - `'on-demand'` (default): when the request brought one (a malformed or credential-like
   *   one is replaced, and the replacement echoed), else once something asks for the id
   *   (`correlationId()`, a span, an exemplar) before the response has started. A request
   *   nothing asks about costs no id and no header: a UUID and a validated header are most of
   *   correlation's cost per request.
   * - `'always'`: on every response; the id is made when the request arrives.
   */
  correlationEcho?: CorrelationEcho;
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
 * function, or pass the rest as `next`: `mw(req, res, () => handle(req, res))`. With
 * `correlation: 'context'` on Node 20 and 22, pass `next`: without it the context is entered on
 * the connection's own async resource there and stays on it, so code that runs before the
 * middleware on the connection's next request (another `'request'` listener) would see this
 * request's id.
 *
 * @example
 * ```ts
 * const app = express();
 * app.use(httpMetrics({ routes: ['/api/jobs/:id'] }));
 * app.use('/metrics', createMetricsHandler({ token: process.env.METRICS_TOKEN }));
 *
 * // or with node:http
 * const metered = httpMetrics();
 * createServer((req, res) => metered(req, res, () => handle(req, res)));
 * ```
 */
export function httpMetrics<
  Req extends IncomingMessage = IncomingMessage,
  Res extends ServerResponse = ServerResponse,
>({
  correlation = 'auto',
  correlationHeader,
  correlationEcho,
  ...routeOptions
}: HttpMetricsOptions<Req, Res> = {}): HttpMetricsMiddleware<Req, Res> {
  const correlator = new Correlator(
    correlation,
    correlationHeader,
    correlationEcho,
    routeOptions.registry,
  );
  const meter = new RequestMeter(routeOptions as HttpRouteOptions<unknown, unknown>);

  return function httpMetricsMiddleware(req, res, next) {
    let state: RequestState | undefined;
    try {
      const url = (req as { originalUrl?: string }).originalUrl ?? req.url ?? '/';
      state = meter.begin(req, { url, always: correlator.on, res });
      if (state !== undefined && correlator.on) correlator.attach(state, req, res);
    } catch {
      // A throwing `ignore` or a hostile request: the host's request goes on unmeasured.
    }
    if (next !== undefined) correlator.run(state, next);
    else if (state !== undefined && correlator.mode === 'context') enterContext(state);
  };
}
