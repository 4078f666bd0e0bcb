import { isPlainPromise, isPromiseLike, racedPromise } from './kept-thenable';
import { TimeoutError } from './timeout-error';
import { listen, thenOf } from './weave';

/** How the deadline's signal reaches the function: in its options object, or as its argument. */
export type SignalMode = 'options' | 'argument';

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function isSignal(v: unknown): v is AbortSignal {
  return v instanceof AbortSignal;
}

/**
 * Calls `fn` under a deadline of `ms`. In `options` mode, when the last argument is a plain
 * object the function receives a shallow copy of it whose `signal` aborts on the deadline or
 * when the caller's own `signal` aborts (the caller's object is not touched); in `argument`
 * mode the signal is the only argument. A thenable result races the deadline: past it the
 * call rejects with a `TimeoutError` and the late result is ignored. Other results (sync
 * values, Observables) end the deadline at once. The timer never keeps the process alive.
 */
export function callWithTimeout(
  fn: Function,
  self: unknown,
  args: ArrayLike<unknown>,
  ms: number,
  label: string,
  mode: SignalMode,
): unknown {
  const ac = new AbortController();
  let callArgs: ArrayLike<unknown> = args;
  let callerSignal: AbortSignal | undefined;
  if (mode === 'argument') {
    callArgs = [ac.signal];
  } else if (args.length > 0 && isPlainObject(args[args.length - 1])) {
    const last = args[args.length - 1] as Record<string, unknown>;
    if (isSignal(last.signal)) callerSignal = last.signal;
    const copy = Array.prototype.slice.call(args);
    copy[copy.length - 1] = { ...last, signal: ac.signal };
    callArgs = copy;
  }
  let rejectLate: ((e: unknown) => void) | undefined;
  const onCallerAbort = () => ac.abort(callerSignal?.reason);
  const timer = setTimeout(() => {
    const err = new TimeoutError(`${label} timed out after ${ms} ms`, ms);
    cleanup();
    ac.abort(err);
    rejectLate?.(err);
  }, ms);
  timer.unref();
  function cleanup(): void {
    clearTimeout(timer);
    callerSignal?.removeEventListener('abort', onCallerAbort);
  }
  if (callerSignal !== undefined) {
    if (callerSignal.aborted) ac.abort(callerSignal.reason);
    else callerSignal.addEventListener('abort', onCallerAbort, { once: true });
  }
  let r: unknown;
  try {
    r = fn.apply(self, callArgs);
  } catch (e) {
    cleanup();
    throw e;
  }
  const then = thenOf(r);
  if (then === undefined) {
    cleanup();
    return r;
  }
  // The same thenable test and the same listening as every woven call; only the race is extra.
  const raced = new Promise((resolve, reject) => {
    rejectLate = reject;
    listen(
      r as object,
      then,
      (v) => {
        cleanup();
        resolve(v);
      },
      (e) => {
        cleanup();
        reject(e);
      },
    );
  });
  return keepsMembers(r as object) ? racedPromise(r as object, raced) : raced;
}

function keepsMembers(r: object): boolean {
  try {
    return isPromiseLike(r) && !isPlainPromise(r);
  } catch {
    return false;
  }
}
