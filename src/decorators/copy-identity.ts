/**
 * What frameworks read off a method, carried from the original to its wrapper: `name`,
 * `length`, every `reflect-metadata` key and the markers of obsweave wrappers below.
 */
interface MetadataReflect {
  getMetadataKeys?(target: object): unknown[];
  getOwnMetadataKeys?(target: object): unknown[];
  getMetadata?(key: unknown, target: object): unknown;
  defineMetadata?(key: unknown, value: unknown, target: object): void;
}

export function copyIdentity(from: Function, to: Function): void {
  Object.defineProperty(to, 'name', { value: from.name, configurable: true });
  Object.defineProperty(to, 'length', { value: from.length, configurable: true });
  // Framework decorators applied below ours stored their metadata on the original function
  // (NestJS @Get/@HttpCode, Swagger, guards, event patterns); Nest reads it off whatever ends up
  // on the prototype, so without this copy it would silently vanish. Those applied above ours
  // write on the wrapper directly.
  const R = Reflect as unknown as MetadataReflect;
  if (typeof R.getMetadataKeys === 'function' && typeof R.defineMetadata === 'function') {
    try {
      const keys = new Set([...(R.getOwnMetadataKeys?.(from) ?? []), ...R.getMetadataKeys(from)]);
      for (const k of keys) R.defineMetadata(k, R.getMetadata!(k, from), to);
    } catch {
      // metadata that cannot be read is left behind rather than failing the decoration
    }
  }
  for (const s of Object.getOwnPropertySymbols(from)) {
    if (Symbol.keyFor(s)?.startsWith('obsweave.')) {
      Object.defineProperty(to, s, { value: (from as any)[s], configurable: true });
    }
  }
}
