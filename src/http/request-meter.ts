import type { IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import { httpRecorder, type HttpOutcome, type HttpRecorder } from '../core/http-recorder';
import { metrics, type MetricsRegistry } from '../core/metrics-registry';
import { ignoreMatcher } from './ignore';
import {
  RequestState,
  requestState,
  trackRequest,
  untrackedState,
  type RequestSink,
} from './request-lifecycle';
import { RouteResolver, type RouteResolutionOptions } from './route-resolution';

/** How requests are measured, shared by the middleware and the framework plugins. */
export interface HttpRouteOptions extends RouteResolutionOptions {
  /** Where the `http.*` metrics go. Default: the process-wide `metrics`. */
  registry?: MetricsRegistry;
  /** Paths (query dropped) that are not measured. Default: only `/metrics`. Replaces the default. */
  ignore?: (path: string) => boolean;
}

/**
 * Measures requests from their start to their end: `begin` hands a request to the lifecycle
 * tracker, which calls `complete` once when it ends; the route is then resolved and the three
 * `http.*` metrics recorded.
 */
export class RequestMeter implements RequestSink {
  private readonly recorder: HttpRecorder;
  private readonly routes: RouteResolver;
  private readonly ignored: (url: string) => boolean;

  constructor({ registry = metrics, ignore, ...routeOptions }: HttpRouteOptions = {}) {
    this.ignored = ignoreMatcher(ignore);
    this.recorder = httpRecorder(registry);
    this.routes = new RouteResolver(routeOptions);
  }

  /**
   * Starts measuring `req`, arrived with `url`, unless that URL is ignored. `route` is the
   * template when the framework already knows it (Fastify's router). Returns the request's
   * state (a request already begun keeps its first one); for an ignored URL, one that is
   * never recorded when `always`, else `undefined`.
   */
  begin(
    req: IncomingMessage,
    url: string,
    route: string | undefined,
    always: boolean,
  ): RequestState | undefined {
    if (this.ignored(url)) return always ? untrackedState(req, this, url) : undefined;
    const state = new RequestState(this, performance.now(), url);
    state.route = route;
    return trackRequest(req, state) ? state : requestState(req);
  }

  complete(req: IncomingMessage, state: RequestState, outcome: HttpOutcome): void {
    const route = state.route ?? this.routes.resolve(req, state.url);
    this.recorder.record(req.method ?? 'GET', route, outcome, performance.now() - state.start);
  }
}
