/**
 * `Name: message` of a thrown value, for a log line (which the guard redacts); never throws,
 * whatever was thrown (a hostile getter, a revoked proxy).
 */
export function describeError(e: unknown): string {
  try {
    return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  } catch {
    return typeof e;
  }
}
