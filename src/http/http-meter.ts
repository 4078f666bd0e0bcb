import type { IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import { metrics, type MetricsRegistry } from '../core/metrics-registry';
import { httpRecorder, type HttpOutcome, type HttpRecorder } from './http-recorder';
import { normalizeRoute } from './normalize-route';
import { ignoreMatcher } from './ignore';
import { RequestState, trackRequest, type RequestSink } from './request-tracker';
import { compileRoutes, type RouteMatcher } from './route-matcher';

/** The route label of requests that match none of the configured `routes`. */
export const UNMATCHED_ROUTE = '__unmatched__';

/** How a request's route label is found, shared by the middleware and the framework plugins. */
export interface HttpRouteOptions {
  /** Where the `http.*` metrics go. Default: the process-wide `metrics`. */
  registry?: MetricsRegistry;
  /** Templates like `/api/jobs/:id`; the first that matches is the route, else `__unmatched__`. */
  routes?: readonly string[];
  /** Turns a raw path (query included) into a route when no template applies. Default `normalizeRoute`. */
  normalize?: (path: string) => string;
  /** Paths (query dropped) that are not measured. Default: `/metrics` and below it. Replaces the default. */
  ignore?: (path: string) => boolean;
}

/** Express's view of a request, read only when the request ends (Express sets it late). */
interface ExpressRequest extends IncomingMessage {
  baseUrl?: string;
  route?: { path?: unknown };
}

/**
 * Turns a tracked request's end into the three `http.*` metrics: the route in the SPEC's
 * order (a framework route known up front, Express `baseUrl + route.path`, the first matching
 * template, `__unmatched__` when templates were given, else the normalized path).
 */
export class HttpMeter implements RequestSink {
  private readonly recorder: HttpRecorder;
  private readonly match: RouteMatcher | undefined;
  private readonly normalize: (path: string) => string;
  private readonly ignored: (url: string) => boolean;

  constructor({
    registry = metrics,
    routes,
    normalize = normalizeRoute,
    ignore,
  }: HttpRouteOptions = {}) {
    this.ignored = ignoreMatcher(ignore);
    this.recorder = httpRecorder(registry);
    this.match = Array.isArray(routes) ? compileRoutes(routes) : undefined;
    this.normalize = normalize;
  }

  /**
   * Starts measuring `req`, arrived with `url`, unless that URL is ignored. `route` is the
   * template when the framework already knows it (Fastify's router).
   */
  begin(req: IncomingMessage, url: string, route?: string): void {
    if (this.ignored(url)) return;
    const state = new RequestState(this, performance.now(), url);
    state.route = route;
    trackRequest(req, state);
  }

  complete(req: IncomingMessage, state: RequestState, outcome: HttpOutcome): void {
    const route = state.route ?? this.resolve(req as ExpressRequest, state.url);
    this.recorder.record(req.method ?? 'GET', route, outcome, performance.now() - state.start);
  }

  private resolve(req: ExpressRequest, url: string): string {
    const expressPath = req.route?.path;
    if (typeof expressPath === 'string') {
      // A mount path may hold parameter values (`/t/acme`): normalized like a raw path.
      const base = req.baseUrl;
      return base ? mounted(this.normalize(base), expressPath) : this.unmounted(expressPath, url);
    }
    if (this.match !== undefined) {
      const q = url.indexOf('?');
      return this.match(q < 0 ? url : url.slice(0, q)) ?? UNMATCHED_ROUTE;
    }
    try {
      const r = this.normalize(url);
      return typeof r === 'string' ? r : UNMATCHED_ROUTE;
    } catch {
      return UNMATCHED_ROUTE;
    }
  }

  /**
   * Express restores `req.baseUrl` when an error leaves a router, but keeps `req.route`: a
   * route with fewer segments than the path then lost its mount path, taken back from the path.
   */
  private unmounted(template: string, url: string): string {
    if (template.includes('*') || template.includes('(')) return template;
    const q = url.indexOf('?');
    const end = q < 0 ? url.length : q;
    const missing = segments(url, 0, end) - segments(template, 0, template.length);
    if (missing <= 0) return template;
    let cut = 0;
    for (let seen = 0; cut < end; cut++) {
      if (
        url.charCodeAt(cut) === 47 &&
        cut > 0 &&
        url.charCodeAt(cut - 1) !== 47 &&
        ++seen === missing
      )
        break;
    }
    return mounted(this.normalize(url.slice(0, cut)), template);
  }
}

/** A router's root route is its mount path: `/api/videos` + `/` is `/api/videos`, as mounted directly. */
function mounted(base: string, path: string): string {
  return path === '/' && base !== '/' ? base : base + path;
}

/** Non-empty `/`-separated segments of `s[from, to)`. */
function segments(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    if (s.charCodeAt(i) !== 47 && (i === from || s.charCodeAt(i - 1) === 47)) n++;
  }
  return n;
}
