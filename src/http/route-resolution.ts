import type { IncomingMessage } from 'node:http';
import { normalizeRoute } from './normalize-route';
import { NormalizedRoutes } from './normalized-routes';
import { compileRoutes, type RouteMatcher } from './route-matcher';

/** The route label of requests that match none of the configured `routes`. */
export const UNMATCHED_ROUTE = '__unmatched__';

/** Mount path and route pairs remembered past this many are joined afresh per request. */
const MAX_JOINED = 1000;

/** How a request's route label is found: the templates and the fallback. */
export interface RouteResolutionOptions {
  /** Templates like `/api/jobs/:id`; the first that matches is the route, else `__unmatched__`. */
  routes?: readonly string[];
  /** Turns a raw path (query included) into a route when no template applies. Default `normalizeRoute`. */
  normalize?: (path: string) => string;
  /**
   * A framework's own naming, asked first: its route template for a finished request, or
   * `undefined` to fall back to the rules above. A throw counts as `undefined`.
   */
  resolveRoute?: (req: IncomingMessage, url: string) => string | undefined;
}

/** Express's view of a request, read only when the request ends (Express sets it late). */
interface ExpressRequest extends IncomingMessage {
  baseUrl?: string;
  route?: { path?: unknown };
}

/**
 * A finished request's route label, in the SPEC's order: Express `baseUrl + route.path`, the
 * first matching template, `__unmatched__` when templates were given, else the normalized path.
 * (A route a framework knows up front, Fastify's, never comes here.)
 */
export class RouteResolver {
  private readonly match: RouteMatcher | undefined;
  private readonly normalize: (path: string) => string;
  private readonly framework: RouteResolutionOptions['resolveRoute'];
  /** Routes joined from a mount path and a router's route, by mount path then route. */
  private readonly joined = new Map<string, Map<string, string>>();
  private joinedCount = 0;

  constructor({ routes, normalize = normalizeRoute, resolveRoute }: RouteResolutionOptions = {}) {
    this.match = Array.isArray(routes) ? compileRoutes(routes) : undefined;
    // The default, remembered per resolver: a route string made once, not once per request.
    if (normalize === normalizeRoute) {
      const remembered = new NormalizedRoutes();
      this.normalize = (path) => remembered.resolve(path);
    } else this.normalize = normalize;
    this.framework = typeof resolveRoute === 'function' ? resolveRoute : undefined;
  }

  resolve(req: IncomingMessage, url: string): string {
    if (this.framework !== undefined) {
      try {
        const r = this.framework(req, url);
        if (typeof r === 'string') return r;
      } catch {
        // the rules below still name the request
      }
    }
    const expressPath = (req as ExpressRequest).route?.path;
    if (typeof expressPath === 'string') {
      // A mount path may hold parameter values (`/t/acme`): normalized like a raw path.
      const base = (req as ExpressRequest).baseUrl;
      return base
        ? this.mounted(this.normalize(base), expressPath)
        : this.unmounted(expressPath, url);
    }
    if (this.match !== undefined) return this.match(url) ?? UNMATCHED_ROUTE;
    try {
      const r = this.normalize(url);
      return typeof r === 'string' ? r : UNMATCHED_ROUTE;
    } catch {
      return UNMATCHED_ROUTE;
    }
  }

  /**
   * `mountedRoute(base, path)`, the same string for the same pair: Express routers name most
   * requests this way, and a fresh string per request would be hashed afresh by the recorder.
   */
  private mounted(base: string, path: string): string {
    const paths = this.joined.get(base);
    const known = paths?.get(path);
    if (known !== undefined) return known;
    const route = mountedRoute(base, path);
    if (this.joinedCount < MAX_JOINED) {
      this.joinedCount++;
      if (paths === undefined) this.joined.set(base, new Map([[path, route]]));
      else paths.set(path, route);
    }
    return route;
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
    return this.mounted(this.normalize(url.slice(0, cut)), template);
  }
}

/** A router's root route is its mount path: `/api/videos` + `/` is `/api/videos`, as mounted directly. */
function mountedRoute(base: string, path: string): string {
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
