const METRICS_PATH = '/metrics';

/** The default `ignore`: the scrape endpoint itself, with or without a query. */
function isMetricsUrl(url: string): boolean {
  return (
    url.startsWith(METRICS_PATH) &&
    (url.length === METRICS_PATH.length || url.charCodeAt(METRICS_PATH.length) === 63) /* ? */
  );
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
