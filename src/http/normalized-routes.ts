import { isIdentifier, normalizeRoute } from './normalize-route';

/** Paths past this many distinct segments are normalized afresh on every request. */
const MAX_SEGMENTS = 4096;
/** A segment with this many distinct literal children takes no more: the search stays short. */
const MAX_LITERALS = 64;

/** One path segment seen so far, literal or an identifier, and the route of a path ending here. */
class Segment {
  literals: Segment[] | undefined = undefined;
  id: Segment | undefined = undefined;
  route: string | undefined = undefined;

  constructor(readonly text: string) {}
}

/**
 * `normalizeRoute` for the paths of one service, remembered. A request's path is read once,
 * segment by segment, through a tree of the segments seen before (identifiers all share one
 * branch), and the route kept where it ends is returned: the same string every time, made once.
 * The first request of a route pays `normalizeRoute`; later ones neither allocate nor make the
 * recorder hash a new string (a fresh route string cost as much as the rest of the recording).
 *
 * The tree's key is exactly what `normalizeRoute`'s result depends on: the path up to `?` or `#`,
 * cut at every `/`, identifier segments taken as one. It is bounded: a path that would grow it
 * past its limits (clients choose paths) is normalized the plain way.
 */
export class NormalizedRoutes {
  private readonly root = new Segment('');
  private segments = 0;

  /** `normalizeRoute(path)`. */
  resolve(path: string): string {
    if (typeof path !== 'string') return normalizeRoute(path);
    let node: Segment | undefined = this.root;
    let start = 0;
    let digits = 0;
    let hex = 0;
    let dashes = 0;
    for (let i = 0; ; i++) {
      // The end of the path reads as a `?`: it ends the last segment as a query would.
      const c = i < path.length ? path.charCodeAt(i) : 63;
      if (c === 47 /* / */ || c === 63 /* ? */ || c === 35 /* # */) {
        const len = i - start;
        node =
          len > 0 && isIdentifier(len, digits, hex, dashes)
            ? this.idChild(node)
            : this.literalChild(node, path, start, len);
        if (node === undefined) return normalizeRoute(path);
        if (c !== 47) break;
        start = i + 1;
        digits = hex = dashes = 0;
      } else if (c >= 48 && c <= 57) digits++;
      else if ((c >= 97 && c <= 102) || (c >= 65 && c <= 70)) hex++;
      else if (c === 45) dashes++;
    }
    return (node.route ??= normalizeRoute(path));
  }

  private idChild(node: Segment): Segment | undefined {
    return node.id ?? (node.id = this.grow(''));
  }

  private literalChild(
    node: Segment,
    path: string,
    from: number,
    len: number,
  ): Segment | undefined {
    const literals = node.literals;
    if (literals !== undefined) {
      for (let i = 0; i < literals.length; i++) {
        if (same(literals[i].text, path, from, len)) return literals[i];
      }
      if (literals.length >= MAX_LITERALS) return undefined;
    }
    const made = this.grow(path.slice(from, from + len));
    if (made !== undefined) (node.literals ??= []).push(made);
    return made;
  }

  private grow(text: string): Segment | undefined {
    if (this.segments >= MAX_SEGMENTS) return undefined;
    this.segments++;
    return new Segment(text);
  }
}

/** Is `path[from, from + len)` the string `text`? Compared in place, with no slice. */
function same(text: string, path: string, from: number, len: number): boolean {
  if (text.length !== len) return false;
  for (let i = 0; i < len; i++) {
    if (text.charCodeAt(i) !== path.charCodeAt(from + i)) return false;
  }
  return true;
}
