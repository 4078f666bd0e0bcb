import { redact } from '../redact/redact';

/**
 * Thrown by `@ExternalCall` / `withExternalCall` when `timeoutMs` elapses first. Its message
 * names the call, which may be a signed URL: it is redacted, as everything obsweave writes.
 */
export class TimeoutError extends Error {
  override readonly name = 'TimeoutError';

  constructor(
    message: string,
    /** The limit that elapsed, in ms. */
    readonly timeoutMs: number,
  ) {
    super(redact(message));
  }
}

const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT']);
/** undici: UND_ERR_CONNECT_TIMEOUT, UND_ERR_HEADERS_TIMEOUT, UND_ERR_BODY_TIMEOUT. */
const UNDICI_TIMEOUT = /^UND_ERR_[A-Z_]*TIMEOUT$/;

function isTimeoutOne(e: unknown): boolean {
  if (e === null || typeof e !== 'object') return false;
  const { name, code } = e as { name?: unknown; code?: unknown };
  if (name === 'TimeoutError') return true; // ours, and AbortSignal.timeout()'s DOMException
  return typeof code === 'string' && (TIMEOUT_CODES.has(code) || UNDICI_TIMEOUT.test(code));
}

/**
 * The default timeout rule. Also looks one level into `cause`, where fetch puts undici's
 * error (`TypeError: fetch failed` with `cause.code === 'UND_ERR_CONNECT_TIMEOUT'`).
 */
export function isTimeoutError(e: unknown): boolean {
  try {
    return (
      isTimeoutOne(e) ||
      (e !== null && typeof e === 'object' && isTimeoutOne((e as { cause?: unknown }).cause))
    );
  } catch {
    return false;
  }
}
