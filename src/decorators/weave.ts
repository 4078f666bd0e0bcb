import { performance } from 'node:perf_hooks';
import { metrics } from '../core/metrics-registry';
import { decoratorSpansEnabled, getTracer } from '../tracing/global-tracer';
import type { Probe } from './probe';
import { SpanProbe } from './span-probe';

export type { Probe, SpanShape } from './probe';

type AnyProbe = Probe<any>;

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

export interface DecoratorSpec {
  /** As shown in errors: `@Stage`. */
  readonly decorator: string;
  /** Marker kind: a method is never wrapped twice by one kind, and method-level wins. */
  readonly kind: string;
  /** Tells two decorators of one kind apart on one method (the metric of `@Timed`). */
  readonly scope?: string;
  /** Builds the probe of one decorated method, once. */
  probe(site: MethodSite, original: Function): AnyProbe;
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

const NO_ARGS: readonly unknown[] = Object.freeze([]);

// ---------------------------------------------------------------------------------------------
// Settling: what happens once the method returned or threw.

function reportHook(probe: AnyProbe, e: unknown): void {
  try {
    (probe.registry ?? metrics).warnOnce(
      'weave.hook',
      `an instrumentation hook threw (${e instanceof Error ? e.name : typeof e}); the call was not recorded`,
    );
  } catch {
    // a registry that fails to log must not reach user code either
  }
}

function settledOk(probe: AnyProbe, ms: number, ctx: unknown, self: unknown): void {
  try {
    probe.ok(ms, ctx, self);
  } catch (e) {
    reportHook(probe, e);
  }
}

function settledFail(probe: AnyProbe, ms: number, err: unknown, ctx: unknown, self: unknown): void {
  try {
    probe.fail(ms, err, ctx, self);
  } catch (e) {
    reportHook(probe, e);
  }
}

/** After a normal return. Primitives (the common sync case) are recorded without any lookup. */
function returned(probe: AnyProbe, t0: number, r: unknown, ctx: unknown, self: unknown): unknown {
  if (r !== null && (typeof r === 'object' || typeof r === 'function')) {
    return settleObject(probe, t0, r as object, ctx, self);
  }
  settledOk(probe, performance.now() - t0, ctx, self);
  return r;
}

function settleObject(
  probe: AnyProbe,
  t0: number,
  r: object,
  ctx: unknown,
  self: unknown,
): unknown {
  let then: unknown;
  let observable = false;
  try {
    then = (r as { then?: unknown }).then;
    observable =
      typeof then !== 'function' &&
      typeof (r as { subscribe?: unknown }).subscribe === 'function' &&
      typeof (r as { pipe?: unknown }).pipe === 'function';
  } catch {
    // a hostile getter: treat the value as a plain one
  }
  if (typeof then === 'function') return settleThenable(probe, t0, r, then, ctx, self);
  if (observable) return settleObservable(probe, t0, r as ObservableLike, ctx, self);
  // Plain objects, generators (returned untouched, timed as sync), functions.
  settledOk(probe, performance.now() - t0, ctx, self);
  return r;
}

/**
 * Derives from the thenable: `p.then(onOk, onErr)` where `onErr` rethrows the same reason, so
 * the caller sees the same value or reason and an unhandled rejection stays unhandled (it is
 * reported for the derived promise, which is the one the caller holds).
 *
 * A minimal thenable's `then` may return nothing, or call back before returning; rethrowing
 * there would throw into its code. Then the caller gets the original thenable back and meets
 * the outcome through its own `then`, and `onErr` only records.
 */
function settleThenable(
  probe: AnyProbe,
  t0: number,
  p: object,
  then: Function,
  ctx: unknown,
  self: unknown,
): unknown {
  let chained = false; // then() returned a thenable that adopts what the handlers do
  let recorded = false;
  const onOk = (v: unknown) => {
    if (!recorded) {
      recorded = true;
      settledOk(probe, performance.now() - t0, ctx, self);
    }
    return v;
  };
  const onErr = (e: unknown) => {
    if (!recorded) {
      recorded = true;
      settledFail(probe, performance.now() - t0, e, ctx, self);
    }
    if (chained) throw e;
    return undefined;
  };
  let derived: unknown;
  try {
    derived = then.call(p, onOk, onErr);
  } catch (e) {
    // A thenable whose then() throws: the caller's own await would meet the same throw.
    if (!recorded) {
      recorded = true;
      settledFail(probe, performance.now() - t0, e, ctx, self);
    }
    return p;
  }
  if (!recorded && isThenable(derived)) {
    chained = true;
    return derived;
  }
  return p;
}

function isThenable(v: unknown): boolean {
  try {
    return (
      v !== null &&
      (typeof v === 'object' || typeof v === 'function') &&
      typeof (v as { then?: unknown }).then === 'function'
    );
  } catch {
    return false;
  }
}

interface SubscriptionLike {
  unsubscribe(): void;
}
interface SubscriberLike {
  next(v: unknown): void;
  error(e: unknown): void;
  complete(): void;
}
interface ObservableLike {
  subscribe(observer: Partial<SubscriberLike>): SubscriptionLike;
  pipe(op: (source: ObservableLike) => unknown): unknown;
  lift?(operator: Function): ObservableLike;
}

/**
 * RxJS-style Observables (what NestJS handlers may return), without importing rxjs: an
 * operator passed to `pipe` that lifts the source, as rxjs' own operators do. The function
 * given to `lift` is invoked as `operator.call(subscriber, source)` by rxjs 7 and, being a
 * function, also satisfies rxjs 6's `{ call(subscriber, source) }` operator objects.
 * Each subscription is timed from subscribe to complete or error; one unsubscribed before
 * either is recorded as a success when it is torn down. Per-call state (a span) goes to the
 * first subscription that finishes.
 */
function settleObservable(
  probe: AnyProbe,
  t0: number,
  r: ObservableLike,
  ctx: unknown,
  self: unknown,
): unknown {
  if (typeof r.lift !== 'function') {
    settledOk(probe, performance.now() - t0, ctx, self);
    return r;
  }
  let pending = ctx;
  const take = (): unknown => {
    const c = pending;
    pending = undefined;
    return c;
  };
  function timed(this: SubscriberLike, source: ObservableLike): () => void {
    const start = performance.now();
    let done = false;
    const inner = source.subscribe({
      next: (v) => this.next(v),
      error: (e) => {
        if (!done) {
          done = true;
          settledFail(probe, performance.now() - start, e, take(), self);
        }
        this.error(e);
      },
      complete: () => {
        if (!done) {
          done = true;
          settledOk(probe, performance.now() - start, take(), self);
        }
        this.complete();
      },
    });
    return () => {
      inner.unsubscribe();
      if (!done) {
        done = true;
        settledOk(probe, performance.now() - start, take(), self);
      }
    };
  }
  try {
    return r.pipe((source) => (source.lift as Function).call(source, timed));
  } catch {
    settledOk(probe, performance.now() - t0, take(), self);
    return r;
  }
}

// ---------------------------------------------------------------------------------------------
// Wrappers.

/**
 * Runs `fn` once under `probe`: the body of every wrapper that has per-call state, and of the
 * functional twins (`withStage`, `withExternalCall`, `traced`).
 */
export function runWoven(
  probe: AnyProbe,
  fn: Function,
  self: unknown,
  args: ArrayLike<unknown> = NO_ARGS,
): unknown {
  const t0 = performance.now();
  let ctx: unknown;
  if (probe.enter !== undefined) {
    try {
      ctx = probe.enter(self, args);
    } catch (e) {
      reportHook(probe, e);
    }
  }
  let r: unknown;
  try {
    r = probe.run !== undefined ? probe.run(ctx, fn, self, args) : fn.apply(self, args);
  } catch (e) {
    settledFail(probe, performance.now() - t0, e, ctx, self);
    throw e;
  }
  return returned(probe, t0, r, ctx, self);
}

/** The hot path: two clock reads and the probe's `ok`, written out so V8 sees no closure. */
function fastWrapper(fn: Function, probe: AnyProbe): Function {
  return function woven(this: unknown) {
    const t0 = performance.now();
    let r: unknown;
    try {
      // `apply(this, arguments)` is optimised by V8 without materialising `arguments`;
      // a rest parameter would allocate an array on every call.
      // eslint-disable-next-line prefer-rest-params
      r = fn.apply(this, arguments);
    } catch (e) {
      settledFail(probe, performance.now() - t0, e, undefined, this);
      throw e;
    }
    return returned(probe, t0, r, undefined, this);
  };
}

function fullWrapper(fn: Function, probe: AnyProbe): Function {
  return function woven(this: unknown) {
    // eslint-disable-next-line prefer-rest-params
    return runWoven(probe, fn, this, arguments);
  };
}

/**
 * Wraps `fn` under `probe`, keeping what frameworks read off the function: its `name` and
 * `length`, every `reflect-metadata` key, and the markers of obsweave wrappers below.
 */
export function weave<F extends Function>(fn: F, probe: AnyProbe): F {
  const inner =
    probe.enter === undefined && probe.run === undefined
      ? fastWrapper(fn, probe)
      : fullWrapper(fn, probe);
  const w = probe.span === undefined ? inner : spanSwitch(inner, probe);
  copyIdentity(fn, w);
  return w as unknown as F;
}

/**
 * In front of a metrics probe that can describe a span: while decorator spans are on, the call
 * runs inside its own span, metrics recorded within it; while off, one flag check is all.
 */
function spanSwitch(inner: Function, probe: AnyProbe): Function {
  const spanning = spanProbeOf(probe);
  return function woven(this: unknown) {
    // eslint-disable-next-line prefer-rest-params
    if (decoratorSpansEnabled()) return runWoven(spanning, inner, this, arguments);
    // eslint-disable-next-line prefer-rest-params
    return inner.apply(this, arguments);
  };
}

const spanProbes = new WeakMap<AnyProbe, SpanProbe>();

function spanProbeOf(probe: AnyProbe): SpanProbe {
  let p = spanProbes.get(probe);
  if (p === undefined) {
    p = new SpanProbe(
      probe.registry ?? metrics,
      getTracer(),
      (self) => probe.span!(self),
      probe.spanResult?.bind(probe),
    );
    spanProbes.set(probe, p);
  }
  return p;
}

/**
 * `runWoven` for the functional twins of metrics decorators: inside a span of their own while
 * decorator spans are on.
 */
export function runProbed(
  probe: AnyProbe,
  fn: Function,
  self: unknown,
  args: ArrayLike<unknown> = NO_ARGS,
): unknown {
  if (probe.span === undefined || !decoratorSpansEnabled()) return runWoven(probe, fn, self, args);
  return runWoven(spanProbeOf(probe), () => runWoven(probe, fn, self, args), self);
}

interface MetadataReflect {
  getMetadataKeys?(target: object): unknown[];
  getOwnMetadataKeys?(target: object): unknown[];
  getMetadata?(key: unknown, target: object): unknown;
  defineMetadata?(key: unknown, value: unknown, target: object): void;
}

function copyIdentity(from: Function, to: Function): void {
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

// ---------------------------------------------------------------------------------------------
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

// ---------------------------------------------------------------------------------------------
// Decorators: dialect detection, method form, class form.

function keyName(key: string | symbol): string {
  return typeof key === 'symbol' ? (key.description ?? '') : key;
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
    throw new TypeError(`${spec.decorator} is applied twice to method "${site.name}"`);
  }
  const w = weave(fn, spec.probe(site, fn));
  site.wrapper = w;
  mark(w, spec.kind, scope);
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
    throw new TypeError(`${spec.decorator} on a class needs a class with a prototype`);
  }
  for (const key of Reflect.ownKeys(proto)) {
    if (key === 'constructor') continue;
    const d = Object.getOwnPropertyDescriptor(proto, key);
    if (d === undefined || d.get !== undefined || d.set !== undefined) continue;
    if (typeof d.value !== 'function' || scopesOf(d.value, spec.kind) !== undefined) continue;
    if (d.configurable === false && d.writable === false) continue;
    const site: MethodSite = { key, name: keyName(key), cls, isStatic: false };
    Object.defineProperty(proto, key, { ...d, value: wrapMethod(spec, d.value, site, false) });
  }
}

function misuse(spec: DecoratorSpec, what: string): TypeError {
  return new TypeError(`${spec.decorator} can decorate a method or a class, not ${what}`);
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
        const site: MethodSite = {
          key: ctx.name,
          name: keyName(ctx.name),
          cls: undefined,
          isStatic: ctx.static === true,
        };
        return wrapMethod(spec, target, site, true);
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
        const site: MethodSite = {
          key: keyOrContext,
          name: keyName(keyOrContext),
          cls: isStatic ? target : (target.constructor as Function),
          isStatic,
        };
        d.value = wrapMethod(spec, d.value, site, true);
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
