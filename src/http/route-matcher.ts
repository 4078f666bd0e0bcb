/**
 * Matches a path to one of a list of route templates: `path` up to `end` (default its length),
 * so that a URL's query is left out without slicing a new string.
 */
export type RouteMatcher = (path: string, end?: number) => string | undefined;

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
  return function matchRoute(path: string, end = path.length): string | undefined {
    for (let i = 0; i < compiled.length; i++) {
      if (matches(compiled[i], path, end)) return compiled[i].template;
    }
    return undefined;
  };
}

/**
 * Walks `path[0, end)` segment by segment in place, comparing characters: no split, no slice,
 * and no builtin call per segment (`indexOf` and `startsWith` cost more than the loop).
 */
function matches(c: Compiled, path: string, end: number): boolean {
  const segs = c.segments;
  let pos = 0;
  for (let i = 0; i < segs.length; i++) {
    while (pos < end && path.charCodeAt(pos) === 47) pos++;
    if (pos >= end) return false;
    const lit = segs[i];
    if (lit === null) {
      while (pos < end && path.charCodeAt(pos) !== 47) pos++;
      continue;
    }
    const n = lit.length;
    if (end - pos < n) return false;
    for (let k = 0; k < n; k++) {
      if (path.charCodeAt(pos + k) !== lit.charCodeAt(k)) return false;
    }
    pos += n;
    if (pos < end && path.charCodeAt(pos) !== 47) return false;
  }
  while (pos < end && path.charCodeAt(pos) === 47) pos++;
  return c.rest ? pos < end : pos >= end;
}
