/**
 * Matches a path to one of a list of route templates. A URL may be given whole: its query
 * (from the first `?`) is left out, without slicing a new string or searching it first.
 */
export type RouteMatcher = (path: string) => string | undefined;

/** No template: above every index, and a small integer, as the indexes are. */
const NONE = 0x3fffffff;

/**
 * One segment position of the compiled templates: the templates that end here, the segments
 * that can follow. Templates share their common leading segments, so a URL is walked once
 * whatever the number of templates, not once per template.
 */
class RouteNode {
  /** The first template (by index) that ends here. */
  end = NONE;
  /** The first template that ends here with a trailing `*`: one segment or more must follow. */
  rest = NONE;
  /** The first template anywhere below: a branch that cannot beat a match found is not walked. */
  min = NONE;
  /** The literal segments that can follow, each beside its node in `children`. */
  readonly literals: string[] = [];
  readonly children: RouteNode[] = [];
  /** Where a `:param` segment leads. */
  param: RouteNode | undefined = undefined;

  child(segment: string): RouteNode {
    if (segment.startsWith(':')) return (this.param ??= new RouteNode());
    const i = this.literals.indexOf(segment);
    if (i >= 0) return this.children[i];
    const node = new RouteNode();
    this.literals.push(segment);
    this.children.push(node);
    return node;
  }
}

function add(root: RouteNode, template: string, index: number): void {
  const parts = template.split('/').filter((s) => s !== '');
  const rest = parts.length > 0 && parts[parts.length - 1].startsWith('*');
  if (rest) parts.pop();
  let node = root;
  node.min = Math.min(node.min, index);
  for (const part of parts) {
    node = node.child(part);
    node.min = Math.min(node.min, index);
  }
  if (rest) node.rest = Math.min(node.rest, index);
  else node.end = Math.min(node.end, index);
}

/**
 * Compiles templates like `/api/jobs/:id` (and a trailing `*` wildcard) once. The first template
 * that matches wins, in the order given; a trailing slash is not significant.
 */
export function compileRoutes(templates: readonly string[]): RouteMatcher {
  const list = templates.filter((t) => typeof t === 'string');
  const root = new RouteNode();
  list.forEach((t, i) => add(root, t, i));
  return function matchRoute(path: string): string | undefined {
    const i = walk(root, path, 0, NONE);
    return i === NONE ? undefined : list[i];
  };
}

/**
 * The first template that matches `path` from `pos` on, below `node`, if it comes before
 * `best`. Walks the path in place up to its end or its query, comparing characters: no split,
 * no slice, and no builtin call. A query that starts inside a literal segment fails the
 * comparison, unless the template's literal holds that `?` itself.
 */
function walk(node: RouteNode, path: string, pos: number, best: number): number {
  const end = path.length;
  let p = pos;
  let ch = 63;
  while (p < end && (ch = path.charCodeAt(p)) === 47) p++;
  if (p >= end || ch === 63) return node.end < best ? node.end : best;
  if (node.rest < best) best = node.rest;
  const literals = node.literals;
  for (let i = 0; i < literals.length; i++) {
    const child = node.children[i];
    if (child.min >= best) continue;
    const lit = literals[i];
    const n = lit.length;
    if (end - p < n) continue;
    let k = 0;
    while (k < n && path.charCodeAt(p + k) === lit.charCodeAt(k)) k++;
    if (k < n) continue;
    const q = p + n;
    if (q < end && (ch = path.charCodeAt(q)) !== 47 && ch !== 63) continue;
    best = walk(child, path, q, best);
  }
  const param = node.param;
  if (param !== undefined && param.min < best) {
    let q = p;
    while (q < end && (ch = path.charCodeAt(q)) !== 47 && ch !== 63) q++;
    best = walk(param, path, q, best);
  }
  return best;
}
