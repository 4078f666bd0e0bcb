import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { checkHttpLabelNames, defineHttpFamilies } from '../core/http-families';
import { httpRecorder, type HttpOutcome, type HttpRecorder } from '../core/http-recorder';
import { metrics, type MetricsRegistry } from '../core/metrics-registry';
import type { LabelValues } from '../core/types';
import { ignoreMatcher } from './ignore';
import {
  RequestState,
  requestState,
  trackRequest,
  untrackedState,
  type RequestSink,
} from './request-lifecycle';
import { RouteResolver, type RouteResolutionOptions } from './route-resolution';
import { describeError } from '../core/describe';

/**
 * What a host hands its own request and response objects to: Express and `node:http` give
 * `req` and `res`, the Fastify plugin its `request` and `reply`.
 */
export interface HttpRequestHooks<Req, Res> {
  /**
   * Buckets of `http.request_latency_ms`, in ms, strictly increasing. Default
   * `DEFAULT_BUCKETS_MS`. The histogram is defined with them when the middleware is created.
   */
  buckets?: readonly number[];
  /**
   * Called when a request arrives: `true` leaves it unmeasured (correlation ids still work).
   * One that throws leaves the request unmeasured, and is logged once; the request goes on.
   */
  bypass?(req: Req): boolean;
  /**
   * Extra labels of all three `http.*` metrics, declared once, after the catalog's own. Their
   * values come from `labels`; `@Route` and requests without them record `""`.
   */
  labelNames?: readonly string[];
  /**
   * The values of `labelNames` for one request, called once when it ends (the response is
   * finished, or the connection closed first). Values are redacted and cut, and count toward
   * the series limit like any label; keys not in `labelNames` are dropped and counted. One
   * that throws records the request with `""` values, and is logged once.
   */
  labels?(req: Req, res: Res): LabelValues;
}

/** How requests are measured, shared by the middleware and the framework plugins. */
export interface HttpRouteOptions<Req = IncomingMessage, Res = ServerResponse>
  extends RouteResolutionOptions, HttpRequestHooks<Req, Res> {
  /** Where the `http.*` metrics go. Default: the process-wide `metrics`. */
  registry?: MetricsRegistry;
  /** Paths (query dropped) that are not measured. Default: `/metrics` and below it. Replaces the default. */
  ignore?: (path: string) => boolean;
}

/**
 * Measures requests from their start to their end: `begin` hands a request to the lifecycle
 * tracker, which calls `complete` once when it ends; the route is then resolved and the three
 * `http.*` metrics recorded.
 */
/** What a host knows of a request as it starts: `RequestMeter.begin`'s options. */
export interface RequestStart {
  /** The URL the request arrived with (path and query). */
  url: string;
  /** The template, when the framework already knows it (Fastify's router). */
  route?: string;
  /** Whether a request not measured still gets a state, never recorded. */
  always: boolean;
  res?: ServerResponse;
  /** What `bypass` and `labels` get: the framework's own request and reply (default `req`, `res`). */
  hostReq?: unknown;
  hostRes?: unknown;
}

export class RequestMeter implements RequestSink {
  private readonly registry: MetricsRegistry;
  private readonly recorder: HttpRecorder;
  private readonly routes: RouteResolver;
  private readonly ignored: (url: string) => boolean;
  private readonly bypass: ((req: unknown) => boolean) | undefined;
  private readonly labels: ((req: unknown, res: unknown) => LabelValues) | undefined;
  private readonly labelNames: readonly string[];

  constructor({
    registry = metrics,
    ignore,
    buckets,
    bypass,
    labelNames,
    labels,
    ...routeOptions
  }: HttpRouteOptions<unknown, unknown> = {}) {
    if (bypass !== undefined && typeof bypass !== 'function') {
      throw new TypeError('obsweave: HTTP metrics: bypass must be a function');
    }
    if (labels !== undefined && typeof labels !== 'function') {
      throw new TypeError('obsweave: HTTP metrics: labels must be a function');
    }
    this.labelNames = checkHttpLabelNames(labelNames ?? []);
    if (labels !== undefined && this.labelNames.length === 0) {
      throw new TypeError('obsweave: HTTP metrics: labels needs labelNames, the names it returns');
    }
    // Before the recorder exists: it takes the families as defined here.
    if (buckets !== undefined || this.labelNames.length > 0) {
      defineHttpFamilies(registry, { labelNames: this.labelNames, buckets });
    }
    this.registry = registry;
    this.ignored = ignoreMatcher(ignore);
    this.recorder = httpRecorder(registry);
    this.routes = new RouteResolver(routeOptions);
    this.bypass = bypass;
    this.labels = labels;
  }

  /**
   * Starts measuring `req` unless its URL is ignored or `bypass` says so. Returns the request's
   * state (a request already begun keeps its first one); for a request not measured, one that is
   * never recorded when `always` (its correlation id still needs a home), else `undefined`.
   */
  begin(
    req: IncomingMessage,
    { url, route, always, res, hostReq = req, hostRes = res }: RequestStart,
  ): RequestState | undefined {
    if (this.ignored(url) || (this.bypass !== undefined && this.bypassed(hostReq))) {
      return always ? untrackedState(req, this, url) : undefined;
    }
    // Only with `labels` does a request keep its host objects: the default state stays small.
    const state =
      this.labels === undefined
        ? new RequestState(this, performance.now(), url)
        : new LabelledState(this, performance.now(), url, hostReq, hostRes);
    state.route = route;
    return trackRequest(req, state) ? state : requestState(req);
  }

  complete(req: IncomingMessage, state: RequestState, outcome: HttpOutcome): void {
    const route = state.route ?? this.routes.resolve(req, state.url);
    const extra = this.labels === undefined ? undefined : this.extraLabels(state as LabelledState);
    this.recorder.record(
      req.method ?? 'GET',
      route,
      outcome,
      performance.now() - state.start,
      extra,
    );
  }

  private bypassed(req: unknown): boolean {
    try {
      return this.bypass!(req) === true;
    } catch (e) {
      this.registry.drop(
        'invalid_value',
        'HTTP metrics bypass()',
        () => `threw ${describeError(e)}; the request is not measured`,
      );
      return true;
    }
  }

  /** The declared labels' values from `labels`; `undefined` (all `""`) when it fails. */
  private extraLabels(state: LabelledState): LabelValues | undefined {
    let got: unknown;
    try {
      got = this.labels!(state.req, state.res);
    } catch (e) {
      this.registry.drop(
        'invalid_value',
        'HTTP metrics labels()',
        () => `threw ${describeError(e)}; the request is recorded with "" values`,
      );
      return undefined;
    }
    if (got === null || typeof got !== 'object') {
      this.registry.drop(
        'invalid_value',
        'HTTP metrics labels()',
        'returned something other than an object; the request is recorded with "" values',
      );
      return undefined;
    }
    const values = got as LabelValues;
    const out: LabelValues = {};
    let declared = 0;
    for (const name of this.labelNames) {
      if (Object.hasOwn(values, name)) {
        out[name] = values[name];
        declared++;
      }
    }
    if (Object.keys(values).length > declared) this.undeclared(values);
    return out;
  }

  private undeclared(values: LabelValues): void {
    this.registry.drop(
      'undeclared_label',
      'HTTP metrics labels()',
      () =>
        `returned ${Object.keys(values)
          .filter((k) => !this.labelNames.includes(k))
          .map((k) => JSON.stringify(k))
          .join(', ')}, not in labelNames [${this.labelNames.join(', ')}]; dropped`,
    );
  }
}

/** A request's state when `labels` will want the host's request and response at its end. */
class LabelledState extends RequestState {
  constructor(
    sink: RequestSink,
    start: number,
    url: string,
    readonly req: unknown,
    readonly res: unknown,
  ) {
    super(sink, start, url);
  }
}
