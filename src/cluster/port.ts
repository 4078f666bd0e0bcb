/**
 * A `worker_threads` `Worker`, a `MessagePort` (`parentPort`, one end of a `MessageChannel`),
 * or anything else that posts messages and emits them.
 */
export interface PortLike {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  off(event: 'message', listener: (message: unknown) => void): unknown;
}

export function isPortLike(p: unknown): p is PortLike {
  return (
    p !== null &&
    typeof p === 'object' &&
    typeof (p as PortLike).postMessage === 'function' &&
    typeof (p as PortLike).on === 'function' &&
    typeof (p as PortLike).off === 'function'
  );
}
