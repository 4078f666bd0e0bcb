import { CATALOG } from '../core/catalog';
import { dashboardAssets } from './dashboard-assets';
import { textResponse, type MetricsRequest, type MetricsResponse } from '../http/metrics-exchange';
import { toPageSlos, type DashboardSlo, type PageSlo } from './dashboard-slos';

/** The dashboard's options, the same on every host that serves it. */
export interface DashboardHostOptions {
  /** Serve the dashboard page at `<path>/ui`. Default `true`; `false` turns it off. */
  ui?: boolean;
  /** SLOs whose burn rate the page shows, computed from the snapshot's series. */
  slos?: readonly DashboardSlo[];
}

/** The page refreshes this often; the SPEC asks for at least every 2 s. */
export const DASHBOARD_REFRESH_MS = 2000;

/**
 * Scripts, styles, images and requests from the service's own origin only; no inline script or
 * style, no plugins, no framing, no `<base>` games, forms posting nowhere else.
 */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': DASHBOARD_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-resource-policy': 'same-origin',
};

/** The page's settings; the only file of the page that needs the token, as it names the SLOs. */
const CONFIG_FILE = 'config.json';

/**
 * The file a URL asks for: `index.html` for `<path>/ui`, `<name>` for `<path>/ui/<name>`, or
 * `undefined` when the URL is not the dashboard's (the common case, answered without
 * allocating unless the URL contains `/ui`).
 */
export function dashboardFile(url: string | undefined): string | undefined {
  if (typeof url !== 'string' || url.indexOf('/ui') < 0) return undefined;
  const q = url.search(/[?#]/);
  const path = q < 0 ? url : url.slice(0, q);
  if (path.endsWith('/ui') || path.endsWith('/ui/')) return 'index.html';
  const slash = path.lastIndexOf('/');
  if (slash < 3 || !path.startsWith('/ui', slash - 3)) return undefined;
  return path.slice(slash + 1);
}

function plain(status: number, body: string, extra?: Record<string, string>): MetricsResponse {
  return textResponse(status, body, { ...SECURITY_HEADERS, ...extra });
}

function matches(ifNoneMatch: string | string[] | undefined, etag: string): boolean {
  const v = Array.isArray(ifNoneMatch) ? ifNoneMatch.join(',') : ifNoneMatch;
  if (typeof v !== 'string') return false;
  return v.split(',').some((t) => {
    const tag = t.trim();
    return tag === '*' || tag === etag || tag === `W/${etag}`;
  });
}

/**
 * Serves the dashboard's files for a host. Built when the host is configured (it only checks
 * the SLOs then); the files are read on the first request for the page. The files hold no
 * data and are served without the token; the data (the snapshot, and `config.json` with the
 * SLOs) needs it when the host has one.
 */
export class Dashboard {
  private readonly slos: PageSlo[];
  private config: string | undefined;

  constructor(
    { slos }: Pick<DashboardHostOptions, 'slos'> = {},
    /** How the served registry defines a metric, when it can say: extra HTTP labels included. */
    private readonly definition?: (name: string) => { labelNames: readonly string[] } | undefined,
  ) {
    this.slos = toPageSlos(slos);
  }

  /** The response for a dashboard URL, or `undefined` for any other URL. */
  respond(req: MetricsRequest, authorized: () => boolean): MetricsResponse | undefined {
    const file = dashboardFile(req?.url);
    if (file === undefined) return undefined;
    if (file === CONFIG_FILE) {
      if (!authorized()) {
        return plain(401, 'Unauthorized\n', { 'www-authenticate': 'Bearer realm="metrics"' });
      }
      return {
        status: 200,
        headers: {
          ...SECURITY_HEADERS,
          'content-type': 'application/json; charset=utf-8',
          'cache-control': 'no-store',
        },
        body:
          this.definition === undefined ? (this.config ??= this.configJson()) : this.configJson(),
      };
    }
    let asset;
    try {
      asset = dashboardAssets().get(file);
    } catch {
      return plain(500, 'obsweave: the dashboard files are missing from the package\n');
    }
    if (asset === undefined) return plain(404, 'Not found\n');
    const headers = {
      ...SECURITY_HEADERS,
      'content-type': asset.contentType,
      'cache-control': 'no-cache',
      etag: asset.etag,
    };
    if (matches(req.headers?.['if-none-match'], asset.etag)) {
      return { status: 304, headers, body: '' };
    }
    return { status: 200, headers, body: asset.body };
  }

  private configJson(): string {
    const labels: Record<string, readonly string[]> = {};
    // The page splits series keys by these names: the registry's own, where the HTTP families
    // carry extra labels, else the catalog's.
    for (const m of CATALOG) labels[m.name] = this.definition?.(m.name)?.labelNames ?? m.labelNames;
    return JSON.stringify({ refreshMs: DASHBOARD_REFRESH_MS, slos: this.slos, labels });
  }
}

/** The dashboard for a host's options, or `undefined` with `ui: false`. */
export function dashboardFor(
  opts: DashboardHostOptions | undefined,
  source?: object,
): Dashboard | undefined {
  const ui = opts?.ui;
  if (ui !== undefined && typeof ui !== 'boolean') {
    throw new TypeError('obsweave: the ui option must be true or false');
  }
  const definition = (source as { definition?: unknown } | undefined)?.definition;
  return ui === false
    ? undefined
    : new Dashboard(
        { slos: opts?.slos },
        typeof definition === 'function'
          ? (name) =>
              (definition as (n: string) => { labelNames: readonly string[] } | undefined).call(
                source,
                name,
              )
          : undefined,
      );
}
