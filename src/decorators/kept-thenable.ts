// How a returned promise that is more than a plain promise reaches the caller with all it has:
// `cancel()` (got, p-cancelable), a query builder's chained methods, a subclass' identity. Used
// by `weave.ts`, the one place that settles results; the rule is in the README ("Promises with
// members of their own").

/** Whether `p` is what an async function returns: a native Promise and nothing more. */
export function isPlainPromise(p: object): boolean {
  // `constructor`, read through the prototype, costs less than Object.getPrototypeOf here; a
  // subclass (and p-cancelable, whose prototype is its own) has its own constructor.
  if ((p as { constructor?: unknown }).constructor !== Promise) return false;
  // Own enumerable members (`Object.assign(promise, { cancel })`); a plain promise has none,
  // and for-in over it allocates nothing.
  for (const _ in p) return false;
  return true;
}

/** A promise, so already running: calling its `then` starts nothing. */
export function isPromiseLike(p: object): boolean {
  return p instanceof Promise;
}

/** The `then` of a thenable, else `undefined`; a getter that throws makes it no thenable. */
export function thenOf(v: unknown): Function | undefined {
  try {
    if (v === null || (typeof v !== 'object' && typeof v !== 'function')) return undefined;
    const then = (v as { then?: unknown }).then;
    return typeof then === 'function' ? then : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A transparent view of `target` for the caller: every member is read from `target` itself
 * (getters and methods run with `this` = `target`, so private fields work), a method that
 * returns `target` (a chained builder call) returns the view instead, and `instanceof`, `in`
 * and own keys answer as for `target`. `hook` replaces the members it names and hears of every
 * method result, so the caller's use of the promise can be seen.
 */
function view(
  target: object,
  hooks: {
    then?: Function;
    catch?: Function;
    finally?: Function;
    result?: (out: unknown) => void;
  },
): object {
  const forwarders = new Map<PropertyKey, { fn: Function; wrapped: Function }>();
  const proxy: object = new Proxy(target, {
    get(t, key) {
      if (key === 'then' && hooks.then !== undefined) return hooks.then;
      if (key === 'catch' && hooks.catch !== undefined) return hooks.catch;
      if (key === 'finally' && hooks.finally !== undefined) return hooks.finally;
      const v: unknown = Reflect.get(t, key);
      // `constructor` stays the class itself: `p.constructor === Class`, `new p.constructor()`.
      if (typeof v !== 'function' || key === 'constructor') return v;
      const known = forwarders.get(key);
      if (known !== undefined && known.fn === v) return known.wrapped;
      const fn = v;
      const wrapped = function (this: unknown, ...args: unknown[]): unknown {
        const out = fn.apply(this === proxy ? t : this, args);
        if (out === t) return proxy;
        hooks.result?.(out);
        return out;
      };
      forwarders.set(key, { fn, wrapped });
      return wrapped;
    },
  });
  return proxy;
}

/**
 * A promise with members of its own, already being observed by obsweave through `derived`
 * (its `then` with handlers that record and rethrow). The caller gets a view of the promise
 * itself. `derived` carries the same rejection, so a rejection nobody handles is still reported
 * by Node. Once the caller takes the outcome over — `then`, `catch`, `finally` (an `await`),
 * or a member that hands back another thenable (got's `.json()`) — `derived` is marked handled:
 * from then on what reports a rejection is what the caller does with it, as without obsweave.
 */
export function keptPromise(p: object, derived: unknown): object {
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    const then = thenOf(derived);
    try {
      then?.call(derived, undefined, () => {});
    } catch {}
  };
  const forward = (name: 'then' | 'catch' | 'finally') =>
    function (this: unknown, ...args: unknown[]): unknown {
      release();
      return (Reflect.get(p, name) as Function).apply(p, args);
    };
  return view(p, {
    then: forward('then'),
    catch: forward('catch'),
    finally: forward('finally'),
    result: (out) => {
      if (!released && thenOf(out) !== undefined) release();
    },
  });
}

/**
 * A thenable that is not a promise (a query builder, which runs when its `then` is called):
 * obsweave does not call `then` itself, so nothing runs early or twice. The caller gets a view
 * whose `then` (and `catch`, `finally`) time the outcome the caller awaits: `onOk` or `onErr`
 * once, at the first settlement. One the caller never awaits is not recorded. obsweave adds no
 * handler of its own, so unhandled rejections are exactly as without it.
 */
export function lazyThenable(
  p: object,
  then: Function,
  onOk: () => void,
  onErr: (e: unknown) => void,
): object {
  let recorded = false;
  const timedThen = function (this: unknown, f?: unknown, r?: unknown): unknown {
    const ok = (v: unknown): unknown => {
      if (!recorded) {
        recorded = true;
        onOk();
      }
      return typeof f === 'function' ? f(v) : v;
    };
    const fail = (e: unknown): unknown => {
      if (!recorded) {
        recorded = true;
        onErr(e);
      }
      if (typeof r === 'function') return r(e);
      throw e;
    };
    try {
      return then.call(p, ok, fail);
    } catch (e) {
      // The caller's own `await` would meet the same throw.
      if (!recorded) {
        recorded = true;
        onErr(e);
      }
      throw e;
    }
  };
  return view(p, {
    then: timedThen,
    catch: (r?: unknown) => timedThen(undefined, r),
    finally: (f?: unknown) => {
      const q = timedThen(
        (v: unknown) => v,
        (e: unknown) => {
          throw e;
        },
      );
      const fin = thenOf(q) !== undefined ? (q as { finally?: unknown }).finally : undefined;
      return typeof fin === 'function' ? fin.call(q, f) : q;
    },
  });
}

/**
 * A promise with members of its own, raced against a deadline: the caller awaits `raced` (it
 * rejects with the `TimeoutError`) and keeps the members (`cancel()` to stop the late work).
 */
export function racedPromise(p: object, raced: Promise<unknown>): object {
  return view(p, {
    then: raced.then.bind(raced),
    catch: raced.catch.bind(raced),
    finally: raced.finally.bind(raced),
  });
}
