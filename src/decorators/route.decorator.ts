import type { MetricsRegistry } from '../core/metrics-registry';
import { httpRecorder, type HttpRecorder } from '../core/http-recorder';
import type { Span } from '../tracing/tracer';
import { classOf, className, type MethodSite } from './method-site';
import type { Probe, SpanShape } from './probe';
import {
  NEST_HTTP_CODE,
  NEST_METHOD,
  NEST_PATH,
  NEST_REQUEST_METHODS,
  joinPaths,
  readMetadata,
} from './nest-metadata';
import { optionsOf, registryOf, type RegistryOption } from './options';
import { makeDecorator, type UniversalDecorator } from './make-decorator';

export interface RouteOptions extends RegistryOption {
  /** HTTP method; default NestJS `@Get/@Post/...` metadata, else `GET`. */
  method?: string;
  /** Status of a successful call; default NestJS `@HttpCode`, 201 for POST, else 200. */
  status?: number;
}

/** What a route resolves to on its first call. */
interface Resolved {
  readonly method: string;
  readonly route: string;
  /** The status of a successful call. */
  readonly status: number;
  /** Named as OpenTelemetry's HTTP server spans are: `GET /jobs/:id`. */
  readonly shape: SpanShape;
}

function isStatus(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 100 && v <= 599;
}

/** `err.getStatus()` (NestJS HttpException), `err.status`, `err.statusCode`, else 500. */
function failureStatus(err: unknown): number {
  if (err === null || typeof err !== 'object') return 500;
  try {
    const e = err as { getStatus?: () => unknown; status?: unknown; statusCode?: unknown };
    const s = typeof e.getStatus === 'function' ? e.getStatus() : undefined;
    if (isStatus(s)) return s;
    if (isStatus(e.status)) return e.status;
    if (isStatus(e.statusCode)) return e.statusCode;
  } catch {
    // a getter that throws: the request still failed
  }
  return 500;
}

function methodName(v: unknown): string | undefined {
  if (typeof v === 'number') return NEST_REQUEST_METHODS[v];
  if (typeof v === 'string' && v !== '') return v.toUpperCase();
  return undefined;
}

/**
 * The three `http.*` metrics of one handler, written by the same recorder as `httpMetrics()`.
 * The route is resolved lazily on the first call, when every decorator of the class has run:
 * NestJS's `@Controller` is applied after the method decorators, and `@Get` may sit above
 * `@Route`.
 */
class RouteProbe implements Probe, RouteMount {
  private resolved: Resolved | undefined;
  private readonly recorder: HttpRecorder;
  private mountedRoute: string | undefined;
  private deferred = false;

  constructor(
    readonly registry: MetricsRegistry,
    private readonly site: MethodSite,
    private readonly original: Function,
    private readonly template: string | undefined,
    private readonly opts: RouteOptions,
  ) {
    this.recorder = httpRecorder(registry);
  }

  mount(route: string | undefined, deferred: boolean): void {
    this.mountedRoute = route;
    this.deferred = deferred;
    this.resolved = undefined;
  }

  ok(ms: number, _ctx: undefined, self: unknown): void {
    if (this.deferred) return;
    const r = this.resolved ?? this.resolve(self);
    this.recorder.record(r.method, r.route, r.status, ms);
  }

  fail(ms: number, err: unknown, _ctx: undefined, self: unknown): void {
    if (this.deferred) return;
    const r = this.resolved ?? this.resolve(self);
    this.recorder.record(r.method, r.route, failureStatus(err), ms);
  }

  span(self: unknown): SpanShape {
    return (this.resolved ?? this.resolve(self)).shape;
  }

  spanResult(span: Span, err: unknown, failed: boolean, self: unknown): void {
    const r = this.resolved ?? this.resolve(self);
    span.setAttribute('http.response.status_code', failed ? failureStatus(err) : r.status);
  }

  private resolve(self: unknown): Resolved {
    const site = this.site;
    const cls = classOf(site, self);
    // Metadata written above us sits on the function now on the prototype (or on our wrapper);
    // metadata written below us sits on the original.
    let current: unknown;
    try {
      current = site.isStatic ? (cls as any)?.[site.key] : (cls?.prototype as any)?.[site.key];
    } catch {
      current = undefined;
    }
    const fns = [current, site.wrapper, this.original];
    const method =
      this.opts.method?.toUpperCase() ?? methodName(readMetadata(NEST_METHOD, fns)) ?? 'GET';
    let route = this.template ?? this.mountedRoute;
    if (route === undefined) {
      const path = readMetadata(NEST_PATH, fns);
      route =
        path !== undefined
          ? joinPaths(readMetadata(NEST_PATH, [cls]), path)
          : `${className(site, self)}.${site.name}`;
    }
    const code = readMetadata(NEST_HTTP_CODE, fns);
    const status = isStatus(this.opts.status)
      ? this.opts.status
      : isStatus(code)
        ? code
        : method === 'POST'
          ? 201
          : 200;
    const shape: SpanShape = {
      name: `${method} ${route}`,
      attributes: { 'http.request.method': method, 'http.route': route },
    };
    this.resolved = { method, route, status, shape };
    return this.resolved;
  }
}

/** What a host (the NestJS module) may tell a `@Route` handler once its app is routed. */
export interface RouteMount {
  readonly registry: MetricsRegistry;
  /**
   * `route`: the path the framework serves the handler at (global prefix, version, module
   * path), used unless `@Route` was given a template. `deferred`: an app-wide layer records
   * this handler's requests into the same registry, so the decorator records nothing (its span
   * still opens) and no request counts twice.
   */
  mount(route: string | undefined, deferred: boolean): void;
}

const ROUTE_PROBE = 'obsweave:route';
const ROUTE_PROBE_SYMBOL = Symbol.for('obsweave.route.probe');

interface MetadataWriter {
  defineMetadata?(key: unknown, value: unknown, target: object): void;
}

/** Kept where every wrapper above finds it: obsweave's copy its symbols, others the metadata. */
function tagWrapper(wrapper: Function, probe: unknown): void {
  Object.defineProperty(wrapper, ROUTE_PROBE_SYMBOL, { value: probe, configurable: true });
  try {
    (Reflect as unknown as MetadataWriter).defineMetadata?.(ROUTE_PROBE, probe, wrapper);
  } catch {
    // no metadata: obsweave's own wrappers still carry the symbol
  }
}

/** The `@Route` behind a handler as found on its class, possibly under other wrappers. */
export function routeMountOf(fn: unknown): RouteMount | undefined {
  if (typeof fn !== 'function') return undefined;
  const own = (fn as unknown as Record<symbol, unknown>)[ROUTE_PROBE_SYMBOL];
  const probe = own ?? readMetadata(ROUTE_PROBE, [fn]);
  return probe instanceof RouteProbe ? probe : undefined;
}

/**
 * Records `http.requests_total{method,route,code_class}`, `http.errors_total{route,code}`
 * (4xx/5xx) and `http.request_latency_ms{route}` for a controller handler. Route: `template`,
 * else the path NestJS serves it at when `MetricsModule.forRoot()` is imported (global prefix
 * and URI version included), else `@Controller` path + `@Get/...` path, else `Class.method`.
 * It sees only the calls that reach the handler: a guard's 403, a pipe's 400 or an unknown
 * route's 404 never do. `MetricsModule.forRoot({ http: true })` counts those; the decorator
 * then defers to it on the same registry. Do not combine with `httpMetrics()` by hand.
 *
 * @example
 * ```ts
 * @Controller('api/jobs')
 * class JobsController {
 *   @Route() // route "/api/jobs/:id", method GET, from NestJS's metadata
 *   @Get(':id')
 *   find(@Param('id') id: string) { ... }
 * }
 * ```
 */
export function Route(template?: string | RouteOptions, opts?: RouteOptions): UniversalDecorator {
  const name = '@Route';
  let o: RouteOptions;
  if (template !== undefined && typeof template === 'object') {
    o = optionsOf(name, template);
    template = undefined;
  } else {
    if (template !== undefined && typeof template !== 'string') {
      throw new TypeError(`obsweave: ${name}: the route template must be a string`);
    }
    o = optionsOf(name, opts);
  }
  if (o.method !== undefined && (typeof o.method !== 'string' || o.method === '')) {
    throw new TypeError(`obsweave: ${name}: method must be a non-empty string`);
  }
  if (o.status !== undefined && !isStatus(o.status)) {
    throw new TypeError(`obsweave: ${name}: status must be an integer HTTP status (100-599)`);
  }
  const registry = registryOf(name, o);
  const t = template;
  return makeDecorator({
    decorator: name,
    kind: 'route',
    probe: (site, original) => new RouteProbe(registry, site, original, t, o),
    wrapped: tagWrapper,
  });
}
