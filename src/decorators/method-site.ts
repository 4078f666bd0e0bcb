/** Where a method was decorated; `cls` is known at decoration time in the legacy dialect only. */
export interface MethodSite {
  readonly key: string | symbol;
  /** The method's name as a label: the key, a symbol's description, `#name` for private ones. */
  readonly name: string;
  readonly cls: Function | undefined;
  readonly isStatic: boolean;
  /** The wrapper made for this site, set once it exists. */
  wrapper?: Function;
}

function keyName(key: string | symbol): string {
  return typeof key === 'symbol' ? (key.description ?? '') : key;
}

/** A site for a method found at `key`; `cls` when the dialect tells it at decoration time. */
export function methodSite(
  key: string | symbol,
  cls: Function | undefined,
  isStatic: boolean,
): MethodSite {
  return { key, name: keyName(key), cls, isStatic };
}

/** The name of the class a call runs on: known at decoration time (legacy) or from `this`. */
export function className(site: MethodSite, self: unknown): string {
  try {
    if (site.cls !== undefined) return site.cls.name || 'anonymous';
    if (typeof self === 'function') return self.name || 'anonymous';
    const ctor = (self as { constructor?: Function } | null | undefined)?.constructor;
    return typeof ctor === 'function' && ctor.name ? ctor.name : 'anonymous';
  } catch {
    return 'anonymous';
  }
}

/** The class a call runs on, for reading class-level metadata. */
export function classOf(site: MethodSite, self: unknown): Function | undefined {
  if (site.cls !== undefined) return site.cls;
  try {
    if (typeof self === 'function') return self;
    const ctor = (self as { constructor?: unknown } | null | undefined)?.constructor;
    return typeof ctor === 'function' ? ctor : undefined;
  } catch {
    return undefined;
  }
}
