import { metrics } from '../core/metrics-registry';
import type { ExportSource } from '../core/types';
import { writers } from '../core/writers';
import { OPENMETRICS_CONTENT_TYPE } from '../export/openmetrics';
import { PROMETHEUS_CONTENT_TYPE } from '../export/prometheus';
import { PROTOBUF_CONTENT_TYPE, toProtobuf } from '../export/protobuf';
import { dashboardFor, type Dashboard, type DashboardHostOptions } from '../ui/dashboard';
import { bearerTokenMatches, expectedToken, unmatchableToken } from './bearer-token';
import { textResponse, type MetricsRequest, type MetricsResponse } from '../http/metrics-exchange';
import { negotiateFormat, type MetricsFormat } from './negotiate';

export type { MetricsRequest, MetricsResponse } from '../http/metrics-exchange';

export interface MetricsControllerOptions extends DashboardHostOptions {
  /**
   * When set, requests must carry `Authorization: Bearer <token>`, else 401. One word of
   * visible Latin-1 characters; one that no request could carry (a space, a control
   * character) throws here.
   */
  token?: string;
}

const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

function ok(contentType: string, body: string | Buffer): MetricsResponse {
  return {
    status: 200,
    headers: { 'content-type': contentType, 'cache-control': 'no-store', vary: 'Accept' },
    body,
  };
}

function header(req: MetricsRequest, name: string): string | undefined {
  const v = req.headers?.[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

function formatQuery(url: string | undefined): string | null {
  const q = typeof url === 'string' ? url.indexOf('?') : -1;
  return q < 0 ? null : new URLSearchParams(url!.slice(q + 1)).get('format');
}

/**
 * Serves a registry, or any `ExportSource` (a cluster's merged registry), as JSON (default),
 * Prometheus text 0.0.4 (`Accept: text/plain` or `?format=prometheus`) or OpenMetrics 1.0
 * (`application/openmetrics-text` preferred).
 * `handle` never throws or rejects: a failed export is a 500 with a short message. It returns
 * a Promise only while the registry answers with one (an async collector, a cluster).
 *
 * @example
 * ```ts
 * const controller = new MetricsController(metrics, { token: process.env.METRICS_TOKEN });
 * const { status, headers, body } = await controller.handle({ url: req.url, headers: req.headers });
 * ```
 */
export class MetricsController {
  private readonly token: Buffer | undefined;
  private readonly dashboard: Dashboard | undefined;

  constructor(
    private readonly registry: ExportSource = metrics,
    { token, ...ui }: MetricsControllerOptions = {},
  ) {
    if (token !== undefined && (typeof token !== 'string' || token === '')) {
      throw new TypeError('obsweave: MetricsController token must be a non-empty string');
    }
    const why = token === undefined ? undefined : unmatchableToken(token);
    if (why !== undefined) {
      throw new TypeError(
        `obsweave: MetricsController token can never match "Authorization: Bearer <token>": ${why}`,
      );
    }
    this.token = token === undefined ? undefined : expectedToken(token);
    this.dashboard = dashboardFor(ui, registry);
  }

  handle(req: MetricsRequest): MetricsResponse | Promise<MetricsResponse> {
    try {
      // `<path>/ui...`: the dashboard's files, which hold no data; its data is this endpoint.
      const page = this.dashboard?.respond(req, () => this.authorized(req));
      if (page !== undefined) return page;
      if (!this.authorized(req)) {
        return textResponse(401, 'Unauthorized\n', {
          'www-authenticate': 'Bearer realm="metrics"',
        });
      }
      const format = negotiateFormat(formatQuery(req?.url), header(req ?? {}, 'accept'));
      const body = this.render(format);
      if (!(body instanceof Promise)) return ok(contentType(format), body);
      return body.then(
        (b) => ok(contentType(format), b),
        () => failed(),
      );
    } catch {
      return failed();
    }
  }

  private authorized(req: MetricsRequest): boolean {
    return this.token === undefined || bearerTokenMatches(req?.headers?.authorization, this.token);
  }

  /** At once when every part of the source answered at once (no async collector, no worker). */
  private render(format: MetricsFormat): string | Buffer | Promise<string | Buffer> {
    return this.registry.exportWith<string | Buffer>(format, (families, labels) =>
      format === 'json'
        ? JSON.stringify(writers().json(families, labels))
        : format === 'protobuf'
          ? toProtobuf(families, labels)
          : writers()[format](families, labels),
    );
  }
}

function contentType(format: MetricsFormat): string {
  return format === 'json'
    ? JSON_CONTENT_TYPE
    : format === 'prometheus'
      ? PROMETHEUS_CONTENT_TYPE
      : format === 'protobuf'
        ? PROTOBUF_CONTENT_TYPE
        : OPENMETRICS_CONTENT_TYPE;
}

function failed(): MetricsResponse {
  return textResponse(500, 'metrics export failed\n');
}
