// The reflect-metadata keys of @nestjs/common (constants.js), read without importing NestJS:
// `path` on the controller class and on handlers, `method` and `__httpCode__` on handlers.
export const NEST_PATH = 'path';
export const NEST_METHOD = 'method';
export const NEST_HTTP_CODE = '__httpCode__';

/** NestJS `RequestMethod` enum values, by number. */
export const NEST_REQUEST_METHODS: readonly string[] = [
  'GET',
  'POST',
  'PUT',
  'DELETE',
  'PATCH',
  'ALL',
  'OPTIONS',
  'HEAD',
  'SEARCH',
  'PROPFIND',
  'PROPPATCH',
  'MKCOL',
  'COPY',
  'MOVE',
  'LOCK',
  'UNLOCK',
  'QUERY',
];

interface MetadataReader {
  getMetadata?(key: unknown, target: object): unknown;
}

/** The first of `targets` that carries `key`; never throws. */
export function readMetadata(key: string, targets: readonly unknown[]): unknown {
  const R = Reflect as unknown as MetadataReader;
  if (typeof R.getMetadata !== 'function') return undefined;
  for (const t of targets) {
    if (t === null || (typeof t !== 'object' && typeof t !== 'function')) continue;
    try {
      const v = R.getMetadata(key, t);
      if (v !== undefined) return v;
    } catch {
      // unreadable metadata: try the next target
    }
  }
  return undefined;
}

/** `/jobs` + `:id` → `/jobs/:id`; a path given as an array (several routes) uses the first. */
export function joinPaths(...parts: unknown[]): string {
  const segs: string[] = [];
  for (let p of parts) {
    if (Array.isArray(p)) p = p[0];
    if (typeof p !== 'string') continue;
    const s = p.replace(/^\/+|\/+$/g, '');
    if (s !== '') segs.push(s);
  }
  return `/${segs.join('/')}`;
}
