const METRICS_PATH = '/metrics';

/** The default `ignore`: the scrape endpoint itself, with or without a query, and below it the dashboard. */
function isMetricsUrl(url: string): boolean {
  // The second character turns away nearly every other path before the builtin is called.
  if (url.charCodeAt(1) !== 109 /* m */ || !url.startsWith(METRICS_PATH)) return false;
  const next = url.charCodeAt(METRICS_PATH.length);
  return url.length === METRICS_PATH.length || next === 63 /* ? */ || next === 47; /* / */
}

/**
 * The raw-URL test the middleware runs per request. A user's `ignore(path)` gets the path
 * without its query, sliced only when there is one; the default allocates nothing.
 */
export function ignoreMatcher(ignore?: (path: string) => boolean): (url: string) => boolean {
  if (typeof ignore !== 'function') return isMetricsUrl;
  return (url) => {
    const q = url.indexOf('?');
    return ignore(q < 0 ? url : url.slice(0, q)) === true;
  };
}
