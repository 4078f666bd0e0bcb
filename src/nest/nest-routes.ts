import type { ApplicationConfig, ModulesContainer } from '@nestjs/core';
// Not in @nestjs/core's barrel; the one place Nest decides a handler's full path (global prefix
// and its exclusions, URI versions, RouterModule paths), so it is used rather than copied.
import { RoutePathFactory } from '@nestjs/core/router/route-path-factory.js';
import { NEST_METHOD, NEST_PATH, NEST_REQUEST_METHODS } from '../decorators/nest-metadata';

// @nestjs/common's metadata keys (constants.js), the same since Nest 8.
const MODULE_PATH = '__module_path__';
const VERSION_METADATA = '__version__';

/** One handler as the app serves it: `GET /api/v1/jobs/:id`. */
export interface NestRoute {
  /** `GET`, ..., or `ALL` for `@All()`. */
  readonly method: string;
  /** The path as registered with the HTTP adapter. */
  readonly path: string;
  /** The function on the controller's prototype (a `@Route` wrapper, if any). */
  readonly handler: Function;
}

type Meta = (key: unknown, target: object) => unknown;
const meta: Meta = (key, target) =>
  (Reflect as unknown as { getMetadata: Meta }).getMetadata(key, target);

function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [v];
}

/** Own and inherited method names of a prototype, as Nest's `MetadataScanner` walks them. */
function methodNames(proto: object): string[] {
  const names = new Set<string>();
  for (let p = proto; p !== null && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    for (const k of Object.getOwnPropertyNames(p)) {
      if (k === 'constructor') continue;
      const d = Object.getOwnPropertyDescriptor(p, k);
      if (
        d !== undefined &&
        d.get === undefined &&
        d.set === undefined &&
        typeof d.value === 'function'
      ) {
        names.add(k);
      }
    }
  }
  return [...names];
}

/**
 * Every handler of the app with the paths Nest registered it at, in registration order. Read
 * once the app is initialised, so `setGlobalPrefix()` and `enableVersioning()` are known.
 */
export function nestRoutes(
  modules: ModulesContainer,
  config: ApplicationConfig,
  normalizePath: (path: string) => string = (p) => p,
): NestRoute[] {
  const factory = new RoutePathFactory(config);
  const prefix = config.getGlobalPrefix();
  const globalPrefix = prefix && !prefix.startsWith('/') ? `/${prefix}` : prefix;
  const versioningOptions = config.getVersioning();
  const routes: NestRoute[] = [];
  for (const mod of modules.values()) {
    const metatype = mod.metatype as object | undefined;
    const modulePath =
      metatype === undefined
        ? undefined
        : (meta(MODULE_PATH + modules.applicationId, metatype) ?? meta(MODULE_PATH, metatype));
    for (const wrapper of mod.controllers.values()) {
      const cls = wrapper.metatype as Function | null;
      const proto = cls?.prototype as Record<string, unknown> | undefined;
      if (cls == null || proto === undefined) continue;
      const ctrlPaths = meta(NEST_PATH, cls);
      if (ctrlPaths === undefined) continue;
      const controllerVersion = versioningOptions
        ? (meta(VERSION_METADATA, cls) ?? versioningOptions.defaultVersion)
        : undefined;
      for (const name of methodNames(proto)) {
        const handler = proto[name] as Function;
        const methodPaths = meta(NEST_PATH, handler);
        if (methodPaths === undefined) continue;
        const requestMethod = meta(NEST_METHOD, handler) as number;
        const method = NEST_REQUEST_METHODS[requestMethod] ?? 'GET';
        const methodVersion = meta(VERSION_METADATA, handler);
        for (const ctrlPath of asArray(ctrlPaths)) {
          for (const methodPath of asArray(methodPaths)) {
            const paths = factory.create(
              {
                ctrlPath: withSlash(ctrlPath),
                methodPath: withSlash(methodPath),
                modulePath,
                globalPrefix,
                controllerVersion,
                methodVersion,
                versioningOptions,
              } as Parameters<RoutePathFactory['create']>[0],
              requestMethod,
            );
            for (const path of paths) routes.push({ method, path: normalizePath(path), handler });
          }
        }
      }
    }
  }
  return routes;
}

/** Nest's `addLeadingSlash`: `''` stays empty, `{/:x}` (an optional segment) is kept. */
function withSlash(p: unknown): string {
  if (typeof p !== 'string' || p === '') return '';
  return p.startsWith('/') || p.startsWith('{/') ? p : `/${p}`;
}
