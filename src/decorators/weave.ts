import { performance } from 'node:perf_hooks';
import { metrics } from '../core/metrics-registry';
import { isPlainPromise, isPromiseLike, keptPromise, lazyThenable, thenOf } from './kept-thenable';
import type { Probe } from './probe';

// The weaving primitive, and the only wrap logic: a call runs under a probe, and its result,
// sync, thenable or Observable, is settled into the probe's `ok` or `fail` once. Everything a
// decorator adds (spans, metadata, the dialects) sits around this in its own file.

type AnyProbe = Probe<any>;

const NO_ARGS: readonly unknown[] = Object.freeze([]);

export { thenOf };

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
 * What the caller gets for a returned thenable (the rule in the README, "Promises with members
 * of their own"):
 * - a plain promise (what an async function returns): one derived from it, `p.then(onOk,
 *   onErr)` where `onErr` rethrows the same reason, so the caller sees the same value or reason
 *   and an unhandled rejection stays unhandled (reported for the derived promise, the one the
 *   caller holds);
 * - a promise with members of its own (a subclass, `cancel()`): observed the same way, and the
 *   caller gets a view of the promise itself with all its members (`kept-thenable.ts`);
 * - any other thenable (a query builder, which runs when its `then` is called): never `then`ed
 *   by obsweave; the caller gets a view whose `then` times what the caller awaits.
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
  let plain = true;
  let promise = true;
  try {
    plain = isPlainPromise(p);
    promise = plain || isPromiseLike(p);
  } catch {
    // a hostile prototype trap: observed as a plain promise is
  }
  if (!promise) {
    return lazyThenable(
      p,
      then,
      () => settledOk(probe, performance.now() - t0, ctx, self),
      (e) => settledFail(probe, performance.now() - t0, e, ctx, self),
    );
  }
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
  // A thenable whose then() throws: the caller's own await would meet the same throw.
  const derived = listen(p, then, onOk, onErr);
  if (!recorded && thenOf(derived) !== undefined) {
    chained = true;
    return plain ? derived : keptPromise(p, derived);
  }
  return p;
}

/**
 * `then.call(p, onOk, onErr)`, where a `then` that throws counts as a rejection with what it
 * threw, so `onErr` hears of it. Returns what `then` returned.
 */
export function listen(
  p: object,
  then: Function,
  onOk: (v: unknown) => unknown,
  onErr: (e: unknown) => unknown,
): unknown {
  try {
    return then.call(p, onOk, onErr);
  } catch (e) {
    onErr(e);
    return undefined;
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
 * Wraps `fn` under `probe`: the fast path when the probe keeps no per-call state, else a
 * wrapper through `runWoven`. Identity (name, length, metadata) is copied by the caller.
 */
export function weave(fn: Function, probe: AnyProbe): Function {
  return probe.enter === undefined && probe.run === undefined
    ? fastWrapper(fn, probe)
    : fullWrapper(fn, probe);
}
