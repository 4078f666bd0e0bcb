/** The last argument of every provider call: the signal that stops it (a deadline, shutdown). */
export interface CallOptions {
  signal?: AbortSignal;
}
