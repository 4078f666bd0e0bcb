import { copyIdentity } from './copy-identity';
import { withDecoratorSpans } from './decorator-spans';
import { methodSite, type MethodSite } from './method-site';
import type { Probe } from './probe';
import { weave } from './weave';

// Dialect detection and the two forms (method, class): how a decorator finds the methods to
// wrap. What a call records is the probe's business, how it is wrapped `weave.ts`'s.

type AnyProbe = Probe<any>;

export interface DecoratorSpec {
  /** As shown in errors: `@Stage`. */
  readonly decorator: string;
  /** Marker kind: a method is never wrapped twice by one kind, and method-level wins. */
  readonly kind: string;
  /** Tells two decorators of one kind apart on one method (the metric of `@Timed`). */
  readonly scope?: string;
  /** Builds the probe of one decorated method, once. */
  probe(site: MethodSite, original: Function): AnyProbe;
  /** Told the wrapper made around `probe`, for a decorator that lets a host find it later. */
  wrapped?(wrapper: Function, probe: AnyProbe): void;
}

/**
 * A decorator usable on a method or a class, under `experimentalDecorators` (what NestJS uses)
 * and under TypeScript 5 standard decorators alike: the dialect is told apart at run time.
 */
export interface UniversalDecorator {
  (target: Function): void;
  (target: object, key: string | symbol, descriptor: PropertyDescriptor): any;
  (value: Function, context: ClassMethodDecoratorContext | ClassDecoratorContext): any;
}

// Markers: which kinds (and scopes) of obsweave wrappers a function already carries.

function marker(kind: string): symbol {
  return Symbol.for(`obsweave.${kind}`);
}

function scopesOf(fn: Function, kind: string): readonly string[] | undefined {
  return (fn as any)[marker(kind)] as readonly string[] | undefined;
}

function mark(fn: Function, kind: string, scope: string): void {
  const prev = scopesOf(fn, kind) ?? [];
  Object.defineProperty(fn, marker(kind), {
    value: Object.freeze([...prev, scope]),
    configurable: true,
  });
}

function wrapMethod(
  spec: DecoratorSpec,
  fn: Function,
  site: MethodSite,
  methodLevel: boolean,
): Function {
  const scope = spec.scope ?? '';
  const scopes = scopesOf(fn, spec.kind);
  if (methodLevel && scopes !== undefined && scopes.includes(scope)) {
    throw new TypeError(`obsweave: ${spec.decorator} is applied twice to method "${site.name}"`);
  }
  const probe = spec.probe(site, fn);
  const inner = weave(fn, probe);
  const w = probe.span === undefined ? inner : withDecoratorSpans(inner, probe);
  copyIdentity(fn, w);
  site.wrapper = w;
  mark(w, spec.kind, scope);
  spec.wrapped?.(w, probe);
  return w;
}

/**
 * Class form: every own prototype method, not the constructor, accessors or static methods.
 * Methods already carrying a wrapper of this kind (a method-level decorator) are left alone.
 * Under both dialects class decorators run after the method decorators, so those are visible.
 */
function instrumentClass(spec: DecoratorSpec, cls: Function): void {
  const proto = cls.prototype as object | undefined;
  if (proto === undefined || proto === null) {
    throw new TypeError(`obsweave: ${spec.decorator} on a class needs a class with a prototype`);
  }
  for (const key of Reflect.ownKeys(proto)) {
    if (key === 'constructor') continue;
    const d = Object.getOwnPropertyDescriptor(proto, key);
    if (d === undefined || d.get !== undefined || d.set !== undefined) continue;
    if (typeof d.value !== 'function' || scopesOf(d.value, spec.kind) !== undefined) continue;
    if (d.configurable === false && d.writable === false) continue;
    const site = methodSite(key, cls, false);
    Object.defineProperty(proto, key, { ...d, value: wrapMethod(spec, d.value, site, false) });
  }
}

function misuse(spec: DecoratorSpec, what: string): TypeError {
  return new TypeError(`obsweave: ${spec.decorator} can decorate a method or a class, not ${what}`);
}

interface StandardContext {
  kind: string;
  name: string | symbol;
  static?: boolean;
}

function isStandardContext(v: unknown): v is StandardContext {
  return v !== null && typeof v === 'object' && typeof (v as StandardContext).kind === 'string';
}

/** Builds the decorator for `spec`, accepting both dialects on methods and classes. */
export function makeDecorator(spec: DecoratorSpec): UniversalDecorator {
  return function decorate(target: any, keyOrContext?: unknown, descriptor?: unknown): any {
    if (isStandardContext(keyOrContext)) {
      const ctx = keyOrContext;
      if (ctx.kind === 'method' && typeof target === 'function') {
        return wrapMethod(spec, target, methodSite(ctx.name, undefined, ctx.static === true), true);
      }
      if (ctx.kind === 'class' && typeof target === 'function') {
        instrumentClass(spec, target);
        return undefined;
      }
      throw misuse(spec, `a ${ctx.kind}`);
    }
    if (typeof target === 'function' && keyOrContext === undefined && descriptor === undefined) {
      instrumentClass(spec, target);
      return undefined;
    }
    if (
      target !== null &&
      (typeof target === 'object' || typeof target === 'function') &&
      (typeof keyOrContext === 'string' || typeof keyOrContext === 'symbol')
    ) {
      const d = descriptor as PropertyDescriptor | undefined;
      if (d !== null && typeof d === 'object' && typeof d.value === 'function') {
        const isStatic = typeof target === 'function';
        const cls = isStatic ? target : (target.constructor as Function);
        d.value = wrapMethod(spec, d.value, methodSite(keyOrContext, cls, isStatic), true);
        return d;
      }
      if (typeof descriptor === 'number') throw misuse(spec, 'a parameter');
      if (d !== null && typeof d === 'object' && (d.get !== undefined || d.set !== undefined)) {
        throw misuse(spec, 'an accessor');
      }
      throw misuse(spec, 'a field');
    }
    throw misuse(spec, typeof descriptor === 'number' ? 'a parameter' : 'this target');
  } as UniversalDecorator;
}
