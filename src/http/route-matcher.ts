/**
 * Matches a path to one of a list of route templates. A URL may be given whole: its query
 * (from the first `?`) is left out, without slicing a new string or searching it first.
 */
export type RouteMatcher = (path: string) => string | undefined;

interface Compiled {
  readonly template: string;
  /** Literal segments, `null` for a `:param`. */
  readonly segments: readonly (string | null)[];
  /** A trailing `*` or `*name` matches one segment or more. */
  readonly rest: boolean;
}

function compile(template: string): Compiled {
  const parts = template.split('/').filter((s) => s !== '');
  const rest = parts.length > 0 && parts[parts.length - 1].startsWith('*');
  if (rest) parts.pop();
  return { template, rest, segments: parts.map((s) => (s.startsWith(':') ? null : s)) };
}

/**
 * Compiles templates like `/api/jobs/:id` (and a trailing `*` wildcard) once. The first template
 * that matches wins, in the order given; a trailing slash is not significant.
 */
export function compileRoutes(templates: readonly string[]): RouteMatcher {
  const compiled = templates.filter((t) => typeof t === 'string').map(compile);
  return function matchRoute(path: string): string | undefined {
    for (let i = 0; i < compiled.length; i++) {
      if (matches(compiled[i], path)) return compiled[i].template;
    }
    return undefined;
  };
}

/**
 * Walks `path` segment by segment in place, comparing characters, up to its end or its query:
 * no split, no slice, and no builtin call (`indexOf` and `startsWith` cost more than the loop).
 * A literal segment holds no `?`, so a query that starts inside one fails the comparison.
 */
function matches(c: Compiled, path: string): boolean {
  const segs = c.segments;
  const end = path.length;
  let pos = 0;
  let ch = 47;
  for (let i = 0; i < segs.length; i++) {
    while (pos < end && (ch = path.charCodeAt(pos)) === 47) pos++;
    if (pos >= end || ch === 63) return false;
    const lit = segs[i];
    if (lit === null) {
      while (pos < end && (ch = path.charCodeAt(pos)) !== 47 && ch !== 63) pos++;
      continue;
    }
    const n = lit.length;
    if (end - pos < n) return false;
    for (let k = 0; k < n; k++) {
      if (path.charCodeAt(pos + k) !== lit.charCodeAt(k)) return false;
    }
    pos += n;
    if (pos < end && (ch = path.charCodeAt(pos)) !== 47 && ch !== 63) return false;
  }
  while (pos < end && (ch = path.charCodeAt(pos)) === 47) pos++;
  const more = pos < end && ch !== 63;
  return c.rest ? more : !more;
}
