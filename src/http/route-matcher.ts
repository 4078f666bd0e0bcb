/** Matches a path (without its query) to one of a list of route templates. */
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

/** Walks the path's segments in place, without splitting it into an array. */
function matches(c: Compiled, path: string): boolean {
  const segs = c.segments;
  let pos = 0;
  for (let i = 0; i < segs.length; i++) {
    while (path.charCodeAt(pos) === 47) pos++;
    if (pos >= path.length) return false;
    let stop = path.indexOf('/', pos);
    if (stop < 0) stop = path.length;
    const lit = segs[i];
    if (lit !== null && (stop - pos !== lit.length || !path.startsWith(lit, pos))) return false;
    pos = stop;
  }
  while (path.charCodeAt(pos) === 47) pos++;
  return c.rest ? pos < path.length : pos >= path.length;
}
